/**
 * Failed tasks count at the first poll that shows their failure, not when Fargate finally reports
 * them STOPPED (it can take a minute or more): each failure kind with tasks that take two minutes to
 * stop, the rollback's own tasks, each task counted once with its evidence kept up to date, and
 * messages that say what actually happened.
 */
import { describe, expect, it } from '@jest/globals';
import { ECSClient, RegisterTaskDefinitionCommand, StopTaskCommand, UpdateServiceCommand, ListTasksCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { FailedTasks } from '../../shared/deploy/failed-tasks.js';
import type { EcsSimulator, ScenarioRule } from '../../standins/ecs-simulator/index.js';
import { awsTestEnv, useMoto, TEST_REGION } from '../../standins/moto.js';
import { waitFor } from '../../standins/ports.js';
import { startAction, type ActionResult } from '../../standins/run-action.js';
import { CLUSTER, SCENARIOS, errors, image, resultOf, shop, simulator, taskDefinition, workspace } from './fixtures.js';

const MANIFEST = `cluster: ${CLUSTER}\nservices:\n  api:\n    paths: [apps/api/**]\n    repository: shop-api\n    ecs: { service: shop-api, container: api }\n`;
/** 60x: two minutes of stopping last two real seconds, and a poll of 150 ms is 9 simulated seconds. */
const SPEED = 60;
const POLL = { 'poll-interval': '150ms', 'wait-timeout': '10m' };

const client = (sim: EcsSimulator) => new ECSClient({ region: TEST_REGION, endpoint: sim.url, credentials: { accessKeyId: 'operator', secretAccessKey: 'operator' } });

/** Runs the built action until `[label] FAILED` shows, and returns the simulated time it showed. */
async function deployUntilFailed(sim: EcsSimulator, inputs: Record<string, string>, label = 'api'): Promise<{ run: ActionResult; noticed: number }> {
  const running = startAction('deploy-ecs', { inputs: { services: 'api', ...POLL, ...inputs }, cwd: workspace(MANIFEST), env: { ...awsTestEnv(), ...sim.env() }, timeoutMs: 90_000 });
  await running.waitForLog(new RegExp(`^\\[${label}\\] FAILED`, 'm'), 60_000).catch(async (error: unknown) => {
    running.child.kill();
    throw error;
  });
  const noticed = sim.clock.now();
  return { run: await running.result, noticed };
}

/** The "task X failed" lines of a watch: one per task. */
function countedTasks(log: string, label: string): string[] {
  return [...log.matchAll(new RegExp(`^\\[${label}\\] task ([0-9a-f]{32}) failed \\(`, 'gm'))].map((match) => match[1]!);
}

describe('failed tasks count before ECS reports them STOPPED', () => {
  useMoto();

  it.each<[string, ScenarioRule, RegExp]>([
    [
      'crash loop (exit 1)',
      { image: ':crash', behaviour: 'exits', exitCode: 1, stoppingSeconds: 120, logLines: ['api: starting', "Error: Cannot find module '/app/dist/server.js'"] },
      /task [0-9a-f]{32} \(api\): exited, exit code 1: Essential container in task exited \(not stopped yet: (DEACTIVATING|RUNNING)\)/,
    ],
    ['image pull failure', { image: ':no-such-tag', behaviour: 'image-pull-failure', stoppingSeconds: 120 }, /image-pull, no exit code: CannotPullContainerError: .* \(not stopped yet: STOPPING\)/],
    ['secrets failure', { image: ':secretless', behaviour: 'secrets-failure', stoppingSeconds: 120 }, /secrets, no exit code: ResourceInitializationError: .*secret:shop-api\/database-url.* \(not stopped yet: STOPPING\)/],
    [
      'health-check failure',
      { image: ':unhealthy', behaviour: 'health-check-failure', healthCheckSeconds: 40, drainSeconds: 50 },
      /health-check, no exit code: Task failed ELB health checks in \(target-group .*\) \(not stopped yet: (DEACTIVATING|RUNNING)\)/,
    ],
  ])('%s: the third failed task is counted while ECS is still stopping it, each task once', async (_kind, scenario, latest) => {
    const sim = await simulator(shop(['shop-api']), { speed: SPEED, scenarios: [scenario] });
    const tag = String(scenario.image).slice(1);
    const { run, noticed } = await deployUntilFailed(sim, { images: `api=${image('shop-api', tag)}`, rollback: 'false' });
    expect(run.code).toBe(1);

    const third = sim.inspect(CLUSTER, 'shop-api').failures[2]!;
    expect(third).toBeDefined();
    // Reported while the third failed task was still on its way to STOPPED: ECS had not even counted it.
    expect(third.stoppedAt === undefined || third.stoppedAt > noticed).toBe(true);
    expect(noticed - third.failedAt).toBeLessThan(120_000);

    const counted = countedTasks(run.log, 'api');
    expect(new Set(counted).size).toBe(counted.length);
    expect(counted.length).toBeGreaterThanOrEqual(3);
    const [api] = resultOf(run).services;
    expect(api!.reason).toMatch(new RegExp(`^${counted.length} tasks of the new deployment failed \\(latest: `));
    expect(run.log).toMatch(/\[api\] task [0-9a-f]{32} failed \(.*\(not stopped yet: [A-Z]+\)$/m);
    const evidence = errors(run).join('\n');
    expect(evidence).toMatch(new RegExp(`Failed tasks \\(${counted.length}(, latest 3)?\\):`));
    expect(evidence).toMatch(latest);
  });

  it('crash loop: shows the exit code and the last log lines of a task that has not stopped yet', async () => {
    const sim = await simulator(shop(['shop-api']), {
      speed: SPEED,
      scenarios: [{ image: ':crash', behaviour: 'exits', exitCode: 1, stoppingSeconds: 120, logLines: ['api: starting', "Error: Cannot find module '/app/dist/server.js'"] }],
    });
    const { run } = await deployUntilFailed(sim, { images: `api=${image('shop-api', 'crash')}`, rollback: 'false' });
    const evidence = errors(run).join('\n');
    const shown = /Last log lines of task ([0-9a-f]{32}) \(api\), \/ecs\/shop-api ecs\/api\/[0-9a-f]{32}:\n {2}\| api: starting\n {2}\| Error: Cannot find module/.exec(evidence);
    expect(shown).not.toBeNull();
    // The lines are those of the latest failed task, which Fargate is still stopping.
    expect(evidence).toMatch(new RegExp(`task ${shown![1]} \\(api\\): exited, exit code 1: Essential container in task exited \\(not stopped yet: (DEACTIVATING|RUNNING)\\)`));
    expect(evidence).toContain('What to do: The application exited with an error; its last log lines show why.');
  });

  it("health-check failure: earlier tasks' evidence is brought up to date once they stop (exit code 143), without counting them again", async () => {
    const sim = await simulator(shop(['shop-api']), { speed: SPEED, scenarios: [{ image: ':unhealthy', behaviour: 'health-check-failure', healthCheckSeconds: 40, drainSeconds: 50 }] });
    const { run } = await deployUntilFailed(sim, { images: `api=${image('shop-api', 'unhealthy')}`, rollback: 'false' });
    const evidence = errors(run).join('\n');
    // The first two stopped 50 s after ECS found them unhealthy, before the next two failed.
    expect(evidence).toMatch(/task [0-9a-f]{32} \(api\): health-check, exit code 143: Task failed ELB health checks in \(target-group [^)]*\)\n/);
    expect(evidence).toMatch(/health-check, no exit code: Task failed ELB health checks in \(target-group [^)]*\) \(not stopped yet: (DEACTIVATING|RUNNING)\)/);
    const counted = countedTasks(run.log, 'api');
    expect(new Set(counted).size).toBe(counted.length);
    expect(
      sim
        .inspect(CLUSTER, 'shop-api')
        .failures.slice(0, counted.length)
        .map((failure) => failure.taskArn.split('/').at(-1)),
    ).toEqual(expect.arrayContaining(counted));
  });

  it("a rollback whose own tasks fail: counted as early, and named as the rollback's tasks", async () => {
    // Tasks of the old revision cannot fetch their secret any more, and Fargate takes two minutes to stop them.
    const sim = await simulator(shop(['shop-api']), { speed: SPEED, scenarios: [{ image: 'shop-api:good', behaviour: 'secrets-failure', stoppingSeconds: 120 }, ...SCENARIOS!] });
    const { run, noticed } = await deployUntilFailed(sim, { images: `api=${image('shop-api', 'crash')}` }, 'api rollback');
    expect(run.code).toBe(1);
    const state = sim.inspect(CLUSTER, 'shop-api');
    const rollback = state.allDeployments.at(-1)!;
    expect(rollback.taskDefinition).toMatch(/shop-api:1$/);
    const third = state.failures.filter((failure) => failure.deploymentId === rollback.id)[2]!;
    expect(third.stoppedAt === undefined || third.stoppedAt > noticed).toBe(true);

    const [api] = resultOf(run).services;
    expect(api!.outcome).toBe('failed');
    expect(api!.reason).toMatch(
      /^\d tasks of the new deployment failed \(latest: exit code 1: .*\); the rollback to shop-api:1 failed too: \d tasks of the rollback deployment failed \(latest: secrets: ResourceInitializationError/,
    );
    expect(run.log).toMatch(/^\[api rollback\] FAILED: \d tasks of the rollback deployment failed/m);
    const counted = countedTasks(run.log, 'api rollback');
    expect(new Set(counted).size).toBe(counted.length);
    expect(counted.length).toBeGreaterThanOrEqual(3);
    expect(errors(run).join('\n')).toMatch(/The rollback failed too:[\s\S]*secrets, no exit code: ResourceInitializationError.* \(not stopped yet: STOPPING\)/);
  });
});

describe('what the report says', () => {
  useMoto();

  it('does not point at log lines it could not show', async () => {
    const quiet: RegisterTaskDefinitionCommandInput = taskDefinition('shop-api', 'good');
    quiet.containerDefinitions = quiet.containerDefinitions!.map(({ logConfiguration: _dropped, ...container }) => container);
    const sim = await simulator({ ...shop(['shop-api']), taskDefinitions: [quiet] });
    const { run } = await deployUntilFailed(sim, { images: `api=${image('shop-api', 'crash')}`, rollback: 'false', 'poll-interval': '100ms' });
    const evidence = errors(run).join('\n');
    expect(evidence).toContain('No log lines: container "api" has no logConfiguration, so its output is not kept anywhere.');
    expect(evidence).toContain('What to do: The application exited with an error, and its last log lines could not be shown here (the reason is given above)');
    expect(run.log).not.toContain('log lines show why');
  });
});

describe('FailedTasks against the simulator', () => {
  useMoto();

  async function deployment(sim: EcsSimulator, tag: string): Promise<string> {
    const ecs = client(sim);
    const { taskDefinition: next } = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('shop-api', tag)));
    const { service } = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', taskDefinition: next!.taskDefinitionArn }));
    return service!.deployments!.find((candidate) => candidate.status === 'PRIMARY')!.id!;
  }

  it('counts a task whose container exited at the first read, once, and updates its evidence when it stops', async () => {
    const sim = await simulator(shop(['shop-api']), { speed: 30, scenarios: [{ image: ':crash', behaviour: 'exits', exitCode: 1, stoppingSeconds: 60 }] });
    const failed = new FailedTasks(client(sim), CLUSTER, await deployment(sim, 'crash'));
    const counted: { arn: string; lastStatus?: string }[] = [];
    await waitFor(
      async () => {
        for (const record of await failed.read()) counted.push({ arn: record.task.taskArn!, lastStatus: record.task.lastStatus });
        return failed.records[0]?.task.lastStatus === 'STOPPED';
      },
      'the first failed task to stop',
      20_000,
    );
    expect(counted.length).toBeGreaterThan(0);
    expect(counted.every(({ lastStatus }) => lastStatus !== 'STOPPED')).toBe(true);
    expect(new Set(counted.map(({ arn }) => arn)).size).toBe(counted.length);
    expect(failed.records.map((record) => record.task.taskArn)).toEqual(counted.map(({ arn }) => arn));
    const [first] = failed.records;
    expect(first).toMatchObject({ verdict: { kind: 'exited', exitCode: 1 }, task: { lastStatus: 'STOPPED', stoppedAt: expect.any(Date) } });
    expect(first!.failedAt).toBe(first!.task.stoppingAt!.getTime());
  });

  it('does not count a task a user stopped, even once its container exits with 143', async () => {
    const sim = await simulator(shop(['shop-api']), { speed: 30 });
    const ecs = client(sim);
    const id = await deployment(sim, 'v2');
    const tasks = () => [...sim.model.clusters.get(CLUSTER)!.tasks.values()].filter((task) => task.startedBy === id);
    await waitFor(async () => tasks().some((task) => task.lastStatus === 'RUNNING'), 'a task of the new deployment to run');
    const running = tasks().find((task) => task.lastStatus === 'RUNNING')!;
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: running.taskArn, reason: 'Stopped by an operator' }));
    const failed = new FailedTasks(ecs, CLUSTER, id);
    await waitFor(async () => {
      await failed.read();
      return running.lastStatus === 'STOPPED';
    }, 'the task to stop');
    expect((await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: id, desiredStatus: 'STOPPED' }))).taskArns).toEqual([running.taskArn]);
    expect(running.containers[0]!.exitCode).toBe(143);
    await failed.read();
    expect(failed.records).toEqual([]);
  });
});
