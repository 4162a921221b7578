/**
 * The only module that reads action inputs. Each reader validates one input and, when the value is
 * wrong, throws a UserError naming the input, the value given and the form that is accepted.
 */
import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as core from './core.js';
import { UserError, parseJson, quoted } from './errors.js';
import { parseDuration, formatDuration } from './time.js';

let given: Readonly<Record<string, string>> | undefined;

function read(name: string): string {
  if (given) return (given[name] ?? '').trim();
  return core.getInput(name, { trimWhitespace: true });
}

/**
 * Runs `readInputs` with inputs taken from `values` instead of the step's own: a step checks the
 * inputs a later step will get with that step's own readers, so each input has one parser.
 */
export function withInputs<T>(values: Readonly<Record<string, string>>, readInputs: () => T): T {
  const before = given;
  given = values;
  try {
    return readInputs();
  } finally {
    given = before;
  }
}

function invalid(name: string, value: string, expected: string): UserError {
  return new UserError(`Input "${name}" is "${quoted(value)}", which is not ${expected}.`, `Set "${name}" in the step's "with:" block to ${expected}.`);
}

/** A value the step must give; `example` shows a valid line for the `with:` block. */
export function required(name: string, example?: string): string {
  const value = read(name);
  if (value === '') {
    throw new UserError(`Input "${name}" is required but was not given.`, `Add it to the step's "with:" block${example ? `, for example: ${name}: ${example}` : ''}.`);
  }
  return value;
}

export function optional(name: string): string | undefined {
  const value = read(name);
  return value === '' ? undefined : value;
}

/** Items separated by newlines or commas; blank items and `#` comment lines are dropped. */
/** An optional value that must match `pattern`; `expected` names the accepted form in the error. */
export function matching(name: string, pattern: RegExp, expected: string): string | undefined {
  const value = optional(name);
  if (value !== undefined && !pattern.test(value)) throw invalid(name, value, expected);
  return value;
}

export function list(name: string): string[] {
  return read(name)
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function boolean(name: string, fallback: boolean): boolean {
  const value = read(name);
  if (value === '') return fallback;
  if (/^(true|yes|on)$/i.test(value)) return true;
  if (/^(false|no|off)$/i.test(value)) return false;
  throw invalid(name, value, 'a boolean (true or false)');
}

export function integer(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
  const value = read(name);
  if (value === '') return fallback;
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  const expected = range.min !== undefined && range.max !== undefined ? `a whole number from ${min} to ${max}` : range.min !== undefined ? `a whole number of at least ${min}` : 'a whole number';
  if (!/^-?\d+$/.test(value)) throw invalid(name, value, expected);
  const number = Number(value);
  if (number < min || number > max) throw invalid(name, value, expected);
  return number;
}

/** A duration such as `90s`, `15m` or `1h30m` (a bare number means seconds), in milliseconds. */
export function duration(name: string, fallback: string, range: { minMs?: number; maxMs?: number } = {}): number {
  const value = read(name) || fallback;
  const ms = parseDuration(value);
  const expected = 'a duration such as 90s, 15m or 1h30m (a bare number means seconds)';
  if (ms === undefined) throw invalid(name, value, expected);
  if (range.minMs !== undefined && ms < range.minMs) throw invalid(name, value, `a duration of at least ${formatDuration(range.minMs)}`);
  if (range.maxMs !== undefined && ms > range.maxMs) throw invalid(name, value, `a duration of at most ${formatDuration(range.maxMs)}`);
  return ms;
}

export function oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const value = read(name);
  if (value === '') return fallback;
  const match = allowed.find((option) => option.toLowerCase() === value.toLowerCase());
  if (!match) throw invalid(name, value, `one of: ${allowed.join(', ')}`);
  return match;
}

/** Parsed JSON, or undefined when the input is empty. `describe` names the expected shape in errors. */
export function json<T = unknown>(name: string, describe: string): T | undefined {
  const value = read(name);
  if (value === '') return undefined;
  return parseJson(
    value,
    (reason) => new UserError(`Input "${name}" is not valid JSON (${reason}); it should be ${describe}.`, `Pass the value through unchanged, e.g. "${name}: \${{ steps.<id>.outputs.<name> }}", or write it as JSON.`),
  ) as T;
}

/** A directory that must exist, relative to `root` (the workspace); `root` itself when empty. */
export function directory(name: string, root: string): string {
  const value = read(name);
  if (value === '') return root;
  const path = isAbsolute(value) ? value : resolve(root, value);
  const found = statSync(path, { throwIfNoEntry: false });
  if (!found?.isDirectory()) {
    throw new UserError(
      `Input "${name}" is "${quoted(value)}", but ${path} ${found ? 'is not a directory' : 'does not exist'}.`,
      `Set "${name}" to a directory of the checked-out repository (relative to ${root}), or check out the repository before this step (actions/checkout).`,
    );
  }
  return path;
}
