/**
 * The simulated ECS control plane: task definitions, services with rolling deployments, tasks that
 * walk through their lifecycle, the deployment circuit breaker and alarms, the service deployment
 * history, and task sets for services CodeDeploy deploys. Blue/green, linear and canary deployments
 * are driven by bluegreen.ts. `step()` moves everything forward one tick of simulated time; all times
 * are simulated epoch ms.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { LogSink } from './logs.js';
import { BlueGreenEngine, type BlueGreenRun } from './bluegreen.js';
import { defaultLogLines, HOOK_STAGES, imageMatches, pickScenario, seconds, type AlarmRule, type HookRule, type Scenario, type ScenarioRule } from './scenarios.js';

import { SCHEDULER_DELAY_MS, RESTART_DELAY_MS, SimError, alarmReason, type Json } from './common.js';

export { SimError, type Json };

export interface TaskDefinitionRecord {
  arn: string;
  family: string;
  revision: number;
  status: 'ACTIVE' | 'INACTIVE';
  /** The RegisterTaskDefinition input, tags removed. */
  body: Json;
  tags: Json[];
  registeredAt: number;
  deregisteredAt?: number;
}

export interface ContainerState {
  name: string;
  image: string;
  /** What the image reference resolved to when the container pulled it (DescribeTasks' imageDigest); unknown for a tag no registry answers. */
  imageDigest?: string;
  containerArn: string;
  essential: boolean;
  hasHealthCheck: boolean;
  logs?: { group: string; prefix: string; region: string };
  lastStatus: string;
  runtimeId?: string;
  exitCode?: number;
  reason?: string;
  healthStatus?: string;
}

export interface SimTask {
  taskArn: string;
  taskId: string;
  cluster: SimCluster;
  service?: SimService;
  deployment?: SimDeployment;
  /** The task set that launched the task (services CodeDeploy deploys). */
  taskSet?: SimTaskSet;
  startedBy?: string;
  group: string;
  definition: TaskDefinitionRecord;
  scenario: Scenario;
  exitCode: number;
  launchType: string;
  overrides: Json;
  createdAt: number;
  lastStatus: string;
  desiredStatus: 'RUNNING' | 'STOPPED';
  healthStatus: string;
  containers: ContainerState[];
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  connectivityAt?: number;
  stoppingAt?: number;
  /** When every container had stopped (DEPROVISIONING begins). */
  executionStoppedAt?: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  /** When the next automatic change happens. */
  pendingAt: number;
  runningAt: number;
  stableAt?: number;
  exitAt?: number;
  unhealthyAt?: number;
  stopAt?: number;
  /** The exit code containers that still run get when ECS stops them (SIGTERM). */
  stopExitCode?: number;
  /** Whether the task was RUNNING when it began to stop. */
  ran?: boolean;
  failure: boolean;
  availabilityZone: string;
}

export interface SimDeployment {
  id: string;
  service: SimService;
  status: 'PRIMARY' | 'ACTIVE';
  taskDefinition: TaskDefinitionRecord;
  desiredCount: number;
  failedTasks: number;
  hadSuccess: boolean;
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  createdAt: number;
  updatedAt: number;
  nextLaunchAt: number;
  placementReported: boolean;
  impairedReported: boolean;
  record: ServiceDeploymentRecord;
  /** Set on the deployment ECS starts when its circuit breaker rolls back another one. */
  rollbackOf?: SimDeployment;
  /** The service revision the deployment's tasks belong to. */
  revision: ServiceRevisionRecord;
  /** A rollback StopServiceDeployment asked for, which ECS starts at `at`. */
  pendingRollback?: { at: number; good: ServiceDeploymentRecord; reason: string };
  completedAt?: number;
  failedAt?: number;
}

export interface ServiceRevisionRecord {
  arn: string;
  taskDefinition: string;
  createdAt: number;
  /** The service's load balancers when the revision was made. */
  loadBalancers: LoadBalancerSettings[];
  /** The target group the revision's tasks register with, one per load balancer (blue/green alternates them). */
  targetGroups: string[];
}

export interface ServiceDeploymentRecord {
  arn: string;
  createdAt: number;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  stoppedAt?: number;
  status: string;
  statusReason?: string;
  source: { revision: ServiceRevisionRecord; requested: number; running: number; pending: number; deployment?: SimDeployment }[];
  target: ServiceRevisionRecord;
  /** The deployment whose tasks are the target revision's, while it runs. */
  deployment?: SimDeployment;
  /** The target revision's task counts when the deployment completed. */
  targetCounts?: { requested: number; running: number; pending: number };
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  circuitBreaker: { status: string; failureCount: number; threshold: number };
  alarms: { status: string; alarmNames?: string[]; triggeredAlarmNames?: string[] };
  /** The service's deploymentConfiguration when the deployment started (API shape). */
  configuration: Json;
  /** The blue/green, linear or canary run, for the lifecycle stage, weights and hooks. */
  run?: BlueGreenRun;
}

export type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';
const STRATEGIES: readonly Strategy[] = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'];

export interface CircuitBreakerSettings {
  enable: boolean;
  rollback: boolean;
  resetOnHealthyTask?: boolean;
  thresholdConfiguration?: { type: 'COUNT' | 'BOUNDED_PERCENT' | 'UNBOUNDED_PERCENT'; value: number };
}

export interface AlarmSettings {
  alarmNames: string[];
  enable: boolean;
  rollback: boolean;
}

export interface LifecycleHookSettings {
  targetType?: 'AWS_LAMBDA' | 'PAUSE';
  hookTargetArn?: string;
  roleArn?: string;
  lifecycleStages?: string[];
  hookDetails?: unknown;
  timeoutConfiguration?: { timeoutInMinutes?: number; action?: 'CONTINUE' | 'ROLLBACK' };
}

export interface LoadBalancerSettings {
  targetGroupArn?: string;
  loadBalancerName?: string;
  containerName?: string;
  containerPort?: number;
  advancedConfiguration?: { alternateTargetGroupArn?: string; productionListenerRule?: string; testListenerRule?: string; roleArn?: string };
}

/** How a service deploys: the members of `deploymentConfiguration` besides the rolling percentages. */
export interface DeploymentSettings {
  strategy: Strategy;
  circuitBreaker: CircuitBreakerSettings;
  alarms?: AlarmSettings;
  bakeTimeInMinutes?: number;
  linearConfiguration?: { stepPercent?: number; stepBakeTimeInMinutes?: number };
  canaryConfiguration?: { canaryPercent?: number; canaryBakeTimeInMinutes?: number };
  lifecycleHooks: LifecycleHookSettings[];
}

/** A task set of a service CodeDeploy deploys. */
export interface SimTaskSet {
  id: string;
  arn: string;
  service: SimService;
  externalId?: string;
  taskDefinition: TaskDefinitionRecord;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  /** Percent of the service's desired count. */
  scale: number;
  targetGroupArn?: string;
  createdAt: number;
  updatedAt: number;
  stabilityStatus: 'STEADY_STATE' | 'STABILIZING';
  stabilityStatusAt: number;
  failedTasks: number;
  nextLaunchAt: number;
}

interface ServiceEventRecord {
  id: string;
  createdAt: number;
  message: string;
}

export interface SimService {
  arn: string;
  name: string;
  cluster: SimCluster;
  desiredCount: number;
  taskDefinition: TaskDefinitionRecord;
  launchType: string;
  circuitBreaker: CircuitBreakerSettings;
  maximumPercent: number;
  minimumHealthyPercent: number;
  deploymentController: string;
  strategy: Strategy;
  alarms?: AlarmSettings;
  bakeTimeInMinutes?: number;
  linearConfiguration?: DeploymentSettings['linearConfiguration'];
  canaryConfiguration?: DeploymentSettings['canaryConfiguration'];
  lifecycleHooks: LifecycleHookSettings[];
  loadBalancers: LoadBalancerSettings[];
  /** The blue/green, linear or canary deployment ECS is carrying out (or left halfway after a failure). */
  blueGreen?: BlueGreenRun;
  /** Task sets (CODE_DEPLOY services only). */
  taskSets: SimTaskSet[];
  deployments: SimDeployment[];
  events: ServiceEventRecord[];
  history: ServiceDeploymentRecord[];
  revisions: Map<string, ServiceRevisionRecord>;
  createdAt: number;
  status: 'ACTIVE' | 'DRAINING' | 'INACTIVE';
  /**
   * Every task failure of every deployment, for benchmarks, in the order they happened: when the task
   * failed (its essential container exited, it could not start, or ECS found it unhealthy) and when
   * it reached STOPPED.
   */
  failures: TaskFailureRecord[];
}

export interface TaskFailureRecord {
  /** The deployment, or the task set (CodeDeploy), the task belonged to. */
  deploymentId: string;
  taskArn: string;
  failedAt: number;
  stoppedAt?: number;
}

export interface SimCluster {
  arn: string;
  name: string;
  services: Map<string, SimService>;
  tasks: Map<string, SimTask>;
}

const FAILED_STOP_MS = 2_000;
/** Releasing the task's network interface, the last step before STOPPED. */
const DEPROVISION_MS = 2_000;
/** How long ECS may still report a task RUNNING after it decided to stop it. */
const REPORT_LAG_MS = 3_000;
const EVENTS_KEPT = 100;
const ZONES = ['a', 'b', 'c'];

/** The statuses of a service deployment that has not completed (docs: service-deployment.html, "Pending" and "Ongoing"). */
const ONGOING = ['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'];

function invalid(message: string): never {
  throw new SimError('InvalidParameterException', message);
}

/** A multiple of 0.1 within [min, max]. */
const tenths = (value: unknown, min: number, max: number) => typeof value === 'number' && value >= min && value <= max && Math.abs(Math.round(value * 10) - value * 10) < 1e-6;
const minutes = (value: unknown) => value === undefined || (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 1440);

/**
 * The limits the API reference gives for `DeploymentConfiguration` (API_DeploymentConfiguration,
 * API_LinearConfiguration, API_CanaryConfiguration, API_DeploymentLifecycleHook) and the errors of
 * troubleshooting-deployment-controller-migration.
 */
function validateSettings(settings: DeploymentSettings, loadBalancers: LoadBalancerSettings[], controller: string): void {
  const { strategy } = settings;
  if (!STRATEGIES.includes(strategy)) invalid(`Invalid deployment strategy "${String(strategy)}". The valid values are ${STRATEGIES.join(', ')}.`);
  if (controller !== 'ECS') {
    if (settings.circuitBreaker.enable) invalid('Deployment circuit breaker feature is only supported with ECS deployment controller.');
    if (settings.alarms?.enable) invalid('Alarm based rollback feature is only supported with ECS deployment controller.');
    if (strategy !== 'ROLLING') invalid(`The ${strategy} deployment strategy is only supported with ECS deployment controller.`);
  }
  const threshold = settings.circuitBreaker.thresholdConfiguration;
  if (threshold && (!['COUNT', 'BOUNDED_PERCENT', 'UNBOUNDED_PERCENT'].includes(threshold.type) || !Number.isInteger(threshold.value) || threshold.value < 1)) {
    invalid('deploymentCircuitBreaker.thresholdConfiguration needs a type of COUNT, BOUNDED_PERCENT or UNBOUNDED_PERCENT and a positive whole value.');
  }
  if (settings.alarms?.enable && !settings.alarms.alarmNames?.length) invalid('deploymentConfiguration.alarms.alarmNames can not be empty when alarms are enabled.');
  if (!minutes(settings.bakeTimeInMinutes)) invalid('deploymentConfiguration.bakeTimeInMinutes must be a whole number of minutes from 0 to 1440.');
  const linear = settings.linearConfiguration;
  if (linear?.stepPercent !== undefined && !tenths(linear.stepPercent, 3, 100)) invalid('linearConfiguration.stepPercent must be a multiple of 0.1 from 3.0 to 100.0.');
  if (!minutes(linear?.stepBakeTimeInMinutes)) invalid('linearConfiguration.stepBakeTimeInMinutes must be a whole number of minutes from 0 to 1440.');
  const canary = settings.canaryConfiguration;
  if (canary?.canaryPercent !== undefined && !tenths(canary.canaryPercent, 0.1, 100)) invalid('canaryConfiguration.canaryPercent must be a multiple of 0.1 from 0.1 to 100.0.');
  if (!minutes(canary?.canaryBakeTimeInMinutes)) invalid('canaryConfiguration.canaryBakeTimeInMinutes must be a whole number of minutes from 0 to 1440.');
  for (const [index, hook] of settings.lifecycleHooks.entries()) {
    const at = `lifecycleHooks[${index}]`;
    const type = hook.targetType ?? 'AWS_LAMBDA';
    if (type !== 'AWS_LAMBDA' && type !== 'PAUSE') invalid(`${at}.targetType must be AWS_LAMBDA or PAUSE.`);
    if (type === 'AWS_LAMBDA' && !hook.hookTargetArn) invalid(`${at}.hookTargetArn is required for an AWS_LAMBDA hook.`);
    if (type === 'AWS_LAMBDA' && !hook.roleArn) invalid(`${at}.roleArn is required for an AWS_LAMBDA hook.`);
    if (!hook.lifecycleStages?.length) invalid(`${at}.lifecycleStages can not be empty.`);
    for (const stage of hook.lifecycleStages) {
      if (!(HOOK_STAGES as readonly string[]).includes(stage)) invalid(`${at}.lifecycleStages: ${stage} is not a stage a hook can run at. The valid values are ${HOOK_STAGES.join(', ')}.`);
      if (type === 'PAUSE' && (stage === 'TEST_TRAFFIC_SHIFT' || stage === 'PRODUCTION_TRAFFIC_SHIFT')) invalid(`${at}: PAUSE hooks cannot be configured at TEST_TRAFFIC_SHIFT or PRODUCTION_TRAFFIC_SHIFT stages.`);
    }
    const timeout = hook.timeoutConfiguration;
    if (timeout?.timeoutInMinutes !== undefined && (!Number.isInteger(timeout.timeoutInMinutes) || timeout.timeoutInMinutes < 1 || timeout.timeoutInMinutes > 1440))
      invalid(`${at}.timeoutConfiguration.timeoutInMinutes must be from 1 to 1440.`);
    if (timeout?.action !== undefined && timeout.action !== 'CONTINUE' && timeout.action !== 'ROLLBACK') invalid(`${at}.timeoutConfiguration.action must be CONTINUE or ROLLBACK.`);
  }
  if (strategy === 'ROLLING') return;
  if ((strategy === 'LINEAR' || strategy === 'CANARY') && loadBalancers.length === 0) {
    invalid(`The ${strategy} deployment strategy needs a load balancer (or Service Connect) to shift traffic: the service has no loadBalancers.`);
  }
  for (const [index, balancer] of loadBalancers.entries()) {
    const advanced = balancer.advancedConfiguration;
    if (!advanced?.alternateTargetGroupArn || !advanced.productionListenerRule || !advanced.roleArn) {
      invalid(`loadBalancers[${index}].advancedConfiguration needs alternateTargetGroupArn, productionListenerRule and roleArn for the ${strategy} deployment strategy.`);
    }
  }
}

/** A service's `deploymentConfiguration`, as DescribeServices and DescribeServiceDeployments give it. */
export function deploymentConfigurationShape(service: SimService): Json {
  const shape: Json = {
    deploymentCircuitBreaker: structuredClone(service.circuitBreaker),
    maximumPercent: service.maximumPercent,
    minimumHealthyPercent: service.minimumHealthyPercent,
    strategy: service.strategy,
  };
  if (service.alarms) shape.alarms = structuredClone(service.alarms);
  if (service.bakeTimeInMinutes !== undefined) shape.bakeTimeInMinutes = service.bakeTimeInMinutes;
  if (service.lifecycleHooks.length) shape.lifecycleHooks = structuredClone(service.lifecycleHooks);
  if (service.linearConfiguration) shape.linearConfiguration = structuredClone(service.linearConfiguration);
  if (service.canaryConfiguration) shape.canaryConfiguration = structuredClone(service.canaryConfiguration);
  return shape;
}

const digits = (count: number) => String(randomInt(1, 10)) + Array.from({ length: count - 1 }, () => randomInt(0, 10)).join('');

export interface ModelOptions {
  /** Lambda lifecycle hooks' answers. */
  hooks?: HookRule[];
  /** CloudWatch alarms that change state during deployments. */
  alarms?: AlarmRule[];
  /** How long a blue/green stage with nothing else to wait for lasts, in simulated seconds (default 5). */
  stageSeconds?: number;
  /** How long a test or production traffic shift takes behind an Application Load Balancer (default 30; 600 more behind a Network Load Balancer). */
  trafficShiftSeconds?: number;
  /** The digest an image named by tag resolves to, as its registry answers a pull. */
  resolveDigest?: (image: string) => string | undefined;
}

/** One invocation of a lifecycle-hook Lambda, with the payload ECS sends it. */
export interface HookInvocation {
  at: number;
  hookId: string;
  targetArn: string;
  stage: string;
  payload: Json;
  /** What it answered. */
  hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
}

export class EcsModel {
  readonly clusters = new Map<string, SimCluster>();
  readonly families = new Map<string, TaskDefinitionRecord[]>();
  scenarios: ScenarioRule[];
  hookRules: HookRule[];
  alarmRules: AlarmRule[];
  /** CloudWatch alarm states by name (an alarm never set is OK). */
  readonly alarmStates = new Map<string, { state: 'ALARM' | 'OK'; since: number }>();
  /** Changes of alarm state still to come, in simulated time. */
  readonly alarmChanges: { alarmName: string; state: 'ALARM' | 'OK'; at: number }[] = [];
  readonly hookInvocations: HookInvocation[] = [];
  /** Called after every tick (the CodeDeploy stand-in moves its deployments here). */
  readonly steppers: ((now: number) => void)[] = [];
  readonly blueGreen: BlueGreenEngine;
  readonly stageMs: number;
  readonly trafficShiftMs: number;
  private readonly resolveDigest: ((image: string) => string | undefined) | undefined;
  private now: number;

  constructor(
    readonly region: string,
    readonly account: string,
    scenarios: ScenarioRule[],
    start: number,
    private readonly logs: LogSink,
    options: ModelOptions = {},
  ) {
    this.scenarios = scenarios;
    this.hookRules = [...(options.hooks ?? [])];
    this.alarmRules = [...(options.alarms ?? [])];
    this.stageMs = (options.stageSeconds ?? 5) * 1000;
    this.trafficShiftMs = (options.trafficShiftSeconds ?? 30) * 1000;
    this.resolveDigest = options.resolveDigest;
    this.now = start;
    this.blueGreen = new BlueGreenEngine(this);
  }

  /** Sets an alarm's state now, or at simulated time `at`. */
  setAlarm(alarmName: string, state: 'ALARM' | 'OK', at = this.now): void {
    if (at <= this.now) this.alarmStates.set(alarmName, { state, since: this.now });
    else this.alarmChanges.push({ alarmName, state, at });
  }

  alarmState(alarmName: string): 'ALARM' | 'OK' {
    return this.alarmStates.get(alarmName)?.state ?? 'OK';
  }

  get time(): number {
    return this.now;
  }

  arn(resource: string): string {
    return `arn:aws:ecs:${this.region}:${this.account}:${resource}`;
  }

  // ---- clusters -------------------------------------------------------------------------------

  createCluster(name: string): SimCluster {
    let cluster = this.clusters.get(name);
    if (!cluster) {
      cluster = { arn: this.arn(`cluster/${name}`), name, services: new Map(), tasks: new Map() };
      this.clusters.set(name, cluster);
    }
    return cluster;
  }

  cluster(reference: string | undefined): SimCluster {
    const name = (reference ?? 'default').replace(/^arn:aws[a-z-]*:ecs:[^:]+:\d+:cluster\//, '');
    const cluster = this.clusters.get(name);
    if (!cluster) throw new SimError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  service(cluster: SimCluster, reference: string): SimService | undefined {
    return cluster.services.get(reference.slice(reference.lastIndexOf('/') + 1));
  }

  // ---- task definitions -----------------------------------------------------------------------

  registerTaskDefinition(input: Json): TaskDefinitionRecord {
    const family = input.family;
    if (typeof family !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(family)) {
      throw new SimError('ClientException', 'Family contains invalid characters or is too long. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.');
    }
    const containers = input.containerDefinitions;
    if (!Array.isArray(containers) || containers.length === 0) throw new SimError('ClientException', 'Container list cannot be empty.');
    for (const container of containers as Json[]) {
      if (typeof container.name !== 'string' || !container.name) throw new SimError('ClientException', 'Container.name should not be null or empty.');
      if (typeof container.image !== 'string' || !container.image) throw new SimError('ClientException', 'Container.image should not be null or empty.');
    }
    const body = structuredClone(input);
    const tags = (body.tags as Json[] | undefined) ?? [];
    delete body.tags;
    const revisions = this.families.get(family) ?? [];
    const record: TaskDefinitionRecord = {
      arn: this.arn(`task-definition/${family}:${revisions.length + 1}`),
      family,
      revision: revisions.length + 1,
      status: 'ACTIVE',
      body,
      tags,
      registeredAt: this.now,
    };
    revisions.push(record);
    this.families.set(family, revisions);
    return record;
  }

  /** A family (latest ACTIVE revision), family:revision, or an ARN. */
  taskDefinition(reference: string): TaskDefinitionRecord {
    const name = reference.replace(/^arn:aws[a-z-]*:ecs:[^:]+:\d+:task-definition\//, '');
    const [family, revision] = name.split(':');
    const revisions = this.families.get(family ?? '') ?? [];
    const record = revision === undefined ? [...revisions].reverse().find((candidate) => candidate.status === 'ACTIVE') : revisions[Number(revision) - 1];
    if (!record) throw new SimError('ClientException', 'Unable to describe task definition.');
    return record;
  }

  deregisterTaskDefinition(reference: string): TaskDefinitionRecord {
    if (!/:\d+$/.test(reference)) throw new SimError('ClientException', 'Revision must be specified: family:revision or a full ARN.');
    const record = this.taskDefinition(reference);
    record.status = 'INACTIVE';
    record.deregisteredAt = this.now;
    return record;
  }

  // ---- services -------------------------------------------------------------------------------

  createService(options: {
    cluster: string;
    name: string;
    taskDefinition: string;
    desiredCount: number;
    launchType?: string;
    circuitBreaker?: CircuitBreakerSettings;
    deploymentController?: string;
    maximumPercent?: number;
    minimumHealthyPercent?: number;
    strategy?: Strategy;
    alarms?: AlarmSettings;
    bakeTimeInMinutes?: number;
    linearConfiguration?: DeploymentSettings['linearConfiguration'];
    canaryConfiguration?: DeploymentSettings['canaryConfiguration'];
    lifecycleHooks?: LifecycleHookSettings[];
    loadBalancers?: LoadBalancerSettings[];
    /** Earlier deployments, oldest first: their task definitions and final statuses. */
    history?: { taskDefinition: string; status: string }[];
  }): SimService {
    const cluster = this.cluster(options.cluster);
    if (cluster.services.has(options.name)) throw new SimError('InvalidParameterException', 'Creation of service was not idempotent.');
    const definition = this.taskDefinition(options.taskDefinition);
    const settings: DeploymentSettings = {
      strategy: options.strategy ?? 'ROLLING',
      circuitBreaker: options.circuitBreaker ?? { enable: false, rollback: false },
      alarms: options.alarms,
      bakeTimeInMinutes: options.bakeTimeInMinutes,
      linearConfiguration: options.linearConfiguration,
      canaryConfiguration: options.canaryConfiguration,
      lifecycleHooks: options.lifecycleHooks ?? [],
    };
    const loadBalancers = structuredClone(options.loadBalancers ?? []);
    validateSettings(settings, loadBalancers, options.deploymentController ?? 'ECS');
    const service: SimService = {
      arn: this.arn(`service/${cluster.name}/${options.name}`),
      name: options.name,
      cluster,
      desiredCount: options.desiredCount,
      taskDefinition: definition,
      launchType: options.launchType ?? 'FARGATE',
      circuitBreaker: settings.circuitBreaker,
      maximumPercent: options.maximumPercent ?? 200,
      minimumHealthyPercent: options.minimumHealthyPercent ?? 100,
      deploymentController: options.deploymentController ?? 'ECS',
      strategy: settings.strategy,
      alarms: settings.alarms,
      bakeTimeInMinutes: settings.bakeTimeInMinutes,
      linearConfiguration: settings.linearConfiguration,
      canaryConfiguration: settings.canaryConfiguration,
      lifecycleHooks: settings.lifecycleHooks,
      loadBalancers,
      taskSets: [],
      deployments: [],
      events: [],
      history: [],
      revisions: new Map(),
      createdAt: this.now - 86_400_000,
      status: 'ACTIVE',
      failures: [],
    };
    cluster.services.set(options.name, service);
    // Earlier deployments leave only their history behind.
    let at = this.now - 3_600_000 * ((options.history?.length ?? 0) + 1);
    for (const past of options.history ?? []) {
      const revision = this.newRevision(service, this.taskDefinition(past.taskDefinition), at, this.latestRevision(service));
      service.history.unshift({
        arn: this.serviceDeploymentArn(service),
        createdAt: at,
        startedAt: at,
        updatedAt: at + 300_000,
        finishedAt: at + 300_000,
        status: past.status,
        source: [],
        target: revision,
        circuitBreaker: this.circuitBreakerInfo(service),
        alarms: this.alarmsInfo(service),
        configuration: deploymentConfigurationShape(service),
      });
      at += 3_600_000;
    }
    if (service.deploymentController === 'CODE_DEPLOY') {
      // CodeDeploy deploys through task sets; the service starts with one, primary and steady.
      const taskSet = this.createTaskSet(service, definition, { scale: 100, targetGroupArn: loadBalancers[0]?.targetGroupArn, at });
      taskSet.status = 'PRIMARY';
      for (let i = 0; i < service.desiredCount; i++) {
        const task = this.newTask(cluster, definition, { service, taskSet, startedBy: taskSet.id, group: `service:${service.name}` }, at);
        this.markRunning(task, at + 30_000, true);
        if (task.containers.some((container) => container.hasHealthCheck)) this.setHealth(task, 'HEALTHY');
      }
      this.event(service, `(service ${service.name}) has reached a steady state.`, at + 300_000);
      return service;
    }
    // The current deployment has completed; its tasks run and are healthy.
    const deployment = this.newDeployment(service, definition, at);
    deployment.rolloutState = 'COMPLETED';
    deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
    deployment.hadSuccess = true;
    deployment.completedAt = at + 300_000;
    deployment.record.status = 'SUCCESSFUL';
    deployment.record.finishedAt = at + 300_000;
    this.settle(deployment.record);
    if (deployment.record.circuitBreaker.status === 'MONITORING') deployment.record.circuitBreaker.status = 'MONITORING_COMPLETE';
    if (deployment.record.alarms.status === 'MONITORING') deployment.record.alarms.status = 'MONITORING_COMPLETE';
    service.deployments = [deployment];
    for (let i = 0; i < service.desiredCount; i++) {
      const task = this.newTask(cluster, definition, { service, deployment, startedBy: deployment.id, group: `service:${service.name}` }, at);
      this.markRunning(task, at + 30_000, true);
      if (task.containers.some((container) => container.hasHealthCheck)) this.setHealth(task, 'HEALTHY');
    }
    this.event(service, `(service ${service.name}) has reached a steady state.`, at + 300_000);
    return service;
  }

  updateService(cluster: SimCluster, reference: string, input: Json): SimService {
    const service = this.service(cluster, reference);
    if (!service) throw new SimError('ServiceNotFoundException', 'Service not found.');
    if (service.status !== 'ACTIVE') throw new SimError('ServiceNotActiveException', 'Service was not ACTIVE.');
    let definition: TaskDefinitionRecord | undefined;
    if (typeof input.taskDefinition === 'string') {
      definition = this.taskDefinition(input.taskDefinition);
      if (definition.status !== 'ACTIVE') throw new SimError('InvalidParameterException', 'TaskDefinition is inactive');
      if (service.deploymentController !== 'ECS') {
        throw new SimError('InvalidParameterException', `Unable to update task definition on services with a ${service.deploymentController} deployment controller. Use AWS CodeDeploy to trigger a new deployment.`);
      }
    }
    this.applyDeploymentConfiguration(service, input);
    if (typeof input.desiredCount === 'number') {
      service.desiredCount = input.desiredCount;
      for (const deployment of service.deployments) if (deployment.status === 'PRIMARY') deployment.desiredCount = input.desiredCount;
    }
    const changed = definition !== undefined && definition !== service.taskDefinition;
    if (changed || input.forceNewDeployment === true) {
      if (service.strategy === 'ROLLING') {
        service.blueGreen = undefined;
        this.startDeployment(service, definition ?? service.taskDefinition);
      } else {
        this.blueGreen.start(service, definition ?? service.taskDefinition);
      }
    }
    return service;
  }

  /**
   * UpdateService's `deploymentConfiguration` and `loadBalancers`: each member given replaces the
   * service's, and the service keeps it for later deployments.
   */
  private applyDeploymentConfiguration(service: SimService, input: Json): void {
    const config = input.deploymentConfiguration as Json | undefined;
    const loadBalancers = Array.isArray(input.loadBalancers) ? (structuredClone(input.loadBalancers) as LoadBalancerSettings[]) : service.loadBalancers;
    if (!config && loadBalancers === service.loadBalancers) return;
    const given = (key: string) => config !== undefined && config[key] !== undefined;
    const settings: DeploymentSettings = {
      strategy: given('strategy') ? (config!.strategy as Strategy) : service.strategy,
      circuitBreaker: given('deploymentCircuitBreaker') ? (config!.deploymentCircuitBreaker as CircuitBreakerSettings) : service.circuitBreaker,
      alarms: given('alarms') ? (config!.alarms as AlarmSettings) : service.alarms,
      bakeTimeInMinutes: given('bakeTimeInMinutes') ? Number(config!.bakeTimeInMinutes) : service.bakeTimeInMinutes,
      linearConfiguration: given('linearConfiguration') ? (config!.linearConfiguration as DeploymentSettings['linearConfiguration']) : service.linearConfiguration,
      canaryConfiguration: given('canaryConfiguration') ? (config!.canaryConfiguration as DeploymentSettings['canaryConfiguration']) : service.canaryConfiguration,
      lifecycleHooks: given('lifecycleHooks') ? (config!.lifecycleHooks as LifecycleHookSettings[]) : service.lifecycleHooks,
    };
    validateSettings(settings, loadBalancers, service.deploymentController);
    if (settings.strategy !== service.strategy && this.ongoing(service)) {
      throw new SimError('InvalidParameterException', `The deployment strategy of service ${service.name} cannot change while a service deployment is in progress. Wait for it to finish.`);
    }
    service.strategy = settings.strategy;
    service.circuitBreaker = settings.circuitBreaker;
    service.alarms = settings.alarms;
    service.bakeTimeInMinutes = settings.bakeTimeInMinutes;
    service.linearConfiguration = settings.linearConfiguration;
    service.canaryConfiguration = settings.canaryConfiguration;
    service.lifecycleHooks = settings.lifecycleHooks;
    service.loadBalancers = loadBalancers;
    if (given('maximumPercent')) service.maximumPercent = Number(config!.maximumPercent);
    if (given('minimumHealthyPercent')) service.minimumHealthyPercent = Number(config!.minimumHealthyPercent);
  }

  /** Whether a service deployment of the service is pending or ongoing (not completed). */
  ongoing(service: SimService): boolean {
    return service.history.some((record) => ONGOING.includes(record.status));
  }

  // ---- tasks ----------------------------------------------------------------------------------

  runTask(cluster: SimCluster, input: Json): SimTask[] {
    const definition = this.taskDefinition(String(input.taskDefinition ?? ''));
    if (definition.status !== 'ACTIVE') throw new SimError('ClientException', 'TaskDefinition is inactive');
    const count = typeof input.count === 'number' ? input.count : 1;
    const tasks: SimTask[] = [];
    for (let i = 0; i < count; i++) {
      tasks.push(
        this.newTask(cluster, definition, {
          startedBy: typeof input.startedBy === 'string' ? input.startedBy : undefined,
          group: typeof input.group === 'string' ? input.group : `family:${definition.family}`,
          overrides: (input.overrides as Json | undefined) ?? {},
          launchType: typeof input.launchType === 'string' ? input.launchType : 'FARGATE',
          oneShot: true,
        }),
      );
    }
    return tasks;
  }

  stopTask(cluster: SimCluster, reference: string, reason: string | undefined): SimTask {
    const task = cluster.tasks.get(reference.slice(reference.lastIndexOf('/') + 1));
    if (!task) throw new SimError('InvalidParameterException', 'The referenced task was not found.');
    if (task.desiredStatus === 'RUNNING') {
      this.beginStop(task, { stopCode: 'UserInitiated', reason: reason ?? 'Task stopped by user', failure: false, drainMs: seconds.drain(task.scenario), exitCode: 143 });
    }
    return task;
  }

  // ---- time -----------------------------------------------------------------------------------

  /** Moves simulated time forward to `target`, one tick at a time. */
  advanceTo(target: number, tickMs: number): void {
    while (this.now + tickMs <= target) {
      this.now += tickMs;
      this.step();
    }
  }

  private step(): void {
    for (const change of this.alarmChanges.filter((candidate) => candidate.at <= this.now)) {
      this.alarmChanges.splice(this.alarmChanges.indexOf(change), 1);
      this.alarmStates.set(change.alarmName, { state: change.state, since: this.now });
    }
    for (const cluster of this.clusters.values()) {
      for (const task of cluster.tasks.values()) this.stepTask(task);
      for (const service of cluster.services.values()) this.reconcile(service);
    }
    for (const stepper of this.steppers) stepper(this.now);
  }

  private stepTask(task: SimTask): void {
    const now = this.now;
    const { scenario } = task;
    if (task.lastStatus === 'STOPPED') return;
    if (task.stopAt !== undefined) {
      if (now >= task.stopAt) this.finishStop(task);
      else this.moveStop(task, this.stopPhase(task));
      return;
    }
    if (task.lastStatus === 'PROVISIONING' && now >= task.pendingAt) {
      task.lastStatus = 'PENDING';
      task.pullStartedAt = now;
      for (const container of task.containers) container.lastStatus = 'PENDING';
    }
    if (task.lastStatus === 'PENDING') {
      if (scenario.behaviour === 'secrets-failure' && now >= task.pendingAt + 2_000) {
        this.beginStop(task, { stopCode: 'TaskFailedToStart', reason: this.secretsReason(task), failure: true, drainMs: seconds.stopping(scenario) });
        return;
      }
      if (now >= task.runningAt) {
        if (scenario.behaviour === 'image-pull-failure') {
          const image = this.essential(task).image;
          const reason = `CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref ${image}: ${image}: not found`;
          this.essential(task).reason = reason;
          this.beginStop(task, { stopCode: 'TaskFailedToStart', reason, failure: true, drainMs: seconds.stopping(scenario) });
          return;
        }
        this.markRunning(task, now, false);
      }
    }
    if (task.lastStatus !== 'RUNNING') return;
    if (task.exitAt !== undefined && now >= task.exitAt) {
      this.beginStop(task, {
        stopCode: 'EssentialContainerExited',
        reason: 'Essential container in task exited',
        failure: task.service !== undefined || task.exitCode !== 0,
        drainMs: seconds.stopping(scenario),
        exitCode: task.exitCode,
        containerExited: true,
      });
      return;
    }
    if (task.unhealthyAt !== undefined && now >= task.unhealthyAt) {
      this.setHealth(task, 'UNHEALTHY');
      const essential = this.essential(task);
      const reason = essential.hasHealthCheck ? 'Task failed container health checks' : `Task failed ELB health checks in (target-group ${this.targetGroupOf(task)})`;
      if (task.service) {
        this.event(
          task.service,
          essential.hasHealthCheck
            ? `(service ${task.service.name}) (task ${task.taskId}) failed container health checks.`
            : `(service ${task.service.name}) (port 3000) is unhealthy in (target-group ${reason.slice(reason.indexOf('arn:'), -1)}) due to (reason Health checks failed).`,
        );
      }
      this.beginStop(task, { stopCode: 'ServiceSchedulerInitiated', reason, failure: true, drainMs: seconds.drain(task.scenario), exitCode: 143 });
      return;
    }
    if (task.stableAt !== undefined && now >= task.stableAt && task.healthStatus !== 'HEALTHY' && task.containers.some((container) => container.hasHealthCheck)) {
      this.setHealth(task, 'HEALTHY');
    }
  }

  /** The service scheduler: launch tasks for the primary deployment, drain older ones, judge the rollout. */
  private reconcile(service: SimService): void {
    if (service.status !== 'ACTIVE') return;
    if (service.taskSets.length) return this.reconcileTaskSets(service);
    if (service.blueGreen) return this.blueGreen.step(service.blueGreen);
    const now = this.now;
    const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
    if (!primary) return;
    if (primary.pendingRollback && now >= primary.pendingRollback.at) {
      const { good, reason } = primary.pendingRollback;
      primary.pendingRollback = undefined;
      return this.rollBackRolling(service, primary, good, reason);
    }
    const tasksOf = (deployment: SimDeployment) => this.tasksOf(deployment);
    const live = (task: SimTask) => task.desiredStatus === 'RUNNING';
    const stable = (task: SimTask) => this.stable(task);

    // Launch what the primary deployment is missing, within maximumPercent.
    const primaryLive = tasksOf(primary).filter(live);
    const allLive = [...service.cluster.tasks.values()].filter((task) => task.service === service && live(task));
    const budget = Math.floor((service.maximumPercent / 100) * service.desiredCount) - allLive.length;
    const missing = Math.min(primary.desiredCount - primaryLive.length, budget);
    if (missing > 0 && now >= primary.nextLaunchAt && primary.rolloutState !== 'FAILED') this.launch(service, primary, missing);

    // A task that ran long enough resets and ends the failure count of its deployment.
    if (!primary.hadSuccess && tasksOf(primary).some(stable)) {
      primary.hadSuccess = true;
      primary.failedTasks = 0;
    }

    // CloudWatch alarms watch the rollout until it completes.
    if (primary.rolloutState === 'IN_PROGRESS' && primary.record.alarms.status === 'MONITORING') {
      const triggered = this.triggeredAlarms(service);
      if (triggered.length) this.failRolling(service, primary, 'alarms', triggered);
    }

    // Older deployments give way as the primary's tasks become healthy; only their healthy tasks are kept.
    let keep = Math.max(0, service.desiredCount - tasksOf(primary).filter(stable).length);
    for (const old of service.deployments.filter((deployment) => deployment !== primary)) {
      const oldLive = tasksOf(old).filter(live);
      const kept = oldLive.filter(stable).slice(0, keep);
      const stopping = oldLive.filter((task) => !kept.includes(task));
      for (const task of stopping) {
        this.beginStop(task, { stopCode: 'ServiceSchedulerInitiated', reason: `Scaling activity initiated by (deployment ${old.id})`, failure: false, drainMs: seconds.drain(task.scenario), exitCode: 0 });
      }
      if (stopping.length) this.event(service, `(service ${service.name}) has stopped ${stopping.length} running tasks: ${stopping.map((task) => `(task ${task.taskId})`).join(' ')}.`);
      if (old.desiredCount !== kept.length) old.updatedAt = now;
      old.desiredCount = kept.length;
      keep -= kept.length;
    }
    // A deployment leaves the list once its tasks have stopped; one that failed stays (ACTIVE, rolloutState
    // FAILED) while the deployment that replaced it is in progress, as ECS shows a circuit-breaker rollback.
    const drained = (deployment: SimDeployment) => tasksOf(deployment).every((task) => task.lastStatus === 'STOPPED');
    const failedKept = (deployment: SimDeployment) => deployment.rolloutState === 'FAILED' && primary.rolloutState === 'IN_PROGRESS';
    service.deployments = service.deployments.filter((deployment) => deployment === primary || !drained(deployment) || failedKept(deployment));

    // The rollout is complete once only the primary deployment is left, at its desired count, healthy.
    const running = tasksOf(primary).filter((task) => live(task) && task.lastStatus === 'RUNNING');
    if (
      primary.rolloutState === 'IN_PROGRESS' &&
      service.deployments.every((deployment) => deployment === primary || drained(deployment)) &&
      running.length === primary.desiredCount &&
      tasksOf(primary).filter(live).length === primary.desiredCount &&
      running.every(stable)
    ) {
      service.deployments = [primary];
      primary.rolloutState = 'COMPLETED';
      primary.rolloutStateReason = `ECS deployment ${primary.id} completed.`;
      primary.completedAt = now;
      primary.updatedAt = now;
      if (primary.rollbackOf) {
        primary.record.status = 'ROLLBACK_SUCCESSFUL';
      } else {
        primary.record.status = 'SUCCESSFUL';
      }
      primary.record.finishedAt = now;
      primary.record.updatedAt = now;
      this.settle(primary.record);
      if (primary.record.circuitBreaker.status === 'MONITORING') primary.record.circuitBreaker.status = 'MONITORING_COMPLETE';
      if (primary.record.alarms.status === 'MONITORING') primary.record.alarms.status = 'MONITORING_COMPLETE';
      this.event(service, `(service ${service.name}) (deployment ${primary.id}) deployment completed.`);
      this.event(service, `(service ${service.name}) has reached a steady state.`);
    }
  }

  tasksOf(deployment: SimDeployment): SimTask[] {
    return [...deployment.service.cluster.tasks.values()].filter((task) => task.deployment === deployment);
  }

  /** Running long enough (and healthy) for ECS to count it as a success. */
  stable(task: SimTask): boolean {
    return task.desiredStatus === 'RUNNING' && task.lastStatus === 'RUNNING' && task.stableAt !== undefined && this.now >= task.stableAt;
  }

  /** Starts `count` tasks for a deployment (or reports, once, that none can be placed). */
  launch(service: SimService, deployment: SimDeployment, count: number): void {
    const scenario = this.scenarioFor(deployment.taskDefinition);
    if (scenario.behaviour === 'no-capacity') {
      if (!deployment.placementReported) {
        deployment.placementReported = true;
        this.event(
          service,
          service.launchType === 'FARGATE'
            ? `(service ${service.name}) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.`
            : `(service ${service.name}) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.`,
        );
      }
      return;
    }
    const started = Array.from({ length: count }, () =>
      this.newTask(service.cluster, deployment.taskDefinition, { service, deployment, startedBy: deployment.id, group: `service:${service.name}`, launchType: service.launchType }),
    );
    this.event(service, `(service ${service.name}) has started ${started.length} tasks: ${started.map((task) => `(task ${task.taskId})`).join(' ')}.`);
  }

  /** The names of the service's deployment alarms in ALARM, when alarms are enabled. */
  triggeredAlarms(service: SimService): string[] {
    if (!service.alarms?.enable) return [];
    return service.alarms.alarmNames.filter((name) => this.alarmState(name) === 'ALARM');
  }

  // ---- deployments ----------------------------------------------------------------------------

  private startDeployment(service: SimService, definition: TaskDefinitionRecord, rollbackOf?: SimDeployment): SimDeployment {
    const now = this.now;
    for (const deployment of service.deployments) {
      if (deployment.status === 'PRIMARY') {
        deployment.status = 'ACTIVE';
        deployment.updatedAt = now;
        if (deployment.rolloutState === 'IN_PROGRESS' && !rollbackOf) {
          deployment.record.status = 'STOPPED';
          deployment.record.statusReason = 'Deployment stopped because a newer deployment started.';
          deployment.record.finishedAt = now;
          deployment.record.stoppedAt = now;
          deployment.record.updatedAt = now;
          this.settle(deployment.record);
        }
      }
    }
    const deployment = this.newDeployment(service, definition, now, rollbackOf);
    service.deployments.unshift(deployment);
    service.taskDefinition = definition;
    if (!rollbackOf) this.scheduleAlarmRules(definition);
    return deployment;
  }

  serviceDeploymentArn(service: SimService): string {
    return this.arn(`service-deployment/${service.cluster.name}/${service.name}/${randomBytes(16).toString('base64url').slice(0, 21)}`);
  }

  newDeploymentId(): string {
    return `ecs-svc/${digits(19)}`;
  }

  /** A new deployment of the service; its service deployment record is new too, unless it rolls back another (or `record` is given). */
  newDeployment(service: SimService, definition: TaskDefinitionRecord, at: number, rollbackOf?: SimDeployment, options: { record?: ServiceDeploymentRecord } = {}): SimDeployment {
    const id = this.newDeploymentId();
    let record: ServiceDeploymentRecord;
    if (rollbackOf) {
      // ECS records a circuit-breaker rollback on the failed service deployment, with no new revision.
      record = rollbackOf.record;
    } else if (options.record) {
      record = options.record;
    } else {
      const target = this.newRevision(service, definition, at, this.latestRevision(service));
      const tasks = [...service.cluster.tasks.values()];
      record = {
        arn: this.serviceDeploymentArn(service),
        createdAt: at,
        startedAt: at,
        updatedAt: at,
        status: 'IN_PROGRESS',
        source: service.deployments.map((deployment) => ({
          revision: this.revisionFor(service, deployment.taskDefinition),
          requested: deployment.desiredCount,
          running: tasks.filter((task) => task.deployment === deployment && task.lastStatus === 'RUNNING').length,
          pending: tasks.filter((task) => task.deployment === deployment && (task.lastStatus === 'PENDING' || task.lastStatus === 'PROVISIONING')).length,
        })),
        target,
        circuitBreaker: this.circuitBreakerInfo(service),
        alarms: this.alarmsInfo(service),
        configuration: deploymentConfigurationShape(service),
      };
      service.history.unshift(record);
    }
    const deployment: SimDeployment = {
      id,
      service,
      revision: rollbackOf ? this.revisionFor(service, definition) : record.target,
      status: 'PRIMARY',
      taskDefinition: definition,
      desiredCount: service.desiredCount,
      failedTasks: 0,
      hadSuccess: false,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      createdAt: at,
      updatedAt: at,
      nextLaunchAt: at + SCHEDULER_DELAY_MS,
      placementReported: false,
      impairedReported: false,
      record,
      rollbackOf,
    };
    if (!rollbackOf && !options.record) record.deployment = deployment;
    return deployment;
  }

  /**
   * A new service revision. Its tasks register with the load balancers' target groups; under an
   * ECS-native blue/green strategy each new revision takes the target group `opposite` (the
   * revision serving production) does not use: the primary and the alternate target group take turns.
   */
  newRevision(service: SimService, definition: TaskDefinitionRecord, at: number, opposite?: ServiceRevisionRecord): ServiceRevisionRecord {
    const loadBalancers = structuredClone(service.loadBalancers);
    const targetGroups = loadBalancers.map((balancer, index) => {
      const primary = balancer.targetGroupArn ?? '';
      const alternate = balancer.advancedConfiguration?.alternateTargetGroupArn;
      if (service.strategy === 'ROLLING' || !alternate || !opposite) return primary;
      return opposite.targetGroups[index] === primary ? alternate : primary;
    });
    const revision: ServiceRevisionRecord = { arn: this.arn(`service-revision/${service.cluster.name}/${service.name}/${digits(19)}`), taskDefinition: definition.arn, createdAt: at, loadBalancers, targetGroups };
    service.revisions.set(revision.arn, revision);
    return revision;
  }

  latestRevision(service: SimService): ServiceRevisionRecord | undefined {
    return [...service.revisions.values()].at(-1);
  }

  revisionFor(service: SimService, definition: TaskDefinitionRecord): ServiceRevisionRecord {
    return service.history.find((record) => record.target.taskDefinition === definition.arn)?.target ?? this.newRevision(service, definition, this.now);
  }

  circuitBreakerInfo(service: SimService): ServiceDeploymentRecord['circuitBreaker'] {
    return { status: service.circuitBreaker.enable ? 'MONITORING' : 'DISABLED', failureCount: 0, threshold: this.threshold(service) };
  }

  alarmsInfo(service: SimService): ServiceDeploymentRecord['alarms'] {
    if (!service.alarms?.enable) return { status: 'DISABLED' };
    return { status: 'MONITORING', alarmNames: [...service.alarms.alarmNames], triggeredAlarmNames: [] };
  }

  /**
   * ECS's threshold (deployment-circuit-breaker.html): by default half the desired count, at least 3 and
   * at most 200; `thresholdConfiguration` COUNT gives it, UNBOUNDED_PERCENT a percentage with no bounds.
   */
  threshold(service: SimService): number {
    const configured = service.circuitBreaker.thresholdConfiguration;
    if (configured?.type === 'COUNT') return configured.value;
    const percent = configured?.value ?? 50;
    const count = Math.ceil((service.desiredCount * percent) / 100);
    return configured?.type === 'UNBOUNDED_PERCENT' ? Math.max(1, count) : Math.min(200, Math.max(3, count));
  }

  /** ECS counts a failed task once it has STOPPED. */
  private onTaskFailed(task: SimTask): void {
    const { service, deployment } = task;
    if (!service) return;
    const record = service.failures.find((candidate) => candidate.taskArn === task.taskArn);
    if (record) record.stoppedAt = this.now;
    if (task.taskSet) {
      task.taskSet.failedTasks++;
      task.taskSet.nextLaunchAt = this.now + RESTART_DELAY_MS;
      return;
    }
    if (!deployment) return;
    if (service.blueGreen?.green === deployment) return this.blueGreen.onGreenTaskFailed(service.blueGreen);
    if (deployment.status !== 'PRIMARY') return;
    deployment.nextLaunchAt = this.now + RESTART_DELAY_MS;
    if (deployment.hadSuccess) return;
    deployment.failedTasks++;
    deployment.updatedAt = this.now;
    deployment.record.circuitBreaker.failureCount = deployment.failedTasks;
    if (deployment.failedTasks >= 4 && !deployment.impairedReported) {
      deployment.impairedReported = true;
      this.event(service, `(service ${service.name}) is unable to consistently start tasks successfully.`);
    }
    if (!service.circuitBreaker.enable || deployment.rolloutState !== 'IN_PROGRESS' || deployment.failedTasks < this.threshold(service)) return;
    this.failRolling(service, deployment, 'circuitBreaker');
  }

  /**
   * A rolling deployment fails: its circuit breaker tripped or a deployment alarm went into ALARM.
   * With rollback on, ECS rolls back to the last deployment that completed, recording it on the
   * failed service deployment (ROLLBACK_IN_PROGRESS, then ROLLBACK_SUCCESSFUL or ROLLBACK_FAILED);
   * otherwise the service deployment is STOPPED and the failed deployment stays PRIMARY.
   */
  private failRolling(service: SimService, deployment: SimDeployment, by: 'circuitBreaker' | 'alarms', alarms: string[] = []): void {
    const reason = by === 'circuitBreaker' ? 'ECS deployment circuit breaker: tasks failed to start.' : alarmReason(alarms);
    deployment.rolloutState = 'FAILED';
    deployment.rolloutStateReason = reason;
    deployment.failedAt = this.now;
    deployment.updatedAt = this.now;
    const { record } = deployment;
    record.updatedAt = this.now;
    if (by === 'circuitBreaker') {
      record.circuitBreaker.status = 'TRIGGERED';
      this.event(service, `(service ${service.name}) (deployment ${deployment.id}) deployment failed: tasks failed to start.`);
    } else {
      record.alarms = { ...record.alarms, status: 'TRIGGERED', triggeredAlarmNames: alarms };
      this.event(service, `(service ${service.name}) (deployment ${deployment.id}) deployment failed: alarm detected.`);
    }
    if (deployment.rollbackOf) {
      record.status = 'ROLLBACK_FAILED';
      record.finishedAt = this.now;
      this.settle(record);
      return;
    }
    const good = service.history.find((candidate) => candidate.status === 'SUCCESSFUL' && candidate !== record);
    const rollback = by === 'circuitBreaker' ? service.circuitBreaker.rollback : service.alarms?.rollback === true;
    record.statusReason = reason;
    if (!rollback || !good) {
      record.status = 'STOPPED';
      record.finishedAt = this.now;
      record.stoppedAt = this.now;
      this.settle(record);
      return;
    }
    this.rollBackRolling(service, deployment, good, reason);
  }

  /** ECS (or a StopServiceDeployment) rolls a rolling deployment back to the revision of `good`. */
  private rollBackRolling(service: SimService, deployment: SimDeployment, good: ServiceDeploymentRecord, reason: string): void {
    const target = this.taskDefinition(good.target.taskDefinition);
    const previous = service.deployments.find((candidate) => candidate.taskDefinition === target && candidate !== deployment);
    deployment.record.status = 'ROLLBACK_IN_PROGRESS';
    deployment.record.statusReason = reason;
    deployment.record.updatedAt = this.now;
    deployment.record.rollback = { reason, startedAt: this.now, serviceRevisionArn: good.target.arn };
    const rollback = this.startDeployment(service, target, deployment);
    rollback.revision = good.target;
    this.event(service, `(service ${service.name}) rolling back to deployment ${previous?.id ?? rollback.id}.`);
  }

  // ---- service deployments ------------------------------------------------------------------

  /** A deployment has completed: the task counts it reports are those of that moment. */
  settle(record: ServiceDeploymentRecord): void {
    const counts = (deployment: SimDeployment) => {
      const live = this.tasksOf(deployment).filter((task) => task.desiredStatus === 'RUNNING');
      return {
        requested: deployment.desiredCount,
        running: live.filter((task) => task.lastStatus === 'RUNNING').length,
        pending: live.filter((task) => task.lastStatus === 'PENDING' || task.lastStatus === 'PROVISIONING').length,
      };
    };
    if (record.deployment) record.targetCounts = counts(record.deployment);
    for (const source of record.source) {
      if (!source.deployment) continue;
      Object.assign(source, counts(source.deployment));
      source.deployment = undefined;
    }
    record.deployment = undefined;
  }

  configurationShape(service: SimService): Json {
    return deploymentConfigurationShape(service);
  }

  essentialImage(definition: TaskDefinitionRecord): string {
    const containers = definition.body.containerDefinitions as Json[];
    return String((containers.find((container) => container.essential !== false) ?? containers[0]!).image);
  }

  drainMs(task: SimTask): number {
    return seconds.drain(task.scenario);
  }

  /** Alarm rules with no stage start counting when a deployment of a matching image starts. */
  scheduleAlarmRules(definition: TaskDefinitionRecord, stage?: string): void {
    const image = this.essentialImage(definition);
    for (const rule of this.alarmRules) {
      if (rule.stage !== stage || !imageMatches(rule.image, image)) continue;
      this.setAlarm(rule.alarmName, rule.state ?? 'ALARM', this.now + (rule.afterSeconds ?? 0) * 1000);
    }
  }

  /** ContinueServiceDeployment (API_ContinueServiceDeployment): acts on a PAUSE hook awaiting action. */
  continueServiceDeployment(arn: string, hookId: string, action: unknown): void {
    if (action !== undefined && action !== 'CONTINUE' && action !== 'ROLLBACK') invalid(`Invalid action "${String(action)}". The valid values are CONTINUE and ROLLBACK.`);
    const { record } = this.findServiceDeployment(arn);
    if (!record.run || record.status !== 'IN_PROGRESS') invalid(`The service deployment ${arn} is ${record.status} and has no hook awaiting action.`);
    this.blueGreen.continueDeployment(record.run, hookId, (action as 'CONTINUE' | 'ROLLBACK' | undefined) ?? 'CONTINUE');
  }

  findServiceDeployment(arn: string): { service: SimService; record: ServiceDeploymentRecord } {
    for (const cluster of this.clusters.values()) {
      for (const service of cluster.services.values()) {
        const record = service.history.find((candidate) => candidate.arn === arn);
        if (record) return { service, record };
      }
    }
    throw new SimError('ServiceDeploymentNotFoundException', `The service deployment ${arn} does not exist.`);
  }

  /**
   * StopServiceDeployment (API_StopServiceDeployment, stop-service-deployment.html): only ROLLBACK is
   * accepted. PENDING or IN_PROGRESS → ROLLBACK_REQUESTED, then the rollback starts; a deployment already
   * stopping or rolling back carries on; a completed one is a ConflictException.
   */
  stopServiceDeployment(arn: string, stopType: unknown): void {
    if (stopType !== undefined && stopType !== 'ROLLBACK' && stopType !== 'ABORT') invalid(`Invalid stopType "${String(stopType)}". The valid values are ROLLBACK.`);
    if (stopType === 'ABORT') invalid('The stopType ABORT is not supported. The valid values are ROLLBACK.');
    const { service, record } = this.findServiceDeployment(arn);
    if (['STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'].includes(record.status)) return;
    if (!['PENDING', 'IN_PROGRESS'].includes(record.status)) {
      throw new SimError('ConflictException', `The service deployment ${arn} is ${record.status} and cannot be stopped.`);
    }
    const reason = 'Service deployment rolled back because of a StopServiceDeployment request.';
    if (record.run) return this.blueGreen.requestRollback(record.run, reason);
    const deployment = service.deployments.find((candidate) => candidate.record === record && !candidate.rollbackOf);
    const good = service.history.find((candidate) => candidate.status === 'SUCCESSFUL' && candidate !== record);
    if (!deployment || !good) throw new SimError('ConflictException', `The service deployment ${arn} has no earlier service revision to roll back to.`);
    record.status = 'ROLLBACK_REQUESTED';
    record.statusReason = reason;
    record.updatedAt = this.now;
    deployment.rolloutState = 'FAILED';
    deployment.rolloutStateReason = reason;
    deployment.failedAt = this.now;
    deployment.updatedAt = this.now;
    deployment.pendingRollback = { at: this.now + SCHEDULER_DELAY_MS, good, reason };
  }

  // ---- task sets (services CodeDeploy deploys) -------------------------------------------------

  createTaskSet(service: SimService, definition: TaskDefinitionRecord, options: { scale: number; targetGroupArn?: string; externalId?: string; at?: number }): SimTaskSet {
    const id = this.newDeploymentId();
    const at = options.at ?? this.now;
    const taskSet: SimTaskSet = {
      id,
      arn: this.arn(`task-set/${service.cluster.name}/${service.name}/${id}`),
      service,
      externalId: options.externalId,
      taskDefinition: definition,
      status: 'ACTIVE',
      scale: options.scale,
      targetGroupArn: options.targetGroupArn,
      createdAt: at,
      updatedAt: at,
      stabilityStatus: 'STABILIZING',
      stabilityStatusAt: at,
      failedTasks: 0,
      nextLaunchAt: at + SCHEDULER_DELAY_MS,
    };
    service.taskSets.push(taskSet);
    return taskSet;
  }

  /** The tasks a task set keeps running: its scale of the service's desired count. */
  computedDesiredCount(taskSet: SimTaskSet): number {
    return taskSet.status === 'DRAINING' ? 0 : Math.ceil((taskSet.service.desiredCount * taskSet.scale) / 100);
  }

  tasksOfTaskSet(taskSet: SimTaskSet): SimTask[] {
    return [...taskSet.service.cluster.tasks.values()].filter((task) => task.taskSet === taskSet);
  }

  /** UpdateServicePrimaryTaskSet: the task set becomes PRIMARY (the service's task definition), the others ACTIVE. */
  setPrimaryTaskSet(taskSet: SimTaskSet): void {
    for (const other of taskSet.service.taskSets) {
      if (other !== taskSet && other.status === 'PRIMARY') {
        other.status = 'ACTIVE';
        other.updatedAt = this.now;
      }
    }
    taskSet.status = 'PRIMARY';
    taskSet.updatedAt = this.now;
    taskSet.service.taskDefinition = taskSet.taskDefinition;
  }

  /** DeleteTaskSet: its tasks drain and stop, then it leaves the service. */
  deleteTaskSet(taskSet: SimTaskSet): void {
    if (taskSet.status === 'DRAINING') return;
    taskSet.status = 'DRAINING';
    taskSet.updatedAt = this.now;
  }

  private reconcileTaskSets(service: SimService): void {
    const now = this.now;
    for (const taskSet of [...service.taskSets]) {
      const tasks = this.tasksOfTaskSet(taskSet);
      const live = tasks.filter((task) => task.desiredStatus === 'RUNNING');
      const desired = this.computedDesiredCount(taskSet);
      if (live.length > desired) {
        const stopping = live.sort((a, b) => b.createdAt - a.createdAt).slice(0, live.length - desired);
        for (const task of stopping) {
          this.beginStop(task, { stopCode: 'ServiceSchedulerInitiated', reason: `Scaling activity initiated by (deployment ${taskSet.id})`, failure: false, drainMs: seconds.drain(task.scenario), exitCode: 0 });
        }
        this.event(service, `(service ${service.name}, taskSet ${taskSet.id}) has stopped ${stopping.length} running tasks: ${stopping.map((task) => `(task ${task.taskId})`).join(' ')}.`);
        taskSet.updatedAt = now;
      } else if (live.length < desired && now >= taskSet.nextLaunchAt) {
        const scenario = this.scenarioFor(taskSet.taskDefinition);
        if (scenario.behaviour !== 'no-capacity') {
          const started = Array.from({ length: desired - live.length }, () =>
            this.newTask(service.cluster, taskSet.taskDefinition, { service, taskSet, startedBy: taskSet.id, group: `service:${service.name}`, launchType: service.launchType }),
          );
          this.event(service, `(service ${service.name}, taskSet ${taskSet.id}) has started ${started.length} tasks: ${started.map((task) => `(task ${task.taskId})`).join(' ')}.`);
          taskSet.updatedAt = now;
        }
      }
      if (taskSet.status === 'DRAINING' && tasks.every((task) => task.lastStatus === 'STOPPED')) {
        service.taskSets.splice(service.taskSets.indexOf(taskSet), 1);
        continue;
      }
      const running = this.tasksOfTaskSet(taskSet).filter((task) => task.desiredStatus === 'RUNNING');
      const steady = running.length === desired && running.every((task) => this.stable(task));
      const stability = steady ? 'STEADY_STATE' : 'STABILIZING';
      if (stability !== taskSet.stabilityStatus) {
        taskSet.stabilityStatus = stability;
        taskSet.stabilityStatusAt = now;
        if (steady && taskSet.status === 'PRIMARY') this.event(service, `(service ${service.name}) has reached a steady state.`);
      }
    }
  }

  /** The target group a task registers with. */
  targetGroupOf(task: SimTask): string {
    const fallback = `arn:aws:elasticloadbalancing:${this.region}:${this.account}:targetgroup/${task.service?.name ?? task.definition.family}/4f1e0a9c2b7d3e58`;
    if (task.taskSet) return task.taskSet.targetGroupArn || fallback;
    const run = task.service?.blueGreen;
    if (run && task.deployment === run.green) return run.record.target.targetGroups[0] || fallback;
    if (run && task.deployment === run.blue) return run.blueRevision.targetGroups[0] || fallback;
    return task.service?.loadBalancers[0]?.targetGroupArn || fallback;
  }

  // ---- task lifecycle -------------------------------------------------------------------------

  scenarioFor(definition: TaskDefinitionRecord, command?: string): Scenario {
    const containers = definition.body.containerDefinitions as Json[];
    const essential = containers.find((container) => container.essential !== false) ?? containers[0]!;
    const ownCommand = Array.isArray(essential.command) ? essential.command.join(' ') : undefined;
    return pickScenario(this.scenarios, String(essential.image), command ?? ownCommand);
  }

  newTask(
    cluster: SimCluster,
    definition: TaskDefinitionRecord,
    options: { service?: SimService; deployment?: SimDeployment; taskSet?: SimTaskSet; startedBy?: string; group: string; overrides?: Json; launchType?: string; oneShot?: boolean },
    at = this.now,
  ): SimTask {
    const taskId = randomBytes(16).toString('hex');
    const taskArn = this.arn(`task/${cluster.name}/${taskId}`);
    const overrides = options.overrides ?? {};
    const containerOverrides = (overrides.containerOverrides as Json[] | undefined) ?? [];
    const definitions = definition.body.containerDefinitions as Json[];
    const essentialName = String((definitions.find((container) => container.essential !== false) ?? definitions[0]!).name);
    const override = containerOverrides.find((candidate) => candidate.name === essentialName);
    const command = Array.isArray(override?.command) ? (override.command as string[]).join(' ') : undefined;
    const scenario = this.scenarioFor(definition, command);
    const containers: ContainerState[] = definitions.map((container) => {
      const logConfiguration = container.logConfiguration as { logDriver?: string; options?: Record<string, string> } | undefined;
      const logOptions = logConfiguration?.logDriver === 'awslogs' ? (logConfiguration.options ?? {}) : undefined;
      return {
        name: String(container.name),
        image: String(container.image),
        imageDigest: pulledDigest(String(container.image), this.resolveDigest),
        containerArn: this.arn(`container/${cluster.name}/${taskId}/${randomUUID()}`),
        essential: container.essential !== false,
        hasHealthCheck: container.healthCheck !== undefined,
        logs:
          logOptions?.['awslogs-group'] && logOptions['awslogs-stream-prefix'] ? { group: logOptions['awslogs-group'], prefix: logOptions['awslogs-stream-prefix'], region: logOptions['awslogs-region'] ?? this.region } : undefined,
        lastStatus: 'PENDING',
        healthStatus: container.healthCheck !== undefined ? 'UNKNOWN' : undefined,
      };
    });
    const pendingAt = at + seconds.provision(scenario);
    const task: SimTask = {
      taskArn,
      taskId,
      cluster,
      service: options.service,
      deployment: options.deployment,
      taskSet: options.taskSet,
      startedBy: options.startedBy,
      group: options.group,
      definition,
      scenario,
      exitCode: scenario.exitCode ?? (options.oneShot ? 0 : 1),
      launchType: options.launchType ?? 'FARGATE',
      overrides: { containerOverrides: containerOverrides.length ? containerOverrides : definitions.map((container) => ({ name: container.name })), inferenceAcceleratorOverrides: [] },
      createdAt: at,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthStatus: 'UNKNOWN',
      containers,
      pendingAt,
      runningAt: pendingAt + seconds.pull(scenario),
      failure: false,
      availabilityZone: `${this.region}${ZONES[randomInt(0, ZONES.length)]}`,
    };
    cluster.tasks.set(taskId, task);
    return task;
  }

  /** `seeded`: a task that was already running when the simulation began: healthy, and its output is not written. */
  markRunning(task: SimTask, at: number, seeded: boolean): void {
    const { scenario } = task;
    task.lastStatus = 'RUNNING';
    task.pullStartedAt ??= at - 15_000;
    task.pullStoppedAt = at - 1_000;
    task.startedAt = at;
    task.connectivityAt = at - 5_000;
    for (const container of task.containers) {
      container.lastStatus = 'RUNNING';
      container.runtimeId = `${task.taskId}-${randomInt(1_000_000_000, 9_999_999_999)}`;
    }
    if (seeded) task.stableAt = at + seconds.stable(scenario);
    else if (scenario.behaviour === 'exits') {
      task.exitAt = at + seconds.run(scenario);
      // One that runs past stableSeconds before it exits counted as a success meanwhile.
      if (seconds.run(scenario) > seconds.stable(scenario)) task.stableAt = at + seconds.stable(scenario);
    } else if (scenario.behaviour === 'health-check-failure') task.unhealthyAt = at + seconds.healthCheck(scenario);
    else task.stableAt = at + seconds.stable(scenario);
    if (seeded) return;
    const essential = this.essential(task);
    if (essential.logs) {
      this.logs.write({
        group: essential.logs.group,
        stream: `${essential.logs.prefix}/${essential.name}/${task.taskId}`,
        region: essential.logs.region,
        lines: scenario.logLines ?? defaultLogLines(scenario, essential.name),
      });
    }
  }

  /**
   * ECS decides to stop a task: desiredStatus, stopCode and stoppedReason are set at once (and, when
   * the essential container's exit is the cause, that container shows STOPPED with its exit code),
   * while lastStatus walks to STOPPED over `drainMs`.
   */
  beginStop(task: SimTask, stop: { stopCode: string; reason: string; failure: boolean; drainMs: number; exitCode?: number; containerExited?: boolean }): void {
    task.ran = task.lastStatus === 'RUNNING';
    task.desiredStatus = 'STOPPED';
    task.stopCode = stop.stopCode;
    task.stoppedReason = stop.reason;
    task.stoppingAt = this.now;
    task.stopAt = this.now + stop.drainMs;
    task.failure = stop.failure;
    task.stopExitCode = task.ran ? stop.exitCode : undefined;
    if (stop.containerExited) {
      const essential = this.essential(task);
      essential.lastStatus = 'STOPPED';
      essential.exitCode = stop.exitCode;
    }
    const owner = task.deployment?.id ?? task.taskSet?.id;
    if (task.failure && task.service && owner) task.service.failures.push({ deploymentId: owner, taskArn: task.taskArn, failedAt: this.now });
    if (task.deployment) task.deployment.updatedAt = this.now;
    this.moveStop(task, this.stopPhase(task));
  }

  /**
   * Where a stopping task is. One that ran: reported RUNNING for a moment, DEACTIVATING (target
   * deregistration) for most of the time, STOPPING (its containers are stopped), DEPROVISIONING
   * (network interface released). One that never ran: STOPPING, then DEPROVISIONING.
   */
  private stopPhase(task: SimTask): string {
    const total = task.stopAt! - task.stoppingAt!;
    const left = task.stopAt! - this.now;
    if (!task.ran) return total > DEPROVISION_MS && left > DEPROVISION_MS ? 'STOPPING' : 'DEPROVISIONING';
    if (total <= FAILED_STOP_MS) return 'STOPPING';
    if (this.now - task.stoppingAt! < Math.min(REPORT_LAG_MS, total / 10)) return 'RUNNING';
    if (left > 2 * DEPROVISION_MS) return 'DEACTIVATING';
    return left > DEPROVISION_MS ? 'STOPPING' : 'DEPROVISIONING';
  }

  private moveStop(task: SimTask, phase: string): void {
    if (phase === task.lastStatus) return;
    task.lastStatus = phase;
    if (phase === 'STOPPING' || phase === 'DEPROVISIONING') this.stopContainers(task);
    if (phase === 'DEPROVISIONING') task.executionStoppedAt ??= this.now;
  }

  /** Containers still running get the stop signal; those that never ran just end. */
  private stopContainers(task: SimTask): void {
    for (const container of task.containers) {
      if (container.lastStatus === 'STOPPED') continue;
      const ran = container.runtimeId !== undefined;
      container.lastStatus = 'STOPPED';
      if (ran) container.exitCode = container.essential ? task.stopExitCode : 0;
    }
  }

  private finishStop(task: SimTask): void {
    task.lastStatus = 'STOPPED';
    task.stoppedAt = this.now;
    task.executionStoppedAt ??= this.now;
    this.stopContainers(task);
    if (task.failure) this.onTaskFailed(task);
  }

  setHealth(task: SimTask, health: string): void {
    task.healthStatus = health;
    for (const container of task.containers) if (container.hasHealthCheck) container.healthStatus = health;
  }

  essential(task: SimTask): ContainerState {
    return task.containers.find((container) => container.essential) ?? task.containers[0]!;
  }

  private secretsReason(task: SimTask): string {
    const definitions = task.definition.body.containerDefinitions as Json[];
    const secrets = definitions.flatMap((container) => (Array.isArray(container.secrets) ? (container.secrets as Json[]) : []));
    const secret = String(secrets[0]?.valueFrom ?? `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${task.definition.family}/database-url`);
    return (
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ' +
      `service call has been retried 1 time(s): failed to fetch secret ${secret} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`
    );
  }

  event(service: SimService, message: string, at = this.now): void {
    // ECS leaves out a message it has just given.
    if (service.events.some((event) => event.message === message && event.createdAt === at)) return;
    service.events.unshift({ id: randomUUID(), createdAt: at, message });
    if (service.events.length > EVENTS_KEPT) service.events.length = EVENTS_KEPT;
  }
}

/** The digest a pull of `image` resolves to: the one it names, else the registry's answer for its tag (none without a registry). */
function pulledDigest(image: string, resolve: ((image: string) => string | undefined) | undefined): string | undefined {
  const named = /@(sha256:[0-9a-f]{64})$/.exec(image);
  return named ? named[1]! : resolve?.(image);
}
