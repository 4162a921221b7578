/**
 * Services whose definition in the manifest changed between two commits: a service added to the
 * manifest has never been built, and one whose paths, build, repository, ECS target or dependencies
 * changed may not match what was built, whatever files changed.
 */
import type { Manifest, ServiceSpec } from '../manifest/types.js';

/** The parts of a definition that decide what is built and where it goes. */
const COMPARED = ['paths', 'package', 'dependsOn', 'build', 'repository', 'ecs'] as const satisfies readonly (keyof ServiceSpec)[];
/** Top-level settings every service's image depends on. */
const EVERY_SERVICE = ['region', 'registry'] as const satisfies readonly (keyof Manifest)[];

/**
 * For each service of `now` whose definition differs from `before`, the reason in words. `before`
 * is the manifest at the base: undefined when the file did not exist there, or a reason when it
 * could not be read.
 */
export function changedDefinitions(before: Manifest | undefined | { unreadable: string }, now: Manifest, base: string): Map<string, string> {
  const all = (why: string) => new Map(now.services.map((service) => [service.name, why]));
  if (before === undefined) return all(`the manifest is new since ${base}`);
  if ('unreadable' in before) return all(`the manifest at ${base} cannot be read (${before.unreadable}), so no definition can be compared with it`);
  for (const key of EVERY_SERVICE) {
    if (before[key] !== now[key]) return all(`its ${key} changed from ${before[key] ?? '(none)'} to ${now[key] ?? '(none)'}`);
  }
  const previous = new Map(before.services.map((service) => [service.name, service]));
  const changed = new Map<string, string>();
  for (const service of now.services) {
    const old = previous.get(service.name);
    if (!old) {
      changed.set(service.name, `a new service (not in the manifest at ${base})`);
      continue;
    }
    const keys = COMPARED.filter((key) => stable(old[key]) !== stable(service[key]));
    if (keys.length) changed.set(service.name, `its ${keys.length > 1 ? `${keys.slice(0, -1).join(', ')} and ${keys.at(-1)}` : keys[0]} changed since ${base}`);
  }
  return changed;
}

/** JSON with object keys sorted: reordering build args is no change. */
const stable = (value: unknown): string =>
  JSON.stringify(value ?? null, (_, item: unknown) => (item && typeof item === 'object' && !Array.isArray(item) ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : 1))) : item));
