import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import * as input from '../../../shared/inputs.js';
import { readAwsInputs, type AwsInputs } from '../../../shared/aws/inputs.js';
import { UserError } from '../../../shared/errors.js';
import { githubContext, readEventPayload } from '../../../shared/github.js';
import { REVISION } from '../../../shared/changes/base.js';
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
  /** Only used with since: last-deployed. */
  aws: AwsInputs;
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
    aws: readAwsInputs(),
  };
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
