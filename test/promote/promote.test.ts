/**
 * The built promote action between two accounts: staging in one (with the build registry), production
 * in another with a registry of its own. moto plays both accounts (each role assumed with the loopback
 * OIDC server acts in its own account), two docker-registry stand-ins play the registries.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { awsTestEnv, motoUrl, TEST_ACCOUNT, useMoto } from '../../standins/moto.js';
import { startOidcServer, type OidcServer } from '../../standins/oidc-server.js';
import { startRegistry, type Registry } from '../../standins/docker.js';
import { runAction, type ActionResult } from '../../standins/run-action.js';
import { failureText, startAwsRecorder } from '../catalog/catalog.js';
import { pushBuild, removeWorkspaces, seedEnvironment, setRepositoryPolicy, workspace } from './fixtures.js';

const PROD_ACCOUNT = '222222222222';
const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const OLD_SHA = '0ff1ce0ff1ce0ff1ce0ff1ce0ff1ce0ff1ce0ff1';
const BUILD_AUTH = `AWS:${TEST_ACCOUNT}-auth-token`;
const PROD_AUTH = `AWS:${PROD_ACCOUNT}-auth-token`;
const PROD_EXECUTION_ROLE = `arn:aws:iam::${PROD_ACCOUNT}:role/ecsTaskExecutionRole`;

function manifest(build: Registry, prod: Registry, images: 'copy' | 'pull'): string {
  return `region: us-east-1
role: arn:aws:iam::${TEST_ACCOUNT}:role/deployer
cluster: shop-staging
registry: ${build.host}
services:
  api:
    paths: [apps/api/**]
    repository: shop-api
    ecs: { service: shop-api, container: api }
    migrate: { command: [npx, prisma, migrate, deploy] }
  web:
    paths: [apps/web/**]
    repository: shop-web
    ecs: { service: shop-web, container: web }
environments:
  staging:
    account: "${TEST_ACCOUNT}"
  production:
    account: "${PROD_ACCOUNT}"
    role: arn:aws:iam::${PROD_ACCOUNT}:role/deployer
    cluster: shop-prod
${images === 'copy' ? `    registry: ${prod.host}\n` : ''}    images: ${images}
`;
}

interface Promotion {
  from?: string;
  to: string;
  commit?: string;
  images: string;
  migrate: boolean;
  services: { name: string; changed: boolean; reason: string; action: string; source?: { image: string; digest: string }; target?: { image: string; digest: string }; running?: { image: string; digest?: string } }[];
}

describe('promoting between accounts', () => {
  useMoto();
  let oidc: OidcServer;
  let build: Registry;
  let prod: Registry;
  beforeAll(async () => {
    [oidc, build, prod] = await Promise.all([startOidcServer(), startRegistry('AWS', `${TEST_ACCOUNT}-auth-token`), startRegistry('AWS', `${PROD_ACCOUNT}-auth-token`)]);
  });
  afterAll(async () => {
    await Promise.all([oidc?.close(), build?.stop(), prod?.stop()]);
  });
  afterEach(removeWorkspaces);

  const promote = (inputs: Record<string, string>, cwd: string, endpoint = motoUrl()): Promise<ActionResult> =>
    runAction('promote', { inputs, cwd, env: { ...awsTestEnv(), AWS_ENDPOINT_URL: endpoint, ...oidc.env() }, timeoutMs: 90_000 });
  const resultOf = (run: ActionResult): Promotion => {
    if (!run.outputs.result) throw new Error(`no result output:\n${run.log}`);
    return JSON.parse(run.outputs.result) as Promotion;
  };

  /** Staging runs api (two platforms) and web of SHA; production runs an older api and the same web. */
  async function stagingAhead(): Promise<{ api: { digest: string; children: string[] }; web: { digest: string } }> {
    const api = await pushBuild(build, BUILD_AUTH, 'shop-api', SHA, ['linux/amd64', 'linux/arm64']);
    const web = await pushBuild(build, BUILD_AUTH, 'shop-web', SHA, ['linux/amd64']);
    const oldApi = await pushBuild(prod, PROD_AUTH, 'shop-api', OLD_SHA, ['linux/amd64']);
    await seedEnvironment(TEST_ACCOUNT, 'shop-staging', [
      { name: 'shop-api', container: 'api', image: `${build.host}/shop-api:${SHA}` },
      { name: 'shop-web', container: 'web', image: `${build.host}/shop-web:${SHA}` },
    ]);
    await seedEnvironment(
      PROD_ACCOUNT,
      'shop-prod',
      [
        { name: 'shop-api', container: 'api', image: `${prod.host}/shop-api@${oldApi.digest}` },
        { name: 'shop-web', container: 'web', image: `${prod.host}/shop-web@${web.digest}` },
      ],
      ['shop-api', 'shop-web'],
    );
    return { api, web };
  }

  it('copies what staging runs into production by digest, manifest list and platforms included, and only the services that differ', async () => {
    const { api, web } = await stagingAhead();
    const cwd = workspace(manifest(build, prod, 'copy'));
    const run = await promote({ to: 'production' }, cwd);
    expect([run.code, failureText(run)]).toEqual([0, '']);

    expect(JSON.parse(run.outputs.services!)).toEqual(['api']);
    expect(run.outputs['any-changed']).toBe('true');
    expect(JSON.parse(run.outputs.images!)).toEqual({ api: `${prod.host}/shop-api@${api.digest}` });
    expect(run.outputs.migrate).toBe('true');
    expect(JSON.parse(run.outputs['migrate-services']!)).toEqual(['api']);
    expect(JSON.parse(run.outputs.matrix!).include).toEqual([expect.objectContaining({ service: 'api', cluster: 'shop-prod', 'ecs-service': 'shop-api', container: 'api', migrate: true })]);
    expect([run.outputs.api, run.outputs.web]).toEqual(['true', 'false']);

    // Byte-identical: the same index, its platforms, under the commit tag.
    expect(await prod.digest('shop-api', SHA)).toBe(api.digest);
    expect((await prod.manifest('shop-api', api.digest)).body).toBe((await build.manifest('shop-api', api.digest)).body);
    for (const child of api.children) expect(await prod.digest('shop-api', child)).toBe(child);

    const result = resultOf(run);
    expect(result).toMatchObject({ from: 'staging', to: 'production', images: 'copy', migrate: true });
    expect(result.services.map((service) => [service.name, service.changed, service.action])).toEqual([
      ['api', true, 'copied'],
      ['web', false, 'unchanged'],
    ]);
    expect(result.services[0]!.source).toEqual({ image: `${build.host}/shop-api:${SHA}`, digest: api.digest });
    expect(result.services[1]!.reason).toBe(`"production" already runs ${web.digest.slice(0, 19)}`);
    expect(run.log).toContain(`AWS account ${PROD_ACCOUNT} is allowed.`);
    // Registry passwords are masked before anything could print them, and printed nowhere else.
    expect(run.stdout).toContain(`::add-mask::${PROD_ACCOUNT}-auth-token`);
    expect(run.log.split('\n').filter((line) => line.includes('-auth-token') && !line.startsWith('::add-mask::'))).toEqual([]);
    expect(run.summary).toContain('Promote to &quot;production&quot; from &quot;staging&quot;: 1 of 2 services to deploy');
    expect(run.summary).toContain(`<code>${api.digest.slice(0, 19)}</code>`);

    // A second promotion finds the image already there and copies nothing.
    const again = await promote({ to: 'production' }, cwd);
    expect(again.code).toBe(0);
    expect(resultOf(again).services.map((service) => service.action)).toEqual(['already-present', 'unchanged']);
    expect(again.log).toContain(`${prod.host}/shop-api already has ${api.digest}; nothing to copy.`);
    expect(again.log).not.toMatch(/Copying blob|Copying sha256/);
  });

  it('promotes the images of a commit from the build registry, and refuses a commit that was not built', async () => {
    const { api } = await stagingAhead();
    const cwd = workspace(manifest(build, prod, 'copy'));
    const run = await promote({ to: 'production', commit: SHA.toUpperCase(), services: 'api' }, cwd);
    expect([run.code, failureText(run)]).toEqual([0, '']);
    expect(resultOf(run)).toMatchObject({ commit: SHA, services: [{ name: 'api', action: 'copied', target: { image: `${prod.host}/shop-api@${api.digest}`, digest: api.digest } }] });

    const recorder = await startAwsRecorder(motoUrl());
    try {
      const unbuilt = 'b'.repeat(40);
      const refused = await promote({ to: 'production', commit: unbuilt, services: 'api, web' }, cwd, recorder.url);
      expect(refused.code).toBe(1);
      const text = failureText(refused);
      expect(text).toContain(`api: the build registry ${build.host} has no image shop-api:${unbuilt}`);
      expect(text).toContain(`web: the build registry ${build.host} has no image shop-web:${unbuilt}`);
      expect(text).toContain(`Run the build for commit ${unbuilt} first`);
      expect(recorder.mutating()).toEqual([]);
    } finally {
      await recorder.close();
    }
  });

  it('refuses a pull the build repository does not allow, naming the repository, the role and the statement, before any change', async () => {
    await stagingAhead();
    await setRepositoryPolicy(TEST_ACCOUNT, 'shop-api', { Version: '2012-10-17', Statement: [{ Sid: 'Dev', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: ['ecr:BatchGetImage'] }] });
    const cwd = workspace(manifest(build, prod, 'pull'));
    const tags = await prod.tags('shop-api');
    const recorder = await startAwsRecorder(motoUrl());
    try {
      const run = await promote({ to: 'production' }, cwd, recorder.url);
      expect(run.code).toBe(1);
      const text = failureText(run);
      expect(text).toContain(`api: ${PROD_EXECUTION_ROLE} may not pull from ${build.host}/shop-api: no statement allows ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability`);
      expect(text).toContain(`Add to the policy of the repository "shop-api" in account ${TEST_ACCOUNT}`);
      expect(text).toContain(`{"Sid":"BerthPull","Effect":"Allow","Principal":{"AWS":"${PROD_EXECUTION_ROLE}"}`);
      expect(text).toContain('nothing was changed');
      expect(recorder.mutating()).toEqual([]);
      expect(await prod.tags('shop-api')).toEqual(tags);
    } finally {
      await recorder.close();
    }
  });

  it('lets production pull from the build registry when its policy allows the execution role', async () => {
    const { api } = await stagingAhead();
    await setRepositoryPolicy(TEST_ACCOUNT, 'shop-api', {
      Version: '2012-10-17',
      Statement: [{ Sid: 'ProductionPulls', Effect: 'Allow', Principal: { AWS: PROD_EXECUTION_ROLE }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] }],
    });
    const tags = await prod.tags('shop-api');
    const run = await promote({ to: 'production', from: 'staging' }, workspace(manifest(build, prod, 'pull')));
    expect([run.code, failureText(run)]).toEqual([0, '']);
    expect(JSON.parse(run.outputs.images!)).toEqual({ api: `${build.host}/shop-api@${api.digest}` });
    expect(resultOf(run).services.map((service) => [service.name, service.action])).toEqual([
      ['api', 'pull-allowed'],
      ['web', 'unchanged'],
    ]);
    expect(run.log).toContain(`api: the policy of ${build.host}/shop-api allows it (statement "ProductionPulls").`);
    expect(await prod.tags('shop-api')).toEqual(tags);
  });
});
