/**
 * Incoming webhooks: Slack's answer `ok` (or an error word with a 4xx status), or any 2xx from a
 * generic receiver.
 */
import { DeliveryError, request, withRetries } from './http.js';
import type { Format } from './types.js';

const NEW_WEBHOOK = 'Create a new incoming webhook for the channel and store its URL in the secret passed as "webhook-url".';

const SLACK_WEBHOOK_ERRORS: Record<string, { message: string; hint: string }> = {
  no_service: { message: 'The incoming webhook no longer exists (no_service): it was removed, disabled or revoked.', hint: NEW_WEBHOOK },
  no_team: { message: 'The workspace of the incoming webhook no longer exists (no_team).', hint: NEW_WEBHOOK },
  team_disabled: { message: 'The workspace of the incoming webhook is disabled (team_disabled).', hint: NEW_WEBHOOK },
  invalid_token: { message: 'The incoming webhook URL is not valid (invalid_token).', hint: `Copy the whole URL again from the app's Incoming Webhooks page. ${NEW_WEBHOOK}` },
  channel_not_found: { message: 'The channel of the incoming webhook no longer exists (channel_not_found).', hint: NEW_WEBHOOK },
  channel_is_archived: { message: 'The channel of the incoming webhook is archived (channel_is_archived).', hint: `Unarchive the channel, or ${NEW_WEBHOOK[0]!.toLowerCase()}${NEW_WEBHOOK.slice(1)}` },
  action_prohibited: { message: 'The workspace forbids this webhook from posting (action_prohibited).', hint: 'Ask a Slack workspace admin to allow the app to post to the channel.' },
  posting_to_general_channel_denied: {
    message: 'Only admins may post to this channel (posting_to_general_channel_denied).',
    hint: "Create the webhook for another channel, or ask an admin to change the channel's posting permissions.",
  },
  user_not_found: { message: 'The user of the incoming webhook no longer exists (user_not_found).', hint: NEW_WEBHOOK },
};

const REFUSED = new Set(['invalid_payload', 'invalid_blocks', 'invalid_blocks_format', 'msg_blocks_too_long', 'no_text', 'missing_text_or_fallback_or_attachments', 'too_many_attachments']);

function describe(status: number, body: string, format: Format, host: string): { message: string; hint: string } {
  const word = body.trim();
  if (format === 'slack') {
    const known = SLACK_WEBHOOK_ERRORS[word];
    if (known) return known;
    if (REFUSED.has(word)) {
      return {
        message: `Slack refused the message (HTTP ${status}, ${word}).`,
        hint: "The message was built within Slack's documented limits, so this is a bug: report it with the job log (enable debug logging to include the payload).",
      };
    }
  }
  const shown = word ? `: ${word.slice(0, 200)}` : '';
  if (status === 401 || status === 403) return { message: `${host} refused the webhook post (HTTP ${status}${shown}).`, hint: 'Check that "webhook-url" is complete and still valid.' };
  if (status === 404 || status === 410) return { message: `${host} has no webhook at that URL (HTTP ${status}${shown}).`, hint: 'The webhook was removed or the URL is wrong: check "webhook-url".' };
  const hint = format === 'generic' ? 'Check that the receiver accepts a JSON post with "text" (see the notify README for the payload).' : 'Check "webhook-url".';
  return { message: `${host} refused the webhook post (HTTP ${status}${shown}).`, hint };
}

/** Posts `payload` to the webhook, with bounded retries on 429, 5xx and network errors. */
export async function postToWebhook(url: string, payload: unknown, format: Format, retries: number): Promise<void> {
  const host = new URL(url).host;
  await withRetries('the webhook post', retries, async () => {
    const reply = await request(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(payload) }, 'the webhook post');
    if (reply.status >= 200 && reply.status < 300) return;
    const { message, hint } = describe(reply.status, reply.body, format, host);
    throw new DeliveryError(message, hint);
  });
}
