/**
 * Text for chat messages: escaping, links, and truncation that never cuts inside a link, an escape
 * sequence or a character (grapheme), so a shortened message still renders.
 */

export const ELLIPSIS = '…';

let graphemes: Intl.Segmenter | undefined;

/** Slack mrkdwn: only &, < and > are special to the parser. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack link; the URL must not contain `|` or `>`, the label is escaped. */
export function mrkdwnLink(url: string, label: string): string {
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C')}|${escapeMrkdwn(label)}>`;
}

/** CommonMark / GitHub / Discord / Mattermost markdown: backslash-escape the characters that format. */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|~#])/g, '\\$1');
}

export function markdownLink(url: string, label: string): string {
  return `[${escapeMarkdown(label)}](${url.replace(/\)/g, '%29').replace(/ /g, '%20')})`;
}

/** Units a truncation may keep or drop whole: Slack links and entities, markdown links, graphemes. */
function units(text: string, kind: 'mrkdwn' | 'markdown' | 'plain'): string[] {
  const atoms = kind === 'mrkdwn' ? /(<[^<>\n]*>|&(?:amp|lt|gt);)/ : kind === 'markdown' ? /(\[(?:\\.|[^\]\\\n])*\]\([^)\s]*\)|\\.)/ : undefined;
  const parts = atoms ? text.split(atoms) : [text];
  const result: string[] = [];
  parts.forEach((part, index) => {
    if (part === '') return;
    // split() with a capturing group puts the atoms at odd indexes.
    if (index % 2 === 1) result.push(part);
    else for (const { segment } of (graphemes ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' })).segment(part)) result.push(segment);
  });
  return result;
}

/**
 * At most `max` UTF-16 units (the count Slack's limits use, so a limit is never exceeded), ending
 * in an ellipsis when shortened.
 */
export function truncate(text: string, max: number, kind: 'mrkdwn' | 'markdown' | 'plain' = 'plain'): string {
  if (text.length <= max) return text;
  const budget = max - ELLIPSIS.length;
  let kept = '';
  for (const unit of units(text, kind)) {
    if (kept.length + unit.length > budget) break;
    kept += unit;
  }
  return `${kept.trimEnd()}${ELLIPSIS}`;
}

export function firstLine(text: string): string {
  return text.trim().split(/\r?\n/, 1)[0]!.trim();
}

/**
 * Packs lines into chunks of at most `maxChars` each (newline-joined), at most `maxChunks` chunks and
 * `totalChars` overall. Lines that do not fit are counted in `omitted` so the caller can say "and N more".
 */
export function packLines(
  lines: string[],
  limits: { maxChars: number; maxChunks: number; totalChars: number },
  kind: 'mrkdwn' | 'markdown' | 'plain',
): { chunks: string[]; omitted: number } {
  const chunks: string[] = [];
  let current: string | undefined;
  let total = 0;
  let used = 0;
  for (const raw of lines) {
    const line = truncate(raw, limits.maxChars, kind);
    const joined = current === undefined ? line : `${current}\n${line}`;
    if (current !== undefined && joined.length <= limits.maxChars && total + line.length + 1 <= limits.totalChars) {
      current = joined;
      total += line.length + 1;
    } else if (chunks.length + (current === undefined ? 0 : 1) < limits.maxChunks && total + line.length <= limits.totalChars) {
      if (current !== undefined) chunks.push(current);
      current = line;
      total += line.length;
    } else {
      break;
    }
    used++;
  }
  if (current !== undefined) chunks.push(current);
  return { chunks, omitted: lines.length - used };
}

/** "and 3 more services" */
export function andMore(count: number, noun: string, plural = `${noun}s`): string {
  return `and ${count} more ${count === 1 ? noun : plural}`;
}
