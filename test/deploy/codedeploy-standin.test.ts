/**
 * The CodeDeploy stand-in through the real SDK, moving a blue/green deployment of a CODE_DEPLOY
 * service in the ECS simulator: discovery of the application and group, traffic shifting per the
 * deployment configuration, failures with auto-rollback, StopDeployment and ContinueDeployment.
 */
import { describe, expect, it } from '@jest/globals';
import {
  BatchGetApplicationsCommand,
  BatchGetDeploymentGroupsCommand,
  BatchGetDeploymentTargetsCommand,
  ContinueDeploymentCommand,
  CreateDeploymentCommand,
  GetApplicationCommand,
  GetDeploymentCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  GetDeploymentTargetCommand,
  ListApplicationsCommand,
  ListDeploymentGroupsCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  type ECSTarget,
} from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, DescribeTaskSetsCommand, ListTasksCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { SeedDeploymentGroup } from '../../standins/codedeploy/index.js';
import { CLUSTER, taskDefinition } from './fixtures.js';
import { BLUE_TARGET_GROUP, codeDeployFor, shopApi, TEST_RULE } from './bluegreen-fixtures.js';

const APP = 'AppECS-shop-prod-shop-api';
const GROUP = 'DgpECS-shop-prod-shop-api';

function group(overrides: Partial<SeedDeploymentGroup> = {}): SeedDeploymentGroup {
  return {
    applicationName: APP,
    deploymentGroupName: GROUP,
    ecsServices: [{ clusterName: CLUSTER, serviceName: 'shop-api' }],
    deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
    blueGreenDeploymentConfiguration: {
      terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 1 },
      deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
    },
    ...overrides,
  };
}

async function codeDeployed(groupOverrides: Partial<SeedDeploymentGroup> = {}, options: Parameters<typeof codeDeployFor>[1] = {}) {
  const { sim, ecs } = await shopApi({ deploymentController: 'CODE_DEPLOY', loadBalancers: [{ targetGroupArn: BLUE_TARGET_GROUP, containerName: 'api', containerPort: 3000 }] });
  const { standIn, codeDeploy } = await codeDeployFor(sim, options);
  standIn.seed({ applications: [{ name: APP }, { name: 'AppECS-other' }], deploymentGroups: [group(groupOverrides)] });
  return { sim, ecs, standIn, codeDeploy };
}

/** Registers shop-api at `tag` and creates a deployment of it with the AppSpec the official action writes. */
async function createDeployment(ecs: ECSClient, codeDeploy: CodeDeployClient, tag: string, extra: { hooks?: Record<string, string>[]; containerName?: string } = {}): Promise<{ deploymentId: string; taskDefinitionArn: string }> {
  const { taskDefinition: registered } = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('shop-api', tag)));
  const appSpec = {
    version: 0.0,
    Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: registered!.taskDefinitionArn, LoadBalancerInfo: { ContainerName: extra.containerName ?? 'api', ContainerPort: 3000 } } } }],
    ...(extra.hooks ? { Hooks: extra.hooks } : {}),
  };
  const { deploymentId } = await codeDeploy.send(
    new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: GROUP, revision: { revisionType: 'AppSpecContent', appSpecContent: { content: JSON.stringify(appSpec) } }, description: `shop-api ${tag}` }),
  );
  return { deploymentId: deploymentId!, taskDefinitionArn: registered!.taskDefinitionArn! };
}

interface Observed {
  status: string;
  blue?: number;
  green?: number;
  events: string;
  info: DeploymentInfo;
  target?: ECSTarget;
}

/** Polls GetDeployment and the deployment target until the deployment completes (or `until`), keeping each distinct state. */
async function watch(codeDeploy: CodeDeployClient, deploymentId: string, until?: (observed: Observed) => boolean): Promise<Observed[]> {
  const seen: Observed[] = [];
  const deadline = Date.now() + 45_000;
  for (;;) {
    const info = (await codeDeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!;
    let target: ECSTarget | undefined;
    if (info.status !== 'Created') {
      const { targetIds } = await codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId }));
      target = (await codeDeploy.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds }))).deploymentTargets![0]!.ecsTarget;
    }
    const weight = (label: string) => target?.taskSetsInfo?.find((taskSet) => taskSet.taskSetLabel === label)?.trafficWeight;
    const entry: Observed = { status: info.status!, blue: weight('Blue'), green: weight('Green'), events: (target?.lifecycleEvents ?? []).map((event) => `${event.lifecycleEventName}:${event.status}`).join(' '), info, target };
    const key = (value: Observed) => JSON.stringify([value.status, value.blue, value.green, value.events]);
    if (!seen.length || key(seen.at(-1)!) !== key(entry)) seen.push(entry);
    if (['Succeeded', 'Failed', 'Stopped'].includes(entry.status) || until?.(entry)) return seen;
    if (Date.now() > deadline) throw new Error(`The deployment did not finish:\n${seen.map(key).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const distinct = <T>(values: T[]) => values.filter((value, index) => index === 0 || JSON.stringify(value) !== JSON.stringify(values[index - 1]));

describe('CodeDeploy stand-in', () => {
  it('lets a caller find the application and deployment group of a service, by name or from its task set', async () => {
    const { ecs, codeDeploy } = await codeDeployed();
    expect((await codeDeploy.send(new ListApplicationsCommand({}))).applications).toEqual(['AppECS-other', APP]);
    const { applicationsInfo } = await codeDeploy.send(new BatchGetApplicationsCommand({ applicationNames: [APP] }));
    expect(applicationsInfo).toEqual([expect.objectContaining({ applicationName: APP, computePlatform: 'ECS', createTime: expect.any(Date) })]);
    expect((await codeDeploy.send(new GetApplicationCommand({ applicationName: APP }))).application!.applicationName).toBe(APP);
    expect((await codeDeploy.send(new ListDeploymentGroupsCommand({ applicationName: APP }))).deploymentGroups).toEqual([GROUP]);
    const { deploymentGroupsInfo, errorMessage } = await codeDeploy.send(new BatchGetDeploymentGroupsCommand({ applicationName: APP, deploymentGroupNames: [GROUP, 'missing'] }));
    expect(deploymentGroupsInfo![0]).toMatchObject({
      deploymentGroupName: GROUP,
      computePlatform: 'ECS',
      ecsServices: [{ clusterName: CLUSTER, serviceName: 'shop-api' }],
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupPairInfoList: [{ targetGroups: [{ name: 'shop-api-blue' }, { name: 'shop-api-blue-green' }] }] },
      blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { terminationWaitTimeInMinutes: 1 } },
    });
    expect(errorMessage).toContain('missing');
    const info = (await codeDeploy.send(new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: GROUP }))).deploymentGroupInfo!;
    expect(info.lastSuccessfulDeployment).toMatchObject({ status: 'Succeeded', deploymentId: expect.stringMatching(/^d-[A-Z0-9]{9}$/) });

    // The service runs one task set, created by that deployment.
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-api'] }))).services![0]!;
    expect(service.deploymentController).toEqual({ type: 'CODE_DEPLOY' });
    expect(service.deployments).toEqual([]);
    expect(service.taskSets).toEqual([
      expect.objectContaining({
        status: 'PRIMARY',
        startedBy: 'CODE_DEPLOY',
        externalId: info.lastSuccessfulDeployment!.deploymentId,
        runningCount: 2,
        computedDesiredCount: 2,
        stabilityStatus: 'STEADY_STATE',
        scale: { value: 100, unit: 'PERCENT' },
      }),
    ]);
    const earlier = (await codeDeploy.send(new GetDeploymentCommand({ deploymentId: service.taskSets![0]!.externalId! }))).deploymentInfo!;
    expect(earlier).toMatchObject({ applicationName: APP, deploymentGroupName: GROUP, status: 'Succeeded', computePlatform: 'ECS' });

    await expect(codeDeploy.send(new GetApplicationCommand({ applicationName: 'nope' }))).rejects.toMatchObject({ name: 'ApplicationDoesNotExistException' });
    await expect(codeDeploy.send(new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: 'nope' }))).rejects.toMatchObject({ name: 'DeploymentGroupDoesNotExistException' });
    expect((await codeDeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes' }))).deploymentConfigInfo!.trafficRoutingConfig).toEqual({
      type: 'TimeBasedLinear',
      timeBasedLinear: { linearPercentage: 10, linearInterval: 1 },
    });
  });

  it('moves a canary deployment: replacement task set, test traffic, 10 % then the rest after five minutes, the original kept for the termination wait (Baking) and then deleted', async () => {
    const { sim, ecs, standIn, codeDeploy } = await codeDeployed({
      deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
      loadBalancerInfo: {
        targetGroupPairInfoList: [{ targetGroups: [{ name: 'shop-api-blue' }, { name: 'shop-api-green' }], prodTrafficRoute: { listenerArns: ['arn:listener/prod'] }, testTrafficRoute: { listenerArns: [TEST_RULE] } }],
      },
    });
    // With simulated time held, the deployment stays Created: its target cannot be listed yet.
    sim.clock.hold();
    const { deploymentId, taskDefinitionArn } = await createDeployment(ecs, codeDeploy, 'v2');
    await expect(codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId }))).rejects.toMatchObject({ name: 'DeploymentNotStartedException' });
    // Read while time is held: once released, a busy machine may poll only after the deployment has started.
    const created = (await codeDeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo!.status;
    sim.clock.release();
    const seen = await watch(codeDeploy, deploymentId);
    expect(distinct([created, ...seen.map((entry) => entry.status)])).toEqual(['Created', 'InProgress', 'Baking', 'Succeeded']);
    expect(distinct(seen.filter((entry) => entry.green !== undefined).map((entry) => [entry.blue, entry.green]))).toEqual([
      [100, 0],
      [90, 10],
      [0, 100],
    ]);
    const done = seen.at(-1)!;
    expect(done.info).toMatchObject({
      status: 'Succeeded',
      creator: 'user',
      deploymentOverview: { Succeeded: 1, Failed: 0 },
      revision: { revisionType: 'AppSpecContent', appSpecContent: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } },
    });
    expect(done.info.revision!.appSpecContent!.content).toBeUndefined();
    expect(done.info.instanceTerminationWaitTimeStarted).toBe(true);
    expect(done.target!.lifecycleEvents!.map((event) => [event.lifecycleEventName, event.status])).toEqual([
      ['BeforeInstall', 'Skipped'],
      ['Install', 'Succeeded'],
      ['AfterInstall', 'Skipped'],
      ['AllowTestTraffic', 'Succeeded'],
      ['AfterAllowTestTraffic', 'Skipped'],
      ['BeforeAllowTraffic', 'Skipped'],
      ['AllowTraffic', 'Succeeded'],
      ['AfterAllowTraffic', 'Skipped'],
    ]);
    // The canary waited its five minutes at 10 %; the original task set stayed a minute after the shift.
    const timeline = standIn.inspect(deploymentId).timeline;
    const canary = timeline.find((entry) => entry.production === 10)!;
    const full = timeline.find((entry) => entry.production === 100)!;
    expect(full.at - canary.at).toBeGreaterThanOrEqual(330_000);
    const baking = timeline.find((entry) => entry.status === 'Baking')!;
    expect(timeline.at(-1)!.at - baking.at).toBeGreaterThanOrEqual(60_000);
    expect(timeline.find((entry) => entry.event === 'AllowTestTraffic')!.test).toBe(0);
    expect(timeline.filter((entry) => entry.test === 100).length).toBeGreaterThan(0);

    const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-api'] }))).services![0]!;
    expect(service.taskDefinition).toBe(taskDefinitionArn);
    expect(service.taskSets).toEqual([expect.objectContaining({ status: 'PRIMARY', externalId: deploymentId, taskDefinition: taskDefinitionArn, runningCount: 2 })]);
    const { taskSets } = await ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: 'shop-api' }));
    expect(taskSets![0]!.loadBalancers![0]!.targetGroupArn).toMatch(/targetgroup\/shop-api-green\//);
    // The green tasks were started by the replacement task set.
    expect((await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy: taskSets![0]!.id }))).taskArns).toHaveLength(2);
    expect((await codeDeploy.send(new GetDeploymentGroupCommand({ applicationName: APP, deploymentGroupName: GROUP }))).deploymentGroupInfo!.lastSuccessfulDeployment!.deploymentId).toBe(deploymentId);
  });

  it('fails a deployment whose replacement tasks crash (ECS_UPDATE_ERROR) and rolls it back automatically: a rollback deployment restores the original task set', async () => {
    const { ecs, codeDeploy } = await codeDeployed({ autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } });
    const before = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-api'] }))).services![0]!.taskSets![0]!;
    const { deploymentId } = await createDeployment(ecs, codeDeploy, 'crash');
    const seen = await watch(codeDeploy, deploymentId);
    const failed = seen.at(-1)!;
    expect(failed.info).toMatchObject({
      status: 'Failed',
      errorInformation: { code: 'ECS_UPDATE_ERROR', message: expect.stringContaining('failed to start') },
      rollbackInfo: { rollbackDeploymentId: expect.stringMatching(/^d-/) },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] },
      deploymentOverview: { Failed: 1 },
    });
    expect(failed.target!.lifecycleEvents!.find((event) => event.lifecycleEventName === 'Install')).toMatchObject({ status: 'Failed', diagnostics: { errorCode: 'UnknownError' } });
    const green = failed.target!.taskSetsInfo!.find((taskSet) => taskSet.taskSetLabel === 'Green')!;
    expect(green).toMatchObject({ trafficWeight: 0 });
    const rollbackId = failed.info.rollbackInfo!.rollbackDeploymentId!;
    const rollback = await watch(codeDeploy, rollbackId);
    expect(rollback.at(-1)!.info).toMatchObject({ status: 'Succeeded', creator: 'codeDeployRollback', rollbackInfo: { rollbackTriggeringDeploymentId: deploymentId } });
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-api'] }))).services![0]!;
    expect(service.taskSets).toEqual([expect.objectContaining({ id: before.id, status: 'PRIMARY', runningCount: 2 })]);
    expect(service.taskDefinition).toMatch(/shop-api:1$/);
  });

  it('fails on a hook that reports Failed (HOOK_EXECUTION_FAILURE, naming the function and event), after moving test traffic; no rollback when none is configured', async () => {
    const { ecs, codeDeploy } = await codeDeployed(
      {
        loadBalancerInfo: {
          targetGroupPairInfoList: [{ targetGroups: [{ name: 'shop-api-blue' }, { name: 'shop-api-green' }], prodTrafficRoute: { listenerArns: ['arn:listener/prod'] }, testTrafficRoute: { listenerArns: [TEST_RULE] } }],
        },
      },
      { hooks: [{ target: 'shop-api-smoke-test', stage: 'AfterAllowTestTraffic', result: 'FAILED', durationSeconds: 20 }] },
    );
    const { deploymentId } = await createDeployment(ecs, codeDeploy, 'v2', { hooks: [{ BeforeInstall: 'shop-api-prepare' }, { AfterAllowTestTraffic: 'shop-api-smoke-test' }] });
    const done = (await watch(codeDeploy, deploymentId)).at(-1)!;
    expect(done.info).toMatchObject({ status: 'Failed', errorInformation: { code: 'HOOK_EXECUTION_FAILURE', message: expect.stringContaining('shop-api-smoke-test') } });
    expect(done.info.rollbackInfo).toBeUndefined();
    const events = Object.fromEntries(done.target!.lifecycleEvents!.map((event) => [event.lifecycleEventName, event]));
    expect(events.BeforeInstall!.status).toBe('Succeeded');
    expect(events.AfterAllowTestTraffic).toMatchObject({ status: 'Failed', diagnostics: { errorCode: 'ScriptFailed', scriptName: 'shop-api-smoke-test' } });
    expect(events.AfterAllowTestTraffic!.endTime!.getTime() - events.AfterAllowTestTraffic!.startTime!.getTime()).toBe(20_000);
    expect(done.target!.taskSetsInfo!.map((taskSet) => [taskSet.taskSetLabel, taskSet.trafficWeight])).toEqual([
      ['Blue', 100],
      ['Green', 0],
    ]);
    // Without rollback both task sets stay.
    expect((await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-api'] }))).services![0]!.taskSets).toHaveLength(2);
  });

  it('stops a deployment on request and rolls it back when asked; refuses a second deployment while one is active and a stop once completed', async () => {
    const { ecs, codeDeploy } = await codeDeployed({ deploymentConfigName: 'CodeDeployDefault.ECSLinear10PercentEvery1Minutes' });
    const { deploymentId } = await createDeployment(ecs, codeDeploy, 'v2');
    await expect(createDeployment(ecs, codeDeploy, 'v3')).rejects.toMatchObject({ name: 'DeploymentLimitExceededException', message: `The Deployment Group '${GROUP}' already has an active Deployment '${deploymentId}'` });
    await watch(codeDeploy, deploymentId, (entry) => (entry.green ?? 0) >= 30);
    expect(await codeDeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }))).toMatchObject({ status: 'Pending' });
    const stopped = (await watch(codeDeploy, deploymentId)).at(-1)!;
    expect(stopped.info).toMatchObject({ status: 'Stopped', errorInformation: { code: 'MANUAL_STOP' }, rollbackInfo: { rollbackDeploymentId: expect.any(String) } });
    const rollback = await watch(codeDeploy, stopped.info.rollbackInfo!.rollbackDeploymentId!);
    expect(rollback.at(-1)!.status).toBe('Succeeded');
    // Production traffic went back to the original task set.
    expect(
      rollback
        .filter((entry) => entry.green !== undefined)
        .map((entry) => entry.green)
        .at(-1),
    ).toBe(0);
    expect((await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-api'] }))).services![0]!.taskSets).toEqual([
      expect.objectContaining({ status: 'PRIMARY', taskDefinition: expect.stringMatching(/shop-api:1$/) }),
    ]);
    await expect(codeDeploy.send(new StopDeploymentCommand({ deploymentId }))).rejects.toMatchObject({ name: 'DeploymentAlreadyCompletedException' });
    const { targetIds } = await codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId }));
    const target = (await codeDeploy.send(new GetDeploymentTargetCommand({ deploymentId, targetId: targetIds![0] }))).deploymentTarget!;
    expect(target).toMatchObject({ deploymentTargetType: 'ECSTarget', ecsTarget: { targetId: `${CLUSTER}:shop-api`, status: 'Failed' } });
  });

  it('waits in Ready until ContinueDeployment reroutes traffic when the group says STOP_DEPLOYMENT, and skips the termination wait on TERMINATION_WAIT', async () => {
    const { ecs, codeDeploy } = await codeDeployed({
      blueGreenDeploymentConfiguration: {
        deploymentReadyOption: { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 60 },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 120 },
      },
    });
    const { deploymentId } = await createDeployment(ecs, codeDeploy, 'v2');
    await expect(codeDeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }))).rejects.toMatchObject({ name: 'DeploymentIsNotInReadyStateException' });
    const ready = (await watch(codeDeploy, deploymentId, (entry) => entry.status === 'Ready')).at(-1)!;
    expect(ready).toMatchObject({ status: 'Ready', blue: 100, green: 0 });
    expect(ready.target!.status).toBe('Ready');
    expect(ready.info.deploymentOverview).toMatchObject({ Ready: 1 });
    await codeDeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'READY_WAIT' }));
    await watch(codeDeploy, deploymentId, (entry) => entry.status === 'Baking');
    await codeDeploy.send(new ContinueDeploymentCommand({ deploymentId, deploymentWaitType: 'TERMINATION_WAIT' }));
    expect((await watch(codeDeploy, deploymentId)).at(-1)!.status).toBe('Succeeded');
  });

  it('stops a deployment whose group alarm goes into ALARM (ALARM_ACTIVE) and rolls it back on DEPLOYMENT_STOP_ON_ALARM', async () => {
    const { sim, ecs, codeDeploy } = await codeDeployed({
      alarmConfiguration: { enabled: true, ignorePollAlarmFailure: false, alarms: [{ name: 'shop-api-5xx' }] },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] },
    });
    const { deploymentId } = await createDeployment(ecs, codeDeploy, 'v2');
    await watch(codeDeploy, deploymentId, (entry) => entry.events.includes('AllowTraffic:InProgress'));
    sim.setAlarm('shop-api-5xx', 'ALARM');
    const stopped = (await watch(codeDeploy, deploymentId)).at(-1)!;
    expect(stopped.info).toMatchObject({ status: 'Stopped', errorInformation: { code: 'ALARM_ACTIVE', message: expect.stringContaining('shop-api-5xx') }, rollbackInfo: { rollbackDeploymentId: expect.any(String) } });
    expect((await watch(codeDeploy, stopped.info.rollbackInfo!.rollbackDeploymentId!)).at(-1)!.status).toBe('Succeeded');
  });

  it('refuses a malformed AppSpec and an unknown deployment configuration, and fails a deployment whose container is not in the task definition', async () => {
    const { ecs, codeDeploy } = await codeDeployed();
    const create = (content: string, deploymentConfigName?: string) =>
      codeDeploy.send(new CreateDeploymentCommand({ applicationName: APP, deploymentGroupName: GROUP, deploymentConfigName, revision: { revisionType: 'AppSpecContent', appSpecContent: { content } } }));
    await expect(create('version: 0.0\nResources: []\n')).rejects.toMatchObject({ name: 'InvalidRevisionException', message: expect.stringContaining('Resources') });
    await expect(create(JSON.stringify({ Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: {} } }] }))).rejects.toMatchObject({ message: expect.stringContaining('TaskDefinition is missing') });
    await expect(create(JSON.stringify({ Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: 'shop-api:1' } } }] }), 'CodeDeployDefault.Nope')).rejects.toMatchObject({
      name: 'DeploymentConfigDoesNotExistException',
    });
    const { deploymentId } = await createDeployment(ecs, codeDeploy, 'v2', { containerName: 'web' });
    const done = (await watch(codeDeploy, deploymentId)).at(-1)!;
    expect(done.info).toMatchObject({ status: 'Failed', errorInformation: { code: 'ECS_UPDATE_ERROR', message: expect.stringContaining('container web') } });
  });
});
