/**
 * ECS service deployments as the watcher sees them: the strategy a service deploys with, and what
 * DescribeServiceDeployments says of one deployment — its lifecycle stage, the traffic on the new
 * revision, rollback, circuit breaker, alarms and lifecycle hooks — in plain words for the log, the
 * job summary and Slack. Blue/green, linear and canary deployments are judged from these.
 */
import { DescribeServiceDeploymentsCommand, type ECSClient, type Service, type ServiceDeployment } from '@aws-sdk/client-ecs';
import type { Strategy } from './types.js';

const STRATEGIES: readonly Strategy[] = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'];

/** The strategy the ECS deployment controller uses for the service (ROLLING when none is set). */
export function strategyOf(service: Service): Strategy {
  return asStrategy(service.deploymentConfiguration?.strategy);
}

/** ECS's strategy names as ours; anything else (none, or one added later) deploys as ROLLING does. */
function asStrategy(value: unknown): Strategy {
  return STRATEGIES.find((strategy) => strategy === value) ?? 'ROLLING';
}

/** What each lifecycle stage means, for people reading the log. Stages are strings: ECS adds new ones. */
const STAGE_MEANING: Record<string, string> = {
  RECONCILE_SERVICE: 'settling the service on one revision before the deployment',
  PRE_SCALE_UP: 'about to start the new revision',
  SCALE_UP: 'starting the new revision’s tasks (no traffic yet)',
  POST_SCALE_UP: 'new revision running, no traffic yet',
  TEST_TRAFFIC_SHIFT: 'moving test traffic to the new revision',
  POST_TEST_TRAFFIC_SHIFT: 'test traffic on the new revision',
  PRE_PRODUCTION_TRAFFIC_SHIFT: 'about to move production traffic',
  PRODUCTION_TRAFFIC_SHIFT: 'moving production traffic to the new revision',
  POST_PRODUCTION_TRAFFIC_SHIFT: 'production traffic on the new revision',
  BAKE_TIME: 'baking: both revisions running, production on the new one',
  CLEAN_UP: 'cleaning up: stopping the old revision',
};

/** Statuses of a deployment being rolled back (by ECS, or at our request). */
export const ROLLING_BACK = new Set(['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);

export interface HookView {
  id: string;
  target: string;
  status: string;
}

/** One DescribeServiceDeployments answer, reduced to what is judged and reported. */
export interface DeploymentView {
  arn: string;
  status: string;
  statusReason?: string;
  stage?: string;
  strategy: Strategy;
  targetRevisionArn?: string;
  /** The new revision's share of production (and test) traffic, 0 to 100, where ECS gives it. */
  production?: number;
  test?: number;
  tasks: { requested: number; running: number; pending: number };
  rollback?: { reason?: string; startedAt?: Date; revisionArn?: string };
  circuitBreaker?: { status?: string; failureCount?: number; threshold?: number };
  alarms?: { status?: string; triggered: string[] };
  hooks: HookView[];
  bakeMinutes?: number;
  updatedAt?: Date;
}

function viewOf(deployment: ServiceDeployment): DeploymentView {
  const target = deployment.targetServiceRevision;
  const configuration = deployment.deploymentConfiguration;
  const strategy = asStrategy(configuration?.strategy);
  return {
    arn: deployment.serviceDeploymentArn ?? '',
    status: String(deployment.status ?? 'PENDING'),
    statusReason: deployment.statusReason,
    stage: deployment.lifecycleStage === undefined ? undefined : String(deployment.lifecycleStage),
    strategy,
    targetRevisionArn: target?.arn,
    production: target?.requestedProductionTrafficWeight,
    test: target?.requestedTestTrafficWeight,
    tasks: { requested: target?.requestedTaskCount ?? 0, running: target?.runningTaskCount ?? 0, pending: target?.pendingTaskCount ?? 0 },
    rollback: deployment.rollback && { reason: deployment.rollback.reason, startedAt: deployment.rollback.startedAt, revisionArn: deployment.rollback.serviceRevisionArn },
    circuitBreaker: deployment.deploymentCircuitBreaker && { ...deployment.deploymentCircuitBreaker, status: deployment.deploymentCircuitBreaker.status as string | undefined },
    alarms: deployment.alarms && { status: deployment.alarms.status as string | undefined, triggered: deployment.alarms.triggeredAlarmNames ?? [] },
    hooks: (deployment.lifecycleHookDetails ?? []).map((hook) => ({
      id: hook.hookId ?? '',
      target: hook.targetArn ?? String(hook.targetType ?? 'hook'),
      status: String(hook.status ?? ''),
    })),
    bakeMinutes: configuration?.bakeTimeInMinutes,
    updatedAt: deployment.updatedAt,
  };
}

/** DescribeServiceDeployments takes at most this many ARNs per call. */
export const DESCRIBE_DEPLOYMENTS_BATCH = 20;

/** Every deployment named, with as few calls as possible; a deployment ECS does not know is missing from the map. */
export async function describeServiceDeployments(ecs: ECSClient, arns: string[]): Promise<Map<string, DeploymentView>> {
  const views = new Map<string, DeploymentView>();
  const unique = [...new Set(arns)];
  for (let start = 0; start < unique.length; start += DESCRIBE_DEPLOYMENTS_BATCH) {
    const { serviceDeployments } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: unique.slice(start, start + DESCRIBE_DEPLOYMENTS_BATCH) }));
    for (const deployment of serviceDeployments ?? []) if (deployment.serviceDeploymentArn) views.set(deployment.serviceDeploymentArn, viewOf(deployment));
  }
  return views;
}

/** `production 10% / test 100% on the new revision`, or undefined where ECS gives no weights (rolling). */
export function trafficText(view: Pick<DeploymentView, 'production' | 'test'>): string | undefined {
  if (view.production === undefined && view.test === undefined) return undefined;
  const parts = [view.production !== undefined ? `production ${formatPercent(view.production)}` : '', view.test !== undefined ? `test ${formatPercent(view.test)}` : ''].filter(Boolean);
  return `${parts.join(', ')} on the new revision`;
}

const formatPercent = (value: number) => `${Number.isInteger(value) ? value : value.toFixed(1)}%`;

/** While ECS rolls back, the stages it goes through again mean the way back. */
const ROLLBACK_MEANING: Record<string, string> = {
  PRODUCTION_TRAFFIC_SHIFT: 'moving production traffic back to the old revision',
  TEST_TRAFFIC_SHIFT: 'moving test traffic back to the old revision',
  CLEAN_UP: 'stopping the new revision’s tasks',
};

/** One line for the log when the stage or the traffic changes: `BAKE_TIME (baking: …), production 100% on the new revision`. */
export function stageLine(view: DeploymentView): string {
  const back = view.status.startsWith('ROLLBACK') && view.stage ? ROLLBACK_MEANING[view.stage] : undefined;
  const meaning = back ?? (view.stage ? STAGE_MEANING[view.stage] : undefined);
  const traffic = trafficText(view);
  return [view.stage ? `${view.stage}${meaning ? ` (${meaning})` : ''}` : view.status, traffic].filter(Boolean).join(', ');
}
