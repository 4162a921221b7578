/**
 * The ECS operations the simulator answers, with requests and responses in the shapes of the real
 * AWS JSON 1.1 API (timestamps as epoch seconds, failures lists, error types).
 */
import {
  deploymentConfigurationShape,
  EcsModel,
  SimError,
  type Json,
  type ServiceDeploymentRecord,
  type ServiceRevisionRecord,
  type SimCluster,
  type SimDeployment,
  type SimService,
  type SimTask,
  type SimTaskSet,
  type TaskDefinitionRecord,
} from './model.js';

const SERVICE_DEPLOYMENT_STATUSES = ['PENDING', 'SUCCESSFUL', 'STOPPED', 'STOP_REQUESTED', 'IN_PROGRESS', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.round(ms) / 1000);

function strip<T extends Json>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key];
  return value;
}

function limit(items: unknown, max: number, what: string): string[] {
  if (!Array.isArray(items) || items.length === 0) throw new SimError('InvalidParameterException', `${what} can not be empty.`);
  if (items.length > max) throw new SimError('InvalidParameterException', `${what} can have at most ${max} items.`);
  return items.map(String);
}

function page<T>(items: T[], input: Json, fallback: number, max: number): { items: T[]; nextToken?: string } {
  const size = typeof input.maxResults === 'number' ? input.maxResults : fallback;
  if (size < 1 || size > max) throw new SimError('InvalidParameterException', `maxResults must be between 1 and ${max}.`);
  const start = typeof input.nextToken === 'string' ? Number(Buffer.from(input.nextToken, 'base64url').toString()) : 0;
  const slice = items.slice(start, start + size);
  return { items: slice, nextToken: start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined };
}

function taskDefinitionShape(model: EcsModel, record: TaskDefinitionRecord): Json {
  const containers = (record.body.containerDefinitions as Json[]).map((container): Json => strip({ cpu: 0, portMappings: [], essential: true, environment: [], mountPoints: [], volumesFrom: [], systemControls: [], ...container }));
  const usesAwslogs = containers.some((container) => (container.logConfiguration as Json | undefined)?.logDriver === 'awslogs');
  const usesEcr = containers.some((container) => /\.dkr\.ecr\./.test(String(container.image)));
  return strip({
    taskDefinitionArn: record.arn,
    ...record.body,
    containerDefinitions: containers,
    family: record.family,
    revision: record.revision,
    volumes: record.body.volumes ?? [],
    status: record.status,
    requiresAttributes: [
      ...(usesAwslogs ? [{ name: 'com.amazonaws.ecs.capability.logging-driver.awslogs' }, { name: 'ecs.capability.execution-role-awslogs' }] : []),
      ...(usesEcr ? [{ name: 'com.amazonaws.ecs.capability.ecr-auth' }, { name: 'ecs.capability.execution-role-ecr-pull' }] : []),
      { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.19' },
    ],
    placementConstraints: record.body.placementConstraints ?? [],
    compatibilities: ['EC2', 'FARGATE'],
    registeredAt: seconds(record.registeredAt),
    registeredBy: `arn:aws:sts::${model.account}:assumed-role/github-actions-deployer/GitHubActions`,
    deregisteredAt: seconds(record.deregisteredAt),
  });
}

function deploymentShape(model: EcsModel, service: SimService, deployment: SimDeployment): Json {
  const tasks = [...service.cluster.tasks.values()].filter((task) => task.deployment === deployment && task.desiredStatus === 'RUNNING');
  return strip({
    id: deployment.id,
    status: deployment.status,
    taskDefinition: deployment.taskDefinition.arn,
    desiredCount: deployment.desiredCount,
    pendingCount: tasks.filter((task) => task.lastStatus !== 'RUNNING').length,
    runningCount: tasks.filter((task) => task.lastStatus === 'RUNNING').length,
    failedTasks: deployment.failedTasks,
    createdAt: seconds(deployment.createdAt),
    updatedAt: seconds(deployment.updatedAt),
    launchType: service.launchType,
    platformVersion: service.launchType === 'FARGATE' ? '1.4.0' : undefined,
    platformFamily: service.launchType === 'FARGATE' ? 'Linux' : undefined,
    networkConfiguration: networkConfiguration(),
    rolloutState: deployment.rolloutState,
    rolloutStateReason: deployment.rolloutStateReason,
  });
}

function networkConfiguration(): Json {
  return { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' } };
}

function counts(tasks: SimTask[]): { runningCount: number; pendingCount: number } {
  const live = tasks.filter((task) => task.desiredStatus === 'RUNNING');
  return { runningCount: live.filter((task) => task.lastStatus === 'RUNNING').length, pendingCount: live.filter((task) => task.lastStatus !== 'RUNNING').length };
}

function taskSetShape(model: EcsModel, taskSet: SimTaskSet): Json {
  const { service } = taskSet;
  return strip({
    id: taskSet.id,
    taskSetArn: taskSet.arn,
    serviceArn: service.arn,
    clusterArn: service.cluster.arn,
    startedBy: 'CODE_DEPLOY',
    externalId: taskSet.externalId,
    status: taskSet.status,
    taskDefinition: taskSet.taskDefinition.arn,
    computedDesiredCount: model.computedDesiredCount(taskSet),
    ...counts(model.tasksOfTaskSet(taskSet)),
    createdAt: seconds(taskSet.createdAt),
    updatedAt: seconds(taskSet.updatedAt),
    launchType: service.launchType,
    platformVersion: service.launchType === 'FARGATE' ? '1.4.0' : undefined,
    platformFamily: service.launchType === 'FARGATE' ? 'Linux' : undefined,
    networkConfiguration: networkConfiguration(),
    loadBalancers: service.loadBalancers.map((balancer) => strip({ ...structuredClone(balancer), targetGroupArn: taskSet.targetGroupArn ?? balancer.targetGroupArn })),
    serviceRegistries: [],
    scale: { value: taskSet.scale, unit: 'PERCENT' },
    stabilityStatus: taskSet.stabilityStatus,
    stabilityStatusAt: seconds(taskSet.stabilityStatusAt),
    tags: [],
  });
}

/** The revisions the service runs, as `Service.currentServiceRevisions` gives them. */
function currentRevisions(model: EcsModel, service: SimService): Json[] {
  const byRevision = new Map<ServiceRevisionRecord, { requestedTaskCount: number; runningTaskCount: number; pendingTaskCount: number }>();
  for (const deployment of service.deployments) {
    const tasks = model.tasksOf(deployment);
    const entry = byRevision.get(deployment.revision) ?? { requestedTaskCount: 0, runningTaskCount: 0, pendingTaskCount: 0 };
    const { runningCount, pendingCount } = counts(tasks);
    entry.requestedTaskCount += deployment.desiredCount;
    entry.runningTaskCount += runningCount;
    entry.pendingTaskCount += pendingCount;
    byRevision.set(deployment.revision, entry);
  }
  return [...byRevision].map(([revision, entry]) => ({ arn: revision.arn, ...entry }));
}

function serviceShape(model: EcsModel, service: SimService): Json {
  const deployments = service.deployments.map((deployment) => deploymentShape(model, service, deployment));
  const taskSets = service.taskSets.map((taskSet) => taskSetShape(model, taskSet));
  const sum = (field: 'runningCount' | 'pendingCount') => [...deployments, ...taskSets].reduce((total, deployment) => total + Number(deployment[field] ?? 0), 0);
  return strip({
    serviceArn: service.arn,
    serviceName: service.name,
    clusterArn: service.cluster.arn,
    loadBalancers: structuredClone(service.loadBalancers),
    serviceRegistries: [],
    status: service.status,
    desiredCount: service.desiredCount,
    runningCount: sum('runningCount'),
    pendingCount: sum('pendingCount'),
    launchType: service.launchType,
    platformVersion: service.launchType === 'FARGATE' ? 'LATEST' : undefined,
    platformFamily: service.launchType === 'FARGATE' ? 'Linux' : undefined,
    taskDefinition: service.taskDefinition.arn,
    deploymentConfiguration: deploymentConfigurationShape(service),
    taskSets: service.taskSets.length ? taskSets : undefined,
    deployments,
    currentServiceDeployment: service.history[0]?.arn,
    currentServiceRevisions: service.taskSets.length ? undefined : currentRevisions(model, service),
    roleArn: `arn:aws:iam::${model.account}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    events: service.events.map((event) => ({ id: event.id, createdAt: seconds(event.createdAt), message: event.message })),
    createdAt: seconds(service.createdAt),
    placementConstraints: [],
    placementStrategy: [],
    networkConfiguration: networkConfiguration(),
    healthCheckGracePeriodSeconds: 0,
    schedulingStrategy: 'REPLICA',
    deploymentController: { type: service.deploymentController },
    createdBy: `arn:aws:iam::${model.account}:role/platform-admin`,
    enableECSManagedTags: true,
    propagateTags: 'NONE',
    enableExecuteCommand: false,
    availabilityZoneRebalancing: 'ENABLED',
  });
}

function taskShape(model: EcsModel, task: SimTask): Json {
  const definition = task.definition.body;
  return strip({
    attachments: [],
    attributes: [{ name: 'ecs.cpu-architecture', value: 'x86_64' }],
    availabilityZone: task.availabilityZone,
    clusterArn: task.cluster.arn,
    connectivity: task.connectivityAt !== undefined ? 'CONNECTED' : undefined,
    connectivityAt: seconds(task.connectivityAt),
    containers: task.containers.map((container) =>
      strip({
        containerArn: container.containerArn,
        taskArn: task.taskArn,
        name: container.name,
        image: container.image,
        imageDigest: container.imageDigest,
        runtimeId: container.runtimeId,
        lastStatus: container.lastStatus,
        exitCode: container.exitCode,
        reason: container.reason,
        networkBindings: [],
        networkInterfaces: [],
        healthStatus: container.healthStatus,
        cpu: '0',
      }),
    ),
    cpu: definition.cpu as string | undefined,
    createdAt: seconds(task.createdAt),
    desiredStatus: task.desiredStatus,
    enableExecuteCommand: false,
    executionStoppedAt: seconds(task.executionStoppedAt),
    group: task.group,
    healthStatus: task.healthStatus,
    lastStatus: task.lastStatus,
    launchType: task.launchType,
    memory: definition.memory as string | undefined,
    overrides: task.overrides,
    platformVersion: task.launchType === 'FARGATE' ? '1.4.0' : undefined,
    platformFamily: task.launchType === 'FARGATE' ? 'Linux' : undefined,
    pullStartedAt: seconds(task.pullStartedAt),
    pullStoppedAt: seconds(task.pullStoppedAt),
    startedAt: seconds(task.startedAt),
    startedBy: task.startedBy,
    stopCode: task.stopCode,
    stoppedAt: seconds(task.stoppedAt),
    stoppedReason: task.stoppedReason,
    stoppingAt: seconds(task.stoppingAt),
    tags: [],
    taskArn: task.taskArn,
    taskDefinitionArn: task.definition.arn,
    version: task.lastStatus === 'STOPPED' ? 5 : task.lastStatus === 'RUNNING' ? 3 : 1,
    ephemeralStorage: { sizeInGiB: 20 },
  });
}

function serviceDeploymentBrief(service: SimService, record: ServiceDeploymentRecord): Json {
  return strip({
    serviceDeploymentArn: record.arn,
    serviceArn: service.arn,
    clusterArn: service.cluster.arn,
    startedAt: seconds(record.startedAt),
    createdAt: seconds(record.createdAt),
    finishedAt: seconds(record.finishedAt),
    targetServiceRevisionArn: record.target.arn,
    status: record.status,
    statusReason: record.statusReason,
  });
}

function revisionSummary(
  model: EcsModel,
  revision: ServiceRevisionRecord,
  fixed: { requested: number; running: number; pending: number },
  deployment: SimDeployment | undefined,
  weights?: { production: number; test: number },
): Json {
  const live = deployment ? model.tasksOf(deployment).filter((task) => task.desiredStatus === 'RUNNING') : undefined;
  return strip({
    arn: revision.arn,
    requestedTaskCount: deployment ? deployment.desiredCount : fixed.requested,
    runningTaskCount: live ? live.filter((task) => task.lastStatus === 'RUNNING').length : fixed.running,
    pendingTaskCount: live ? live.filter((task) => task.lastStatus === 'PENDING' || task.lastStatus === 'PROVISIONING').length : fixed.pending,
    requestedTestTrafficWeight: weights?.test,
    requestedProductionTrafficWeight: weights?.production,
  });
}

function serviceDeploymentShape(model: EcsModel, service: SimService, record: ServiceDeploymentRecord): Json {
  const { run } = record;
  // Under BLUE_GREEN, LINEAR and CANARY the summaries carry the requested traffic split: green's on the target, the rest on blue.
  const greenWeights = run ? { production: run.weights.production, test: run.hasTestListener ? run.weights.test : run.weights.production } : undefined;
  const sourceWeights = (index: number) => (greenWeights ? (index === 0 ? { production: 100 - greenWeights.production, test: 100 - greenWeights.test } : { production: 0, test: 0 }) : undefined);
  const hooks = run ? model.blueGreen.hookDetails(run) : [];
  return strip({
    serviceDeploymentArn: record.arn,
    serviceArn: service.arn,
    clusterArn: service.cluster.arn,
    createdAt: seconds(record.createdAt),
    startedAt: record.status === 'PENDING' ? undefined : seconds(record.startedAt),
    finishedAt: seconds(record.finishedAt),
    stoppedAt: seconds(record.stoppedAt),
    updatedAt: seconds(record.updatedAt),
    sourceServiceRevisions: record.source.map((source, index) => revisionSummary(model, source.revision, source, source.deployment, sourceWeights(index))),
    targetServiceRevision: revisionSummary(model, record.target, record.targetCounts ?? { requested: service.desiredCount, running: 0, pending: 0 }, record.deployment, greenWeights),
    status: record.status,
    statusReason: record.statusReason,
    lifecycleStage: run?.stage,
    lifecycleHookDetails: hooks.length
      ? hooks.map((hook) => strip({ hookId: hook.hookId, targetType: hook.targetType, targetArn: hook.targetArn, status: hook.status, expiresAt: seconds(hook.expiresAt), timeoutAction: hook.timeoutAction }))
      : undefined,
    deploymentConfiguration: record.configuration,
    rollback: record.rollback && { reason: record.rollback.reason, startedAt: seconds(record.rollback.startedAt), serviceRevisionArn: record.rollback.serviceRevisionArn },
    deploymentCircuitBreaker: record.circuitBreaker,
    alarms: record.alarms,
  });
}

/** Every service, to find service deployments and revisions by ARN. */
function allServices(model: EcsModel): SimService[] {
  return [...model.clusters.values()].flatMap((cluster) => [...cluster.services.values()]);
}

function findTask(cluster: SimCluster, reference: string): SimTask | undefined {
  return cluster.tasks.get(reference.slice(reference.lastIndexOf('/') + 1));
}

type Handler = (model: EcsModel, input: Json) => Json;

export const OPERATIONS: Record<string, Handler> = {
  RegisterTaskDefinition(model, input) {
    const record = model.registerTaskDefinition(input);
    return { taskDefinition: taskDefinitionShape(model, record), tags: record.tags };
  },

  DescribeTaskDefinition(model, input) {
    const record = model.taskDefinition(String(input.taskDefinition ?? ''));
    const include = Array.isArray(input.include) ? input.include : [];
    return strip({ taskDefinition: taskDefinitionShape(model, record), tags: include.includes('TAGS') ? record.tags : undefined });
  },

  DeregisterTaskDefinition(model, input) {
    return { taskDefinition: taskDefinitionShape(model, model.deregisterTaskDefinition(String(input.taskDefinition ?? ''))) };
  },

  ListTaskDefinitions(model, input) {
    const status = typeof input.status === 'string' ? input.status : 'ACTIVE';
    const prefix = typeof input.familyPrefix === 'string' ? input.familyPrefix : '';
    let records = [...model.families.values()].flat().filter((record) => record.family.startsWith(prefix) && (status === 'ALL' || record.status === status));
    records.sort((a, b) => a.family.localeCompare(b.family) || a.revision - b.revision);
    if (input.sort === 'DESC') records = records.reverse();
    const { items, nextToken } = page(records, input, 100, 100);
    return strip({ taskDefinitionArns: items.map((record) => record.arn), nextToken });
  },

  DescribeServices(model, input) {
    const cluster = model.cluster(input.cluster as string | undefined);
    const names = limit(input.services, 10, 'services');
    const services: Json[] = [];
    const failures: Json[] = [];
    for (const name of names) {
      const service = model.service(cluster, name);
      if (service) services.push(serviceShape(model, service));
      else failures.push({ arn: name.startsWith('arn:') ? name : model.arn(`service/${cluster.name}/${name}`), reason: 'MISSING' });
    }
    return { services, failures };
  },

  ListServices(model, input) {
    const cluster = model.cluster(input.cluster as string | undefined);
    const { items, nextToken } = page(
      [...cluster.services.values()].filter((service) => service.status === 'ACTIVE'),
      input,
      10,
      100,
    );
    return strip({ serviceArns: items.map((service) => service.arn), nextToken });
  },

  ListClusters(model, input) {
    const { items, nextToken } = page([...model.clusters.values()], input, 100, 100);
    return strip({ clusterArns: items.map((cluster) => cluster.arn), nextToken });
  },

  DescribeClusters(model, input) {
    const names = Array.isArray(input.clusters) && input.clusters.length ? input.clusters.map(String) : ['default'];
    const clusters: Json[] = [];
    const failures: Json[] = [];
    for (const name of names) {
      const cluster = model.clusters.get(name.replace(/^arn:aws[a-z-]*:ecs:[^:]+:\d+:cluster\//, ''));
      if (cluster) clusters.push({ clusterArn: cluster.arn, clusterName: cluster.name, status: 'ACTIVE', activeServicesCount: [...cluster.services.values()].filter((service) => service.status === 'ACTIVE').length });
      else failures.push({ arn: name.startsWith('arn:') ? name : model.arn(`cluster/${name}`), reason: 'MISSING' });
    }
    return { clusters, failures };
  },

  UpdateService(model, input) {
    const cluster = model.cluster(input.cluster as string | undefined);
    const service = model.updateService(cluster, String(input.service ?? ''), input);
    return { service: serviceShape(model, service) };
  },

  ListTasks(model, input) {
    const cluster = model.cluster(input.cluster as string | undefined);
    if (input.serviceName !== undefined && input.startedBy !== undefined) {
      throw new SimError('InvalidParameterException', 'startedBy and serviceName cannot be specified together.');
    }
    const desired = typeof input.desiredStatus === 'string' ? input.desiredStatus : 'RUNNING';
    const tasks = [...cluster.tasks.values()].filter(
      (task) =>
        task.desiredStatus === desired &&
        (input.startedBy === undefined || task.startedBy === input.startedBy) &&
        (input.serviceName === undefined || task.service?.name === input.serviceName) &&
        (input.family === undefined || task.definition.family === input.family),
    );
    tasks.sort((a, b) => b.createdAt - a.createdAt);
    const { items, nextToken } = page(tasks, input, 100, 100);
    return strip({ taskArns: items.map((task) => task.taskArn), nextToken });
  },

  DescribeTasks(model, input) {
    const cluster = model.cluster(input.cluster as string | undefined);
    const references = limit(input.tasks, 100, 'tasks');
    const tasks: Json[] = [];
    const failures: Json[] = [];
    for (const reference of references) {
      const task = findTask(cluster, reference);
      if (task) tasks.push(taskShape(model, task));
      else failures.push({ arn: reference, reason: 'MISSING' });
    }
    return { tasks, failures };
  },

  RunTask(model, input) {
    const cluster = model.cluster(input.cluster as string | undefined);
    return { tasks: model.runTask(cluster, input).map((task) => taskShape(model, task)), failures: [] };
  },

  StopTask(model, input) {
    const cluster = model.cluster(input.cluster as string | undefined);
    return { task: taskShape(model, model.stopTask(cluster, String(input.task ?? ''), input.reason as string | undefined)) };
  },

  ListServiceDeployments(model, input) {
    const cluster = model.cluster(input.cluster as string | undefined);
    const service = model.service(cluster, String(input.service ?? ''));
    if (!service) throw new SimError('ServiceNotFoundException', 'Service not found.');
    const statuses = Array.isArray(input.status) ? input.status.map(String) : undefined;
    const unknown = statuses?.find((status) => !SERVICE_DEPLOYMENT_STATUSES.includes(status));
    if (unknown) throw new SimError('InvalidParameterException', `Invalid status "${unknown}". The valid values are ${SERVICE_DEPLOYMENT_STATUSES.join(', ')}.`);
    const window = (input.createdAt as { before?: number; after?: number } | undefined) ?? {};
    // Newest first. The token names the last deployment given, so a deployment started between pages moves nothing.
    const records = service.history.filter(
      (record) => (!statuses || statuses.includes(record.status)) && (window.after === undefined || record.createdAt >= window.after * 1000) && (window.before === undefined || record.createdAt <= window.before * 1000),
    );
    const size = typeof input.maxResults === 'number' ? input.maxResults : 20;
    if (!Number.isInteger(size) || size < 1 || size > 100) throw new SimError('InvalidParameterException', 'maxResults must be between 1 and 100.');
    let start = 0;
    if (typeof input.nextToken === 'string') {
      const after = Buffer.from(input.nextToken, 'base64url').toString();
      start = records.findIndex((record) => record.arn === after) + 1;
      if (start === 0) throw new SimError('InvalidParameterException', 'The nextToken is not valid.');
    }
    const items = records.slice(start, start + size);
    const nextToken = start + size < records.length ? Buffer.from(items.at(-1)!.arn).toString('base64url') : undefined;
    return strip({ serviceDeployments: items.map((record) => serviceDeploymentBrief(service, record)), nextToken });
  },

  StopServiceDeployment(model, input) {
    const arn = String(input.serviceDeploymentArn ?? '');
    if (!arn) throw new SimError('InvalidParameterException', 'serviceDeploymentArn can not be blank.');
    model.stopServiceDeployment(arn, input.stopType);
    return { serviceDeploymentArn: arn };
  },

  ContinueServiceDeployment(model, input) {
    const arn = String(input.serviceDeploymentArn ?? '');
    if (!arn) throw new SimError('InvalidParameterException', 'serviceDeploymentArn can not be blank.');
    if (typeof input.hookId !== 'string' || !input.hookId) throw new SimError('InvalidParameterException', 'hookId can not be blank.');
    model.continueServiceDeployment(arn, input.hookId, input.action);
    return { serviceDeploymentArn: arn };
  },

  DescribeTaskSets(model, input) {
    const cluster = model.cluster(input.cluster as string | undefined);
    const service = model.service(cluster, String(input.service ?? ''));
    if (!service) throw new SimError('ServiceNotFoundException', 'Service not found.');
    const wanted = Array.isArray(input.taskSets) ? input.taskSets.map(String) : undefined;
    const taskSets = service.taskSets.filter((taskSet) => !wanted || wanted.includes(taskSet.id) || wanted.includes(taskSet.arn));
    const failures = (wanted ?? []).filter((reference) => !taskSets.some((taskSet) => taskSet.id === reference || taskSet.arn === reference)).map((arn) => ({ arn, reason: 'MISSING' }));
    return { taskSets: taskSets.map((taskSet) => taskSetShape(model, taskSet)), failures };
  },

  DescribeServiceDeployments(model, input) {
    const arns = limit(input.serviceDeploymentArns, 20, 'serviceDeploymentArns');
    const serviceDeployments: Json[] = [];
    const failures: Json[] = [];
    for (const arn of arns) {
      const service = allServices(model).find((candidate) => candidate.history.some((record) => record.arn === arn));
      const record = service?.history.find((candidate) => candidate.arn === arn);
      if (service && record) serviceDeployments.push(serviceDeploymentShape(model, service, record));
      else failures.push({ arn, reason: 'MISSING' });
    }
    return { serviceDeployments, failures };
  },

  DescribeServiceRevisions(model, input) {
    const arns = limit(input.serviceRevisionArns, 20, 'serviceRevisionArns');
    const serviceRevisions: Json[] = [];
    const failures: Json[] = [];
    for (const arn of arns) {
      const service = allServices(model).find((candidate) => candidate.revisions.has(arn));
      const revision = service?.revisions.get(arn);
      if (!service || !revision) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      const definition = model.taskDefinition(revision.taskDefinition);
      const containers = definition.body.containerDefinitions as Json[];
      serviceRevisions.push({
        serviceRevisionArn: revision.arn,
        serviceArn: service.arn,
        clusterArn: service.cluster.arn,
        taskDefinition: revision.taskDefinition,
        launchType: service.launchType,
        platformVersion: service.launchType === 'FARGATE' ? 'LATEST' : undefined,
        platformFamily: service.launchType === 'FARGATE' ? 'Linux' : undefined,
        loadBalancers: structuredClone(revision.loadBalancers),
        serviceRegistries: [],
        networkConfiguration: networkConfiguration(),
        containerImages: containers.map((container) => ({ containerName: container.name, image: container.image })),
        resolvedConfiguration: revision.loadBalancers.length
          ? { loadBalancers: revision.loadBalancers.map((balancer, index) => strip({ targetGroupArn: revision.targetGroups[index], productionListenerRule: balancer.advancedConfiguration?.productionListenerRule })) }
          : undefined,
        guardDutyEnabled: false,
        createdAt: seconds(revision.createdAt),
      });
    }
    return { serviceRevisions, failures };
  },
};
