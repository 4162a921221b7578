/** What people read about a migration run: the job summary and the failure message. */
import { escapeHtml, htmlLink, type SummaryWriter } from '../summary.js';
import { DeploymentFailure } from '../errors.js';
import { formatDuration } from '../time.js';
import type { MigrationReport, MigrationStatus } from './types.js';
import { shortTaskDefinition, taskIdOf } from '../ecs/arn.js';

/** Log lines repeated in the failure message (the summary shows up to 30). */
const FAILURE_LINES = 15;

const STATUS_WORDS: Record<MigrationStatus, string> = {
  succeeded: '✅ succeeded',
  failed: '❌ failed',
  'timed-out': '⏱️ timed out',
  cancelled: '⏹️ cancelled',
};

export function failureOf(report: MigrationReport): DeploymentFailure {
  const lines = [`Migration of ${report.service} ${report.status === 'timed-out' ? 'timed out' : report.status}: ${report.headline}`, ...report.evidence.map((line) => `  ${line}`)];
  const tail = report.lastLines.slice(-FAILURE_LINES);
  if (tail.length) lines.push(`Last log lines of container "${report.container}":`, ...tail.map((line) => `  | ${line}`));
  else if (report.logMissing) lines.push(`No container log: ${report.logMissing}.`);
  lines.push(`Task: ${report.consoleUrl}`);
  return new DeploymentFailure(lines.join('\n'), report.hint);
}

export function jobSummary(report: MigrationReport): SummaryWriter {
  return (summary) => {
    summary.addHeading(`Migrations for ${escapeHtml(report.service)}${report.environment ? ` in ${escapeHtml(report.environment)}` : ''}: ${STATUS_WORDS[report.status]}`, 2);
    summary.addRaw(`<p>${escapeHtml(report.headline)}</p>`, true);
    const rows: [string, string][] = [
      ['Duration', formatDuration(report.durationSeconds * 1000)],
      ['Exit code', report.exitCode === undefined ? 'none' : String(report.exitCode)],
      ['Task', htmlLink(taskIdOf(report.taskArn), report.consoleUrl)],
      ['Task definition', `${escapeHtml(shortTaskDefinition(report.taskDefinitionArn))}${report.registered ? ' (registered by this run)' : ''}`],
      ['Image', `<code>${escapeHtml(report.image ?? 'unknown')}</code>`],
      ['Cluster', escapeHtml(report.ecsService ? `${report.cluster} (service ${report.ecsService})` : report.cluster)],
      ['Log', [report.logUrl ? htmlLink('CloudWatch log stream', report.logUrl) : '', report.logMissing ? escapeHtml(report.logMissing) : ''].filter(Boolean).join(': ') || 'none'],
    ];
    summary.addTable(rows.map(([name, value]) => [{ data: name, header: true }, value]));
    if (report.evidence.length && report.status !== 'succeeded') summary.addList(report.evidence.map(escapeHtml));
    if (report.hint && report.status !== 'succeeded') summary.addRaw(`<p><strong>Next step:</strong> ${escapeHtml(report.hint)}</p>`, true);
    if (report.warnings.length) summary.addRaw(`<p><strong>Warnings</strong></p>`, true).addList(report.warnings.map(escapeHtml));
    if (report.lastLines.length) {
      summary.addHeading(`Last ${report.lastLines.length} log lines of container ${escapeHtml(report.container)}`, 3);
      summary.addCodeBlock(escapeHtml(report.lastLines.join('\n')), 'text');
    }
  };
}
