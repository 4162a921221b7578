/**
 * Slack's Web API with a bot token: chat.postMessage, chat.update and chat.getPermalink. Slack
 * answers most errors with HTTP 200 and {"ok":false,"error":"…"}; each common one becomes a
 * message that says what to do.
 */
import * as core from '../core.js';
import { DeliveryError, request, withRetries } from './http.js';
import type { SlackMessage } from './slack-message.js';

export interface SlackApi {
  /** `https://slack.com/api`, or a stand-in. */
  baseUrl: string;
  token: string;
  retries: number;
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

/** Slack said `ok: false`; `code` is its error string. */
export class SlackApiError extends DeliveryError {
  constructor(
    readonly code: string,
    message: string,
    hint: string,
    retry?: { reason: string; afterMs?: number },
  ) {
    super(message, hint, retry);
  }
}

type Json = Record<string, unknown>;

const RETRYABLE = new Set(['ratelimited', 'internal_error', 'service_unavailable', 'request_timeout']);
const REFUSED_MESSAGE = new Set(['invalid_blocks', 'invalid_blocks_format', 'msg_too_long', 'msg_blocks_too_long', 'no_text', 'invalid_arguments', 'too_many_attachments', 'invalid_attachments']);
const WORKSPACE_POLICY = new Set([
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'ekm_access_denied',
  'team_access_not_granted',
  'access_denied',
  'no_permission',
  'posting_to_general_channel_denied',
]);

const TOKEN_PAGE = 'the "Bot User OAuth Token" (xoxb-…) on your Slack app\'s OAuth & Permissions page';

/** What went wrong and what to do, for one `ok: false` answer. */
function describeSlackError(method: string, body: Json, channel: string): { message: string; hint: string } {
  const error = String(body.error);
  const where = `channel "${channel}"`;
  switch (error) {
    case 'not_authed':
      return { message: `Slack received no token with ${method} (not_authed).`, hint: `Set "slack-bot-token" to ${TOKEN_PAGE}.` };
    case 'invalid_auth':
      return {
        message: `Slack rejected the bot token (invalid_auth).`,
        hint: `Set "slack-bot-token" to ${TOKEN_PAGE}; reinstalling the app issues a new token, and the secret must be updated with it.`,
      };
    case 'account_inactive':
    case 'token_revoked':
    case 'token_expired':
    case 'app_uninstalled':
      return {
        message: `The bot token no longer works (${error}): the app was uninstalled or its token revoked.`,
        hint: `Reinstall the Slack app to the workspace and store the new ${TOKEN_PAGE} in the secret passed as "slack-bot-token".`,
      };
    case 'not_allowed_token_type':
      return { message: `Slack does not accept this kind of token for ${method} (not_allowed_token_type).`, hint: `Use a bot token (xoxb-…): ${TOKEN_PAGE}.` };
    case 'missing_scope': {
      const needed = typeof body.needed === 'string' ? body.needed : 'chat:write';
      const provided = typeof body.provided === 'string' && body.provided ? ` (it has: ${body.provided})` : '';
      return {
        message: `The bot token lacks the "${needed}" scope needed for ${method}${provided}.`,
        hint: `Add the "${needed}" bot token scope on the app's OAuth & Permissions page, reinstall the app, and update the secret with the new token.`,
      };
    }
    case 'channel_not_found':
      return method === 'chat.update'
        ? {
            message: `Slack found no ${where} to update the message in (channel_not_found).`,
            hint: 'chat.update needs the channel ID (C…), not its name: pass the "channel" output of the step that posted the message as "slack-channel".',
          }
        : {
            message: `Slack found no ${where} that the bot can see (channel_not_found).`,
            hint: 'Check "slack-channel": use the channel ID (in Slack: open the channel, then its name, then "Channel ID" at the bottom) and, for a private channel, invite the app first with "/invite @<app name>".',
          };
    case 'not_in_channel':
      return {
        message: `The bot is not a member of ${where} (not_in_channel).`,
        hint: 'Invite the app to the channel ("/invite @<app name>" in the channel), or add the "chat:write.public" scope to post to public channels without joining.',
      };
    case 'is_archived':
    case 'channel_is_archived':
      return { message: `${where[0]!.toUpperCase()}${where.slice(1)} is archived (${error}).`, hint: 'Unarchive the channel or point "slack-channel" at another one.' };
    case 'message_not_found':
      return { message: `Slack found no message with that "message-ts" in ${where} (message_not_found).`, hint: 'Pass the "ts" output of the step that posted the message, with its "channel" output.' };
    case 'cant_update_message':
      return { message: `The bot cannot update that message (cant_update_message): another app or a person posted it.`, hint: 'Only messages posted with the same bot token can be updated.' };
    case 'edit_window_closed':
      return { message: 'The message is too old to be updated (edit_window_closed).', hint: 'Post a new message instead of updating this one.' };
    case 'ratelimited':
      return { message: `Slack rate limited ${method} (ratelimited).`, hint: 'Send fewer messages; Slack allows about one message per second per channel.' };
  }
  if (REFUSED_MESSAGE.has(error)) {
    const details = Array.isArray((body.response_metadata as Json | undefined)?.messages) ? `: ${((body.response_metadata as Json).messages as string[]).join('; ')}` : '';
    return {
      message: `Slack refused the message (${error}${details}).`,
      hint: "The message was built within Slack's documented limits, so this is a bug: report it with the job log (enable debug logging to include the payload).",
    };
  }
  if (WORKSPACE_POLICY.has(error)) {
    return { message: `The workspace does not let the app post to ${where} (${error}).`, hint: 'Ask a Slack workspace admin to allow the app to post there, or choose another channel.' };
  }
  return { message: `Slack answered ${method} with "${error}".`, hint: `See https://api.slack.com/methods/${method}#errors for what it means.` };
}

/** Calls one Web API method once; a refusal becomes a SlackApiError. */
async function callOnce(api: SlackApi, method: string, payload: Json, channel: string, httpMethod: 'GET' | 'POST'): Promise<Json> {
  const base = api.baseUrl.replace(/\/+$/, '');
  const query = httpMethod === 'GET' ? `?${new URLSearchParams(payload as Record<string, string>)}` : '';
  const reply = await request(
    `${base}/${method}${query}`,
    {
      method: httpMethod,
      headers: {
        authorization: `Bearer ${api.token}`,
        ...(httpMethod === 'POST' ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      },
      body: httpMethod === 'POST' ? JSON.stringify(payload) : undefined,
    },
    method,
  );
  const host = new URL(base).host;
  if (reply.status !== 200) {
    throw new DeliveryError(`${host} answered HTTP ${reply.status} to ${method}.`, `Check "slack-api-url" (it should be https://slack.com/api, or your Enterprise Grid / GovSlack API URL).`);
  }
  let body: Json;
  try {
    body = JSON.parse(reply.body) as Json;
  } catch {
    throw new DeliveryError(`${host} did not answer ${method} with JSON.`, 'Check "slack-api-url": it should be https://slack.com/api or a compatible API.');
  }
  if (body.ok === true) return body;
  const code = String(body.error ?? 'unknown_error');
  const { message, hint } = describeSlackError(method, body, channel);
  throw new SlackApiError(code, message, hint, RETRYABLE.has(code) ? { reason: code, afterMs: undefined } : undefined);
}

function call(api: SlackApi, method: string, payload: Json, channel: string, httpMethod: 'GET' | 'POST' = 'POST'): Promise<Json> {
  return withRetries(method, api.retries, () => callOnce(api, method, payload, channel, httpMethod));
}

function posted(body: Json, channel: string, ts?: string): PostedMessage {
  return { channel: typeof body.channel === 'string' ? body.channel : channel, ts: typeof body.ts === 'string' ? body.ts : (ts ?? '') };
}

export async function postMessage(api: SlackApi, channel: string, message: SlackMessage): Promise<PostedMessage> {
  return posted(await call(api, 'chat.postMessage', { channel, text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false }, channel), channel);
}

export async function updateMessage(api: SlackApi, channel: string, ts: string, message: SlackMessage): Promise<PostedMessage> {
  return posted(await call(api, 'chat.update', { channel, ts, text: message.text, blocks: message.blocks }, channel), channel, ts);
}

/** A link to the message, or undefined: the message is out, so a failure here is only logged. */
export async function permalink(api: SlackApi, message: PostedMessage): Promise<string | undefined> {
  try {
    const body = await callOnce(api, 'chat.getPermalink', { channel: message.channel, message_ts: message.ts }, message.channel, 'GET');
    return typeof body.permalink === 'string' ? body.permalink : undefined;
  } catch (error) {
    core.debug(`No permalink for the message: ${(error as Error).message}`);
    return undefined;
  }
}
