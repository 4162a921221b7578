/**
 * The CodeDeploy operations the stand-in answers, in the shapes of the AWS JSON 1.1 API
 * (`X-Amz-Target: CodeDeploy_20141006.<Operation>`, timestamps as epoch seconds, error `__type`s).
 */
import { SimError, type Json } from '../ecs-simulator/common.js';
import { ECS_CONFIGS, targetGroupName, type CdApplication, type CdDeployment, type CdDeploymentGroup, type CodeDeployModel } from './model.js';

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms) / 1000);

function strip<T extends Json>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

function page<T>(items: T[], token: unknown, size = 100): { items: T[]; nextToken?: string } {
  let start = 0;
  if (typeof token === 'string') {
    start = Number(Buffer.from(token, 'base64url').toString());
    if (!Number.isInteger(start) || start < 0) throw new SimError('InvalidNextTokenException', 'The next token was specified in an invalid format.');
  }
  return { items: items.slice(start, start + size), nextToken: start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined };
}

function applicationShape(application: CdApplication): Json {
  return { applicationId: application.id, applicationName: application.name, createTime: seconds(application.createTime), linkedToGitHub: false, computePlatform: application.computePlatform };
}

function lastDeployment(deployment: CdDeployment | undefined): Json | undefined {
  if (!deployment) return undefined;
  return strip({ deploymentId: deployment.id, status: deployment.status, endTime: seconds(deployment.completeTime), createTime: seconds(deployment.createTime) });
}

function groupShape(group: CdDeploymentGroup): Json {
  return strip({
    applicationName: group.application.name,
    deploymentGroupId: group.id,
    deploymentGroupName: group.name,
    deploymentConfigName: group.deploymentConfigName,
    ec2TagFilters: [],
    onPremisesInstanceTagFilters: [],
    autoScalingGroups: [],
    serviceRoleArn: group.serviceRoleArn,
    targetRevision: group.lastAttempted && { revisionType: 'AppSpecContent', appSpecContent: { sha256: group.lastAttempted.revision.sha256 } },
    triggerConfigurations: [],
    alarmConfiguration: group.alarmConfiguration ?? { enabled: false, ignorePollAlarmFailure: false, alarms: [] },
    autoRollbackConfiguration: group.autoRollbackConfiguration ?? { enabled: false, events: [] },
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    outdatedInstancesStrategy: 'UPDATE',
    blueGreenDeploymentConfiguration: group.blueGreenDeploymentConfiguration,
    loadBalancerInfo: group.loadBalancerInfo,
    lastSuccessfulDeployment: lastDeployment(group.lastSuccessful),
    lastAttemptedDeployment: lastDeployment(group.lastAttempted),
    computePlatform: 'ECS',
    ecsServices: group.ecsServices,
    terminationHookEnabled: false,
  });
}

function overview(deployment: CdDeployment): Json {
  const counts: Json = { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 };
  const key = deployment.targetStatus === 'Unknown' ? 'Pending' : deployment.targetStatus;
  counts[key] = Number(counts[key]) + 1;
  return counts;
}

function deploymentShape(deployment: CdDeployment): Json {
  const { group } = deployment;
  return strip({
    applicationName: group.application.name,
    deploymentGroupName: group.name,
    deploymentConfigName: deployment.configName,
    deploymentId: deployment.id,
    // GetDeployment never returns the AppSpec content, only its hash.
    previousRevision: deployment.previous && { revisionType: 'AppSpecContent', appSpecContent: { sha256: deployment.previous.revision.sha256 } },
    revision: { revisionType: 'AppSpecContent', appSpecContent: { sha256: deployment.revision.sha256 } },
    status: deployment.status,
    errorInformation: deployment.errorInformation,
    createTime: seconds(deployment.createTime),
    startTime: seconds(deployment.startTime),
    completeTime: seconds(deployment.completeTime),
    deploymentOverview: overview(deployment),
    description: deployment.description,
    creator: deployment.creator,
    ignoreApplicationStopFailures: false,
    autoRollbackConfiguration: deployment.autoRollbackConfiguration,
    updateOutdatedInstancesOnly: false,
    rollbackInfo: deployment.rollbackInfo,
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    instanceTerminationWaitTimeStarted: deployment.terminationWaitStarted,
    blueGreenDeploymentConfiguration: group.blueGreenDeploymentConfiguration,
    loadBalancerInfo: group.loadBalancerInfo,
    deploymentStatusMessages: [],
    computePlatform: 'ECS',
  });
}

function targetId(deployment: CdDeployment): string {
  return `${deployment.service.cluster.name}:${deployment.service.name}`;
}

function targetShape(model: CodeDeployModel, deployment: CdDeployment): Json {
  const { ecs } = model;
  const original = deployment.rollbackOf ?? deployment;
  const taskSets = [
    { taskSet: original.blue, label: 'Blue', weight: 100 - deployment.production },
    { taskSet: original.green, label: 'Green', weight: deployment.production },
  ].filter((entry) => entry.taskSet !== undefined);
  return {
    deploymentTargetType: 'ECSTarget',
    ecsTarget: strip({
      deploymentId: deployment.id,
      targetId: targetId(deployment),
      targetArn: deployment.service.arn,
      lastUpdatedAt: seconds(deployment.targetUpdatedAt),
      lifecycleEvents: deployment.events.map((event) => strip({ lifecycleEventName: event.name, diagnostics: event.diagnostics, startTime: seconds(event.startTime), endTime: seconds(event.endTime), status: event.status })),
      status: deployment.targetStatus,
      taskSetsInfo: taskSets.map(({ taskSet, label, weight }) => {
        const tasks = ecs.tasksOfTaskSet(taskSet!).filter((task) => task.desiredStatus === 'RUNNING');
        return strip({
          identifer: taskSet!.id,
          desiredCount: ecs.computedDesiredCount(taskSet!),
          pendingCount: tasks.filter((task) => task.lastStatus !== 'RUNNING').length,
          runningCount: tasks.filter((task) => task.lastStatus === 'RUNNING').length,
          status: deployment.service.taskSets.includes(taskSet!) ? taskSet!.status : 'DRAINING',
          trafficWeight: weight,
          targetGroup: { name: targetGroupName(taskSet!.targetGroupArn) },
          taskSetLabel: label,
        });
      }),
    }),
  };
}

function names(value: unknown, what: string, max: number, exception: string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new SimError(exception, `The minimum number of required ${what} was not specified.`);
  if (value.length > max) throw new SimError('BatchLimitExceededException', `The maximum number of ${what} that can be specified was exceeded (${max}).`);
  return value.map(String);
}

function started(deployment: CdDeployment): void {
  if (deployment.status === 'Created' || deployment.status === 'Queued') throw new SimError('DeploymentNotStartedException', `The deployment ${deployment.id} has not started.`);
}

type Handler = (model: CodeDeployModel, input: Json) => Json;

export const OPERATIONS: Record<string, Handler> = {
  ListApplications(model, input) {
    const { items, nextToken } = page([...model.applications.keys()].sort(), input.nextToken);
    return strip({ applications: items, nextToken });
  },

  GetApplication(model, input) {
    return { application: applicationShape(model.application(input.applicationName)) };
  },

  BatchGetApplications(model, input) {
    const wanted = names(input.applicationNames, 'application names', 100, 'ApplicationNameRequiredException');
    return { applicationsInfo: wanted.map((name) => applicationShape(model.application(name))) };
  },

  ListDeploymentGroups(model, input) {
    const application = model.application(input.applicationName);
    const { items, nextToken } = page(
      model.groupsOf(application).map((group) => group.name),
      input.nextToken,
    );
    return strip({ applicationName: application.name, deploymentGroups: items, nextToken });
  },

  GetDeploymentGroup(model, input) {
    return { deploymentGroupInfo: groupShape(model.group(input.applicationName, input.deploymentGroupName)) };
  },

  BatchGetDeploymentGroups(model, input) {
    const application = model.application(input.applicationName);
    const wanted = names(input.deploymentGroupNames, 'deployment group names', 100, 'DeploymentGroupNameRequiredException');
    const found = model.groupsOf(application).filter((group) => wanted.includes(group.name));
    const missing = wanted.filter((name) => !found.some((group) => group.name === name));
    return strip({ deploymentGroupsInfo: found.map(groupShape), errorMessage: missing.length ? `Deployment groups not found: ${missing.join(', ')}` : undefined });
  },

  GetDeploymentConfig(_model, input) {
    const name = String(input.deploymentConfigName ?? '');
    if (!name) throw new SimError('DeploymentConfigNameRequiredException', 'The deployment configuration name was not specified.');
    const config = ECS_CONFIGS[name];
    if (!config) throw new SimError('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${name}`);
    return {
      deploymentConfigInfo: strip({
        deploymentConfigId: `00000000-0000-0000-0000-${Buffer.from(name).toString('hex').slice(-12)}`,
        deploymentConfigName: name,
        createTime: 1_546_300_800,
        computePlatform: 'ECS',
        trafficRoutingConfig: strip({
          type: config.type,
          timeBasedCanary: config.type === 'TimeBasedCanary' ? { canaryPercentage: config.percentage, canaryInterval: config.interval } : undefined,
          timeBasedLinear: config.type === 'TimeBasedLinear' ? { linearPercentage: config.percentage, linearInterval: config.interval } : undefined,
        }),
      }),
    };
  },

  CreateDeployment(model, input) {
    return { deploymentId: model.createDeployment(input).id };
  },

  GetDeployment(model, input) {
    return { deploymentInfo: deploymentShape(model.deployment(input.deploymentId)) };
  },

  BatchGetDeployments(model, input) {
    const ids = names(input.deploymentIds, 'deployment IDs', 25, 'DeploymentIdRequiredException');
    return { deploymentsInfo: ids.filter((id) => model.deployments.has(id)).map((id) => deploymentShape(model.deployment(id))) };
  },

  ListDeployments(model, input) {
    const group = input.applicationName !== undefined || input.deploymentGroupName !== undefined ? model.group(input.applicationName, input.deploymentGroupName) : undefined;
    const statuses = Array.isArray(input.includeOnlyStatuses) ? input.includeOnlyStatuses.map(String) : undefined;
    const range = (input.createTimeRange as { start?: number; end?: number } | undefined) ?? {};
    const ids = [...model.deployments.values()]
      .filter(
        (deployment) =>
          (!group || deployment.group === group) &&
          (!statuses || statuses.includes(deployment.status)) &&
          (range.start === undefined || deployment.createTime >= range.start * 1000) &&
          (range.end === undefined || deployment.createTime <= range.end * 1000),
      )
      .sort((a, b) => b.createTime - a.createTime)
      .map((deployment) => deployment.id);
    const { items, nextToken } = page(ids, input.nextToken);
    return strip({ deployments: items, nextToken });
  },

  ListDeploymentTargets(model, input) {
    const deployment = model.deployment(input.deploymentId);
    started(deployment);
    const filters = (input.targetFilters as Record<string, string[]> | undefined) ?? {};
    for (const key of Object.keys(filters)) {
      if (key !== 'TargetStatus' && key !== 'ServerInstanceLabel') throw new SimError('InvalidTargetFilterNameException', `The target filter name ${key} is invalid.`);
    }
    const statuses = filters.TargetStatus;
    const ids = !statuses || statuses.includes(deployment.targetStatus) ? [targetId(deployment)] : [];
    return { targetIds: ids };
  },

  GetDeploymentTarget(model, input) {
    const deployment = model.deployment(input.deploymentId);
    started(deployment);
    if (typeof input.targetId !== 'string' || !input.targetId) throw new SimError('DeploymentTargetIdRequiredException', 'A deployment target ID was not provided.');
    if (input.targetId !== targetId(deployment)) throw new SimError('DeploymentTargetDoesNotExistException', `The deployment target ${input.targetId} does not exist.`);
    return { deploymentTarget: targetShape(model, deployment) };
  },

  BatchGetDeploymentTargets(model, input) {
    const deployment = model.deployment(input.deploymentId);
    started(deployment);
    const ids = names(input.targetIds, 'deployment target IDs', 25, 'DeploymentTargetIdRequiredException');
    for (const id of ids) if (id !== targetId(deployment)) throw new SimError('DeploymentTargetDoesNotExistException', `The deployment target ${id} does not exist.`);
    return { deploymentTargets: ids.map(() => targetShape(model, deployment)) };
  },

  StopDeployment(model, input) {
    const deployment = model.deployment(input.deploymentId);
    model.stopDeployment(deployment, input.autoRollbackEnabled);
    return { status: 'Pending', statusMessage: 'Stop request is pending.' };
  },

  ContinueDeployment(model, input) {
    model.continueDeployment(model.deployment(input.deploymentId), input.deploymentWaitType);
    return {};
  },
};
