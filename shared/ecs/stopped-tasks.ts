/**
 * Why a task stopped, in words a person can act on. ECS spreads the evidence over the task's
 * stopCode and stoppedReason and each container's exitCode and reason; this puts it together.
 */
import type { Container, Task } from '@aws-sdk/client-ecs';
import { taskIdOf } from './logs.js';

export type StopKind =
  | 'succeeded' // the judged container exited 0
  | 'exited' // the judged (or an essential) container exited non-zero
  | 'out-of-memory'
  | 'image-pull'
  | 'secrets'
  | 'health-check'
  | 'start-failure'
  | 'stopped' // stopped from outside (a user, a deployment, a scale-in) before finishing
  | 'unknown';

export interface StoppedTask {
  taskId: string;
  kind: StopKind;
  failed: boolean;
  container?: string;
  exitCode?: number;
  /** The evidence as ECS gave it: stoppedReason and the container's reason. */
  reason: string;
  /** One line on what to check. */
  hint?: string;
}

const HINTS: Record<Exclude<StopKind, 'succeeded' | 'unknown'>, string> = {
  exited: 'The application exited with an error; its last log lines show why.',
  'out-of-memory': 'The container ran out of memory: raise the task or container memory, or find the leak.',
  'image-pull':
    'ECS could not pull the image: check that the tag exists in ECR, that the task execution role allows ecr:GetAuthorizationToken and ecr:BatchGetImage, and that the subnets reach ECR (NAT gateway, VPC endpoints, or a public IP).',
  secrets:
    'ECS could not fetch the secrets or parameters the task definition names: check that they exist, that the task execution role allows secretsmanager:GetSecretValue / ssm:GetParameters (and kms:Decrypt), and that the subnets reach those services.',
  'health-check':
    'The container started but failed its health checks: check the health-check command or target-group path and port, and give slow starts a longer startPeriod / health-check grace period.',
  'start-failure': 'The container could not be started: check the entry point, command, user and mounts in the task definition.',
  stopped: 'The task was stopped before it finished.',
};

/** Explains a STOPPED task. `container` names the container whose exit decides; by default the essential one that failed. */
export function explainStoppedTask(task: Task, container?: string): StoppedTask {
  const taskId = taskIdOf(task.taskArn ?? '');
  const containers = task.containers ?? [];
  const judged = container ? containers.find((candidate) => candidate.name === container) : pickContainer(containers);
  const exitCode = judged?.exitCode ?? undefined;
  const reason = [task.stoppedReason, judged?.reason].filter((part) => part && part.trim()).join(' — ') || 'ECS gave no reason';
  const evidence = `${task.stoppedReason ?? ''} ${containers.map((candidate) => candidate.reason ?? '').join(' ')}`;
  const result = (kind: StopKind, failed = true): StoppedTask => ({
    taskId,
    kind,
    failed,
    container: judged?.name,
    exitCode,
    reason,
    hint: kind === 'succeeded' || kind === 'unknown' ? undefined : HINTS[kind],
  });

  if (container && exitCode === 0) return result('succeeded', false);
  if (/CannotPullContainerError|pull image manifest|failed to resolve ref/i.test(evidence)) return result('image-pull');
  if (/ResourceInitializationError|unable to retrieve secret|unable to pull secrets|AccessDeniedException.*(secretsmanager|ssm)/i.test(evidence)) return result('secrets');
  if (/OutOfMemory/i.test(evidence) || (exitCode === 137 && /memory/i.test(evidence))) return result('out-of-memory');
  if (/health ?check/i.test(evidence)) return result('health-check');
  if (/CannotStartContainerError|CannotCreateContainerError|CannotInspectContainerError/i.test(evidence) || (task.stopCode === 'TaskFailedToStart' && exitCode === undefined)) {
    return result('start-failure');
  }
  if (exitCode !== undefined && exitCode !== 0) return result('exited');
  if (exitCode === 0) return result('succeeded', false);
  if (task.stopCode === 'UserInitiated' || task.stopCode === 'ServiceSchedulerInitiated' || task.stopCode === 'SpotInterruption' || task.stopCode === 'TerminationNotice') {
    return result('stopped');
  }
  return result('unknown');
}

/** The container that explains the stop: a non-zero exit first, then one with a reason, then the first. */
function pickContainer(containers: Container[]): Container | undefined {
  return (
    containers.find((container) => container.exitCode !== undefined && container.exitCode !== null && container.exitCode !== 0) ??
    containers.find((container) => container.reason) ??
    containers[0]
  );
}

/** One line for a log: `task 1a2b (api): exited with code 1 — Essential container in task exited`. */
export function describeStoppedTask(stopped: StoppedTask): string {
  const who = stopped.container ? `task ${stopped.taskId} (${stopped.container})` : `task ${stopped.taskId}`;
  const code = stopped.exitCode !== undefined ? `exit code ${stopped.exitCode}` : 'no exit code';
  return `${who}: ${stopped.kind}, ${code} — ${stopped.reason}`;
}
