import { afterEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectChanges, type ChangePlan } from '../../shared/changes/detect.js';
import { lockfileChange as compareLockfiles, parseYarnClassic } from '../../shared/changes/lockfiles.js';
import type { Workspaces } from '../../shared/changes/workspaces.js';
import { TestRepo, type Files } from '../../standins/git-repo.js';

const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

const FIXTURES = join(import.meta.dirname, 'fixtures', 'lockfiles');
const fixture = (manager: string, state: string) => readFileSync(join(FIXTURES, manager, state), 'utf8');

const MANAGERS = [
  { manager: 'npm', file: 'package-lock.json', workspace: '*' },
  { manager: 'pnpm', file: 'pnpm-lock.yaml', workspace: 'workspace:*' },
  { manager: 'classic', file: 'yarn.lock', workspace: '*' },
  { manager: 'berry', file: 'yarn.lock', workspace: 'workspace:*' },
] as const;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function workspace(file: string, ref: string, lockfiles = 'precise', always = `[${file}, .github/services.yml]`): Files {
  return {
    '.github/services.yml': `cluster: shop\nlockfiles: ${lockfiles}\nalways: ${always}\nservices:\n  api:\n    paths: [apps/api/**]\n  web:\n    paths: [apps/web/**]\n  worker:\n    paths: [services/worker/**]\n    dependsOn: []\n`,
    'package.json': json({ name: 'shop', private: true, workspaces: ['apps/*', 'packages/*'], devDependencies: { 'left-pad': '^1.2.0' } }),
    ...(file === 'pnpm-lock.yaml' ? { 'pnpm-workspace.yaml': 'packages:\n  - apps/*\n  - packages/*\n' } : {}),
    'apps/api/package.json': json({ name: '@shop/api', version: '1.0.0', dependencies: { '@shop/db': ref, 'is-odd': '3.0.1' } }),
    'apps/api/index.js': 'module.exports = 1;\n',
    'apps/web/package.json': json({ name: '@shop/web', version: '1.0.0', dependencies: { ms: '^2.1.2' }, devDependencies: { '@shop/ui': ref } }),
    'apps/web/index.js': 'module.exports = 2;\n',
    'packages/db/package.json': json({ name: '@shop/db', version: '1.0.0', dependencies: { '@shop/types': ref, 'is-number': '7.0.0' } }),
    'packages/ui/package.json': json({ name: '@shop/ui', version: '1.0.0' }),
    'packages/types/package.json': json({ name: '@shop/types', version: '1.0.0' }),
    'services/worker/main.go': 'package main\n',
  };
}

async function lockfileChange(manager: (typeof MANAGERS)[number], state: string, options: { lockfiles?: string; before?: string; after?: string } = {}): Promise<ChangePlan> {
  const repo = TestRepo.create();
  repos.push(repo);
  const before = repo.commit('Shop', { ...workspace(manager.file, manager.workspace, options.lockfiles), [manager.file]: options.before ?? fixture(manager.manager, 'before') });
  const head = repo.commit('Lockfile', { [manager.file]: options.after ?? fixture(manager.manager, state) });
  return detectChanges({
    directory: repo.dir,
    manifest: '.github/services.yml',
    head,
    since: 'event',
    event: { name: 'push', before, after: head, forced: false, ref: 'refs/heads/main' },
    defaultBranch: 'main',
    fetch: false,
    missingBase: 'all',
    log: () => {},
  });
}

const reasons = (plan: ChangePlan) => Object.fromEntries(plan.services.filter((change) => change.changed).map((change) => [change.service.name, change.cause]));

describe.each(MANAGERS)('lockfiles: precise, $manager ($file)', (manager) => {
  it('a dependency bump in one app marks that app alone, though the lockfile is listed under "always"', async () => {
    const plan = await lockfileChange(manager, 'web');
    expect(reasons(plan)).toEqual({ web: { kind: 'lockfile', file: manager.file, chain: ['@shop/web'], changes: ['ms 2.1.2 → 2.1.3'] } });
    expect(plan.warnings).toEqual([]);
  });

  it("a change in the root package's dependencies marks every service", async () => {
    const plan = await lockfileChange(manager, 'root');
    const cause = { kind: 'lockfile', file: manager.file, chain: [], changes: ['left-pad 1.3.0 → 1.2.0'] };
    expect(reasons(plan)).toEqual({ api: cause, web: cause, worker: cause });
  });

  it('a lockfile that cannot be parsed marks every service, and says why', async () => {
    const plan = await lockfileChange(manager, 'web', { after: `${fixture(manager.manager, 'web')}\n{{{ not a lockfile\n` });
    expect(plan.services.every((change) => change.changed)).toBe(true);
    const cause = plan.services[0]!.cause;
    expect(cause).toMatchObject({ kind: 'lockfile', file: manager.file, unreadable: expect.any(String) });
    expect(plan.warnings).toEqual([expect.stringMatching(new RegExp(`^Every service counts as changed: ${manager.file.replace('.', '\\.')} changed and cannot be compared \\(.+\\)\\.$`))]);
  });

  it('without "lockfiles: precise" the lockfile is a file like any other: listed under "always", it marks every service', async () => {
    const plan = await lockfileChange(manager, 'web', { lockfiles: 'paths' });
    expect(Object.keys(reasons(plan))).toEqual(['api', 'web', 'worker']);
    expect(reasons(plan).worker).toMatchObject({ kind: 'always' });
  });
});

describe.each(MANAGERS.filter(({ manager }) => manager !== 'classic'))('lockfiles: precise, $manager ($file), a workspace dependency', (manager) => {
  it('a bump in a package an app depends on marks the app, with the chain', async () => {
    const plan = await lockfileChange(manager, 'db');
    expect(reasons(plan)).toEqual({ api: { kind: 'lockfile', file: manager.file, chain: ['@shop/api', '@shop/db'], changes: ['is-number 7.0.0 → 6.0.0'] } });
  });
});

describe('lockfile formats', () => {
  it('an npm lockfile of version 1 lists no workspaces: every service, with the fix', async () => {
    const npm = MANAGERS[0];
    const v1 = json({ name: 'shop', lockfileVersion: 1, requires: true, dependencies: { ms: { version: '2.1.2' } } });
    const plan = await lockfileChange(npm, 'web', { before: v1, after: v1.replace('2.1.2', '2.1.3') });
    expect(plan.services[0]!.cause).toEqual({
      kind: 'lockfile',
      file: 'package-lock.json',
      chain: [],
      changes: [],
      unreadable: `as of ${plan.base.slice(0, 7)}: lockfileVersion 1 lists no workspaces (npm 7 and later write version 3: run npm install once with a current npm)`,
    });
  });

  it.each([
    ['6.0', "'6.0'", (name: string, version: string) => `/${name}@${version}`, (version: string) => `\n        specifier: ^${version}\n        version: ${version}`],
    ['5.4', '5.4', (name: string, version: string) => `/${name}/${version}`, (version: string) => ` ${version}`],
  ])('pnpm-lock.yaml of lockfileVersion %s: importers and packages keyed the way that version writes them', (_, written, key, dependency) => {
    const lock = (ms: string) =>
      `lockfileVersion: ${written}\n\nimporters:\n\n  .:\n    devDependencies:\n      left-pad:${dependency('1.3.0')}\n\n` +
      `  apps/api:\n    dependencies:\n      is-odd:${dependency('3.0.1')}\n\n  apps/web:\n    dependencies:\n      ms:${dependency(ms)}\n\n` +
      `packages:\n\n  ${key('is-odd', '3.0.1')}:\n    resolution: {integrity: sha512-odd}\n    dependencies:\n      is-number: 6.0.0\n\n` +
      `  ${key('is-number', '6.0.0')}:\n    resolution: {integrity: sha512-number}\n\n  ${key('left-pad', '1.3.0')}:\n    resolution: {integrity: sha512-pad}\n\n` +
      `  ${key('ms', ms)}:\n    resolution: {integrity: sha512-ms${ms}}\n`;
    const api = { name: '@shop/api', dir: 'apps/api', dependsOn: [], external: {} };
    const web = { name: '@shop/web', dir: 'apps/web', dependsOn: [], external: {} };
    const workspaces: Workspaces = {
      source: 'pnpm-workspace.yaml',
      packages: new Map([
        [api.name, api],
        [web.name, web],
      ]),
      byDir: new Map([
        [api.dir, api],
        [web.dir, web],
      ]),
      rootExternal: {},
      skipped: [],
    };
    expect(compareLockfiles('pnpm-lock.yaml', lock('2.1.2'), lock('2.1.3'), workspaces, 'abc1234')).toEqual({ file: 'pnpm-lock.yaml', root: [], packages: new Map([['@shop/web', ['ms 2.1.2 → 2.1.3']]]) });
    expect(compareLockfiles('pnpm-lock.yaml', lock('2.1.2'), lock('2.1.2').replace('sha512-number', 'sha512-other'), workspaces, 'abc1234')).toEqual({
      file: 'pnpm-lock.yaml',
      root: [],
      packages: new Map([['@shop/api', ['is-number 6.0.0 (other content)']]]),
    });
  });

  it('yarn 1: entries with several keys, quoted names, optional dependencies', () => {
    const entries = parseYarnClassic(
      '# yarn lockfile v1\n\n"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":\n  version "7.12.13"\n  integrity sha512-x\n  dependencies:\n    "@babel/highlight" "^7.12.13"\n  optionalDependencies:\n    fsevents "~2.3.1"\n',
    );
    expect([...entries.keys()]).toEqual(['@babel/code-frame@^7.0.0', '@babel/code-frame@^7.10.4']);
    expect(entries.get('@babel/code-frame@^7.10.4')).toEqual({ version: '7.12.13', integrity: 'sha512-x', dependencies: { '@babel/highlight': '^7.12.13' }, optionalDependencies: { fsevents: '~2.3.1' } });
    expect(() => parseYarnClassic('ms@^2.1.2:\n  version "2.1.2"\n   broken\n')).toThrow('line 3 is indented unlike a yarn.lock entry: "   broken"');
  });
});
