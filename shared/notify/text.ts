/**
 * Text for chat messages: escaping, links, and truncation that never cuts inside a link, an escape
 * sequence or a character (grapheme), so a shortened message still renders.
 */

const ELLIPSIS = '…';

let graphemes: Intl.Segmenter | undefined;

/**
 * Text as one display line: line breaks, tabs and other control characters become one space, and
 * bidirectional overrides (which can make text read differently from what it is) are dropped.
 * User text never starts a line of its own, so it cannot fake a line of the message or a log
 * command ("::error::") when the message is printed.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u202a-\u202e\u2066-\u2069]/g, '').replace(/[\s\p{Cc}]+/gu, ' ');
}

/** A zero-width space after the "@": the text reads the same but notifies nobody. */
const ZWSP = '\u200b';

/**
 * Slack mrkdwn: &, < and > are the only characters its parser reads as markup (links, mentions,
 * dates), so escaping them keeps `<!channel>`, `<@U…>` and `<url|text>` as plain text. A bare
 * @here, @channel or @everyone is defused too, for clients that still read them.
 */
export function escapeMrkdwn(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/(^|[^\w])@(here|channel|everyone)\b/gi, `$1@${ZWSP}$2`);
}

/** A Slack link; the URL must not contain `|` or `>`, the label is escaped. */
export function mrkdwnLink(url: string, label: string): string {
  return `<${url.replace(/\|/g, '%7C').replace(/>/g, '%3E').replace(/</g, '%3C')}|${escapeMrkdwn(label)}>`;
}

/**
 * CommonMark / GitHub / Discord / Mattermost markdown: backslash-escape the characters that format
 * or open HTML, keep entities literal, and defuse @mentions (Mattermost and Rocket.Chat notify on
 * any @name, Discord on @here and @everyone).
 */
export function escapeMarkdown(text: string): string {
  return oneLine(text)
    .replace(/([\\`*_[\]<>|~#])/g, '\\$1')
    .replace(/&(?=#?\w+;)/g, '\\&')
    .replace(/(^|[^\w])@(?=\w)/g, `$1@${ZWSP}`);
}

export function markdownLink(url: string, label: string): string {
  const target = url.replace(/[()<>| ]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `[${escapeMarkdown(label)}](${target})`;
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
export function packLines(lines: string[], limits: { maxChars: number; maxChunks: number; totalChars: number }, kind: 'mrkdwn' | 'markdown' | 'plain'): { chunks: string[]; omitted: number } {
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
