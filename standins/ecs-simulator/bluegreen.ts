/**
 * ECS-native BLUE_GREEN, LINEAR and CANARY service deployments: the lifecycle stages on the simulated
 * clock, the requested traffic weights, Lambda and PAUSE lifecycle hooks, the circuit breaker and
 * CloudWatch alarms watching the green revision, and ECS's own rollback. What follows AWS's
 * documentation and what is the simulator's choice is listed in index.ts.
 */
import { randomUUID } from 'node:crypto';
import { HOOK_FAILURE_REASON, RESTART_DELAY_MS, SCHEDULER_DELAY_MS, SimError, alarmReason, randomId, type Json } from './common.js';
import { HOOK_STAGES, pickHookRule, type LifecycleStage } from './scenarios.js';
import type { EcsModel, LifecycleHookSettings, ServiceDeploymentRecord, ServiceRevisionRecord, SimDeployment, SimService, Strategy, TaskDefinitionRecord } from './model.js';

type Phase = 'pending' | 'forward' | 'rollback-requested' | 'rollback' | 'halted' | 'superseded' | 'done';

interface PlanItem {
  stage: LifecycleStage;
  /** For PRE_PRODUCTION_TRAFFIC_SHIFT and PRODUCTION_TRAFFIC_SHIFT: which traffic step. */
  step?: number;
}

export interface HookExecution {
  hookId: string;
  hook: LifecycleHookSettings;
  targetType: 'AWS_LAMBDA' | 'PAUSE';
  targetArn?: string;
  stage: LifecycleStage;
  status: 'AWAITING_ACTION' | 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  startedAt: number;
  expiresAt: number;
  timeoutAction: 'CONTINUE' | 'ROLLBACK';
  /** Answers received so far (Lambda). */
  invocations: number;
  /** When the invocation under way answers (Lambda). */
  nextAt: number;
  rollingBack: boolean;
}

/** One step of a deployment's history, for `inspect()`. */
export interface StageRecord {
  at: number;
  stage?: LifecycleStage;
  status: string;
  /** Green's requested production and test traffic weights. */
  production: number;
  test: number;
  rollingBack: boolean;
}

export interface BlueGreenRun {
  service: SimService;
  record: ServiceDeploymentRecord;
  strategy: Strategy;
  green: SimDeployment;
  /** The revision serving production when the deployment started. */
  blue: SimDeployment;
  blueRevision: ServiceRevisionRecord;
  /** Other revisions still running when the deployment started, scaled in during RECONCILE_SERVICE. */
  others: SimDeployment[];
  /** The deployment this one replaced while it was still going (STOP_REQUESTED until RECONCILE_SERVICE ends). */
  superseded?: BlueGreenRun;
  phase: Phase;
  plan: PlanItem[];
  index: number;
  stage?: LifecycleStage;
  stageStartedAt: number;
  /** The stage's own work (scaling, shifting, waiting) is over; its hooks run. */
  workDone: boolean;
  /** Between traffic steps: the step bake (LINEAR) or canary bake (CANARY) ends at this time. */
  stepBakeUntil?: number;
  waitUntil: number;
  hooks: HookExecution[];
  failedHooks: HookExecution[];
  /** Green's requested traffic weights. */
  weights: { production: number; test: number };
  stepWeights: number[];
  stepBakeMs: number;
  bakeMs: number;
  hasTestListener: boolean;
  shiftMs: number;
  breakerCount: number;
  /** Green tasks counted healthy (each resets the circuit breaker's count once). */
  healthy: Set<string>;
  rollback?: { plan: LifecycleStage[]; index: number; at: number; reason: string };
  timeline: StageRecord[];
}

/** A stage lasts at most 24 hours; then the deployment fails and rolls back (blue-green-deployment-how-it-works). */
const STAGE_LIMIT_MS = 24 * 3_600_000;
/** An NLB makes each traffic shift about 10 minutes longer (deployment-type-blue-green, "Considerations"). */
const NLB_EXTRA_MS = 600_000;

export class BlueGreenEngine {
  constructor(private readonly model: EcsModel) {}

  private get now(): number {
    return this.model.time;
  }

  // ---- starting ---------------------------------------------------------------------------------

  /** UpdateService on a BLUE_GREEN, LINEAR or CANARY service starts a service deployment of `definition`. */
  start(service: SimService, definition: TaskDefinitionRecord): BlueGreenRun {
    const { model } = this;
    const now = this.now;
    const previous = service.blueGreen;
    let superseded: BlueGreenRun | undefined;
    if (previous && (previous.phase === 'pending' || previous.phase === 'forward' || previous.phase === 'rollback-requested' || previous.phase === 'rollback')) {
      previous.phase = 'superseded';
      previous.record.status = 'STOP_REQUESTED';
      previous.record.statusReason = 'A newer service deployment started.';
      previous.record.updatedAt = now;
      this.mark(previous);
      superseded = previous;
    }
    // Blue is the revision that takes most production traffic; every other one still running is reconciled away.
    let blue: SimDeployment;
    let blueRevision: ServiceRevisionRecord;
    if (previous) {
      const greenServes = previous.weights.production > 50;
      blue = greenServes ? previous.green : previous.blue;
      blueRevision = greenServes ? previous.record.target : previous.blueRevision;
    } else {
      blue = service.deployments.find((deployment) => deployment.status === 'PRIMARY') ?? service.deployments[0]!;
      blueRevision = model.revisionFor(service, blue.taskDefinition);
    }
    // Every other revision the service still has is ACTIVE, whether or not its tasks still run.
    const others = service.deployments.filter((deployment) => deployment !== blue);
    for (const deployment of service.deployments) {
      if (deployment.status === 'PRIMARY') deployment.status = 'ACTIVE';
      deployment.updatedAt = now;
    }
    blue.desiredCount = service.desiredCount;

    const target = model.newRevision(service, definition, now, blueRevision);
    const record: ServiceDeploymentRecord = {
      arn: model.serviceDeploymentArn(service),
      createdAt: now,
      startedAt: now,
      updatedAt: now,
      status: 'PENDING',
      source: [blue, ...others].map((deployment) => ({
        revision: deployment === blue ? blueRevision : (revisionOf(deployment, previous) ?? model.revisionFor(service, deployment.taskDefinition)),
        requested: 0,
        running: 0,
        pending: 0,
        deployment,
      })),
      target,
      circuitBreaker: model.circuitBreakerInfo(service),
      alarms: model.alarmsInfo(service),
      configuration: model.configurationShape(service),
    };
    service.history.unshift(record);
    const green = model.newDeployment(service, definition, now, undefined, { record });
    green.desiredCount = 0;
    record.deployment = green;
    service.deployments = [green, ...service.deployments.filter((deployment) => deployment === blue || others.includes(deployment))];
    service.taskDefinition = definition;

    const strategy = service.strategy;
    const stepWeights = plannedWeights(service);
    const listeners = service.loadBalancers.map((balancer) => balancer.advancedConfiguration);
    const nlb = listeners.some((advanced) => /:listener\/net\//.test(advanced?.productionListenerRule ?? ''));
    const run: BlueGreenRun = {
      service,
      record,
      strategy,
      green,
      blue,
      blueRevision,
      others,
      superseded,
      phase: 'pending',
      plan: [],
      index: -1,
      stageStartedAt: now,
      workDone: false,
      waitUntil: now + SCHEDULER_DELAY_MS,
      hooks: [],
      failedHooks: [],
      weights: { production: 0, test: 0 },
      stepWeights,
      stepBakeMs: strategy === 'LINEAR' ? (service.linearConfiguration?.stepBakeTimeInMinutes ?? 6) * 60_000 : strategy === 'CANARY' ? (service.canaryConfiguration?.canaryBakeTimeInMinutes ?? 10) * 60_000 : 0,
      bakeMs: (service.bakeTimeInMinutes ?? 0) * 60_000,
      hasTestListener: listeners.some((advanced) => advanced?.testListenerRule !== undefined),
      shiftMs: model.trafficShiftMs + (nlb ? NLB_EXTRA_MS : 0),
      breakerCount: 0,
      healthy: new Set(),
      timeline: [],
    };
    run.plan = this.plan(run);
    record.run = run;
    service.blueGreen = run;
    this.mark(run);
    this.scheduleAlarms(run);
    return run;
  }

  private plan(run: BlueGreenRun): PlanItem[] {
    const items: PlanItem[] = [];
    if (run.others.length) items.push({ stage: 'RECONCILE_SERVICE' });
    items.push({ stage: 'PRE_SCALE_UP' }, { stage: 'SCALE_UP' }, { stage: 'POST_SCALE_UP' });
    if (run.hasTestListener) items.push({ stage: 'TEST_TRAFFIC_SHIFT' }, { stage: 'POST_TEST_TRAFFIC_SHIFT' });
    run.stepWeights.forEach((_, step) => items.push({ stage: 'PRE_PRODUCTION_TRAFFIC_SHIFT', step }, { stage: 'PRODUCTION_TRAFFIC_SHIFT', step }));
    items.push({ stage: 'POST_PRODUCTION_TRAFFIC_SHIFT' }, { stage: 'BAKE_TIME' }, { stage: 'CLEAN_UP' });
    return items;
  }

  // ---- every tick -------------------------------------------------------------------------------

  step(run: BlueGreenRun): void {
    const now = this.now;
    if (run.phase === 'done' || run.phase === 'superseded') return;
    this.keepGreen(run);
    this.countHealthy(run);
    if (run.phase === 'pending') {
      if (now < run.waitUntil) return;
      run.phase = 'forward';
      run.record.status = 'IN_PROGRESS';
      run.record.startedAt = now;
      this.enter(run, 0);
      return;
    }
    if (run.phase === 'forward') {
      if (now - run.stageStartedAt > STAGE_LIMIT_MS) return this.fail(run, 'deployment failed: the lifecycle stage did not finish within 24 hours', 'rollback');
      if (this.watchAlarms(run)) return;
      this.forward(run);
      return;
    }
    if (run.phase === 'rollback-requested') {
      if (now >= run.waitUntil) this.beginRollback(run, run.record.statusReason ?? 'Service deployment rolled back.');
      return;
    }
    if (run.phase === 'rollback') this.backward(run);
  }

  /** Green keeps its desired count: failed tasks are replaced, unless the deployment failed. */
  private keepGreen(run: BlueGreenRun): void {
    const { green, service } = run;
    if (green.desiredCount === 0 || green.rolloutState === 'FAILED' || run.phase === 'rollback' || run.phase === 'halted') return;
    const live = this.model.tasksOf(green).filter((task) => task.desiredStatus === 'RUNNING');
    const missing = green.desiredCount - live.length;
    if (missing > 0 && this.now >= green.nextLaunchAt) this.model.launch(service, green, missing);
  }

  /** A green task that ran long enough counts as healthy: it resets the circuit breaker's count (resetOnHealthyTask, default true). */
  private countHealthy(run: BlueGreenRun): void {
    for (const task of this.model.tasksOf(run.green)) {
      if (run.healthy.has(task.taskId) || !this.model.stable(task)) continue;
      run.healthy.add(task.taskId);
      run.green.hadSuccess = true;
      const reset = (run.record.configuration.deploymentCircuitBreaker as { resetOnHealthyTask?: boolean } | undefined)?.resetOnHealthyTask !== false;
      if (reset && run.breakerCount > 0) {
        run.breakerCount = 0;
        run.green.failedTasks = 0;
        run.record.circuitBreaker.failureCount = 0;
        run.record.updatedAt = this.now;
      }
    }
  }

  // ---- moving forward ---------------------------------------------------------------------------

  private enter(run: BlueGreenRun, index: number): void {
    const { model } = this;
    const now = this.now;
    const { service, green, blue } = run;
    const item = run.plan[index]!;
    run.index = index;
    run.stage = item.stage;
    run.stageStartedAt = now;
    run.workDone = false;
    run.stepBakeUntil = undefined;
    run.hooks = [];
    run.waitUntil = now + model.stageMs;
    run.record.updatedAt = now;
    switch (item.stage) {
      case 'RECONCILE_SERVICE':
        for (const other of run.others) {
          other.desiredCount = 0;
          this.stopTasks(service, other, `Scaling activity initiated by (deployment ${green.id})`);
        }
        break;
      case 'SCALE_UP':
        green.desiredCount = service.desiredCount;
        green.nextLaunchAt = now + SCHEDULER_DELAY_MS;
        green.updatedAt = now;
        break;
      case 'TEST_TRAFFIC_SHIFT':
        run.weights.test = 100;
        run.waitUntil = now + run.shiftMs;
        break;
      case 'PRODUCTION_TRAFFIC_SHIFT':
        run.weights.production = run.stepWeights[item.step ?? 0]!;
        if (!run.hasTestListener) run.weights.test = run.weights.production;
        run.waitUntil = now + run.shiftMs;
        break;
      case 'BAKE_TIME':
        run.waitUntil = now + run.bakeMs;
        break;
      case 'CLEAN_UP':
        this.stopMonitoring(run);
        blue.desiredCount = 0;
        blue.updatedAt = now;
        this.stopTasks(service, blue, `Scaling activity initiated by (deployment ${green.id})`);
        break;
      default:
        break;
    }
    this.mark(run);
    this.scheduleAlarms(run, item.stage);
  }

  private forward(run: BlueGreenRun): void {
    const item = run.plan[run.index]!;
    if (!run.workDone) {
      if (!this.workDone(run, item.stage)) return;
      run.workDone = true;
      if (item.stage === 'RECONCILE_SERVICE') {
        run.service.deployments = run.service.deployments.filter((deployment) => !run.others.includes(deployment));
        if (run.superseded) this.finishSuperseded(run.superseded);
      }
      this.startHooks(run, item.stage, false);
    }
    const hooks = this.stepHooks(run);
    if (hooks === 'failed' || hooks === 'waiting') return;
    // LINEAR and CANARY bake between traffic steps (not after reaching 100 percent).
    if (item.stage === 'PRODUCTION_TRAFFIC_SHIFT' && (item.step ?? 0) < run.stepWeights.length - 1 && run.stepBakeMs > 0) {
      run.stepBakeUntil ??= this.now + run.stepBakeMs;
      if (this.now < run.stepBakeUntil) return;
    }
    if (run.index + 1 < run.plan.length) this.enter(run, run.index + 1);
    else this.succeed(run);
  }

  private workDone(run: BlueGreenRun, stage: LifecycleStage): boolean {
    const { model } = this;
    const stopped = (deployment: SimDeployment) => model.tasksOf(deployment).every((task) => task.lastStatus === 'STOPPED');
    switch (stage) {
      case 'RECONCILE_SERVICE':
        return this.now >= run.waitUntil && run.others.every(stopped);
      case 'SCALE_UP': {
        const live = model.tasksOf(run.green).filter((task) => task.desiredStatus === 'RUNNING');
        return live.length === run.green.desiredCount && live.every((task) => model.stable(task));
      }
      case 'CLEAN_UP':
        return stopped(run.blue);
      default:
        return this.now >= run.waitUntil;
    }
  }

  private succeed(run: BlueGreenRun): void {
    const { service, green, record } = run;
    const now = this.now;
    record.status = 'SUCCESSFUL';
    record.finishedAt = now;
    record.updatedAt = now;
    green.status = 'PRIMARY';
    green.rolloutState = 'COMPLETED';
    green.rolloutStateReason = `ECS deployment ${green.id} completed.`;
    green.completedAt = now;
    green.updatedAt = now;
    this.model.settle(record);
    service.deployments = [green];
    service.blueGreen = undefined;
    run.phase = 'done';
    this.mark(run);
    this.model.event(service, `(service ${service.name}) (deployment ${green.id}) deployment completed.`);
    this.model.event(service, `(service ${service.name}) has reached a steady state.`);
  }

  private finishSuperseded(old: BlueGreenRun): void {
    old.record.status = 'STOPPED';
    old.record.finishedAt = this.now;
    old.record.stoppedAt = this.now;
    old.record.updatedAt = this.now;
    this.model.settle(old.record);
    this.mark(old);
  }

  private stopMonitoring(run: BlueGreenRun): void {
    const { record } = run;
    if (record.circuitBreaker.status === 'MONITORING') record.circuitBreaker.status = 'MONITORING_COMPLETE';
    if (record.alarms.status === 'MONITORING') record.alarms.status = 'MONITORING_COMPLETE';
  }

  // ---- failure detection ------------------------------------------------------------------------

  /** The circuit breaker counts green tasks that fail from SCALE_UP until BAKE_TIME ends. */
  onGreenTaskFailed(run: BlueGreenRun): void {
    const { green, record, service } = run;
    green.nextLaunchAt = this.now + RESTART_DELAY_MS;
    if (run.phase !== 'forward' || record.circuitBreaker.status !== 'MONITORING') return;
    run.breakerCount++;
    green.failedTasks = run.breakerCount;
    green.updatedAt = this.now;
    record.circuitBreaker.failureCount = run.breakerCount;
    record.updatedAt = this.now;
    if (run.breakerCount >= 4 && !green.impairedReported) {
      green.impairedReported = true;
      this.model.event(service, `(service ${service.name}) is unable to consistently start tasks successfully.`);
    }
    if (run.breakerCount < record.circuitBreaker.threshold) return;
    record.circuitBreaker.status = 'TRIGGERED';
    this.model.event(service, `(service ${service.name}) (deployment ${green.id}) deployment failed: tasks failed to start.`);
    const rollback = (record.configuration.deploymentCircuitBreaker as { rollback?: boolean } | undefined)?.rollback === true;
    this.fail(run, 'ECS deployment circuit breaker: tasks failed to start.', rollback ? 'rollback' : 'stop');
  }

  /** CloudWatch alarms are watched from the start until BAKE_TIME ends. Returns whether the deployment failed. */
  private watchAlarms(run: BlueGreenRun): boolean {
    const { record, service, green } = run;
    if (record.alarms.status !== 'MONITORING') return false;
    const triggered = (record.alarms.alarmNames ?? []).filter((name) => this.model.alarmState(name) === 'ALARM');
    if (!triggered.length) return false;
    record.alarms = { ...record.alarms, status: 'TRIGGERED', triggeredAlarmNames: triggered };
    this.model.event(service, `(service ${service.name}) (deployment ${green.id}) deployment failed: alarm detected.`);
    const rollback = (record.configuration.alarms as { rollback?: boolean } | undefined)?.rollback === true;
    this.fail(run, alarmReason(triggered), rollback ? 'rollback' : 'stop');
    return true;
  }

  private scheduleAlarms(run: BlueGreenRun, stage?: LifecycleStage): void {
    this.model.scheduleAlarmRules(run.green.taskDefinition, stage);
  }

  /** The deployment failed: ECS rolls back, or (rollback off for the detector that fired) stops it where it is. */
  private fail(run: BlueGreenRun, reason: string, then: 'rollback' | 'stop'): void {
    if (then === 'rollback') return this.beginRollback(run, reason);
    const { record, green } = run;
    const now = this.now;
    record.status = 'STOPPED';
    record.statusReason = reason;
    record.stoppedAt = now;
    record.finishedAt = now;
    record.updatedAt = now;
    green.rolloutState = 'FAILED';
    green.rolloutStateReason = reason;
    green.failedAt = now;
    green.updatedAt = now;
    this.model.settle(record);
    run.phase = 'halted';
    this.mark(run);
  }

  // ---- rolling back -----------------------------------------------------------------------------

  /** StopServiceDeployment (ROLLBACK): ROLLBACK_REQUESTED, then ECS starts rolling back. */
  requestRollback(run: BlueGreenRun, reason: string): void {
    if (run.stage === 'CLEAN_UP') {
      throw new SimError('ConflictException', `The service deployment ${run.record.arn} is in its CLEAN_UP stage: the blue revision is being scaled in and can no longer take traffic back.`);
    }
    run.phase = 'rollback-requested';
    run.waitUntil = this.now + SCHEDULER_DELAY_MS;
    run.record.status = 'ROLLBACK_REQUESTED';
    run.record.statusReason = reason;
    run.record.updatedAt = this.now;
    this.mark(run);
  }

  /**
   * Production (and test) traffic go back to blue — ECS invokes the PRODUCTION_TRAFFIC_SHIFT and
   * TEST_TRAFFIC_SHIFT hooks again with the weights reversed — then green is scaled in.
   */
  private beginRollback(run: BlueGreenRun, reason: string): void {
    const { record, green, blue, service } = run;
    const now = this.now;
    run.phase = 'rollback';
    record.status = 'ROLLBACK_IN_PROGRESS';
    record.statusReason = reason;
    record.updatedAt = now;
    record.rollback = { reason, startedAt: now, serviceRevisionArn: run.blueRevision.arn };
    green.status = 'ACTIVE';
    green.rolloutState = 'FAILED';
    green.rolloutStateReason = reason;
    green.failedAt = now;
    green.updatedAt = now;
    blue.status = 'PRIMARY';
    blue.desiredCount = service.desiredCount;
    blue.nextLaunchAt = now + SCHEDULER_DELAY_MS;
    blue.updatedAt = now;
    service.deployments = [blue, ...service.deployments.filter((deployment) => deployment !== blue)];
    service.taskDefinition = blue.taskDefinition;
    this.model.event(service, `(service ${service.name}) rolling back to deployment ${blue.id}.`);
    const plan: LifecycleStage[] = [];
    if (run.weights.production > 0) plan.push('PRODUCTION_TRAFFIC_SHIFT');
    if (run.hasTestListener && run.weights.test > 0) plan.push('TEST_TRAFFIC_SHIFT');
    plan.push('CLEAN_UP');
    run.rollback = { plan, index: -1, at: now, reason };
    this.enterBackward(run, 0);
  }

  private enterBackward(run: BlueGreenRun, index: number): void {
    const rollback = run.rollback!;
    const stage = rollback.plan[index]!;
    const now = this.now;
    rollback.index = index;
    run.stage = stage;
    run.stageStartedAt = now;
    run.workDone = false;
    run.hooks = [];
    run.waitUntil = now + run.shiftMs;
    if (stage === 'PRODUCTION_TRAFFIC_SHIFT') {
      run.weights.production = 0;
      if (!run.hasTestListener) run.weights.test = 0;
    }
    if (stage === 'TEST_TRAFFIC_SHIFT') run.weights.test = 0;
    if (stage === 'CLEAN_UP') {
      run.green.desiredCount = 0;
      this.stopTasks(run.service, run.green, `Scaling activity initiated by (deployment ${run.blue.id})`);
    }
    run.record.updatedAt = now;
    this.mark(run);
  }

  private backward(run: BlueGreenRun): void {
    const rollback = run.rollback!;
    // Blue takes production back at its full count (it only lacks tasks if the failure came during CLEAN_UP).
    const blueLive = this.model.tasksOf(run.blue).filter((task) => task.desiredStatus === 'RUNNING');
    if (blueLive.length < run.blue.desiredCount && this.now >= run.blue.nextLaunchAt) this.model.launch(run.service, run.blue, run.blue.desiredCount - blueLive.length);
    const stage = rollback.plan[rollback.index]!;
    if (!run.workDone) {
      const done = stage === 'CLEAN_UP' ? this.model.tasksOf(run.green).every((task) => task.lastStatus === 'STOPPED') : this.now >= run.waitUntil;
      if (!done) return;
      run.workDone = true;
      if (stage !== 'CLEAN_UP') this.startHooks(run, stage, true);
    }
    const hooks = this.stepHooks(run);
    if (hooks !== 'done') return;
    if (rollback.index + 1 < rollback.plan.length) return this.enterBackward(run, rollback.index + 1);
    const { record, service, blue } = run;
    record.status = 'ROLLBACK_SUCCESSFUL';
    record.finishedAt = this.now;
    record.updatedAt = this.now;
    this.stopMonitoring(run);
    this.model.settle(record);
    service.deployments = [blue];
    service.blueGreen = undefined;
    run.phase = 'done';
    this.mark(run);
    this.model.event(service, `(service ${service.name}) has reached a steady state.`);
  }

  // ---- lifecycle hooks --------------------------------------------------------------------------

  private startHooks(run: BlueGreenRun, stage: LifecycleStage, rollingBack: boolean): void {
    if (!HOOK_STAGES.includes(stage)) return;
    const hooks = (run.record.configuration.lifecycleHooks as LifecycleHookSettings[] | undefined) ?? [];
    const now = this.now;
    for (const hook of hooks.filter((candidate) => candidate.lifecycleStages?.includes(stage))) {
      const targetType = hook.targetType ?? 'AWS_LAMBDA';
      // A PAUSE hook waits for ContinueServiceDeployment; while rolling back ECS invokes the Lambda hooks only.
      if (targetType === 'PAUSE' && rollingBack) continue;
      run.hooks.push({
        hookId: `${targetType === 'PAUSE' ? 'ecs-pause' : 'ecs-lambda'}-${randomId(43)}`,
        hook,
        targetType,
        targetArn: targetType === 'AWS_LAMBDA' ? hook.hookTargetArn : undefined,
        stage,
        status: targetType === 'PAUSE' ? 'AWAITING_ACTION' : 'IN_PROGRESS',
        startedAt: now,
        expiresAt: now + (hook.timeoutConfiguration?.timeoutInMinutes ?? 1440) * 60_000,
        timeoutAction: hook.timeoutConfiguration?.action ?? 'ROLLBACK',
        invocations: 0,
        nextAt: now + this.invocationMs(run, hook, stage, rollingBack),
        rollingBack,
      });
    }
    if (run.hooks.length) run.record.updatedAt = now;
  }

  private invocationMs(run: BlueGreenRun, hook: LifecycleHookSettings, stage: LifecycleStage, rollingBack: boolean): number {
    return (pickHookRule(this.model.hookRules, hook.hookTargetArn ?? '', stage, rollingBack)?.durationSeconds ?? 2) * 1000;
  }

  /** Moves the stage's hooks on. `done` when every one succeeded (or timed out with CONTINUE). */
  private stepHooks(run: BlueGreenRun): 'done' | 'waiting' | 'failed' {
    const now = this.now;
    for (const execution of run.hooks) {
      if (execution.status !== 'IN_PROGRESS' && execution.status !== 'AWAITING_ACTION') continue;
      if (now >= execution.expiresAt) {
        execution.status = 'TIMED_OUT';
        run.record.updatedAt = now;
        if (execution.timeoutAction === 'ROLLBACK') {
          run.failedHooks.push(execution);
          this.hookFailed(run);
          return 'failed';
        }
        continue;
      }
      if (execution.targetType !== 'AWS_LAMBDA' || now < execution.nextAt) continue;
      const answer = this.invoke(run, execution);
      if (answer === 'IN_PROGRESS') continue;
      execution.status = answer;
      run.record.updatedAt = now;
      if (answer === 'FAILED') {
        run.failedHooks.push(execution);
        this.hookFailed(run);
        return 'failed';
      }
    }
    return run.hooks.every((execution) => execution.status === 'SUCCEEDED' || (execution.status === 'TIMED_OUT' && execution.timeoutAction === 'CONTINUE')) ? 'done' : 'waiting';
  }

  /** One invocation of a Lambda hook with the payload of lambda-lifecycle-hooks.html; its answer comes from the hook rules. */
  private invoke(run: BlueGreenRun, execution: HookExecution): 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS' {
    const targetArn = execution.targetArn ?? '';
    const rule = pickHookRule(this.model.hookRules, targetArn, execution.stage, execution.rollingBack);
    execution.invocations++;
    const answer = !rule ? 'SUCCEEDED' : execution.invocations <= (rule.inProgress ?? 0) ? 'IN_PROGRESS' : rule.result;
    const weighted = ['TEST_TRAFFIC_SHIFT', 'PRE_PRODUCTION_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'].includes(execution.stage);
    const split = (green: number) => ({ [run.record.target.arn]: green, [run.blueRevision.arn]: 100 - green });
    const payload: Json = {
      executionId: randomUUID(),
      lifecycleStage: execution.stage,
      resourceArn: run.record.arn,
      executionDetails: {
        serviceArn: run.service.arn,
        targetServiceRevisionArn: run.record.target.arn,
        testTrafficWeights: weighted ? split(run.weights.test) : {},
        productionTrafficWeights: weighted ? split(run.weights.production) : {},
      },
    };
    if (execution.hook.hookDetails !== undefined) payload.hookDetails = execution.hook.hookDetails;
    this.model.hookInvocations.push({ at: this.now, hookId: execution.hookId, targetArn, stage: execution.stage, payload, hookStatus: answer });
    if (answer === 'IN_PROGRESS') execution.nextAt = this.now + (rule?.callBackDelaySeconds ?? 30) * 1000 + this.invocationMs(run, execution.hook, execution.stage, execution.rollingBack);
    return answer;
  }

  /** A failed or timed-out hook rolls the deployment back; one failing while rolling back fails the rollback. */
  private hookFailed(run: BlueGreenRun): void {
    if (run.phase === 'rollback') {
      const now = this.now;
      run.record.status = 'ROLLBACK_FAILED';
      run.record.finishedAt = now;
      run.record.updatedAt = now;
      this.model.settle(run.record);
      run.phase = 'halted';
      this.mark(run);
      return;
    }
    this.beginRollback(run, HOOK_FAILURE_REASON);
  }

  /** ContinueServiceDeployment: a PAUSE hook awaiting action continues the deployment, or rolls it back. */
  continueDeployment(run: BlueGreenRun, hookId: string, action: 'CONTINUE' | 'ROLLBACK'): void {
    const execution = run.hooks.find((candidate) => candidate.hookId === hookId);
    if (!execution || execution.targetType !== 'PAUSE') throw new SimError('InvalidParameterException', `The service deployment ${run.record.arn} has no PAUSE hook ${hookId} in its current stage.`);
    if (execution.status !== 'AWAITING_ACTION') throw new SimError('InvalidParameterException', `The hook ${hookId} is ${execution.status}, not AWAITING_ACTION.`);
    execution.status = 'SUCCEEDED';
    run.record.updatedAt = this.now;
    if (action === 'ROLLBACK') this.beginRollback(run, 'Service deployment rolled back because of a ContinueServiceDeployment request.');
  }

  // ---- helpers ----------------------------------------------------------------------------------

  private stopTasks(service: SimService, deployment: SimDeployment, reason: string): void {
    const stopping = this.model.tasksOf(deployment).filter((task) => task.desiredStatus === 'RUNNING');
    for (const task of stopping) this.model.beginStop(task, { stopCode: 'ServiceSchedulerInitiated', reason, failure: false, drainMs: this.model.drainMs(task), exitCode: 0 });
    if (stopping.length) this.model.event(service, `(service ${service.name}) has stopped ${stopping.length} running tasks: ${stopping.map((task) => `(task ${task.taskId})`).join(' ')}.`);
  }

  /** The hook executions DescribeServiceDeployments shows: the current stage's, and any that failed. */
  hookDetails(run: BlueGreenRun): HookExecution[] {
    return [...run.failedHooks, ...run.hooks.filter((execution) => !run.failedHooks.includes(execution))];
  }

  private mark(run: BlueGreenRun): void {
    const last = run.timeline.at(-1);
    const entry: StageRecord = { at: this.now, stage: run.stage, status: run.record.status, production: run.weights.production, test: run.weights.test, rollingBack: run.rollback !== undefined };
    if (last && last.stage === entry.stage && last.status === entry.status && last.production === entry.production && last.test === entry.test) return;
    run.timeline.push(entry);
  }
}

/** The production weights green is given, step by step (API_LinearConfiguration, API_CanaryConfiguration). */
function plannedWeights(service: SimService): number[] {
  const round = (value: number) => Math.round(value * 10) / 10;
  if (service.strategy === 'CANARY') {
    const canary = service.canaryConfiguration?.canaryPercent ?? 5;
    return canary >= 100 ? [100] : [canary, 100];
  }
  if (service.strategy === 'LINEAR') {
    const step = service.linearConfiguration?.stepPercent ?? 10;
    const weights: number[] = [];
    for (let weight = step; weight < 100 - 1e-9; weight = round(weight + step)) weights.push(round(weight));
    return [...weights, 100];
  }
  return [100];
}

function revisionOf(deployment: SimDeployment, previous: BlueGreenRun | undefined): ServiceRevisionRecord | undefined {
  if (!previous) return undefined;
  if (deployment === previous.green) return previous.record.target;
  if (deployment === previous.blue) return previous.blueRevision;
  return undefined;
}
