/** Sends the message where the inputs say: a webhook, a new bot message, or an update of one. */
import * as core from '../core.js';
import { genericPayload } from './generic.js';
import { DeliveryError } from './http.js';
import type { Report } from './report.js';
import { SlackApiError, permalink, postMessage, updateMessage } from './slack-api.js';
import type { SlackMessage } from './slack-message.js';
import type { Destination } from './types.js';
import { postToWebhook } from './webhook.js';

export interface Delivery {
  sent: boolean;
  /** Where it went, for logs and the summary: "Slack channel C0123", "the webhook on hooks.slack.com". */
  target: string;
  channel?: string;
  ts?: string;
  permalink?: string;
  updated?: boolean;
  error?: { message: string; hint: string };
}

/** An update that cannot happen, where posting a new message still tells the channel. */
const POST_INSTEAD = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

export function describeTarget(destination: Destination): string {
  return destination.kind === 'webhook' ? `the webhook on ${new URL(destination.url).host}` : `Slack channel ${destination.channel}`;
}

async function sendWithBot(destination: Extract<Destination, { kind: 'bot' }>, message: SlackMessage, retries: number): Promise<Delivery> {
  const api = { baseUrl: destination.apiUrl, token: destination.token, retries };
  let posted;
  let updated = false;
  if (destination.messageTs) {
    try {
      posted = await updateMessage(api, destination.channel, destination.messageTs, message);
      updated = true;
      core.info(`Updated message ${posted.ts} in ${posted.channel}.`);
    } catch (error) {
      if (!(error instanceof SlackApiError && POST_INSTEAD.has(error.code))) throw error;
      core.warning(`${error.message} Posting a new message instead.`);
    }
  }
  if (!posted) {
    posted = await postMessage(api, destination.channel, message);
    core.info(`Posted message ${posted.ts} in ${posted.channel}.`);
  }
  const link = await permalink(api, posted);
  return { sent: true, target: `Slack channel ${posted.channel}`, channel: posted.channel, ts: posted.ts, permalink: link, updated };
}

/** Sends once, with retries; a DeliveryError becomes `sent: false` with the reason, anything else is a bug and propagates. */
export async function deliver(destination: Destination, report: Report, message: SlackMessage, retries: number): Promise<Delivery> {
  const target = describeTarget(destination);
  try {
    if (destination.kind === 'bot') return await sendWithBot(destination, message, retries);
    const payload = destination.format === 'generic' ? genericPayload(report) : { text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false };
    await postToWebhook(destination.url, payload, destination.format, retries);
    core.info(`Posted to ${target}.`);
    return { sent: true, target };
  } catch (error) {
    if (!(error instanceof DeliveryError)) throw error;
    return { sent: false, target, error: { message: error.message, hint: error.hint } };
  }
}
