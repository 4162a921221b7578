import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as input from '../../../shared/inputs.js';
import { readAwsInputs, type AwsInputs } from '../../../shared/aws/inputs.js';
import { UserError } from '../../../shared/errors.js';
import { githubContext, readEventPayload } from '../../../shared/github.js';
import { REVISION } from '../../../shared/changes/base.js';
import * as core from '../../../shared/core.js';
import { DEFAULT_MANIFEST } from '../../../shared/manifest/file.js';

export interface Inputs {
  manifest: string;
  base?: string;
  head: string;
  /** Names, or ['all']. */
  services: string[];
  since: 'event' | 'last-deployed';
  defaultBranch: string;
  workingDirectory: string;
  eventName: string;
  payload: Record<string, unknown>;
  /** `manifest-environment`: read the services where this environment of the manifest runs them. */
  manifestEnvironment?: string;
  /** Used with since: last-deployed and by the plan. */
  aws: AwsInputs;
  plan?: PlanInputs;
}

export interface PlanInputs {
  /** Empty: every environment of the manifest. */
  environments?: string[];
  taskDefinitions: Record<string, string>;
  /** `plan-variables` as given: NAME=value lines, read by the plan engine as deploy-ecs reads its `environment`. */
  variables?: string;
  /** Set when the plan is also posted as a pull-request comment. */
  comment?: { token: string; pullRequest?: number; repository: string };
}

export function getInputs(): Inputs {
  const context = githubContext();
  const payload = readEventPayload();
  const repository = payload.repository as { default_branch?: unknown } | undefined;
  const payloadBranch = typeof repository?.default_branch === 'string' ? repository.default_branch : undefined;
  return {
    manifest: input.optional('manifest') ?? DEFAULT_MANIFEST,
    base: revision('base'),
    head: revision('head') ?? (context.sha || 'HEAD'),
    services: input.list('services'),
    since: input.oneOf('since', ['event', 'last-deployed'], 'event'),
    defaultBranch: input.optional('default-branch') ?? payloadBranch ?? 'main',
    workingDirectory: workingDirectory(context.workspace),
    eventName: context.eventName,
    payload,
    manifestEnvironment: input.optional('manifest-environment'),
    aws: readAwsInputs(),
    plan: planInputs(context.repository, payload),
  };
}

function planInputs(repository: string, payload: Record<string, unknown>): PlanInputs | undefined {
  const wanted = input.boolean('plan', false);
  const comment = input.boolean('comment', false);
  if (!wanted) {
    for (const name of ['plan-environments', 'plan-task-definitions', 'plan-variables']) {
      if (input.optional(name) !== undefined) throw new UserError(`Input "${name}" is set, but "plan" is false.`, `Set "plan: true" to plan the deployment, or remove "${name}".`);
    }
    if (comment) throw new UserError('Input "comment" is true, but "plan" is false: the comment is the plan.', 'Set "plan: true", or remove "comment".');
    return undefined;
  }
  const environments = input.list('plan-environments');
  return {
    environments: environments.length ? environments : undefined,
    taskDefinitions: servicePaths('plan-task-definitions'),
    variables: input.optional('plan-variables'),
    comment: comment ? commentTarget(repository, payload) : undefined,
  };
}

/** `service=path` lines. */
function servicePaths(name: string): Record<string, string> {
  const paths: Record<string, string> = {};
  for (const line of input.list(name)) {
    const at = line.indexOf('=');
    const service = at > 0 ? line.slice(0, at).trim() : '';
    const path = line.slice(at + 1).trim();
    if (!service || !path || /\s/.test(service)) {
      throw new UserError(
        `Input "${name}" has the line "${line}", which is not <service>=<task definition>.`,
        'Write one line per service, e.g. api=apps/api/task-definition.json (a file of the checkout, a family or family:revision).',
      );
    }
    paths[service] = path;
  }
  return paths;
}

function commentTarget(repository: string, payload: Record<string, unknown>): PlanInputs['comment'] {
  const token = input.optional('github-token');
  if (!token) {
    throw new UserError(
      'Input "comment" is true, but "github-token" is empty, so the pull request cannot be commented on.',
      'Leave "github-token" at its default (${{ github.token }}) and give the job "permissions: pull-requests: write", or set "comment: false".',
    );
  }
  core.setSecret(token);
  const pullRequest = (payload.pull_request as { number?: unknown } | undefined)?.number;
  return { token, repository, pullRequest: typeof pullRequest === 'number' ? pullRequest : undefined };
}

function revision(name: string): string | undefined {
  const value = input.optional(name);
  if (value !== undefined && !REVISION.test(value)) {
    throw new UserError(`Input "${name}" is "${value}", which is not a git revision.`, `Set "${name}" to a branch, tag or commit id (no spaces, not starting with "-").`);
  }
  return value;
}

/** The checkout to work in: it must be a directory that exists, named as the input it came from. */
function workingDirectory(workspace: string): string {
  const given = input.optional('working-directory');
  const path = resolve(workspace, given ?? '.');
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats?.isDirectory()) return path;
  const what = stats ? 'is not a directory' : 'does not exist';
  if (given === undefined) {
    throw new UserError(`The workspace ${path} (GITHUB_WORKSPACE) ${what}.`, 'Run this step in a job that checks out the repository (actions/checkout), or set "working-directory" to the checkout.');
  }
  throw new UserError(
    `Input "working-directory" is "${given}", but ${path} ${what}.`,
    'Set "working-directory" to the directory the repository is checked out in (relative to the workspace), or leave it empty for the workspace itself.',
  );
}
