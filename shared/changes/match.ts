/**
 * Which services a set of changed paths touches, and why: their own globs, the `always` globs, or a
 * workspace package they depend on, directly or through other packages.
 */
import type { Manifest, ServiceSpec } from '../manifest/types.js';
import { PathMatcher, directoryRuns, type DirectoryRun } from './patterns.js';
import { packageFinder, type Workspaces } from './workspaces.js';

/** Files kept per service as evidence; the rest are only counted. */
export const SAMPLE_SIZE = 5;

export interface FileSample {
  count: number;
  files: string[];
}

export type Cause =
  | { kind: 'always'; sample: FileSample }
  | { kind: 'files'; sample: FileSample }
  /** `chain` runs from the service's own package (or its manifest dependsOn) to the package that changed. */
  | { kind: 'dependency'; chain: string[]; sample: FileSample }
  /** Changed without looking at files: every service, a named one, no usable base. */
  | { kind: 'forced'; why: string }
  | { kind: 'unchanged'; why: string };

export const isChange = (cause: Cause): boolean => cause.kind !== 'unchanged';

/** How each service relates to the workspace packages: the packages it is and the ones it needs. */
interface ServicePackages {
  own: string[];
  /** Packages named in the manifest's dependsOn (checked to exist by the repository checks). */
  declared: string[];
}

function servicePackages(manifest: Manifest, workspaces: Workspaces | undefined, matcher = serviceMatcher(manifest)): Map<string, ServicePackages> {
  const result = new Map<string, ServicePackages>();
  const owners = new Map<number, string[]>();
  for (const pkg of workspaces?.packages.values() ?? []) {
    matcher.match(`${pkg.dir}/package.json`, (group) => owners.set(group, [...(owners.get(group) ?? []), pkg.name]));
  }
  manifest.services.forEach((service, index) => {
    const own = new Set<string>(service.package && workspaces?.packages.has(service.package) ? [service.package] : []);
    for (const name of owners.get(index) ?? []) own.add(name);
    result.set(service.name, { own: [...own], declared: service.dependsOn.filter((name) => workspaces?.packages.has(name)) });
  });
  return result;
}

/** One group per service, in manifest order, then the `always` globs. */
export function serviceMatcher(manifest: Manifest): PathMatcher {
  return new PathMatcher([...manifest.services.map((service) => service.paths), manifest.always]);
}

/** The cause of change (or not) for each of `services`, from the paths that changed. */
export function matchServices(manifest: Manifest, services: readonly ServiceSpec[], paths: readonly string[], workspaces: Workspaces | undefined, matcher = serviceMatcher(manifest)): Map<string, Cause> {
  const alwaysGroup = manifest.services.length;
  const runs = directoryRuns(paths);
  const samples = matcher.tally(paths, runs, SAMPLE_SIZE);

  const causes = new Map<string, Cause>();
  const always = samples[alwaysGroup]!;
  const pending: ServiceSpec[] = [];
  for (const service of services) {
    const own = samples[manifest.services.indexOf(service)]!;
    // The service's own files are the more telling reason when both apply.
    if (own.count) causes.set(service.name, { kind: 'files', sample: own });
    else if (always.count) causes.set(service.name, { kind: 'always', sample: always });
    else pending.push(service);
  }
  if (pending.length && workspaces?.packages.size) {
    const packages = servicePackages(manifest, workspaces, matcher);
    const changed = changedPackages(workspaces, paths, runs);
    for (const service of pending) {
      const found = changed.size ? dependencyChain(workspaces, packages.get(service.name)!, changed) : undefined;
      if (found) causes.set(service.name, { kind: 'dependency', chain: found, sample: changed.get(found.at(-1)!)! });
    }
  }
  for (const service of pending) if (!causes.has(service.name)) causes.set(service.name, { kind: 'unchanged', why: 'no changed file matches its paths or its dependencies' });
  return causes;
}

function changedPackages(workspaces: Workspaces, paths: readonly string[], runs: readonly DirectoryRun[]): Map<string, FileSample> {
  const changed = new Map<string, FileSample>();
  const packageIn = packageFinder(workspaces);
  for (const { dir, start, end } of runs) {
    const pkg = packageIn(dir);
    if (!pkg) continue;
    let sample = changed.get(pkg.name);
    if (!sample) changed.set(pkg.name, (sample = { count: 0, files: [] }));
    for (let i = start; i < end && sample.files.length < SAMPLE_SIZE; i++) sample.files.push(paths[i]!);
    sample.count += end - start;
  }
  return changed;
}

/**
 * The shortest chain from the service to a changed package it depends on, or undefined. Changes in
 * the service's own packages are left to its globs (so its exclusions hold).
 */
function dependencyChain(workspaces: Workspaces, packages: ServicePackages, changed: Map<string, FileSample>): string[] | undefined {
  const parent = new Map<string, string | undefined>();
  const queue: string[] = [];
  for (const name of packages.own) {
    parent.set(name, undefined);
    queue.push(name);
  }
  for (const name of packages.declared) {
    if (parent.has(name)) continue;
    if (changed.has(name)) return [name];
    parent.set(name, undefined);
    queue.push(name);
  }
  for (let i = 0; i < queue.length; i++) {
    const current = queue[i]!;
    for (const next of workspaces.packages.get(current)?.dependsOn ?? []) {
      if (parent.has(next)) continue;
      parent.set(next, current);
      if (changed.has(next)) {
        const chain = [next];
        for (let at = parent.get(next); at !== undefined; at = parent.get(at)) chain.unshift(at);
        return chain;
      }
      queue.push(next);
    }
  }
  return undefined;
}
