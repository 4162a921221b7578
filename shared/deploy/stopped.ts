/**
 * The stopped tasks of a deployment, read while watching (ECS forgets them about an hour after they
 * stop), each with a verdict from explainStoppedTask.
 */
import { DescribeTasksCommand, ListTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import { explainStoppedTask, type StopKind, type StoppedTask } from '../ecs/stopped-tasks.js';

export interface StoppedRecord {
  task: Task;
  verdict: StoppedTask;
  stoppedAt: number;
}

const COUNTED = new Set<StopKind>(['exited', 'out-of-memory', 'image-pull', 'secrets', 'network', 'log-config', 'init-failure', 'health-check', 'start-failure']);
const PAGES = 3;

/**
 * The verdict on a service task that stopped. An essential container that exits, even with 0, is a
 * failure for a service (its tasks are meant to keep running).
 */
export function judgeStoppedServiceTask(task: Task): StoppedTask {
  const verdict = explainStoppedTask(task);
  if (verdict.kind === 'succeeded' && task.stopCode === 'EssentialContainerExited') {
    return { ...verdict, kind: 'exited', failed: true, hint: 'The essential container exited although a service task must keep running; check its command and entry point.' };
  }
  return verdict;
}

/** Whether the stop counts against the deployment (not a scale-in, a user's stop or a replacement). */
export function countsAsFailure(verdict: StoppedTask): boolean {
  return verdict.failed && COUNTED.has(verdict.kind);
}

/** The task's reason without the container reason repeated when it says the same. */
export function stopReason(task: Task, verdict: StoppedTask): string {
  const container = task.containers?.find((candidate) => candidate.name === verdict.container);
  const ofTask = task.stoppedReason?.trim();
  const ofContainer = container?.reason?.trim();
  if (ofTask && ofContainer) return ofTask.includes(ofContainer) ? ofTask : ofContainer.includes(ofTask) ? ofContainer : `${ofTask} — ${ofContainer}`;
  return ofTask || ofContainer || 'ECS gave no reason';
}

/** Reads the STOPPED tasks of `startedBy` that `known` does not hold yet; tasks still stopping are left for later. */
export async function readStoppedTasks(ecs: ECSClient, cluster: string, startedBy: string, known: Set<string>): Promise<StoppedRecord[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < PAGES; page++) {
    const response = await ecs.send(new ListTasksCommand({ cluster, startedBy, desiredStatus: 'STOPPED', maxResults: 100, nextToken }));
    arns.push(...(response.taskArns ?? []).filter((arn) => !known.has(arn)));
    nextToken = response.nextToken;
    if (!nextToken) break;
  }
  const records: StoppedRecord[] = [];
  for (let start = 0; start < arns.length; start += 100) {
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(start, start + 100) }));
    for (const task of tasks ?? []) {
      if (task.lastStatus !== 'STOPPED' || !task.taskArn) continue;
      known.add(task.taskArn);
      records.push({ task, verdict: judgeStoppedServiceTask(task), stoppedAt: (task.stoppedAt ?? task.stoppingAt ?? new Date()).getTime() });
    }
  }
  return records.sort((a, b) => a.stoppedAt - b.stoppedAt);
}
