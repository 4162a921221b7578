/**
 * Every verdict on a rollout, in one place: the watcher (watch.ts) observes (service deployments,
 * failed tasks, placement events, AWS errors, the deadline) and asks here; deploy (index.ts) asks
 * here about the health check and whether a failure is rolled back. Success needs our deployment
 * COMPLETED (or, where ECS reports no rollout state, alone and at its desired count) with the
 * service on our task definition: a circuit-breaker rollback is never a success.
 */
import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import { describeAwsError, isAwsError } from '../aws/errors.js';
import { errorMessage } from '../errors.js';
import { shortTaskDefinition } from '../ecs/arn.js';
import { EXITED_WITHOUT_LOGS_HINT, STOPPED_FROM_OUTSIDE, explainStoppedTask, type StopKind, type StopVerdict } from '../ecs/stopped-tasks.js';
import { formatDuration } from '../time.js';
import type { HealthResult } from './health.js';
import { ROLLING_BACK, stageLine, type DeploymentView, type HookView } from './service-deployments.js';
import type { BakeWait } from './types.js';

// ---- What can fail, and what to do about it ----

export type FailureCause = 'circuit-breaker' | 'rollout-failed' | 'replaced' | 'tasks-failed' | 'alarm' | 'hook-failed' | 'health-check' | 'timed-out' | 'no-capacity' | 'aws-error';

/** `note`: a completed verdict given before ECS's own end (bake time not waited through). */
export type Verdict = { state: 'in-progress'; deployment: Deployment } | { state: 'completed'; deployment: Deployment; note?: string } | Failure;

export interface Failure {
  state: 'failed';
  cause: FailureCause;
  summary: string;
  deployment?: Deployment;
  /**
   * The deployment ECS started to roll back to, when its circuit breaker did; for blue/green, linear
   * and canary also the service deployment ECS is rolling back (followed to ROLLBACK_SUCCESSFUL).
   */
  ecsRollback?: { deploymentId: string; taskDefinitionArn: string; serviceDeploymentArn?: string };
  /** The rollout was still in progress when its deadline passed. */
  atDeadline?: boolean;
  /** ECS ended the service deployment without rolling back: only a new deployment puts blue back. */
  ended?: boolean;
}

const HINTS: Record<FailureCause, string> = {
  'circuit-breaker': 'ECS stopped the rollout after repeated task failures; the failed tasks above say why.',
  'rollout-failed': 'ECS marked the rollout FAILED; the failed tasks and service events above say why.',
  replaced: 'Another deployment of this service started while this one ran (another workflow run, or a change in the console). Give deploys a concurrency group in the workflow so they never overlap.',
  'tasks-failed': 'Its tasks keep failing; the failed tasks above say why.',
  alarm: "A CloudWatch alarm that watches the deployment went into ALARM: look at the alarm's metric (errors, latency) for the new revision and the application logs around the time it fired.",
  'hook-failed': "A lifecycle hook failed or timed out: read the hook's Lambda logs (CloudWatch Logs group /aws/lambda/<function>), or answer a PAUSE hook with ContinueServiceDeployment before it expires.",
  'health-check': 'The service reached a steady state but its health URL did not answer 2xx in time; check the URL, the load balancer and the application logs.',
  'timed-out': 'The rollout did not finish in time. Check the service events above; if the service is only slow (long load-balancer deregistration delay, slow start-up), raise "wait-timeout".',
  'no-capacity': 'ECS could not place the new tasks: add capacity (capacity provider or Auto Scaling group), make sure the task CPU and memory fit an instance, or for Fargate try other subnets or Availability Zones.',
  'aws-error': 'The rollout may still be running in ECS: check the service in the console before deploying again.',
};

/** What to do, from the latest failed task's verdict when the tasks are what failed. `logsShown`: whether the report carries log lines. */
export function failureHint(cause: FailureCause, failedTasks: { verdict: StopVerdict }[], { logsShown }: { logsShown: boolean }): string {
  const latest = failedTasks.at(-1)?.verdict;
  if (!(cause === 'tasks-failed' || cause === 'circuit-breaker' || cause === 'rollout-failed') || !latest?.hint) return HINTS[cause];
  return latest.kind === 'exited' && latest.exitCode !== 0 && !logsShown ? EXITED_WITHOUT_LOGS_HINT : latest.hint;
}

/** Why a failure is not rolled back by this step, when it is not: someone else is in charge, or AWS cannot be trusted to answer. */
export function noRollbackReason(cause: FailureCause): string | undefined {
  if (cause === 'replaced') return 'not rolled back, the newer deployment is in charge';
  if (cause === 'aws-error') return 'not rolled back, AWS could not be reached reliably';
  return undefined;
}

// ---- The deployment, from one DescribeServices answer ----

export interface RolloutFacts {
  service: Service;
  deploymentId: string;
  taskDefinitionArn: string;
  /** Tasks of our deployment that failed (counted by the watcher, stopped or still stopping). */
  failedTasks: number;
  /** 0: never fail on the count alone. */
  threshold: number;
  /** What the deployment is, in messages: "the new deployment" (the default) or "the rollback deployment". */
  subject?: string;
  /** Set once the deadline has passed: a rollout still in progress then fails. */
  deadline?: { timeoutMs: number; placement?: string };
  /** Blue/green, linear and canary deployments: what DescribeServiceDeployments says. */
  serviceDeployment?: ServiceDeploymentFacts;
}

interface ServiceDeploymentFacts {
  arn: string;
  /** Undefined when DescribeServiceDeployments gave no answer this poll. */
  view?: DeploymentView;
  /** Watching ECS roll the deployment back (on its own, or at our StopServiceDeployment): success is ROLLBACK_SUCCESSFUL. */
  rollingBack?: boolean;
  bakeWait: BakeWait;
  /** How long the watcher has seen the deployment in BAKE_TIME. */
  bakedMs?: number;
  /** The last stage seen before a rollback started, and the stage each hook was first seen at. */
  lastForwardStage?: string;
  hookStages: ReadonlyMap<string, string>;
  /** The revision serving production before the deployment (blue), for the rollback. */
  blue: { deploymentId?: string; taskDefinitionArn?: string };
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && shortTaskDefinition(a) === shortTaskDefinition(b);

/**
 * The verdict on one deployment: the rules below in order, the first that decides wins. A new
 * stage of a rollout adds its rule here.
 */
export function judgeRollout(facts: RolloutFacts): Verdict {
  const deployments = facts.service.deployments ?? [];
  const ours = deployments.find((deployment) => deployment.id === facts.deploymentId);
  if (facts.serviceDeployment) return judgeServiceDeployment(facts, facts.serviceDeployment, ours);
  if (!ours) return gone(facts);
  return ecsFailed(facts, ours) ?? notPrimary(facts, ours) ?? completed(facts, ours) ?? tooManyFailedTasks(facts, ours) ?? pastDeadline(facts, ours) ?? { state: 'in-progress', deployment: ours };
}

function otherPrimary({ service, deploymentId }: RolloutFacts): { other?: Deployment; otherText: string } {
  const primary = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const other = primary && primary.id !== deploymentId ? primary : undefined;
  return { other, otherText: other ? `${other.id} (${shortTaskDefinition(other.taskDefinition ?? '?')})` : 'another deployment' };
}

function gone(facts: RolloutFacts): Failure {
  return { state: 'failed', cause: 'replaced', summary: `deployment ${facts.deploymentId} is gone: ${otherPrimary(facts).otherText} replaced it before it finished` };
}

function ecsFailed(facts: RolloutFacts, ours: Deployment): Failure | undefined {
  if (ours.rolloutState !== 'FAILED') return undefined;
  const reason = ours.rolloutStateReason ?? 'no reason given';
  const { other } = otherPrimary(facts);
  if (other && !same(other.taskDefinition, facts.taskDefinitionArn)) {
    return {
      state: 'failed',
      cause: 'circuit-breaker',
      summary: `ECS failed the deployment (${reason}) and is rolling back to ${shortTaskDefinition(other.taskDefinition ?? '?')}`,
      deployment: ours,
      ecsRollback: { deploymentId: other.id!, taskDefinitionArn: other.taskDefinition! },
    };
  }
  return { state: 'failed', cause: 'rollout-failed', summary: `ECS failed the deployment: ${reason}`, deployment: ours };
}

function notPrimary(facts: RolloutFacts, ours: Deployment): Failure | undefined {
  if (ours.status === 'PRIMARY') return undefined;
  return { state: 'failed', cause: 'replaced', summary: `${otherPrimary(facts).otherText} replaced deployment ${facts.deploymentId} before it finished`, deployment: ours };
}

function completed({ service, taskDefinitionArn }: RolloutFacts, ours: Deployment): Verdict | undefined {
  const onOurs = same(service.taskDefinition, taskDefinitionArn);
  if (ours.rolloutState === 'COMPLETED' && onOurs) return { state: 'completed', deployment: ours };
  const alone = (service.deployments ?? []).length === 1;
  if (ours.rolloutState === undefined && onOurs && alone && ours.runningCount === ours.desiredCount && (ours.pendingCount ?? 0) === 0) {
    return { state: 'completed', deployment: ours };
  }
  return undefined;
}

function tooManyFailedTasks({ failedTasks, threshold, subject = 'the new deployment' }: RolloutFacts, ours: Deployment): Failure | undefined {
  if (!(threshold > 0 && failedTasks >= threshold)) return undefined;
  return { state: 'failed', cause: 'tasks-failed', summary: `${failedTasks} task${failedTasks === 1 ? '' : 's'} of ${subject} failed`, deployment: ours };
}

/** At the deadline: no task could be placed (with ECS's word for it), or the rollout is just not done. */
function pastDeadline({ service, deadline, subject = 'the new deployment' }: RolloutFacts, ours: Deployment): Failure | undefined {
  if (!deadline) return undefined;
  const within = formatDuration(deadline.timeoutMs);
  if ((ours.runningCount ?? 0) === 0 && deadline.placement) {
    return { state: 'failed', cause: 'no-capacity', summary: `ECS could not place any task of ${subject} in ${within}: ${deadline.placement}`, deployment: ours, atDeadline: true };
  }
  return { state: 'failed', cause: 'timed-out', summary: `the deployment did not finish within ${within} (${progressText(service, ours)})`, deployment: ours, atDeadline: true };
}

// ---- Blue/green, linear and canary: the service deployment decides ----

/**
 * ECS's service deployment is the authority for these strategies: SUCCESSFUL is success (or bake time
 * reached, when told not to wait it out); a rollback, or a stop with its detector's rollback off, is
 * a failure named by what triggered it (hook, alarm, circuit breaker); a newer deployment replaces
 * it. Failed green tasks and the deadline are judged as for rolling updates. DescribeServices'
 * deployments only locate the green revision's tasks: blue is PRIMARY again while ECS rolls back.
 */
function judgeServiceDeployment(facts: RolloutFacts, sd: ServiceDeploymentFacts, ours: Deployment | undefined): Verdict {
  const primary = facts.service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const shown = ours ?? primary;
  const view = sd.view;
  if (!shown) return gone(facts);
  if (sd.rollingBack) {
    if (view?.status === 'ROLLBACK_SUCCESSFUL') return { state: 'completed', deployment: primary ?? shown };
    if (view && (view.status === 'ROLLBACK_FAILED' || view.status === 'STOPPED' || view.status === 'SUCCESSFUL')) {
      return { state: 'failed', cause: 'rollout-failed', summary: `ECS's rollback ended ${view.status}${view.statusReason ? `: ${view.statusReason}` : ''}`, deployment: shown };
    }
    return tooManyFailedTasks(facts, shown) ?? pastDeadline(facts, shown) ?? { state: 'in-progress', deployment: shown };
  }
  if (view?.status === 'SUCCESSFUL') return { state: 'completed', deployment: shown };
  const failed = view && serviceDeploymentFailed(facts, sd, view, shown, primary);
  if (failed) return failed;
  const early = view && bakeWaitOver(sd, view);
  if (early) return { state: 'completed', deployment: shown, note: early };
  return tooManyFailedTasks(facts, shown) ?? pastDeadline(facts, shown) ?? { state: 'in-progress', deployment: shown };
}

/**
 * `<target> failed at POST_TEST_TRAFFIC_SHIFT`: the stage the watcher saw the hook run at, else the
 * stages the service configures the target for (ECS lists a failed hook without its stage).
 */
export function hookText(hook: HookView, seenAt: ReadonlyMap<string, string>, service: Service): string {
  const configured = (service.deploymentConfiguration?.lifecycleHooks ?? []).filter((entry) => (entry.hookTargetArn ?? 'PAUSE') === hook.target || entry.targetType === hook.target).flatMap((entry) => entry.lifecycleStages ?? []);
  const stage = seenAt.get(hook.id) ?? (configured.length ? configured.join(' or ') : 'an unknown stage');
  return `${hook.target} ${hook.status === 'FAILED' ? 'failed' : 'timed out'} at ${stage}`;
}

const AFTER_PRODUCTION_SHIFT = new Set(['BAKE_TIME', 'CLEAN_UP']);

function bakeWaitOver(sd: ServiceDeploymentFacts, view: DeploymentView): string | undefined {
  if (!view.stage || !AFTER_PRODUCTION_SHIFT.has(view.stage) || ROLLING_BACK.has(view.status) || sd.bakeWait.kind === 'full') return undefined;
  if (sd.bakeWait.kind === 'none') return 'production traffic is on the new revision; bake time not watched (bake-wait: none), so an alarm that fires now still makes ECS roll back';
  if (view.stage === 'CLEAN_UP' || (sd.bakedMs ?? 0) >= sd.bakeWait.ms) return `watched ${sd.bakeWait.text} of bake time (bake-wait: ${sd.bakeWait.text}); ECS finishes the rest on its own`;
  return undefined;
}

function serviceDeploymentFailed(facts: RolloutFacts, sd: ServiceDeploymentFacts, view: DeploymentView, shown: Deployment, primary: Deployment | undefined): Failure | undefined {
  const rollingBack = ROLLING_BACK.has(view.status) || view.status === 'ROLLBACK_SUCCESSFUL' || view.status === 'ROLLBACK_FAILED';
  if (!rollingBack && view.status !== 'STOPPED' && view.status !== 'STOP_REQUESTED') return undefined;
  const hooks = view.hooks.filter((hook) => hook.status === 'FAILED' || hook.status === 'TIMED_OUT');
  const alarms = view.alarms?.status === 'TRIGGERED' ? view.alarms.triggered : [];
  const breaker = view.circuitBreaker?.status === 'TRIGGERED';
  const newer = facts.service.currentServiceDeployment && facts.service.currentServiceDeployment !== sd.arn;
  if (!hooks.length && !alarms.length && !breaker && (view.status === 'STOP_REQUESTED' || (newer && !rollingBack))) {
    return { state: 'failed', cause: 'replaced', summary: `a newer service deployment (${facts.service.currentServiceDeployment ?? 'another one'}) replaced ${sd.arn} before it finished`, deployment: shown };
  }
  const during = sd.lastForwardStage ? ` during ${sd.lastForwardStage}${AFTER_PRODUCTION_SHIFT.has(sd.lastForwardStage) ? ', after production traffic had moved to the new revision' : ''}` : '';
  let cause: FailureCause;
  let summary: string;
  if (hooks.length) {
    cause = 'hook-failed';
    summary = `lifecycle hook ${hooks.map((hook) => hookText(hook, sd.hookStages, facts.service)).join('; ')}`;
  } else if (alarms.length) {
    cause = 'alarm';
    summary = `CloudWatch alarm${alarms.length === 1 ? '' : 's'} ${alarms.join(', ')} went into ALARM${during}`;
  } else if (breaker) {
    const count = view.circuitBreaker?.failureCount;
    cause = 'circuit-breaker';
    summary = `ECS's circuit breaker tripped${count ? ` after ${count} failed task${count === 1 ? '' : 's'}` : ''}${during}`;
  } else {
    cause = 'rollout-failed';
    summary = `ECS ${rollingBack ? 'is rolling back' : 'stopped'} the deployment${during}`;
  }
  if (view.statusReason && !summary.includes(view.statusReason)) summary += ` (${view.statusReason})`;
  if (!rollingBack) {
    return { state: 'failed', cause, summary: `${summary}; ECS stopped it where it was without rolling back (that detector's rollback is off): ${stageLine(view)}`, deployment: shown, ended: true };
  }
  const blueArn = primary && primary.id !== facts.deploymentId ? primary.taskDefinition : sd.blue.taskDefinitionArn;
  const blueId = primary && primary.id !== facts.deploymentId ? primary.id : sd.blue.deploymentId;
  return {
    state: 'failed',
    cause,
    summary: `${summary}; ECS is rolling back to ${shortTaskDefinition(blueArn ?? '?')}`,
    deployment: shown,
    ecsRollback: { deploymentId: blueId ?? facts.deploymentId, taskDefinitionArn: blueArn ?? '', serviceDeploymentArn: sd.arn },
  };
}

// ---- CodeDeploy: its deployment decides ----

/** The facts of one poll of a CodeDeploy deployment (SDK-free: the view is read in codedeploy-rollout.ts). */
export interface CodeDeployFacts {
  id: string;
  status: string;
  event?: string;
  failedEvent?: { name: string; message?: string };
  error?: { code?: string; message?: string };
  rollbackDeploymentId?: string;
  /** Watching CodeDeploy's rollback deployment: success is its Succeeded. */
  rollingBack?: boolean;
  failedTasks: number;
  threshold: number;
  bakeWait: BakeWait;
  /** How long the watcher has seen the deployment Baking (the original task set kept after traffic moved). */
  bakedMs?: number;
  /** The AppSpec's hook functions by lifecycle event. */
  hooks: Partial<Record<string, string>>;
  /** The task definition of the original task set, which a rollback puts back. */
  blueTaskDefinitionArn: string;
  deadline?: { timeoutMs: number };
}

export type CodeDeployVerdict = { state: 'in-progress' } | { state: 'completed'; note?: string } | Failure;

const CODEDEPLOY_HOOK_EVENTS = new Set(['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic']);

/** Succeeded is success (or Baking reached, when told not to wait bake time out); Failed or Stopped is a failure named by its cause; then our own count and the deadline. */
export function judgeCodeDeploy(facts: CodeDeployFacts): CodeDeployVerdict {
  const subject = facts.rollingBack ? 'the rollback deployment' : 'the new deployment';
  if (facts.status === 'Succeeded') return { state: 'completed' };
  if (facts.status === 'Failed' || facts.status === 'Stopped') {
    const error = facts.error ? ` (${[facts.error.code, facts.error.message].filter(Boolean).join(': ')})` : '';
    if (facts.rollingBack) return { state: 'failed', cause: 'rollout-failed', summary: `CodeDeploy's rollback deployment ${facts.id} ended ${facts.status}${error}` };
    const hook = facts.failedEvent && CODEDEPLOY_HOOK_EVENTS.has(facts.failedEvent.name) ? facts.failedEvent : undefined;
    let cause: FailureCause = 'rollout-failed';
    let summary = `CodeDeploy deployment ${facts.id} ${facts.status === 'Failed' ? 'failed' : 'was stopped'}${facts.event ? ` at ${facts.event}` : ''}${error}`;
    if (hook) {
      cause = 'hook-failed';
      summary = `lifecycle hook ${facts.hooks[hook.name] ?? 'function'} failed at ${hook.name}${hook.message ? `: ${hook.message}` : ''}; CodeDeploy deployment ${facts.id} failed${error}`;
    } else if (facts.error?.code === 'ALARM_ACTIVE') {
      cause = 'alarm';
    } else if (facts.error?.code === 'TIMEOUT') {
      cause = 'timed-out';
    }
    const rollback = facts.rollbackDeploymentId;
    return {
      state: 'failed',
      cause,
      summary: `${summary}; ${rollback ? `CodeDeploy is rolling back to ${shortTaskDefinition(facts.blueTaskDefinitionArn)} (deployment ${rollback})` : 'CodeDeploy did not roll back (automatic rollback is off for this event)'}`,
      ecsRollback: rollback ? { deploymentId: rollback, taskDefinitionArn: facts.blueTaskDefinitionArn, serviceDeploymentArn: rollback } : undefined,
      ended: !rollback,
    };
  }
  if (!facts.rollingBack && facts.status === 'Baking' && facts.bakeWait.kind !== 'full') {
    if (facts.bakeWait.kind === 'none') return { state: 'completed', note: 'production traffic is on the replacement task set; bake time not watched (bake-wait: none), CodeDeploy keeps the original task set until its wait ends' };
    if ((facts.bakedMs ?? 0) >= facts.bakeWait.ms) return { state: 'completed', note: `watched ${facts.bakeWait.text} of bake time (bake-wait: ${facts.bakeWait.text}); CodeDeploy finishes the rest on its own` };
  }
  if (facts.threshold > 0 && facts.failedTasks >= facts.threshold) {
    return { state: 'failed', cause: 'tasks-failed', summary: `${facts.failedTasks} task${facts.failedTasks === 1 ? '' : 's'} of ${subject} failed` };
  }
  if (facts.deadline) {
    return {
      state: 'failed',
      cause: 'timed-out',
      summary: `CodeDeploy deployment ${facts.id} did not finish within ${formatDuration(facts.deadline.timeoutMs)} (${facts.status}${facts.event ? ` at ${facts.event}` : ''})`,
      atDeadline: true,
    };
  }
  return { state: 'in-progress' };
}

/** `shop-api:13: 1/2 running, 1 pending · rollout IN_PROGRESS · older deployments: 2 running`. */
export function progressText(service: Service, ours: Deployment): string {
  const parts = [`${shortTaskDefinition(ours.taskDefinition ?? '?')}: ${ours.runningCount ?? 0}/${ours.desiredCount ?? 0} running`];
  if (ours.pendingCount) parts.push(`${ours.pendingCount} pending`);
  if (ours.failedTasks) parts.push(`${ours.failedTasks} failed`);
  const older = (service.deployments ?? []).filter((deployment) => deployment.id !== ours.id);
  const olderRunning = older.reduce((sum, deployment) => sum + (deployment.runningCount ?? 0), 0);
  return `${parts.join(', ')} · rollout ${ours.rolloutState ?? 'state not reported'}${older.length ? ` · older deployments: ${olderRunning} running` : ''}`;
}

/** ECS's words when it cannot place a task (no capacity, no instance that fits, limits): the watcher keeps the first such event. */
export const PLACEMENT_FAILURE = /unable to place a task|no container instance met|Capacity is unavailable|insufficient (?:memory|CPU)|reached the limit/i;

// ---- When ECS does not answer as expected ----

/** The service itself is gone from its cluster. */
export function serviceMissing(service: string, cluster: string): Failure {
  return { state: 'failed', cause: 'replaced', summary: `ECS service ${service} no longer exists in ${cluster}` };
}

/** Polls after the deadline that may be lost to throttling before the watch gives up anyway. */
const GRACE_POLLS = 3;

/** A poll that got no answer (throttling, a network error): a failure only once the deadline and a few more polls have passed. */
export function judgeNoAnswer(transient: string, { now, deadline, pollIntervalMs }: { now: number; deadline: number; pollIntervalMs: number }): Failure | undefined {
  if (now < deadline + GRACE_POLLS * pollIntervalMs) return undefined;
  return { state: 'failed', cause: 'timed-out', summary: `no answer from ECS at the deadline (${transient})` };
}

/** Any other error while watching: the rollout's state is unknown. The hint says what AWS said to do, then to look before deploying again. */
export function judgeAwsError(error: unknown): Failure & { hint: string } {
  const described = isAwsError(error) ? describeAwsError(error) : { message: errorMessage(error), hint: '' };
  return { state: 'failed', cause: 'aws-error', summary: `watching the rollout failed: ${described.message}`, hint: [described.hint, HINTS['aws-error']].filter(Boolean).join('\n') };
}

// ---- The service's own health URL, once ECS calls the rollout complete ----

export function judgeHealth(health: HealthResult): Failure | undefined {
  return health.ok ? undefined : { state: 'failed', cause: 'health-check', summary: `the health check failed: ${health.detail}` };
}

// ---- Which stopped tasks count against a deployment ----

const COUNTED = new Set<StopKind>(['exited', 'out-of-memory', 'image-pull', 'secrets', 'network', 'log-config', 'init-failure', 'health-check', 'start-failure']);

/**
 * The verdict on a service task ECS is stopping or has stopped. An essential container that exits,
 * even with 0, is a failure for a service (its tasks are meant to keep running); one that exits
 * because a user or the scheduler stopped the task (a scale-in, a replacement) is not, unless the
 * reason is a failed health check.
 */
export function judgeStoppedServiceTask(task: Task): StopVerdict {
  const verdict = explainStoppedTask(task);
  if (verdict.kind === 'succeeded' && task.stopCode === 'EssentialContainerExited') {
    return { ...verdict, kind: 'exited', failed: true, hint: 'The essential container exited although a service task must keep running; check its command and entry point.' };
  }
  if ((verdict.kind === 'exited' || verdict.kind === 'succeeded') && STOPPED_FROM_OUTSIDE.has(task.stopCode ?? '')) {
    return { ...verdict, kind: 'stopped', failed: false, hint: undefined };
  }
  return verdict;
}

/** Whether the stop counts against the deployment (not a scale-in, a user's stop or a replacement). */
export function countsAsFailure(verdict: StopVerdict): boolean {
  return verdict.failed && COUNTED.has(verdict.kind);
}
