/**
 * Rollouts of services CodeDeploy deploys (deployment controller CODE_DEPLOY): a deployment made from
 * an AppSpec of the new revision, watched through GetDeployment and its ECS target (lifecycle event,
 * traffic on the replacement task set) together with the replacement's failed tasks, judged by
 * judgeCodeDeploy, and stopped with CodeDeploy's own rollback. Loaded only when such a service is
 * deployed, so the CodeDeploy client weighs nothing otherwise.
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, type ECSClient, type Service, type TaskDefinition } from '@aws-sdk/client-ecs';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import * as core from '../core.js';
import { createClient, type AwsSession } from '../aws/client.js';
import { transientReason } from '../aws/errors.js';
import { CODEDEPLOY_FINISHED, appSpec, createDeployment, findDeploymentGroup, stopWithRollback, viewDeployment, type CodeDeployGroup, type CodeDeployView } from '../codedeploy/deployment.js';
import { formatDuration, sleep as defaultSleep } from '../time.js';
import { collectLogs, recentEvents, type FailureReport } from './evidence.js';
import { FailedTasks, stopReason } from './failed-tasks.js';
import { failureHint, judgeAwsError, judgeCodeDeploy } from './judge.js';
import type { ServiceRun } from './result.js';
import type { BakeWait } from './types.js';
import type { Target } from './targets.js';

export interface CodeDeployContext {
  ecs: ECSClient;
  codeDeploy: CodeDeployClient;
  region: string;
  logsFor(region: string): CloudWatchLogsClient;
  pollIntervalMs: number;
  failedTasksThreshold: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function codeDeployClient(session: AwsSession): CodeDeployClient {
  return createClient(CodeDeployClient, session);
}

/** Creates the deployment of `taskDefinitionArn` for the run's service; returns its id. */
export async function startCodeDeployment(context: CodeDeployContext, run: ServiceRun, taskDefinitionArn: string, description: string): Promise<string> {
  const { target, service } = run.plan;
  const group = run.plan.codeDeployGroup ?? (await findCodeDeployGroup(context.codeDeploy, run.plan));
  const id = await createDeployment(context.codeDeploy, group, appSpec(service, taskDefinitionArn, target.codeDeploy.hooks ?? {}), description);
  core.info(`${target.name}: CodeDeploy deployment ${id} of ${group.application}/${group.deploymentGroup} (found ${group.foundBy}).`);
  return id;
}

export interface CodeDeployWatch {
  label: string;
  deploymentId: string;
  /** Following CodeDeploy's rollback deployment. */
  rollingBack?: boolean;
  bakeWait: BakeWait;
  timeoutMs: number;
  cluster: string;
  service: string;
  container: string;
  definition?: TaskDefinition;
  hooks: Partial<Record<string, string>>;
  blueTaskDefinitionArn: string;
  onStage?(stage: string): void;
}

export type CodeDeployWatchResult = { ok: true; note?: string } | { ok: false; failure: FailureReport };

const PROGRESS_EVERY_MS = 30_000;

/** Polls the deployment until the judge decides, printing each lifecycle event and traffic split as it is reached. */
export async function watchCodeDeployment(context: CodeDeployContext, request: CodeDeployWatch): Promise<CodeDeployWatchResult> {
  const now = context.now ?? Date.now;
  const sleep = context.sleep ?? defaultSleep;
  const started = now();
  let failed: FailedTasks | undefined;
  let lastKey = '';
  let lastStage = '';
  let lastProgressAt = 0;
  let bakingSince: number | undefined;
  for (;;) {
    const pollStarted = now();
    const final = pollStarted >= started + request.timeoutMs;
    let view: CodeDeployView;
    try {
      view = await viewDeployment(context.codeDeploy, request.deploymentId);
    } catch (error) {
      const transient = transientReason(error);
      if (!transient || final) {
        const failure = judgeAwsError(error);
        return { ok: false, failure: { cause: failure.cause, summary: failure.summary, stopped: failed?.records ?? [], events: [], hint: failure.hint } };
      }
      core.info(`[${request.label}] GetDeployment: ${transient}; trying again next poll.`);
      await sleep(context.pollIntervalMs);
      continue;
    }
    const out: string[] = [];
    if (view.green?.taskSet && !request.rollingBack) failed ??= new FailedTasks(context.ecs, request.cluster, view.green.taskSet);
    if (failed) {
      try {
        for (const { task, verdict } of await failed.read()) {
          out.push(`[${request.label}] task ${verdict.taskId} failed (${verdict.kind}${verdict.exitCode !== undefined ? `, exit code ${verdict.exitCode}` : ''}): ${stopReason(task, verdict)}`);
        }
      } catch (error) {
        // Failed tasks are read again next poll; anything but a passing refusal ends the watch with the error.
        const transient = transientReason(error);
        if (!transient) {
          const failure = judgeAwsError(error);
          return { ok: false, failure: { cause: failure.cause, summary: failure.summary, stopped: failed.records, events: [], hint: failure.hint } };
        }
        out.push(`[${request.label}] reading stopped tasks: ${transient}; trying again next poll.`);
      }
    }
    const traffic = view.production !== undefined ? ` ${view.production}%` : '';
    const stage = view.event ? `${request.rollingBack ? 'rolling back: ' : ''}${view.event}${traffic}` : '';
    const key = `${view.status}|${stage}`;
    if (key !== lastKey) {
      lastKey = key;
      out.push(`[${request.label}] CodeDeploy ${view.status}${view.event ? `: ${view.event}` : ''}${view.production !== undefined ? `, production ${view.production}% on the replacement task set` : ''}`);
      if (stage && stage !== lastStage) request.onStage?.(stage);
      lastStage = stage || lastStage;
    } else if (now() - lastProgressAt >= PROGRESS_EVERY_MS && view.green) {
      out.push(`[${request.label}] ${view.status}: replacement task set ${view.green.running}/${view.green.desired} running${view.green.pending ? `, ${view.green.pending} pending` : ''} (${formatDuration(now() - started)})`);
      lastProgressAt = now();
    }
    if (view.status === 'Baking') bakingSince ??= now();
    const verdict = judgeCodeDeploy({
      id: view.id,
      status: view.status,
      event: view.event,
      failedEvent: view.failedEvent,
      error: view.error,
      rollbackDeploymentId: view.rollbackDeploymentId,
      rollingBack: request.rollingBack,
      failedTasks: failed?.records.length ?? 0,
      threshold: request.rollingBack ? 0 : context.failedTasksThreshold,
      bakeWait: request.bakeWait,
      bakedMs: bakingSince === undefined ? undefined : now() - bakingSince,
      hooks: request.hooks,
      blueTaskDefinitionArn: request.blueTaskDefinitionArn,
      deadline: final ? { timeoutMs: request.timeoutMs } : undefined,
    });
    if (out.length) core.info(out.join('\n'));
    if (verdict.state === 'completed') return { ok: true, note: verdict.note };
    if (verdict.state === 'failed') {
      const stopped = failed?.records ?? [];
      const { logs, note } = await collectLogs(stopped, request.definition, request.container, context.region, context.logsFor);
      const events = await context.ecs
        .send(new DescribeServicesCommand({ cluster: request.cluster, services: [request.service] }))
        .then((answer) => recentEvents(answer.services?.[0]?.events, new Date(started)))
        .catch(() => []);
      return {
        ok: false,
        failure: {
          cause: verdict.cause,
          summary: verdict.summary,
          stopped,
          logs,
          logsNote: note,
          events,
          hint: failureHint(verdict.cause, stopped, { logsShown: logs !== undefined }),
          ecsRollback: verdict.ecsRollback,
          ended: verdict.ended,
        },
      };
    }
    const wait = context.pollIntervalMs - (now() - pollStarted);
    if (wait > 0) await sleep(wait);
  }
}

/**
 * Stops a deployment with CodeDeploy's rollback and returns the rollback deployment's id once
 * CodeDeploy names it; undefined when it rolls nothing back (the deployment had already ended).
 */
export async function stopCodeDeployment(context: CodeDeployContext, deploymentId: string, timeoutMs: number): Promise<string | undefined> {
  const now = context.now ?? Date.now;
  const sleep = context.sleep ?? defaultSleep;
  try {
    await stopWithRollback(context.codeDeploy, deploymentId);
  } catch (error) {
    core.info(`StopDeployment of ${deploymentId} did not stop it: ${(error as Error).message}`);
  }
  const deadline = now() + timeoutMs;
  let endedPolls = 0;
  while (now() < deadline) {
    const view = await viewDeployment(context.codeDeploy, deploymentId);
    if (view.rollbackDeploymentId) return view.rollbackDeploymentId;
    if (CODEDEPLOY_FINISHED.has(view.status) && ++endedPolls >= 3) return undefined;
    await sleep(Math.min(context.pollIntervalMs, 2000));
  }
  return undefined;
}

/** The deployment group that deploys the service, checked before anything changes (its AppSpec too). */
export async function findCodeDeployGroup(codeDeploy: CodeDeployClient, run: { service: Service; target: Target }): Promise<CodeDeployGroup> {
  appSpec(run.service, 'validation', run.target.codeDeploy.hooks ?? {});
  return findDeploymentGroup(codeDeploy, run.service, run.target.codeDeploy);
}
