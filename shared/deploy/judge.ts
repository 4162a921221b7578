/**
 * The verdict on one deployment from one DescribeServices answer. Success needs our deployment
 * COMPLETED (or, where ECS reports no rollout state, alone and at its desired count) with the
 * service on our task definition: a circuit-breaker rollback is never a success.
 */
import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { shortTaskDefinition } from '../ecs/task-definitions.js';

export type FailureCause =
  | 'circuit-breaker'
  | 'rollout-failed'
  | 'replaced'
  | 'tasks-failed'
  | 'health-check'
  | 'timed-out'
  | 'no-capacity'
  | 'aws-error';

export type Verdict =
  | { state: 'in-progress'; deployment: Deployment }
  | { state: 'completed'; deployment: Deployment }
  | {
      state: 'failed';
      cause: FailureCause;
      summary: string;
      deployment?: Deployment;
      /** The deployment ECS started to roll back to, when its circuit breaker did. */
      ecsRollback?: { deploymentId: string; taskDefinitionArn: string };
    };

export interface JudgeInput {
  service: Service;
  deploymentId: string;
  taskDefinitionArn: string;
  /** Tasks of our deployment that failed (counted by the watcher, stopped or still stopping). */
  failedTasks: number;
  /** 0: never fail on the count alone. */
  threshold: number;
  /** What the deployment is, in messages: "the new deployment" (the default) or "the rollback deployment". */
  subject?: string;
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && shortTaskDefinition(a) === shortTaskDefinition(b);

export function judge({ service, deploymentId, taskDefinitionArn, failedTasks, threshold, subject = 'the new deployment' }: JudgeInput): Verdict {
  const deployments = service.deployments ?? [];
  const ours = deployments.find((deployment) => deployment.id === deploymentId);
  const primary = deployments.find((deployment) => deployment.status === 'PRIMARY');
  const other = primary && primary.id !== deploymentId ? primary : undefined;
  const otherText = other ? `${other.id} (${shortTaskDefinition(other.taskDefinition ?? '?')})` : 'another deployment';

  if (!ours) {
    return { state: 'failed', cause: 'replaced', summary: `deployment ${deploymentId} is gone: ${otherText} replaced it before it finished` };
  }
  if (ours.rolloutState === 'FAILED') {
    const reason = ours.rolloutStateReason ?? 'no reason given';
    if (other && !same(other.taskDefinition, taskDefinitionArn)) {
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
  if (ours.status !== 'PRIMARY') {
    return { state: 'failed', cause: 'replaced', summary: `${otherText} replaced deployment ${deploymentId} before it finished`, deployment: ours };
  }
  const onOurs = same(service.taskDefinition, taskDefinitionArn);
  if (ours.rolloutState === 'COMPLETED' && onOurs) return { state: 'completed', deployment: ours };
  if (ours.rolloutState === undefined && onOurs && deployments.length === 1 && ours.runningCount === ours.desiredCount && (ours.pendingCount ?? 0) === 0) {
    return { state: 'completed', deployment: ours };
  }
  if (threshold > 0 && failedTasks >= threshold) {
    return { state: 'failed', cause: 'tasks-failed', summary: `${failedTasks} task${failedTasks === 1 ? '' : 's'} of ${subject} failed`, deployment: ours };
  }
  return { state: 'in-progress', deployment: ours };
}

/** ECS's words when it cannot place a task (no capacity, no instance that fits, limits). */
export const PLACEMENT_FAILURE = /unable to place a task|no container instance met|Capacity is unavailable|insufficient (?:memory|CPU)|reached the limit/i;
