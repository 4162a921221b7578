/**
 * The runner interface every module uses: @actions/core's functions, built on its own command
 * module. Its index also loads the HTTP client (for OIDC tokens) and @actions/exec (for
 * `platform`), which pull in http, https, tls, net and child-process helpers at start-up; here the
 * OIDC client loads only when a token is asked for. Its file-command module loads node:crypto
 * (about 7 ms at every start) for one random delimiter, and its summary module loads
 * node:fs/promises (and with it readline, 2 to 2.5 ms on Node 24) for writes that are made here
 * synchronously: the file commands and the summary's markup are written here.
 */
import { accessSync, appendFileSync, constants, existsSync } from 'node:fs';
import { EOL } from 'node:os';
import { issue, issueCommand } from '@actions/core/lib/command.js';
import { toCommandProperties, toCommandValue } from '@actions/core/lib/utils.js';
import type { AnnotationProperties, InputOptions } from '@actions/core';
import type { SummaryTableRow } from '@actions/core/lib/summary.js';

export type { AnnotationProperties, InputOptions };

/**
 * The job summary's buffer, marked up as @actions/core's summary marks it up (the methods the
 * actions use), but for an empty table cell: the library writes it as an unclosed <td>, which
 * swallows the rest of the row; here it shows a dash.
 */
class SummaryBuffer {
  private buffer = '';

  stringify(): string {
    return this.buffer;
  }

  emptyBuffer(): this {
    this.buffer = '';
    return this;
  }

  addRaw(text: string, addEOL = false): this {
    this.buffer += addEOL ? text + EOL : text;
    return this;
  }

  addHeading(text: string, level: number | string = 1): this {
    const tag = /^[1-6]$/.test(String(level)) ? `h${level}` : 'h1';
    return this.addRaw(element(tag, text), true);
  }

  addTable(rows: SummaryTableRow[]): this {
    const cell = (item: SummaryTableRow[number]) => {
      if (typeof item === 'string') return element('td', item || '—');
      const { header, data, colspan, rowspan } = item;
      return element(header ? 'th' : 'td', data || '—', { ...(colspan && { colspan }), ...(rowspan && { rowspan }) });
    };
    return this.addRaw(element('table', rows.map((row) => element('tr', row.map(cell).join(''))).join('')), true);
  }

  addList(items: string[], ordered = false): this {
    return this.addRaw(element(ordered ? 'ol' : 'ul', items.map((item) => element('li', item)).join('')), true);
  }

  addCodeBlock(code: string, lang?: string): this {
    return this.addRaw(element('pre', element('code', code), lang ? { lang } : {}), true);
  }
}

function element(tag: string, content: string, attributes: Record<string, string> = {}): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${value}"`)
    .join('');
  return `<${tag}${attrs}>${content}</${tag}>`;
}

export const summary = new SummaryBuffer();

export function getInput(name: string, options?: InputOptions): string {
  const value = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
  if (options?.required && !value) throw new Error(`Input required and not supplied: ${name}`);
  return options?.trimWhitespace === false ? value : value.trim();
}

/** Writes outputs to GITHUB_OUTPUT in one append (the runner reads the file after the step). */
export function setOutputs(outputs: Record<string, unknown>): void {
  const file = process.env.GITHUB_OUTPUT;
  const entries = Object.entries(outputs);
  if (file) {
    if (entries.length) issueFileCommand('OUTPUT', entries.map(([name, value]) => prepareKeyValueMessage(name, value)).join(EOL));
    return;
  }
  for (const [name, value] of entries) {
    process.stdout.write(EOL);
    issueCommand('set-output', { name }, toCommandValue(value));
  }
}

/** Appends to the runner's file for `command` (GITHUB_OUTPUT, GITHUB_STATE), as @actions/core does. */
function issueFileCommand(command: string, message: string): void {
  const file = process.env[`GITHUB_${command}`];
  if (!file) throw new Error(`Unable to find environment variable for file command ${command}`);
  if (!existsSync(file)) throw new Error(`Missing file at path: ${file}`);
  appendFileSync(file, `${message}${EOL}`, { encoding: 'utf8' });
}

/**
 * `name<<delimiter`, the value, `delimiter`: the runner reads the value up to the delimiter, so the
 * delimiter must not occur in the name or the value. It is random (as @actions/core makes it) and
 * checked to be absent; when it is not, another is drawn, where @actions/core would throw.
 */
function prepareKeyValueMessage(name: string, value: unknown): string {
  const text = toCommandValue(value);
  let delimiter: string;
  do delimiter = `ghadelimiter_${randomPart()}${randomPart()}`;
  while (name.includes(delimiter) || text.includes(delimiter));
  return `${name}<<${delimiter}${EOL}${text}${EOL}${delimiter}`;
}

const randomPart = () => Math.random().toString(36).slice(2).padEnd(11, '0');

/**
 * Appends what the summary holds to the job summary file, and empties it. @actions/core's
 * summary.write() does the same through four asynchronous file operations, which a busy runner
 * serves late, at the very end of every step.
 */
export function writeSummary(): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) throw new Error('Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.');
  try {
    accessSync(file, constants.R_OK | constants.W_OK);
  } catch {
    throw new Error(`Unable to access summary file: '${file}'. Check if the file has correct read/write permissions.`);
  }
  appendFileSync(file, summary.stringify(), { encoding: 'utf8' });
  summary.emptyBuffer();
}

export function setSecret(secret: string): void {
  issueCommand('add-mask', {}, secret);
}

export function saveState(name: string, value: unknown): void {
  if (process.env.GITHUB_STATE) issueFileCommand('STATE', prepareKeyValueMessage(name, value));
  else issueCommand('save-state', { name }, toCommandValue(value));
}

export function getState(name: string): string {
  return process.env[`STATE_${name}`] || '';
}

export function info(message: string): void {
  process.stdout.write(message + EOL);
}

export function debug(message: string): void {
  issueCommand('debug', {}, message);
}

const annotate =
  (kind: 'error' | 'warning' | 'notice') =>
  (message: string | Error, properties: AnnotationProperties = {}) =>
    issueCommand(kind, toCommandProperties(properties), message instanceof Error ? message.toString() : message);

export const error = annotate('error');
export const warning = annotate('warning');
export const notice = annotate('notice');

export function setFailed(message: string | Error): void {
  process.exitCode = 1;
  error(message);
}

function startGroup(name: string): void {
  issue('group', name);
}

function endGroup(): void {
  issue('endgroup');
}

export async function group<T>(name: string, fn: () => Promise<T>): Promise<T> {
  startGroup(name);
  try {
    return await fn();
  } finally {
    endGroup();
  }
}

/** GitHub's OIDC token for the audience; the HTTP client behind it loads on the first call. */
export async function getIDToken(audience?: string): Promise<string> {
  const { OidcClient } = await import('@actions/core/lib/oidc-utils.js');
  return OidcClient.getIDToken(audience);
}
