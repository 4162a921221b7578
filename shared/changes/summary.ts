/**
 * What detection tells people and later jobs: the action's outputs (a matrix ready for
 * `strategy.matrix`, one true/false output per service), the job summary, and the terminal table
 * of `npm run plan`. Every file list is capped, so a change of thousands of files stays small.
 */
import { escapeHtml, type SummaryWriter } from '../summary.js';
import { matrixEntry } from '../manifest/matrix.js';
import type { ChangePlan, ServiceChange } from './detect.js';
import { short } from './git.js';
import { SAMPLE_SIZE, type Cause, type FileSample } from './match.js';

/** Files named in a one-line reason; the summary lists up to match.SAMPLE_SIZE. */
const FILES_IN_REASON = 3;

/** The outputs, by name, exactly as the action writes them. */
export function actionOutputs(plan: ChangePlan): Record<string, string> {
  const changed = plan.services.filter((change) => change.changed);
  const migrating = changed.filter((change) => change.service.migrate !== undefined).map((change) => change.service.name);
  const migrate = migrating.length > 0;
  const outputs: Record<string, string> = {
    services: JSON.stringify(changed.map((change) => change.service.name)),
    'any-changed': String(changed.length > 0),
    matrix: JSON.stringify({ include: changed.map((change) => matrixEntry(plan.manifest, change.service)) }),
    migrate: String(migrate),
    'migrate-services': JSON.stringify(migrating),
    result: JSON.stringify({
      base: plan.base,
      head: plan.head,
      event: plan.event,
      services: plan.services.map((change) => ({ name: change.service.name, changed: change.changed, reason: reason(change) })),
      migrate,
    }),
  };
  for (const change of plan.services) outputs[change.service.name] = String(change.changed);
  return outputs;
}

/** Why a service changed or not, in one line. */
function reason(change: ServiceChange, listed = FILES_IN_REASON): string {
  return describe(change.cause, listed, plain);
}

interface Markup {
  text: (text: string) => string;
  code: (text: string) => string;
}

const plain: Markup = { text: (text) => text, code: (text) => text };

function describe(cause: Cause, listed: number, { text, code }: Markup): string {
  const files = (sample: FileSample) => {
    const shown = sample.files.slice(0, listed).map(code);
    const more = sample.count - shown.length;
    if (more > 0) return `${shown.join(', ')}${text(` and ${more} more`)}`;
    return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : shown.join('');
  };
  switch (cause.kind) {
    case 'always':
      return `${text(`${count(cause.sample.count, 'file')} listed under "always" changed: `)}${files(cause.sample)}`;
    case 'files':
      return `${text(`${count(cause.sample.count, 'file')} changed: `)}${files(cause.sample)}`;
    case 'dependency':
      return `depends on ${code(cause.chain.at(-1)!)}, which changed (${cause.chain.map(code).join(' → ')}): ${files(cause.sample)}`;
    case 'definition':
      return `${code(cause.file)}${text(`: ${cause.what}`)}`;
    case 'lockfile': {
      const shown = cause.changes.slice(0, listed);
      const changes = `${shown.map(code).join(', ')}${cause.changes.length > shown.length ? text(` and ${cause.changes.length - shown.length} more`) : ''}`;
      if (cause.unreadable !== undefined) return `${code(cause.file)}${text(` changed and cannot be read (${cause.unreadable}), so every service counts as changed`)}`;
      if (cause.chain.length === 0) return `${text("the root package's dependencies resolved in ")}${code(cause.file)}${text(' changed: ')}${changes}`;
      const via = cause.chain.length > 1 ? ` (${cause.chain.map(code).join(' → ')})` : '';
      return `${text('dependencies resolved in ')}${code(cause.file)}${text(' for ')}${code(cause.chain.at(-1)!)}${text(' changed')}${via}: ${changes}`;
    }
    case 'forced':
    case 'unchanged':
      return text(cause.why);
  }
}

/** `5,190 files`. (Not toLocaleString: loading locale data would cost every run several milliseconds.) */
const count = (n: number, noun: string) => `${String(n).replace(/\B(?=(\d{3})+$)/g, ',')} ${noun}${n === 1 ? '' : 's'}`;

/** One line saying what was compared with what. */
function comparison(plan: ChangePlan): string {
  if (plan.choice.kind === 'all' || plan.choice.kind === 'named' || (!plan.base && plan.choice.kind !== 'last-deployed')) {
    return `No comparison: ${plan.baseNote}; head ${short(plan.head)}.`;
  }
  const base = plan.base ? short(plan.base) : 'per service';
  return `Changes from ${base} to ${short(plan.head)}: ${count(plan.changedPaths, 'changed path')} (base: ${plan.baseNote}).`;
}

const codeHtml = (text: string) => `<code>${escapeHtml(text)}</code>`;

/** The job summary: a headline, what was compared, one row per service, and any warnings. */
export function jobSummary(plan: ChangePlan): SummaryWriter {
  return (summary) => {
    const changed = plan.services.filter((change) => change.changed).length;
    const perService = plan.choice.kind === 'last-deployed';
    summary.addHeading(`Changed services: ${changed} of ${plan.services.length}`, 3);
    summary.addRaw(`<p>${escapeHtml(comparison(plan))}</p>`, true);
    summary.addTable([
      ['Service', 'Changed', ...(perService ? ['Compared with'] : []), 'Why'].map((data) => ({ data, header: true })),
      ...plan.services.map((change) => [
        codeHtml(change.service.name),
        change.changed ? '✅ yes' : '— no',
        ...(perService ? [change.base ? codeHtml(short(change.base)) : '—'] : []),
        describe(change.cause, SAMPLE_SIZE, { text: escapeHtml, code: codeHtml }),
      ]),
    ]);
    const warnings = [...plan.warnings, ...plan.manifestWarnings.map((problem) => `${problem.file}:${problem.line}: ${problem.message}`)];
    if (warnings.length) summary.addRaw('<p><strong>Warnings</strong></p>', true).addList(warnings.map(escapeHtml));
  };
}

/** The plan as plain text for a terminal. */
export function planTable(plan: ChangePlan): string {
  const perService = plan.choice.kind === 'last-deployed';
  const header = ['SERVICE', 'CHANGED', ...(perService ? ['BASE'] : []), 'WHY'];
  const rows = plan.services.map((change) => [change.service.name, change.changed ? 'yes' : 'no', ...(perService ? [change.base ? short(change.base) : '-'] : []), reason(change)]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column < cells.length - 1 ? cell.padEnd(widths[column]!) : cell))
      .join('  ')
      .trimEnd();
  const changed = plan.services.filter((change) => change.changed);
  return [comparison(plan), `Changed services: ${changed.length} of ${plan.services.length}${changed.length ? ` (${changed.map((change) => change.service.name).join(', ')})` : ''}.`, '', line(header), ...rows.map(line)].join(
    '\n',
  );
}
