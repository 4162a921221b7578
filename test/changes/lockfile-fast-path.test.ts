/**
 * A version bump in package-lock.json is compared from the changed entries upwards (`npmBump`); its
 * answer must be the one the whole comparison gives. Lockfile pairs are generated from a small
 * registry and an npm workspace, installed the way npm lays packages out (hoisted where the name is
 * free, nested under the dependent where another version holds it), then changed the ways lockfiles
 * change: new releases deep in the tree, republished tarballs, root development dependencies, a
 * local package's version, dependencies added, removed or moved to another major.
 */
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { lockfileChange, npmBump, wholeComparison } from '../../shared/changes/lockfiles.js';
import type { LockfileChange } from '../../shared/changes/match.js';
import type { WorkspacePackage, Workspaces } from '../../shared/changes/workspaces.js';
import { random } from './differential/generate.js';

type Json = Record<string, unknown>;
type Deps = Record<string, string>;

const FILE = 'package-lock.json';
const tarball = (name: string, version: string) => `https://registry.npmjs.org/${name}/-/${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
const integrity = (name: string, version: string, salt = '') => `sha512-${createHash('sha512').update(`${name}@${version}${salt}`).digest('base64')}`;
const render = (packages: Record<string, Json>) => {
  const sorted = Object.fromEntries(
    Object.keys(packages)
      .sort((a, b) => a.localeCompare(b, 'en'))
      .map((key) => [key, packages[key]]),
  );
  return `${JSON.stringify({ name: 'shop', version: '1.0.0', lockfileVersion: 3, requires: true, packages: sorted }, null, 2)}\n`;
};
const link = (dir: string) => ({ resolved: dir, link: true });

function workspacesOf(packages: { name: string; dir: string; dependencies?: Deps; devDependencies?: Deps }[], rootExternal: Deps = {}): Workspaces {
  const list: WorkspacePackage[] = packages.map(({ name, dir, dependencies = {}, devDependencies = {} }) => {
    const all = { ...dependencies, ...devDependencies };
    const internal = (dep: string) => packages.some((pkg) => pkg.name === dep);
    return { name, dir, dependsOn: Object.keys(all).filter(internal), external: Object.fromEntries(Object.entries(all).filter(([dep]) => !internal(dep))) };
  });
  return { source: 'package.json', packages: new Map(list.map((pkg) => [pkg.name, pkg])), byDir: new Map(list.map((pkg) => [pkg.dir, pkg])), rootExternal, skipped: [] };
}

// ---- Generated pairs -------------------------------------------------------------------------

const NAMES = [
  'ms', 'debug', 'chalk', 'ansi-styles', 'color-convert', 'color-name', 'supports-color', 'has-flag', 'semver', 'lru-cache', 'yallist', 'minimatch',
  'brace-expansion', 'balanced-match', 'glob', 'once', 'wrappy', 'inherits', 'readable-stream', 'string_decoder', 'safe-buffer', '@babel/code-frame',
  '@babel/highlight', 'js-tokens', 'picocolors', '@types/node', 'undici-types', 'react', 'loose-envify', 'scheduler', 'body-parser', 'bytes', 'raw-body',
  'iconv-lite', 'safer-buffer', 'mime-types', 'mime-db', 'tslib', '@smithy/types', 'uuid',
]; // prettier-ignore
const APPS = [
  { name: '@shop/api', dir: 'apps/api' },
  { name: '@shop/web', dir: 'apps/web' },
  { name: '@shop/worker', dir: 'apps/worker' },
  { name: '@shop/db', dir: 'packages/db' },
];
const LOCAL = { name: '@shop/lint-config', dir: 'tools/lint-config' };

interface Release {
  version: string;
  deps: Deps;
  peers: Deps;
  salt: string;
}

interface Importer {
  name: string;
  dir: string;
  version: string;
  dependencies: Deps;
  devDependencies: Deps;
}

/** What an install starts from: the registry's releases by name, and the package.json files (the root first, the local package last). */
interface World {
  registry: Map<string, Release[]>;
  importers: Importer[];
}

const pick = <T>(list: readonly T[], next: () => number): T => list[Math.floor(next() * list.length)]!;
const parse = (version: string) => version.split('.').map(Number) as [number, number, number];
const newer = (a: string, b: string) => {
  const [x, y] = [parse(a), parse(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};
/** The newest release `^M.m.p` accepts. */
function resolve(world: World, name: string, range: string): Release {
  const [major] = parse(range.slice(1));
  const matching = (world.registry.get(name) ?? []).filter((release) => parse(release.version)[0] === major && newer(release.version, range.slice(1)) >= 0);
  if (!matching.length) throw new Error(`the generated registry has no ${name}@${range}`);
  return matching.reduce((best, release) => (newer(release.version, best.version) > 0 ? release : best));
}

function generateWorld(next: () => number): World {
  const names = [...NAMES];
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  names.length = 26;
  const registry = new Map<string, Release[]>();
  const majorsOf = new Map(names.map((name) => [name, Array.from({ length: 1 + Math.floor(next() * next() * 3) }, (_, i) => 1 + i + Math.floor(next() * 3) * 3)]));
  const range = (name: string) => `^${pick(majorsOf.get(name)!, next)}.0.0`;
  // A package depends on names after its own (deeper), now and then on an earlier one of a single major (a cycle, as npm allows, that one copy closes).
  const depsAfter = (index: number, count: number) => {
    const deps: Deps = {};
    for (let k = 0; k < count; k++) {
      const at = next() < 0.04 ? Math.floor(next() * index) : index + 1 + Math.floor(next() * (names.length - index - 1));
      if (at >= names.length || at === index || (at < index && majorsOf.get(names[at]!)!.length > 1)) continue;
      deps[names[at]!] = range(names[at]!);
    }
    return deps;
  };
  names.forEach((name, index) => {
    const releases: Release[] = [];
    for (const major of majorsOf.get(name)!) {
      const deps = depsAfter(index, Math.floor(next() * 3.5));
      const peers = next() < 0.08 && index < names.length - 1 ? depsAfter(index, 1) : {};
      for (const key of Object.keys(peers)) delete deps[key];
      const minor = Math.floor(next() * 4);
      for (let patch = 0; patch <= Math.floor(next() * 3); patch++) releases.push({ version: `${major}.${minor}.${patch}`, deps: { ...deps }, peers: { ...peers }, salt: '' });
    }
    registry.set(name, releases);
  });
  const top = names.slice(0, 12);
  const some = (count: number, except: Deps = {}) =>
    Object.fromEntries(
      Array.from({ length: count }, () => pick(top, next))
        .filter((name) => !(name in except))
        .map((name) => [name, range(name)]),
    );
  const root: Importer = { name: 'shop', dir: '', version: '1.0.0', dependencies: {}, devDependencies: { ...some(2), [LOCAL.name]: `file:${LOCAL.dir}` } };
  const apps = APPS.map(({ name, dir }): Importer => {
    const dependencies = some(2 + Math.floor(next() * 3));
    if (name === '@shop/api' || name === '@shop/worker') dependencies['@shop/db'] = '*';
    return { name, dir, version: '1.0.0', dependencies, devDependencies: next() < 0.5 ? some(1, dependencies) : {} };
  });
  const local: Importer = { ...LOCAL, version: '1.0.0', dependencies: some(1 + Math.floor(next() * 2)), devDependencies: {} };
  return { registry, importers: [root, ...apps, local] };
}

/** npm's layout: each dependent's dependencies are placed before any of theirs, at the root when the name is free there, else under the dependent. */
function install(world: World): string {
  const linked = new Set([...APPS, LOCAL].map(({ name }) => name));
  const placed = new Map<string, { name: string; release: Release }>();
  const visible = (from: string, name: string): string | undefined => {
    for (let base = from; ;) {
      const key = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
      if (placed.has(key)) return key;
      if (!base) return undefined;
      const at = base.lastIndexOf('/node_modules/');
      base = at >= 0 ? base.slice(0, at) : '';
    }
  };
  const place = (from: string, wanted: Deps) => {
    const added: string[] = [];
    for (const [name, range] of Object.entries(wanted)) {
      if (linked.has(name)) continue;
      const release = resolve(world, name, range);
      const found = visible(from, name);
      if (found && placed.get(found)!.release.version === release.version) continue;
      if (found && !from) throw new Error(`the root depends on ${name} twice`);
      const key = found ? `${from}/node_modules/${name}` : `node_modules/${name}`;
      placed.set(key, { name, release });
      added.push(key);
    }
    for (const key of added) {
      const { release } = placed.get(key)!;
      place(key, { ...release.deps, ...release.peers });
    }
  };
  for (const importer of world.importers) place(importer.dir, { ...importer.dependencies, ...importer.devDependencies });

  // Development-only: what no importer's dependencies (as opposed to devDependencies) reach.
  const production = new Set<string>();
  const reach = (from: string, wanted: Deps) => {
    for (const name of Object.keys(wanted)) {
      const key = visible(from, name);
      if (key === undefined || production.has(key)) continue;
      production.add(key);
      const { release } = placed.get(key)!;
      reach(key, { ...release.deps, ...release.peers });
    }
  };
  for (const importer of world.importers.slice(0, -1)) reach(importer.dir, importer.dependencies);

  const nonEmpty = (field: string, deps: Deps) => (Object.keys(deps).length ? { [field]: deps } : {});
  const manifest = (importer: Importer) => ({ ...nonEmpty('dependencies', importer.dependencies), ...nonEmpty('devDependencies', importer.devDependencies) });
  const [root, ...rest] = world.importers;
  const packages: Record<string, Json> = { '': { name: 'shop', version: '1.0.0', workspaces: ['apps/*', 'packages/*'], ...manifest(root!) } };
  for (const importer of rest) {
    packages[importer.dir] = { name: importer.name, version: importer.version, ...manifest(importer) };
    packages[`node_modules/${importer.name}`] = link(importer.dir);
  }
  for (const [key, { name, release }] of placed) {
    packages[key] = {
      version: release.version,
      resolved: tarball(name, release.version),
      integrity: integrity(name, release.version, release.salt),
      ...(production.has(key) ? {} : { dev: true }),
      license: 'MIT',
      ...nonEmpty('dependencies', release.deps),
      ...nonEmpty('peerDependencies', release.peers),
    };
  }
  return render(packages);
}

/** An installed package: where, which name, which version. */
interface Installed {
  key: string;
  name: string;
  version: string;
}
const nameAt = (key: string) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
const isNested = (key: string) => key.lastIndexOf('node_modules/') > 0;
const entriesOf = (text: string) => (JSON.parse(text) as { packages: Record<string, Json> }).packages;
const caret = (version: string) => `^${parse(version)[0]}.0.0`;
/** The root's devDependencies, as installed. */
const rootDevelopment = (world: World, installed: Installed[]) => installed.filter(({ key, name }) => key === `node_modules/${name}` && name in world.importers[0]!.devDependencies);
/** The nested copies, or every package when there are none. */
const nestedOr = (installed: Installed[]) => {
  const nested = installed.filter(({ key }) => isNested(key));
  return nested.length ? nested : installed;
};

/** The ways a lockfile changes, with how often each comes up; each changes the world and says what it did. */
const CHANGES: [weight: number, change: (world: World, installed: Installed[], next: () => number) => string][] = [
  [30, (world, installed, next) => Array.from({ length: 1 + Math.floor(next() * next() * 3) }, () => release(world, pick(installed, next), 'same dependencies')).join(', ')],
  [10, (world, installed, next) => release(world, pick(nestedOr(installed), next), 'same dependencies')],
  [6, (world, installed, next) => republish(world, pick(installed, next))],
  [8, (world, installed, next) => release(world, pick(rootDevelopment(world, installed), next), 'same dependencies')],
  [4, (world) => `${LOCAL.name} ${(world.importers.at(-1)!.version = '1.1.0')}`],
  [8, (world, installed, next) => release(world, pick(installed, next), next() < 0.5 ? 'a dependency more' : 'a dependency fewer')],
  [8, (world, _, next) => anotherMajor(world, next)],
  [8, (world, _, next) => alterDependencies(world, next, 'add')],
  [8, (world, _, next) => alterDependencies(world, next, 'remove')],
  [4, (world, _, next) => alterDependencies(world, next, 'to production')],
  [2, () => 'nothing'],
];

/** A new patch release after the newest of the installed package's major. */
function release(world: World, { name, version }: Installed, deps: 'same dependencies' | 'a dependency more' | 'a dependency fewer'): string {
  const latest = resolve(world, name, caret(version));
  const [major, minor, patch] = parse(latest.version);
  const released: Release = { ...latest, version: `${major}.${minor}.${patch + 1}`, deps: { ...latest.deps }, salt: '' };
  const names = [...world.registry.keys()];
  const other = names.slice(names.indexOf(name) + 1).find((candidate) => !(candidate in released.deps) && !(candidate in released.peers));
  if (deps === 'a dependency more' && other) released.deps[other] = caret(world.registry.get(other)![0]!.version);
  if (deps === 'a dependency fewer') delete released.deps[Object.keys(released.deps)[0] ?? ''];
  world.registry.get(name)!.push(released);
  return `${name} ${latest.version} → ${released.version} (${deps})`;
}

function republish(world: World, { name, version }: Installed): string {
  world.registry.get(name)!.find((candidate) => candidate.version === version)!.salt = 'republished';
  return `${name} ${version} republished`;
}

function anotherMajor(world: World, next: () => number): string {
  const importer = pick(world.importers.slice(1, -1), next);
  const name = pick(
    Object.keys(importer.dependencies).filter((dep) => !dep.startsWith('@shop/')),
    next,
  );
  const range = caret(pick(world.registry.get(name)!, next).version);
  importer.dependencies[name] = range;
  return `${importer.name}: ${name} ${range}`;
}

function alterDependencies(world: World, next: () => number, how: 'add' | 'remove' | 'to production'): string {
  const importer = pick(world.importers.slice(1, -1), next);
  if (how === 'add') {
    const name = pick(
      [...world.registry.keys()].filter((candidate) => !(candidate in importer.dependencies) && !(candidate in importer.devDependencies)),
      next,
    );
    importer.dependencies[name] = caret(world.registry.get(name)![0]!.version);
    return `${importer.name}: ${name} added`;
  }
  if (how === 'to production' && Object.keys(importer.devDependencies).length) {
    const name = pick(Object.keys(importer.devDependencies), next);
    importer.dependencies[name] = importer.devDependencies[name]!;
    delete importer.devDependencies[name];
    return `${importer.name}: ${name} moved to dependencies`;
  }
  const name = pick(
    Object.keys(importer.dependencies).filter((dep) => !dep.startsWith('@shop/')),
    next,
  );
  delete importer.dependencies[name];
  return `${importer.name}: ${name} removed`;
}

/** A comparison's answer with its packages in a plain object, by name, for equality and for failure messages. */
const plain = (change: LockfileChange) => ('packages' in change ? { ...change, packages: Object.fromEntries([...change.packages].sort()) } : change);

const PAIRS = 300;

describe('lockfiles: the comparison of an npm version bump', () => {
  it(`answers as the whole comparison does, for ${PAIRS} generated lockfile changes`, () => {
    const next = random(20261202);
    const stats = { fast: 0, fastWithChanges: 0, fastAtRoot: 0, fastNested: 0, whole: 0, nestedCopies: 0 };
    const mismatches: Json[] = [];
    const total = CHANGES.reduce((sum, [weight]) => sum + weight, 0);
    for (let pair = 0; pair < PAIRS; pair++) {
      const world = generateWorld(next);
      const before = install(world);
      const installed = Object.entries(entriesOf(before))
        .filter(([key, entry]) => key.includes('node_modules/') && !entry.link)
        .map(([key, entry]) => ({ key, name: nameAt(key), version: entry.version as string }));
      const changed = structuredClone(world);
      let roll = next() * total;
      const [, change] = CHANGES.find(([weight]) => (roll -= weight) < 0)!;
      const what = change(changed, installed, next);
      const after = install(changed);
      const workspaces = workspacesOf(changed.importers.slice(1, -1));

      const whole = plain(wholeComparison(FILE, before, after, workspaces, 'base'));
      const answer = plain(lockfileChange(FILE, before, after, workspaces, 'base'));
      const bump = npmBump(before, after, workspaces);
      const fast = bump && plain({ file: FILE, ...bump });
      if (JSON.stringify(answer) !== JSON.stringify(whole) || (fast && JSON.stringify(fast) !== JSON.stringify(whole))) mismatches.push({ pair, what, lockfileChange: answer, fast, whole });
      if (installed.some(({ key }) => isNested(key))) stats.nestedCopies++;
      if (!bump) {
        stats.whole++;
        continue;
      }
      stats.fast++;
      if (bump.root.length || bump.packages.size) stats.fastWithChanges++;
      if (bump.root.length) stats.fastAtRoot++;
      const now = entriesOf(after);
      if (installed.some(({ key, version }) => isNested(key) && now[key]?.version !== version)) stats.fastNested++;
    }
    expect(mismatches.slice(0, 3)).toEqual([]);
    // The fast path answered often, with something to tell, at the root and for nested copies; the whole comparison decided the rest.
    expect(stats.fast).toBeGreaterThan(PAIRS * 0.5);
    expect(stats.fastWithChanges).toBeGreaterThan(PAIRS * 0.4);
    expect(stats.fastAtRoot).toBeGreaterThan(PAIRS * 0.1);
    expect(stats.fastNested).toBeGreaterThan(PAIRS * 0.08);
    expect(stats.whole).toBeGreaterThan(PAIRS * 0.25);
    expect(stats.nestedCopies).toBeGreaterThan(PAIRS * 0.8);
  });
});

// ---- Cases a user would recognise ----------------------------------------------------------

const registryEntry = (name: string, version: string, dependencies?: Deps, dev?: boolean) => ({
  version,
  resolved: tarball(name, version),
  integrity: integrity(name, version),
  ...(dev ? { dev } : {}),
  license: 'MIT',
  ...(dependencies ? { dependencies } : {}),
});

/** api: body-parser (whose raw-body needs an old iconv-lite, nested) and @babel/highlight (chalk 2, nested); web: chalk 4; db: iconv-lite 0.6; the root: prettier. */
const SHOP_APPS: { name: string; dir: string; dependencies: Deps }[] = [
  { name: '@shop/api', dir: 'apps/api', dependencies: { '@shop/db': '*', '@babel/highlight': '^7.24.0', 'body-parser': '^1.20.0' } },
  { name: '@shop/web', dir: 'apps/web', dependencies: { chalk: '^4.1.0', ms: '^2.1.2' } },
  { name: '@shop/db', dir: 'packages/db', dependencies: { 'iconv-lite': '^0.6.3' } },
];
const SHOP: Record<string, Json> = {
  '': { name: 'shop', version: '1.0.0', workspaces: ['apps/*', 'packages/*'], devDependencies: { prettier: '^3.2.0' } },
  ...Object.fromEntries(
    SHOP_APPS.flatMap(({ name, dir, dependencies }) => [
      [dir, { name, version: '1.0.0', dependencies }],
      [`node_modules/${name}`, link(dir)],
    ]),
  ),
  'node_modules/@babel/highlight': registryEntry('@babel/highlight', '7.24.7', { chalk: '^2.4.2', 'js-tokens': '^4.0.0' }),
  'node_modules/@babel/highlight/node_modules/ansi-styles': registryEntry('ansi-styles', '3.2.1', { 'color-convert': '^1.9.0' }),
  'node_modules/@babel/highlight/node_modules/chalk': registryEntry('chalk', '2.4.2', { 'ansi-styles': '^3.2.1', 'escape-string-regexp': '^1.0.5', 'supports-color': '^5.3.0' }),
  'node_modules/@babel/highlight/node_modules/color-convert': registryEntry('color-convert', '1.9.3', { 'color-name': '1.1.3' }),
  'node_modules/@babel/highlight/node_modules/color-name': registryEntry('color-name', '1.1.3'),
  'node_modules/@babel/highlight/node_modules/has-flag': registryEntry('has-flag', '3.0.0'),
  'node_modules/@babel/highlight/node_modules/supports-color': registryEntry('supports-color', '5.4.0', { 'has-flag': '^3.0.0' }),
  'node_modules/ansi-styles': registryEntry('ansi-styles', '4.3.0', { 'color-convert': '^2.0.1' }),
  'node_modules/body-parser': registryEntry('body-parser', '1.20.2', { bytes: '3.1.2', 'raw-body': '2.5.2' }),
  'node_modules/bytes': registryEntry('bytes', '3.1.2'),
  'node_modules/chalk': registryEntry('chalk', '4.1.2', { 'ansi-styles': '^4.1.0', 'supports-color': '^7.1.0' }),
  'node_modules/color-convert': registryEntry('color-convert', '2.0.1', { 'color-name': '~1.1.4' }),
  'node_modules/color-name': registryEntry('color-name', '1.1.4'),
  'node_modules/escape-string-regexp': registryEntry('escape-string-regexp', '1.0.5'),
  'node_modules/has-flag': registryEntry('has-flag', '4.0.0'),
  'node_modules/iconv-lite': registryEntry('iconv-lite', '0.6.3', { 'safer-buffer': '>= 2.1.0 < 3.0.0' }),
  'node_modules/js-tokens': registryEntry('js-tokens', '4.0.0'),
  'node_modules/ms': registryEntry('ms', '2.1.3'),
  'node_modules/prettier': registryEntry('prettier', '3.2.5', undefined, true),
  'node_modules/raw-body': registryEntry('raw-body', '2.5.2', { bytes: '3.1.2', 'iconv-lite': '0.4.24', unpipe: '1.0.0' }),
  'node_modules/raw-body/node_modules/iconv-lite': registryEntry('iconv-lite', '0.4.24', { 'safer-buffer': '>= 2.1.0 < 3' }),
  'node_modules/safer-buffer': registryEntry('safer-buffer', '2.1.1'),
  'node_modules/supports-color': registryEntry('supports-color', '7.1.0', { 'has-flag': '^4.0.0' }),
  'node_modules/unpipe': registryEntry('unpipe', '1.0.0'),
};

/** The shop's lockfile with the package at `key` at another version. */
function bumped(key: string, version: string): string {
  const entry = SHOP[key]!;
  return render({ ...SHOP, [key]: { ...entry, ...registryEntry(nameAt(key), version, entry.dependencies as Deps | undefined, entry.dev as boolean | undefined) } });
}

describe('lockfiles: npm version bumps a user would recognise', () => {
  const workspaces = workspacesOf(SHOP_APPS);
  const compare = (after: string) => {
    const before = render(SHOP);
    // Each is a bump in place: the comparison from the changed entries upwards answers, and as the whole comparison does.
    const bump = npmBump(before, after, workspaces);
    expect(bump && { file: FILE, ...bump }).toEqual(wholeComparison(FILE, before, after, workspaces, 'base'));
    return lockfileChange(FILE, before, after, workspaces, 'base');
  };

  it('a bump two levels below one app marks that app alone, though another app has a copy of the same package', () => {
    expect(compare(bumped('node_modules/supports-color', '7.2.0'))).toEqual({ file: FILE, root: [], packages: new Map([['@shop/web', ['supports-color 7.1.0 → 7.2.0']]]) });
  });

  it('a bump of a copy nested under a dependency marks the app that depends on it, not the app using the hoisted copy', () => {
    expect(compare(bumped('node_modules/@babel/highlight/node_modules/supports-color', '5.5.0'))).toEqual({
      file: FILE,
      root: [],
      packages: new Map([['@shop/api', ['supports-color 5.4.0 → 5.5.0']]]),
    });
  });

  it('a bump four levels below api, reached through both copies of iconv-lite, marks api and db, which use one copy each', () => {
    expect(compare(bumped('node_modules/safer-buffer', '2.1.2'))).toEqual({
      file: FILE,
      root: [],
      packages: new Map([
        ['@shop/api', ['safer-buffer 2.1.1 → 2.1.2']],
        ['@shop/db', ['safer-buffer 2.1.1 → 2.1.2']],
      ]),
    });
  });

  it("a bump of one of the root's devDependencies marks the root alone", () => {
    expect(compare(bumped('node_modules/prettier', '3.3.3'))).toEqual({ file: FILE, root: ['prettier 3.2.5 → 3.3.3'], packages: new Map() });
  });
});
