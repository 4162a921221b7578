/**
 * Answers the health checks deploy-ecs makes after a rollout, in place of the manifest's public
 * URLs (https://api.acme.example/healthz …), which cannot be reached from here. Each service's
 * answer names the release its ECS service runs, read from the simulator.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manifest } from '../shared/manifest/types.js';
import type { EcsSimulator } from '../standins/ecs-simulator/index.js';

export interface HealthStandIn {
  url: string;
  /** The `health-url` input for the services deployed that have a `health` URL in the manifest. */
  input(services: string[]): string;
  close(): Promise<void>;
}

export async function startHealthStandIn(manifest: Manifest, sim: EcsSimulator): Promise<HealthStandIn> {
  const server = createServer((req, res) => {
    const name = (req.url ?? '').split('/')[1] ?? '';
    const service = manifest.services.find((candidate) => candidate.name === name);
    if (!service) return void res.writeHead(404).end();
    const running = sim.inspect(service.ecs.cluster, service.ecs.service);
    const definition = sim.model.taskDefinition(running.taskDefinition).body.containerDefinitions as { image: string }[];
    const release = definition[0]!.image.split(':').at(-1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, release }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    input: (services) =>
      manifest.services
        .filter((service) => services.includes(service.name) && service.health)
        .map((service) => `${service.name}=${url}/${service.name}/healthz`)
        .join('\n'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
