/**
 * Which services a set of changed paths touches, and why: their own globs, their definition in the
 * manifest, the `always` globs, a workspace package they depend on (directly or through other
 * packages), or the dependencies the lockfile resolves for them.
 */
import type { Manifest, ServiceSpec } from '../manifest/types.js';
import type { Finding } from './checks.js';
import { PathMatcher, directoryRuns, type DirectoryRun } from './patterns.js';
import { packageFinder, type Workspaces } from './workspaces.js';

/** The lockfiles `lockfiles: precise` judges by content, at the repository root. */
export const ROOT_LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock'] as const;

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
  /** The service is new in the manifest, or `what` of its definition changed there. */
  | { kind: 'definition'; file: string; what: string }
  /**
   * The lockfile resolves other dependencies for a package in `chain` (its last); an empty chain is
   * the root package, whose dependencies every service gets. `unreadable`: the lockfile could not
   * be read, so every service counts.
   */
  | { kind: 'lockfile'; file: string; chain: string[]; changes: string[]; unreadable?: string }
  /** Changed without looking at files: every service, a named one, no usable base. */
  | { kind: 'forced'; why: string }
  | { kind: 'unchanged'; why: string };

export const isChange = (cause: Cause): boolean => cause.kind !== 'unchanged';

/** How each service relates to the workspace packages: the packages it is and the ones it needs. */
export interface ServicePackages {
  own: string[];
  /** Packages named in the manifest's dependsOn (checked to exist by the repository checks). */
  declared: string[];
}

/**
 * Each service's own workspace packages: `package:` in the manifest, the packages whose package.json
 * its globs cover, else the package its globs' directories are in (`apps/web/src/**` is in
 * apps/web). A service with none and no `dependsOn` in a repository with workspaces gets a notice:
 * no workspace package can mark it.
 */
export function resolvePackages(manifest: Manifest, workspaces: Workspaces | undefined, matcher = serviceMatcher(manifest)): { packages: Map<string, ServicePackages>; notices: Finding[] } {
  const result = new Map<string, ServicePackages>();
  const notices: Finding[] = [];
  const covered = new Map<number, string[]>();
  for (const pkg of workspaces?.packages.values() ?? []) {
    matcher.match(`${pkg.dir}/package.json`, (group) => covered.set(group, [...(covered.get(group) ?? []), pkg.name]));
  }
  const packageIn = workspaces ? packageFinder(workspaces) : () => undefined;
  manifest.services.forEach((service, index) => {
    const own = new Set<string>(service.package && workspaces?.packages.has(service.package) ? [service.package] : []);
    for (const name of covered.get(index) ?? []) own.add(name);
    if (own.size === 0) {
      for (const glob of matcher.groups[index]!) {
        if (glob.negated) continue;
        const dir = glob.isGlob ? glob.base : glob.pattern.slice(0, Math.max(0, glob.pattern.lastIndexOf('/')));
        const found = packageIn(dir);
        if (found) own.add(found.name);
      }
    }
    const declared = service.dependsOn.filter((name) => workspaces?.packages.has(name));
    result.set(service.name, { own: [...own], declared });
    if (own.size === 0 && !service.dependsOnListed && !service.package && workspaces?.packages.size) {
      const guess = [...workspaces.packages.keys()].find((name) => name === service.name || name.endsWith(`/${service.name}`));
      notices.push({
        at: ['services', service.name, 'paths'],
        key: true,
        message:
          `services.${service.name}: none of its paths is in a workspace package, so a change to a workspace package it uses cannot mark it. ` +
          `Set "package" to its workspace package${guess ? ` (perhaps "${guess}")` : ''}, list the packages it uses in "dependsOn", or write "dependsOn: []" if it uses none.`,
      });
    }
  });
  return { packages: result, notices };
}

/** One group per service, in manifest order, then the `always` globs. */
export function serviceMatcher(manifest: Manifest): PathMatcher {
  return new PathMatcher([...manifest.services.map((service) => service.paths), manifest.always]);
}

/** What changed besides files: service definitions in the manifest, and the lockfile's resolutions. */
export interface OtherChanges {
  /** Per service: what of its definition changed (or that it is new). */
  definitions?: Map<string, string>;
  manifestFile?: string;
  lockfile?: LockfileChange;
}

export type LockfileChange =
  | { file: string; unreadable: string }
  /** `root`: how the root package's resolved dependencies changed; `packages`: the same per workspace package. */
  | { file: string; root: string[]; packages: Map<string, string[]> };

/** The cause of change (or not) for each of `services`, from the paths that changed. */
export function matchServices(
  manifest: Manifest,
  services: readonly ServiceSpec[],
  paths: readonly string[],
  workspaces: Workspaces | undefined,
  matcher = serviceMatcher(manifest),
  packages = resolvePackages(manifest, workspaces, matcher).packages,
  other: OtherChanges = {},
): Map<string, Cause> {
  const alwaysGroup = manifest.services.length;
  const runs = directoryRuns(paths);
  const samples = matcher.tally(paths, runs, SAMPLE_SIZE);

  const causes = new Map<string, Cause>();
  const always = samples[alwaysGroup]!;
  const pending: ServiceSpec[] = [];
  for (const service of services) {
    const own = samples[manifest.services.indexOf(service)]!;
    const definition = other.definitions?.get(service.name);
    // The most telling reason first: the service's own files, then its definition, then what changes every service.
    if (own.count) causes.set(service.name, { kind: 'files', sample: own });
    else if (definition) causes.set(service.name, { kind: 'definition', file: other.manifestFile ?? manifest.file, what: definition });
    else if (always.count) causes.set(service.name, { kind: 'always', sample: always });
    else pending.push(service);
  }
  if (pending.length && workspaces?.packages.size) {
    const changed = changedPackages(workspaces, paths, runs);
    for (const service of pending) {
      const found = changed.size ? dependencyChain(workspaces, packages.get(service.name)!, changed, false) : undefined;
      if (found) causes.set(service.name, { kind: 'dependency', chain: found, sample: changed.get(found.at(-1)!)! });
    }
  }
  const lockfile = other.lockfile;
  if (lockfile) {
    for (const service of pending) {
      if (causes.has(service.name)) continue;
      if ('unreadable' in lockfile) {
        causes.set(service.name, { kind: 'lockfile', file: lockfile.file, chain: [], changes: [], unreadable: lockfile.unreadable });
      } else if (lockfile.root.length) {
        causes.set(service.name, { kind: 'lockfile', file: lockfile.file, chain: [], changes: lockfile.root });
      } else if (workspaces && lockfile.packages.size) {
        const found = dependencyChain(workspaces, packages.get(service.name)!, lockfile.packages, true);
        if (found) causes.set(service.name, { kind: 'lockfile', file: lockfile.file, chain: found, changes: lockfile.packages.get(found.at(-1)!)! });
      }
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
 * The shortest chain from the service to a changed package it depends on, or undefined. Unless
 * `includeOwn`, changes in the service's own packages are left to its globs (so its exclusions hold).
 */
function dependencyChain(workspaces: Workspaces, packages: ServicePackages, changed: Map<string, unknown>, includeOwn: boolean): string[] | undefined {
  const parent = new Map<string, string | undefined>();
  const queue: string[] = [];
  for (const name of packages.own) {
    if (includeOwn && changed.has(name)) return [name];
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
