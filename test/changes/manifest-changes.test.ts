import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { detectChanges, type ChangePlan, type DetectRequest } from '../../shared/changes/detect.js';
import { REPO_ROOT } from '../../standins/run-action.js';
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

function pushed(repo: TestRepo, before: string, head: string, extra: Partial<DetectRequest> = {}): Promise<ChangePlan> {
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
    ...extra,
  });
}

const reasons = (plan: ChangePlan) => Object.fromEntries(plan.services.filter((change) => change.changed).map((change) => [change.service.name, change.cause]));
/** The shop manifest without the manifest itself under "always". */
const OWN = SHOP_MANIFEST.replace('always: [package-lock.json, .github/services.yml, docker/base.Dockerfile]', 'always: [package-lock.json, docker/base.Dockerfile]');

describe('a service whose definition changed in the manifest', () => {
  it('a service added to the manifest is built, though none of its files changed; the others are not', async () => {
    const repo = shop(OWN);
    repo.commit('Admin app', { 'apps/admin/package.json': '{"name":"@shop/admin"}\n', 'apps/admin/src/index.ts': 'export {};\n' });
    const before = repo.sha();
    const head = repo.commit('Deploy admin', { '.github/services.yml': `${OWN}  admin:\n    paths: [apps/admin/**]\n    repository: shop-admin\n` });
    const plan = await pushed(repo, before, head);
    expect(reasons(plan)).toEqual({ admin: { kind: 'definition', file: '.github/services.yml', what: `a new service (not in the manifest at ${before.slice(0, 7)})` } });
  });

  it('paths, build, repository, ecs and dependsOn count; health and migrate do not; reordering build args is no change', async () => {
    const repo = shop(OWN);
    const before = repo.sha();
    const edited = OWN.replace('paths: [apps/web/**]', 'paths: [apps/web/**, docker/web.Dockerfile]')
      .replace('target: runtime', 'target: production')
      .replace('repository: shop-worker', 'repository: shop-worker-v2\n    ecs: { service: worker-v2 }')
      .replace('health: https://api.example.com/healthz', 'health: https://api.example.com/health')
      .replace('build: { dockerfile: docker/api.Dockerfile, args: { NODE_VERSION: 20 } }', 'build: { args: { NODE_VERSION: 20 }, dockerfile: docker/api.Dockerfile }');
    const head = repo.commit('Manifest', { '.github/services.yml': edited });
    const plan = await pushed(repo, before, head);
    const at = before.slice(0, 7);
    expect(reasons(plan)).toEqual({
      web: { kind: 'definition', file: '.github/services.yml', what: `its paths and build changed since ${at}` },
      worker: { kind: 'definition', file: '.github/services.yml', what: `its repository and ecs changed since ${at}` },
    });
  });

  it('with the manifest under "always" every service changes, as "always" says', async () => {
    const repo = shop();
    const before = repo.sha();
    const head = repo.commit('Health', { '.github/services.yml': SHOP_MANIFEST.replace('/healthz', '/health') });
    const plan = await pushed(repo, before, head);
    expect(Object.values(reasons(plan)).map((cause) => cause.kind)).toEqual(['always', 'always', 'always']);
  });

  it('a region change moves every service', async () => {
    const repo = shop(OWN);
    const before = repo.sha();
    const head = repo.commit('Region', { '.github/services.yml': OWN.replace('region: us-east-1', 'region: eu-west-1') });
    const plan = await pushed(repo, before, head);
    expect(Object.values(reasons(plan))).toEqual(Array(3).fill({ kind: 'definition', file: '.github/services.yml', what: 'its region changed from us-east-1 to eu-west-1' }));
  });

  it('a manifest that was broken at the base cannot be compared: every service, saying so', async () => {
    const repo = shop(OWN.replace('repository: shop-web', 'repositry: shop-web'));
    const before = repo.sha();
    const head = repo.commit('Fix', { '.github/services.yml': OWN });
    const plan = await pushed(repo, before, head);
    expect(plan.services.every((change) => change.changed)).toBe(true);
    expect(reasons(plan).api).toEqual({
      kind: 'definition',
      file: '.github/services.yml',
      what: `the manifest at ${before.slice(0, 7)} cannot be read (The services manifest .github/services.yml has a problem), so no definition can be compared with it`,
    });
  });

  it("since: last-deployed compares the definition with the deployed commit's", async () => {
    const repo = shop(OWN);
    const deployed = repo.sha();
    repo.commit('Web target', { '.github/services.yml': OWN.replace('target: runtime', 'target: slim') });
    const head = repo.commit('Unrelated', { 'README.md': '# shop\n' });
    const plan = await pushed(repo, deployed, head, {
      since: 'last-deployed',
      lookupDeployed: async (_, services) => new Map(services.map((service) => [service.name, { sha: deployed, image: `x:${deployed}`, taskDefinition: 'td' }])),
    });
    expect(reasons(plan)).toEqual({ web: { kind: 'definition', file: '.github/services.yml', what: `its build changed since ${deployed.slice(0, 7)}` } });
  });
});

describe('the head commit is the one evaluated', () => {
  /** X changes @shop/types; later, web comes to depend on it and the manifest renames worker. HEAD is the later commit. */
  function history(): { repo: TestRepo; first: string; x: string } {
    const repo = shop();
    const first = repo.sha();
    const x = repo.commit('Types', { 'packages/types/index.ts': 'export type Id = number;\n' });
    const files = shopFiles(SHOP_MANIFEST.replace('  worker:\n', '  jobs:\n'));
    repo.commit('Later', {
      '.github/services.yml': files['.github/services.yml']!,
      'apps/web/package.json': '{"name":"@shop/web","dependencies":{"@shop/types":"*","@shop/ui":"*"}}\n',
    });
    return { repo, first, x };
  }

  it('detection reads the manifest and the workspace graph from the head commit, not from the checkout', async () => {
    const { repo, first, x } = history();
    const plan = await pushed(repo, first, x);
    expect(plan.services.map((change) => [change.service.name, change.changed])).toEqual([
      ['api', true],
      ['web', false],
      ['worker', true],
    ]);
  });

  it('npm run plan -- --head X answers as CI would at X', () => {
    const { repo, first, x } = history();
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO_ROOT, 'scripts', 'plan.ts'), '--base', first, '--head', x, '--json'], {
      cwd: repo.dir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, INIT_CWD: repo.dir },
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const { result: outputs } = JSON.parse(result.stdout) as { result: { head: string; services: { name: string; changed: boolean }[] } };
    expect(outputs.head).toBe(x);
    expect(outputs.services.map((service) => `${service.name}=${service.changed}`)).toEqual(['api=true', 'web=false', 'worker=true']);
  });
});
