/**
 * Reads the JSON outputs of the other actions as they are: unknown fields are ignored and missing
 * optional fields tolerated. What decides the announced outcome (job results, outcome and status
 * words) or reaches a command (commit SHAs) is checked strictly, and a wrong overall shape is an
 * error, naming the input and the field. A link that is not http(s) is left out with a warning.
 */
import * as core from '../core.js';
import { UserError, quote } from '../errors.js';
import { checkLink } from './links.js';
import type { BuildResult, ChangesResult, DeployedService, DeploymentResult, MigrationResult, NeedsResult } from './types.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isObject(value))
    return `an object with ${
      Object.keys(value).length
        ? `keys ${Object.keys(value)
            .slice(0, 5)
            .map((key) => `"${key}"`)
            .join(', ')}`
        : 'no keys'
    }`;
  return `a ${typeof value}`;
}

function shapeError(input: string, expected: string, value: unknown, hint: string): UserError {
  return new UserError(`Input "${input}" is ${describe(value)}, not ${expected}.`, hint);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

function number(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

function flag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  return undefined;
}

/** Job outputs are strings: a result passed through `toJSON(needs.<job>.outputs)` arrives as JSON text. */
function unwrap(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}

/** The words GitHub gives as a job's result in the needs context. */
const JOB_RESULTS = ['success', 'failure', 'cancelled', 'skipped'] as const;
/** A job ID as GitHub accepts it in a workflow. */
const JOB_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;

export function parseNeeds(value: unknown, input = 'needs'): NeedsResult | undefined {
  if (value === null || value === undefined) return undefined;
  const hint = `Pass the whole needs context: "${input}: \${{ toJSON(needs) }}".`;
  if (!isObject(value)) throw shapeError(input, 'the needs context (an object with one entry per job)', value, hint);
  if (typeof value.result === 'string') {
    throw new UserError(`Input "${input}" holds a single job ("result": ${quote(value.result)}), not the needs context of every job.`, hint);
  }
  const needs: NeedsResult = {};
  for (const [job, entry] of Object.entries(value)) {
    if (!JOB_ID.test(job)) {
      throw new UserError(`Input "${input}" has an entry ${quote(job)}, which is not a job ID (letters, digits, "-" and "_", starting with a letter or "_"), so it is not the needs context.`, hint);
    }
    if (!isObject(entry) || typeof entry.result !== 'string') {
      throw new UserError(`Input "${input}" has an entry "${job}" with no "result" string, so it is not the needs context.`, hint);
    }
    // An unknown word must never be read as "not a failure": it would announce a success.
    if (!(JOB_RESULTS as readonly string[]).includes(entry.result)) {
      throw new UserError(
        `Input "${input}": job "${job}" has result ${quote(entry.result)}, which GitHub never gives; a job's result is ${JOB_RESULTS.slice(0, -1).join(', ')} or ${JOB_RESULTS.at(-1)}.`,
        `${hint} To state the outcome yourself, set "status" (started, success, failure, cancelled or skipped) instead.`,
      );
    }
    needs[job] = { result: entry.result };
  }
  return needs;
}

/** A word one of the other actions writes; anything else is refused rather than guessed at. */
function word(value: unknown, allowed: readonly string[], input: string, field: string, hint: string): string | undefined {
  const found = text(value);
  if (found === undefined || allowed.includes(found)) return found;
  throw new UserError(`Input "${input}": ${field} is ${quote(found)}, which is not one of: ${allowed.join(', ')}.`, hint);
}

/** A commit SHA: it becomes part of links and of a git command line, so nothing else may pass. */
function commitSha(value: unknown, input: string, field: string, hint: string): string | undefined {
  const found = text(value);
  if (found === undefined) return undefined;
  if (!/^[0-9a-fA-F]{4,64}$/.test(found)) throw new UserError(`Input "${input}": ${field} is ${quote(found)}, which is not a commit SHA.`, hint);
  return found.toLowerCase();
}

export type Warn = (message: string) => void;

/**
 * An http(s) link, or undefined. A bad link is dropped with a warning rather than refused: the
 * link is an extra, and refusing would lose the message, which is most needed when a deployment
 * failed. Only http(s) links reach a message, so no other scheme can be made clickable in Slack.
 */
function link(value: unknown, input: string, field: string, source: string, warn: Warn): string | undefined {
  const found = text(value);
  if (found === undefined) return undefined;
  const checked = checkLink(found);
  if ('url' in checked) return checked.url;
  warn(`Input "${input}": ${field} ${checked.problem}; the message leaves that link out. Pass the "result" output of ${source} unchanged: its links are https console URLs.`);
  return undefined;
}

export function parseChanges(value: unknown, input = 'changes'): ChangesResult | undefined {
  if (value === null || value === undefined) return undefined;
  const hint = `Pass the "result" output of the changes step unchanged: "${input}: \${{ needs.<job>.outputs.result }}".`;
  const expected = 'the result of changes (an object with "services")';
  if (Array.isArray(value)) {
    // The `services` output: the names of the changed services.
    if (!value.every((name) => typeof name === 'string')) throw shapeError(input, expected, value, hint);
    return { changed: value as string[] };
  }
  if (!isObject(value)) throw shapeError(input, expected, value, hint);
  const changes: ChangesResult = {
    base: commitSha(value.base, input, '"base"', hint),
    head: commitSha(value.head, input, '"head"', hint),
    event: text(value.event),
    migrate: flag(value.migrate),
    changed: [],
  };
  if (Array.isArray(value.services)) {
    for (const entry of value.services) {
      if (typeof entry === 'string') changes.changed.push(entry);
      else if (isObject(entry) && text(entry.name) && entry.changed !== false) changes.changed.push(text(entry.name)!);
    }
  } else if (Array.isArray(value.include)) {
    // The `matrix` output: one object per changed service.
    changes.changed = value.include.flatMap((entry) => {
      const name = isObject(entry) ? (text(entry.service) ?? text(entry.name)) : undefined;
      return name ? [name] : [];
    });
  } else {
    throw shapeError(input, expected, value, hint);
  }
  return changes;
}

const BUILD_FIELDS = ['service', 'image', 'digest', 'imageWithDigest', 'repository'];

function parseBuild(value: Json, where: string, input: string, key?: string): BuildResult {
  const service = text(value.service) ?? key;
  if (!service) {
    throw new UserError(`Input "${input}": ${where} names no service.`, `Pass the "result" output of build-push unchanged; it carries "service".`);
  }
  return {
    service,
    image: text(value.image),
    digest: text(value.digest),
    tags: Array.isArray(value.tags) ? value.tags.filter((tag): tag is string => typeof tag === 'string') : [],
    skipped: flag(value.skipped),
    durationSeconds: number(value.durationSeconds),
  };
}

/** One build-push result, an array of them, or an object keyed by service (values may be JSON text). */
export function parseBuilds(value: unknown, input = 'builds'): BuildResult[] | undefined {
  if (value === null || value === undefined) return undefined;
  const hint = `Pass the "result" output of build-push as it is, an array of them, or an object keyed by service ` + `(for example "${input}: \${{ toJSON(needs.<job>.outputs) }}" when the job has one result output per service).`;
  const expected = 'a build-push result, an array of them, or an object keyed by service';
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => {
      const entry = unwrap(item);
      if (entry === '' || entry === null) return [];
      if (!isObject(entry)) throw new UserError(`Input "${input}": item ${index} is ${describe(entry)}, not a build-push result.`, hint);
      return [parseBuild(entry, `item ${index}`, input)];
    });
  }
  if (!isObject(value)) throw shapeError(input, expected, value, hint);
  if (BUILD_FIELDS.some((field) => typeof value[field] === 'string')) return [parseBuild(value, 'the result', input)];
  return Object.entries(value).flatMap(([key, item]) => {
    const entry = unwrap(item);
    if (entry === '' || entry === null) return [];
    if (!isObject(entry)) throw new UserError(`Input "${input}": entry "${key}" is ${describe(entry)}, not a build-push result.`, hint);
    return [parseBuild(entry, `entry "${key}"`, input, key)];
  });
}

const MIGRATION_STATUSES = ['succeeded', 'failed', 'timed-out', 'cancelled'] as const;
const DEPLOY_OUTCOMES = ['deployed', 'rolled-back', 'failed'] as const;

export function parseMigration(value: unknown, input = 'migration', warn: Warn = core.warning): MigrationResult | undefined {
  if (value === null || value === undefined) return undefined;
  const hint = `Pass the "result" output of the migrate step unchanged: "${input}: \${{ needs.<job>.outputs.result }}".`;
  if (!isObject(value)) throw shapeError(input, 'the result of migrate (an object with "status")', value, hint);
  return {
    service: text(value.service),
    status: word(value.status, MIGRATION_STATUSES, input, '"status"', hint),
    exitCode: number(value.exitCode),
    durationSeconds: number(value.durationSeconds),
    reason: text(value.reason),
    consoleUrl: link(value.consoleUrl, input, '"consoleUrl"', 'migrate', warn),
  };
}

function parseDeployedService(value: unknown, index: number, input: string, hint: string, warn: Warn): DeployedService {
  if (!isObject(value)) throw new UserError(`Input "${input}": services item ${index} is ${describe(value)}, not a deployed service.`, hint);
  const service = text(value.service) ?? text(value.ecsService);
  if (!service) throw new UserError(`Input "${input}": services item ${index} names no service.`, hint);
  const field = (name: string) => `services[${index}].${name} (service ${quote(service)})`;
  return {
    service,
    ecsService: text(value.ecsService),
    taskDefinitionArn: text(value.taskDefinitionArn),
    revision: number(value.revision),
    image: text(value.image),
    outcome: word(value.outcome, DEPLOY_OUTCOMES, input, field('outcome'), hint),
    durationSeconds: number(value.durationSeconds),
    reason: text(value.reason),
    rolledBackTo: text(value.rolledBackTo),
    consoleUrl: link(value.consoleUrl, input, field('consoleUrl'), 'deploy-ecs', warn),
    strategy: text(value.strategy),
    stages: Array.isArray(value.stages) ? value.stages.filter((stage): stage is string => typeof stage === 'string') : undefined,
  };
}

export function parseDeployment(value: unknown, input = 'deployment', warn: Warn = core.warning): DeploymentResult | undefined {
  if (value === null || value === undefined) return undefined;
  const hint = `Pass the "result" output of the deploy-ecs step unchanged: "${input}: \${{ needs.<job>.outputs.result }}".`;
  const expected = 'the result of deploy-ecs (an object with "outcome" and "services")';
  if (!isObject(value) || (!('services' in value) && !('outcome' in value))) throw shapeError(input, expected, value, hint);
  if (value.services !== undefined && !Array.isArray(value.services)) {
    throw new UserError(`Input "${input}" has "services" as ${describe(value.services)}, not an array.`, hint);
  }
  return {
    outcome: word(value.outcome, DEPLOY_OUTCOMES, input, '"outcome"', hint),
    services: (value.services ?? []).map((service: unknown, index: number) => parseDeployedService(service, index, input, hint, warn)),
  };
}
