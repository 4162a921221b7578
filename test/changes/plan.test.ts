import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../standins/run-action.js';
import { TestRepo } from '../../standins/git-repo.js';
import { SHOP_MANIFEST, shopFiles } from './shop.js';

const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

function plan(args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO_ROOT, 'scripts', 'plan.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, INIT_CWD: cwd },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run plan', () => {
  it('prints the plan as a table for a person, with no workflow commands', () => {
    const repo = TestRepo.create();
    repos.push(repo);
    const first = repo.commit('Shop', shopFiles());
    repo.commit('Types', { 'packages/types/index.ts': 'export type Id = number;\n' });
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const p = 1;\n' });
    const { code, stdout, stderr } = plan(['--base', first, '--no-aws'], repo.dir);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).not.toContain('::');
    expect(stdout.split('\n')).toEqual([
      `Changes from ${first.slice(0, 7)} to ${head.slice(0, 7)}: 2 changed paths (base: the given base).`,
      'Changed services: 3 of 3 (api, web, worker).',
      '',
      'SERVICE  CHANGED  WHY',
      'api      yes      depends on @shop/types, which changed (@shop/api → @shop/db → @shop/types): packages/types/index.ts',
      'web      yes      1 file changed: apps/web/src/page.tsx',
      'worker   yes      depends on @shop/types, which changed (@shop/types): packages/types/index.ts',
      '',
      `Deployment plan for ${head.slice(0, 7)}: 3 services (api, web, worker).`,
      'Migrations: the change adds none.',
      '',
      'default (top-level values) (us-east-1):',
      '  AWS not read (asked not to).',
      '  api: shop-prod/shop-api',
      `    next: shop-api:${head.slice(0, 12)} (built by this run)`,
      '  web: shop-prod/web',
      `    next: shop-web:${head.slice(0, 12)} (built by this run)`,
      '  worker: shop-prod/worker',
      `    next: shop-worker:${head.slice(0, 12)} (built by this run)`,
      '',
    ]);
  });

  it('compares with the default branch when no base is given, and prints JSON on request', () => {
    const repo = TestRepo.create();
    repos.push(repo);
    const fork = repo.commit('Shop', shopFiles());
    repo.git('checkout', '--quiet', '-b', 'feature');
    repo.commit('Worker', { 'services/worker/main.go': 'package main // 2\n' });
    const { code, stdout } = plan(['--repo', repo.dir, '--json'], '/');
    expect(code).toBe(0);
    const { result, matrix } = JSON.parse(stdout) as { result: { base: string; event: string }; matrix: { include: { service: string }[] } };
    expect(result).toMatchObject({ base: fork, event: 'local' });
    expect(matrix.include.map((entry) => entry.service)).toEqual(['worker']);
  });

  it('plans one environment of the manifest, listing the Prisma migrations the change adds', () => {
    const repo = TestRepo.create();
    repos.push(repo);
    const manifest = `${SHOP_MANIFEST}environments:\n  staging: { cluster: shop-staging }\n  production: { account: "210987654321", region: eu-west-1 }\n`;
    const first = repo.commit('Shop', { ...shopFiles(manifest), 'apps/api/prisma/migrations/20260101000000_init/migration.sql': 'CREATE TABLE a (id int);\n' });
    const head = repo.commit('Orders', { 'apps/api/prisma/migrations/20261201093000_orders/migration.sql': 'CREATE TABLE o (id int);\n' });
    const { code, stdout } = plan(['--base', first, '--environment', 'production', '--no-aws'], repo.dir);
    expect(code).toBe(0);
    expect(stdout).toContain(
      [
        `Deployment plan for ${head.slice(0, 7)}: 1 service (api), reaching staging → production.`,
        'Migrations: the change adds 1 Prisma migration, run by the migrate step of api in each environment before its rollout:',
        '  20261201093000_orders (apps/api/prisma/migrations/20261201093000_orders/migration.sql)',
        '',
        'production (account 210987654321, eu-west-1):',
        '  AWS not read (asked not to).',
        '  api: shop-prod/shop-api',
        `    next: shop-api:${head.slice(0, 12)} (built by this run)`,
      ].join('\n'),
    );
    const json = plan(['--base', first, '--environment', 'production', '--no-aws', '--json'], repo.dir);
    const parsed = JSON.parse(json.stdout) as { plan: { environments: { name: string; services: { next: { image: string } }[] }[] } };
    expect(parsed.plan.environments.map((environment) => [environment.name, environment.services[0]!.next.image])).toEqual([['production', `210987654321.dkr.ecr.eu-west-1.amazonaws.com/shop-api:${head}`]]);
    const unknown = plan(['--base', first, '--environment', 'prodution', '--no-aws'], repo.dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: --environment is "prodution", which is not an environment of .github/services.yml. Did you mean "production"?');
  });

  it('says what is wrong and exits 1', () => {
    const repo = TestRepo.create();
    repos.push(repo);
    repo.commit('Shop', shopFiles());
    const missing = plan(['--base', 'release/9'], repo.dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: --base is "release/9", which is not a branch, tag or commit of this repository.\nSet --base to a branch, tag or commit id that exists');
    const option = plan(['--base', '-rf'], repo.dir);
    expect(option.code).toBe(1);
  });
});
