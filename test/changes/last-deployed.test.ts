import { afterEach, describe, expect, it } from '@jest/globals';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { createClient } from '../../shared/aws/client.js';
import { awsTestEnv, pushImageToEcr, TEST_ACCOUNT, TEST_REGION, useMoto } from '../../standins/moto.js';
import { runAction } from '../../standins/run-action.js';
import { TestRepo } from '../../standins/git-repo.js';
import { SHOP_MANIFEST, shopFiles } from './shop.js';

useMoto();
const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

const ecs = () => createClient(ECSClient, { region: TEST_REGION });
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

/** An ECS service whose PRIMARY deployment runs `image` in `container`. */
async function deploy(service: string, container: string, image: string): Promise<void> {
  const client = ecs();
  const { taskDefinition } = await client.send(
    new RegisterTaskDefinitionCommand({
      family: service,
      networkMode: 'bridge',
      requiresCompatibilities: ['EC2'],
      containerDefinitions: [
        { name: container, image, memory: 256, essential: true },
        { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', memory: 64, essential: false },
      ],
    }),
  );
  await client.send(new CreateServiceCommand({ cluster: 'shop-prod', serviceName: service, taskDefinition: taskDefinition!.taskDefinitionArn!, desiredCount: 1, launchType: 'EC2' }));
}

function sinceDeployed(repo: TestRepo, head: string) {
  return runAction('changes', {
    cwd: repo.dir,
    eventName: 'push',
    event: { before: repo.sha('HEAD~1'), after: head, forced: false, ref: 'refs/heads/main' },
    env: { ...awsTestEnv(), GITHUB_SHA: head },
    inputs: { since: 'last-deployed', 'aws-region': TEST_REGION },
  });
}

const reasons = (result: Awaited<ReturnType<typeof sinceDeployed>>) =>
  Object.fromEntries((JSON.parse(result.outputs.result!) as { services: { name: string; changed: boolean; reason: string }[] }).services.map((s) => [s.name, [s.changed, s.reason]]));

describe('since: last-deployed', () => {
  it('compares each service with the commit its ECS service runs, so a failed deploy is retried on the next push', async () => {
    const repo = TestRepo.create();
    repos.push(repo);
    const first = repo.commit('Shop', shopFiles());
    const apiChange = repo.commit('Api', { 'apps/api/src/server.ts': 'export const a = 1;\n' });
    const head = repo.commit('Unrelated web change', { 'apps/web/src/page.tsx': 'export const b = 2;\n' });

    await ecs().send(new CreateClusterCommand({ clusterName: 'shop-prod' }));
    // api's deploy of apiChange went through; web still runs the first commit (its deploy of
    // apiChange failed); worker has never been deployed.
    await deploy('shop-api', 'api', `${REGISTRY}/shop-api:${apiChange}`);
    await deploy('web', 'web', `${REGISTRY}/shop-web:${first}`);

    const result = await sinceDeployed(repo, head);
    expect(result.code).toBe(0);
    expect(result.outputs.services).toBe('["web","worker"]');
    expect(reasons(result)).toEqual({
      api: [false, `nothing it uses changed since the deployed commit ${apiChange.slice(0, 7)}`],
      web: [true, '1 file changed: apps/web/src/page.tsx'],
      worker: [true, 'ECS service worker in cluster shop-prod does not exist yet, so nothing is deployed'],
    });
    expect(JSON.parse(result.outputs.result!).base).toBe('');
    expect(result.summary).toContain('<th>Compared with</th>');
    expect(result.summary).toContain(`<tr><td><code>api</code></td><td>— no</td><td><code>${apiChange.slice(0, 7)}</code></td>`);
    expect(result.summary).toContain('<tr><td><code>worker</code></td><td>✅ yes</td><td>—</td>');
    expect(result.log).toContain(`api: ECS service shop-api in cluster shop-prod runs ${REGISTRY}/shop-api:${apiChange}`);
  });

  it('an image that is not tagged with a commit of the repository means changed', async () => {
    const repo = TestRepo.create();
    repos.push(repo);
    repo.commit('Shop', shopFiles());
    const head = repo.commit('Docs', { 'apps/api/README.md': '# docs\n' });
    await ecs().send(new CreateClusterCommand({ clusterName: 'shop-prod' }));
    await deploy('shop-api', 'api', `${REGISTRY}/shop-api:latest`);
    await deploy('web', 'web', `${REGISTRY}/shop-web:${'f'.repeat(40)}`);
    await deploy('worker', 'worker', `${REGISTRY}/shop-worker@sha256:${'0'.repeat(64)}`);

    const result = await sinceDeployed(repo, head);
    expect(result.code).toBe(0);
    const found = reasons(result);
    expect(found.api).toEqual([true, `it runs ${REGISTRY}/shop-api:latest, whose tag "latest" is not a commit id`]);
    expect(found.web![0]).toBe(true);
    expect(found.web![1]).toBe("the deployed commit fffffff is not in this repository's history and could not be fetched");
    expect(found.worker).toEqual([true, `it runs ${REGISTRY}/shop-worker@sha256:${'0'.repeat(64)}, whose reference (no tag) is not a commit id, and ECR does not have its digest in shop-worker`]);
  });

  it('reads the commit of an image pinned by digest, as a promotion deploys it, from the tag ECR gives that digest', async () => {
    const repo = TestRepo.create();
    repos.push(repo);
    repo.commit('Shop', shopFiles());
    const apiChange = repo.commit('Api', { 'apps/api/src/server.ts': 'export const a = 1;\n' });
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const b = 2;\n' });
    await ecs().send(new CreateClusterCommand({ clusterName: 'shop-prod' }));
    await pushImageToEcr('shop-api', apiChange);
    const ecr = createClient(ECRClient, { region: TEST_REGION });
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'shop-api', imageIds: [{ imageTag: apiChange }] }));
    ecr.destroy();
    const pinned = `${REGISTRY}/shop-api@${imageDetails![0]!.imageDigest!}`;
    await deploy('shop-api', 'api', pinned);

    const result = await sinceDeployed(repo, head);
    expect(result.code).toBe(0);
    expect(reasons(result).api).toEqual([false, `nothing it uses changed since the deployed commit ${apiChange.slice(0, 7)}`]);
    expect(result.log).toContain(`api: ECS service shop-api in cluster shop-prod runs ${pinned} (shop-api:1, the digest ECR tags ${apiChange}).`);
  });
});

describe('since: last-deployed in a manifest environment', () => {
  const environments = (productionAccount: string) => `${SHOP_MANIFEST}environments:
  staging:
    account: "${TEST_ACCOUNT}"
    cluster: shop-staging
  production:
    account: "${productionAccount}"
`;

  async function runs(cluster: string, service: string, container: string, image: string): Promise<void> {
    const client = ecs();
    const { taskDefinition } = await client.send(
      new RegisterTaskDefinitionCommand({ family: `${cluster}-${service}`, networkMode: 'bridge', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: container, image, memory: 256, essential: true }] }),
    );
    await client.send(new CreateServiceCommand({ cluster, serviceName: service, taskDefinition: taskDefinition!.taskDefinitionArn!, desiredCount: 1, launchType: 'EC2' }));
  }

  function inEnvironment(repo: TestRepo, head: string, environment: string) {
    return runAction('changes', {
      cwd: repo.dir,
      eventName: 'push',
      event: { before: repo.sha('HEAD~1'), after: head, forced: false, ref: 'refs/heads/main' },
      env: { ...awsTestEnv(), GITHUB_SHA: head },
      inputs: { since: 'last-deployed', 'manifest-environment': environment },
    });
  }

  it("compares each service with the commit that environment runs, in the environment's cluster", async () => {
    const repo = TestRepo.create();
    repos.push(repo);
    const first = repo.commit('Shop', shopFiles(environments(TEST_ACCOUNT)));
    const apiChange = repo.commit('Api', { 'apps/api/src/server.ts': 'export const a = 1;\n' });
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const b = 2;\n' });
    for (const cluster of ['shop-staging', 'shop-prod']) await ecs().send(new CreateClusterCommand({ clusterName: cluster }));
    // Staging already runs apiChange; production still runs the first commit.
    await runs('shop-staging', 'shop-api', 'api', `${REGISTRY}/shop-api:${apiChange}`);
    await runs('shop-staging', 'web', 'web', `${REGISTRY}/shop-web:${apiChange}`);
    await runs('shop-prod', 'shop-api', 'api', `${REGISTRY}/shop-api:${first}`);
    await runs('shop-prod', 'web', 'web', `${REGISTRY}/shop-web:${first}`);

    const staging = await inEnvironment(repo, head, 'staging');
    expect(staging.code).toBe(0);
    expect(reasons(staging)).toEqual({
      api: [false, `nothing it uses changed since the deployed commit ${apiChange.slice(0, 7)}`],
      web: [true, '1 file changed: apps/web/src/page.tsx'],
      worker: [true, 'ECS service worker in cluster shop-staging does not exist yet, so nothing is deployed'],
    });
    expect((JSON.parse(staging.outputs.matrix!) as { include: { cluster: string }[] }).include.map((entry) => entry.cluster)).toEqual(['shop-staging', 'shop-staging']);
    expect(staging.log).toContain(`Manifest environment "staging": account ${TEST_ACCOUNT}`);
    expect(staging.log).toContain(`AWS account ${TEST_ACCOUNT} is allowed.`);
    expect(staging.summary).toContain('per service, the commit its ECS service runs now in staging');

    const production = await inEnvironment(repo, head, 'production');
    expect(production.code).toBe(0);
    expect(reasons(production)).toEqual({
      api: [true, '1 file changed: apps/api/src/server.ts'],
      web: [true, '1 file changed: apps/web/src/page.tsx'],
      worker: [true, 'ECS service worker in cluster shop-prod does not exist yet, so nothing is deployed'],
    });
  });

  it("refuses credentials of another account than the environment's, before comparing anything", async () => {
    const repo = TestRepo.create();
    repos.push(repo);
    repo.commit('Shop', shopFiles(environments('210987654321')));
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const b = 2;\n' });
    const run = await inEnvironment(repo, head, 'production');
    expect(run.code).toBe(1);
    expect(run.log).toContain(`is in account ${TEST_ACCOUNT}, which is not the account of the manifest environment "production" (.github/services.yml) (210987654321).`);
    expect(run.outputs.services).toBeUndefined();
  });

  it('names the input when the environment is not in the manifest', async () => {
    const repo = TestRepo.create();
    repos.push(repo);
    repo.commit('Shop', shopFiles(environments(TEST_ACCOUNT)));
    const head = repo.commit('Web', { 'apps/web/src/page.tsx': 'export const b = 2;\n' });
    const run = await inEnvironment(repo, head, 'stagign');
    expect(run.code).toBe(1);
    expect(run.log).toContain('Input "manifest-environment" is "stagign", which is not an environment of .github/services.yml. Did you mean "staging"?');
  });
});
