/**
 * The failed tasks of a deployment, read while watching. A task counts as failed at the first poll
 * that shows why, whatever its lastStatus: Fargate can take a minute or more to stop a task whose
 * essential container has exited (or that could not start, or that ECS found unhealthy), and
 * meanwhile lists it under desiredStatus STOPPED with its stopCode, stoppedReason and the
 * container's exit code already set. Each task is counted once; its evidence is read again until it
 * has STOPPED. ECS forgets stopped tasks about an hour after they stop. Which tasks count is the
 * judge's call (judge.ts).
 */
import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import type { StopVerdict } from '../ecs/stopped-tasks.js';
import { countsAsFailure, judgeStoppedServiceTask } from './judge.js';

export interface FailedTask {
  /** The task as last described: STOPPED, or still on its way there. */
  task: Task;
  verdict: StopVerdict;
  /** When ECS began to stop it (epoch ms). */
  failedAt: number;
}

const PAGES = 3;

/** The task's reason without the container reason repeated when it says the same. */
export function stopReason(task: Task, verdict: StopVerdict): string {
  const container = task.containers?.find((candidate) => candidate.name === verdict.container);
  const ofTask = task.stoppedReason?.trim();
  const ofContainer = container?.reason?.trim();
  if (ofTask && ofContainer) return ofTask.includes(ofContainer) ? ofTask : ofContainer.includes(ofTask) ? ofContainer : `${ofTask} — ${ofContainer}`;
  return ofTask || ofContainer || 'ECS gave no reason';
}

/** `STOPPED`, or where a task still on its way there is (`DEACTIVATING`, `STOPPING`, ...). */
export function stillStopping(task: Task): string | undefined {
  return task.lastStatus === 'STOPPED' ? undefined : (task.lastStatus ?? 'not stopped yet');
}

/** The failed tasks of one deployment (`startedBy` = its id), counted once each from the first poll that shows their failure. */
export class FailedTasks {
  /** In the order they failed. */
  readonly records: FailedTask[] = [];
  private readonly counted = new Map<string, FailedTask>();
  /** Tasks seen STOPPED: there is nothing more to learn about them. */
  private readonly settled = new Set<string>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly cluster: string,
    private readonly startedBy: string,
  ) {}

  /**
   * Lists the tasks ECS is stopping or has stopped, describes those not settled yet, and returns the
   * failures not counted before. Tasks whose stop names no failure yet are looked at again next time.
   */
  async read(): Promise<FailedTask[]> {
    const arns = await this.list();
    const fresh: FailedTask[] = [];
    const settled: string[] = [];
    for (let start = 0; start < arns.length; start += 100) {
      const { tasks } = await this.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: arns.slice(start, start + 100) }));
      for (const task of tasks ?? []) {
        if (!task.taskArn) continue;
        if (task.lastStatus === 'STOPPED') settled.push(task.taskArn);
        const verdict = judgeStoppedServiceTask(task);
        const known = this.counted.get(task.taskArn);
        if (known) {
          // Counted already: only its evidence grows (an exit code once its containers stop, the time it stopped).
          if (countsAsFailure(verdict)) Object.assign(known, { task, verdict });
        } else if (countsAsFailure(verdict)) {
          fresh.push({ task, verdict, failedAt: (task.stoppingAt ?? task.executionStoppedAt ?? task.stoppedAt ?? new Date()).getTime() });
        }
      }
    }
    // Only a read that got through changes what is known, so a failed call loses nothing.
    for (const arn of settled) this.settled.add(arn);
    fresh.sort((a, b) => a.failedAt - b.failedAt);
    for (const record of fresh) this.counted.set(record.task.taskArn!, record);
    this.records.push(...fresh);
    return fresh;
  }

  private async list(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < PAGES; page++) {
      const response = await this.ecs.send(new ListTasksCommand({ cluster: this.cluster, startedBy: this.startedBy, desiredStatus: 'STOPPED', maxResults: 100, nextToken }));
      arns.push(...(response.taskArns ?? []).filter((arn) => !this.settled.has(arn)));
      nextToken = response.nextToken;
      if (!nextToken) break;
    }
    return arns;
  }
}
