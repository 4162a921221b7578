/**
 * Which workspace packages a lockfile change reaches: for each package (and the root), the set of
 * packages the lockfile resolves for it, followed transitively, is compared between the two commits.
 * npm (package-lock.json / npm-shrinkwrap.json, lockfileVersion 2 and 3), pnpm (pnpm-lock.yaml,
 * lockfileVersion 5 to 9) and yarn (yarn.lock, v1 and berry) are read; anything else, or a file that
 * cannot be parsed, is reported as such and counts as a change to every service.
 * Loaded only when a lockfile changed and the manifest asks for precision.
 */
import { FAILSAFE_SCHEMA, load } from 'js-yaml';
import type { LockfileChange } from './match.js';
import type { Workspaces } from './workspaces.js';

/** A lockfile that cannot be read; the message says why. */
class UnreadableLockfile extends Error {
  override readonly name = 'UnreadableLockfile';
}

interface Resolved {
  /** Identifies the exact package: name, version and content hash when the lockfile has one. */
  id: string;
  name: string;
  version: string;
  deps: string[];
}

/** A lockfile as a graph: the references each importer (workspace directory, '' for the root) depends on, and what each reference resolves to. */
interface Graph {
  importer(dir: string): string[] | undefined;
  resolve(ref: string): Resolved;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const objectAt = (value: unknown, key: string): Json => {
  const found = isObject(value) ? value[key] : undefined;
  return isObject(found) ? found : {};
};

/**
 * How `file` changed between two commits for each workspace package. `before` and `after` are its
 * texts (undefined when it is not in that commit); `base` names the older commit in reasons.
 */
export function lockfileChange(file: string, before: string | undefined, after: string | undefined, workspaces: Workspaces | undefined, base: string): LockfileChange {
  if (before === undefined) return { file, unreadable: `it is not in ${base}, so there is nothing to compare it with` };
  if (after === undefined) return { file, unreadable: 'it was deleted' };
  if (file !== 'pnpm-lock.yaml' && file !== 'yarn.lock') {
    const bump = npmBump(before, after, workspaces);
    if (bump) return { file, ...bump };
  }
  return wholeComparison(file, before, after, workspaces, base);
}

/** The importers a lockfile is compared for: the root ('') and each workspace package's directory. */
const importerDirs = (workspaces: Workspaces | undefined) => ['', ...[...(workspaces?.packages.values() ?? [])].map((pkg) => pkg.dir)];

/** `lockfileChange` by resolving both lockfiles in full and comparing what each importer reaches. */
export function wholeComparison(file: string, before: string, after: string, workspaces: Workspaces | undefined, base: string): LockfileChange {
  const dirs = importerDirs(workspaces);
  let old: Analysis;
  let now: Analysis;
  try {
    old = analyze(graphOf(file, before, workspaces), dirs);
  } catch (error) {
    return { file, unreadable: `as of ${base}: ${(error as Error).message}` };
  }
  try {
    now = analyze(graphOf(file, after, workspaces), dirs);
  } catch (error) {
    return { file, unreadable: (error as Error).message };
  }
  // Packages that are not the same in the other lockfile (another version, or dependencies resolved elsewhere), and who reaches them.
  const removed = reaching(old, unlike(old, now));
  const added = reaching(now, unlike(now, old));
  const packages = new Map<string, string[]>();
  let root: string[] = [];
  for (const dir of dirs) {
    // A package moved (hoisted or nested elsewhere) is the same package: only ids on one side count.
    const [reachedBefore, reachedAfter] = [changedBelow(old, dir, removed), changedBelow(now, dir, added)];
    const [idsBefore, idsAfter] = [new Set(reachedBefore.map((pkg) => pkg.id)), new Set(reachedAfter.map((pkg) => pkg.id))];
    const was = reachedBefore.filter((pkg) => !idsAfter.has(pkg.id));
    const is = reachedAfter.filter((pkg) => !idsBefore.has(pkg.id));
    const [oldRefs, nowRefs] = [old.importers.get(dir) ?? [], now.importers.get(dir) ?? []];
    if (!was.length && !is.length && samePackages(oldRefs, old, nowRefs, now)) continue;
    const direct = (analysis: Analysis, refs: string[]) => refs.map((ref) => analysis.nodes.get(ref)!);
    const changes = differences(was, is, direct(old, oldRefs), direct(now, nowRefs));
    if (!changes.length) continue;
    if (dir === '') root = changes;
    else packages.set(workspaces!.byDir.get(dir)!.name, changes);
  }
  return { file, root, packages };
}

function graphOf(file: string, text: string, workspaces: Workspaces | undefined): Graph {
  const dirs = new Set([...(workspaces?.packages.values() ?? [])].map((pkg) => pkg.dir));
  if (file === 'pnpm-lock.yaml') return pnpmGraph(yaml(text));
  if (file === 'yarn.lock') return /^__metadata:/m.test(text) ? berryGraph(yaml(text)) : yarnClassicGraph(text, workspaces);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UnreadableLockfile(`it is not valid JSON: ${(error as Error).message}`);
  }
  return npmGraph(json, dirs);
}

function yaml(text: string): Json {
  let doc: unknown;
  try {
    // Every scalar as a string: versions such as 1.10 stay versions.
    doc = load(text, { schema: FAILSAFE_SCHEMA });
  } catch (error) {
    throw new UnreadableLockfile(`it is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!isObject(doc)) throw new UnreadableLockfile('it is not a YAML mapping');
  return doc;
}

interface Analysis {
  /** Each importer's direct references. */
  importers: Map<string, string[]>;
  nodes: Map<string, Resolved>;
  /** Who depends on each reference. */
  parents: Map<string, string[]>;
}

/** Whether two lists of references name the same packages, in order (where they are installed does not matter). */
function samePackages(a: readonly string[], inA: Analysis, b: readonly string[], inB: Analysis): boolean {
  return a.length === b.length && a.every((ref, index) => inA.nodes.get(ref)!.id === inB.nodes.get(b[index]!)!.id);
}

/** References of `analysis` that `other` resolves differently: missing there, another package, or other dependencies. */
function unlike(analysis: Analysis, other: Analysis): string[] {
  const found: string[] = [];
  for (const [ref, pkg] of analysis.nodes) {
    const there = other.nodes.get(ref);
    if (!there || there.id !== pkg.id || !samePackages(pkg.deps, analysis, there.deps, other)) found.push(ref);
  }
  return found;
}

/** Resolves everything the importers reach, once: the cost grows with the lockfile, not with lockfile times packages. */
function analyze(graph: Graph, dirs: string[]): Analysis {
  const importers = new Map<string, string[]>();
  const nodes = new Map<string, Resolved>();
  const parents = new Map<string, string[]>();
  const stack: string[] = [];
  for (const dir of dirs) {
    const refs = graph.importer(dir) ?? [];
    importers.set(dir, refs);
    stack.push(...refs);
  }
  while (stack.length) {
    const ref = stack.pop()!;
    if (nodes.has(ref)) continue;
    const pkg = graph.resolve(ref);
    nodes.set(ref, pkg);
    for (const dep of pkg.deps) {
      const list = parents.get(dep);
      if (list) list.push(ref);
      else parents.set(dep, [ref]);
      if (!nodes.has(dep)) stack.push(dep);
    }
  }
  return { importers, nodes, parents };
}

/** The references from which one of `changed` can be reached (themselves included), mapped to the changed ones below them. */
function reaching(analysis: Analysis, changed: string[]): Map<string, Set<string>> {
  const below = new Map<string, Set<string>>();
  for (const start of changed) {
    const queue = [start];
    while (queue.length) {
      const ref = queue.pop()!;
      let set = below.get(ref);
      if (set?.has(start)) continue;
      if (!set) below.set(ref, (set = new Set()));
      set.add(start);
      queue.push(...(analysis.parents.get(ref) ?? []));
    }
  }
  return below;
}

/** The changed packages an importer reaches. */
function changedBelow(analysis: Analysis, dir: string, reached: Map<string, Set<string>>): Resolved[] {
  const found = new Set<string>();
  for (const ref of analysis.importers.get(dir) ?? []) for (const changed of reached.get(ref) ?? []) found.add(changed);
  return [...found].map((ref) => analysis.nodes.get(ref)!);
}

/**
 * `lodash 4.17.20 → 4.17.21`, `left-pad 1.3.0 added`: what differs, by package name, among the
 * changed packages an importer reaches and its direct dependencies.
 */
function differences(was: Resolved[], is: Resolved[], directWas: Resolved[], directIs: Resolved[]): string[] {
  const byName = (packages: Resolved[]) => {
    const names = new Map<string, Map<string, Resolved>>();
    for (const pkg of packages) {
      if (!names.has(pkg.name)) names.set(pkg.name, new Map());
      names.get(pkg.name)!.set(pkg.id, pkg);
    }
    return names;
  };
  const [old, now, oldDirect, nowDirect] = [byName(was), byName(is), byName(directWas), byName(directIs)];
  const ids = (list: Resolved[]) =>
    list
      .map((pkg) => pkg.id)
      .sort()
      .join('\n');
  const versions = (list: Resolved[]) => [...new Set(list.map((pkg) => pkg.version))].sort().join(', ');
  const changes: string[] = [];
  for (const name of [...new Set([...old.keys(), ...now.keys(), ...oldDirect.keys(), ...nowDirect.keys()])].sort()) {
    const union = (a: Map<string, Map<string, Resolved>>, b: Map<string, Map<string, Resolved>>) => [...new Map([...(a.get(name) ?? []), ...(b.get(name) ?? [])]).values()];
    const before = union(old, oldDirect);
    const after = union(now, nowDirect);
    if (ids(before) === ids(after)) continue;
    if (!before.length) changes.push(`${name} ${versions(after)} added`);
    else if (!after.length) changes.push(`${name} ${versions(before)} removed`);
    else if (versions(before) === versions(after)) changes.push(`${name} ${versions(after)} (other content)`);
    else changes.push(`${name} ${versions(before)} → ${versions(after)}`);
  }
  return changes;
}

/** npm writes package-lock.json with two-space indentation: each `packages` entry starts a line of its own, indented four spaces. */
const NPM_ENTRY = '\n    "';
const NPM_DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'];
const NPM_INSTALLED_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'];

/**
 * The usual npm lockfile change, versions bumped in place: the same install locations, each with the
 * same dependencies, on both sides; only what some locations hold differs. Both lockfiles then
 * resolve every dependency alike, so the answer of the whole comparison comes from the changed
 * entries (found by comparing the entries' texts) and whoever reaches them (walked upwards from
 * them), without resolving the rest of the tree twice. Undefined for any other change, or texts not
 * laid out as npm writes them: the whole comparison decides then.
 */
export function npmBump(before: string, after: string, workspaces: Workspaces | undefined): { root: string[]; packages: Map<string, string[]> } | undefined {
  let newJson: unknown;
  try {
    newJson = JSON.parse(after);
  } catch {
    return undefined;
  }
  if (!isObject(newJson) || !isObject(newJson.packages)) return undefined;
  const newPackages = newJson.packages;
  const changed = changedEntries(before, after, Object.keys(newPackages).length);
  if (!changed) return undefined;
  // The older side is the newer one but for the changed entries, each read from its own text: each
  // side's text of a changed entry is `<key>": <JSON>,`, so the older text is valid JSON as the newer is.
  // (Replaced entries are looked up beside the newer ones: an object of 600 keys made a prototype, or
  // copied, costs more than the whole comparison that follows.)
  const replaced = new Map<string, Json>();
  for (const [key, [before, after]] of changed) {
    const was = entryText(key, before);
    const is = entryText(key, after) === undefined ? undefined : newPackages[key];
    if (!isObject(was) || !isObject(is) || was.link !== undefined || is.link !== undefined) return undefined;
    for (const field of NPM_DEPENDENCY_FIELDS) if (JSON.stringify(was[field]) !== JSON.stringify(is[field])) return undefined;
    replaced.set(key, was);
  }
  const dirs = importerDirs(workspaces);
  const workspaceDirs = new Set(dirs.filter(Boolean));
  const [old, now] = [npmGraph(newJson, workspaceDirs, replaced), npmGraph(newJson, workspaceDirs)];
  const importers = new Set(dirs);
  // Changed entries that are packages (not importers) holding something else now.
  const describe = (graph: typeof old) => {
    const known = new Map<string, Resolved>();
    return (key: string) => known.get(key) ?? known.set(key, graph.describe(key)).get(key)!;
  };
  const [was, is] = [describe(old), describe(now)];
  const bumped = [...changed.keys()].filter((key) => !importers.has(key) && was(key).id !== is(key).id);
  const packages = new Map<string, string[]>();
  if (!bumped.length) return { root: [], packages };

  // Who depends on each name, and the names each link target is installed under. (Loops over keys
  // with for...in: this runs once, before any optimisation, where it is several times faster than
  // iterating Object.keys().)
  const dependents = new Map<string, string[]>();
  const aliases = new Map<string, string[]>();
  for (const key in newPackages) {
    const data = newPackages[key];
    if (!isObject(data)) continue;
    if (data.link === true && typeof data.resolved === 'string') aliases.set(data.resolved, [...(aliases.get(data.resolved) ?? []), installedName(key)]);
    // An importer's development dependencies count; an installed package's do not (npm does not install them).
    const fields = importers.has(key) ? NPM_DEPENDENCY_FIELDS : NPM_INSTALLED_FIELDS;
    for (let field = 0; field < fields.length; field++) {
      const deps = data[fields[field]!];
      if (!isObject(deps)) continue;
      for (const name in deps) {
        const list = dependents.get(name);
        if (!list) dependents.set(name, [key]);
        else if (list[list.length - 1] !== key) list.push(key);
      }
    }
  }
  const parentCache = new Map<string, { packages: string[]; importers: string[] }>();
  const parentsOf = (ref: string) => {
    let found = parentCache.get(ref);
    if (found) return found;
    found = { packages: [], importers: [] };
    const names = [...(ref.includes('node_modules/') ? [installedName(ref)] : []), ...(aliases.get(ref) ?? [])];
    for (let n = 0; n < names.length; n++) {
      const candidates = dependents.get(names[n]!) ?? [];
      for (let c = 0; c < candidates.length; c++) {
        const parent = candidates[c]!;
        if (now.target(parent, names[n]!) === ref) (importers.has(parent) ? found.importers : found.packages).push(parent);
      }
    }
    parentCache.set(ref, found);
    return found;
  };
  // As in the whole comparison: a package differs when it holds something else, or one of its dependencies does.
  const unlike = new Set(bumped);
  for (const ref of bumped) for (const parent of parentsOf(ref).packages) unlike.add(parent);
  // Which of them each importer reaches: up to 30 at a time walk upwards together, each a bit of a mask.
  const reached = new Map<string, Set<string>>();
  const starts = [...unlike];
  for (let first = 0; first < starts.length; first += 30) {
    const group = starts.slice(first, first + 30);
    const masks = new Map<string, number>();
    const queue: string[] = [];
    const reach = (ref: string, mask: number) => {
      const had = masks.get(ref) ?? 0;
      if ((had | mask) === had) return;
      masks.set(ref, had | mask);
      queue.push(ref);
    };
    for (let i = 0; i < group.length; i++) reach(group[i]!, 1 << i);
    const dirMasks = new Map<string, number>();
    while (queue.length) {
      const ref = queue.pop()!;
      const mask = masks.get(ref)!;
      const parents = parentsOf(ref);
      for (let i = 0; i < parents.importers.length; i++) dirMasks.set(parents.importers[i]!, (dirMasks.get(parents.importers[i]!) ?? 0) | mask);
      for (let i = 0; i < parents.packages.length; i++) reach(parents.packages[i]!, mask);
    }
    for (const [dir, mask] of dirMasks) {
      const set = reached.get(dir) ?? new Set<string>();
      for (let i = 0; i < group.length; i++) if (mask & (1 << i)) set.add(group[i]!);
      reached.set(dir, set);
    }
  }
  const bumpedSet = new Set(bumped);
  let root: string[] = [];
  for (const dir of dirs) {
    const found = reached.get(dir);
    if (!found) continue;
    const [reachedBefore, reachedAfter] = [[...found].map(was), [...found].map(is)];
    const [idsBefore, idsAfter] = [new Set(reachedBefore.map((pkg) => pkg.id)), new Set(reachedAfter.map((pkg) => pkg.id))];
    const removed = reachedBefore.filter((pkg) => !idsAfter.has(pkg.id));
    const added = reachedAfter.filter((pkg) => !idsBefore.has(pkg.id));
    const refs = now.importer(dir) ?? [];
    const bumpedRefs = refs.filter((ref) => bumpedSet.has(ref));
    if (!removed.length && !added.length && !bumpedRefs.length) continue;
    // Direct dependencies of other names are the same on both sides, and no change is told of them.
    const names = new Set([...removed, ...added, ...bumpedRefs.map(was), ...bumpedRefs.map(is)].map((pkg) => pkg.name));
    const direct = refs.filter((ref) => bumpedSet.has(ref) || names.has(is(ref).name));
    const changes = differences(removed, added, direct.map(was), direct.map(is));
    if (!changes.length) continue;
    if (dir === '') root = changes;
    else packages.set(workspaces!.byDir.get(dir)!.name, changes);
  }
  return { root, packages };
}

/** The entry `text` (`<key>": <entry>,`) holds, when it is one entry of valid JSON. */
function entryText(key: string, text: string): unknown {
  if (!text.startsWith(`${key}": `) || !text.endsWith(',')) return undefined;
  try {
    return JSON.parse(text.slice(key.length + '": '.length, -1));
  } catch {
    return undefined;
  }
}

/** The package name an install location holds: what follows its last `node_modules/`. */
const installedName = (key: string) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

/**
 * The `packages` entries whose texts differ, by key, with both texts (`<key>": <entry>,`),
 * when the texts have every entry on lines of its own and differ only inside entries that kept their
 * places; undefined otherwise.
 */
function changedEntries(before: string, after: string, count: number): Map<string, [string, string]> | undefined {
  const [a, b] = [before.split(NPM_ENTRY), after.split(NPM_ENTRY)];
  // Fewer entry lines than entries: not npm's layout. What precedes the first entry and what ends the last stay as they were.
  if (b.length - 1 < count || a.length !== b.length || a[0] !== b[0] || a[a.length - 1] !== b[b.length - 1]) return undefined;
  const changed = new Map<string, [string, string]>();
  for (let i = 1; i < a.length - 1; i++) {
    const [was, is] = [a[i]!, b[i]!];
    if (was === is) continue;
    const end = is.indexOf('"');
    const key = is.slice(0, end);
    if (end < 0 || key.includes('\\') || changed.has(key)) return undefined;
    changed.set(key, [was, is]);
  }
  return changed;
}

/**
 * npm's package-lock.json v2/v3: `packages` by install location, resolved the way Node finds modules;
 * `replaced` entries stand for those of the same keys (the keys themselves are the same).
 */
function npmGraph(json: unknown, workspaceDirs: Set<string>, replaced?: Map<string, Json>): Graph & { target(from: string, name: string): string | undefined; describe(key: string): Resolved } {
  const version = isObject(json) ? json.lockfileVersion : undefined;
  if (!isObject(json) || !isObject(json.packages)) {
    throw new UnreadableLockfile(version === 1 ? 'lockfileVersion 1 lists no workspaces (npm 7 and later write version 3: run npm install once with a current npm)' : 'it has no "packages" section');
  }
  const packages = json.packages;
  const entry = (key: string): Json => {
    const data = replaced?.get(key) ?? packages[key];
    return isObject(data) ? data : {};
  };
  const find = (from: string, name: string): string | undefined => {
    for (let base = from; ;) {
      const key = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
      if (key in packages) return key;
      if (!base) return undefined;
      const at = base.lastIndexOf('/node_modules/');
      base = at >= 0 ? base.slice(0, at) : '';
    }
  };
  /** What `name` required from `from` resolves to; undefined for a package not installed (optional, or for another platform) or a workspace package (the workspace graph follows those). */
  const target = (from: string, name: string): string | undefined => {
    const found = find(from, name);
    if (found === undefined) return undefined;
    const link = entry(found);
    if (link.link !== true || typeof link.resolved !== 'string') return found;
    return workspaceDirs.has(link.resolved) ? undefined : link.resolved;
  };
  const depsOf = (key: string, fields: string[]): string[] => {
    const found: string[] = [];
    const data = entry(key);
    for (let field = 0; field < fields.length; field++) {
      const deps = data[fields[field]!];
      if (!isObject(deps)) continue;
      for (const name in deps) {
        const resolved = target(key, name);
        if (resolved !== undefined) found.push(resolved);
      }
    }
    return found;
  };
  /** The package at `key`, without its dependencies. */
  const describe = (key: string): Resolved => {
    const data = entry(key);
    const name = typeof data.name === 'string' ? data.name : installedName(key);
    const version = typeof data.version === 'string' ? data.version : '';
    const content = typeof data.integrity === 'string' ? data.integrity : typeof data.resolved === 'string' ? data.resolved : '';
    return { id: `${name}@${version}#${content}`, name, version, deps: [] };
  };
  return {
    target,
    importer: (dir) => (dir === '' || dir in packages ? depsOf(dir, NPM_DEPENDENCY_FIELDS) : undefined),
    resolve: (key) => ({ ...describe(key), deps: depsOf(key, NPM_INSTALLED_FIELDS) }),
    describe,
  };
}

/** pnpm-lock.yaml: importers by directory, packages (and, from version 9, snapshots) by name and version. */
function pnpmGraph(doc: Json): Graph {
  const lockfileVersion = parseFloat(String(doc.lockfileVersion ?? ''));
  if (!(lockfileVersion >= 5 && lockfileVersion < 10)) throw new UnreadableLockfile(`lockfileVersion ${String(doc.lockfileVersion ?? '(none)')} is not one this reads (5 to 9)`);
  const importers = isObject(doc.importers) ? doc.importers : { '.': doc };
  const packages = objectAt(doc, 'packages');
  const snapshots = objectAt(doc, 'snapshots');
  const v9 = lockfileVersion >= 9;
  const withoutPeers = (text: string) => text.replace(/\(.*$/, '');
  const versionOf = (value: unknown) => (typeof value === 'string' ? value : isObject(value) && typeof value.version === 'string' ? value.version : undefined);
  /** A reference is `name\0version` as the lockfile writes the version. */
  const refsOf = (data: Json, fields: string[]): string[] => {
    const refs: string[] = [];
    for (const field of fields) {
      for (const [name, value] of Object.entries(objectAt(data, field))) {
        const version = versionOf(value);
        if (version === undefined || version.startsWith('link:')) continue; // a workspace package or a local folder
        refs.push(`${name}\0${version}`);
      }
    }
    return refs;
  };
  const keysFor = (name: string, version: string): string[] => {
    if (v9) return [withoutPeers(version).includes('@', 1) ? version : `${name}@${version}`, version];
    if (version.startsWith('/')) return [version];
    return lockfileVersion >= 6 ? [`/${name}@${version}`, version, `/${version}`] : [`/${name}/${version}`, version, `/${version}`];
  };
  return {
    importer: (dir) => {
      const data = importers[dir === '' ? '.' : dir];
      return isObject(data) ? refsOf(data, ['dependencies', 'devDependencies', 'optionalDependencies']) : undefined;
    },
    resolve: (ref) => {
      const [name, version] = ref.split('\0') as [string, string];
      const shown = lockfileVersion >= 6 ? withoutPeers(version) : version.replace(/_.*$/, '');
      for (const key of keysFor(name, version)) {
        const pkg = packages[v9 ? withoutPeers(key) : key];
        const snapshot = v9 ? snapshots[key] : pkg;
        if (!isObject(pkg) && !isObject(snapshot)) continue;
        const resolution = objectAt(pkg, 'resolution');
        const content = String(resolution.integrity ?? resolution.tarball ?? resolution.commit ?? '');
        return { id: `${key}#${content}`, name, version: shown, deps: isObject(snapshot) ? refsOf(snapshot, ['dependencies', 'optionalDependencies']) : [] };
      }
      return { id: `${name}@${version}`, name, version: shown, deps: [] };
    },
  };
}

/** yarn berry (v2 and later): YAML, entries by descriptor (`name@npm:^1.0.0`), workspaces as `name@workspace:dir`. */
function berryGraph(doc: Json): Graph {
  const entries = new Map<string, Json>();
  const importers = new Map<string, Json>();
  for (const [key, value] of Object.entries(doc)) {
    if (key === '__metadata' || !isObject(value)) continue;
    for (const descriptor of key.split(',')) entries.set(descriptor.trim(), value);
    const workspace = /^(?:@[^/]+\/)?[^@]+@workspace:(.+)$/.exec(String(value.resolution ?? ''));
    if (workspace) importers.set(workspace[1] === '.' ? '' : workspace[1]!, value);
  }
  const refsOf = (data: Json): string[] =>
    ['dependencies', 'optionalDependencies'].flatMap((field) =>
      Object.entries(objectAt(data, field))
        .filter(([, range]) => !String(range).startsWith('workspace:'))
        .map(([name, range]) => `${name}@${String(range)}`),
    );
  return {
    importer: (dir) => {
      const data = importers.get(dir);
      return data && refsOf(data);
    },
    resolve: (descriptor) => {
      const at = descriptor.indexOf('@', 1);
      const name = descriptor.slice(0, at);
      const range = descriptor.slice(at + 1);
      const data = entries.get(descriptor) ?? (range.includes(':') ? undefined : entries.get(`${name}@npm:${range}`));
      if (!data) return { id: `${descriptor}?`, name, version: `${range} (not in the lockfile)`, deps: [] };
      if (String(data.resolution ?? '').includes('@workspace:')) return { id: String(data.resolution), name, version: 'workspace', deps: [] };
      return { id: `${String(data.resolution ?? descriptor)}#${String(data.checksum ?? '')}`, name, version: String(data.version ?? ''), deps: refsOf(data) };
    },
  };
}

interface ClassicEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
}

/**
 * yarn v1's own format (not YAML): entries keyed by `name@range` lists, with the workspace packages'
 * ranges taken from their package.json files, which yarn.lock does not list.
 */
function yarnClassicGraph(text: string, workspaces: Workspaces | undefined): Graph {
  const entries = parseYarnClassic(text);
  const ranges = (record: Record<string, string>) => Object.entries(record).map(([name, range]) => `${name}@${range}`);
  const internal = new Set(workspaces?.packages.keys() ?? []);
  return {
    importer: (dir) => {
      if (dir === '') return ranges(workspaces?.rootExternal ?? {});
      const pkg = workspaces?.byDir.get(dir);
      return pkg && ranges(pkg.external);
    },
    resolve: (descriptor) => {
      const at = descriptor.indexOf('@', 1);
      const name = descriptor.slice(0, at);
      const entry = entries.get(descriptor);
      if (!entry) return { id: `${descriptor}?`, name, version: `${descriptor.slice(at + 1)} (not in the lockfile)`, deps: [] };
      const deps = [...ranges(entry.dependencies), ...ranges(entry.optionalDependencies)].filter((dep) => !internal.has(dep.slice(0, dep.indexOf('@', 1))));
      return { id: `${name}@${entry.version ?? ''}#${entry.integrity ?? entry.resolved ?? ''}`, name, version: entry.version ?? '', deps };
    },
  };
}

/** Parses yarn v1's lockfile format: two-space indented blocks of `key value` lines. */
export function parseYarnClassic(text: string): Map<string, ClassicEntry> {
  const entries = new Map<string, ClassicEntry>();
  const unquote = (value: string) => (value.startsWith('"') ? (JSON.parse(value) as string) : value);
  let entry: ClassicEntry | undefined;
  let section: 'dependencies' | 'optionalDependencies' | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const fail = (why: string): never => {
      throw new UnreadableLockfile(`line ${index + 1} ${why}: ${JSON.stringify(line.length > 60 ? `${line.slice(0, 57)}...` : line)}`);
    };
    const indent = line.length - line.trimStart().length;
    const content = line.trim();
    try {
      if (indent === 0) {
        if (!content.endsWith(':')) fail('is not the start of an entry');
        entry = { dependencies: {}, optionalDependencies: {} };
        section = undefined;
        for (const key of content.slice(0, -1).split(/,\s*/)) entries.set(unquote(key.trim()), entry);
      } else if (indent === 2 && entry) {
        if (content.endsWith(':')) {
          const name = content.slice(0, -1);
          section = name === 'dependencies' || name === 'optionalDependencies' ? name : undefined;
          return;
        }
        const [key, value] = keyValue(content) ?? fail('is not "key value"');
        section = undefined;
        if (key === 'version' || key === 'resolved' || key === 'integrity') entry[key] = unquote(value);
      } else if (indent === 4 && entry) {
        const [key, value] = keyValue(content) ?? fail('is not "name range"');
        if (section) entry[section][unquote(key)] = unquote(value);
      } else if (indent !== 4) {
        fail('is indented unlike a yarn.lock entry');
      }
    } catch (error) {
      if (error instanceof UnreadableLockfile) throw error;
      fail(`cannot be read (${(error as Error).message})`);
    }
  });
  return entries;
}

function keyValue(content: string): [string, string] | undefined {
  const match = /^("(?:[^"\\]|\\.)*"|[^\s"]+)\s+(.+)$/.exec(content);
  return match ? [match[1]!, match[2]!] : undefined;
}
