/**
 * The job summary every action writes: one writer, set while the action runs and written once at
 * the end (see run() in action.ts), and the HTML helpers its renderers share.
 */
import * as core from './core.js';
import { errorMessage } from './errors.js';

type Summary = typeof core.summary;
/** Fills the (emptied) summary buffer; run() writes it. */
export type SummaryWriter = (summary: Summary) => void;

/** A failure to write the summary is a warning: the work it describes already happened. */
export async function writeSummary(writer: SummaryWriter): Promise<void> {
  try {
    writer(core.summary.emptyBuffer());
    await core.summary.write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}

/** Text made safe for the summary's HTML, inside elements and attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A link whose text and address are escaped. */
export function htmlLink(text: string, href: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}
