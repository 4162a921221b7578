/** What a failed rollout leaves behind, put together for a person: why, the failed tasks, their last log lines, the service events. */
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ServiceEvent, TaskDefinition } from '@aws-sdk/client-ecs';
import { describeAwsError, isAccessDenied, isAwsError } from '../aws/errors.js';
import { errorMessage } from '../errors.js';
import { findLogStream, lastLogLines } from '../ecs/logs.js';
import { clock } from '../time.js';
import type { Failure, FailureCause } from './judge.js';
import { stillStopping, stopReason, type FailedTask } from './failed-tasks.js';
import { taskIdOf } from '../ecs/arn.js';

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
  stopped: FailedTask[];
  logs?: LogEvidence;
  /** Why there are no log lines, when there are none. */
  logsNote?: string;
  /** The latest service events since the deployment started, oldest first. */
  events: ServiceEvent[];
  hint: string;
  ecsRollback?: Failure['ecsRollback'];
  ended?: boolean;
}

const LOG_LINES = 20;
const EVENTS_SHOWN = 5;
const TASKS_SHOWN = 3;

/** The last lines of the most recent failed task whose container actually ran. */
export async function collectLogs(
  stopped: FailedTask[],
  definition: TaskDefinition | undefined,
  fallbackContainer: string,
  region: string,
  logsFor: (region: string) => CloudWatchLogsClient,
): Promise<{ logs?: LogEvidence; note?: string }> {
  const ran = [...stopped].reverse().find(({ task, verdict }) => verdict.exitCode !== undefined || task.startedAt !== undefined || task.containers?.some((container) => container.exitCode != null || container.runtimeId));
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
