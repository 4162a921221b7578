import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, type ActionResult, type RunOptions } from '../../standins/run-action.js';
import { BENCH_SHAPE, buildMonorepo } from '../../standins/monorepo.js';
import { TestRepo } from '../../standins/git-repo.js';
import { SHOP_MANIFEST, shopFiles } from './shop.js';

const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

function shop(manifest = SHOP_MANIFEST): TestRepo {
  const repo = TestRepo.create();
  repos.push(repo);
  repo.commit('Shop', shopFiles(manifest));
  return repo;
}

function pushed(repo: TestRepo, before: string, head: string, inputs: Record<string, string> = {}, env: Record<string, string> = {}, options: Pick<RunOptions, 'readsLogAfterMs'> = {}): Promise<ActionResult> {
  return runAction('changes', {
    ...options,
    cwd: repo.dir,
    eventName: 'push',
    event: { before, after: head, forced: false, ref: 'refs/heads/main', repository: { default_branch: 'main' } },
    env: { GITHUB_SHA: head, ...env },
    inputs: { manifest: '.github/services.yml', ...inputs },
  });
}

describe('actions/changes', () => {
  it('ends only once its whole log is out, when the runner reads the log late', async () => {
    const names = Array.from({ length: 4000 }, (_, index) => `s${String(index).padStart(4, '0')}`);
    const repo = TestRepo.create();
    repos.push(repo);
    const manifest = `region: us-east-1\ncluster: c\nservices:\n${names.map((name) => `  ${name}:\n    paths: [apps/${name}/**]\n    repository: r-${name}\n`).join('')}`;
    const before = repo.commit('Services', { '.github/services.yml': manifest });
    const head = repo.commit('Code', Object.fromEntries(names.map((name) => [`apps/${name}/index.ts`, 'export {};\n'])));
    const result = await pushed(repo, before, head, {}, {}, { readsLogAfterMs: 1500 });
    expect(result.code).toBe(0);
    // More than the pipe and the reader hold while nobody reads: the rest waited in the action.
    expect(result.stdout.length).toBeGreaterThan(200_000);
    const rows = result.stdout.split('\n').filter((line) => /^s\d{4} +yes /.test(line));
    expect(rows).toHaveLength(4000);
    expect(rows.at(-1)).toMatch(/^s3999 +yes +1 file changed: apps\/s3999\/index\.ts/);
  }, 60_000);

  it('loads only what detection needs: its engine from one file, no crypto, HTTP, TLS or promise-based fs', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Types', { 'packages/types/index.ts': 'export type Id = number;\n' });
    const dir = mkdtempSync(join(tmpdir(), 'changes-loads-'));
    try {
      const report = join(dir, 'loaded.json');
      const preload = join(dir, 'report.cjs');
      writeFileSync(preload, `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ builtins: process.moduleLoadList, files: Object.keys(require.cache) })));\n`);
      const result = await pushed(repo, before, head, {}, { NODE_OPTIONS: `--require ${preload}` });
      expect(result.code).toBe(0);
      expect(result.outputs.services).toBe('["api","worker"]');
      const { builtins, files } = JSON.parse(readFileSync(report, 'utf8')) as { builtins: string[]; files: string[] };
      const bundle = files.filter((file) => file.includes('/actions/changes/dist/')).map((file) => file.slice(file.lastIndexOf('/') + 1));
      expect(bundle).toHaveLength(2);
      expect(bundle[0]).toBe('index.js');
      const loaded = new Set(builtins.map((entry) => entry.replace(/^NativeModule /, '')));
      expect(['crypto', 'http', 'https', 'tls', 'internal/fs/promises', 'internal/readline/interface'].filter((name) => loaded.has(name))).toEqual([]);
      expect(loaded.has('child_process')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the outputs later jobs read, and a summary with why', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Types', { 'packages/types/index.ts': 'export type Id = number;\n' });
    const result = await pushed(repo, before, head);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('::warning');
    const { outputs } = result;
    expect(outputs.services).toBe('["api","worker"]');
    expect(outputs['any-changed']).toBe('true');
    expect(outputs.migrate).toBe('true');
    expect(outputs['migrate-services']).toBe('["api"]');
    expect([outputs.api, outputs.web, outputs.worker]).toEqual(['true', 'false', 'true']);
    expect(JSON.parse(outputs.matrix!)).toEqual({
      include: [
        {
          service: 'api',
          repository: 'shop-api',
          context: '.',
          dockerfile: 'docker/api.Dockerfile',
          target: '',
          'build-args': 'NODE_VERSION=20',
          platforms: '',
          cluster: 'shop-prod',
          'ecs-service': 'shop-api',
          container: 'api',
          migrate: true,
          'migrate-command': '["sh","-c","cd apps/api && npx prisma migrate deploy"]',
          'migrate-container': 'api',
          health: 'https://api.example.com/healthz',
          region: 'us-east-1',
        },
        {
          service: 'worker',
          repository: 'shop-worker',
          context: '.',
          dockerfile: 'Dockerfile',
          target: '',
          'build-args': '',
          platforms: '',
          cluster: 'shop-prod',
          'ecs-service': 'worker',
          container: 'worker',
          migrate: false,
          'migrate-command': '',
          'migrate-container': '',
          health: '',
          region: 'us-east-1',
        },
      ],
    });
    expect(JSON.parse(outputs.result!)).toEqual({
      base: before,
      head,
      event: 'push',
      services: [
        { name: 'api', changed: true, reason: 'depends on @shop/types, which changed (@shop/api → @shop/db → @shop/types): packages/types/index.ts' },
        { name: 'web', changed: false, reason: 'no changed file matches its paths or its dependencies' },
        { name: 'worker', changed: true, reason: 'depends on @shop/types, which changed (@shop/types): packages/types/index.ts' },
      ],
      migrate: true,
    });
    expect(result.summary).toContain('<h3>Changed services: 2 of 3</h3>');
    expect(result.summary).toContain(`Changes from ${before.slice(0, 7)} to ${head.slice(0, 7)}: 1 changed path (base: the commit before the push).`);
    expect(result.summary).toContain(
      '<tr><td><code>api</code></td><td>✅ yes</td><td>depends on <code>@shop/types</code>, which changed (<code>@shop/api</code> → <code>@shop/db</code> → <code>@shop/types</code>): <code>packages/types/index.ts</code></td></tr>',
    );
    expect(result.summary).toContain('<tr><td><code>web</code></td><td>— no</td><td>no changed file matches its paths or its dependencies</td></tr>');
  });

  it('a web-only change builds a web-only matrix with its build settings', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const a = 1;\n' });
    const { outputs } = await pushed(repo, before, head);
    expect(outputs.services).toBe('["web"]');
    expect(outputs.migrate).toBe('false');
    expect(JSON.parse(outputs.matrix!).include[0]).toMatchObject({ service: 'web', context: 'apps/web', dockerfile: 'apps/web/Dockerfile', target: 'runtime', platforms: 'linux/amd64,linux/arm64' });
  });

  it('nothing changed: an empty list, false everywhere', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Docs', { 'apps/api/README.md': '# more\n' });
    const { code, outputs } = await pushed(repo, before, head);
    expect(code).toBe(0);
    expect(outputs).toMatchObject({ services: '[]', 'any-changed': 'false', matrix: '{"include":[]}', migrate: 'false', 'migrate-services': '[]', api: 'false', web: 'false', worker: 'false' });
  });

  it('workflow_dispatch with services named', async () => {
    const repo = shop();
    const result = await runAction('changes', { cwd: repo.dir, eventName: 'workflow_dispatch', env: { GITHUB_SHA: repo.sha() }, inputs: { services: 'web, worker' } });
    expect(result.outputs.services).toBe('["web","worker"]');
    expect(JSON.parse(result.outputs.result!).services[0]).toEqual({ name: 'api', changed: false, reason: 'not named in the services input' });
  });

  it('glob warnings become annotations on the manifest line', async () => {
    const manifest = SHOP_MANIFEST.replace('paths: [apps/web/**]', 'paths: [apps/web/**, apps/wbe/**]');
    const repo = shop(manifest);
    const before = repo.sha();
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const b = 1;\n' });
    const result = await pushed(repo, before, head);
    expect(result.code).toBe(0);
    const line = manifest.split('\n').findIndex((text) => text.includes('apps/wbe')) + 1;
    expect(result.stdout).toContain(`::warning file=.github/services.yml,line=${line},col=26::"apps/wbe/**" in services.web.paths matches no file in the repository: check the spelling, or remove it.`);
    expect(result.summary).toContain('Warnings');
  });

  it('manifest errors fail the step with an annotation on the line', async () => {
    const manifest = SHOP_MANIFEST.replace('repository: shop-web', 'repositry: shop-web');
    const repo = shop(manifest);
    const result = await runAction('changes', { cwd: repo.dir, eventName: 'workflow_dispatch', env: { GITHUB_SHA: repo.sha() } });
    expect(result.code).toBe(1);
    const line = manifest.split('\n').findIndex((text) => text.includes('repositry')) + 1;
    expect(result.stdout).toContain(`::error file=.github/services.yml,line=${line},col=5::Unknown key "repositry" in services.web. Did you mean "repository"?`);
  });

  it('names the manifest input when the file is missing', async () => {
    const repo = shop();
    const head = repo.sha();
    const result = await runAction('changes', { cwd: repo.dir, eventName: 'push', env: { GITHUB_SHA: head }, inputs: { manifest: 'deploy/services.yml' } });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`::error::Input "manifest" is "deploy/services.yml", but in the head commit ${head.slice(0, 7)} there is no file deploy/services.yml.`);
  });

  it('says git is missing when the runner has none', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const c = 1;\n' });
    const noGit = mkdtempSync(join(tmpdir(), 'no-git-'));
    try {
      const result = await pushed(repo, before, head, {}, { PATH: noGit });
      expect(result.code).toBe(1);
      expect(result.stdout).toContain('::error::git is not installed or not on PATH, so changed files cannot be listed.');
    } finally {
      rmSync(noGit, { recursive: true, force: true });
    }
  });

  it('rejects inputs it cannot use before doing anything', async () => {
    const repo = shop();
    const since = await runAction('changes', { cwd: repo.dir, inputs: { since: 'yesterday' } });
    expect(since.stdout).toContain('::error::Input "since" is "yesterday", which is not one of: event, last-deployed.');
    const base = await runAction('changes', { cwd: repo.dir, inputs: { base: '--output=/tmp/x' } });
    expect(base.stdout).toContain('::error::Input "base" is "--output=/tmp/x", which is not a git revision.');
  });

  it('keeps the outputs small on a change of thousands of files', async () => {
    const repo = TestRepo.create('monorepo');
    repos.push(repo);
    const shape = { ...BENCH_SHAPE, services: 12, filesPerService: 500, changedServices: 10, modify: 480, add: 10, remove: 10, rename: 0, lockfile: undefined };
    const mono = buildMonorepo(repo, shape);
    expect(mono.changedPaths).toBe(5000);
    const result = await pushed(repo, mono.before, mono.after);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.outputs.services!)).toEqual(mono.changedServices);
    const outputBytes = Object.entries(result.outputs).reduce((sum, [name, value]) => sum + name.length + value.length, 0);
    expect(outputBytes).toBeLessThan(16 * 1024);
    expect(result.summary.length).toBeLessThan(8 * 1024);
    expect(result.summary).toContain('500 files changed: ');
    expect(result.summary).toContain(' and 495 more');
  });
});
