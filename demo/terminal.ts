/**
 * The demo's terminal: colours only when the stream is a terminal and NO_COLOR is not set
 * (FORCE_COLOR forces them), boxes and tables, and a plain transcript of everything written.
 */

export type Paint = (text: string) => string;

export interface Palette {
  bold: Paint;
  dim: Paint;
  red: Paint;
  green: Paint;
  yellow: Paint;
  blue: Paint;
  magenta: Paint;
  cyan: Paint;
}

const CODES: Record<keyof Palette, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

const stripAnsi = (text: string): string => text.replace(ANSI, '');

/** Columns a string takes, ignoring colour codes (emoji and other wide characters count two). */
function visibleWidth(text: string): number {
  let width = 0;
  for (const char of stripAnsi(text)) {
    const code = char.codePointAt(0)!;
    if (code === 0xfe0f || (code >= 0x300 && code <= 0x36f)) continue;
    width += code >= 0x1f000 || (code >= 0x2600 && code <= 0x27bf && code !== 0x2713 && code !== 0x2717) ? 2 : 1;
  }
  return width;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleWidth(text)));
}

/** Colours are for people at a terminal: NO_COLOR (any value) turns them off, FORCE_COLOR on. */
export function wantsColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

function palette(colour: boolean): Palette {
  const paint = ([open, close]: [number, number]): Paint => (colour ? (text) => `\u001b[${open}m${text}\u001b[${close}m` : (text) => text);
  return Object.fromEntries(Object.entries(CODES).map(([name, codes]) => [name, paint(codes)])) as unknown as Palette;
}

export interface TerminalOptions {
  write: (text: string) => void;
  colour: boolean;
  width?: number;
}

export class Terminal {
  readonly paint: Palette;
  readonly width: number;
  /** Every line written, without colour codes. */
  readonly transcript: string[] = [];
  private readonly write: (text: string) => void;

  constructor(options: TerminalOptions) {
    this.write = options.write;
    this.paint = palette(options.colour);
    this.width = Math.max(60, Math.min(options.width ?? 100, 120));
  }

  line(text = ''): void {
    for (const line of text.split('\n')) {
      this.transcript.push(stripAnsi(line));
      this.write(`${line}\n`);
    }
  }

  /** A numbered stage of the story, with a rule across the terminal. */
  stage(number: string, title: string, note = ''): void {
    const { bold, cyan, dim } = this.paint;
    const head = `━━ ${number}  ${title} `;
    const rule = '━'.repeat(Math.max(3, this.width - visibleWidth(head) - visibleWidth(note) - 1));
    this.line();
    this.line(`${cyan(bold(head))}${cyan(rule)}${note ? ` ${dim(note)}` : ''}`);
  }

  /** Lines in a box, with a title in its top edge. */
  box(title: string, lines: string[], paint: Paint = (text) => text, indent = '  '): void {
    const inner = Math.max(visibleWidth(title) + 4, ...lines.map(visibleWidth));
    const width = Math.min(inner, this.width - indent.length - 4);
    const top = `┌─ ${title} ${'─'.repeat(Math.max(0, width - visibleWidth(title) - 2))}┐`;
    this.line(indent + paint(top));
    for (const line of lines.flatMap((text) => wrap(text, width))) this.line(`${indent}${paint('│')} ${padEnd(line, width)} ${paint('│')}`);
    this.line(indent + paint(`└${'─'.repeat(width + 2)}┘`));
  }

  /** Columns padded to their widest cell; the header bold. */
  table(header: string[], rows: string[][], indent = '  '): void {
    for (const line of formatTable(header, rows, this.paint.bold)) this.line(indent + line);
  }
}

export function formatTable(header: string[], rows: string[][], paintHeader: Paint = (text) => text): string[] {
  const widths = header.map((cell, column) => Math.max(visibleWidth(cell), ...rows.map((row) => visibleWidth(row[column] ?? ''))));
  const render = (cells: string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : padEnd(cell, widths[column]!)))
      .join('  ')
      .trimEnd();
  return [paintHeader(render(header)), ...rows.map(render)];
}

/** Splits a line that is wider than `width` at spaces (or anywhere, for a long word). */
function wrap(text: string, width: number): string[] {
  if (visibleWidth(text) <= width) return [text];
  const lines: string[] = [];
  let current = '';
  for (const word of stripAnsi(text).split(' ')) {
    let rest = word;
    while (visibleWidth(rest) > width) {
      if (current) {
        lines.push(current);
        current = '';
      }
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    const candidate = current ? `${current} ${rest}` : rest;
    if (visibleWidth(candidate) > width) {
      lines.push(current);
      current = rest;
    } else {
      current = candidate;
    }
  }
  if (current) lines.push(current);
  return lines;
}

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
