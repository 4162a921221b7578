/**
 * The job summary every action writes: each engine's summary.ts makes one SummaryWriter, the action
 * sets it (run() in action.ts writes it once, at the end), and the renderers share these helpers.
 * Only engines import this module, so it stays out of the actions' entry bundles.
 */
import type * as core from './core.js';

/** Fills the (emptied) summary buffer. */
export type SummaryWriter = (summary: typeof core.summary) => void;

/** Text made safe for the summary's HTML, inside elements and attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A link whose text and address are escaped. */
export function htmlLink(text: string, href: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}
