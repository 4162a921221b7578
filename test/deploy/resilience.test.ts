/**
 * What must not break a deploy (throttling, credentials outliving a wait), and what must not be
 * rolled back blindly (a rollback target that fails too, a deployment someone else replaced, a
 * "previous" revision that never ran).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECSClient, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { startOidcServer } from '../../standins/oidc-server.js';
import { startScriptedAws } from '../../standins/scripted-aws.js';
import { useMoto, TEST_REGION } from '../../standins/moto.js';
import { startAction } from '../../standins/run-action.js';
import { waitFor } from '../../standins/ports.js';
import { awsTestEnv } from '../../standins/moto.js';
import { CLUSTER, FAST, SCENARIOS, deploy, errors, image, resultOf, shop, simulator, taskDefinition, workspace } from './fixtures.js';
import type { EcsSimulator } from '../../standins/ecs-simulator/index.js';

const MANIFEST = `cluster: ${CLUSTER}\nservices:\n  api:\n    paths: [apps/api/**]\n    repository: shop-api\n    ecs: { service: shop-api, container: api }\n`;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

const simEcs = (sim: EcsSimulator) => new ECSClient({ region: TEST_REGION, endpoint: sim.url, credentials: { accessKeyId: 'operator', secretAccessKey: 'operator' } });

describe('what must not fail a deploy', () => {
  useMoto();

  it('throttling while polling: skips the poll and goes on', async () => {
    const sim = await simulator(shop(['shop-api']), {
      // After validation and the first poll, five DescribeServices in a row are refused: the SDK's five
      // attempts give up, so one poll is lost.
      throttling: [{ operation: 'DescribeServices', afterCalls: 2, count: 5 }],
    });
    const run = await deploy({ services: 'api', 'image-tag': 'v2', ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(0);
    expect(resultOf(run).services[0]!.outcome).toBe('deployed');
    expect(run.log).toMatch(/DescribeServices for shop-api in shop-prod: throttled \(ThrottlingException\); skipping this poll\./);
    expect(sim.calls.filter((call) => call.error === 'ThrottlingException')).toHaveLength(5);
  });

  it('credentials that expire during a long wait are renewed through OIDC', async () => {
    const oidc = await startOidcServer();
    closers.push(() => oidc.close());
    let issued = 0;
    // Credentials that STS says expire 5 minutes and 1.5 seconds from now: the session renews them after 1.5 s.
    const sts = await startScriptedAws(() => {
      issued++;
      const expiration = new Date(Date.now() + 5 * 60_000 + 1500).toISOString();
      return {
        status: 200,
        headers: { 'content-type': 'text/xml' },
        body:
          '<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>' +
          `<AccessKeyId>ASIAROTATING${String(issued).padStart(8, '0')}</AccessKeyId><SecretAccessKey>secret-${issued}</SecretAccessKey>` +
          `<SessionToken>token-${issued}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
          '<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/github-actions-deployer/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>' +
          '</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>',
      };
    });
    closers.push(() => sts.close());
    // ECS refuses any access key 2.5 s after it was first used, as AWS does once credentials expire.
    const sim = await simulator(shop(['shop-api']), { credentials: { validForMs: 2500 } });
    const run = await deploy(
      { services: 'api', images: `api=${image('shop-api', 'slow')}`, 'role-to-assume': 'arn:aws:iam::123456789012:role/github-actions-deployer', 'poll-interval': '200ms', 'wait-timeout': '30s' },
      { sim, cwd: workspace(MANIFEST), env: { ...oidc.env(), AWS_ENDPOINT_URL_STS: sts.url } },
    );
    expect(run.code).toBe(0);
    expect(resultOf(run).services[0]!.outcome).toBe('deployed');
    expect(issued).toBeGreaterThanOrEqual(3);
    expect(sim.calls.filter((call) => call.error === 'ExpiredTokenException')).toEqual([]);
  });

  it('credentials that cannot be renewed: fails saying so, without a blind rollback', async () => {
    const sim = await simulator(shop(['shop-api']), { credentials: { validForMs: 1500 } });
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'slow')}`, 'poll-interval': '200ms', 'wait-timeout': '30s' }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(1);
    const [api] = resultOf(run).services;
    expect(api!.outcome).toBe('failed');
    // Whichever call of the poll comes first after the credentials expire.
    expect(api!.reason).toMatch(/watching the rollout failed: ECS (DescribeServices|ListTasks|DescribeTasks) was rejected because the AWS credentials are not valid: ExpiredTokenException/);
    expect(api!.reason).toContain('not rolled back');
    expect(errors(run).join('\n')).toContain('Set role-to-assume so the action gets fresh credentials through GitHub OIDC');
    expect(sim.calls.filter((call) => call.operation === 'UpdateService')).toHaveLength(1);
  });
});

describe('rolling back', () => {
  useMoto();

  it('goes to the last revision that ran successfully, not to revision number minus one', async () => {
    const sim = await simulator({
      clusters: [CLUSTER],
      taskDefinitions: [taskDefinition('shop-api', 'good'), taskDefinition('shop-api', 'never-ran')],
      services: [{ cluster: CLUSTER, name: 'shop-api', taskDefinition: 'shop-api:1' }],
    });
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'crash')}`, ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(1);
    const [api] = resultOf(run).services;
    expect(api).toMatchObject({ revision: 3, outcome: 'rolled-back', rolledBackTo: expect.stringMatching(/shop-api:1$/) });
    expect(run.log).toContain('[api] rolling back to shop-api:1, the last revision that ran successfully (ECS deployment history).');
  });

  it('skips a live revision that never deployed successfully (left behind by an earlier failed rollout)', async () => {
    const sim = await simulator(shop(['shop-api'], { circuitBreaker: { enable: true, rollback: false } }));
    // An earlier deploy of a crashing build, with the circuit breaker and no rollback: the service is left on revision 2.
    const ecs = simEcs(sim);
    const { taskDefinition: broken } = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('shop-api', 'crash')));
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', taskDefinition: broken!.taskDefinitionArn }));
    await waitFor(async () => sim.inspect(CLUSTER, 'shop-api').deployments[0]!.rolloutState === 'FAILED', 'the earlier rollout to fail', 20_000);
    expect(sim.inspect(CLUSTER, 'shop-api').taskDefinition).toMatch(/shop-api:2$/);

    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'crash-again')}`, ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(1);
    expect(resultOf(run).services[0]).toMatchObject({ revision: 3, outcome: 'rolled-back', rolledBackTo: expect.stringMatching(/shop-api:1$/) });
    expect([run.outputs.outcome, run.outputs.outcomes, run.outputs['api-outcome']]).toEqual(['rolled-back', '{"api":"rolled-back"}', 'rolled-back']);
    // A service rolled back runs none of the new images: the images output leaves it out.
    expect(run.outputs.images).toBe('{}');
    expect(sim.inspect(CLUSTER, 'shop-api').taskDefinition).toMatch(/shop-api:1$/);
  });

  it('reports both failures when the rollback target fails too', async () => {
    // New tasks of the old revision cannot fetch their secret any more (it was deleted since they started).
    const sim = await simulator(shop(['shop-api']), { scenarios: [{ image: 'shop-api:good', behaviour: 'secrets-failure' }, ...SCENARIOS!] });
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'crash')}`, ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(1);
    const [api] = resultOf(run).services;
    expect(api!.outcome).toBe('failed');
    expect(api!.rolledBackTo).toBe('');
    expect(api!.reason).toMatch(
      /^\d tasks of the new deployment failed \(latest: exit code 1: .*\); the rollback to shop-api:1 failed too: \d tasks of the rollback deployment failed \(latest: secrets: ResourceInitializationError/,
    );
    // The annotation's title names the service once; its body starts with the reason.
    expect(run.stdout).toMatch(/^::error title=api%3A failed::\d tasks of the new deployment failed/m);
    const evidence = errors(run).join('\n');
    expect(evidence).toContain('The rollback failed too:');
    expect(evidence).toMatch(/exit code 1: Essential container in task exited[\s\S]*The rollback failed too:[\s\S]*secrets, no exit code: ResourceInitializationError/);
    expect(run.summary).toContain('❌ failed');
  });

  it('does not roll back a deployment that someone else replaced', async () => {
    const sim = await simulator(shop(['shop-api']));
    const running = startAction('deploy-ecs', {
      inputs: { services: 'api', images: `api=${image('shop-api', 'slow')}`, ...FAST },
      cwd: workspace(MANIFEST),
      env: { ...awsTestEnv(), ...sim.env() },
    });
    await running.waitForLog(/deployment ecs-svc\/\d+/);
    const ecs = simEcs(sim);
    const { taskDefinition: other } = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('shop-api', 'hotfix')));
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', taskDefinition: other!.taskDefinitionArn }));
    const run = await running.result;
    expect(run.code).toBe(1);
    const [api] = resultOf(run).services;
    expect(api!.outcome).toBe('failed');
    expect(api!.reason).toMatch(/ecs-svc\/\d+ \(shop-api:3\) replaced .*before it finished; not rolled back, the newer deployment is in charge$/);
    expect(errors(run).join('\n')).toContain('Give deploys a concurrency group');
    expect(sim.calls.filter((call) => call.operation === 'UpdateService')).toHaveLength(2);
  });
});

describe('the health check after a rollout', () => {
  useMoto();

  async function healthServer(): Promise<string> {
    const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 503).end(req.url === '/healthz' ? 'ok' : 'db down'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('deploys when the URL answers 2xx', async () => {
    const base = await healthServer();
    const sim = await simulator(shop(['shop-api']));
    const run = await deploy({ services: 'api', 'image-tag': 'v2', 'health-url': `${base}/healthz`, ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(0);
    expect(run.log).toContain(`[api] health check ${base}/healthz: HTTP 200 (attempt 1)`);
  });

  it('rolls back when the URL keeps failing', async () => {
    const base = await healthServer();
    const sim = await simulator(shop(['shop-api']));
    const run = await deploy({ services: 'api', 'image-tag': 'v2', 'health-url': `api=${base}/ready`, 'health-timeout': '1s', ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(1);
    const [api] = resultOf(run).services;
    expect(api!.outcome).toBe('rolled-back');
    expect(api!.reason).toMatch(new RegExp(`^the health check failed: ${base}/ready did not answer 2xx within 1s \\(\\d+ attempts; last: HTTP 503 Service Unavailable\\); rolled back to shop-api:1`));
    expect(sim.inspect(CLUSTER, 'shop-api').taskDefinition).toMatch(/shop-api:1$/);
  });
});
