/** What a failed rollout leaves behind, put together for a person: why, the failed tasks, their last log lines, the service events. */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ServiceEvent, TaskDefinition } from '@aws-sdk/client-ecs';
import { describeAwsError, isAccessDenied, isAwsError } from '../aws/errors.js';
import { errorMessage } from '../errors.js';
import { findLogStream, lastLogLines, taskIdOf } from '../ecs/logs.js';
import { EXITED_WITHOUT_LOGS_HINT } from '../ecs/stopped-tasks.js';
import type { FailureCause } from './judge.js';
import { stillStopping, stopReason, type StoppedRecord } from './stopped.js';

export interface LogEvidence {
  taskId: string;
  container: string;
  where: string;
  lines: string[];
}

export interface FailureReport {
  cause: FailureCause;
  /** One line: what went wrong. */
  summary: string;
  /** Failed tasks of the deployment (stopped, or still stopping), oldest first. */
  stopped: StoppedRecord[];
  logs?: LogEvidence;
  /** Why there are no log lines, when there are none. */
  logsNote?: string;
  /** The latest service events since the deployment started, oldest first. */
  events: ServiceEvent[];
  hint: string;
  ecsRollback?: { deploymentId: string; taskDefinitionArn: string };
}

export const LOG_LINES = 20;
const EVENTS_SHOWN = 5;
const TASKS_SHOWN = 3;

const HINTS: Record<FailureCause, string> = {
  'circuit-breaker': 'ECS stopped the rollout after repeated task failures; the failed tasks above say why.',
  'rollout-failed': 'ECS marked the rollout FAILED; the failed tasks and service events above say why.',
  replaced:
    'Another deployment of this service started while this one ran (another workflow run, or a change in the console). Give deploys a concurrency group in the workflow so they never overlap.',
  'tasks-failed': 'Its tasks keep failing; the failed tasks above say why.',
  'health-check': 'The service reached a steady state but its health URL did not answer 2xx in time; check the URL, the load balancer and the application logs.',
  'timed-out':
    'The rollout did not finish in time. Check the service events above; if the service is only slow (long load-balancer deregistration delay, slow start-up), raise "wait-timeout".',
  'no-capacity':
    'ECS could not place the new tasks: add capacity (capacity provider or Auto Scaling group), make sure the task CPU and memory fit an instance, or for Fargate try other subnets or Availability Zones.',
  'aws-error': 'The rollout may still be running in ECS: check the service in the console before deploying again.',
};

/** What to do, from the latest failed task's verdict when the tasks are what failed. `logsShown`: whether the report carries log lines. */
export function defaultHint(cause: FailureCause, stopped: StoppedRecord[], { logsShown }: { logsShown: boolean }): string {
  const latest = stopped.at(-1)?.verdict;
  if (!(cause === 'tasks-failed' || cause === 'circuit-breaker' || cause === 'rollout-failed') || !latest?.hint) return HINTS[cause];
  return latest.kind === 'exited' && latest.exitCode !== 0 && !logsShown ? EXITED_WITHOUT_LOGS_HINT : latest.hint;
}

/** The last lines of the most recent failed task whose container actually ran. */
export async function collectLogs(
  stopped: StoppedRecord[],
  definition: TaskDefinition | undefined,
  fallbackContainer: string,
  region: string,
  logsFor: (region: string) => CloudWatchLogsClient,
): Promise<{ logs?: LogEvidence; note?: string }> {
  const ran = [...stopped]
    .reverse()
    .find(({ task, verdict }) => verdict.exitCode !== undefined || task.startedAt !== undefined || task.containers?.some((container) => container.exitCode != null || container.runtimeId));
  if (!ran) return { note: stopped.length ? 'no failed task got as far as running its container, so there is no output to show' : undefined };
  if (!definition) return { note: 'the task definition could not be read to find its log stream' };
  const container = ran.verdict.container ?? fallbackContainer;
  const lookup = findLogStream(definition, container, ran.task.taskArn!, region);
  if (!lookup.location) return { note: lookup.why };
  const where = `${lookup.location.group} ${lookup.location.stream}`;
  try {
    const lines = await lastLogLines(logsFor(lookup.location.region), lookup.location, LOG_LINES);
    if (!lines.length) return { note: `the log stream ${where} is empty or does not exist` };
    return { logs: { taskId: taskIdOf(ran.task.taskArn!), container, where, lines } };
  } catch (error) {
    if (isAccessDenied(error)) return { note: `reading ${where} was denied: allow "logs:GetLogEvents" to see the task's last lines here` };
    return { note: `reading ${where} failed: ${isAwsError(error) ? describeAwsError(error).message : errorMessage(error)}` };
  }
}

export function recentEvents(events: ServiceEvent[] | undefined, since: Date | undefined): ServiceEvent[] {
  return (events ?? [])
    .filter((event) => !since || (event.createdAt && event.createdAt.getTime() >= since.getTime() - 1000))
    .slice(0, EVENTS_SHOWN)
    .reverse();
}

export function clock(date: Date | undefined): string {
  return date ? date.toISOString().slice(11, 19) : '--:--:--';
}

/** The evidence as indented lines (no title line). */
export function formatEvidence(report: FailureReport): string[] {
  const lines: string[] = [];
  if (report.stopped.length) {
    lines.push(`Failed tasks (${report.stopped.length}${report.stopped.length > TASKS_SHOWN ? `, latest ${TASKS_SHOWN}` : ''}):`);
    for (const { task, verdict, failedAt } of report.stopped.slice(-TASKS_SHOWN)) {
      const code = verdict.exitCode !== undefined ? `exit code ${verdict.exitCode}` : 'no exit code';
      const state = stillStopping(task);
      const when = state ? clock(new Date(failedAt)) : clock(task.stoppedAt);
      lines.push(`  ${when} task ${verdict.taskId}${verdict.container ? ` (${verdict.container})` : ''}: ${verdict.kind}, ${code}: ${stopReason(task, verdict)}${state ? ` (not stopped yet: ${state})` : ''}`);
    }
  }
  if (report.logs) {
    lines.push(`Last log lines of task ${report.logs.taskId} (${report.logs.container}), ${report.logs.where}:`);
    for (const line of report.logs.lines) lines.push(`  | ${line}`);
  } else if (report.logsNote) {
    lines.push(`No log lines: ${report.logsNote}.`);
  }
  if (report.events.length) {
    lines.push('Latest service events:');
    for (const event of report.events) lines.push(`  ${clock(event.createdAt)} ${event.message}`);
  }
  return lines;
}
