import { afterEach, describe, expect, it } from '@jest/globals';
import { detectChanges } from '../../shared/changes/detect.js';
import { ManifestError } from '../../shared/manifest/load.js';
import { TestRepo } from '../../standins/git-repo.js';
import { SHOP_MANIFEST, shopFiles } from './shop.js';

const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

function repoWith(manifest: string, files = shopFiles(manifest)): TestRepo {
  const repo = TestRepo.create();
  repos.push(repo);
  repo.commit('Shop', files);
  return repo;
}

const plan = (repo: TestRepo) =>
  detectChanges({ directory: repo.dir, manifest: '.github/services.yml', since: 'event', event: { name: 'workflow_dispatch' }, defaultBranch: 'main', fetch: false, missingBase: 'all', log: () => {} });

async function problems(repo: TestRepo): Promise<string[]> {
  const error = await plan(repo).catch((caught: unknown) => caught);
  if (!(error instanceof ManifestError)) throw new Error(`expected a ManifestError, got ${String(error)}`);
  return error.problems.map((problem) => `${problem.file}:${problem.line}:${problem.column} ${problem.message}`);
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('manifest checks against the repository', () => {
  it('a dependsOn that is not a workspace package is an error on its line, with the likely name', async () => {
    const manifest = SHOP_MANIFEST.replace('dependsOn: ["@shop/types"]', 'dependsOn: ["@shop/typs", "left-pad"]');
    const found = await problems(repoWith(manifest));
    const line = lineOf(manifest, 'dependsOn');
    expect(found).toEqual([
      `.github/services.yml:${line}:17 services.worker.dependsOn names "@shop/typs", which is not a workspace package. Did you mean "@shop/types"? Workspace packages (from package.json): @shop/api, @shop/db, @shop/types, @shop/ui, @shop/web.`,
      `.github/services.yml:${line}:31 services.worker.dependsOn names "left-pad", which is not a workspace package. Workspace packages (from package.json): @shop/api, @shop/db, @shop/types, @shop/ui, @shop/web.`,
    ]);
  });

  it('dependsOn in a repository without workspaces says so', async () => {
    const files = shopFiles();
    files['package.json'] = '{"name":"shop","private":true}\n';
    const found = await problems(repoWith(SHOP_MANIFEST, files));
    expect(found).toEqual([
      `.github/services.yml:${lineOf(SHOP_MANIFEST, 'dependsOn')}:17 services.worker.dependsOn names "@shop/types", but the repository declares no workspaces (no "workspaces" in package.json and no pnpm-workspace.yaml).`,
    ]);
  });

  it('a package that does not exist is an error', async () => {
    const manifest = SHOP_MANIFEST.replace('    paths: [services/worker/**]\n', '    paths: [services/worker/**]\n    package: "@shop/worker"\n');
    const found = await problems(repoWith(manifest));
    expect(found).toEqual([expect.stringMatching(new RegExp(`^\\.github/services\\.yml:${lineOf(manifest, 'package: "@shop/worker"')}:14 services\\.worker\\.package is "@shop/worker", which is not a workspace package\\.`))]);
  });

  it("a service named like one of the action's own outputs is an error", async () => {
    const manifest = `${SHOP_MANIFEST}  matrix:\n    paths: [apps/web/**]\n    repository: shop-matrix\n    ecs: { service: shop-matrix }\n`;
    const found = await problems(repoWith(manifest));
    expect(found).toEqual([
      `.github/services.yml:${lineOf(manifest, '  matrix:')}:3 services.matrix: the service has the name of one of the changes action's own outputs (services, any-changed, matrix, migrate, migrate-services, result), so its true/false output would overwrite it. Rename the service.`,
    ]);
  });

  it('globs that match no file are warnings on their lines, with a hint for a bare directory', async () => {
    const manifest = SHOP_MANIFEST.replace('paths: [apps/web/**]', 'paths: [apps/web, apps/wbe/**, "apps/web/**/*.vue", "!apps/nothing/**"]').replace('always: [package-lock.json,', 'always: [pnpm-lock.yaml, package-lock.json,');
    const result = await plan(repoWith(manifest));
    const webLine = lineOf(manifest, 'apps/wbe');
    expect(result.manifestWarnings.map((problem) => `${problem.line}:${problem.column} ${problem.message}`)).toEqual([
      `${webLine}:13 "apps/web" in services.web.paths matches no file in the repository; apps/web is a directory, so write "apps/web/**" to match the files in it.`,
      `${webLine}:23 "apps/wbe/**" in services.web.paths matches no file in the repository: check the spelling, or remove it.`,
      `${webLine}:36 "apps/web/**/*.vue" in services.web.paths matches no file in the repository: check the spelling, or remove it.`,
      `3:10 "pnpm-lock.yaml" in always matches no file in the repository: check the spelling, or remove it.`,
    ]);
    // Warnings do not stop detection.
    expect(result.services.every((change) => change.changed)).toBe(true);
  });

  it('a valid manifest in a matching repository has nothing to say', async () => {
    const result = await plan(repoWith(SHOP_MANIFEST));
    expect(result.manifestWarnings).toEqual([]);
    expect(result.warnings).toEqual([]);
  });
});
