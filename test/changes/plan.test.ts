import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../standins/run-action.js';
import { TestRepo } from '../../standins/git-repo.js';
import { shopFiles } from './shop.js';

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
    const { code, stdout, stderr } = plan(['--base', first], repo.dir);
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
