/**
 * Waits for the migration task to stop, polling DescribeTasks at a fixed interval. It never waits
 * for RUNNING first (a migration with nothing to do can stop before it is ever seen running), stops
 * the task when the deadline passes or the run is cancelled, and never fails on throttling.
 */
import * as core from '../core.js';
import { DescribeTasksCommand, StopTaskCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { transientReason } from '../aws/errors.js';
import { errorMessage } from '../errors.js';
import { formatDuration } from '../time.js';
import { taskIdOf } from '../ecs/arn.js';

export type WaitEnd = { ended: 'stopped'; task: Task } | { ended: 'timed-out'; task?: Task; stopError?: string } | { ended: 'cancelled'; task?: Task; stopError?: string };

export interface WaitOptions {
  ecs: ECSClient;
  cluster: string;
  taskArn: string;
  container: string;
  /** Whether the migration container's exit stops the task by itself. */
  essential: boolean;
  pollIntervalMs: number;
  timeoutMs: number;
  /** The workflow run, named in stop reasons. */
  runUrl?: string;
  signal?: AbortSignal;
  /** Called once per poll, e.g. to print new log lines. */
  onPoll?: () => Promise<void>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** Polls this many times in a row without finding the task before giving up on it. */
const MISSING_LIMIT = 5;
/** After asking ECS to stop the task on timeout, wait this long for it to reach STOPPED. */
const STOP_GRACE_MS = 150_000;
const PROGRESS_EVERY_MS = 30_000;

export async function waitForTask(options: WaitOptions): Promise<WaitEnd> {
  const { ecs, cluster, taskArn, container, pollIntervalMs, timeoutMs, signal, sleep, now = Date.now } = options;
  const taskId = taskIdOf(taskArn);
  const started = now();
  let lastStatus: string | undefined;
  let lastProgress = started;
  let missing = 0;
  let timedOutAt: number | undefined;
  let sidecarsStopped = false;
  let latest: Task | undefined;

  for (;;) {
    const task = await describe(ecs, cluster, taskArn);
    if (task) {
      latest = task;
      missing = 0;
      if (task.lastStatus !== lastStatus) {
        lastStatus = task.lastStatus;
        core.info(`Task ${taskId} is ${lastStatus}${task.desiredStatus === 'STOPPED' && lastStatus !== 'STOPPED' ? ' (stopping)' : ''} after ${formatDuration(now() - started)}.`);
      }
    } else if (task === null && ++missing >= MISSING_LIMIT) {
      throw new Error(`ECS no longer knows task ${taskArn} in cluster ${cluster} (DescribeTasks reported it MISSING ${MISSING_LIMIT} times in a row).`);
    }
    await options.onPoll?.();
    if (latest?.lastStatus === 'STOPPED') return timedOutAt === undefined ? { ended: 'stopped', task: latest } : { ended: 'timed-out', task: latest };

    if (signal?.aborted) {
      core.info('The workflow run was cancelled: stopping the migration task so it does not keep holding the migration lock.');
      const { task: stopping, error } = await stopTask(ecs, cluster, taskArn, `Berth: the workflow run was cancelled${options.runUrl ? ` (${options.runUrl})` : ''}`);
      await options.onPoll?.();
      return { ended: 'cancelled', task: stopping ?? latest, stopError: error };
    }
    const elapsed = now() - started;
    if (timedOutAt === undefined && elapsed >= timeoutMs) {
      timedOutAt = now();
      core.info(`The migration did not finish within ${formatDuration(timeoutMs)}: stopping task ${taskId}.`);
      const { error } = await stopTask(ecs, cluster, taskArn, `Berth: the migration did not finish within ${formatDuration(timeoutMs)}${options.runUrl ? ` (${options.runUrl})` : ''}`);
      if (error) return { ended: 'timed-out', task: latest, stopError: error };
    } else if (timedOutAt !== undefined && now() - timedOutAt > STOP_GRACE_MS) {
      return { ended: 'timed-out', task: latest, stopError: `the task was still ${latest?.lastStatus ?? 'not reported'} ${formatDuration(STOP_GRACE_MS)} after StopTask` };
    } else if (!sidecarsStopped && !options.essential && latest) {
      // A non-essential migration container can exit while essential sidecars keep the task alive.
      const judged = latest.containers?.find((candidate) => candidate.name === container);
      if (judged?.lastStatus === 'STOPPED' && judged.exitCode !== undefined && judged.exitCode !== null) {
        sidecarsStopped = true;
        core.info(`Container "${container}" exited with code ${judged.exitCode}; stopping the containers that are still running.`);
        await stopTask(ecs, cluster, taskArn, `Berth: migration container "${container}" exited with code ${judged.exitCode}`);
      }
    }
    if (timedOutAt === undefined && now() - lastProgress >= PROGRESS_EVERY_MS) {
      lastProgress = now();
      core.info(`Still ${latest?.lastStatus ?? 'waiting for ECS to report the task'} after ${formatDuration(elapsed)} (the step stops it at ${formatDuration(timeoutMs)}).`);
    }
    try {
      await sleep(pollIntervalMs, timedOutAt === undefined ? signal : undefined);
    } catch {
      // Cancelled while sleeping: the next turn stops the task.
    }
  }
}

/** The task, null when ECS reports it missing, undefined when the call failed transiently. */
async function describe(ecs: ECSClient, cluster: string, taskArn: string): Promise<Task | null | undefined> {
  try {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    return tasks?.find((task) => task.taskArn === taskArn || taskIdOf(task.taskArn ?? '') === taskIdOf(taskArn)) ?? null;
  } catch (error) {
    const transient = transientReason(error);
    if (!transient) throw error;
    core.info(`DescribeTasks failed (${transient}); trying again at the next poll.`);
    return undefined;
  }
}

/** Asks ECS to stop the task; the reason is shown in the console and in DescribeTasks. */
export async function stopTask(ecs: ECSClient, cluster: string, taskArn: string, reason: string): Promise<{ task?: Task; error?: string }> {
  try {
    const { task } = await ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: reason.slice(0, 255) }));
    return { task };
  } catch (error) {
    const message = errorMessage(error);
    core.warning(`Could not stop migration task ${taskArn}: ${message}\nStop it by hand so it does not keep the migration lock: aws ecs stop-task --cluster ${cluster} --task ${taskIdOf(taskArn)}`);
    return { error: message };
  }
}
