import { afterEach, describe, expect, it } from '@jest/globals';
import { detectChanges, type ChangePlan } from '../../shared/changes/detect.js';
import { TestRepo } from '../../standins/git-repo.js';
import { SHOP_MANIFEST, shopFiles } from './shop.js';

const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

async function uiChange(manifest: string): Promise<ChangePlan> {
  const repo = TestRepo.create();
  repos.push(repo);
  const before = repo.commit('Shop', { ...shopFiles(manifest), 'tools/lint/check.sh': 'exit 0\n' });
  const head = repo.commit('Button', { 'packages/ui/button.tsx': 'export const Button = 2;\n' });
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

const causeOf = (plan: ChangePlan, name: string) => plan.services.find((change) => change.service.name === name)!.cause;
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;

describe("a service's own workspace package", () => {
  it('is found from the directory its paths are in when they do not cover its package.json', async () => {
    const manifest = SHOP_MANIFEST.replace('paths: [apps/web/**]', 'paths: [apps/web/src/**, docker/web.Dockerfile]');
    const plan = await uiChange(manifest);
    expect(causeOf(plan, 'web')).toMatchObject({ kind: 'dependency', chain: ['@shop/web', '@shop/ui'] });
    expect(plan.manifestWarnings).toEqual([expect.objectContaining({ message: '"docker/web.Dockerfile" in services.web.paths matches no file in the repository: check the spelling, or remove it.' })]);
  });

  it('is taken from "package:" when given', async () => {
    const manifest = SHOP_MANIFEST.replace('paths: [apps/web/**]', 'paths: [web-legacy/**, apps/web/src/**]\n    package: "@shop/web"');
    const plan = await uiChange(manifest);
    expect(causeOf(plan, 'web')).toMatchObject({ kind: 'dependency', chain: ['@shop/web', '@shop/ui'] });
  });

  it('when none can be found, a warning on its paths says so once, with the fix, instead of dropping dependencies in silence', async () => {
    const manifest = `${SHOP_MANIFEST}  lint:\n    paths: [tools/lint/**]\n    repository: shop-lint\n`;
    const plan = await uiChange(manifest);
    expect(causeOf(plan, 'lint')).toEqual({ kind: 'unchanged', why: 'no changed file matches its paths or its dependencies' });
    expect(plan.manifestWarnings).toEqual([
      {
        file: '.github/services.yml',
        line: lineOf(manifest, 'tools/lint/**'),
        column: 5,
        message:
          'services.lint: none of its paths is in a workspace package, so a change to a workspace package it uses cannot mark it. ' +
          'Set "package" to its workspace package, list the packages it uses in "dependsOn", or write "dependsOn: []" if it uses none.',
      },
    ]);
    // worker lists dependsOn, so it is not warned about; "dependsOn: []" says "none" the same way.
    const quiet = await uiChange(`${SHOP_MANIFEST}  lint:\n    paths: [tools/lint/**]\n    dependsOn: []\n    repository: shop-lint\n`);
    expect(quiet.manifestWarnings).toEqual([]);
  });
});
