/**
 * Parsing of the deploy action's structured inputs (image maps, environment lines, health URLs,
 * rollback targets). Pure functions: every mistake is a UserError naming the input.
 */
import { UserError, parseJson, quoted } from '../errors.js';
import type { BakeWait, RollbackTo, Strategy } from './types.js';
import { formatDuration, parseDuration } from '../time.js';
import { IMAGE_TAG, imageProblem } from '../images.js';
const KEY = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TASK_DEFINITION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]+:\d+$/;
const FAMILY_REVISION = /^[A-Za-z0-9_-]{1,255}:\d+$/;

/** Non-empty, non-comment lines. */
function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * `images`: `key=image` lines (or comma-separated pairs), or a JSON object of key to image. Keys are
 * service names, `service.container`, or container names, as the caller decides.
 */
export function parseImages(text: string | undefined, input = 'images'): Record<string, string> {
  if (!text) return {};
  const entries: [string, string][] = [];
  if (text.trimStart().startsWith('[')) {
    throw new UserError(`Input "${input}" is a JSON list; it must name the service of each image.`, 'Give a JSON object such as {"api": "<image>"}, or one api=<image> line per service.');
  }
  if (text.trimStart().startsWith('{')) {
    const parsed = parseJson(text, (reason) => new UserError(`Input "${input}" looks like JSON but does not parse: ${reason}.`, 'Give a JSON object such as {"api": "<image>"}, or one api=<image> line per service.'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new UserError(`Input "${input}" must be a JSON object of service name to image.`, 'For example {"api": "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api@sha256:..."}.');
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value !== 'string') throw new UserError(`Input "${input}" gives "${key}" a ${typeof value}; each value must be an image reference string.`, 'Use the image-with-digest output of build-push.');
      entries.push([key, value]);
    }
  } else {
    for (const line of lines(text).flatMap((item) => item.split(/,(?=[^,=]+=)/))) {
      const at = line.indexOf('=');
      if (at <= 0) throw new UserError(`Input "${input}" has the line "${line}", which is not <service>=<image>.`, 'Write one service=image pair per line, e.g. api=123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:abc123.');
      entries.push([line.slice(0, at).trim(), line.slice(at + 1).trim()]);
    }
  }
  const images: Record<string, string> = {};
  for (const [key, image] of entries) {
    if (!KEY.test(key)) throw new UserError(`Input "${input}" has the key "${key}", which is not a service or container name.`, 'Keys are a service name, or <service>.<container> to set another container of that service.');
    const problem = imageProblem(image);
    if (problem) throw new UserError(`Input "${input}" gives "${key}" the image "${quoted(image)}", which is ${problem}.`, 'Use <registry>/<repository>:<tag> or <registry>/<repository>@sha256:<digest>.');
    if (key in images && images[key] !== image) throw new UserError(`Input "${input}" gives "${key}" two different images.`, 'Name each service (or container) once.');
    images[key] = image;
  }
  return images;
}

/** `environment`: KEY=VALUE lines; the value may contain `=` and is kept as written. */
export function parseEnvironment(text: string | undefined, input = 'environment'): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const line of lines(text ?? '')) {
    const at = line.indexOf('=');
    const name = at > 0 ? line.slice(0, at).trim() : '';
    if (!ENV_NAME.test(name))
      throw new UserError(
        `Input "${input}" has the line "${line.length > 60 ? `${line.slice(0, 57)}...` : line}", which is not NAME=value.`,
        'Write one NAME=value per line; names are letters, digits and _ and do not start with a digit.',
      );
    environment[name] = line.slice(at + 1);
  }
  return environment;
}

/** `health-url`: one URL for every service, or `service=url` lines. */
export function parseHealthUrls(text: string | undefined, input = 'health-url'): { all?: string; byService: Record<string, string> } {
  const entries = lines(text ?? '');
  const byService: Record<string, string> = {};
  if (entries.length === 1 && /^https?:\/\//i.test(entries[0]!)) return { all: checkUrl(entries[0]!, input), byService };
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const name = at > 0 ? entry.slice(0, at).trim() : '';
    if (!KEY.test(name) || !/^https?:\/\//i.test(entry.slice(at + 1).trim())) {
      throw new UserError(`Input "${input}" has the line "${entry}", which is neither a URL nor <service>=<url>.`, 'Give one http(s) URL, or one service=https://... line per service.');
    }
    byService[name] = checkUrl(entry.slice(at + 1).trim(), input);
  }
  return { byService };
}

function checkUrl(value: string, input: string): string {
  try {
    return new URL(value).toString();
  } catch {
    throw new UserError(`Input "${input}" has "${value}", which is not a valid URL.`, 'Give a full URL such as https://api.example.com/healthz.');
  }
}

/**
 * `rollback-to`: previous, a revision number, family:revision or a task-definition ARN, or an image
 * tag / git SHA. Up to six digits is a revision number; longer digit strings are short SHAs
 * (git abbreviates to seven characters, and one in thirty of those is all digits).
 */
export function parseRollbackTo(text: string | undefined, input = 'rollback-to'): RollbackTo | undefined {
  const value = text?.trim();
  if (!value) return undefined;
  if (/^previous$/i.test(value)) return { kind: 'previous' };
  if (/^\d{1,6}$/.test(value)) return { kind: 'revision', revision: Number(value) };
  if (TASK_DEFINITION_ARN.test(value) || FAMILY_REVISION.test(value)) return { kind: 'task-definition', reference: value };
  if (IMAGE_TAG.test(value)) return { kind: 'image-tag', tag: value };
  throw new UserError(
    `Input "${input}" is "${value}", which is not previous, a revision number, a task-definition ARN, or an image tag.`,
    'Use previous (the last revision that ran successfully), a revision number such as 42, arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>, or the image tag (git SHA) of a build to put back.',
  );
}

/** `services`: a JSON array (the changes action's output), `all`, or names separated by commas or newlines. */
export function parseServiceNames(text: string, input = 'services'): string[] | 'all' {
  const value = text.trim();
  if (value.startsWith('[')) {
    const parsed = parseJson(
      value,
      (reason) => new UserError(`Input "${input}" looks like a JSON array but does not parse: ${reason}.`, 'Pass the changes action\'s "services" output unchanged, or list names separated by commas.'),
    );
    if (!Array.isArray(parsed) || parsed.some((name) => typeof name !== 'string')) {
      throw new UserError(`Input "${input}" must be a JSON array of service names.`, 'For example ["api","web"], or api,web.');
    }
    return [...new Set(parsed as string[])];
  }
  const names = lines(value)
    .flatMap((line) => line.split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 1 && names[0]!.toLowerCase() === 'all') return 'all';
  return [...new Set(names)];
}

/** `bake-wait` (or a manifest service's `ecs.bakeWait`): full, none, or a duration into bake time. */
export function parseBakeWait(text: string | undefined, where = 'Input "bake-wait"'): BakeWait {
  const value = text?.trim().toLowerCase();
  if (!value || value === 'full') return { kind: 'full' };
  if (value === 'none' || value === '0' || value === '0s') return { kind: 'none' };
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0 || ms > 24 * 3_600_000) {
    throw new UserError(
      `${where} is "${text}", which is not full, none or a duration.`,
      'Use full (watch until ECS reports the deployment SUCCESSFUL, after bake time and clean-up), none (stop watching once production traffic has moved and bake time starts), or how long to watch bake time, such as 5m.',
    );
  }
  return { kind: 'duration', ms, text: formatDuration(ms) };
}

const STRATEGY_NAMES: Record<string, Strategy> = { rolling: 'ROLLING', 'blue-green': 'BLUE_GREEN', blue_green: 'BLUE_GREEN', bluegreen: 'BLUE_GREEN', linear: 'LINEAR', canary: 'CANARY' };

/** `strategy`: an ECS deployment strategy, written as ECS does (BLUE_GREEN) or in lower case (blue-green). */
export function parseStrategy(text: string | undefined, input = 'strategy'): Strategy | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const strategy = STRATEGY_NAMES[text.trim().toLowerCase()];
  if (!strategy) {
    throw new UserError(`Input "${input}" is "${text}", which is not an ECS deployment strategy.`, 'Use ROLLING, BLUE_GREEN, LINEAR or CANARY, or leave it empty to deploy with the strategy the service is configured with.');
  }
  return strategy;
}
