import * as core from '../../../shared/core.js';
import * as input from '../../../shared/inputs.js';
import { UserError } from '../../../shared/errors.js';
import { botDestination, checkBotToken, webhookDestination } from '../../../shared/notify/destination.js';
import { parseMentions } from '../../../shared/notify/mention.js';
import { requireOutcome } from '../../../shared/notify/outcome.js';
import { parseBuilds, parseChanges, parseDeployment, parseMigration, parseNeeds } from '../../../shared/notify/results.js';
import { FORMATS, STATUSES, type Destination, type NotifyInputs } from '../../../shared/notify/types.js';

/** Reads a secret and masks it (each of its lines too, should it hold several) before anything else happens. */
function secret(name: string): string | undefined {
  const value = input.optional(name);
  if (value) {
    core.setSecret(value);
    for (const line of value.split(/\r?\n/)) if (line.trim().length >= 8 && line !== value) core.setSecret(line.trim());
  }
  return value;
}

function destination(): Destination {
  const webhookUrl = secret('webhook-url');
  const token = secret('slack-bot-token');
  const format = input.oneOf('format', FORMATS, 'slack');
  if (webhookUrl && token) {
    throw new UserError('Inputs "webhook-url" and "slack-bot-token" are both set; give one.', 'Use "webhook-url" for an incoming webhook, or "slack-bot-token" with "slack-channel" to post (and update) as a bot.');
  }
  if (!webhookUrl && !token) {
    throw new UserError(
      'Input "webhook-url" or "slack-bot-token" is required, and neither was given.',
      'Pass one from a secret, e.g. webhook-url: ${{ secrets.SLACK_WEBHOOK_URL }}. A secret is empty when it is not defined for this repository or environment, and in workflows run from forks.',
    );
  }
  if (webhookUrl) {
    if (input.optional('message-ts')) {
      throw new UserError('Input "message-ts" needs "slack-bot-token": an incoming webhook cannot update a message.', 'Post with a bot token (chat:write scope) and "slack-channel" to update messages in place.');
    }
    if (input.optional('slack-channel')) core.warning('Input "slack-channel" is ignored with "webhook-url": an incoming webhook posts to the channel chosen when it was created.');
    return webhookDestination(webhookUrl, format);
  }
  if (format === 'generic') {
    throw new UserError('Input "format" is "generic", which applies to "webhook-url" only.', 'Remove "format" to post Block Kit messages with the bot token, or use a generic "webhook-url".');
  }
  checkBotToken(token!);
  return botDestination({
    token: token!,
    channel: input.required('slack-channel', 'C0123456789'),
    apiUrl: input.optional('slack-api-url'),
    messageTs: input.optional('message-ts'),
  });
}

function status(): NotifyInputs['status'] {
  return input.optional('status') === undefined ? undefined : input.oneOf('status', STATUSES, 'success');
}

export function getInputs(): NotifyInputs {
  const inputs: NotifyInputs = {
    destination: destination(),
    status: status(),
    needs: parseNeeds(input.json('needs', 'the needs context, ${{ toJSON(needs) }}')),
    environment: input.optional('environment'),
    title: input.optional('title'),
    mentionOnFailure: parseMentions(input.optional('mention-on-failure')),
    changes: parseChanges(input.json('changes', 'the "result" output of changes')),
    builds: parseBuilds(input.json('builds', 'the "result" output of build-push, an array of them, or an object keyed by service')),
    migration: parseMigration(input.json('migration', 'the "result" output of migrate')),
    deployment: parseDeployment(input.json('deployment', 'the "result" output of deploy-ecs')),
    failOnError: input.boolean('fail-on-error', false),
    retries: input.integer('retries', 3, { min: 0, max: 10 }),
  };
  requireOutcome(inputs);
  return inputs;
}
