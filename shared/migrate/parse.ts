/**
 * Parsing of the migrate action's structured inputs. Kept free of the AWS SDK so the action can
 * validate everything before it loads the engine.
 */
import { UserError, parseJson, quoted } from '../errors.js';
import { imageProblem } from '../images.js';

export type LaunchType = 'FARGATE' | 'EC2' | 'EXTERNAL';

export interface CapacityProviderItem {
  capacityProvider: string;
  weight?: number;
  base?: number;
}

/** A JSON array of strings, or any other text run with `sh -c`. */
export function parseCommand(text: string, input: string): string[] {
  const trimmed = text.trim();
  if (!trimmed.startsWith('[')) return ['sh', '-c', trimmed];
  const parsed = parseJson(
    trimmed,
    (reason) =>
      new UserError(
        `Input "${input}" starts with "[" but is not a valid JSON array (${reason}).`,
        `Write it as a JSON array of strings, e.g. ${input}: '["sh", "-c", "cd apps/api && npx prisma migrate deploy"]', or as plain text, which runs with sh -c.`,
      ),
  );
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((part) => typeof part === 'string')) {
    throw new UserError(`Input "${input}" must be a non-empty JSON array of strings.`, `For example: ${input}: '["npx", "prisma", "migrate", "deploy"]', or plain text, which runs with sh -c.`);
  }
  return parsed as string[];
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `KEY=VALUE` lines (the value may contain `=`); blank lines and `#` comments are skipped. */
export function parseEnvironment(text: string, input: string): Record<string, string> {
  const variables: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const at = line.indexOf('=');
    const name = at > 0 ? line.slice(0, at).trim() : '';
    if (!VARIABLE_NAME.test(name)) {
      // Never echo the line: its value may be a secret.
      throw new UserError(
        `Line ${index + 1} of input "${input}" is not NAME=VALUE with a variable name of letters, digits and _ (not starting with a digit).`,
        `Write one variable per line, e.g.\n  ${input}: |\n    LOG_LEVEL=debug\n    PRISMA_HIDE_UPDATE_MESSAGE=1`,
      );
    }
    if (name in variables) {
      throw new UserError(`Input "${input}" sets ${name} twice (line ${index + 1}).`, 'Keep one line per variable.');
    }
    variables[name] = line.slice(at + 1);
  });
  return variables;
}

/** A JSON array of `{ capacityProvider, weight?, base? }`, as RunTask takes it. */
export function parseCapacityProviderStrategy(value: unknown, input: string): CapacityProviderItem[] {
  const example = `${input}: '[{"capacityProvider": "FARGATE_SPOT", "weight": 1}]'`;
  if (!Array.isArray(value) || value.length === 0 || value.length > 20) {
    throw new UserError(`Input "${input}" must be a JSON array of 1 to 20 capacity providers.`, `For example: ${example}`);
  }
  return value.map((item, index) => {
    const entry = item as Record<string, unknown>;
    const bad = (what: string) => new UserError(`Item ${index + 1} of input "${input}" ${what}.`, `For example: ${example}`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad('is not an object');
    if (typeof entry.capacityProvider !== 'string' || entry.capacityProvider === '') throw bad('has no "capacityProvider" name');
    const unknown = Object.keys(entry).filter((key) => !['capacityProvider', 'weight', 'base'].includes(key));
    if (unknown.length) throw bad(`has unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `"${key}"`).join(', ')} (allowed: capacityProvider, weight, base)`);
    for (const [key, max] of [
      ['weight', 1000],
      ['base', 100000],
    ] as const) {
      const number = entry[key];
      if (number !== undefined && (typeof number !== 'number' || !Number.isInteger(number) || number < 0 || number > max)) {
        throw bad(`has "${key}": ${JSON.stringify(number)}, which is not a whole number from 0 to ${max}`);
      }
    }
    return { capacityProvider: entry.capacityProvider, weight: entry.weight as number | undefined, base: entry.base as number | undefined };
  });
}

const SUBNET = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP = /^sg-[0-9a-f]{8,17}$/;

export function checkIds(ids: string[], kind: 'subnet' | 'security group', input: string): string[] {
  const pattern = kind === 'subnet' ? SUBNET : SECURITY_GROUP;
  const bad = ids.find((id) => !pattern.test(id));
  if (bad !== undefined) {
    throw new UserError(`Input "${input}" contains "${bad}", which is not a ${kind} id.`, `List ${kind} ids such as ${kind === 'subnet' ? 'subnet-0123456789abcdef0' : 'sg-0123456789abcdef0'}, separated by commas or newlines.`);
  }
  return ids;
}

/** An image reference: no whitespace, and a repository part. Everything else is left to ECS. */
export function checkImage(image: string, input: string): string {
  const problem = imageProblem(image);
  if (problem) {
    throw new UserError(`Input "${input}" is "${quoted(image)}", which is ${problem}.`, `Pass the build step's output, e.g. ${input}: \${{ needs.build.outputs.image-with-digest }} (or <registry>/<repository>:<tag>).`);
  }
  return image;
}
