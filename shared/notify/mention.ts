/**
 * The `mention-on-failure` input: Slack mentions only, each in a form Slack notifies, so the input
 * cannot carry links, markup or text into the message. Anything else is refused with the form to use.
 */
import { UserError, quote } from '../errors.js';

export type Mention = { kind: 'broadcast'; name: 'here' | 'channel' | 'everyone' } | { kind: 'user'; id: string; label?: string } | { kind: 'group'; id: string; label?: string };

const HINT = 'Write Slack mentions separated by spaces: <@U0123ABCD> for a person (their member ID: profile, ⋯, "Copy member ID"), ' + "<!subteam^S0123ABCD> for a user group (the ID in the group's URL), or @here / @channel.";

const BROADCAST = /^(?:@(here|channel|everyone)|<!(here|channel|everyone)(?:\|[^<>]*)?>)$/;
const USER = /^<@([UW][A-Z0-9]{2,20})(?:\|([^<>|]*))?>$/;
const GROUP = /^<!subteam\^(S[A-Z0-9]{2,20})(?:\|([^<>|]*))?>$/;
/** A label is shown by Slack in place of the ID; it must stay plain text. */
const LABEL = /^@?[\p{L}\p{N} ._'-]{1,80}$/u;
const MAX_MENTIONS = 20;

/**
 * `"<@U1> @here"` → `['<@U1>', '@here']`: an angle-bracket group is one token, even with spaces in
 * its label; everything other than spaces and commas is in some token, so nothing slips past.
 */
function tokens(value: string): string[] {
  return value.match(/<[^<>]*>?|[^\s,<]+/g) ?? [];
}

function refuse(token: string, what: string): UserError {
  return new UserError(`Input "mention-on-failure" has ${quote(token)}, ${what}.`, HINT);
}

function label(token: string, text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  if (!LABEL.test(text)) throw refuse(token, 'whose label (after "|") is not a plain name');
  return text.replace(/^@/, '');
}

function parseOne(token: string): Mention {
  const broadcast = BROADCAST.exec(token);
  if (broadcast) return { kind: 'broadcast', name: (broadcast[1] ?? broadcast[2]) as 'here' | 'channel' | 'everyone' };
  const user = USER.exec(token);
  if (user) return { kind: 'user', id: user[1]!, label: label(token, user[2]) };
  const group = GROUP.exec(token);
  if (group) return { kind: 'group', id: group[1]!, label: label(token, group[2]) };
  if (!token.startsWith('<')) {
    if (/^[!@]?subteam\^/.test(token)) return fail(token, `which needs angle brackets: <!subteam^${token.replace(/^[!@]?subteam\^/, '')}>`);
    if (/^@[UW][A-Z0-9]{2,20}$/.test(token)) return fail(token, `which needs angle brackets to notify: <${token}>`);
    if (token.startsWith('@')) return fail(token, 'a name; Slack notifies people and user groups by ID, not by name');
    return fail(token, 'which is not a Slack mention');
  }
  if (!token.endsWith('>')) return fail(token, 'which opens "<" without closing it');
  if (token.startsWith('<@')) return fail(token, 'which is not a member ID (U or W followed by capital letters and digits)');
  if (token.startsWith('<!subteam^')) return fail(token, 'which is not a user-group ID (S followed by capital letters and digits)');
  if (token.startsWith('<#')) return fail(token, 'a channel link, not a mention');
  if (token.startsWith('<!')) return fail(token, 'which is not one of <!here>, <!channel>, <!everyone> or <!subteam^S…>');
  return fail(token, 'a link or markup, not a mention');
}

function fail(token: string, what: string): never {
  throw refuse(token, what);
}

/** The mentions in the input, each once; undefined when it is empty. */
export function parseMentions(value: string | undefined): Mention[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const found = tokens(value);
  if (found.length > MAX_MENTIONS) throw new UserError(`Input "mention-on-failure" has ${found.length} mentions; at most ${MAX_MENTIONS} are sent.`, 'Mention a user group (<!subteam^S0123ABCD>) instead of many people.');
  const mentions: Mention[] = [];
  const seen = new Set<string>();
  for (const token of found) {
    const mention = parseOne(token);
    const key = mention.kind === 'broadcast' ? mention.name : mention.id;
    if (seen.has(key)) continue;
    seen.add(key);
    mentions.push(mention);
  }
  return mentions;
}

/** Slack syntax, which notifies: `<!here> <@U0123ABCD> <!subteam^S0123ABCD|oncall>`. */
export function slackMentions(mentions: Mention[]): string {
  return mentions
    .map((mention) => {
      if (mention.kind === 'broadcast') return `<!${mention.name}>`;
      const suffix = mention.label ? `|${mention.label}` : '';
      return mention.kind === 'user' ? `<@${mention.id}${suffix}>` : `<!subteam^${mention.id}${suffix}>`;
    })
    .join(' ');
}

/**
 * For other chat services: @here, @channel and @everyone are the words Mattermost, Rocket.Chat and
 * Discord notify on; a Slack user or group is shown by its label (`@oncall`) or its ID.
 */
export function plainMentions(mentions: Mention[]): string {
  return mentions.map((mention) => (mention.kind === 'broadcast' ? `@${mention.name}` : mention.label ? `@${mention.label}` : mention.id)).join(' ');
}
