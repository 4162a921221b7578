/**
 * The changes action planning a deployment per manifest environment, through its built bundle:
 * against a real git repository, the ECS simulator (what runs, with the digests its tasks report),
 * moto (STS, and ECR for the next image's digest) and a stand-in of GitHub's REST API for the comment.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { TestRepo, type Files } from '../../standins/git-repo.js';
import { startGitHubApi, type GitHubApi } from '../../standins/github-api.js';
import { awsTestEnv, motoUrl, pushImageToEcr, TEST_ACCOUNT, TEST_REGION, useMoto } from '../../standins/moto.js';
import { runAction, unmaskedLines, type ActionResult } from '../../standins/run-action.js';
import { REGISTRY, simulator, taskDefinition } from '../deploy/fixtures.js';
import type { DeployPlan } from '../../shared/plan/types.js';

useMoto();
const repos: TestRepo[] = [];
const servers: GitHubApi[] = [];
const homes: string[] = [];
afterEach(async () => {
  repos.splice(0).forEach((repo) => repo.remove());
  await Promise.all(servers.splice(0).map((server) => server.close()));
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

const PRODUCTION_ACCOUNT = '210987654321';

const MANIFEST = `region: ${TEST_REGION}
cluster: shop-staging
services:
  api:
    paths: [apps/api/**, packages/db/**]
    repository: shop-api
    ecs: { service: shop-api, container: api }
    migrate: { command: ["npx", "prisma", "migrate", "deploy"] }
  web:
    paths: [apps/web/**]
    repository: shop-web
    ecs: { service: shop-web, container: web }
  worker:
    paths: [services/worker/**]
    repository: shop-worker
    ecs: { service: shop-worker, container: worker }
environments:
  staging:
    account: "${TEST_ACCOUNT}"
  production:
    account: "${PRODUCTION_ACCOUNT}"
    cluster: shop-prod
`;

/** The task definition the change brings for api: more CPU and memory, a health check, new variables and a new secret. */
function apiTaskDefinition(): string {
  const definition = taskDefinition('shop-api', 'from-file');
  definition.cpu = '512';
  definition.memory = '1024';
  const api = definition.containerDefinitions![0]!;
  api.environment = [...api.environment!, { name: 'LOG_LEVEL', value: 'debug' }, { name: 'STRIPE_API_KEY', value: 'sk_live_4eC39HqLyjWDarjtT1zdp7dc' }];
  api.secrets = [...api.secrets!, { name: 'SESSION_SECRET', valueFrom: `arn:aws:secretsmanager:${TEST_REGION}:${TEST_ACCOUNT}:secret:shop-api/session-Qw3rTy` }];
  api.healthCheck = { command: ['CMD-SHELL', 'curl -f http://localhost:3000/healthz || exit 1'], interval: 10, retries: 3 };
  return `${JSON.stringify(definition, null, 2)}\n`;
}

/** A repository whose head changes api (with a new migration and task definition) and web, not worker. */
function shopRepo(): { repo: TestRepo; base: string; head: string } {
  const repo = TestRepo.create();
  repos.push(repo);
  const files: Files = {
    '.github/services.yml': MANIFEST,
    'apps/api/src/server.ts': 'export {};\n',
    'apps/web/src/page.tsx': 'export {};\n',
    'services/worker/main.go': 'package main\n',
    'packages/db/prisma/schema.prisma': 'datasource db { provider = "postgresql" url = env("DATABASE_URL") }\n',
    'packages/db/prisma/migrations/20260101000000_init/migration.sql': 'CREATE TABLE "User" (id TEXT PRIMARY KEY);\n',
  };
  const base = repo.commit('Shop', files);
  const head = repo.commit('Orders', {
    'apps/api/src/server.ts': 'export const orders = true;\n',
    'apps/web/src/page.tsx': 'export const orders = true;\n',
    'packages/db/prisma/migrations/20260101000000_init/migration.sql': 'CREATE TABLE "User" (id TEXT PRIMARY KEY, email TEXT);\n',
    'packages/db/prisma/migrations/20261201093000_add_orders/migration.sql': 'CREATE TABLE "Order" (id TEXT PRIMARY KEY);\n',
    'deploy/api.json': apiTaskDefinition(),
  });
  return { repo, base, head };
}

function planRun(repo: TestRepo, head: string, inputs: Record<string, string>, env: Record<string, string | undefined>, event: { name: string; payload: Record<string, unknown> } = { name: 'push', payload: {} }) {
  return runAction('changes', { cwd: repo.dir, eventName: event.name, event: event.payload, env: { GITHUB_SHA: head, ...env }, inputs: { plan: 'true', ...inputs } });
}

const planOf = (run: ActionResult): DeployPlan => {
  if (!run.outputs.plan) throw new Error(`no plan output:\n${run.log}`);
  return JSON.parse(run.outputs.plan) as DeployPlan;
};

/** Credentials of no kind: no keys in the environment and a home without ~/.aws. */
function noCredentials(): Record<string, string | undefined> {
  const home = mkdtempSync(join(tmpdir(), 'plan-home-'));
  homes.push(home);
  return { HOME: home, AWS_EC2_METADATA_DISABLED: 'true' };
}

const LIVE_API_DIGEST = `sha256:${'4a'.repeat(32)}`;

async function ecrDigest(repository: string, tag: string): Promise<string> {
  const ecr = new ECRClient({ region: TEST_REGION, endpoint: motoUrl(), credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: tag }] }));
  return imageDetails![0]!.imageDigest!;
}

describe('the plan before the change', () => {
  it('shows per environment the image now and next with digests, the task definition beyond the image with secrets hidden, the new migrations, and an environment it may not read', async () => {
    const { repo, base, head } = shopRepo();
    const sim = await simulator(
      {
        clusters: ['shop-staging', 'shop-prod'],
        taskDefinitions: [taskDefinition('shop-api', 'good'), taskDefinition('shop-web', 'good')],
        services: [
          { cluster: 'shop-staging', name: 'shop-api', taskDefinition: 'shop-api' },
          { cluster: 'shop-staging', name: 'shop-web', taskDefinition: 'shop-web' },
        ],
      },
      // What the registry answers for the tag the live api runs: the digest its tasks report.
      { resolveDigest: (image) => (image === `${REGISTRY}/shop-api:good` ? LIVE_API_DIGEST : undefined) },
    );
    await pushImageToEcr('shop-api', head);
    const run = await planRun(repo, head, { base, 'plan-task-definitions': 'api=deploy/api.json', 'plan-variables': 'DB_PASSWORD=hunter2\nFEATURE_ORDERS=true' }, { ...awsTestEnv(), ...sim.env() });
    expect(run.code).toBe(0);
    const plan = planOf(run);
    expect(plan).toMatchObject({ head, services: ['api', 'web'], reaches: ['staging', 'production'] });
    expect(plan.migrations).toEqual({ services: ['api'], added: [{ name: '20261201093000_add_orders', file: 'packages/db/prisma/migrations/20261201093000_add_orders/migration.sql' }] });

    const [staging, production] = plan.environments;
    expect(staging).toMatchObject({ name: 'staging', account: TEST_ACCOUNT, region: TEST_REGION, aws: { read: true } });
    const [api, web] = staging!.services;
    expect(api).toMatchObject({
      service: 'api',
      cluster: 'shop-staging',
      ecsService: 'shop-api',
      now: { image: `${REGISTRY}/shop-api:good`, digests: [LIVE_API_DIGEST], taskDefinition: 'shop-api:1' },
      next: { image: `${REGISTRY}/shop-api:${head}`, digest: await ecrDigest('shop-api', head), note: 'in the registry' },
    });
    expect(api!.changes).toEqual([
      { what: 'task CPU', change: 'changed', from: '256', to: '512' },
      { what: 'task memory', change: 'changed', from: '512', to: '1024' },
      { what: 'environment LOG_LEVEL', change: 'added', to: 'debug' },
      { what: 'environment STRIPE_API_KEY', change: 'added', note: 'value hidden' },
      { what: 'environment DB_PASSWORD', change: 'added', note: 'value hidden' },
      { what: 'environment FEATURE_ORDERS', change: 'added', to: 'true' },
      { what: 'secret SESSION_SECRET', change: 'added', to: 'from shop-api/session' },
      { what: 'health check', change: 'changed', from: 'none', to: 'curl -f http://localhost:3000/healthz || exit 1 (every 10s, 3 retries)' },
    ]);
    expect(web).toMatchObject({ service: 'web', next: { image: `${REGISTRY}/shop-web:${head}`, note: 'built by this run' } });
    expect(web!.next.digest).toBeUndefined();
    expect(web!.changes).toEqual([
      { what: 'environment DB_PASSWORD', change: 'added', note: 'value hidden' },
      { what: 'environment FEATURE_ORDERS', change: 'added', to: 'true' },
    ]);

    // Production is another account: these credentials are refused, and the plan still says what it can.
    expect(production!.aws).toEqual({ read: false, reason: expect.stringContaining(`is not the account of the manifest environment "production"`) });
    expect(production!.services.map((service) => [service.service, service.cluster, service.next.image, service.now])).toEqual([
      ['api', 'shop-prod', `${PRODUCTION_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/shop-api:${head}`, undefined],
      ['web', 'shop-prod', `${PRODUCTION_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/shop-web:${head}`, undefined],
    ]);

    expect(run.summary).toContain(`<h3>Changed services: 2 of 3</h3>`);
    expect(run.summary).toContain(`</table>\n\n### Deployment plan for ${head.slice(0, 7)}: 2 services (api, web), reaching staging → production.`);
    expect(run.summary).toContain('<code>20261201093000_add_orders</code>');
    expect(run.summary).toContain('environment STRIPE_API_KEY added (value hidden)');
    expect(run.summary).toContain('environment LOG_LEVEL added: <code>debug</code>');
    expect(run.summary).toMatch(/#### production \(account 210987654321, us-east-1\)\n\n⚠️ AWS cannot be read: /);
    expect(run.log).toContain(`next: shop-api:${head.slice(0, 12)} (sha256:`);
    // Nothing changed at ECS: the plan only reads.
    expect(sim.calls.filter((call) => !/^(Describe|List)/.test(call.operation))).toEqual([]);
    for (const secret of ['hunter2', 'sk_live_4eC39HqLyjWDarjtT1zdp7dc']) {
      expect(run.summary).not.toContain(secret);
      expect(unmaskedLines(run.log, secret)).toEqual([]);
      expect(run.outputs.plan).not.toContain(secret);
    }
    // A secret-looking value given to the step is masked before anything is printed.
    expect(run.log.indexOf('::add-mask::hunter2')).toBeLessThan(run.log.indexOf('::group::Planning the deployment'));
  });

  it('without AWS credentials says so per environment and still shows the services, migrations and next tags', async () => {
    const { repo, base, head } = shopRepo();
    const run = await planRun(repo, head, { base }, noCredentials());
    expect([run.code, run.stderr]).toEqual([0, '']);
    const plan = planOf(run);
    expect(plan.migrations.added.map((folder) => folder.name)).toEqual(['20261201093000_add_orders']);
    expect(plan.environments.map((environment) => [environment.name, environment.aws])).toEqual([
      ['staging', { read: false, reason: 'no AWS credentials: no role to assume (input or manifest) and none in the environment' }],
      ['production', { read: false, reason: 'no AWS credentials: no role to assume (input or manifest) and none in the environment' }],
    ]);
    expect(plan.environments[0]!.services.map((service) => [service.service, service.next])).toEqual([
      ['api', { image: `${TEST_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/shop-api:${head}`, note: 'built by this run' }],
      ['web', { image: `${TEST_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com/shop-web:${head}`, note: 'built by this run' }],
    ]);
    expect(run.summary).toContain('⚠️ No AWS credentials: no role to assume (input or manifest) and none in the environment.');
    expect(run.log).not.toContain('::warning');
  });

  it('plans only the environments asked for, and refuses an unknown one naming the input', async () => {
    const { repo, base, head } = shopRepo();
    const one = await planRun(repo, head, { base, 'plan-environments': 'production' }, noCredentials());
    expect(one.code).toBe(0);
    expect(planOf(one).environments.map((environment) => environment.name)).toEqual(['production']);
    expect(planOf(one).reaches).toEqual(['staging', 'production']);

    const wrong = await planRun(repo, head, { base, 'plan-environments': 'staging, prodution' }, noCredentials());
    expect(wrong.code).toBe(1);
    expect(wrong.log).toContain('Input "plan-environments" is "prodution", which is not an environment of .github/services.yml. Did you mean "production"?');
  });

  it('posts the plan as one pull-request comment, updated on the next run, with the token masked', async () => {
    const { repo, base, head } = shopRepo();
    const github = await startGitHubApi('acme/shop', { existing: [{ issue: 7, body: 'Looks good to me' }] });
    servers.push(github);
    const event = { name: 'pull_request', payload: { number: 7, pull_request: { number: 7, base: { sha: base, ref: 'main' }, head: { sha: head } } } };
    const env = { ...noCredentials(), GITHUB_API_URL: github.url };
    const inputs = { comment: 'true', 'github-token': 'ghs_write' };

    const first = await planRun(repo, head, inputs, env, event);
    expect([first.code, first.stderr]).toEqual([0, '']);
    expect(first.log).toMatch(/Plan comment created: https:\/\/github.com\/acme\/shop\/pull\/7#issuecomment-\d+/);
    repo.commit('Worker too', { 'services/worker/main.go': 'package main // 2\n' });
    const second = await planRun(repo, repo.sha(), inputs, env, event);
    expect(second.code).toBe(0);
    expect(second.log).toMatch(/Plan comment updated: /);

    const comments = github.comments.filter((comment) => comment.issue === 7);
    expect(comments.map((comment) => comment.user)).toEqual(['someone', 'github-actions[bot]']);
    expect(comments[0]!.body).toBe('Looks good to me');
    expect(comments[1]!.body).toContain('<!-- berth-plan: .github/services.yml -->');
    expect(comments[1]!.body).toContain('3 services (api, web, worker), reaching staging → production');
    expect(github.requests.filter((request) => request.method !== 'GET').map((request) => [request.method, request.status])).toEqual([
      ['POST', 201],
      ['PATCH', 200],
    ]);
    expect(github.requests.every((request) => request.authorization === 'token ghs_write')).toBe(true);
    expect(unmaskedLines(first.log + second.log, 'ghs_write')).toEqual([]);
  });

  it('a token that may not comment leaves a warning and the plan in the summary, not a failed step', async () => {
    const { repo, base, head } = shopRepo();
    const github = await startGitHubApi('acme/shop', { readOnlyToken: 'ghs_read' });
    servers.push(github);
    const event = { name: 'pull_request', payload: { pull_request: { number: 9, base: { sha: base, ref: 'main' } } } };
    const run = await planRun(repo, head, { comment: 'true', 'github-token': 'ghs_read' }, { ...noCredentials(), GITHUB_API_URL: github.url }, event);
    expect(run.code).toBe(0);
    expect(run.log).toContain('The plan could not be posted on pull request #9');
    expect(run.log).toContain('permissions: pull-requests: write');
    expect(run.summary).toContain('### Deployment plan for');
    expect(github.comments).toEqual([]);
  });
});
