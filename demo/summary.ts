/**
 * A job summary (the Markdown and HTML an action writes to GITHUB_STEP_SUMMARY) as terminal text:
 * headings as lines, tables as aligned columns, lists as bullets, links by their text, tags gone.
 */
import { formatTable } from './terminal.js';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Inline HTML and Markdown as plain text. */
function inlineText(html: string): string {
  return decodeEntities(
    html
      .replace(/<br\s*\/?>/gi, ' ')
      .replace(/<[^>]+>/g, '')
      .replace(/\[([^\]]+)\]\([^)]+\)/g, '$1')
      .replace(/\*\*([^*]+)\*\*/g, '$1')
      .replace(/`([^`]+)`/g, '$1'),
  )
    .replace(/\s+/g, ' ')
    .trim();
}

function htmlTable(html: string): string[] {
  const rows = [...html.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/gi)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/gi)].map((cell) => inlineText(cell[1]!)));
  if (rows.length === 0) return [];
  const [header, ...body] = rows;
  return formatTable(header!, body);
}

function markdownTable(lines: string[]): string[] {
  const cells = (line: string) =>
    line
      .replace(/^\s*\|/, '')
      .replace(/\|\s*$/, '')
      .split(/(?<!\\)\|/)
      .map((cell) => inlineText(cell.replace(/\\\|/g, '|')));
  const rows = lines.filter((line) => !/^\s*\|?\s*:?-{2,}/.test(line)).map(cells);
  const [header, ...body] = rows;
  return header ? formatTable(header, body) : [];
}

/** The summary as lines of text, at most `maxLines` (the rest counted). */
export function summaryLines(summary: string, maxLines = 24): string[] {
  const blocks: string[][] = [];
  let html = summary.replace(/\r\n/g, '\n');
  // Tables and code blocks keep their own layout: take them out first.
  html = html.replace(/<table[^>]*>[\s\S]*?<\/table>/gi, (table) => `\n\uE000${blocks.push(htmlTable(table)) - 1}\uE000\n`);
  html = html.replace(
    /<pre[^>]*>([\s\S]*?)<\/pre>/gi,
    (_, code: string) =>
      `\n\uE000${
        blocks.push(
          decodeEntities(code.replace(/<[^>]+>/g, ''))
            .split('\n')
            .map((line) => `  ${line}`),
        ) - 1
      }\uE000\n`,
  );
  html = html
    .replace(/<h[1-6][^>]*>([\s\S]*?)<\/h[1-6]>/gi, (_, text: string) => `\n${inlineText(text)}\n`)
    .replace(/<summary[^>]*>([\s\S]*?)<\/summary>/gi, (_, text: string) => `\n${inlineText(text)}:\n`)
    .replace(/<li[^>]*>([\s\S]*?)<\/li>/gi, (_, text: string) => `\n• ${inlineText(text)}\n`)
    .replace(/<hr\s*\/?>/gi, '\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|details|blockquote|ul|ol)>/gi, '\n');

  const out: string[] = [];
  const lines = html.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^\uE000(\d+)\uE000$/.exec(line.trim());
    if (block) {
      out.push(...blocks[Number(block[1])]!);
      continue;
    }
    if (/^\s*\|.*\|\s*$/.test(line)) {
      const table = [line];
      while (i + 1 < lines.length && /^\s*\|.*\|\s*$/.test(lines[i + 1]!)) table.push(lines[++i]!);
      out.push(...markdownTable(table));
      continue;
    }
    const text = inlineText(line.replace(/^#{1,6}\s+/, '').replace(/^\s*[-*]\s+/, '• '));
    if (text) out.push(text);
  }
  const trimmed = out.filter((line, i) => line.trim() !== '' || (i > 0 && out[i - 1]!.trim() !== ''));
  if (trimmed.length <= maxLines) return trimmed;
  return [...trimmed.slice(0, maxLines - 1), `… ${trimmed.length - maxLines + 1} more lines in the job summary`];
}
