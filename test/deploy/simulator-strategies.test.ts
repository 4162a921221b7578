/**
 * The ECS simulator's BLUE_GREEN, LINEAR and CANARY deployments through the real SDK: lifecycle
 * stages and traffic weights as DescribeServiceDeployments reports them, green tasks, failures that
 * make ECS roll back (circuit breaker, alarms, hooks), StopServiceDeployment and ContinueServiceDeployment,
 * and the service deployment history of rolling deployments.
 */
import { describe, expect, it } from '@jest/globals';
import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
} from '@aws-sdk/client-ecs';
import { waitFor } from '../../standins/ports.js';
import { CLUSTER, taskDefinition } from './fixtures.js';
import { follow, HOOK_ROLE, loadBalancers, NLB_LISTENER, sequence, shopApi, SMOKE_TEST, GREEN_TARGET_GROUP, BLUE_TARGET_GROUP, type Seen } from './bluegreen-fixtures.js';

const BLUE_GREEN = { strategy: 'BLUE_GREEN' as const, bakeTimeInMinutes: 1, loadBalancers: loadBalancers(), circuitBreaker: { enable: true, rollback: true } };

async function describeService(ecs: ECSClient): Promise<Service> {
  return (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-api'] }))).services![0]!;
}

/** Registers shop-api at `tag` and deploys it; returns the service deployment's ARN and the green deployment's id. */
async function deploy(ecs: ECSClient, tag: string): Promise<{ arn: string; greenId: string; taskDefinitionArn: string }> {
  const { taskDefinition: registered } = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('shop-api', tag)));
  const { service } = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', taskDefinition: registered!.taskDefinitionArn }));
  const green = service!.deployments!.find((deployment) => deployment.status === 'PRIMARY')!;
  return { arn: service!.currentServiceDeployment!, greenId: green.id!, taskDefinitionArn: registered!.taskDefinitionArn! };
}

const stages = (seen: Seen[]) => sequence(seen, (entry) => entry.stage).filter((stage) => stage !== undefined);

describe('ECS simulator: BLUE_GREEN, LINEAR and CANARY deployments', () => {
  it('walks a blue/green deployment through every stage in order, shifting test then production traffic, baking with both revisions up, then scaling blue in', async () => {
    // Slow enough for a poll every 10 ms to see every stage (the shortest lasts 10 simulated seconds, a third of a real one).
    const { sim, ecs } = await shopApi(
      { ...BLUE_GREEN, lifecycleHooks: [{ hookTargetArn: SMOKE_TEST, roleArn: HOOK_ROLE, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'] }] },
      { speed: 30, stageSeconds: 10 },
    );
    const { arn, greenId, taskDefinitionArn } = await deploy(ecs, 'v2');

    const during = await describeService(ecs);
    expect(during.deploymentConfiguration).toMatchObject({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 });
    expect(during.deployments!.map((deployment) => [deployment.status, deployment.taskDefinition?.split('/')[1]])).toEqual([
      ['PRIMARY', 'shop-api:2'],
      ['ACTIVE', 'shop-api:1'],
    ]);
    expect(during.taskDefinition).toBe(taskDefinitionArn);

    const seen = await follow(ecs, arn);
    expect(stages(seen)).toEqual([
      'PRE_SCALE_UP',
      'SCALE_UP',
      'POST_SCALE_UP',
      'TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'POST_PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP',
    ]);
    expect(sequence(seen, (entry) => entry.status).filter((status) => status !== 'PENDING')).toEqual(['IN_PROGRESS', 'SUCCESSFUL']);
    const at = (stage: string) => seen.filter((entry) => entry.stage === stage && entry.status === 'IN_PROGRESS');
    // Green takes no traffic until the test shift; test traffic moves first, production after it, all at once.
    for (const stage of ['PRE_SCALE_UP', 'SCALE_UP', 'POST_SCALE_UP']) for (const entry of at(stage)) expect([entry.production, entry.test, entry.blueProduction]).toEqual([0, 0, 100]);
    for (const stage of ['TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT']) for (const entry of at(stage)) expect([entry.production, entry.test]).toEqual([0, 100]);
    for (const stage of ['PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT', 'BAKE_TIME', 'CLEAN_UP']) for (const entry of at(stage)) expect([entry.production, entry.blueProduction]).toEqual([100, 0]);
    // Green scales to the full count while blue keeps all of its tasks; both run through bake time.
    expect(at('POST_SCALE_UP').every((entry) => entry.greenRunning === 2 && entry.blueRunning === 2)).toBe(true);
    expect(at('BAKE_TIME').length).toBeGreaterThan(0);
    expect(at('BAKE_TIME').every((entry) => entry.greenRunning === 2 && entry.blueRunning === 2 && entry.blueRequested === 2)).toBe(true);
    expect(at('CLEAN_UP')[0]!.blueRequested).toBe(0);

    const done = seen.at(-1)!.deployment;
    expect(done).toMatchObject({
      status: 'SUCCESSFUL',
      deploymentConfiguration: expect.objectContaining({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1 }),
      deploymentCircuitBreaker: { status: 'MONITORING_COMPLETE', failureCount: 0, threshold: 3 },
    });
    expect(done.targetServiceRevision).toMatchObject({ requestedTaskCount: 2, runningTaskCount: 2, requestedProductionTrafficWeight: 100 });
    expect(done.sourceServiceRevisions![0]).toMatchObject({ requestedTaskCount: 0, runningTaskCount: 0, requestedProductionTrafficWeight: 0 });
    expect(done.finishedAt!.getTime()).toBeGreaterThan(done.startedAt!.getTime());
    // Bake time lasted its minute of simulated time.
    const timeline = sim.inspect(CLUSTER, 'shop-api').serviceDeployments[0]!.timeline;
    // PENDING first, for the scheduler's two seconds.
    expect(timeline.slice(0, 2).map((entry) => [entry.status, entry.stage, entry.at - timeline[0]!.at])).toEqual([
      ['PENDING', undefined, 0],
      ['IN_PROGRESS', 'PRE_SCALE_UP', 2_000],
    ]);
    const bake = timeline.find((entry) => entry.stage === 'BAKE_TIME')!;
    const cleanUp = timeline.find((entry) => entry.stage === 'CLEAN_UP')!;
    expect(cleanUp.at - bake.at).toBeGreaterThanOrEqual(60_000);
    expect(cleanUp.at - bake.at).toBeLessThan(62_000);

    // Green's tasks were started by the green deployment; the service ends on green alone.
    const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: greenId }));
    expect(taskArns).toHaveLength(2);
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }));
    expect(tasks!.every((task) => task.taskDefinitionArn === taskDefinitionArn && task.lastStatus === 'RUNNING')).toBe(true);
    const after = await describeService(ecs);
    expect(after.deployments).toEqual([expect.objectContaining({ id: greenId, status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2 })]);
    expect(after.currentServiceDeployment).toBe(arn);
    expect(after.currentServiceRevisions).toEqual([{ arn: done.targetServiceRevision!.arn, requestedTaskCount: 2, runningTaskCount: 2, pendingTaskCount: 0 }]);
    expect(after.events![0]!.message).toBe('(service shop-api) has reached a steady state.');

    // Green registered with the alternate target group; blue had the primary one.
    const { serviceRevisions } = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [done.targetServiceRevision!.arn!, done.sourceServiceRevisions![0]!.arn!] }));
    expect(serviceRevisions!.map((revision) => revision.resolvedConfiguration?.loadBalancers?.[0]?.targetGroupArn)).toEqual([GREEN_TARGET_GROUP, BLUE_TARGET_GROUP]);
    expect(serviceRevisions![0]!.loadBalancers![0]!.advancedConfiguration).toMatchObject({ alternateTargetGroupArn: GREEN_TARGET_GROUP });

    // The hook ran at both stages, with the documented payload: weights only at traffic stages.
    const invocations = sim.inspect(CLUSTER, 'shop-api').hookInvocations;
    expect(invocations.map((invocation) => [invocation.stage, invocation.hookStatus])).toEqual([
      ['POST_TEST_TRAFFIC_SHIFT', 'SUCCEEDED'],
      ['PRODUCTION_TRAFFIC_SHIFT', 'SUCCEEDED'],
    ]);
    expect(invocations[0]!.payload).toMatchObject({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', resourceArn: arn, executionDetails: { testTrafficWeights: {}, productionTrafficWeights: {} } });
    expect(invocations[1]!.payload).toMatchObject({
      executionDetails: { targetServiceRevisionArn: done.targetServiceRevision!.arn, productionTrafficWeights: { [done.targetServiceRevision!.arn!]: 100, [done.sourceServiceRevisions![0]!.arn!]: 0 } },
    });

    // The next deployment goes back to the primary target group.
    const next = await deploy(ecs, 'v3');
    const last = (await follow(ecs, next.arn)).at(-1)!.deployment;
    expect(last.status).toBe('SUCCESSFUL');
    const [third] = (await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [last.targetServiceRevision!.arn!] }))).serviceRevisions!;
    expect(third!.resolvedConfiguration!.loadBalancers![0]!.targetGroupArn).toBe(BLUE_TARGET_GROUP);
  });

  it('shifts a canary share of production traffic, bakes it, then shifts the rest; a linear deployment steps by stepPercent with a hook run at every step', async () => {
    const canary = await shopApi({ strategy: 'CANARY', bakeTimeInMinutes: 0, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 }, loadBalancers: loadBalancers({ testListener: false }) });
    const { arn } = await deploy(canary.ecs, 'v2');
    const seen = await follow(canary.ecs, arn);
    expect(seen.at(-1)!.status).toBe('SUCCESSFUL');
    expect(sequence(seen, (entry) => entry.production)).toEqual([0, 10, 100]);
    expect(sequence(seen, (entry) => [entry.production, entry.blueProduction])).toEqual([
      [0, 100],
      [10, 90],
      [100, 0],
    ]);
    // No test listener: no test-traffic stages, and test traffic follows production.
    expect(stages(seen)).not.toContain('TEST_TRAFFIC_SHIFT');
    expect(seen.every((entry) => entry.test === entry.production)).toBe(true);
    const timeline = canary.sim.inspect(CLUSTER, 'shop-api').serviceDeployments[0]!.timeline;
    const tenPercent = timeline.find((entry) => entry.production === 10)!;
    const all = timeline.find((entry) => entry.production === 100)!;
    // The canary bake (2 minutes) sits between the two shifts: 30 s shift + 2 min bake + the next PRE_PRODUCTION stage.
    expect(all.at - tenPercent.at).toBeGreaterThanOrEqual(150_000);
    expect(timeline.filter((entry) => entry.stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT')).toHaveLength(2);

    const linear = await shopApi({
      strategy: 'LINEAR',
      bakeTimeInMinutes: 0,
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 },
      loadBalancers: loadBalancers(),
      lifecycleHooks: [{ hookTargetArn: SMOKE_TEST, roleArn: HOOK_ROLE, lifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'] }],
    });
    const steps = await follow(linear.ecs, (await deploy(linear.ecs, 'v2')).arn);
    expect(steps.at(-1)!.status).toBe('SUCCESSFUL');
    expect(sequence(steps, (entry) => entry.production)).toEqual([0, 25, 50, 75, 100]);
    const invocations = linear.sim.inspect(CLUSTER, 'shop-api').hookInvocations;
    expect(invocations.map((invocation) => invocation.stage)).toEqual(Array.from({ length: 4 }, () => ['PRE_PRODUCTION_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT']).flat());
    const weights = invocations
      .filter((invocation) => invocation.stage === 'PRODUCTION_TRAFFIC_SHIFT')
      .map((invocation) => Object.values((invocation.payload.executionDetails as { productionTrafficWeights: Record<string, number> }).productionTrafficWeights));
    expect(weights).toEqual([
      [25, 75],
      [50, 50],
      [75, 25],
      [100, 0],
    ]);
  });

  it('makes a traffic shift behind a Network Load Balancer about ten minutes longer', async () => {
    const { sim, ecs } = await shopApi({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0, loadBalancers: loadBalancers({ testListener: false, productionListener: NLB_LISTENER }) }, { speed: 1200 });
    expect((await follow(ecs, (await deploy(ecs, 'v2')).arn)).at(-1)!.status).toBe('SUCCESSFUL');
    const timeline = sim.inspect(CLUSTER, 'shop-api').serviceDeployments[0]!.timeline;
    const shift = timeline.find((entry) => entry.stage === 'PRODUCTION_TRAFFIC_SHIFT')!;
    const post = timeline.find((entry) => entry.stage === 'POST_PRODUCTION_TRAFFIC_SHIFT')!;
    expect(post.at - shift.at).toBeGreaterThanOrEqual(630_000);
  });

  describe.each([
    ['a container that exits', 'crash', 'exits'],
    ['an image that cannot be pulled', 'no-such-tag', 'CannotPullContainerError'],
    ['a secret that cannot be fetched', 'secretless', 'ResourceInitializationError'],
    ['failing health checks', 'unhealthy', 'health checks'],
  ])('green tasks with %s during SCALE_UP', (_kind, tag, stopped) => {
    it('trip the circuit breaker: with rollback on, ECS rolls back to blue, which kept all traffic and tasks', async () => {
      const { sim, ecs } = await shopApi(BLUE_GREEN);
      const { arn, greenId } = await deploy(ecs, tag);
      const seen = await follow(ecs, arn);
      expect(sequence(seen, (entry) => entry.status)).toEqual(['PENDING', 'IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL'].filter((status) => seen.some((entry) => entry.status === status)));
      expect(seen.map((entry) => entry.status)).toContain('ROLLBACK_SUCCESSFUL');
      const done = seen.at(-1)!.deployment;
      expect(done.deploymentCircuitBreaker).toEqual({ status: 'TRIGGERED', failureCount: expect.any(Number), threshold: 3 });
      expect(done.deploymentCircuitBreaker!.failureCount).toBeGreaterThanOrEqual(3);
      expect(done).toMatchObject({
        statusReason: 'ECS deployment circuit breaker: tasks failed to start.',
        rollback: { reason: 'ECS deployment circuit breaker: tasks failed to start.', serviceRevisionArn: done.sourceServiceRevisions![0]!.arn },
      });
      expect(done.rollback!.startedAt).toBeInstanceOf(Date);
      // Production traffic never left blue, and blue never lost a task.
      expect(seen.every((entry) => entry.production === 0 && entry.blueRunning === 2)).toBe(true);
      expect(done.targetServiceRevision).toMatchObject({ requestedTaskCount: 0, runningTaskCount: 0 });

      const service = await describeService(ecs);
      expect(service.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', taskDefinition: expect.stringMatching(/shop-api:1$/), rolloutState: 'COMPLETED' })]);
      expect(service.taskDefinition).toMatch(/shop-api:1$/);
      const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: greenId, desiredStatus: 'STOPPED' }));
      const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns!.slice(0, 100) }));
      expect(tasks!.some((task) => (task.stoppedReason ?? '').includes(stopped) || (task.containers ?? []).some((container) => container.exitCode === 1))).toBe(true);
      expect(service.events!.map((event) => event.message)).toContain(`(service shop-api) (deployment ${greenId}) deployment failed: tasks failed to start.`);
      expect(
        sim
          .inspect(CLUSTER, 'shop-api')
          .serviceDeployments[0]!.timeline.filter((entry) => entry.rollingBack)
          .map((entry) => entry.stage),
      ).toEqual(['CLEAN_UP', 'CLEAN_UP']);
    });
  });

  it('shows the failed green deployment as ACTIVE with rolloutState FAILED while ECS rolls back, and blue as PRIMARY', async () => {
    const { ecs } = await shopApi({ ...BLUE_GREEN, loadBalancers: loadBalancers({ testListener: false }) }, { speed: 60 });
    const { arn, greenId } = await deploy(ecs, 'crash');
    await follow(ecs, arn, { until: (entry) => entry.status === 'ROLLBACK_IN_PROGRESS' });
    const service = await describeService(ecs);
    expect(service.deployments).toEqual([
      expect.objectContaining({ status: 'PRIMARY', taskDefinition: expect.stringMatching(/shop-api:1$/), rolloutState: 'COMPLETED' }),
      expect.objectContaining({ id: greenId, status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }),
    ]);
  });

  it('stops a failed deployment where it is when the circuit breaker has rollback off: STOPPED, green PRIMARY and FAILED, blue still serving', async () => {
    const { sim, ecs } = await shopApi({ ...BLUE_GREEN, circuitBreaker: { enable: true, rollback: false } });
    const { arn, greenId } = await deploy(ecs, 'crash');
    const done = (await follow(ecs, arn)).at(-1)!.deployment;
    expect(done).toMatchObject({ status: 'STOPPED', statusReason: 'ECS deployment circuit breaker: tasks failed to start.', deploymentCircuitBreaker: { status: 'TRIGGERED' } });
    expect(done.stoppedAt).toBeInstanceOf(Date);
    expect(done.rollback).toBeUndefined();
    const service = await describeService(ecs);
    expect(service.deployments).toEqual([
      expect.objectContaining({ id: greenId, status: 'PRIMARY', rolloutState: 'FAILED' }),
      expect.objectContaining({ status: 'ACTIVE', runningCount: 2, taskDefinition: expect.stringMatching(/shop-api:1$/) }),
    ]);
    // Too late to stop: the deployment has completed.
    const error = await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' })).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'ConflictException' });
    // The way back is a new deployment of blue's task definition, which reconciles the two revisions first.
    const back = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', taskDefinition: 'shop-api:1' }));
    const again = await follow(ecs, back.service!.currentServiceDeployment!);
    expect(again.at(-1)!.status).toBe('SUCCESSFUL');
    expect(sim.inspect(CLUSTER, 'shop-api').serviceDeployments[0]!.timeline.map((entry) => entry.stage)[1]).toBe('RECONCILE_SERVICE');
    expect((await describeService(ecs)).deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', taskDefinition: expect.stringMatching(/shop-api:1$/), runningCount: 2 })]);
  });

  it('rolls back when a deployment alarm goes into ALARM during bake time, production traffic returning to blue and the PRODUCTION_TRAFFIC_SHIFT hook invoked with weights reversed', async () => {
    const { sim, ecs } = await shopApi(
      {
        ...BLUE_GREEN,
        bakeTimeInMinutes: 5,
        alarms: { alarmNames: ['shop-api-5xx', 'shop-api-latency'], enable: true, rollback: true },
        lifecycleHooks: [{ hookTargetArn: SMOKE_TEST, roleArn: HOOK_ROLE, lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }],
      },
      { alarms: [{ alarmName: 'shop-api-5xx', stage: 'BAKE_TIME', afterSeconds: 60 }] },
    );
    const { arn } = await deploy(ecs, 'v2');
    const seen = await follow(ecs, arn);
    const done = seen.at(-1)!.deployment;
    expect(done).toMatchObject({
      status: 'ROLLBACK_SUCCESSFUL',
      alarms: { status: 'TRIGGERED', alarmNames: ['shop-api-5xx', 'shop-api-latency'], triggeredAlarmNames: ['shop-api-5xx'] },
      rollback: { reason: 'deployment failed: alarm(s) detected: shop-api-5xx' },
    });
    // It failed in BAKE_TIME with production on green; the rollback put it back on blue and then the test traffic.
    const timeline = sim.inspect(CLUSTER, 'shop-api').serviceDeployments[0]!.timeline;
    const failedAt = timeline.findIndex((entry) => entry.status === 'ROLLBACK_IN_PROGRESS');
    expect(timeline[failedAt - 1]).toMatchObject({ stage: 'BAKE_TIME', production: 100 });
    expect(timeline.filter((entry) => entry.rollingBack).map((entry) => [entry.stage, entry.production, entry.test])).toEqual([
      ['PRODUCTION_TRAFFIC_SHIFT', 0, 100],
      ['TEST_TRAFFIC_SHIFT', 0, 0],
      ['CLEAN_UP', 0, 0],
      ['CLEAN_UP', 0, 0],
    ]);
    const bake = timeline.find((entry) => entry.stage === 'BAKE_TIME')!;
    expect(timeline[failedAt]!.at - bake.at).toBeGreaterThanOrEqual(60_000);
    expect(timeline[failedAt]!.at - bake.at).toBeLessThan(62_000);
    const rollbackCall = sim.inspect(CLUSTER, 'shop-api').hookInvocations.at(-1)!;
    expect(rollbackCall.stage).toBe('PRODUCTION_TRAFFIC_SHIFT');
    expect((rollbackCall.payload.executionDetails as { productionTrafficWeights: Record<string, number> }).productionTrafficWeights).toEqual({
      [done.targetServiceRevision!.arn!]: 0,
      [done.sourceServiceRevisions![0]!.arn!]: 100,
    });
    expect((await describeService(ecs)).deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', taskDefinition: expect.stringMatching(/shop-api:1$/), runningCount: 2 })]);
  });

  it('stops, without rolling back, a deployment whose alarm fires when alarm rollback is off; production stays on green', async () => {
    const { sim, ecs } = await shopApi({ ...BLUE_GREEN, alarms: { alarmNames: ['shop-api-5xx'], enable: true, rollback: false } });
    const { arn } = await deploy(ecs, 'v2');
    await follow(ecs, arn, { until: (entry) => entry.stage === 'BAKE_TIME' });
    sim.setAlarm('shop-api-5xx', 'ALARM');
    const done = (await follow(ecs, arn)).at(-1)!;
    expect(done).toMatchObject({ status: 'STOPPED', stage: 'BAKE_TIME', production: 100, greenRunning: 2, blueRunning: 2 });
    expect(done.deployment.alarms).toEqual({ status: 'TRIGGERED', alarmNames: ['shop-api-5xx'], triggeredAlarmNames: ['shop-api-5xx'] });
  });

  it('counts green tasks that fail during bake time, resetting on a healthy task unless resetOnHealthyTask is false; StopServiceDeployment rolls back what the breaker lets through', async () => {
    const lateCrash = { image: ':late-crash', behaviour: 'exits' as const, exitCode: 137, runSeconds: 150 };
    // resetOnHealthyTask false: every failure counts, and the third trips the breaker during bake time.
    const strict = await shopApi({ ...BLUE_GREEN, bakeTimeInMinutes: 10, circuitBreaker: { enable: true, rollback: true, resetOnHealthyTask: false } });
    strict.sim.addScenarios(lateCrash);
    const strictSeen = await follow(strict.ecs, (await deploy(strict.ecs, 'late-crash')).arn);
    expect(strictSeen.at(-1)!.deployment).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL', deploymentCircuitBreaker: { status: 'TRIGGERED' } });
    const strictTimeline = strict.sim.inspect(CLUSTER, 'shop-api').serviceDeployments[0]!.timeline;
    expect(strictTimeline[strictTimeline.findIndex((entry) => entry.status === 'ROLLBACK_IN_PROGRESS') - 1]!.stage).toBe('BAKE_TIME');

    // By default a replacement that turns healthy resets the count: ECS lets the deployment bake on.
    const lenient = await shopApi({ ...BLUE_GREEN, bakeTimeInMinutes: 10 });
    lenient.sim.addScenarios(lateCrash);
    const { arn } = await deploy(lenient.ecs, 'late-crash');
    await waitFor(async () => lenient.sim.inspect(CLUSTER, 'shop-api').failures.filter((failure) => failure.stoppedAt !== undefined).length >= 4, 'four green tasks to fail', 20_000);
    const [baking] = (await lenient.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments!;
    expect(baking).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'BAKE_TIME', deploymentCircuitBreaker: { status: 'MONITORING' } });
    expect(baking!.deploymentCircuitBreaker!.failureCount).toBeLessThan(3);

    // Simulated time held: the request is seen before ECS acts on it.
    lenient.sim.clock.hold();
    await lenient.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }));
    const [requested] = (await lenient.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments!;
    expect(requested).toMatchObject({ status: 'ROLLBACK_REQUESTED', statusReason: 'Service deployment rolled back because of a StopServiceDeployment request.' });
    lenient.sim.clock.release();
    const stopped = await follow(lenient.ecs, arn);
    expect(sequence(stopped, (entry) => entry.status).filter((status) => status !== 'ROLLBACK_REQUESTED')).toEqual(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']);
    expect(stopped.at(-1)!.deployment).toMatchObject({
      rollback: { reason: 'Service deployment rolled back because of a StopServiceDeployment request.' },
      targetServiceRevision: { requestedProductionTrafficWeight: 0, runningTaskCount: 0 },
    });
    // Once completed it cannot be stopped again.
    await expect(lenient.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }))).rejects.toMatchObject({ name: 'ConflictException' });
  });

  it('rolls back when a lifecycle hook fails, naming it in lifecycleHookDetails; a hook answering IN_PROGRESS is called again after its callBackDelay', async () => {
    const checks = `arn:aws:lambda:us-east-1:123456789012:function:shop-api-checks`;
    const { sim, ecs } = await shopApi(
      {
        ...BLUE_GREEN,
        lifecycleHooks: [
          { hookTargetArn: checks, roleArn: HOOK_ROLE, lifecycleStages: ['POST_SCALE_UP'] },
          { hookTargetArn: SMOKE_TEST, roleArn: HOOK_ROLE, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], hookDetails: { path: '/healthz' } },
        ],
      },
      {
        hooks: [
          { target: 'shop-api-checks', result: 'SUCCEEDED', inProgress: 2, callBackDelaySeconds: 20 },
          { target: 'shop-api-smoke-test', stage: 'POST_TEST_TRAFFIC_SHIFT', result: 'FAILED' },
        ],
      },
    );
    const { arn } = await deploy(ecs, 'v2');
    const seen = await follow(ecs, arn);
    const failed = seen.find((entry) => entry.status === 'ROLLBACK_IN_PROGRESS')!.deployment;
    expect(failed.statusReason).toBe('deployment failed: hook execution failure(s) detected');
    expect(failed.lifecycleHookDetails![0]).toEqual({ hookId: expect.stringMatching(/^ecs-lambda-/), targetType: 'AWS_LAMBDA', targetArn: SMOKE_TEST, status: 'FAILED', expiresAt: expect.any(Date), timeoutAction: 'ROLLBACK' });
    const done = seen.at(-1)!.deployment;
    expect(done).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL', rollback: { reason: 'deployment failed: hook execution failure(s) detected' } });
    expect(done.lifecycleHookDetails!.map((hook) => [hook.targetArn, hook.status])).toEqual([[SMOKE_TEST, 'FAILED']]);

    const invocations = sim.inspect(CLUSTER, 'shop-api').hookInvocations;
    const first = invocations.filter((invocation) => invocation.targetArn === checks);
    expect(first.map((invocation) => invocation.hookStatus)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(first[1]!.at - first[0]!.at).toBe(22_000);
    expect(new Set(first.map((invocation) => invocation.hookId)).size).toBe(1);
    expect(invocations.find((invocation) => invocation.targetArn === SMOKE_TEST)!.payload).toMatchObject({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', hookDetails: { path: '/healthz' } });
    // Test traffic had moved to green: the rollback moves it back.
    expect(
      sim
        .inspect(CLUSTER, 'shop-api')
        .serviceDeployments[0]!.timeline.filter((entry) => entry.rollingBack)
        .map((entry) => entry.stage),
    ).toEqual(['TEST_TRAFFIC_SHIFT', 'CLEAN_UP', 'CLEAN_UP']);
  });

  it('applies the timeoutAction of a hook that timed out, and fails the rollback (ROLLBACK_FAILED) when a hook fails while ECS rolls back', async () => {
    const slow = 'arn:aws:lambda:us-east-1:123456789012:function:shop-api-slow-check';
    const { sim, ecs } = await shopApi(
      {
        ...BLUE_GREEN,
        lifecycleHooks: [
          { hookTargetArn: slow, roleArn: HOOK_ROLE, lifecycleStages: ['POST_SCALE_UP'], timeoutConfiguration: { timeoutInMinutes: 1, action: 'CONTINUE' } },
          { hookTargetArn: SMOKE_TEST, roleArn: HOOK_ROLE, lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] },
        ],
      },
      {
        hooks: [
          { target: 'shop-api-slow-check', result: 'SUCCEEDED', inProgress: 10 },
          { target: 'shop-api-smoke-test', result: 'FAILED', during: 'any' },
        ],
      },
    );
    const { arn } = await deploy(ecs, 'v2');
    const done = (await follow(ecs, arn)).at(-1)!.deployment;
    expect(done).toMatchObject({ status: 'ROLLBACK_FAILED', statusReason: 'deployment failed: hook execution failure(s) detected', lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT' });
    expect(done.lifecycleHookDetails!.map((hook) => [hook.targetArn, hook.status])).toEqual([
      [SMOKE_TEST, 'FAILED'],
      [SMOKE_TEST, 'FAILED'],
    ]);
    const invocations = sim.inspect(CLUSTER, 'shop-api').hookInvocations;
    // The slow hook answered IN_PROGRESS until its minute ran out; then the deployment went on.
    expect(invocations.filter((invocation) => invocation.targetArn === slow).map((invocation) => invocation.hookStatus)).toEqual(['IN_PROGRESS', 'IN_PROGRESS']);
    const smoke = invocations.filter((invocation) => invocation.targetArn === SMOKE_TEST);
    expect(smoke.map((invocation) => Object.values((invocation.payload.executionDetails as { productionTrafficWeights: Record<string, number> }).productionTrafficWeights))).toEqual([
      [100, 0],
      [0, 100],
    ]);
    // Green still runs: nothing scaled it in.
    expect((await describeService(ecs)).deployments!.map((deployment) => [deployment.status, deployment.rolloutState, deployment.runningCount])).toEqual([
      ['PRIMARY', 'COMPLETED', 2],
      ['ACTIVE', 'FAILED', 2],
    ]);
  });

  it('waits at a PAUSE hook until ContinueServiceDeployment continues the deployment or rolls it back', async () => {
    const pause = { targetType: 'PAUSE' as const, lifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT' as const], timeoutConfiguration: { timeoutInMinutes: 60, action: 'ROLLBACK' as const } };
    const { ecs } = await shopApi({ ...BLUE_GREEN, lifecycleHooks: [pause] });
    const paused = async (arn: string) => (await follow(ecs, arn, { until: (entry) => entry.deployment.lifecycleHookDetails?.[0]?.status === 'AWAITING_ACTION' })).at(-1)!.deployment;

    const first = await deploy(ecs, 'v2');
    const waiting = await paused(first.arn);
    expect(waiting).toMatchObject({ status: 'IN_PROGRESS', lifecycleStage: 'POST_PRODUCTION_TRAFFIC_SHIFT', lifecycleHookDetails: [{ targetType: 'PAUSE', status: 'AWAITING_ACTION', timeoutAction: 'ROLLBACK' }] });
    const hook = waiting.lifecycleHookDetails![0]!;
    expect(hook.hookId).toMatch(/^ecs-pause-[A-Za-z0-9_-]{43}$/);
    expect(hook.targetArn).toBeUndefined();
    expect(hook.expiresAt!.getTime() - waiting.updatedAt!.getTime()).toBeLessThanOrEqual(3_600_000);
    await expect(ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: first.arn, hookId: 'ecs-pause-nope' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: first.arn, hookId: hook.hookId!, action: 'CONTINUE' }));
    expect((await follow(ecs, first.arn)).at(-1)!.status).toBe('SUCCESSFUL');

    const second = await deploy(ecs, 'v3');
    const hookId = (await paused(second.arn)).lifecycleHookDetails![0]!.hookId!;
    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: second.arn, hookId, action: 'ROLLBACK' }));
    const done = (await follow(ecs, second.arn)).at(-1)!.deployment;
    expect(done).toMatchObject({ status: 'ROLLBACK_SUCCESSFUL', rollback: { reason: 'Service deployment rolled back because of a ContinueServiceDeployment request.' } });
    expect((await describeService(ecs)).taskDefinition).toMatch(/shop-api:2$/);
  });

  it('refuses StopServiceDeployment with ABORT, an unknown ARN, and a deployment in CLEAN_UP', async () => {
    const { ecs } = await shopApi({ ...BLUE_GREEN, bakeTimeInMinutes: 0 });
    const { arn } = await deploy(ecs, 'v2');
    await expect(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ABORT' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'The stopType ABORT is not supported. The valid values are ROLLBACK.',
    });
    await expect(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: `${arn}x`, stopType: 'ROLLBACK' }))).rejects.toMatchObject({ name: 'ServiceDeploymentNotFoundException' });
    await follow(ecs, arn, { until: (entry) => entry.stage === 'CLEAN_UP' });
    await expect(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }))).rejects.toMatchObject({ name: 'ConflictException' });
    expect((await follow(ecs, arn)).at(-1)!.status).toBe('SUCCESSFUL');
  });

  it('stops the deployment a newer one replaces: STOP_REQUESTED, then STOPPED once the newer one has reconciled the revisions', async () => {
    const { sim, ecs } = await shopApi({ ...BLUE_GREEN, bakeTimeInMinutes: 5 });
    const first = await deploy(ecs, 'v2');
    await follow(ecs, first.arn, { until: (entry) => entry.stage === 'BAKE_TIME' });
    const second = await deploy(ecs, 'v3');
    const [replaced] = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [first.arn] }))).serviceDeployments!;
    expect(replaced!.status).toBe('STOP_REQUESTED');
    const seen = await follow(ecs, second.arn);
    expect(
      sim
        .inspect(CLUSTER, 'shop-api')
        .serviceDeployments[0]!.timeline.map((entry) => entry.stage)
        .slice(1, 3),
    ).toEqual(['RECONCILE_SERVICE', 'PRE_SCALE_UP']);
    // Green of the first deployment had all production traffic: it is blue for the second.
    expect(seen.at(-1)!.deployment.sourceServiceRevisions!.map((revision) => revision.arn)).toEqual([
      (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [first.arn] }))).serviceDeployments![0]!.targetServiceRevision!.arn,
      expect.any(String),
    ]);
    const [stopped] = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [first.arn] }))).serviceDeployments!;
    expect(stopped).toMatchObject({ status: 'STOPPED', stoppedAt: expect.any(Date) });
    expect(seen.at(-1)!.status).toBe('SUCCESSFUL');
    expect((await describeService(ecs)).deployments).toEqual([expect.objectContaining({ taskDefinition: expect.stringMatching(/shop-api:3$/), runningCount: 2 })]);
  });

  it('keeps a strategy set with UpdateService for later deployments, validates it, and refuses to change it during a deployment', async () => {
    const { ecs } = await shopApi({ circuitBreaker: { enable: true, rollback: true } });
    await expect(
      ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', deploymentConfiguration: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 2 } }, loadBalancers: loadBalancers() })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: 'linearConfiguration.stepPercent must be a multiple of 0.1 from 3.0 to 100.0.' });
    await expect(
      ecs.send(
        new UpdateServiceCommand({
          cluster: CLUSTER,
          service: 'shop-api',
          deploymentConfiguration: { strategy: 'CANARY', lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['PRODUCTION_TRAFFIC_SHIFT'] }] },
          loadBalancers: loadBalancers(),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException', message: expect.stringContaining('PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages') });
    await expect(ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', deploymentConfiguration: { strategy: 'CANARY' } }))).rejects.toMatchObject({ name: 'InvalidParameterException' });

    const { service } = await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: 'shop-api',
        deploymentConfiguration: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 1 }, bakeTimeInMinutes: 0 },
        loadBalancers: loadBalancers(),
      }),
    );
    expect(service!.deploymentConfiguration).toMatchObject({ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 1 }, deploymentCircuitBreaker: { enable: true, rollback: true } });
    // Changing the configuration alone starts no deployment.
    expect(service!.deployments).toHaveLength(1);
    const { arn } = await deploy(ecs, 'v2');
    await expect(ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', deploymentConfiguration: { strategy: 'ROLLING' } }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('cannot change while a service deployment is in progress'),
    });
    const seen = await follow(ecs, arn);
    expect(seen.at(-1)!.deployment.deploymentConfiguration).toMatchObject({ strategy: 'CANARY' });
    expect(sequence(seen, (entry) => entry.production)).toEqual([0, 20, 100]);

    // Back to rolling: the next deployment is a rolling one again, with no stages or weights.
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', deploymentConfiguration: { strategy: 'ROLLING' } }));
    const rolling = await deploy(ecs, 'v3');
    await waitFor(async () => (await describeService(ecs)).deployments!.length === 1 && (await describeService(ecs)).deployments![0]!.rolloutState === 'COMPLETED', 'the rolling deployment to complete', 20_000);
    const [record] = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [rolling.arn] }))).serviceDeployments!;
    expect(record).toMatchObject({ status: 'SUCCESSFUL', deploymentConfiguration: expect.objectContaining({ strategy: 'ROLLING' }) });
    expect(record!.lifecycleStage).toBeUndefined();
    expect(record!.targetServiceRevision!.requestedProductionTrafficWeight).toBeUndefined();
  });
});

describe('ECS simulator: service deployment history', () => {
  it('lists deployments newest first, filtered by status and creation time, a page at a time', async () => {
    const { ecs } = await shopApi({
      history: [
        { taskDefinition: 'shop-api:1', status: 'SUCCESSFUL' },
        { taskDefinition: 'shop-api:1', status: 'ROLLBACK_SUCCESSFUL' },
        { taskDefinition: 'shop-api:1', status: 'STOPPED' },
      ],
    });
    const before = new Date();
    const { arn } = await deploy(ecs, 'v2');
    const all = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'shop-api' }))).serviceDeployments!;
    expect(all.map((deployment) => deployment.status)).toEqual(['IN_PROGRESS', 'SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'SUCCESSFUL']);
    expect(all[0]!.serviceDeploymentArn).toBe(arn);

    const completed = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'shop-api', status: ['STOPPED', 'ROLLBACK_SUCCESSFUL'] }))).serviceDeployments!;
    expect(completed.map((deployment) => deployment.status)).toEqual(['STOPPED', 'ROLLBACK_SUCCESSFUL']);
    const recent = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'shop-api', createdAt: { after: new Date(before.getTime() - 60_000) } }))).serviceDeployments!;
    expect(recent.map((deployment) => deployment.serviceDeploymentArn)).toEqual([arn]);

    const first = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'shop-api', maxResults: 2 }));
    expect(first.serviceDeployments).toHaveLength(2);
    // A deployment started between pages moves nothing on the next one.
    await deploy(ecs, 'v3');
    const second = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'shop-api', maxResults: 2, nextToken: first.nextToken }));
    const third = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'shop-api', maxResults: 2, nextToken: second.nextToken }));
    expect([...first.serviceDeployments!, ...second.serviceDeployments!, ...third.serviceDeployments!].map((deployment) => deployment.serviceDeploymentArn)).toEqual(all.map((deployment) => deployment.serviceDeploymentArn));
    expect(third.nextToken).toBeUndefined();
    await expect(ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'shop-api', status: ['DONE' as never] }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'ghost' }))).rejects.toMatchObject({ name: 'ServiceNotFoundException' });
  });

  it('records a circuit-breaker rollback of a rolling deployment on its service deployment, and keeps the failed deployment listed (ACTIVE, FAILED) until the rollback completes', async () => {
    const { ecs } = await shopApi({ circuitBreaker: { enable: true, rollback: true } }, { speed: 60 });
    const { arn, greenId } = await deploy(ecs, 'crash');
    const seen = await follow(ecs, arn, { everyMs: 5 });
    expect(sequence(seen, (entry) => entry.status)).toEqual(['IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']);
    const rollingBack = seen.find((entry) => entry.status === 'ROLLBACK_IN_PROGRESS')!.deployment;
    expect(rollingBack).toMatchObject({
      statusReason: 'ECS deployment circuit breaker: tasks failed to start.',
      rollback: { reason: 'ECS deployment circuit breaker: tasks failed to start.', serviceRevisionArn: rollingBack.sourceServiceRevisions![0]!.arn },
      deploymentCircuitBreaker: { status: 'TRIGGERED', threshold: 3 },
      deploymentConfiguration: expect.objectContaining({ strategy: 'ROLLING' }),
    });
    expect(rollingBack.lifecycleStage).toBeUndefined();
    const done = seen.at(-1)!.deployment;
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(done.targetServiceRevision).toMatchObject({ runningTaskCount: 0 });

    // Polled as a watcher polls: the failed deployment is seen FAILED on every poll until the rollback has completed.
    const { taskDefinition: registered } = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('shop-api', 'crash')));
    const { service } = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', taskDefinition: registered!.taskDefinitionArn }));
    const ours = service!.deployments!.find((deployment) => deployment.status === 'PRIMARY')!.id!;
    const states: string[] = [];
    await waitFor(
      async () => {
        const current = await describeService(ecs);
        const mine = current.deployments!.find((deployment) => deployment.id === ours);
        states.push(mine ? `${mine.status}/${mine.rolloutState}` : 'gone');
        return current.deployments!.length === 1 && current.deployments![0]!.rolloutState === 'COMPLETED' && current.deployments![0]!.id !== ours;
      },
      'the rollback to complete',
      30_000,
    );
    expect(greenId).not.toBe(ours);
    const firstFailed = states.indexOf('ACTIVE/FAILED');
    expect(firstFailed).toBeGreaterThanOrEqual(0);
    expect(new Set(states.slice(firstFailed, -1))).toEqual(new Set(['ACTIVE/FAILED']));
  });

  it('rolls a rolling deployment back on StopServiceDeployment: ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS, ROLLBACK_SUCCESSFUL', async () => {
    const { sim, ecs } = await shopApi({}, { speed: 60 });
    const { arn } = await deploy(ecs, 'slow');
    sim.clock.hold();
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn }));
    const [requested] = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments!;
    expect(requested!.status).toBe('ROLLBACK_REQUESTED');
    sim.clock.release();
    const seen = await follow(ecs, arn);
    expect(sequence(seen, (entry) => entry.status).filter((status) => status !== 'ROLLBACK_REQUESTED')).toEqual(['ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL']);
    expect(seen.at(-1)!.deployment.rollback).toMatchObject({ reason: 'Service deployment rolled back because of a StopServiceDeployment request.' });
    const service = await describeService(ecs);
    expect(service.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', taskDefinition: expect.stringMatching(/shop-api:1$/) })]);
  });
});
