/** A service as a job matrix entry: what later jobs need from the manifest, by `${{ matrix.<name> }}` names. */
import type { Manifest, ServiceSpec } from './types.js';

type MatrixEntry = Record<string, string | boolean>;

export function matrixEntry(manifest: Manifest, service: ServiceSpec): MatrixEntry {
  return {
    service: service.name,
    repository: service.repository,
    context: service.build.context,
    dockerfile: service.build.dockerfile,
    target: service.build.target ?? '',
    'build-args': Object.entries(service.build.args)
      .map(([name, value]) => `${name}=${value}`)
      .join('\n'),
    platforms: service.build.platforms.join(','),
    cluster: service.ecs.cluster,
    'ecs-service': service.ecs.service,
    container: service.ecs.container,
    migrate: service.migrate !== undefined,
    'migrate-command': service.migrate ? JSON.stringify(service.migrate.command) : '',
    'migrate-container': service.migrate?.container ?? '',
    health: service.health ?? '',
    region: manifest.region ?? '',
  };
}
