/**
 * One watcher for every rollout of a call. It observes and the judge (judge.ts) decides: each poll
 * makes one DescribeServices per cluster per ten services, prints new service events and a progress
 * line per service, reads the tasks ECS is stopping or has stopped (a failed task counts at the first
 * poll that shows it, long before Fargate reports it STOPPED), keeps ECS's first word that it cannot
 * place tasks, and hands these facts and the deadline to the judge, settling each deployment as soon
 * as it completes or fails. No SDK waiter: they ignore rolloutState and back off for minutes.
 */
import * as core from '../core.js';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, type Deployment, type ECSClient, type Service, type TaskDefinition } from '@aws-sdk/client-ecs';
import { describeAwsError, isAccessDenied, transientReason } from '../aws/errors.js';
import { DESCRIBE_SERVICES_BATCH } from '../ecs/services.js';
import { describeTaskDefinition } from '../ecs/task-definitions.js';
import { formatDuration, sleep as defaultSleep, clock } from '../time.js';
import { collectLogs, recentEvents, type FailureReport } from './evidence.js';
import { failureHint, hookText, judgeAwsError, judgeNoAnswer, judgeRollout, PLACEMENT_FAILURE, progressText, serviceMissing, type Failure } from './judge.js';
import { FailedTasks, stillStopping, stopReason } from './failed-tasks.js';
import { DESCRIBE_DEPLOYMENTS_BATCH, describeServiceDeployments, stageLine, trafficText, type DeploymentView } from './service-deployments.js';
import type { BakeWait } from './types.js';

export interface WatchRequest {
  /** Prefix of every log line, e.g. `api` or `api rollback`. */
  label: string;
  cluster: string;
  service: string;
  deploymentId: string;
  taskDefinitionArn: string;
  /** For the log stream of failed tasks; read when needed if not given. */
  definition?: TaskDefinition;
  /** The container whose output is the evidence when ECS does not say which one failed. */
  container: string;
  /** A rollback (ours, or the one ECS's circuit breaker started): messages call its tasks the rollback's. */
  rollback?: boolean;
  timeoutMs: number;
  /** Service event ids already printed; shared by the watches of one service. */
  seenEvents: Set<string>;
  /** Blue/green, linear and canary: the service deployment that decides, and how it is watched. */
  serviceDeployment?: ServiceDeploymentWatch;
}

export interface ServiceDeploymentWatch {
  arn: string;
  bakeWait: BakeWait;
  /** Following ECS's rollback of this deployment rather than the deployment itself. */
  rollingBack?: boolean;
  /** The revision serving production when the deployment started. */
  blue: { deploymentId?: string; taskDefinitionArn?: string };
  /** Called with each stage reached (`PRODUCTION_TRAFFIC_SHIFT 10%`). */
  onStage?(stage: string): void;
}

/** `note`: success declared before ECS's own end (bake time not watched through). */
export type WatchResult = { ok: true; deployment: Deployment; service: Service; note?: string } | { ok: false; failure: FailureReport; service?: Service };

export interface WatcherOptions {
  ecs: ECSClient;
  region: string;
  logsFor(region: string): CloudWatchLogsClient;
  pollIntervalMs: number;
  failedTasksThreshold: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface ActiveWatch {
  request: WatchRequest;
  startedAt: number;
  deadline: number;
  polls: number;
  ecsFailedTasks: number;
  failed: FailedTasks;
  placement?: string;
  lastProgress?: string;
  lastProgressAt: number;
  /** The service deployment as last seen, and what the watcher keeps of its history. */
  view?: DeploymentView;
  stageKey?: string;
  lastStage?: string;
  lastForwardStage?: string;
  bakeSince?: number;
  hookStages: Map<string, string>;
  reportedHooks: Set<string>;
  resolve(result: WatchResult): void;
}

const PROGRESS_EVERY_MS = 30_000;

export class RolloutWatcher {
  private readonly active = new Set<ActiveWatch>();
  private running: Promise<void> | undefined;
  private tasksReadable = true;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** DescribeServices calls and polls made, for the log's closing line. */
  readonly stats = { polls: 0, describeCalls: 0, describeDeploymentCalls: 0 };

  constructor(private readonly options: WatcherOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
  }

  watch(request: WatchRequest): Promise<WatchResult> {
    return new Promise((resolve) => {
      const startedAt = this.now();
      const failed = new FailedTasks(this.options.ecs, request.cluster, request.deploymentId);
      this.active.add({ request, startedAt, deadline: startedAt + request.timeoutMs, polls: 0, ecsFailedTasks: 0, failed, lastProgressAt: 0, hookStages: new Map(), reportedHooks: new Set(), resolve });
      this.running ??= this.loop();
    });
  }

  private async loop(): Promise<void> {
    try {
      // Watches requested in the same turn share the first poll.
      await Promise.resolve();
      while (this.active.size) {
        const started = this.now();
        await this.poll();
        const wait = this.options.pollIntervalMs - (this.now() - started);
        if (this.active.size && wait > 0) await this.sleep(wait);
      }
    } catch (error) {
      // Never leave a watch waiting: an unexpected error ends every watch with it.
      for (const watch of [...this.active]) this.settle(watch, { ok: false, failure: this.awsFailure(watch, error) });
    } finally {
      // Cleared in the same turn as the last check, so a watch added later starts a new loop.
      this.running = undefined;
    }
  }

  private async poll(): Promise<void> {
    this.stats.polls++;
    const byCluster = new Map<string, ActiveWatch[]>();
    for (const watch of this.active) byCluster.set(watch.request.cluster, [...(byCluster.get(watch.request.cluster) ?? []), watch]);
    const batches: { cluster: string; names: string[]; watches: ActiveWatch[] }[] = [];
    for (const [cluster, watches] of byCluster) {
      const names = [...new Set(watches.map((watch) => watch.request.service))];
      for (let start = 0; start < names.length; start += DESCRIBE_SERVICES_BATCH) {
        const batch = names.slice(start, start + DESCRIBE_SERVICES_BATCH);
        batches.push({ cluster, names: batch, watches: watches.filter((watch) => batch.includes(watch.request.service)) });
      }
    }
    // Both reads go out together; each service is judged once both have answered.
    const views = this.readServiceDeployments();
    await Promise.all(batches.map((batch) => this.pollBatch(batch.cluster, batch.names, batch.watches, views)));
  }

  /** One DescribeServiceDeployments per twenty watched service deployments; a poll without an answer keeps the last view out of the verdict. */
  private async readServiceDeployments(): Promise<void> {
    const watches = [...this.active].filter((watch) => watch.request.serviceDeployment);
    if (!watches.length) return;
    for (const watch of watches) watch.view = undefined;
    try {
      const arns = watches.map((watch) => watch.request.serviceDeployment!.arn);
      this.stats.describeDeploymentCalls += Math.ceil(new Set(arns).size / DESCRIBE_DEPLOYMENTS_BATCH);
      const views = await describeServiceDeployments(this.options.ecs, arns);
      for (const watch of watches) watch.view = views.get(watch.request.serviceDeployment!.arn);
    } catch (error) {
      const transient = transientReason(error);
      if (transient) {
        core.info(`DescribeServiceDeployments: ${transient}; judging this poll without it.`);
        return;
      }
      for (const watch of watches) this.settle(watch, { ok: false, failure: this.awsFailure(watch, error) });
    }
  }

  private async pollBatch(cluster: string, names: string[], watches: ActiveWatch[], views: Promise<void>): Promise<void> {
    let services: Service[];
    try {
      this.stats.describeCalls++;
      services = (await this.options.ecs.send(new DescribeServicesCommand({ cluster, services: names }))).services ?? [];
    } catch (error) {
      const transient = transientReason(error);
      if (transient) {
        core.info(`DescribeServices for ${names.join(', ')} in ${cluster}: ${transient}; skipping this poll.`);
        for (const watch of watches) {
          const failure = judgeNoAnswer(transient, { now: this.now(), deadline: watch.deadline, pollIntervalMs: this.options.pollIntervalMs });
          if (failure) this.settle(watch, { ok: false, failure: this.bare(watch, failure) });
        }
        return;
      }
      for (const watch of watches) this.settle(watch, { ok: false, failure: this.awsFailure(watch, error) });
      return;
    }
    await views;
    await Promise.all(
      watches.map(async (watch) => {
        if (!this.active.has(watch)) return;
        const service = services.find((candidate) => candidate.serviceName === watch.request.service);
        if (!service) {
          this.settle(watch, { ok: false, failure: this.bare(watch, serviceMissing(watch.request.service, cluster)) });
          return;
        }
        try {
          await this.evaluate(watch, service);
        } catch (error) {
          this.settle(watch, { ok: false, failure: this.awsFailure(watch, error), service });
        }
      }),
    );
  }

  private async evaluate(watch: ActiveWatch, service: Service): Promise<void> {
    const { request } = watch;
    const out: string[] = [];
    watch.polls++;
    const final = this.now() >= watch.deadline;
    this.newEvents(watch, service, out);
    const ours = service.deployments?.find((deployment) => deployment.id === request.deploymentId);
    const ecsCount = ours?.failedTasks ?? 0;
    const suspicious = !ours || ours.status !== 'PRIMARY' || ours.rolloutState === 'FAILED';
    // Counting failures ourselves needs every poll (ECS counts a task only once it has STOPPED); otherwise the tasks are evidence only.
    const counting = this.options.failedTasksThreshold > 0;
    if (counting || ecsCount > watch.ecsFailedTasks || watch.polls % 2 === 0 || final || suspicious) await this.readFailed(watch, out);
    watch.ecsFailedTasks = Math.max(watch.ecsFailedTasks, ecsCount);

    if (watch.view) this.stages(watch, watch.view, service, out);

    const sd = request.serviceDeployment;
    const verdict = judgeRollout({
      service,
      deploymentId: request.deploymentId,
      taskDefinitionArn: request.taskDefinitionArn,
      failedTasks: watch.failed.records.length,
      threshold: this.options.failedTasksThreshold,
      subject: subject(request),
      deadline: final ? { timeoutMs: request.timeoutMs, placement: watch.placement } : undefined,
      serviceDeployment: sd && {
        arn: sd.arn,
        view: watch.view,
        rollingBack: sd.rollingBack,
        bakeWait: sd.bakeWait,
        bakedMs: watch.bakeSince === undefined ? undefined : this.now() - watch.bakeSince,
        lastForwardStage: watch.lastForwardStage,
        hookStages: watch.hookStages,
        blue: sd.blue,
      },
    });
    if (verdict.state === 'in-progress' || (verdict.state === 'failed' && verdict.atDeadline)) this.progress(watch, service, verdict.deployment!, out);
    flush(out);

    if (verdict.state === 'completed') this.settle(watch, { ok: true, deployment: verdict.deployment, service, note: verdict.note });
    else if (verdict.state === 'failed') this.settle(watch, { ok: false, failure: await this.report(watch, service, verdict), service });
  }

  /** A line per stage (or traffic split) reached, each failed hook named once, and bake time's start. */
  private stages(watch: ActiveWatch, view: DeploymentView, service: Service, out: string[]): void {
    const { request } = watch;
    const rollingBack = view.status.startsWith('ROLLBACK');
    // A hook seen while ECS moves forward ran at that stage; one first seen during the rollback may have failed earlier.
    if (!rollingBack && view.stage) for (const hook of view.hooks) if (!watch.hookStages.has(hook.id)) watch.hookStages.set(hook.id, view.stage);
    const prefix = rollingBack ? 'rolling back: ' : '';
    const stage = view.stage && `${prefix}${view.stage}${view.production !== undefined ? ` ${Math.round(view.production * 10) / 10}%` : ''}`;
    const key = `${view.status}|${stage}|${view.test}`;
    if (key !== watch.stageKey) {
      watch.stageKey = key;
      out.push(`[${request.label}] ${prefix}${stageLine(view)}${view.status !== 'IN_PROGRESS' ? ` · ${view.status}` : ''}`);
      if (stage && stage !== watch.lastStage) request.serviceDeployment?.onStage?.(stage);
      watch.lastStage = stage ?? watch.lastStage;
    }
    if (!rollingBack && view.stage) {
      watch.lastForwardStage = view.stage;
      if (view.stage === 'BAKE_TIME') watch.bakeSince ??= this.now();
    }
    for (const hook of view.hooks) {
      if ((hook.status === 'FAILED' || hook.status === 'TIMED_OUT') && !watch.reportedHooks.has(hook.id)) {
        watch.reportedHooks.add(hook.id);
        out.push(`[${request.label}] lifecycle hook ${hookText(hook, watch.hookStages, service)}`);
      }
    }
  }

  private newEvents(watch: ActiveWatch, service: Service, out: string[]): void {
    const fresh = (service.events ?? []).filter((event) => event.id && !watch.request.seenEvents.has(event.id)).reverse();
    for (const event of fresh) {
      watch.request.seenEvents.add(event.id!);
      out.push(`[${watch.request.label}] ${clock(event.createdAt)} ${event.message}`);
      if (event.message && PLACEMENT_FAILURE.test(event.message) && !watch.placement) {
        watch.placement = event.message;
        core.warning(`${watch.request.label}: ECS cannot place tasks of ${subject(watch.request)}: ${event.message}`);
      }
    }
  }

  private async readFailed(watch: ActiveWatch, out: string[]): Promise<void> {
    if (!this.tasksReadable) return;
    try {
      for (const { task, verdict } of await watch.failed.read()) {
        const code = verdict.exitCode !== undefined ? `, exit code ${verdict.exitCode}` : '';
        const state = stillStopping(task);
        out.push(`[${watch.request.label}] task ${verdict.taskId} failed (${verdict.kind}${code}): ${stopReason(task, verdict)}${state ? ` (not stopped yet: ${state})` : ''}`);
      }
    } catch (error) {
      const transient = transientReason(error);
      if (transient) {
        out.push(`[${watch.request.label}] reading stopped tasks: ${transient}; trying again next poll.`);
      } else if (isAccessDenied(error)) {
        this.tasksReadable = false;
        core.warning(`Stopped tasks cannot be read (${describeAwsError(error as Error).hint}); failed tasks are judged by ECS's rollout state and the deadline only.`);
      } else {
        throw error;
      }
    }
  }

  private progress(watch: ActiveWatch, service: Service, ours: Deployment, out: string[]): void {
    const text = watch.view ? this.stageProgress(watch, watch.view) : progressText(service, ours);
    const now = this.now();
    if (text === watch.lastProgress && now - watch.lastProgressAt < PROGRESS_EVERY_MS) return;
    watch.lastProgress = text;
    watch.lastProgressAt = now;
    out.push(`[${watch.request.label}] ${text} (${formatDuration(now - watch.startedAt)})`);
  }

  /** `BAKE_TIME: new revision 2/2 running, production 100% on it · bake time 3m 20s left`. */
  private stageProgress(watch: ActiveWatch, view: DeploymentView): string {
    const parts = [`${view.stage ?? view.status}: new revision ${view.tasks.running}/${view.tasks.requested} running${view.tasks.pending ? `, ${view.tasks.pending} pending` : ''}`];
    const traffic = trafficText(view);
    if (traffic) parts.push(traffic);
    if (view.stage === 'BAKE_TIME' && view.bakeMinutes !== undefined && watch.bakeSince !== undefined) {
      // Whole minutes, so that the line changes (and is printed) at most once a minute.
      const left = Math.ceil(Math.max(0, view.bakeMinutes * 60_000 - (this.now() - watch.bakeSince)) / 60_000);
      parts.push(`bake time: about ${left} of ${view.bakeMinutes} min left`);
    }
    return parts.join(' · ');
  }

  private async report(watch: ActiveWatch, service: Service, verdict: Failure): Promise<FailureReport> {
    const { request } = watch;
    const definition =
      request.definition ??
      (await describeTaskDefinition(this.options.ecs, request.taskDefinitionArn)
        .then((loaded) => loaded.taskDefinition)
        .catch(() => undefined));
    const failed = watch.failed.records;
    const { logs, note } = await collectLogs(failed, definition, request.container, this.options.region, this.options.logsFor);
    return {
      cause: verdict.cause,
      summary: verdict.summary,
      stopped: failed,
      logs,
      logsNote: note,
      events: recentEvents(service.events, verdict.deployment?.createdAt),
      hint: failureHint(verdict.cause, failed, { logsShown: logs !== undefined }),
      ecsRollback: verdict.ecsRollback,
      ended: verdict.ended,
    };
  }

  /** A failure decided without a fresh look at the service: its failed tasks so far, no events or logs. */
  private bare(watch: ActiveWatch, { cause, summary }: Failure): FailureReport {
    return { cause, summary, stopped: watch.failed.records, events: [], hint: failureHint(cause, watch.failed.records, { logsShown: false }) };
  }

  private awsFailure(watch: ActiveWatch, error: unknown): FailureReport {
    const failure = judgeAwsError(error);
    return { ...this.bare(watch, failure), hint: failure.hint };
  }

  private settle(watch: ActiveWatch, result: WatchResult): void {
    if (!this.active.delete(watch)) return;
    watch.resolve(result);
  }
}

function subject(request: WatchRequest): string {
  return request.rollback ? 'the rollback deployment' : 'the new deployment';
}

function flush(lines: string[]): void {
  if (lines.length) core.info(lines.join('\n'));
}
