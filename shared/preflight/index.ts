/** The preflight engine: the check, and its job summary. */
import { escapeHtml, type SummaryWriter } from '../summary.js';
import type { PreflightReport } from './check.js';
import type { WorkflowName } from './steps.js';

export { preflight } from './check.js';

export function jobSummary(workflow: WorkflowName, report: PreflightReport): SummaryWriter {
  return (summary) => {
    summary.addHeading(`Preflight of the ${workflow} workflow: ✅ every input checks out`, 2);
    const where = report.manifestEnvironment ? ` Every step acts on its environment <code>${escapeHtml(report.manifestEnvironment)}</code>.` : '';
    const what = report.mode === 'promote' ? ' The call promotes images that exist: nothing is built.' : '';
    summary.addRaw(`<p>${escapeHtml(report.manifest.file)}: ${report.manifest.services.length} services.${where}${what}</p>`, true);
    summary.addTable([
      [
        { data: 'Step', header: true },
        { data: 'Action', header: true },
        { data: 'Checked', header: true },
      ],
      ...report.steps.map((step) => [step.id, step.action, step.skipped ? `not checked: it ${step.skipped}` : step.given.map((name) => `<code>${name}</code>`).join(' ')]),
    ]);
  };
}
