/** The preflight action's inputs: which workflow, its inputs as JSON, and the secrets its steps use. */
import * as core from '../../../shared/core.js';
import * as input from '../../../shared/inputs.js';
import { UserError } from '../../../shared/errors.js';
import type { SecretName, WorkflowName } from '../../../shared/preflight/steps.js';

export interface Inputs {
  workflow: WorkflowName;
  inputs: Record<string, unknown>;
  secrets: Partial<Record<SecretName, string>>;
}

function secret(name: string): string | undefined {
  const value = input.optional(name);
  if (value) core.setSecret(value);
  return value;
}

export function getInputs(): Inputs {
  const webhook = secret('slack-webhook-url');
  const bot = secret('slack-bot-token');
  const workflow = input.oneOf('workflow', ['deploy', 'rollback'] as const, 'deploy');
  const given = input.json<unknown>('inputs', "the workflow's inputs, ${{ toJSON(inputs) }}");
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    throw new UserError('Input "inputs" must be the workflow\'s inputs as a JSON object.', 'Set it to ${{ toJSON(inputs) }}.');
  }
  return { workflow, inputs: given as Record<string, unknown>, secrets: { SLACK_WEBHOOK_URL: webhook, SLACK_BOT_TOKEN: bot } };
}
