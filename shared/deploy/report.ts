/** The call's outputs, job summary and final message, from the state of each service's rollout. */
import * as core from '../core.js';
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import type { SummaryWriter } from '../action.js';
import { serviceUrl } from '../ecs/console.js';
import { revisionOf, shortTaskDefinition } from '../ecs/task-definitions.js';
import { formatDuration } from '../time.js';
import { formatEvidence, type FailureReport } from './evidence.js';
import { shortImage } from '../images.js';
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
}

const ICON: Record<Outcome, string> = { deployed: '✅', 'rolled-back': '↩️', failed: '❌' };

export function overallOutcome(runs: ServiceRun[]): Outcome {
  if (runs.some((run) => run.outcome === 'failed' || run.outcome === undefined)) return 'failed';
  if (runs.some((run) => run.outcome === 'rolled-back')) return 'rolled-back';
  return 'deployed';
}

export function serviceResult(run: ServiceRun, region: string): ServiceResult {
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
  };
}

export function deployResult(runs: ServiceRun[], region: string): DeployResult {
  return { outcome: overallOutcome(runs), services: runs.map((run) => serviceResult(run, region)) };
}

export function writeOutputs(result: DeployResult): void {
  core.setOutput('result', JSON.stringify(result));
  core.setOutput('outcome', result.outcome);
  core.setOutput('task-definition-arns', JSON.stringify(Object.fromEntries(result.services.map((service) => [service.service, service.taskDefinitionArn]))));
  core.setOutput('deployment-ids', JSON.stringify(Object.fromEntries(result.services.map((service) => [service.service, service.deploymentId]))));
  core.setOutput('outcomes', JSON.stringify(Object.fromEntries(result.services.map((service) => [service.service, service.outcome]))));
  core.setOutput('durations', JSON.stringify(Object.fromEntries(result.services.map((service) => [service.service, service.durationSeconds]))));
  for (const service of result.services) {
    core.setOutput(`${service.service}-task-definition-arn`, service.taskDefinitionArn);
    core.setOutput(`${service.service}-deployment-id`, service.deploymentId);
    core.setOutput(`${service.service}-outcome`, service.outcome);
    core.setOutput(`${service.service}-duration-seconds`, service.durationSeconds);
  }
}

/** A rollback onto another task-definition family, allowed by `allow-other-family`: said in the log and the summary. */
export function otherFamilyText(run: ServiceRun): string {
  const { target, otherFamily } = run.plan;
  return `${target.name}: ECS service ${target.ecsService} ran task-definition family ${otherFamily?.live} and is rolled back to family ${otherFamily?.target} (allow-other-family: true).`;
}

/** The headline of a service that did not deploy, e.g. "api: rolled back". */
export function failureTitle(run: ServiceRun): string {
  return `${run.plan.target.name}: ${run.outcome === 'rolled-back' ? 'rolled back' : 'failed'}`;
}

/** The body under failureTitle: the reason, the evidence, what to do. */
export function failureText(run: ServiceRun): string {
  const lines = [run.reason];
  if (run.failure) lines.push(...formatEvidence(run.failure), `What to do: ${run.failure.hint}`);
  if (run.rollbackFailure) lines.push('The rollback failed too:', ...formatEvidence(run.rollbackFailure).map((line) => `  ${line}`), `What to do: ${run.rollbackFailure.hint}`);
  return lines.join('\n');
}

export function summaryWriter(runs: ServiceRun[], region: string, title: string): SummaryWriter {
  return (summary) => {
    const done = runs.every((run) => run.outcome !== undefined);
    const outcome = overallOutcome(runs);
    summary.addHeading(`${title}: ${done ? `${ICON[outcome]} ${outcome}` : 'not finished'}`, 2);
    for (const run of runs.filter((candidate) => candidate.plan.otherFamily)) {
      summary.addRaw(`<p><strong>⚠️ ${otherFamilyText(run)}</strong></p>`, true);
    }
    summary.addTable([
      [
        { data: 'Service', header: true },
        { data: 'ECS service', header: true },
        { data: 'Revision', header: true },
        { data: 'Image', header: true },
        { data: 'Outcome', header: true },
        { data: 'Duration', header: true },
        { data: 'Rolled back to', header: true },
      ],
      ...runs.map((run) => {
        const { target } = run.plan;
        return [
          target.name,
          `<a href="${serviceUrl(region, target.cluster, target.ecsService)}">${target.cluster}/${target.ecsService}</a>`,
          run.taskDefinitionArn ? shortTaskDefinition(run.taskDefinitionArn) : '',
          run.plan.image ? `<code>${shortImage(run.plan.image)}</code>` : '',
          run.outcome ? `${ICON[run.outcome]} ${run.outcome}` : run.state,
          formatDuration((run.finishedAt ?? Date.now()) - run.startedAt),
          run.rolledBackTo ? shortTaskDefinition(run.rolledBackTo) : '',
        ];
      }),
    ]);
    for (const run of runs.filter((candidate) => candidate.outcome && candidate.outcome !== 'deployed')) {
      summary.addHeading(failureTitle(run), 3);
      summary.addCodeBlock(escapeHtml(failureText(run)));
    }
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
