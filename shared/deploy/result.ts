/** Where each service's rollout stands during a call, and the `result` output made from it. */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { serviceUrl } from '../ecs/console.js';
import { revisionOf } from '../ecs/arn.js';
import type { FailureReport } from './evidence.js';
import type { Plan } from './prepare.js';
import type { DeployResult, Outcome, ServiceResult } from './types.js';

export interface ServiceRun {
  plan: Plan;
  taskDefinitionArn: string;
  definition?: TaskDefinition;
  deploymentId: string;
  /** Real time of the UpdateService call. */
  startedAt: number;
  finishedAt?: number;
  outcome?: Outcome;
  /** Empty when deployed; why otherwise. */
  reason: string;
  rolledBackTo: string;
  /** Evidence of the failed rollout, and of a failed rollback. */
  failure?: FailureReport;
  rollbackFailure?: FailureReport;
  /** What is happening now, for a summary written before the end. */
  state: string;
  seenEvents: Set<string>;
  /** The strategy this rollout used: the service's, the `strategy` input's, or CODE_DEPLOY. */
  strategy: string;
  /** ECS's service deployment (or CodeDeploy's deployment id) of this rollout, when known. */
  serviceDeploymentArn?: string;
  /** Stages reached, in order, with the traffic split then. */
  stages: string[];
  /** Things the user must know that are not failures (bake time not watched, a strategy not restored). */
  notes: string[];
}

export function overallOutcome(runs: ServiceRun[]): Outcome {
  if (runs.some((run) => run.outcome === 'failed' || run.outcome === undefined)) return 'failed';
  if (runs.some((run) => run.outcome === 'rolled-back')) return 'rolled-back';
  return 'deployed';
}

function serviceResult(run: ServiceRun, region: string): ServiceResult {
  const { target } = run.plan;
  return {
    service: target.name,
    cluster: target.cluster,
    ecsService: target.ecsService,
    taskDefinitionArn: run.taskDefinitionArn,
    revision: revisionOf(run.taskDefinitionArn) ?? null,
    image: run.plan.image,
    deploymentId: run.deploymentId,
    outcome: run.outcome ?? 'failed',
    durationSeconds: Math.round(((run.finishedAt ?? Date.now()) - run.startedAt) / 1000),
    reason: run.reason,
    rolledBackTo: run.rolledBackTo,
    consoleUrl: serviceUrl(region, target.cluster, target.ecsService),
    strategy: run.strategy,
    stages: run.stages,
  };
}

export function deployResult(runs: ServiceRun[], region: string): DeployResult {
  return { outcome: overallOutcome(runs), services: runs.map((run) => serviceResult(run, region)) };
}
