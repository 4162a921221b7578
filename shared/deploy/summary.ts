/** The job summary of a call and the message of each service that did not deploy, from the state of each service's rollout. */
import { escapeHtml, type SummaryWriter } from '../summary.js';
import { serviceUrl } from '../ecs/console.js';
import { formatDuration } from '../time.js';
import { formatEvidence } from './evidence.js';
import { shortImage } from '../images.js';
import { overallOutcome, type ServiceRun } from './result.js';
import type { Outcome } from './types.js';
import { shortTaskDefinition } from '../ecs/arn.js';

const ICON: Record<Outcome, string> = { deployed: '✅', 'rolled-back': '↩️', failed: '❌' };

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

export function jobSummary(runs: ServiceRun[], region: string, title: string): SummaryWriter {
  return (summary) => {
    const done = runs.every((run) => run.outcome !== undefined);
    const outcome = overallOutcome(runs);
    summary.addHeading(`${title}: ${done ? `${ICON[outcome]} ${outcome}` : 'not finished'}`, 2);
    for (const run of runs.filter((candidate) => candidate.plan.otherFamily)) {
      summary.addRaw(`<p><strong>⚠️ ${otherFamilyText(run)}</strong></p>`, true);
    }
    const staged = runs.some((run) => run.strategy !== 'ROLLING');
    summary.addTable([
      [
        { data: 'Service', header: true },
        { data: 'ECS service', header: true },
        { data: 'Revision', header: true },
        { data: 'Image', header: true },
        { data: 'Outcome', header: true },
        { data: 'Duration', header: true },
        { data: 'Rolled back to', header: true },
        ...(staged ? [{ data: 'Strategy: stages reached', header: true }] : []),
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
          ...(staged ? [escapeHtml(`${run.strategy}${run.stages.length ? `: ${run.stages.join(' → ')}` : ''}`)] : []),
        ];
      }),
    ]);
    for (const run of runs.filter((candidate) => candidate.outcome === 'deployed' && candidate.notes.length)) {
      summary.addRaw(`<p>${escapeHtml(`${run.plan.target.name}: ${run.notes.join('; ')}`)}</p>`, true);
    }
    for (const run of runs.filter((candidate) => candidate.outcome && candidate.outcome !== 'deployed')) {
      summary.addHeading(failureTitle(run), 3);
      summary.addCodeBlock(escapeHtml(failureText(run)));
    }
  };
}
