#!/usr/bin/env tsx
/**
 * Writes the history the differential test replays: an npm-workspaces monorepo (four apps, four
 * shared packages, a Go service without a package) over more than a hundred commits, with edits,
 * additions, deletions and renames across packages, dependency and lockfile changes, manifest
 * edits, feature branches merged with merge commits, pull requests, and a force push. The same seed
 * gives the same history: `history.fi` (a git fast-import stream) and `events.json` (the pushes and
 * pull requests to evaluate, with commits named by their fast-import marks).
 * Usage: npx tsx test/changes/differential/generate.ts   (the test fails when the files are stale)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface HistoryEvent {
  name: 'push' | 'pull_request';
  /** push: the tip before and after; pull_request: the base branch's tip and the head. */
  before: string;
  after: string;
  forced?: boolean;
  ref?: string;
  label: string;
}

interface Pkg {
  dir: string;
  name: string;
  workspace: string[];
  external: Record<string, string>;
}

interface State {
  files: Map<string, string>;
  packages: Pkg[];
  rootDev: Record<string, string>;
  versions: Record<string, string>;
  manifest: string;
}

const STAMP = '1767225600 +0000';
const EXTERNAL: Record<string, { versions: string[]; deps: string[] }> = {
  ms: { versions: ['2.1.1', '2.1.2', '2.1.3'], deps: [] },
  lodash: { versions: ['4.17.19', '4.17.20', '4.17.21'], deps: [] },
  'left-pad': { versions: ['1.1.3', '1.2.0', '1.3.0'], deps: [] },
  react: { versions: ['18.2.0', '18.3.0', '18.3.1'], deps: ['loose-envify'] },
  'loose-envify': { versions: ['1.3.1', '1.4.0'], deps: ['js-tokens'] },
  'js-tokens': { versions: ['3.0.2', '4.0.0'], deps: [] },
  'is-odd': { versions: ['3.0.0', '3.0.1'], deps: ['is-number'] },
  'is-number': { versions: ['6.0.0', '7.0.0'], deps: [] },
  zod: { versions: ['3.22.4', '3.23.8'], deps: [] },
};

/** A small deterministic random number generator (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MANIFEST = `cluster: shop-prod
lockfiles: precise
always: [docker/base.Dockerfile, package-lock.json]
services:
  api:
    paths: [apps/api/**, "!apps/api/**/*.md", docker/api.Dockerfile]
    build: { dockerfile: docker/api.Dockerfile }
    repository: shop-api
    health: https://api.example.com/healthz
  web:
    paths: [apps/web/src/**, apps/web/public/**]
    repository: shop-web
  admin:
    paths: [apps/admin/**]
    build: { target: runtime }
    repository: shop-admin
  jobs:
    paths: [services/jobs/**]
    dependsOn: ["@shop/types"]
    repository: shop-jobs
`;

function initialState(): State {
  const packages: Pkg[] = [
    { dir: 'apps/api', name: '@shop/api', workspace: ['@shop/db'], external: { lodash: '^4.17.0', zod: '^3.22.0' } },
    { dir: 'apps/web', name: '@shop/web', workspace: ['@shop/ui'], external: { react: '^18.2.0' } },
    { dir: 'apps/admin', name: '@shop/admin', workspace: ['@shop/ui', '@shop/utils'], external: { react: '^18.2.0', ms: '^2.1.0' } },
    { dir: 'apps/landing', name: '@shop/landing', workspace: ['@shop/ui'], external: {} },
    { dir: 'packages/db', name: '@shop/db', workspace: ['@shop/types'], external: { 'is-odd': '^3.0.0' } },
    { dir: 'packages/types', name: '@shop/types', workspace: [], external: {} },
    { dir: 'packages/ui', name: '@shop/ui', workspace: ['@shop/utils'], external: {} },
    { dir: 'packages/utils', name: '@shop/utils', workspace: [], external: { ms: '^2.1.0' } },
  ];
  const files = new Map<string, string>([
    ['docker/base.Dockerfile', 'FROM scratch\n'],
    ['docker/api.Dockerfile', 'FROM scratch\n'],
    ['services/jobs/main.go', 'package main\n'],
    ['services/jobs/go.mod', 'module jobs\n'],
    ['README.md', '# shop\n'],
  ]);
  for (const pkg of packages) {
    files.set(`${pkg.dir}/README.md`, `# ${pkg.name}\n`);
    for (let i = 0; i < 3; i++) files.set(`${pkg.dir}/src/m${i}.ts`, `export const m${i} = 0;\n`);
  }
  files.set('apps/web/public/favicon.svg', '<svg/>\n');
  const versions = Object.fromEntries(Object.entries(EXTERNAL).map(([name, { versions: list }]) => [name, list[0]!]));
  return { files, packages, rootDev: { 'left-pad': '^1.1.0' }, versions, manifest: MANIFEST };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
const integrity = (name: string, version: string) => `sha512-${Buffer.from(`${name}@${version}`).toString('base64')}`;

/** package.json files, the manifest and package-lock.json (v3, every external package hoisted) rendered from the state. */
function render(state: State): Map<string, string> {
  const files = new Map(state.files);
  files.set('.github/services.yml', state.manifest);
  files.set('package.json', json({ name: 'shop', private: true, workspaces: ['apps/*', 'packages/*'], devDependencies: state.rootDev }));
  const lock: Record<string, unknown> = { '': { name: 'shop', workspaces: ['apps/*', 'packages/*'], devDependencies: state.rootDev } };
  const used = new Set<string>();
  const use = (name: string) => {
    if (used.has(name)) return;
    used.add(name);
    for (const dep of EXTERNAL[name]!.deps) use(dep);
  };
  Object.keys(state.rootDev).forEach(use);
  for (const pkg of state.packages) {
    const dependencies = { ...Object.fromEntries(pkg.workspace.map((name) => [name, '*'])), ...pkg.external };
    files.set(`${pkg.dir}/package.json`, json({ name: pkg.name, version: '1.0.0', dependencies }));
    lock[pkg.dir] = { name: pkg.name, version: '1.0.0', dependencies };
    lock[`node_modules/${pkg.name}`] = { resolved: pkg.dir, link: true };
    Object.keys(pkg.external).forEach(use);
  }
  for (const name of [...used].sort()) {
    const version = state.versions[name]!;
    const deps = Object.fromEntries(EXTERNAL[name]!.deps.map((dep) => [dep, `^${state.versions[dep]!.split('.')[0]}`]));
    lock[`node_modules/${name}`] = { version, resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`, integrity: integrity(name, version), ...(Object.keys(deps).length ? { dependencies: deps } : {}) };
  }
  files.set('package-lock.json', json({ name: 'shop', lockfileVersion: 3, requires: true, packages: lock }));
  return files;
}

interface Commit {
  mark: number;
  message: string;
  parents: number[];
  tree: Map<string, string>;
  renames: [string, string][];
}

export function generate(): { stream: string; events: HistoryEvent[]; commits: number } {
  const next = random(20260101);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const commits: Commit[] = [];
  const events: HistoryEvent[] = [];
  const commit = (message: string, state: State, parents: number[], renames: [string, string][] = []): number => {
    const mark = commits.length + 1;
    commits.push({ mark, message, parents, tree: render(state), renames });
    return mark;
  };
  const clone = (state: State): State => ({ ...structuredClone({ ...state, files: undefined }), files: new Map(state.files) }) as State;
  const sources = (state: State, within?: string) => [...state.files.keys()].filter((path) => /\/src\/.+\.ts$|\.md$|\.go$|\.svg$/.test(path) && (!within || path.startsWith(within)));
  let counter = 0;

  /** One random change; `filesOnly` keeps it to source files (feature branches, so merges never conflict on generated files). */
  const change = (state: State, filesOnly: boolean): { message: string; renames: [string, string][] } => {
    const kind = filesOnly ? pick(['edit', 'edit', 'add', 'delete', 'rename']) : pick(['edit', 'edit', 'edit', 'add', 'delete', 'rename', 'rename', 'workspace', 'external', 'bump', 'bump', 'root', 'docker', 'docs', 'manifest']);
    counter++;
    const dirs = [...state.packages.map((pkg) => pkg.dir), 'services/jobs'];
    switch (kind) {
      case 'edit': {
        const path = pick(sources(state));
        state.files.set(path, `${state.files.get(path)}// edit ${counter}\n`);
        return { message: `Edit ${path}`, renames: [] };
      }
      case 'add': {
        const dir = pick(dirs);
        const path = dir === 'services/jobs' ? `${dir}/f${counter}.go` : `${dir}/${pick(['src', 'src/lib', 'public', 'docs'])}/f${counter}.${pick(['ts', 'md'])}`;
        state.files.set(path, `// ${counter}\n`);
        return { message: `Add ${path}`, renames: [] };
      }
      case 'delete': {
        const candidates = sources(state).filter((path) => !/\/src\/m0\.ts$/.test(path));
        const path = pick(candidates);
        state.files.delete(path);
        return { message: `Delete ${path}`, renames: [] };
      }
      case 'rename': {
        const path = pick(sources(state).filter((candidate) => candidate.endsWith('.ts')));
        const to = next() < 0.5 ? path.replace(/[^/]+$/, `moved${counter}.ts`) : `${pick(dirs.filter((dir) => dir !== 'services/jobs'))}/src/from${counter}.ts`;
        state.files.set(to, state.files.get(path)!);
        state.files.delete(path);
        return { message: `Move ${path} to ${to}`, renames: [[path, to]] };
      }
      case 'workspace': {
        const pkg = pick(state.packages.filter((candidate) => candidate.dir.startsWith('apps/')));
        const libs = ['@shop/db', '@shop/types', '@shop/ui', '@shop/utils'];
        const lib = pick(libs);
        pkg.workspace = pkg.workspace.includes(lib) ? pkg.workspace.filter((name) => name !== lib) : [...pkg.workspace, lib];
        return { message: `${pkg.name}: ${pkg.workspace.includes(lib) ? 'use' : 'drop'} ${lib}`, renames: [] };
      }
      case 'external': {
        const pkg = pick(state.packages);
        const name = pick(['ms', 'lodash', 'zod', 'react', 'is-odd']);
        if (name in pkg.external) delete pkg.external[name];
        else pkg.external[name] = `^${state.versions[name]}`;
        return { message: `${pkg.name}: ${name in pkg.external ? 'add' : 'remove'} ${name}`, renames: [] };
      }
      case 'bump':
      case 'root': {
        const name = kind === 'root' ? 'left-pad' : pick(Object.keys(EXTERNAL).filter((candidate) => candidate !== 'left-pad'));
        const list = EXTERNAL[name]!.versions;
        state.versions[name] = list[(list.indexOf(state.versions[name]!) + 1) % list.length]!;
        return { message: `Lockfile: ${name} ${state.versions[name]}`, renames: [] };
      }
      case 'docker': {
        const path = pick(['docker/base.Dockerfile', 'docker/api.Dockerfile']);
        state.files.set(path, `${state.files.get(path)}# ${counter}\n`);
        return { message: `Edit ${path}`, renames: [] };
      }
      case 'docs': {
        state.files.set('README.md', `${state.files.get('README.md')}${counter}\n`);
        return { message: 'Docs', renames: [] };
      }
      case 'manifest': {
        const edits: [string, (text: string) => string][] = [
          ['landing', (text) => (text.includes('  landing:') ? text : `${text}  landing:\n    paths: [apps/landing/**]\n    repository: shop-landing\n`)],
          ['admin target', (text) => text.replace(/target: (runtime|slim)/, (_, target: string) => `target: ${target === 'runtime' ? 'slim' : 'runtime'}`)],
          ['api health', (text) => text.replace(/healthz?\n/, (found) => (found === 'healthz\n' ? 'health\n' : 'healthz\n'))],
          ['web paths', (text) => text.replace(/apps\/web\/public\/\*\*(, apps\/web\/assets\/\*\*)?/, (found) => (found.includes('assets') ? 'apps/web/public/**' : 'apps/web/public/**, apps/web/assets/**'))],
        ];
        const [what, edit] = pick(edits);
        state.manifest = edit(state.manifest);
        return { message: `Manifest: ${what}`, renames: [] };
      }
    }
    throw new Error(`unknown change ${kind}`);
  };

  let main = initialState();
  let tip = commit('Shop', main, []);
  const push = (before: number, after: number, label: string, forced = false) => events.push({ name: 'push', before: `:${before}`, after: `:${after}`, forced, ref: 'refs/heads/main', label });

  let featureNumber = 0;
  let forcePushed = false;
  while (commits.length < 150) {
    const roll = next();
    if (roll < 0.1 && featureNumber < 8) {
      // A feature branch: a few commits, a pull request, then a merge commit on main.
      featureNumber++;
      const fork = tip;
      const feature = clone(main);
      let featureTip = fork;
      for (let i = 0, n = 2 + Math.floor(next() * 3); i < n; i++) {
        const { message, renames } = change(feature, true);
        featureTip = commit(`feature ${featureNumber}: ${message}`, feature, [featureTip], renames);
      }
      // main moves on meanwhile
      const before = tip;
      for (let i = 0, n = Math.floor(next() * 3); i < n; i++) {
        const { message, renames } = change(main, false);
        tip = commit(message, main, [tip], renames);
      }
      if (tip !== before) push(before, tip, 'main moves on while a feature is open');
      events.push({ name: 'pull_request', before: `:${tip}`, after: `:${featureTip}`, label: `pull request of feature ${featureNumber}` });
      // merge: main's state with the feature's file changes since the fork
      const forkFiles = commits[fork - 1]!.tree;
      const featureFiles = feature.files;
      for (const path of new Set([...forkFiles.keys(), ...featureFiles.keys()])) {
        const was = forkFiles.get(path);
        const is = featureFiles.get(path);
        if (was === is) continue;
        if (is === undefined) main.files.delete(path);
        else main.files.set(path, is);
      }
      const merged = commit(`Merge feature ${featureNumber}`, main, [tip, featureTip]);
      push(tip, merged, `merge of feature ${featureNumber}`);
      tip = merged;
    } else if (!forcePushed && (roll < 0.13 || commits.length > 75)) {
      // Two commits pushed, then dropped by a force push of another one.
      const kept = clone(main);
      const before = tip;
      let dead = tip;
      for (let i = 0; i < 2; i++) {
        const { message, renames } = change(main, false);
        dead = commit(`Dropped: ${message}`, main, [dead], renames);
      }
      push(before, dead, 'commits a force push will drop');
      main = kept;
      const { message, renames } = change(main, false);
      tip = commit(`Instead: ${message}`, main, [before], renames);
      push(dead, tip, 'force push', true);
      forcePushed = true;
    } else if (roll < 0.16 && commits.length > 2) {
      // An amend that leaves the files as they were, force-pushed.
      const amended = commit(`${commits[tip - 1]!.message} (message reworded)`, main, commits[tip - 1]!.parents);
      push(tip, amended, 'amend with the same files', true);
      tip = amended;
    } else {
      const before = tip;
      for (let i = 0, n = next() < 0.8 ? 1 : 2 + Math.floor(next() * 2); i < n; i++) {
        const { message, renames } = change(main, false);
        tip = commit(message, main, [tip], renames);
      }
      push(before, tip, tip - before > 1 ? 'a push of several commits' : 'a push');
    }
  }

  // fast-import: every commit on a ref of its own, files written in full where they differ from the first parent.
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const chunks: string[] = [];
  for (const { mark, message, parents, tree, renames } of commits) {
    chunks.push(`commit refs/heads/c${mark}\nmark :${mark}\nauthor Berth Test <test@berth.invalid> ${STAMP}\ncommitter Berth Test <test@berth.invalid> ${STAMP}\n${data(message)}`);
    const [first, ...merges] = parents;
    if (first) chunks.push(`from :${first}\n`);
    for (const merge of merges) chunks.push(`merge :${merge}\n`);
    const previous = first ? commits[first - 1]!.tree : new Map<string, string>();
    const renamed = new Set<string>();
    for (const [from, to] of renames) {
      if (previous.get(from) === tree.get(to) && !tree.has(from) && !previous.has(to)) {
        chunks.push(`R ${from} ${to}\n`);
        renamed.add(from).add(to);
      }
    }
    for (const path of [...new Set([...previous.keys(), ...tree.keys()])].sort()) {
      if (renamed.has(path) || previous.get(path) === tree.get(path)) continue;
      chunks.push(tree.has(path) ? `M 100644 inline ${path}\n${data(tree.get(path)!)}` : `D ${path}\n`);
    }
    chunks.push('\n');
  }
  return { stream: chunks.join(''), events, commits: commits.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { stream, events, commits } = generate();
  const dir = fileURLToPath(new URL('.', import.meta.url));
  writeFileSync(`${dir}history.fi`, stream);
  writeFileSync(`${dir}events.json`, `${JSON.stringify(events, null, 1)}\n`);
  console.log(`wrote ${commits} commits and ${events.length} events`);
}
