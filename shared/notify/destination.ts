/**
 * Where a message goes: the webhook URL, or the bot token with its channel and API URL. Both carry
 * a secret, so each is checked before anything is sent: https only (plain http to a loopback
 * address alone), no credentials in a URL, and the common mix-ups named with their fix. No check
 * prints a secret.
 */
import { isLoopbackAddress } from '../net.js';
import * as core from '../core.js';
import { UserError, quote } from '../errors.js';
import type { Destination, Format } from './types.js';

const DEFAULT_API_URL = 'https://slack.com/api';
const WEBHOOK_EXAMPLE = 'https://hooks.slack.com/services/T…/B…/…';

const looksLikeToken = (value: string) => /^xox[a-z]-|^xoxe\./i.test(value);

/**
 * A URL a secret travels to: the webhook URL itself, or the API URL the token is sent to. Checked
 * without ever quoting the value.
 */
function destinationUrl(name: 'webhook-url' | 'slack-api-url', value: string, example: string): URL {
  const fix = `Set "${name}" to a URL such as ${example}.`;
  if (/\s/.test(value)) throw new UserError(`Input "${name}" contains spaces or line breaks, so it is not a URL.`, `${fix} Copy it again without surrounding text.`);
  if (looksLikeToken(value)) {
    throw new UserError(`Input "${name}" holds a Slack token, not a URL.`, `Pass a bot token as "slack-bot-token" (with "slack-channel"). ${fix}`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:/i.test(value) ? '' : ' (it does not start with https://)';
    throw new UserError(`Input "${name}" is not a valid URL${scheme}.`, fix);
  }
  if (name === 'webhook-url' && url.href !== value) core.setSecret(url.href);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UserError(`Input "${name}" has the scheme "${url.protocol}"; messages are posted to https URLs only.`, fix);
  }
  if (url.username || url.password) {
    throw new UserError(
      `Input "${name}" has ${url.password ? 'a user name and password' : 'a user name'} in it (user:password@host).`,
      name === 'webhook-url'
        ? 'Remove the "user:password@" part. A Slack incoming webhook carries its secret in the path and takes no password: copy its URL again from the app\'s Incoming Webhooks page; a receiver of your own should take its secret in the path over https.'
        : `Remove the "user:password@" part: the bot token is sent in the Authorization header. ${fix}`,
    );
  }
  if (url.protocol === 'http:' && !isLoopbackAddress(url.hostname)) {
    const secret = name === 'webhook-url' ? 'the webhook URL (a secret)' : 'the bot token';
    const https = `Use https://…; plain http is accepted only to a loopback address (127.0.0.0/8 or [::1]), such as a proxy on the runner itself.`;
    if (/^localhost\.?$|\.localhost\.?$/i.test(url.hostname)) {
      throw new UserError(
        `Input "${name}" is a plain http URL to "${url.hostname}", a name rather than an address: the runner's hosts file and DNS decide where it goes, so ${secret} is not known to stay on this machine.`,
        `Write the loopback address instead, http://127.0.0.1:<port>/… or http://[::1]:<port>/…, or use https.`,
      );
    }
    throw new UserError(`Input "${name}" is a plain http URL to ${url.hostname}: ${secret} and the message would cross the network unencrypted.`, https);
  }
  return url;
}

export function webhookDestination(value: string, format: Format): Destination {
  const url = destinationUrl('webhook-url', value, WEBHOOK_EXAMPLE);
  if (format === 'slack' && url.hostname === 'hooks.slack.com' && /^\/(triggers|workflows)\//.test(url.pathname)) {
    throw new UserError(
      'Input "webhook-url" is a Slack Workflow Builder webhook, which takes the variables of a workflow, not a message.',
      'Use an incoming webhook (https://hooks.slack.com/services/…), or set "format: generic" to send {"text", …} to a workflow that has a "text" variable.',
    );
  }
  return { kind: 'webhook', url: url.href, format };
}

/** The bot token, checked for the usual mix-ups without quoting it. */
export function checkBotToken(token: string): void {
  const name = 'Input "slack-bot-token"';
  const page = 'Use the "Bot User OAuth Token" (xoxb-…) from the app\'s OAuth & Permissions page.';
  if (/^https?:\/\//i.test(token)) {
    throw new UserError(`${name} holds a URL, not a token.`, 'Pass an incoming webhook URL as "webhook-url", or a bot token (xoxb-…) as "slack-bot-token".');
  }
  if (/^bearer\s/i.test(token)) throw new UserError(`${name} starts with "Bearer ".`, 'Pass the token alone (xoxb-…); the step adds "Bearer ".');
  if (/\s/.test(token)) throw new UserError(`${name} contains spaces or line breaks.`, 'Copy the bot token (xoxb-…) again, without surrounding text.');
  if (/^xapp-/i.test(token)) throw new UserError(`${name} is an app-level token (xapp-…), which cannot post messages.`, page);
  if (/^xoxe-/i.test(token)) throw new UserError(`${name} is a refresh token (xoxe-…), which cannot post messages.`, `${page} With token rotation, pass the access token (xoxe.xoxb-…).`);
  if (!/^(xoxe\.)?xox[a-z]-/.test(token)) throw new UserError(`${name} is not a Slack token: Slack tokens start with "xox" (a bot token with "xoxb-").`, page);
}

/** A channel ID (C0123456789) or name (#deploys); a link, a mention or text around it is refused with the ID to use. */
function checkChannel(channel: string): string {
  const name = `Input "slack-channel" is ${quote(channel)}`;
  const hint = 'Set it to the channel ID (in Slack: open the channel, then its name; the ID is at the bottom), e.g. C0123456789, or to its name, e.g. #deploys.';
  const link = /^<#([A-Z0-9]+)(?:\|[^<>]*)?>$/.exec(channel);
  if (link) throw new UserError(`${name}, a channel link as Slack writes it.`, `Pass the channel ID alone: slack-channel: ${link[1]}.`);
  const archive = /^https?:\/\/[^/]+\/(?:archives|client\/[A-Z0-9]+)\/([CGD][A-Z0-9]+)/.exec(channel);
  if (archive) throw new UserError(`${name}, a link to the channel.`, `Pass the channel ID alone: slack-channel: ${archive[1]}.`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(channel)) throw new UserError(`${name}, a URL, not a channel.`, hint);
  if (/[\s\p{Cc}]/u.test(channel)) throw new UserError(`${name}, which has spaces or line breaks; a channel name or ID has none.`, hint);
  if (channel.startsWith('@')) throw new UserError(`${name}, a person's name; the step posts to a channel.`, `${hint} To message a person, pass their member ID (U0123ABCD).`);
  if (/[<>|,&*"'`]/.test(channel) || channel.replace(/^#/, '').length > 80 || channel === '#') throw new UserError(`${name}, which is not a channel name or ID.`, hint);
  return channel.replace(/^#/, '');
}

/** Slack message timestamps: seconds, a dot, six digits. The permalink form (p1712345678000100) is translated in the hint. */
function checkMessageTs(messageTs: string): string {
  if (/^\d{9,11}\.\d{6}$/.test(messageTs)) return messageTs;
  const permalink = /(?:^|\/)p(\d{9,11})(\d{6})(?:[?#].*)?$/.exec(messageTs);
  const hint = permalink
    ? `That is the message's permalink form; its "ts" is ${permalink[1]}.${permalink[2]}. Better, pass the "ts" output of the notify step that posted it.`
    : 'Pass the "ts" output of the notify step that posted the message, e.g. message-ts: ${{ needs.announce.outputs.ts }}.';
  throw new UserError(`Input "message-ts" is ${quote(messageTs)}, which is not a Slack message timestamp (like 1712345678.123456).`, hint);
}

const API_METHOD = /\/((?:chat|conversations|auth|users|api)\.[A-Za-z]+)\/?$/;

export interface BotInputs {
  token: string;
  channel: string;
  apiUrl?: string;
  messageTs?: string;
}

export function botDestination(inputs: BotInputs): Destination {
  checkBotToken(inputs.token);
  const channel = checkChannel(inputs.channel);
  const apiUrl = destinationUrl('slack-api-url', inputs.apiUrl ?? DEFAULT_API_URL, DEFAULT_API_URL);
  const method = API_METHOD.exec(apiUrl.pathname);
  if (method) {
    throw new UserError(`Input "slack-api-url" ends in the method "${method[1]}"; it is the base URL that each method is added to.`, `Set it to ${DEFAULT_API_URL} (or your GovSlack or proxy base URL), without the method.`);
  }
  const messageTs = inputs.messageTs === undefined ? undefined : checkMessageTs(inputs.messageTs);
  if (messageTs !== undefined && !/^[CGD][A-Z0-9]{6,}$/.test(channel)) {
    throw new UserError(
      `Input "slack-channel" is "${inputs.channel}", a channel name; updating a message ("message-ts") needs the channel ID.`,
      'Pass the "channel" output of the notify step that posted the message, e.g. slack-channel: ${{ steps.notify.outputs.channel }}.',
    );
  }
  return { kind: 'bot', token: inputs.token, channel, apiUrl: apiUrl.href, messageTs };
}
