import * as core from '../../../shared/core.js';
import * as input from '../../../shared/inputs.js';
import { UserError } from '../../../shared/errors.js';
import { requireOutcome } from '../../../shared/notify/outcome.js';
import { parseBuilds, parseChanges, parseDeployment, parseMigration, parseNeeds } from '../../../shared/notify/results.js';
import { FORMATS, STATUSES, type Destination, type Format, type NotifyInputs } from '../../../shared/notify/types.js';

export const DEFAULT_API_URL = 'https://slack.com/api';
const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;
const MESSAGE_TS = /^\d+\.\d+$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Reads a secret and masks it (and the forms it could be printed in) before anything else happens. */
function secret(name: string): string | undefined {
  const value = input.optional(name);
  if (value) core.setSecret(value);
  return value;
}

function parseUrl(name: string, value: string, example: string, secretValue: boolean): URL {
  const fix = `Set "${name}" to a URL such as ${example}.`;
  if (/\s/.test(value)) throw new UserError(`Input "${name}" contains spaces or line breaks, so it is not a URL.`, `${fix} Copy it again without surrounding text.`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`Input "${name}" is not a valid URL.`, fix);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UserError(`Input "${name}" is a ${url.protocol} URL; only https (or http) URLs can be posted to.`, fix);
  if (secretValue && url.href !== value) core.setSecret(url.href);
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) core.warning(`Input "${name}" is an http URL: the message and the URL travel unencrypted. Use https.`);
  return url;
}

function webhookDestination(value: string, format: Format): Destination {
  const url = parseUrl('webhook-url', value, 'https://hooks.slack.com/services/T…/B…/…', true);
  if (format === 'slack' && url.hostname === 'hooks.slack.com' && /^\/(triggers|workflows)\//.test(url.pathname)) {
    core.warning(
      'Input "webhook-url" is a Slack Workflow Builder webhook, which takes variables rather than a message. Use an incoming webhook (https://hooks.slack.com/services/…), or format: generic to send plain JSON.',
    );
  }
  return { kind: 'webhook', url: url.href, format };
}

function botDestination(token: string): Destination {
  if (/^https?:\/\//i.test(token)) {
    throw new UserError('Input "slack-bot-token" holds a URL, not a token.', 'Pass an incoming webhook URL as "webhook-url", or a bot token (xoxb-…) as "slack-bot-token".');
  }
  if (/\s/.test(token)) throw new UserError('Input "slack-bot-token" contains spaces or line breaks.', 'Copy the bot token (xoxb-…) again, without surrounding text.');
  if (token.startsWith('xapp-')) {
    throw new UserError('Input "slack-bot-token" is an app-level token (xapp-…), which cannot post messages.', 'Use the "Bot User OAuth Token" (xoxb-…) from the app\'s OAuth & Permissions page.');
  }
  const channel = input.required('slack-channel', 'C0123456789');
  const apiUrl = parseUrl('slack-api-url', input.optional('slack-api-url') ?? DEFAULT_API_URL, DEFAULT_API_URL, false).href;
  const messageTs = input.optional('message-ts');
  if (messageTs !== undefined) {
    if (!MESSAGE_TS.test(messageTs)) {
      throw new UserError(`Input "message-ts" is "${messageTs}", which is not a Slack message timestamp (like 1712345678.123456).`, 'Pass the "ts" output of the notify step that posted the message.');
    }
    if (!CHANNEL_ID.test(channel)) {
      throw new UserError(
        `Input "slack-channel" is "${channel}", a channel name; updating a message ("message-ts") needs the channel ID.`,
        'Pass the "channel" output of the notify step that posted the message, e.g. slack-channel: ${{ steps.notify.outputs.channel }}.',
      );
    }
  }
  return { kind: 'bot', token, channel: channel.replace(/^#/, ''), apiUrl, messageTs };
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
  return botDestination(token!);
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
    mentionOnFailure: input.optional('mention-on-failure'),
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
