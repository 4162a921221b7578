import { afterEach, describe, expect, it } from '@jest/globals';
import { detectChanges, type ChangePlan, type DetectRequest } from '../../shared/changes/detect.js';
import { ZERO_SHA } from '../../shared/changes/git.js';
import { UserError } from '../../shared/errors.js';
import { TestRepo } from '../../standins/git-repo.js';
import { shopFiles } from './shop.js';

const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

/** The shop monorepo as the upstream repository everyone clones (GitHub lets clients fetch any commit by id). */
function origin(): { origin: TestRepo; work: TestRepo } {
  const upstream = TestRepo.create('origin.git', { bare: true });
  upstream.git('config', 'uploadpack.allowAnySHA1InWant', 'true');
  repos.push(upstream);
  const work = TestRepo.clone(upstream, 'work');
  work.commit('Shop', shopFiles());
  work.git('push', '--quiet', 'origin', 'main');
  return { origin: upstream, work };
}

function shop(): TestRepo {
  const repo = TestRepo.create();
  repos.push(repo);
  repo.commit('Shop', shopFiles());
  return repo;
}

async function detect(repo: TestRepo, request: Partial<DetectRequest>): Promise<{ plan: ChangePlan; log: string[] }> {
  const log: string[] = [];
  const plan = await detectChanges({
    directory: repo.dir,
    manifest: '.github/services.yml',
    since: 'event',
    event: { name: 'push' },
    defaultBranch: 'main',
    fetch: true,
    missingBase: 'all',
    log: (line) => log.push(line),
    ...request,
  });
  return { plan, log };
}

const changed = (plan: ChangePlan) => plan.services.filter((change) => change.changed).map((change) => change.service.name);
const causeOf = (plan: ChangePlan, name: string) => plan.services.find((change) => change.service.name === name)!.cause;

/** A push of `head` on main whose previous tip was `before`. */
const push = (before: string, head: string, extra: Record<string, unknown> = {}) => ({
  head,
  event: { name: 'push', before, after: head, forced: false, ref: 'refs/heads/main', ...extra },
});

describe('what a push changes', () => {
  it('marks only the service whose files changed, and names the files', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Web page', { 'apps/web/src/page.tsx': 'export const page = 1;\n', 'apps/web/src/new.tsx': 'export {};\n' });
    const { plan } = await detect(repo, push(before, head));
    expect(changed(plan)).toEqual(['web']);
    expect(causeOf(plan, 'web')).toEqual({ kind: 'files', sample: { count: 2, files: ['apps/web/src/new.tsx', 'apps/web/src/page.tsx'] } });
    expect(plan).toMatchObject({ base: before, head, changedPaths: 2, baseNote: 'the commit before the push' });
  });

  it('honours a later exclusion: a README under apps/api changes nothing', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Docs', { 'apps/api/README.md': '# api, documented\n', 'apps/api/docs/guide.md': 'x\n' });
    const { plan } = await detect(repo, push(before, head));
    expect(changed(plan)).toEqual([]);
    expect(causeOf(plan, 'api')).toMatchObject({ kind: 'unchanged' });
  });

  it('counts a rename as its old and its new path', async () => {
    const repo = shop();
    const before = repo.sha();
    repo.git('mv', 'apps/web/src/page.tsx', 'apps/api/src/page.tsx');
    const head = repo.commit('Move the page to the api');
    const { plan } = await detect(repo, push(before, head));
    expect(changed(plan)).toEqual(['api', 'web']);
    expect(plan.changedPaths).toBe(2);
  });

  it('counts deleted files, dot files included', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Drop the env file', { 'apps/web/.env.production': null });
    const { plan } = await detect(repo, push(before, head));
    expect(changed(plan)).toEqual(['web']);
    expect(causeOf(plan, 'web')).toMatchObject({ sample: { files: ['apps/web/.env.production'] } });
  });

  it('marks every service when a file under "always" changes', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Lockfile', { 'package-lock.json': '{"lockfileVersion":3}\n' });
    const { plan } = await detect(repo, push(before, head));
    expect(changed(plan)).toEqual(['api', 'web', 'worker']);
    expect(causeOf(plan, 'worker')).toEqual({ kind: 'always', sample: { count: 1, files: ['package-lock.json'] } });
  });

  it('names a service\'s own files before the "always" ones when both changed', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Lockfile and web', { 'package-lock.json': '{"lockfileVersion":3}\n', 'apps/web/src/page.tsx': 'export const l = 1;\n' });
    const { plan } = await detect(repo, push(before, head));
    expect(causeOf(plan, 'web')).toEqual({ kind: 'files', sample: { count: 1, files: ['apps/web/src/page.tsx'] } });
    expect(causeOf(plan, 'api')).toMatchObject({ kind: 'always' });
  });
});

describe('workspaces', () => {
  it('follows dependencies transitively, and dependsOn from the manifest', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Types', { 'packages/types/index.ts': 'export type Id = number;\n' });
    const { plan } = await detect(repo, push(before, head));
    expect(changed(plan)).toEqual(['api', 'worker']);
    expect(causeOf(plan, 'api')).toEqual({ kind: 'dependency', chain: ['@shop/api', '@shop/db', '@shop/types'], sample: { count: 1, files: ['packages/types/index.ts'] } });
    expect(causeOf(plan, 'worker')).toMatchObject({ kind: 'dependency', chain: ['@shop/types'] });
    expect(causeOf(plan, 'web')).toMatchObject({ kind: 'unchanged' });
  });

  it('counts devDependencies', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Button', { 'packages/ui/button.tsx': 'export const Button = 1;\n' });
    const { plan } = await detect(repo, push(before, head));
    expect(changed(plan)).toEqual(['web']);
    expect(causeOf(plan, 'web')).toMatchObject({ kind: 'dependency', chain: ['@shop/web', '@shop/ui'] });
  });

  it('reads pnpm-workspace.yaml, with deep globs and exclusions', async () => {
    const repo = TestRepo.create();
    repos.push(repo);
    const pkg = (name: string, deps: Record<string, string> = {}) => JSON.stringify({ name, dependencies: deps });
    const before = repo.commit('pnpm', {
      'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n  - 'libs/**'\n  - '!libs/**/fixtures/**'\n",
      'package.json': JSON.stringify({ name: 'root', private: true }),
      '.github/services.yml': 'cluster: c\nservices:\n  app:\n    paths: [apps/app/**]\n',
      'apps/app/package.json': pkg('app', { '@libs/b': 'workspace:*' }),
      'libs/group/b/package.json': pkg('@libs/b', { '@libs/c': 'workspace:^' }),
      'libs/group/c/package.json': pkg('@libs/c'),
      'libs/group/c/src.ts': 'x\n',
      'libs/group/c/fixtures/d/package.json': pkg('@libs/fixture'),
      'libs/group/c/fixtures/d/data.json': '{}\n',
    });
    const head = repo.commit('c', { 'libs/group/c/src.ts': 'y\n' });
    const { plan } = await detect(repo, push(before, head));
    expect(causeOf(plan, 'app')).toMatchObject({ kind: 'dependency', chain: ['app', '@libs/b', '@libs/c'] });

    // The fixture package is excluded from the workspace, so its files belong to @libs/c.
    const next = repo.commit('fixture', { 'libs/group/c/fixtures/d/data.json': '{"a":1}\n' });
    const { plan: second } = await detect(repo, push(head, next));
    expect(causeOf(second, 'app')).toMatchObject({ kind: 'dependency', chain: ['app', '@libs/b', '@libs/c'] });
  });
});

describe('the base commit of each event', () => {
  it('pull_request: the merge-base of base and head, so changes on the base branch do not count', async () => {
    const repo = shop();
    const fork = repo.sha();
    repo.git('checkout', '--quiet', '-b', 'feature');
    const head = repo.commit('API change', { 'apps/api/src/server.ts': 'export const x = 1;\n' });
    repo.git('checkout', '--quiet', 'main');
    const mainTip = repo.commit('Web change on main', { 'apps/web/src/page.tsx': 'export const y = 2;\n' });
    const { plan } = await detect(repo, { head, event: { name: 'pull_request', pullRequestBase: mainTip } });
    expect(changed(plan)).toEqual(['api']);
    expect(plan.base).toBe(fork);
    expect(plan.baseNote).toContain('merge-base');
  });

  it('merge_group: the base commit of the queued merge', async () => {
    const repo = shop();
    const base = repo.sha();
    repo.git('checkout', '--quiet', '-b', 'feature');
    repo.commit('Worker', { 'services/worker/main.go': 'package main // v2\n' });
    repo.git('checkout', '--quiet', '-b', 'queue', 'main');
    repo.git('merge', '--quiet', '--no-ff', '-m', 'Merge feature', 'feature');
    const head = repo.sha();
    const { plan } = await detect(repo, { head, event: { name: 'merge_group', mergeGroupBase: base, mergeGroupHead: head } });
    expect(changed(plan)).toEqual(['worker']);
    expect(plan.base).toBe(base);
  });

  it('workflow_dispatch and schedule: every service, unless services or a base are given', async () => {
    const repo = shop();
    const first = repo.sha();
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const z = 3;\n' });
    for (const name of ['workflow_dispatch', 'schedule']) {
      const { plan } = await detect(repo, { head, event: { name } });
      expect(changed(plan)).toEqual(['api', 'web', 'worker']);
      expect(causeOf(plan, 'api')).toEqual({ kind: 'forced', why: `a ${name} run with neither "services" nor "base" given` });
    }
    const named = await detect(repo, { head, event: { name: 'workflow_dispatch' }, services: ['worker'] });
    expect(changed(named.plan)).toEqual(['worker']);
    const based = await detect(repo, { head, event: { name: 'workflow_dispatch' }, base: first });
    expect(changed(based.plan)).toEqual(['web']);
  });

  it('an explicit base wins over the event', async () => {
    const repo = shop();
    const first = repo.sha();
    repo.commit('Api', { 'apps/api/src/server.ts': 'export const a = 1;\n' });
    const before = repo.sha();
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const b = 2;\n' });
    const { plan } = await detect(repo, { ...push(before, head), base: first });
    expect(changed(plan)).toEqual(['api', 'web']);
  });

  it('names a service that is not in the manifest, with the closest name', async () => {
    const repo = shop();
    await expect(detect(repo, { event: { name: 'workflow_dispatch' }, services: ['wrker'] })).rejects.toThrow('Input "services" names "wrker", which is not a service in .github/services.yml. Did you mean "worker"?');
  });

  it('first push of a new branch in a shallow clone: fetches the default branch and compares with the merge-base', async () => {
    const { origin: upstream, work } = origin();
    work.git('checkout', '--quiet', '-b', 'feature');
    work.commit('Web 1', { 'apps/web/src/page.tsx': 'export const c = 1;\n' });
    const head = work.commit('Web 2', { 'apps/web/src/other.tsx': 'export {};\n' });
    work.git('push', '--quiet', 'origin', 'feature');
    const ci = TestRepo.clone(upstream, 'ci', ['--depth=1', '--branch', 'feature']);
    const { plan, log } = await detect(ci, { head, event: { name: 'push', before: ZERO_SHA, after: head, ref: 'refs/heads/feature' } });
    expect(changed(plan)).toEqual(['web']);
    expect(plan.base).toBe(work.sha('main'));
    expect(log.join('\n')).toContain('Fetching main from origin.');
  });

  it('first push to the default branch: every service', async () => {
    const repo = shop();
    const { plan } = await detect(repo, { head: repo.sha(), event: { name: 'push', before: ZERO_SHA, ref: 'refs/heads/main' } });
    expect(changed(plan)).toEqual(['api', 'web', 'worker']);
    expect(causeOf(plan, 'web')).toEqual({ kind: 'forced', why: 'the first push to the default branch (main)' });
  });

  it('shallow clone: the commit before the push is fetched by its id, in one fetch', async () => {
    const { origin: upstream, work } = origin();
    for (let i = 0; i < 25; i++) work.commit(`Api ${i}`, { 'apps/api/src/server.ts': `export const v = ${i};\n` });
    const before = work.sha();
    work.commit('Web', { 'apps/web/src/page.tsx': 'export const w = 1;\n' });
    for (let i = 0; i < 14; i++) work.commit(`Worker ${i}`, { 'services/worker/main.go': `package main // ${i}\n` });
    const head = work.sha();
    work.git('push', '--quiet', 'origin', 'main');
    const ci = TestRepo.clone(upstream, 'ci', ['--depth=1']);
    const { plan, log } = await detect(ci, push(before, head));
    expect(changed(plan)).toEqual(['web', 'worker']);
    expect(plan.base).toBe(before);
    expect(log.filter((line) => line.startsWith('Fetching'))).toEqual([`Fetching the commit before the push ${before.slice(0, 7)} from origin.`]);
  });

  it('shallow clone of a server that serves no commit by id: deepens the history step by step until the base is there', async () => {
    const { origin: upstream, work } = origin();
    upstream.git('config', 'uploadpack.allowAnySHA1InWant', 'false');
    for (let i = 0; i < 25; i++) work.commit(`Api ${i}`, { 'apps/api/src/server.ts': `export const v = ${i};\n` });
    const before = work.sha();
    for (let i = 0; i < 14; i++) work.commit(`Worker ${i}`, { 'services/worker/main.go': `package main // ${i}\n` });
    const head = work.sha();
    work.git('push', '--quiet', 'origin', 'main');
    const ci = TestRepo.clone(upstream, 'ci', ['--depth=1']);
    ci.git('config', 'protocol.version', '0'); // the old protocol: only branch and tag tips can be asked for
    const { plan, log } = await detect(ci, push(before, head));
    expect(changed(plan)).toEqual(['worker']);
    expect(plan.base).toBe(before);
    expect(log.filter((line) => line.startsWith('Fetching'))).toEqual([
      `Fetching the commit before the push ${before.slice(0, 7)} from origin.`,
      'Fetching 10 more commits of history from origin (the clone is shallow).',
      'Fetching 100 more commits of history from origin (the clone is shallow).',
    ]);
  });

  it('shallow clone whose base cannot be fetched: every service, and the warning says why', async () => {
    const { origin: upstream, work } = origin();
    const head = work.commit('Web', { 'apps/web/src/page.tsx': 'export const q = 1;\n' });
    work.git('push', '--quiet', 'origin', 'main');
    const ci = TestRepo.clone(upstream, 'ci', ['--depth=1']);
    const gone = 'c0ffee0000000000000000000000000000000000';
    const { plan } = await detect(ci, push(gone, head));
    expect(changed(plan)).toEqual(['api', 'web', 'worker']);
    expect(plan.warnings).toEqual([
      `Every service counts as changed: the commit before the push, ${gone}, is not in the clone and cannot be fetched (not our ref ${gone}). Set "since: last-deployed" to compare each service with the commit its ECS service runs.`,
    ]);
  });

  it('a base that does not exist is an error naming the input, in CI too: never a guess', async () => {
    const repo = shop();
    for (const missingBase of ['error', 'all'] as const) {
      const error = await detect(repo, { base: 'no-such-branch', missingBase, fetch: false }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toBe('Input "base" is "no-such-branch", which is not a branch, tag or commit of this repository.');
    }
  });

  it('a head that is not a commit is named', async () => {
    const repo = shop();
    await expect(detect(repo, { head: 'nope', event: { name: 'workflow_dispatch' } })).rejects.toThrow('Input "head" is "nope", which is not a commit in this repository.');
  });

  it('a directory outside any repository is named', async () => {
    const repo = shop();
    await expect(detectChanges({ directory: `${repo.dir}/../home`, manifest: 'x.yml', since: 'event', event: { name: 'push' }, defaultBranch: 'main', fetch: false, missingBase: 'all', log: () => {} })).rejects.toThrow(
      /is not inside a git repository/,
    );
  });
});

describe('the manifest as given', () => {
  it('works from a subdirectory of the repository', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const s = 1;\n' });
    const plan = await detectChanges({ directory: `${repo.dir}/apps`, manifest: '../.github/services.yml', ...push(before, head), since: 'event', defaultBranch: 'main', fetch: false, missingBase: 'all', log: () => {} });
    expect(changed(plan)).toEqual(['web']);
  });
});
