/**
 * Plays Slack on loopback: an incoming webhook, a generic JSON webhook, and the Web API methods
 * chat.postMessage, chat.update and chat.getPermalink with a bot token. It checks what Slack
 * checks (token, scope, channel by ID or name, membership, Block Kit limits) and answers the way
 * Slack does, and it can be scripted to fail (HTTP 429 with Retry-After, 5xx, dropped connections,
 * Slack error words). Tests read `requests` and `messages`; the demo prints with `renderMessage`.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

interface SlackChannel {
  id: string;
  name: string;
  /** The bot has been invited; default true. */
  isMember?: boolean;
  isArchived?: boolean;
  isPrivate?: boolean;
}

export interface SlackServerOptions {
  /** Default: one public channel #deploys (C0DEPLOYS1) with the bot in it. */
  channels?: SlackChannel[];
  /** Scopes of the bot token; default chat:write. */
  scopes?: string[];
  /** The channel (ID) the incoming webhook posts to; default the first channel. */
  webhookChannel?: string;
  /** The loopback address to listen on; default 127.0.0.1. */
  host?: string;
}

export type Block = Record<string, unknown>;

/** A message as the channel shows it; an update replaces `text` and `blocks` and keeps the old ones in `versions`. */
interface ChannelMessage {
  channel: string;
  ts: string;
  via: 'webhook' | 'bot';
  text?: string;
  blocks?: Block[];
  versions: Array<{ text?: string; blocks?: Block[] }>;
}

export interface SlackRequest {
  /** `webhook`, `generic`, or the Web API method (`chat.postMessage`). */
  target: string;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** JSON or form fields (query fields for GET). */
  body: Record<string, unknown>;
  status: number;
  response: string;
  /** Answered from the script rather than by the Slack emulation. */
  scripted: boolean;
}

/** An answer to play instead of Slack's: a status with headers and a body (objects are sent as JSON), or a dropped connection. */
type ScriptedReply = { status: number; headers?: Record<string, string>; body?: string | Record<string, unknown> } | { drop: true };

export interface SlackServer {
  url: string;
  /** Pass as `slack-api-url`. */
  apiUrl: string;
  /** A Slack incoming webhook posting to `webhookChannel`. */
  webhookUrl: string;
  /** A generic receiver that accepts any JSON post. */
  genericUrl: string;
  /** A valid bot token. */
  token: string;
  /** The token, the webhook URLs and their secret parts: none may appear in a log. */
  secrets: string[];
  channels: SlackChannel[];
  requests: SlackRequest[];
  messages: ChannelMessage[];
  /** Answers the next requests to `target` (`webhook`, `generic` or a method name) with `replies`, in order. */
  script(target: string, ...replies: ScriptedReply[]): void;
  /** Called for every message posted or updated; returns a function that stops listening. */
  onMessage(listener: (event: 'posted' | 'updated', message: ChannelMessage) => void): () => void;
  close(): Promise<void>;
}

/** Slack's limits, counted in UTF-16 units. */
const LIMITS = { blocks: 50, header: 150, text: 3000, fields: 10, field: 2000, context: 10, actions: 25, button: 75, url: 3000, id: 255, blocksChars: 13_000, messageText: 40_000 };

/** The problems Slack would report for a message, as `[ERROR] … [json-pointer:/blocks/…]` strings. */
export function blockErrors(payload: Record<string, unknown>): { error: string; messages: string[] } | undefined {
  const { text, blocks } = payload;
  if (blocks === undefined) {
    if (typeof text !== 'string' || text === '') return { error: 'no_text', messages: [] };
    return text.length > LIMITS.messageText ? { error: 'msg_too_long', messages: [] } : undefined;
  }
  const messages: string[] = [];
  const fail = (pointer: string, problem: string) => messages.push(`[ERROR] ${problem} [json-pointer:${pointer}]`);
  if (!Array.isArray(blocks)) return { error: 'invalid_blocks_format', messages: ['[ERROR] must be an array [json-pointer:/blocks]'] };
  if (blocks.length > LIMITS.blocks) fail('/blocks', `must provide an array of no more than ${LIMITS.blocks} items`);
  const textObject = (value: unknown, pointer: string, max: number, types = ['plain_text', 'mrkdwn']) => {
    const object = value as { type?: unknown; text?: unknown } | undefined;
    if (!object || !types.includes(String(object.type))) return fail(pointer, `must be a text object of type ${types.join(' or ')}`);
    if (typeof object.text !== 'string' || object.text.length === 0) return fail(`${pointer}/text`, 'must be more than 0 characters');
    if (object.text.length > max) fail(`${pointer}/text`, `must be less than ${max + 1} characters`);
  };
  const actionIds = new Set<string>();
  let chars = 0;
  blocks.forEach((raw: unknown, index) => {
    const block = raw as Record<string, unknown>;
    const at = `/blocks/${index}`;
    if (typeof block.block_id === 'string' && block.block_id.length > LIMITS.id) fail(`${at}/block_id`, `must be less than ${LIMITS.id + 1} characters`);
    switch (block.type) {
      case 'divider':
        break;
      case 'header':
        textObject(block.text, `${at}/text`, LIMITS.header, ['plain_text']);
        break;
      case 'section': {
        if (block.text === undefined && block.fields === undefined) fail(at, 'must contain "text" or "fields"');
        if (block.text !== undefined) textObject(block.text, `${at}/text`, LIMITS.text);
        if (block.fields !== undefined) {
          if (!Array.isArray(block.fields) || block.fields.length === 0 || block.fields.length > LIMITS.fields) fail(`${at}/fields`, `must provide an array of 1 to ${LIMITS.fields} items`);
          else block.fields.forEach((field, i) => textObject(field, `${at}/fields/${i}`, LIMITS.field));
        }
        break;
      }
      case 'context': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > LIMITS.context) fail(`${at}/elements`, `must provide an array of 1 to ${LIMITS.context} items`);
        else elements.forEach((element, i) => textObject(element, `${at}/elements/${i}`, LIMITS.text));
        break;
      }
      case 'actions': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > LIMITS.actions) {
          fail(`${at}/elements`, `must provide an array of 1 to ${LIMITS.actions} items`);
          break;
        }
        elements.forEach((raw: unknown, i) => {
          const element = raw as Record<string, unknown>;
          const where = `${at}/elements/${i}`;
          if (element.type !== 'button') return fail(where, 'unsupported element type');
          textObject(element.text, `${where}/text`, LIMITS.button, ['plain_text']);
          if (element.url !== undefined && (typeof element.url !== 'string' || element.url.length > LIMITS.url)) fail(`${where}/url`, `must be less than ${LIMITS.url + 1} characters`);
          if (typeof element.action_id === 'string') {
            if (actionIds.has(element.action_id)) fail(`${where}/action_id`, 'must be unique within the message');
            actionIds.add(element.action_id);
          }
        });
        break;
      }
      default:
        fail(`${at}/type`, `unsupported type "${String(block.type)}"`);
    }
    chars += textLength(block);
  });
  if (messages.length) return { error: 'invalid_blocks', messages };
  if (chars > LIMITS.blocksChars) return { error: 'msg_blocks_too_long', messages: [] };
  return undefined;
}

function textLength(value: unknown, key?: string): number {
  if (typeof value === 'string') return key === 'text' || key === 'url' ? value.length : 0;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + textLength(item), 0);
  if (value && typeof value === 'object') return Object.entries(value).reduce((sum, [name, item]) => sum + textLength(item, name), 0);
  return 0;
}

/** Slack mrkdwn as a terminal shows it: links by their labels, mentions as @names, entities decoded. */
function mrkdwnToPlain(text: string): string {
  return text
    .replace(/<([^<>|]+)\|([^<>]+)>/g, '$2')
    .replace(/<!subteam\^[A-Z0-9]+(?:\|([^>]+))?>/g, (_, label: string | undefined) => label ?? '@team')
    .replace(/<!(\w+)>/g, '@$1')
    .replace(/<@([A-Z0-9]+)>/g, '@$1')
    .replace(/<([^<>]+)>/g, '$1')
    .replace(/\*([^*\n]+)\*/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A message as readable lines, one per block; buttons show their URLs. */
export function renderMessage(message: { text?: string; blocks?: Block[] }): string {
  if (!message.blocks?.length) return mrkdwnToPlain(message.text ?? '');
  const lines: string[] = [];
  for (const block of message.blocks) {
    const text = (block.text as { text?: string } | undefined)?.text;
    switch (block.type) {
      case 'header':
        lines.push(`== ${text} ==`);
        break;
      case 'divider':
        lines.push('--');
        break;
      case 'section':
        if (text) lines.push(mrkdwnToPlain(text));
        if (Array.isArray(block.fields)) lines.push((block.fields as Array<{ text: string }>).map((field) => mrkdwnToPlain(field.text).replace('\n', ': ')).join(' · '));
        break;
      case 'context':
        lines.push((block.elements as Array<{ text: string }>).map((element) => mrkdwnToPlain(element.text)).join(' · '));
        break;
      case 'actions':
        lines.push((block.elements as Array<{ text: { text: string }; url?: string }>).map((button) => `[${button.text.text}]${button.url ? ` ${button.url}` : ''}`).join('  '));
        break;
    }
  }
  return lines.join('\n');
}

function parseBody(raw: string, contentType: string | undefined, query: URLSearchParams): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = Object.fromEntries(query);
  if (!raw) return fields;
  if ((contentType ?? '').startsWith('application/json')) {
    try {
      const parsed = JSON.parse(raw) as unknown;
      return typeof parsed === 'object' && parsed !== null ? { ...fields, ...(parsed as Record<string, unknown>) } : undefined;
    } catch {
      return undefined;
    }
  }
  const form: Record<string, unknown> = { ...fields, ...Object.fromEntries(new URLSearchParams(raw)) };
  for (const key of ['blocks', 'attachments']) {
    if (typeof form[key] === 'string') {
      try {
        form[key] = JSON.parse(form[key] as string);
      } catch {
        return undefined;
      }
    }
  }
  return form;
}

export async function startSlackServer(options: SlackServerOptions = {}): Promise<SlackServer> {
  const channels: SlackChannel[] = (options.channels ?? [{ id: 'C0DEPLOYS1', name: 'deploys' }]).map((channel) => ({ isMember: true, ...channel }));
  const scopes = options.scopes ?? ['chat:write'];
  const token = `xoxb-${randomBytes(6).toString('hex')}-${randomBytes(12).toString('hex')}`;
  const hookSecret = randomBytes(12).toString('hex');
  const genericSecret = randomBytes(12).toString('hex');
  const webhookPath = `/services/T0BERTH01/B0BERTH01/${hookSecret}`;
  const genericPath = `/hooks/${genericSecret}`;
  const webhookChannel = options.webhookChannel ?? channels[0]!.id;
  const requests: SlackRequest[] = [];
  const messages: ChannelMessage[] = [];
  const scripts = new Map<string, ScriptedReply[]>();
  const listeners = new Set<(event: 'posted' | 'updated', message: ChannelMessage) => void>();
  let sequence = 0;

  const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;
  const emit = (event: 'posted' | 'updated', message: ChannelMessage) => listeners.forEach((listener) => listener(event, message));
  const findChannel = (value: unknown, byNameToo: boolean): SlackChannel | undefined => {
    const wanted = String(value ?? '');
    return channels.find((channel) => channel.id === wanted || (byNameToo && (`#${channel.name}` === wanted || channel.name === wanted)));
  };

  type Answer = { status: number; headers?: Record<string, string>; body: string };
  const api = (body: Record<string, unknown>): Answer => ({ status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });
  const refuse = (error: string, extra: Record<string, unknown> = {}): Answer => api({ ok: false, error, ...extra });

  function postable(channel: SlackChannel | undefined): Answer | undefined {
    if (!channel) return refuse('channel_not_found');
    if (channel.isArchived) return refuse('is_archived');
    const publicPosting = scopes.includes('chat:write.public') && !channel.isPrivate;
    if (!channel.isMember && !publicPosting) return refuse(channel.isPrivate ? 'channel_not_found' : 'not_in_channel');
    return undefined;
  }

  function webApi(name: string, headers: IncomingHttpHeaders, body: Record<string, unknown> | undefined): Answer {
    if (!body) return refuse('invalid_json');
    const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1] ?? (typeof body.token === 'string' ? body.token : undefined);
    if (!bearer) return refuse('not_authed');
    if (bearer !== token) return refuse('invalid_auth');
    const writes = name === 'chat.postMessage' || name === 'chat.update';
    if (writes && !scopes.includes('chat:write')) return refuse('missing_scope', { needed: 'chat:write', provided: scopes.join(',') });
    const content = { text: typeof body.text === 'string' ? body.text : undefined, blocks: body.blocks as Block[] | undefined };
    switch (name) {
      case 'chat.postMessage': {
        const channel = findChannel(body.channel, true);
        const refused = postable(channel);
        if (refused) return refused;
        const invalid = blockErrors(body);
        if (invalid) return refuse(invalid.error, invalid.messages.length ? { response_metadata: { messages: invalid.messages } } : {});
        const message: ChannelMessage = { channel: channel!.id, ts: nextTs(), via: 'bot', ...content, versions: [] };
        messages.push(message);
        emit('posted', message);
        return api({ ok: true, channel: message.channel, ts: message.ts, message: { type: 'message', bot_id: 'B0BERTHBOT', ts: message.ts, ...content } });
      }
      case 'chat.update': {
        // Slack resolves only IDs here, not names.
        const channel = findChannel(body.channel, false);
        const refused = postable(channel);
        if (refused) return refused;
        const message = messages.find((candidate) => candidate.channel === channel!.id && candidate.ts === body.ts);
        if (!message) return refuse('message_not_found');
        if (message.via !== 'bot') return refuse('cant_update_message');
        const invalid = blockErrors(body);
        if (invalid) return refuse(invalid.error, invalid.messages.length ? { response_metadata: { messages: invalid.messages } } : {});
        message.versions.push({ text: message.text, blocks: message.blocks });
        Object.assign(message, content);
        emit('updated', message);
        return api({ ok: true, channel: message.channel, ts: message.ts, text: message.text, message: { ...content } });
      }
      case 'chat.getPermalink': {
        const channel = findChannel(body.channel, false);
        if (!channel) return refuse('channel_not_found');
        const message = messages.find((candidate) => candidate.channel === channel.id && candidate.ts === body.message_ts);
        if (!message) return refuse('message_not_found');
        return api({ ok: true, channel: channel.id, permalink: `${url}/archives/${channel.id}/p${message.ts.replace('.', '')}` });
      }
      default:
        return refuse('unknown_method');
    }
  }

  function webhook(body: Record<string, unknown> | undefined): Answer {
    const text = (status: number, word: string): Answer => ({ status, headers: { 'content-type': 'text/html' }, body: word });
    if (!body) return text(400, 'invalid_payload');
    const channel = findChannel(webhookChannel, false);
    if (!channel) return text(404, 'channel_not_found');
    if (channel.isArchived) return text(410, 'channel_is_archived');
    const invalid = blockErrors(body);
    if (invalid) return text(400, invalid.error === 'no_text' ? 'missing_text_or_fallback_or_attachments' : invalid.error);
    const message: ChannelMessage = { channel: channel.id, ts: nextTs(), via: 'webhook', text: body.text as string | undefined, blocks: body.blocks as Block[] | undefined, versions: [] };
    messages.push(message);
    emit('posted', message);
    return text(200, 'ok');
  }

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const address = new URL(req.url ?? '/', 'http://localhost');
    const path = address.pathname;
    const target = path.startsWith('/api/') ? path.slice('/api/'.length) : path === genericPath ? 'generic' : 'webhook';
    const body = parseBody(rawBody, req.headers['content-type'], address.searchParams);
    const record: SlackRequest = { target, method: req.method ?? 'GET', path, headers: req.headers, rawBody, body: body ?? {}, status: 0, response: '', scripted: false };
    requests.push(record);

    const scripted = scripts.get(target)?.shift();
    if (scripted) {
      record.scripted = true;
      if ('drop' in scripted) {
        record.response = '(connection dropped)';
        req.socket.destroy();
        return;
      }
      const text = typeof scripted.body === 'string' ? scripted.body : scripted.body ? JSON.stringify(scripted.body) : '';
      record.status = scripted.status;
      record.response = text;
      res.writeHead(scripted.status, { 'content-type': typeof scripted.body === 'object' ? 'application/json' : 'text/plain', ...scripted.headers }).end(text);
      return;
    }
    let answer: Answer;
    if (path.startsWith('/api/')) answer = webApi(target, req.headers, body);
    else if (req.method !== 'POST') answer = { status: 405, body: 'method_not_allowed' };
    else if (path === webhookPath) answer = webhook(body);
    else if (path === genericPath) answer = body ? { status: 200, body: 'ok' } : { status: 400, body: 'invalid JSON' };
    else answer = { status: 404, headers: { 'content-type': 'text/html' }, body: 'no_service' };
    record.status = answer.status;
    record.response = answer.body;
    res.writeHead(answer.status, answer.headers).end(answer.body);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiUrl: `${url}/api`,
    webhookUrl: `${url}${webhookPath}`,
    genericUrl: `${url}${genericPath}`,
    token,
    secrets: [token, `${url}${webhookPath}`, hookSecret, `${url}${genericPath}`, genericSecret],
    channels,
    requests,
    messages,
    script: (target, ...replies) => scripts.set(target, [...(scripts.get(target) ?? []), ...replies]),
    onMessage: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
