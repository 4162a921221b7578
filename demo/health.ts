/**
 * Answers the health checks deploy-ecs makes after a rollout, in place of the manifest's public
 * URLs (https://api.acme.example/healthz …), which cannot be reached from here. Each service's
 * answer names the release its ECS service runs in the environment asked about, read from the simulator.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Manifest } from '../shared/manifest/types.js';
import type { EcsSimulator } from '../standins/ecs-simulator/index.js';

export interface HealthStandIn {
  url: string;
  /** The `health-url` input for the services deployed that have a `health` URL in the manifest, in a manifest environment (empty: the top-level cluster). */
  input(services: string[], environment?: string): string;
  /** The cluster of a manifest environment, once it has one. */
  addEnvironment(name: string, cluster: string): void;
  close(): Promise<void>;
}

const TOP_LEVEL = '-';

export async function startHealthStandIn(manifest: Manifest, sim: EcsSimulator): Promise<HealthStandIn> {
  const clusters = new Map<string, string>();
  const server = createServer((req, res) => {
    const [, environment = '', name = ''] = (req.url ?? '').split('/');
    const service = manifest.services.find((candidate) => candidate.name === name);
    const cluster = environment === TOP_LEVEL ? service?.ecs.cluster : clusters.get(environment);
    if (!service || !cluster) return void res.writeHead(404).end();
    const running = sim.inspect(cluster, service.ecs.service);
    const definition = sim.model.taskDefinition(running.taskDefinition).body.containerDefinitions as { image: string }[];
    const release = definition[0]!.image.split(/[:@]/).at(-1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, release }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    input: (services, environment = '') =>
      manifest.services
        .filter((service) => services.includes(service.name) && service.health)
        .map((service) => `${service.name}=${url}/${environment || TOP_LEVEL}/${service.name}/healthz`)
        .join('\n'),
    addEnvironment: (name, cluster) => void clusters.set(name, cluster),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
