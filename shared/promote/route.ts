/**
 * Where a promotion goes and what it promotes, checked against the manifest before any AWS call:
 * `to` and `from` are environments of it, exactly one source is given, and the services exist.
 */
import { UserError } from '../errors.js';
import { forEnvironment } from '../manifest/environments.js';
import { findService } from '../manifest/load.js';
import type { Manifest, ServiceSpec } from '../manifest/types.js';

export interface Route {
  /** The manifest resolved for `to`. */
  to: Manifest;
  /** The manifest resolved for the source environment; undefined with a commit. */
  from?: Manifest;
  commit?: string;
  /** The manifest as written: its top-level values are the build registry's. */
  build: Manifest;
  /** In manifest order, with `to`'s values. */
  services: ServiceSpec[];
  /** True when the services were named (a service the source lacks is then an error, not a note). */
  named: boolean;
}

export function resolveRoute(manifest: Manifest, request: { to: string; from?: string; commit?: string; services: string[] | 'all' }): Route {
  if (request.from !== undefined && request.commit !== undefined) {
    throw new UserError(
      `Inputs "from" and "commit" are both set ("${request.from}" and ${request.commit}), but a promotion has one source.`,
      'Set "from" to promote what that environment runs now, or "commit" to promote the images built for that commit; not both.',
    );
  }
  const to = forEnvironment(manifest, request.to, 'Input "to"');
  let from: Manifest | undefined;
  if (request.commit === undefined) {
    const name = request.from ?? previousEnvironment(manifest, request.to);
    if (name === request.to) {
      throw new UserError(`Inputs "from" and "to" are both "${name}": an environment cannot be promoted into itself.`, 'Set "from" to the environment before it (such as staging), or "commit" to a commit whose images were built.');
    }
    from = forEnvironment(manifest, name, 'Input "from"');
  }
  const named = request.services !== 'all';
  const services = request.services === 'all' ? to.services : request.services.map((name) => findService(to, name));
  if (named && services.length === 0) {
    throw new UserError('Input "services" names no service.', 'Name services of the manifest (comma-separated or a JSON array), or "all".');
  }
  const order = new Map(to.services.map((service, index) => [service.name, index]));
  return { to, from, commit: request.commit, build: manifest, services: [...services].sort((a, b) => order.get(a.name)! - order.get(b.name)!), named };
}

function previousEnvironment(manifest: Manifest, to: string): string {
  const index = manifest.environments.findIndex((environment) => environment.name === to);
  if (index === 0) {
    throw new UserError(
      `Input "from" is empty and "to" is "${to}", the first environment of ${manifest.file}, so there is no environment before it to promote from.`,
      'Set "commit" to promote the images built for a commit, or "from" to the environment whose running images to promote.',
    );
  }
  return manifest.environments[index - 1]!.name;
}
