import { tmpdir } from 'node:os';
import * as input from '../../../shared/inputs.js';
import { readAwsInputs } from '../../../shared/aws/inputs.js';
import { UserError } from '../../../shared/errors.js';
import { githubContext } from '../../../shared/github.js';
import { parseServiceNames } from '../../../shared/deploy/parse.js';
import { DEFAULT_MANIFEST } from '../../../shared/manifest/file.js';
import type { PromoteInputs } from '../../../shared/promote/types.js';

const ENVIRONMENT = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const ENVIRONMENT_FORM = 'an environment name of the manifest (lowercase letters, digits, - and _)';

function commit(): string | undefined {
  const value = input.optional('commit');
  if (value !== undefined && !/^[0-9a-fA-F]{40}$/.test(value)) {
    throw new UserError(`Input "commit" is "${value}", which is not a full commit SHA.`, 'Give all 40 hex digits (images are tagged with the full SHA), for example ${{ github.sha }} or the output of "git rev-parse <ref>".');
  }
  return value?.toLowerCase();
}

export function getInputs(): PromoteInputs {
  const to = input.required('to', 'production');
  if (!ENVIRONMENT.test(to)) throw new UserError(`Input "to" is "${to}", which is not ${ENVIRONMENT_FORM}.`, 'Set "to" to an entry of the manifest\'s "environments", such as production.');
  const from = input.matching('from', ENVIRONMENT, ENVIRONMENT_FORM);
  return {
    manifest: input.optional('manifest') ?? DEFAULT_MANIFEST,
    to,
    from,
    commit: commit(),
    services: parseServiceNames(input.optional('services') ?? 'all'),
    aws: readAwsInputs(),
    workspace: githubContext().workspace,
    tempDir: process.env.RUNNER_TEMP || tmpdir(),
  };
}
