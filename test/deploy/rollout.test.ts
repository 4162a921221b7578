/**
 * The built action against the ECS rollout simulator (ECS) and moto (CloudWatch Logs): rollouts
 * that succeed, and each entry of the failure catalog with its verdict, evidence and rollback.
 */
import { describe, expect, it } from '@jest/globals';
import { useMoto } from '../../standins/moto.js';
import { CLUSTER, FAST, SHA, deploy, errors, image, resultOf, shop, simulator, workspace } from './fixtures.js';

function manifest(families: string[]): string {
  return `cluster: ${CLUSTER}\nservices:\n${families
    .map((family) => `  ${family.replace(/^shop-/, '')}:\n    paths: [apps/${family}/**]\n    repository: ${family}\n    ecs: { service: ${family}, container: ${family.replace(/^shop-/, '')} }`)
    .join('\n')}\n`;
}

const describeServicesCalls = (log: string) => /Watched with (\d+) polls and (\d+) DescribeServices calls/.exec(log)!.slice(1).map(Number) as [number, number];

describe('rollouts that succeed', () => {
  useMoto();

  it('rolls out several services of two clusters in parallel with one watcher, printing events and progress', async () => {
    const families = ['shop-api', 'shop-web', 'shop-admin'];
    const seed = shop(families);
    seed.clusters!.push('shop-internal');
    seed.services![2]!.cluster = 'shop-internal';
    const sim = await simulator(seed);
    const cwd = workspace(manifest(families).replace('ecs: { service: shop-admin,', 'ecs: { cluster: shop-internal, service: shop-admin,'));
    const run = await deploy({ services: 'all', 'image-tag': 'v2', ...FAST }, { sim, cwd });
    expect(run.code).toBe(0);
    const result = resultOf(run);
    expect(result.outcome).toBe('deployed');
    expect(result.services.map((service) => [service.service, service.outcome, service.revision, service.image])).toEqual([
      ['api', 'deployed', 2, image('shop-api', 'v2')],
      ['web', 'deployed', 2, image('shop-web', 'v2')],
      ['admin', 'deployed', 2, image('shop-admin', 'v2')],
    ]);
    for (const family of families) {
      const state = sim.inspect(family === 'shop-admin' ? 'shop-internal' : CLUSTER, family);
      expect(state.taskDefinition).toMatch(new RegExp(`${family}:2$`));
      expect(state.deployments).toEqual([expect.objectContaining({ rolloutState: 'COMPLETED', id: result.services.find((service) => service.ecsService === family)!.deploymentId })]);
    }
    expect(run.log).toMatch(/\[api\] \d\d:\d\d:\d\d \(service shop-api\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\./);
    expect(run.log).toMatch(/\[web\] shop-web:2: 0\/2 running, 2 pending · rollout IN_PROGRESS · older deployments: 2 running/);
    expect(run.log).toContain('[admin] deployed shop-admin:2 in');
    // Two clusters: one DescribeServices for each per poll, while both have services rolling out.
    const [polls, calls] = describeServicesCalls(run.log);
    expect(calls).toBeLessThanOrEqual(2 * polls);
    const lastUpdate = sim.calls.findLastIndex((call) => call.operation === 'UpdateService');
    const firstPoll = sim.calls
      .slice(lastUpdate + 1)
      .filter((call) => call.operation === 'DescribeServices')
      .slice(0, 2);
    expect(Object.fromEntries(firstPoll.map((call) => [call.input.cluster, (call.input.services as string[]).length]))).toEqual({ [CLUSTER]: 2, 'shop-internal': 1 });
    expect(run.summary).toMatch(/<h2>Deploy to ECS: ✅ deployed<\/h2>/);
  });

  it('describes up to ten services per call, one call per ten services and cluster each poll', async () => {
    const families = Array.from({ length: 12 }, (_, i) => `shop-svc${i}`);
    const sim = await simulator(shop(families, { desiredCount: 1 }));
    const run = await deploy({ services: 'all', ...FAST }, { sim, cwd: workspace(manifest(families)) });
    expect(run.code).toBe(0);
    const [polls, calls] = describeServicesCalls(run.log);
    // Two calls per poll while all twelve roll out; fewer once some have finished.
    expect(calls).toBeLessThanOrEqual(2 * polls);
    expect(calls).toBeGreaterThan(polls);
    const lastUpdate = sim.calls.findLastIndex((call) => call.operation === 'UpdateService');
    const firstPoll = sim.calls
      .slice(lastUpdate + 1)
      .filter((call) => call.operation === 'DescribeServices')
      .slice(0, 2);
    expect(firstPoll.map((call) => (call.input.services as string[]).length).sort()).toEqual([10, 2]);
    expect(Math.abs(firstPoll[0]!.at - firstPoll[1]!.at)).toBeLessThan(50);
    expect(resultOf(run).services.every((service) => service.image === image(service.ecsService, SHA))).toBe(true);
  });
});

describe('the failure catalog', () => {
  useMoto();

  it('crash loop (exit 1): fails after three failed tasks, shows exit codes, log lines and events, and rolls back', async () => {
    const sim = await simulator(shop(['shop-api']));
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'crash')}`, ...FAST }, { sim, cwd: workspace(manifest(['shop-api'])) });
    expect(run.code).toBe(1);
    const [api] = resultOf(run).services;
    expect(api).toMatchObject({ outcome: 'rolled-back', revision: 2, rolledBackTo: expect.stringMatching(/shop-api:1$/) });
    expect(api!.reason).toMatch(/^\d tasks of the new deployment failed \(latest: exit code 1: Essential container in task exited\); rolled back to shop-api:1, which runs again$/);
    const evidence = errors(run).join('\n');
    expect(evidence).toMatch(/task [0-9a-f]{32} \(api\): exited, exit code 1: Essential container in task exited/);
    expect(evidence).toMatch(/Last log lines of task [0-9a-f]{32} \(api\), \/ecs\/shop-api ecs\/api\/[0-9a-f]{32}:\n {2}\| api: starting\n {2}\| Error: Cannot find module '\/app\/dist\/server\.js'/);
    expect(evidence).toMatch(/Latest service events:\n.*\(service shop-api\) has started 2 tasks/);
    expect(evidence).toContain('What to do: The application exited with an error; its last log lines show why.');
    expect(sim.inspect(CLUSTER, 'shop-api').taskDefinition).toMatch(/shop-api:1$/);
    expect(run.summary).toContain('↩️ rolled-back');
    expect(run.summary).toContain('<td>shop-api:1</td>');
  });

  it('crash loop: fails within two polls of the third failed task', async () => {
    const sim = await simulator(shop(['shop-api']));
    const started = Date.now();
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'crash')}`, rollback: 'false', 'poll-interval': '250ms' }, { sim, cwd: workspace(manifest(['shop-api'])) });
    expect(run.code).toBe(1);
    const third = sim.inspect(CLUSTER, 'shop-api').failures[2]!;
    const failedAtLine = run.log.split('\n').findIndex((line) => line.startsWith('[api] FAILED'));
    expect(failedAtLine).toBeGreaterThan(0);
    expect(resultOf(run).services[0]!.reason).toContain('automatic rollback is off (rollback: false), so shop-api is left on the failing deployment');
    // The run ended (after reading the logs) well within two polls (30 simulated seconds) of the third failure.
    expect(sim.clock.realAt(third.failedAt)).toBeGreaterThan(started);
    expect(Date.now() - sim.clock.realAt(third.failedAt)).toBeLessThan(2 * 250 + 1500);
  });

  it('image pull failure: names CannotPullContainerError and what to check', async () => {
    const sim = await simulator(shop(['shop-api']));
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'no-such-tag')}`, ...FAST }, { sim, cwd: workspace(manifest(['shop-api'])) });
    expect(run.code).toBe(1);
    const evidence = errors(run).join('\n');
    expect(evidence).toMatch(/image-pull, no exit code: CannotPullContainerError: pull image manifest has been retried 7 time\(s\): failed to resolve ref .*shop-api:no-such-tag/);
    expect(evidence).toContain('No log lines: no failed task got as far as running its container');
    expect(evidence).toContain('check that the tag exists in ECR');
    expect(resultOf(run).services[0]!.outcome).toBe('rolled-back');
  });

  it('secrets that cannot be resolved: names ResourceInitializationError and the secret', async () => {
    const sim = await simulator(shop(['shop-api']));
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'secretless')}`, ...FAST }, { sim, cwd: workspace(manifest(['shop-api'])) });
    expect(run.code).toBe(1);
    const evidence = errors(run).join('\n');
    expect(evidence).toMatch(/secrets, no exit code: ResourceInitializationError: unable to pull secrets or registry auth: .*secret:shop-api\/database-url/);
    expect(evidence).toContain('secretsmanager:GetSecretValue');
    expect(resultOf(run).services[0]!.outcome).toBe('rolled-back');
  });

  it('failing health checks: names the health checks and shows what the container printed', async () => {
    const sim = await simulator(shop(['shop-api']));
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'unhealthy')}`, ...FAST }, { sim, cwd: workspace(manifest(['shop-api'])) });
    expect(run.code).toBe(1);
    const evidence = errors(run).join('\n');
    expect(evidence).toMatch(/health-check, exit code 143: Task failed ELB health checks in \(target-group arn:aws:elasticloadbalancing:/);
    expect(evidence).toContain('| GET /healthz 503 (database pool exhausted)');
    expect(evidence).toContain('failed its health checks');
    expect(resultOf(run).services[0]!.outcome).toBe('rolled-back');
  });

  it("circuit-breaker rollback: a failure, never a success; follows ECS's own rollback instead of starting another", async () => {
    const sim = await simulator(shop(['shop-api'], { circuitBreaker: { enable: true, rollback: true } }));
    // Our own count would never trip: only ECS's circuit breaker stops this rollout.
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'crash')}`, 'failed-tasks-threshold': '0', ...FAST }, { sim, cwd: workspace(manifest(['shop-api'])) });
    expect(run.code).toBe(1);
    const [api] = resultOf(run).services;
    expect(api).toMatchObject({ outcome: 'rolled-back', rolledBackTo: expect.stringMatching(/shop-api:1$/) });
    expect(api!.reason).toContain('ECS failed the deployment (ECS deployment circuit breaker: tasks failed to start.) and is rolling back to shop-api:1');
    expect(api!.reason).toContain('rolled back by the ECS circuit breaker to shop-api:1, which runs again');
    expect(sim.calls.filter((call) => call.operation === 'UpdateService')).toHaveLength(1);
    expect(sim.inspect(CLUSTER, 'shop-api').history[0]).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL' });
  });

  it('no capacity: gives up at the deadline naming the placement failure, and rolls back', async () => {
    const sim = await simulator(shop(['shop-api']));
    const run = await deploy({ services: 'api', images: `api=${image('shop-api', 'no-room')}`, 'poll-interval': '100ms', 'wait-timeout': '2s' }, { sim, cwd: workspace(manifest(['shop-api'])) });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::warning::api: ECS cannot place tasks of the new deployment: (service shop-api) was unable to place a task. Reason: Capacity is unavailable at this time.');
    const [api] = resultOf(run).services;
    expect(api!.reason).toMatch(/^ECS could not place any task of the new deployment in 2s: \(service shop-api\) was unable to place a task\. Reason: Capacity is unavailable/);
    expect(api!.outcome).toBe('rolled-back');
    expect(errors(run).join('\n')).toContain('add capacity (capacity provider or Auto Scaling group)');
  });

  it('one failing service does not stop the others: they deploy, it rolls back, the job fails', async () => {
    const families = ['shop-api', 'shop-web'];
    const sim = await simulator(shop(families));
    const run = await deploy({ services: 'api,web', images: `api=${image('shop-api', 'crash')}\nweb=${image('shop-web', 'v2')}`, ...FAST }, { sim, cwd: workspace(manifest(families)) });
    expect(run.code).toBe(1);
    const result = resultOf(run);
    expect(result.outcome).toBe('rolled-back');
    expect(result.services.map((service) => [service.service, service.outcome])).toEqual([
      ['api', 'rolled-back'],
      ['web', 'deployed'],
    ]);
    expect(run.outputs.outcome).toBe('rolled-back');
    expect(errors(run).at(-1)).toMatch(/^1 of 2 services did not deploy \(rolled-back\):\n {2}api: rolled-back: /);
  });
});
