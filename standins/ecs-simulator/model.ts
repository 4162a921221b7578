/**
 * The simulated ECS control plane: task definitions, services with rolling deployments, tasks that
 * walk through their lifecycle, the deployment circuit breaker, and the service deployment history.
 * `step()` moves everything forward one tick of simulated time; all times are simulated epoch ms.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { LogSink } from './logs.js';
import { defaultLogLines, pickScenario, seconds, type Scenario, type ScenarioRule } from './scenarios.js';

export class SimError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

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
  completedAt?: number;
  failedAt?: number;
}

export interface ServiceRevisionRecord {
  arn: string;
  taskDefinition: string;
  createdAt: number;
}

export interface ServiceDeploymentRecord {
  arn: string;
  createdAt: number;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  status: string;
  statusReason?: string;
  source: { revision: ServiceRevisionRecord; requested: number; running: number; pending: number }[];
  target: ServiceRevisionRecord;
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  circuitBreaker: { status: string; failureCount: number; threshold: number };
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
  circuitBreaker: { enable: boolean; rollback: boolean };
  maximumPercent: number;
  minimumHealthyPercent: number;
  deploymentController: string;
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

const SCHEDULER_DELAY_MS = 2_000;
const RESTART_DELAY_MS = 5_000;
const FAILED_STOP_MS = 2_000;
/** Releasing the task's network interface, the last step before STOPPED. */
const DEPROVISION_MS = 2_000;
/** How long ECS may still report a task RUNNING after it decided to stop it. */
const REPORT_LAG_MS = 3_000;
const EVENTS_KEPT = 100;
const ZONES = ['a', 'b', 'c'];

const digits = (count: number) => String(randomInt(1, 10)) + Array.from({ length: count - 1 }, () => randomInt(0, 10)).join('');

export class EcsModel {
  readonly clusters = new Map<string, SimCluster>();
  readonly families = new Map<string, TaskDefinitionRecord[]>();
  scenarios: ScenarioRule[];
  private now: number;

  constructor(
    readonly region: string,
    readonly account: string,
    scenarios: ScenarioRule[],
    start: number,
    private readonly logs: LogSink,
  ) {
    this.scenarios = scenarios;
    this.now = start;
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
    circuitBreaker?: { enable: boolean; rollback: boolean };
    deploymentController?: string;
    maximumPercent?: number;
    minimumHealthyPercent?: number;
    /** Earlier deployments, oldest first: their task definitions and final statuses. */
    history?: { taskDefinition: string; status: string }[];
  }): SimService {
    const cluster = this.cluster(options.cluster);
    if (cluster.services.has(options.name)) throw new SimError('InvalidParameterException', 'Creation of service was not idempotent.');
    const definition = this.taskDefinition(options.taskDefinition);
    const service: SimService = {
      arn: this.arn(`service/${cluster.name}/${options.name}`),
      name: options.name,
      cluster,
      desiredCount: options.desiredCount,
      taskDefinition: definition,
      launchType: options.launchType ?? 'FARGATE',
      circuitBreaker: options.circuitBreaker ?? { enable: false, rollback: false },
      maximumPercent: options.maximumPercent ?? 200,
      minimumHealthyPercent: options.minimumHealthyPercent ?? 100,
      deploymentController: options.deploymentController ?? 'ECS',
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
      const revision = this.newRevision(service, this.taskDefinition(past.taskDefinition), at);
      service.history.unshift({
        arn: this.arn(`service-deployment/${cluster.name}/${service.name}/${randomBytes(16).toString('base64url').slice(0, 21)}`),
        createdAt: at,
        startedAt: at,
        updatedAt: at + 300_000,
        finishedAt: at + 300_000,
        status: past.status,
        source: [],
        target: revision,
        circuitBreaker: this.circuitBreakerInfo(service),
      });
      at += 3_600_000;
    }
    // The current deployment has completed; its tasks run and are healthy.
    const deployment = this.newDeployment(service, definition, at);
    deployment.rolloutState = 'COMPLETED';
    deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
    deployment.hadSuccess = true;
    deployment.completedAt = at + 300_000;
    deployment.record.status = 'SUCCESSFUL';
    deployment.record.finishedAt = at + 300_000;
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
    if (typeof input.desiredCount === 'number') {
      service.desiredCount = input.desiredCount;
      for (const deployment of service.deployments) if (deployment.status === 'PRIMARY') deployment.desiredCount = input.desiredCount;
    }
    const changed = definition !== undefined && definition !== service.taskDefinition;
    if (changed || input.forceNewDeployment === true) this.startDeployment(service, definition ?? service.taskDefinition);
    return service;
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
    for (const cluster of this.clusters.values()) {
      for (const task of cluster.tasks.values()) this.stepTask(task);
      for (const service of cluster.services.values()) this.reconcile(service);
    }
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
      const reason = essential.hasHealthCheck
        ? 'Task failed container health checks'
        : `Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:${this.region}:${this.account}:targetgroup/${task.service?.name ?? task.definition.family}/4f1e0a9c2b7d3e58)`;
      if (task.service) {
        this.event(task.service, essential.hasHealthCheck ? `(service ${task.service.name}) (task ${task.taskId}) failed container health checks.` : `(service ${task.service.name}) (port 3000) is unhealthy in (target-group ${reason.slice(reason.indexOf('arn:'), -1)}) due to (reason Health checks failed).`);
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
    const now = this.now;
    const primary = service.deployments.find((deployment) => deployment.status === 'PRIMARY');
    if (!primary) return;
    const tasksOf = (deployment: SimDeployment) => [...service.cluster.tasks.values()].filter((task) => task.deployment === deployment);
    const live = (task: SimTask) => task.desiredStatus === 'RUNNING';
    const stable = (task: SimTask) => live(task) && task.lastStatus === 'RUNNING' && task.stableAt !== undefined && now >= task.stableAt;

    // Launch what the primary deployment is missing, within maximumPercent.
    const primaryLive = tasksOf(primary).filter(live);
    const allLive = [...service.cluster.tasks.values()].filter((task) => task.service === service && live(task));
    const budget = Math.floor((service.maximumPercent / 100) * service.desiredCount) - allLive.length;
    const missing = Math.min(primary.desiredCount - primaryLive.length, budget);
    if (missing > 0 && now >= primary.nextLaunchAt && primary.rolloutState !== 'FAILED') {
      const scenario = this.scenarioFor(primary.taskDefinition);
      if (scenario.behaviour === 'no-capacity') {
        if (!primary.placementReported) {
          primary.placementReported = true;
          this.event(
            service,
            service.launchType === 'FARGATE'
              ? `(service ${service.name}) was unable to place a task. Reason: Capacity is unavailable at this time. Please try again later or in a different availability zone.`
              : `(service ${service.name}) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster.`,
          );
        }
      } else {
        const started = Array.from({ length: missing }, () =>
          this.newTask(service.cluster, primary.taskDefinition, { service, deployment: primary, startedBy: primary.id, group: `service:${service.name}`, launchType: service.launchType }),
        );
        this.event(service, `(service ${service.name}) has started ${started.length} tasks: ${started.map((task) => `(task ${task.taskId})`).join(' ')}.`);
      }
    }

    // A task that ran long enough resets and ends the failure count of its deployment.
    if (!primary.hadSuccess && tasksOf(primary).some(stable)) {
      primary.hadSuccess = true;
      primary.failedTasks = 0;
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
    service.deployments = service.deployments.filter((deployment) => deployment === primary || tasksOf(deployment).some((task) => task.lastStatus !== 'STOPPED'));

    // The rollout is complete once only the primary deployment is left, at its desired count, healthy.
    const running = tasksOf(primary).filter((task) => live(task) && task.lastStatus === 'RUNNING');
    if (
      primary.rolloutState === 'IN_PROGRESS' &&
      service.deployments.length === 1 &&
      running.length === primary.desiredCount &&
      tasksOf(primary).filter(live).length === primary.desiredCount &&
      running.every(stable)
    ) {
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
      if (primary.record.circuitBreaker.status === 'MONITORING') primary.record.circuitBreaker.status = 'MONITORING_COMPLETE';
      this.event(service, `(service ${service.name}) (deployment ${primary.id}) deployment completed.`);
      this.event(service, `(service ${service.name}) has reached a steady state.`);
    }
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
          deployment.record.updatedAt = now;
        }
      }
    }
    const deployment = this.newDeployment(service, definition, now, rollbackOf);
    service.deployments.unshift(deployment);
    service.taskDefinition = definition;
    return deployment;
  }

  private newDeployment(service: SimService, definition: TaskDefinitionRecord, at: number, rollbackOf?: SimDeployment): SimDeployment {
    const id = `ecs-svc/${digits(19)}`;
    let record: ServiceDeploymentRecord;
    if (rollbackOf) {
      // ECS records a circuit-breaker rollback on the failed service deployment, with no new revision.
      record = rollbackOf.record;
    } else {
      const target = this.newRevision(service, definition, at);
      const tasks = [...service.cluster.tasks.values()];
      record = {
        arn: this.arn(`service-deployment/${service.cluster.name}/${service.name}/${randomBytes(16).toString('base64url').slice(0, 21)}`),
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
      };
      service.history.unshift(record);
    }
    return {
      id,
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
  }

  private newRevision(service: SimService, definition: TaskDefinitionRecord, at: number): ServiceRevisionRecord {
    const revision = { arn: this.arn(`service-revision/${service.cluster.name}/${service.name}/${digits(19)}`), taskDefinition: definition.arn, createdAt: at };
    service.revisions.set(revision.arn, revision);
    return revision;
  }

  private revisionFor(service: SimService, definition: TaskDefinitionRecord): ServiceRevisionRecord {
    return service.history.find((record) => record.target.taskDefinition === definition.arn)?.target ?? this.newRevision(service, definition, this.now);
  }

  private circuitBreakerInfo(service: SimService): ServiceDeploymentRecord['circuitBreaker'] {
    return { status: service.circuitBreaker.enable ? 'MONITORING' : 'DISABLED', failureCount: 0, threshold: this.threshold(service) };
  }

  /** ECS's default: half the desired count, at least 3 and at most 200. */
  private threshold(service: SimService): number {
    return Math.min(200, Math.max(3, Math.ceil(service.desiredCount * 0.5)));
  }

  /** ECS counts a failed task once it has STOPPED. */
  private onTaskFailed(task: SimTask): void {
    const { service, deployment } = task;
    if (!service || !deployment) return;
    const record = service.failures.find((candidate) => candidate.taskArn === task.taskArn);
    if (record) record.stoppedAt = this.now;
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
    deployment.rolloutState = 'FAILED';
    deployment.rolloutStateReason = 'ECS deployment circuit breaker: tasks failed to start.';
    deployment.failedAt = this.now;
    deployment.record.circuitBreaker.status = 'TRIGGERED';
    this.event(service, `(service ${service.name}) (deployment ${deployment.id}) deployment failed: tasks failed to start.`);
    if (deployment.rollbackOf) {
      deployment.record.status = 'ROLLBACK_FAILED';
      deployment.record.finishedAt = this.now;
      return;
    }
    const good = service.history.find((record) => record.status === 'SUCCESSFUL' && record !== deployment.record);
    if (!service.circuitBreaker.rollback || !good) {
      deployment.record.status = 'STOPPED';
      deployment.record.statusReason = 'ECS deployment circuit breaker: tasks failed to start.';
      deployment.record.finishedAt = this.now;
      return;
    }
    const target = this.taskDefinition(good.target.taskDefinition);
    const previous = service.deployments.find((candidate) => candidate.taskDefinition === target && candidate !== deployment);
    deployment.record.status = 'ROLLBACK_IN_PROGRESS';
    deployment.record.rollback = { reason: 'ECS deployment circuit breaker: tasks failed to start.', startedAt: this.now, serviceRevisionArn: good.target.arn };
    const rollback = this.startDeployment(service, target, deployment);
    this.event(service, `(service ${service.name}) rolling back to deployment ${previous?.id ?? rollback.id}.`);
  }

  // ---- task lifecycle -------------------------------------------------------------------------

  scenarioFor(definition: TaskDefinitionRecord, command?: string): Scenario {
    const containers = definition.body.containerDefinitions as Json[];
    const essential = containers.find((container) => container.essential !== false) ?? containers[0]!;
    const ownCommand = Array.isArray(essential.command) ? essential.command.join(' ') : undefined;
    return pickScenario(this.scenarios, String(essential.image), command ?? ownCommand);
  }

  private newTask(
    cluster: SimCluster,
    definition: TaskDefinitionRecord,
    options: { service?: SimService; deployment?: SimDeployment; startedBy?: string; group: string; overrides?: Json; launchType?: string; oneShot?: boolean },
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
      const logOptions = logConfiguration?.logDriver === 'awslogs' ? logConfiguration.options ?? {} : undefined;
      return {
        name: String(container.name),
        image: String(container.image),
        containerArn: this.arn(`container/${cluster.name}/${taskId}/${randomUUID()}`),
        essential: container.essential !== false,
        hasHealthCheck: container.healthCheck !== undefined,
        logs:
          logOptions?.['awslogs-group'] && logOptions['awslogs-stream-prefix']
            ? { group: logOptions['awslogs-group'], prefix: logOptions['awslogs-stream-prefix'], region: logOptions['awslogs-region'] ?? this.region }
            : undefined,
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
  private markRunning(task: SimTask, at: number, seeded: boolean): void {
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
    else if (scenario.behaviour === 'exits') task.exitAt = at + seconds.run(scenario);
    else if (scenario.behaviour === 'health-check-failure') task.unhealthyAt = at + seconds.healthCheck(scenario);
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
  private beginStop(task: SimTask, stop: { stopCode: string; reason: string; failure: boolean; drainMs: number; exitCode?: number; containerExited?: boolean }): void {
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
    if (task.failure && task.service && task.deployment) task.service.failures.push({ deploymentId: task.deployment.id, taskArn: task.taskArn, failedAt: this.now });
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

  private setHealth(task: SimTask, health: string): void {
    task.healthStatus = health;
    for (const container of task.containers) if (container.hasHealthCheck) container.healthStatus = health;
  }

  private essential(task: SimTask): ContainerState {
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

  private event(service: SimService, message: string, at = this.now): void {
    // ECS leaves out a message it has just given.
    if (service.events.some((event) => event.message === message && event.createdAt === at)) return;
    service.events.unshift({ id: randomUUID(), createdAt: at, message });
    if (service.events.length > EVENTS_KEPT) service.events.length = EVENTS_KEPT;
  }
}
