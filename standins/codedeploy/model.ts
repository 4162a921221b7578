/**
 * CodeDeploy's applications, deployment groups and ECS blue/green deployments, moving on the ECS
 * simulator's clock and acting on its services through task sets. See index.ts for what follows
 * the documentation and what is the stand-in's choice.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { AlarmConfiguration, AutoRollbackConfiguration, BlueGreenDeploymentConfiguration, LoadBalancerInfo } from '@aws-sdk/client-codedeploy';
import { SimError, type Json } from '../ecs-simulator/common.js';
import { pickHookRule, type HookRule } from '../ecs-simulator/scenarios.js';
import type { EcsModel, SimService, SimTaskSet, TaskDefinitionRecord } from '../ecs-simulator/model.js';

const ECS_EVENTS = ['BeforeInstall', 'Install', 'AfterInstall', 'AllowTestTraffic', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic'] as const;
type EcsEvent = (typeof ECS_EVENTS)[number];
const HOOK_EVENTS: readonly EcsEvent[] = ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'];

type DeploymentStatus = 'Created' | 'Queued' | 'InProgress' | 'Baking' | 'Succeeded' | 'Failed' | 'Stopped' | 'Ready';
export type TargetStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown' | 'Ready';

/** The predefined ECS deployment configurations (CodeDeploy "deployment-configurations-create", ECS table). */
export const ECS_CONFIGS: Record<string, { type: 'AllAtOnce' | 'TimeBasedCanary' | 'TimeBasedLinear'; percentage?: number; interval?: number }> = {
  'CodeDeployDefault.ECSAllAtOnce': { type: 'AllAtOnce' },
  'CodeDeployDefault.ECSLinear10PercentEvery1Minutes': { type: 'TimeBasedLinear', percentage: 10, interval: 1 },
  'CodeDeployDefault.ECSLinear10PercentEvery3Minutes': { type: 'TimeBasedLinear', percentage: 10, interval: 3 },
  'CodeDeployDefault.ECSCanary10Percent5Minutes': { type: 'TimeBasedCanary', percentage: 10, interval: 5 },
  'CodeDeployDefault.ECSCanary10Percent15Minutes': { type: 'TimeBasedCanary', percentage: 10, interval: 15 },
};

export interface CdApplication {
  id: string;
  name: string;
  computePlatform: 'ECS' | 'Server' | 'Lambda';
  createTime: number;
}

export interface CdDeploymentGroup {
  id: string;
  application: CdApplication;
  name: string;
  deploymentConfigName: string;
  serviceRoleArn: string;
  ecsServices: { serviceName: string; clusterName: string }[];
  blueGreenDeploymentConfiguration: BlueGreenDeploymentConfiguration;
  loadBalancerInfo: LoadBalancerInfo;
  autoRollbackConfiguration?: AutoRollbackConfiguration;
  alarmConfiguration?: AlarmConfiguration;
  lastSuccessful?: CdDeployment;
  lastAttempted?: CdDeployment;
}

export interface CdLifecycleEvent {
  name: EcsEvent;
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Unknown';
  startTime?: number;
  endTime?: number;
  diagnostics?: { errorCode: string; scriptName?: string; message: string; logTail: string };
}

export interface AppSpec {
  taskDefinition: string;
  containerName?: string;
  containerPort?: number;
  /** Lambda functions by lifecycle event. */
  hooks: Partial<Record<EcsEvent, string>>;
}

export interface CdDeployment {
  id: string;
  group: CdDeploymentGroup;
  configName: string;
  revision: { content: string; sha256: string };
  appSpec: AppSpec;
  description?: string;
  creator: 'user' | 'codeDeployRollback';
  autoRollbackConfiguration: AutoRollbackConfiguration;
  status: DeploymentStatus;
  errorInformation?: { code: string; message: string };
  createTime: number;
  startTime?: number;
  completeTime?: number;
  rollbackInfo?: { rollbackDeploymentId?: string; rollbackTriggeringDeploymentId?: string; rollbackMessage?: string };
  previous?: CdDeployment;
  /** The deployment a rollback deployment undoes. */
  rollbackOf?: CdDeployment;
  service: SimService;
  events: CdLifecycleEvent[];
  eventIndex: number;
  targetStatus: TargetStatus;
  targetUpdatedAt: number;
  blue?: SimTaskSet;
  green?: SimTaskSet;
  /** Green's share of production and test traffic. */
  production: number;
  test: number;
  /** Internal timers. */
  waitUntil: number;
  /** AllowTraffic: a traffic step is done and the next waits for the configuration's interval. */
  betweenSteps?: boolean;
  readyDeadline?: number;
  terminationWaitStarted: boolean;
  /** The original task set has been deleted (after the termination wait). */
  originalDeleted?: boolean;
  stopRequested?: { rollback: boolean };
  /** Status changes with simulated times, for `inspect()`. */
  timeline: { at: number; status: DeploymentStatus; event?: string; production: number; test: number }[];
}

export interface SeedDeploymentGroup {
  applicationName: string;
  deploymentGroupName: string;
  ecsServices: { serviceName: string; clusterName: string }[];
  deploymentConfigName?: string;
  serviceRoleArn?: string;
  blueGreenDeploymentConfiguration?: BlueGreenDeploymentConfiguration;
  /** Defaults to the service's target group and a second one named `<it>-green`, with made-up listeners. */
  loadBalancerInfo?: LoadBalancerInfo;
  autoRollbackConfiguration?: AutoRollbackConfiguration;
  alarmConfiguration?: AlarmConfiguration;
}

export interface CodeDeployOptions {
  /** What hook Lambdas (named in the AppSpec's Hooks) report, by function and lifecycle event; no match: Succeeded. */
  hooks?: HookRule[];
  /** How long each traffic shift takes, in simulated seconds (default 30). */
  trafficShiftSeconds?: number;
}

const TERMINAL: readonly DeploymentStatus[] = ['Succeeded', 'Failed', 'Stopped'];
/** CodeDeploy moves a created deployment on after this long. */
const START_DELAY_MS = 2_000;
/** How long the replacement task set has to reach a steady state (the simulator's choice). */
const INSTALL_LIMIT_MS = 60 * 60_000;

const deploymentId = () => `d-${Array.from({ length: 9 }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[randomInt(0, 36)]).join('')}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class CodeDeployModel {
  readonly applications = new Map<string, CdApplication>();
  readonly groups = new Map<string, CdDeploymentGroup>();
  readonly deployments = new Map<string, CdDeployment>();
  readonly hookRules: HookRule[];
  private readonly shiftMs: number;

  constructor(
    readonly ecs: EcsModel,
    options: CodeDeployOptions = {},
  ) {
    this.hookRules = [...(options.hooks ?? [])];
    this.shiftMs = (options.trafficShiftSeconds ?? 30) * 1000;
    ecs.steppers.push(this.step);
  }

  private get now(): number {
    return this.ecs.time;
  }

  // ---- resources --------------------------------------------------------------------------------

  createApplication(name: string, computePlatform: CdApplication['computePlatform'] = 'ECS'): CdApplication {
    const existing = this.applications.get(name);
    if (existing) return existing;
    const application: CdApplication = { id: randomUUID(), name, computePlatform, createTime: this.now - 86_400_000 };
    this.applications.set(name, application);
    return application;
  }

  application(name: unknown): CdApplication {
    if (typeof name !== 'string' || !name) throw new SimError('ApplicationNameRequiredException', 'The minimum number of required application names was not specified.');
    const application = this.applications.get(name);
    if (!application) throw new SimError('ApplicationDoesNotExistException', `No application found for name: ${name}`);
    return application;
  }

  group(applicationName: unknown, name: unknown): CdDeploymentGroup {
    const application = this.application(applicationName);
    if (typeof name !== 'string' || !name) throw new SimError('DeploymentGroupNameRequiredException', 'The deployment group name was not specified.');
    const group = this.groups.get(`${application.name}/${name}`);
    if (!group) throw new SimError('DeploymentGroupDoesNotExistException', `No Deployment Group found for name: ${name}`);
    return group;
  }

  groupsOf(application: CdApplication): CdDeploymentGroup[] {
    return [...this.groups.values()].filter((group) => group.application === application).sort((a, b) => a.name.localeCompare(b.name));
  }

  createDeploymentGroup(seed: SeedDeploymentGroup): CdDeploymentGroup {
    const application = this.application(seed.applicationName);
    if (seed.deploymentConfigName && !ECS_CONFIGS[seed.deploymentConfigName]) throw new SimError('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${seed.deploymentConfigName}`);
    const [target] = seed.ecsServices;
    if (!target) throw new SimError('InvalidECSServiceException', 'A deployment group for ECS needs one ECS service.');
    const service = this.serviceOf(target);
    if (service.deploymentController !== 'CODE_DEPLOY') throw new SimError('InvalidECSServiceException', `The ECS service ${target.serviceName} does not use the CODE_DEPLOY deployment controller.`);
    const blueTargetGroup = targetGroupName(service.loadBalancers[0]?.targetGroupArn) ?? `${service.name}-blue`;
    const group: CdDeploymentGroup = {
      id: randomUUID(),
      application,
      name: seed.deploymentGroupName,
      deploymentConfigName: seed.deploymentConfigName ?? 'CodeDeployDefault.ECSAllAtOnce',
      serviceRoleArn: seed.serviceRoleArn ?? `arn:aws:iam::${this.ecs.account}:role/ecsCodeDeployRole`,
      ecsServices: seed.ecsServices.map((entry) => ({ ...entry })),
      blueGreenDeploymentConfiguration: seed.blueGreenDeploymentConfiguration ?? {
        terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 0 },
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
      },
      loadBalancerInfo: seed.loadBalancerInfo ?? {
        targetGroupPairInfoList: [
          {
            targetGroups: [{ name: blueTargetGroup }, { name: `${blueTargetGroup}-green` }],
            prodTrafficRoute: { listenerArns: [`arn:aws:elasticloadbalancing:${this.ecs.region}:${this.ecs.account}:listener/app/${service.name}/0123456789abcdef/fedcba9876543210`] },
          },
        ],
      },
      autoRollbackConfiguration: seed.autoRollbackConfiguration,
      alarmConfiguration: seed.alarmConfiguration,
    };
    this.groups.set(`${application.name}/${group.name}`, group);
    // The task set the service runs came from an earlier deployment of the group.
    const primary = service.taskSets.find((taskSet) => taskSet.status === 'PRIMARY');
    if (primary && !primary.externalId) {
      const content = appSpecFor(primary.taskDefinition.arn, service);
      const past = this.newDeployment(group, service, { content, sha256: sha256(content) }, parseAppSpec(content), { creator: 'user' });
      past.status = 'Succeeded';
      past.createTime = primary.createdAt - 60_000;
      past.startTime = primary.createdAt - 55_000;
      past.completeTime = primary.createdAt + 240_000;
      past.targetStatus = 'Succeeded';
      past.production = 100;
      past.green = primary;
      past.events = ECS_EVENTS.map((name) => ({ name, status: HOOK_EVENTS.includes(name) ? 'Skipped' : 'Succeeded', startTime: past.startTime, endTime: past.completeTime }));
      past.eventIndex = ECS_EVENTS.length;
      primary.externalId = past.id;
      group.lastSuccessful = past;
      group.lastAttempted = past;
    }
    return group;
  }

  private serviceOf(target: { serviceName: string; clusterName: string }): SimService {
    const cluster = this.ecs.cluster(target.clusterName);
    const service = this.ecs.service(cluster, target.serviceName);
    if (!service) throw new SimError('InvalidECSServiceException', `The ECS service ${target.serviceName} does not exist in cluster ${target.clusterName}.`);
    return service;
  }

  deployment(id: unknown): CdDeployment {
    if (typeof id !== 'string' || !id) throw new SimError('DeploymentIdRequiredException', 'At least one deployment ID must be specified.');
    if (!/^d-[A-Z0-9]{9}$/.test(id)) throw new SimError('InvalidDeploymentIdException', `The deployment ID ${id} is not valid.`);
    const deployment = this.deployments.get(id);
    if (!deployment) throw new SimError('DeploymentDoesNotExistException', `The deployment ${id} could not be found.`);
    return deployment;
  }

  // ---- deployments ------------------------------------------------------------------------------

  /** CreateDeployment with an AppSpecContent revision (the AppSpec as YAML or JSON, reference-appspec-file-example#appspec-file-example-ecs). */
  createDeployment(input: Json): CdDeployment {
    const group = this.group(input.applicationName, input.deploymentGroupName);
    const revision = input.revision as { revisionType?: string; appSpecContent?: { content?: string; sha256?: string } } | undefined;
    if (!revision) throw new SimError('RevisionRequiredException', 'The revision ID was not specified.');
    if (revision.revisionType !== 'AppSpecContent') {
      throw new SimError('InvalidRevisionException', `Revision type ${String(revision.revisionType)} is not served by this stand-in: give the AppSpec as revisionType AppSpecContent.`);
    }
    const content = revision.appSpecContent?.content;
    if (typeof content !== 'string' || !content.trim()) throw new SimError('InvalidRevisionException', 'The AppSpec content is empty.');
    if (revision.appSpecContent?.sha256 !== undefined && revision.appSpecContent.sha256 !== sha256(content)) {
      throw new SimError('InvalidRevisionException', 'The sha256 of the AppSpec content does not match its content.');
    }
    const configName = typeof input.deploymentConfigName === 'string' ? input.deploymentConfigName : group.deploymentConfigName;
    if (!ECS_CONFIGS[configName]) throw new SimError('DeploymentConfigDoesNotExistException', `No deployment configuration found for name: ${configName}`);
    if (typeof input.description === 'string' && input.description.length > 512) throw new SimError('DescriptionTooLongException', 'The description is too long.');
    const active = [...this.deployments.values()].find((deployment) => deployment.group === group && !TERMINAL.includes(deployment.status));
    if (active) throw new SimError('DeploymentLimitExceededException', `The Deployment Group '${group.name}' already has an active Deployment '${active.id}'`);
    const appSpec = parseAppSpec(content);
    const service = this.serviceOf(group.ecsServices[0]!);
    const deployment = this.newDeployment(group, service, { content, sha256: sha256(content) }, appSpec, {
      creator: 'user',
      configName,
      description: typeof input.description === 'string' ? input.description : undefined,
      autoRollback: input.autoRollbackConfiguration as AutoRollbackConfiguration | undefined,
    });
    group.lastAttempted = deployment;
    return deployment;
  }

  private newDeployment(
    group: CdDeploymentGroup,
    service: SimService,
    revision: { content: string; sha256: string },
    appSpec: AppSpec,
    options: { creator: CdDeployment['creator']; configName?: string; description?: string; autoRollback?: AutoRollbackConfiguration; rollbackOf?: CdDeployment },
  ): CdDeployment {
    const now = this.now;
    const deployment: CdDeployment = {
      id: deploymentId(),
      group,
      configName: options.configName ?? group.deploymentConfigName,
      revision,
      appSpec,
      description: options.description,
      creator: options.creator,
      autoRollbackConfiguration: options.autoRollback ?? group.autoRollbackConfiguration ?? { enabled: false, events: [] },
      status: 'Created',
      createTime: now,
      previous: group.lastSuccessful,
      rollbackOf: options.rollbackOf,
      service,
      events: ECS_EVENTS.map((name) => ({ name, status: 'Pending' })),
      eventIndex: -1,
      targetStatus: 'Pending',
      targetUpdatedAt: now,
      production: 0,
      test: 0,
      waitUntil: now + START_DELAY_MS,
      terminationWaitStarted: false,
      timeline: [],
    };
    this.deployments.set(deployment.id, deployment);
    this.mark(deployment);
    return deployment;
  }

  /** StopDeployment: the deployment is Stopped; with rollback (asked for, or DEPLOYMENT_STOP_ON_REQUEST) a rollback deployment follows. */
  stopDeployment(deployment: CdDeployment, autoRollbackEnabled: unknown): void {
    if (TERMINAL.includes(deployment.status)) throw new SimError('DeploymentAlreadyCompletedException', `The deployment ${deployment.id} has already completed.`);
    const onRequest = deployment.autoRollbackConfiguration.enabled === true && (deployment.autoRollbackConfiguration.events ?? []).includes('DEPLOYMENT_STOP_ON_REQUEST');
    deployment.stopRequested = { rollback: typeof autoRollbackEnabled === 'boolean' ? autoRollbackEnabled : onRequest };
  }

  /** ContinueDeployment: READY_WAIT reroutes traffic now; TERMINATION_WAIT deletes the original task set now. */
  continueDeployment(deployment: CdDeployment, waitType: unknown): void {
    if (TERMINAL.includes(deployment.status)) throw new SimError('DeploymentAlreadyCompletedException', `The deployment ${deployment.id} has already completed.`);
    const type = waitType ?? 'READY_WAIT';
    if (type !== 'READY_WAIT' && type !== 'TERMINATION_WAIT') throw new SimError('InvalidDeploymentWaitTypeException', `The wait type ${String(type)} is not valid. The valid values are READY_WAIT and TERMINATION_WAIT.`);
    if (type === 'READY_WAIT' && deployment.status !== 'Ready') throw new SimError('DeploymentIsNotInReadyStateException', `The deployment ${deployment.id} is not in the Ready state.`);
    if (type === 'TERMINATION_WAIT' && !(deployment.status === 'Baking' && deployment.terminationWaitStarted && !deployment.originalDeleted)) {
      throw new SimError('DeploymentIsNotInReadyStateException', `The deployment ${deployment.id} is not waiting to terminate the original task set.`);
    }
    deployment.waitUntil = this.now;
    deployment.readyDeadline = undefined;
  }

  // ---- every tick -------------------------------------------------------------------------------

  /** Moves every deployment on; called after each tick of the ECS simulator. */
  readonly step = (): void => {
    for (const deployment of this.deployments.values()) {
      if (TERMINAL.includes(deployment.status)) continue;
      this.advance(deployment);
    }
  };

  private advance(deployment: CdDeployment): void {
    const now = this.now;
    if (deployment.stopRequested) {
      const { rollback } = deployment.stopRequested;
      deployment.stopRequested = undefined;
      return this.end(deployment, 'Stopped', { code: 'MANUAL_STOP', message: 'The deployment was stopped by a StopDeployment request.' }, rollback);
    }
    if (deployment.status === 'Created') {
      if (now < deployment.waitUntil) return;
      deployment.status = 'InProgress';
      deployment.startTime = now;
      this.setTarget(deployment, 'InProgress');
      this.enter(deployment, 0);
      return;
    }
    if (this.watchAlarms(deployment)) return;
    const event = deployment.events[deployment.eventIndex];
    if (!event) return this.finishing(deployment);
    if (deployment.status === 'Ready') {
      if (deployment.readyDeadline !== undefined && now >= deployment.readyDeadline) {
        return this.end(deployment, 'Stopped', { code: 'TIMEOUT', message: 'Traffic was not rerouted (ContinueDeployment) before the wait time ended.' }, false);
      }
      if (now < deployment.waitUntil) return;
      deployment.status = 'InProgress';
      this.setTarget(deployment, 'InProgress');
      this.mark(deployment);
      return this.enter(deployment, deployment.eventIndex);
    }
    if (event.status !== 'InProgress') return;
    const outcome = this.work(deployment, event);
    if (outcome === 'waiting') return;
    event.endTime = now;
    if (outcome !== 'done' && outcome !== 'skipped') {
      event.status = 'Failed';
      event.diagnostics = outcome.diagnostics;
      return this.end(deployment, 'Failed', outcome.error, this.rollsBackOn(deployment, 'DEPLOYMENT_FAILURE'));
    }
    event.status = outcome === 'skipped' ? 'Skipped' : 'Succeeded';
    if (outcome === 'done') event.diagnostics = { errorCode: 'Success', message: 'Succeeded', logTail: '' };
    this.next(deployment);
  }

  private next(deployment: CdDeployment): void {
    const index = deployment.eventIndex + 1;
    // deploymentReadyOption STOP_DEPLOYMENT: wait (Ready) for ContinueDeployment before production traffic moves.
    const ready = deployment.group.blueGreenDeploymentConfiguration.deploymentReadyOption;
    if (ECS_EVENTS[index] === 'BeforeAllowTraffic' && !deployment.rollbackOf && ready?.actionOnTimeout === 'STOP_DEPLOYMENT') {
      deployment.eventIndex = index;
      deployment.status = 'Ready';
      deployment.waitUntil = Number.POSITIVE_INFINITY;
      deployment.readyDeadline = this.now + (ready.waitTimeInMinutes ?? 0) * 60_000;
      this.setTarget(deployment, 'Ready');
      this.mark(deployment);
      return;
    }
    if (index >= ECS_EVENTS.length) {
      deployment.eventIndex = index;
      return this.startFinishing(deployment);
    }
    this.enter(deployment, index);
  }

  private enter(deployment: CdDeployment, index: number): void {
    const now = this.now;
    deployment.eventIndex = index;
    const event = deployment.events[index]!;
    event.status = 'InProgress';
    event.startTime = now;
    deployment.waitUntil = now;
    const { ecs } = this;
    const { service } = deployment;
    switch (event.name) {
      case 'Install': {
        if (deployment.rollbackOf) break;
        deployment.blue = service.taskSets.find((taskSet) => taskSet.status === 'PRIMARY');
        let definition: TaskDefinitionRecord | undefined;
        try {
          definition = ecs.taskDefinition(deployment.appSpec.taskDefinition);
        } catch {
          definition = undefined;
        }
        if (!definition) break; // work() fails the event
        const pair = deployment.group.loadBalancerInfo.targetGroupPairInfoList?.[0];
        const blueName = targetGroupName(deployment.blue?.targetGroupArn);
        const greenName = pair?.targetGroups?.map((group) => group.name).find((name) => name !== blueName);
        deployment.green = ecs.createTaskSet(service, definition, {
          scale: 100,
          externalId: deployment.id,
          targetGroupArn: greenName ? targetGroupArn(ecs, greenName) : undefined,
        });
        break;
      }
      case 'AllowTestTraffic':
        deployment.waitUntil = now + this.shiftMs;
        break;
      case 'AllowTraffic':
        deployment.waitUntil = now + this.shiftMs;
        if (deployment.rollbackOf) break;
        deployment.production = this.stepWeight(deployment, 0);
        break;
      default:
        if (HOOK_EVENTS.includes(event.name)) {
          const hook = deployment.rollbackOf ? undefined : deployment.appSpec.hooks[event.name];
          const rule = hook ? pickHookRule(this.hookRules, hook, event.name, false) : undefined;
          deployment.waitUntil = now + ((rule?.durationSeconds ?? 2) + (rule?.inProgress ?? 0) * (rule?.callBackDelaySeconds ?? 30)) * 1000;
        }
    }
    this.mark(deployment);
  }

  /** The event's own work: `done`, `skipped`, still `waiting`, or the failure. */
  private work(deployment: CdDeployment, event: CdLifecycleEvent): 'done' | 'skipped' | 'waiting' | { error: { code: string; message: string }; diagnostics: NonNullable<CdLifecycleEvent['diagnostics']> } {
    const now = this.now;
    const { ecs } = this;
    const { rollbackOf } = deployment;
    switch (event.name) {
      case 'Install': {
        if (rollbackOf) return now >= deployment.waitUntil ? 'done' : 'waiting';
        const green = deployment.green;
        if (!green) {
          const message = `The ECS service cannot be updated: the AppSpec's TaskDefinition ${deployment.appSpec.taskDefinition} does not exist.`;
          return { error: { code: 'ECS_UPDATE_ERROR', message }, diagnostics: { errorCode: 'UnknownError', message, logTail: '' } };
        }
        const containers = (green.taskDefinition.body.containerDefinitions as Json[]).map((container) => String(container.name));
        if (deployment.appSpec.containerName && !containers.includes(deployment.appSpec.containerName)) {
          const message = `The ECS service cannot be updated: the container ${deployment.appSpec.containerName} named in the AppSpec's LoadBalancerInfo is not in task definition ${green.taskDefinition.family}:${green.taskDefinition.revision} (it has ${containers.join(', ')}).`;
          return { error: { code: 'ECS_UPDATE_ERROR', message }, diagnostics: { errorCode: 'UnknownError', message, logTail: '' } };
        }
        const threshold = ecs.threshold(deployment.service);
        if (green.failedTasks >= threshold) {
          const message = `The ECS service cannot reach a steady state: ${green.failedTasks} tasks of the replacement task set ${green.id} failed to start.`;
          return { error: { code: 'ECS_UPDATE_ERROR', message }, diagnostics: { errorCode: 'UnknownError', message, logTail: '' } };
        }
        if (now - (event.startTime ?? now) > INSTALL_LIMIT_MS) {
          const message = `The replacement task set ${green.id} did not reach a steady state within 60 minutes.`;
          return { error: { code: 'TIMEOUT', message }, diagnostics: { errorCode: 'UnknownError', message, logTail: '' } };
        }
        return green.stabilityStatus === 'STEADY_STATE' && now > green.stabilityStatusAt ? 'done' : 'waiting';
      }
      case 'AllowTestTraffic': {
        const hasTest = (deployment.group.loadBalancerInfo.targetGroupPairInfoList?.[0]?.testTrafficRoute?.listenerArns ?? []).length > 0;
        if (!hasTest) return 'skipped';
        if (!rollbackOf) deployment.test = 100;
        else deployment.test = 0;
        return now >= deployment.waitUntil ? 'done' : 'waiting';
      }
      case 'AllowTraffic':
        return this.shiftTraffic(deployment);
      default: {
        const hook = rollbackOf ? undefined : deployment.appSpec.hooks[event.name];
        if (!hook) return 'skipped';
        if (now < deployment.waitUntil) return 'waiting';
        const rule = pickHookRule(this.hookRules, hook, event.name, false);
        if (!rule || rule.result === 'SUCCEEDED') return 'done';
        const message = `The ${event.name} hook ${hook} reported Failed (PutLifecycleEventHookExecutionStatus).`;
        return {
          error: { code: 'HOOK_EXECUTION_FAILURE', message: `The deployment failed because a lifecycle event hook failed: ${message}` },
          diagnostics: { errorCode: 'ScriptFailed', scriptName: hook, message, logTail: '' },
        };
      }
    }
  }

  /** Production traffic moves to green per the deployment configuration (AllAtOnce, TimeBasedCanary, TimeBasedLinear). */
  private shiftTraffic(deployment: CdDeployment): 'done' | 'waiting' {
    const now = this.now;
    if (now < deployment.waitUntil) return 'waiting';
    const { ecs } = this;
    if (deployment.rollbackOf) {
      // Back to the original task set: it is primary again and the replacement goes.
      const original = deployment.rollbackOf;
      deployment.production = 0;
      if (original.blue && deployment.service.taskSets.includes(original.blue)) ecs.setPrimaryTaskSet(original.blue);
      if (original.green) ecs.deleteTaskSet(original.green);
      return 'done';
    }
    if (deployment.production < 100) {
      // A shift is over: wait the configuration's interval, then shift the next step.
      if (!deployment.betweenSteps) {
        deployment.betweenSteps = true;
        deployment.waitUntil = now + (ECS_CONFIGS[deployment.configName]!.interval ?? 0) * 60_000;
        return 'waiting';
      }
      deployment.betweenSteps = false;
      deployment.production = this.stepWeight(deployment, deployment.production);
      deployment.waitUntil = now + this.shiftMs;
      this.mark(deployment);
      return 'waiting';
    }
    if (deployment.green) ecs.setPrimaryTaskSet(deployment.green);
    return 'done';
  }

  /** Green's next production weight after `current`. */
  private stepWeight(deployment: CdDeployment, current: number): number {
    const config = ECS_CONFIGS[deployment.configName]!;
    if (config.type === 'AllAtOnce') return 100;
    if (config.type === 'TimeBasedCanary') return current === 0 ? config.percentage! : 100;
    return Math.min(100, current + config.percentage!);
  }

  /** After AfterAllowTraffic: the original task set is kept for terminationWaitTimeInMinutes (Baking), then deleted. */
  private startFinishing(deployment: CdDeployment): void {
    const termination = deployment.group.blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess;
    if (!deployment.rollbackOf) deployment.status = 'Baking';
    if (!deployment.rollbackOf && termination?.action !== 'KEEP_ALIVE') {
      deployment.terminationWaitStarted = true;
      deployment.waitUntil = this.now + (termination?.terminationWaitTimeInMinutes ?? 0) * 60_000;
    } else {
      deployment.waitUntil = this.now;
    }
    this.mark(deployment);
  }

  private finishing(deployment: CdDeployment): void {
    const now = this.now;
    if (now < deployment.waitUntil) return;
    const { ecs } = this;
    if (deployment.terminationWaitStarted && !deployment.originalDeleted && deployment.blue && deployment.service.taskSets.includes(deployment.blue)) {
      ecs.deleteTaskSet(deployment.blue);
      deployment.originalDeleted = true;
      return;
    }
    // Succeeded once the task set that goes has drained.
    const leaving = deployment.rollbackOf ? deployment.rollbackOf.green : deployment.blue;
    if (leaving && deployment.service.taskSets.includes(leaving) && leaving.status === 'DRAINING') return;
    this.end(deployment, 'Succeeded');
  }

  private watchAlarms(deployment: CdDeployment): boolean {
    const config = deployment.group.alarmConfiguration;
    if (!config?.enabled || deployment.rollbackOf || deployment.originalDeleted) return false;
    const triggered = (config.alarms ?? []).map((alarm) => alarm.name ?? '').filter((name) => this.ecs.alarmState(name) === 'ALARM');
    if (!triggered.length) return false;
    this.end(
      deployment,
      'Stopped',
      {
        code: 'ALARM_ACTIVE',
        message: `One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <${triggered.join(', ')}>`,
      },
      this.rollsBackOn(deployment, 'DEPLOYMENT_STOP_ON_ALARM'),
    );
    return true;
  }

  private rollsBackOn(deployment: CdDeployment, event: string): boolean {
    return !deployment.rollbackOf && deployment.autoRollbackConfiguration.enabled === true && (deployment.autoRollbackConfiguration.events ?? []).includes(event as never);
  }

  private end(deployment: CdDeployment, status: 'Succeeded' | 'Failed' | 'Stopped', error?: { code: string; message: string }, rollback = false): void {
    const now = this.now;
    deployment.status = status;
    deployment.completeTime = now;
    deployment.errorInformation = error;
    for (const event of deployment.events) {
      if (event.status === 'InProgress') {
        event.status = status === 'Stopped' ? 'Skipped' : event.status;
        event.endTime = now;
      }
    }
    this.setTarget(deployment, status === 'Succeeded' ? 'Succeeded' : 'Failed');
    if (status === 'Succeeded') deployment.group.lastSuccessful = deployment.rollbackOf ? deployment.group.lastSuccessful : deployment;
    this.mark(deployment);
    // Nothing to roll back to once the original task set is gone.
    if (!rollback || deployment.originalDeleted) return;
    const original = deployment;
    const rollbackDeployment = this.newDeployment(original.group, original.service, original.previous?.revision ?? original.revision, original.previous?.appSpec ?? original.appSpec, {
      creator: 'codeDeployRollback',
      configName: 'CodeDeployDefault.ECSAllAtOnce',
      rollbackOf: original,
    });
    rollbackDeployment.production = original.production;
    rollbackDeployment.test = original.test;
    original.rollbackInfo = {
      rollbackDeploymentId: rollbackDeployment.id,
      rollbackMessage: `Deployment ${original.id} ${status === 'Failed' ? 'failed' : 'was stopped'}; rollback deployment ${rollbackDeployment.id} restores the original task set.`,
    };
    rollbackDeployment.rollbackInfo = { rollbackTriggeringDeploymentId: original.id, rollbackMessage: `Rolls back deployment ${original.id}.` };
    rollbackDeployment.description = `Rollback of deployment ${original.id}`;
    original.group.lastAttempted = rollbackDeployment;
  }

  private setTarget(deployment: CdDeployment, status: TargetStatus): void {
    deployment.targetStatus = status;
    deployment.targetUpdatedAt = this.now;
  }

  private mark(deployment: CdDeployment): void {
    const event = deployment.events[deployment.eventIndex]?.name;
    const last = deployment.timeline.at(-1);
    const entry = { at: this.now, status: deployment.status, event, production: deployment.production, test: deployment.test };
    if (last && last.status === entry.status && last.event === entry.event && last.production === entry.production && last.test === entry.test) return;
    deployment.timeline.push(entry);
  }
}

/** A target group's name from its ARN (`…:targetgroup/<name>/<id>`). */
export function targetGroupName(arn: string | undefined): string | undefined {
  return arn ? /:targetgroup\/([^/]+)\//.exec(arn)?.[1] : undefined;
}

function targetGroupArn(ecs: EcsModel, name: string): string {
  return `arn:aws:elasticloadbalancing:${ecs.region}:${ecs.account}:targetgroup/${name}/${sha256(name).slice(0, 16)}`;
}

/** The AppSpec of a task definition for a service, as the console writes it. */
function appSpecFor(taskDefinitionArn: string, service: SimService): string {
  const balancer = service.loadBalancers[0];
  const properties: Json = { TaskDefinition: taskDefinitionArn };
  if (balancer?.containerName) properties.LoadBalancerInfo = { ContainerName: balancer.containerName, ContainerPort: balancer.containerPort };
  return JSON.stringify({ version: 0.0, Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: properties } }] });
}

/** Reads an ECS AppSpec (YAML or JSON); a malformed one is an InvalidRevisionException naming what is wrong. */
function parseAppSpec(content: string): AppSpec {
  let document: unknown;
  try {
    document = parseYaml(content);
  } catch (error) {
    throw new SimError('InvalidRevisionException', `The AppSpec content is neither YAML nor JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const bad = (message: string): never => {
    throw new SimError('InvalidRevisionException', `The AppSpec content is not valid: ${message}`);
  };
  if (!document || typeof document !== 'object') bad('it is not a mapping');
  const resources = (document as Json).Resources;
  if (!Array.isArray(resources) || resources.length === 0) bad('Resources must list the target service');
  const target = (resources as Json[]).map((resource) => Object.values(resource)[0] as Json | undefined).find((resource) => resource?.Type === 'AWS::ECS::Service');
  if (!target) bad('no resource of Type AWS::ECS::Service');
  const properties = (target!.Properties as Json | undefined) ?? {};
  if (typeof properties.TaskDefinition !== 'string' || !properties.TaskDefinition) bad('Resources[].TargetService.Properties.TaskDefinition is missing');
  const balancer = properties.LoadBalancerInfo as Json | undefined;
  if (balancer !== undefined && (typeof balancer.ContainerName !== 'string' || balancer.ContainerPort === undefined)) bad('LoadBalancerInfo needs ContainerName and ContainerPort');
  const hooks: AppSpec['hooks'] = {};
  const listed = (document as Json).Hooks;
  if (listed !== undefined && !Array.isArray(listed)) bad('Hooks must be a list');
  for (const entry of (listed as Json[] | undefined) ?? []) {
    for (const [event, fn] of Object.entries(entry)) {
      if (!HOOK_EVENTS.includes(event as EcsEvent)) bad(`Hooks: ${event} is not an ECS lifecycle event (${HOOK_EVENTS.join(', ')})`);
      if (typeof fn !== 'string' || !fn) bad(`Hooks: ${event} needs a Lambda function name or ARN`);
      hooks[event as EcsEvent] = fn as string;
    }
  }
  return {
    taskDefinition: properties.TaskDefinition as string,
    containerName: balancer?.ContainerName as string | undefined,
    containerPort: balancer?.ContainerPort === undefined ? undefined : Number(balancer.ContainerPort),
    hooks,
  };
}
