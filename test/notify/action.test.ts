/** Runs the built actions/notify bundle against a loopback Slack, as a runner would. */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAction, unmaskedLines, type ActionResult, type RunOptions } from '../../standins/run-action.js';
import { blockErrors, renderMessage, startSlackServer, type SlackServer } from '../../standins/slack-server.js';
import { build, changes, deployedService, deployment, migration, pushEvent } from './fixtures.js';

let slack: SlackServer;
beforeEach(async () => {
  slack = await startSlackServer({
    channels: [
      { id: 'C0DEPLOYS1', name: 'deploys' },
      { id: 'C0QUIET001', name: 'quiet', isMember: false },
    ],
  });
});
afterEach(() => slack.close());

const SERVICES = ['api', 'landing', 'investor', 'issuer', 'admin'];
const results = {
  environment: 'production',
  changes: JSON.stringify(changes(SERVICES)),
  builds: JSON.stringify(Object.fromEntries(SERVICES.map((name) => [`result-${name}`, JSON.stringify(build(name))]))),
  migration: JSON.stringify(migration()),
  deployment: JSON.stringify(deployment(SERVICES.map((name, i) => deployedService(name, 'deployed', 20 + i)))),
};

function run(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionResult> {
  return runAction('notify', { event: pushEvent(), ...options, inputs: { ...options.inputs, ...inputs } });
}

function expectNoSecretLeaked(result: ActionResult): void {
  for (const secret of slack.secrets) {
    expect(unmaskedLines(result.log, secret)).toEqual([]);
    expect(result.summary).not.toContain(secret);
    expect(Object.values(result.outputs).join('\n')).not.toContain(secret);
  }
}

const warnings = (result: ActionResult) => result.stdout.split('\n').filter((line) => line.startsWith('::warning'));
const apiCalls = () => slack.requests.map((request) => request.target);

describe('incoming webhook', () => {
  it('posts one Block Kit message listing every service, masks the URL, and writes outputs and summary', async () => {
    const result = await run({ 'webhook-url': slack.webhookUrl, status: 'success', ...results });
    expect(result.code).toBe(0);
    expect(result.outputs).toEqual({ sent: 'true', outcome: 'succeeded', ts: '', channel: '', permalink: '' });
    expect(slack.messages).toHaveLength(1);
    const [message] = slack.messages;
    expect(message!.via).toBe('webhook');
    expect(blockErrors(message as never)).toBeUndefined();
    const text = renderMessage(message!);
    expect(text).toContain('== ✅ Deployed acme/shop to production ==');
    expect(text).toContain('Commit: 0123456 Fix checkout rounding (changes)');
    SERVICES.forEach((name, i) => expect(text).toContain(`✅ ${name} deployed · \`0123456\` · rev ${20 + i} · 1m 35s`));
    expect(text).toContain('✅ Migration (api) succeeded in 31s');
    expect(text).toContain('[View run] https://github.com/acme/shop/actions/runs/4242');
    expect(slack.requests[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(slack.requests[0]!.body).toMatchObject({ unfurl_links: false, text: expect.stringContaining('✅ Deployed acme/shop to production: api deployed') });

    expect(result.log).toContain(`::add-mask::${slack.webhookUrl}`);
    expectNoSecretLeaked(result);
    expect(result.summary).toContain('## ✅ Deployed acme/shop to production');
    expect(result.summary).toContain('| Service | Outcome | Image | Revision | Duration |');
    for (const name of SERVICES) expect(result.summary).toMatch(new RegExp(`\\| \\[${name}\\]\\(.+\\) \\| ✅ deployed \\| \`0123456\` \\| \\d+ \\| 1m 35s \\|`));
    expect(result.summary).toContain(`📣 Sent to the webhook on ${new URL(slack.url).host}`);
  });

  it('sends plain JSON to a generic receiver with format: generic', async () => {
    const result = await run({ 'webhook-url': slack.genericUrl, format: 'generic', needs: JSON.stringify({ deploy: { result: 'failure', outputs: {} } }), ...results });
    expect(result.code).toBe(0);
    expect(result.outputs.outcome).toBe('failed');
    const [request] = slack.requests;
    expect(request!.target).toBe('generic');
    expect(request!.body).toMatchObject({
      text: expect.stringMatching(/^\*\*❌ Deployment failed: acme\/shop to production\*\*/),
      content: expect.stringContaining('**Why it failed**\n- Job failed: deploy'),
      deployment: { outcome: 'failed', repository: 'acme/shop', services: SERVICES.map((name) => expect.objectContaining({ name })) },
    });
    expect(slack.messages).toHaveLength(0);
    expectNoSecretLeaked(result);
  });
});

describe('bot token', () => {
  it('posts when the deployment starts and updates the same message when it rolls back: one message per deployment', async () => {
    const token = slack.token;
    const started = await run({ 'slack-bot-token': token, 'slack-channel': '#deploys', 'slack-api-url': slack.apiUrl, status: 'started', environment: 'production', changes: results.changes });
    expect(started.code).toBe(0);
    const { ts, channel, permalink } = started.outputs;
    expect(ts).toMatch(/^\d+\.\d{6}$/);
    expect(channel).toBe('C0DEPLOYS1');
    expect(permalink).toBe(`${slack.url}/archives/C0DEPLOYS1/p${ts!.replace('.', '')}`);
    expect(renderMessage(slack.messages[0]!)).toContain('⏳ api deploying');

    const finished = await run({
      'slack-bot-token': token,
      'slack-channel': channel!,
      'slack-api-url': slack.apiUrl,
      'message-ts': ts!,
      needs: JSON.stringify({ changes: { result: 'success' }, build: { result: 'success' }, deploy: { result: 'failure' } }),
      environment: 'production',
      'mention-on-failure': '<!subteam^S0ONCALL1|oncall>',
      deployment: JSON.stringify(deployment([deployedService('api', 'rolled-back', 31), ...SERVICES.slice(1).map((name) => deployedService(name))])),
      migration: results.migration,
    });
    expect(finished.code).toBe(0);
    expect(finished.outputs).toMatchObject({ sent: 'true', outcome: 'rolled-back', ts, channel: 'C0DEPLOYS1', permalink });
    expect(apiCalls()).toEqual(['chat.postMessage', 'chat.getPermalink', 'chat.update', 'chat.getPermalink']);
    expect(slack.messages).toHaveLength(1);
    const message = slack.messages[0]!;
    expect(message.versions).toHaveLength(1);
    const text = renderMessage(message);
    expect(text).toMatch(/^== ↩️ Rolled back: acme\/shop to production ==\noncall\n/);
    expect(text).toContain('↩️ api rolled back to rev 30 · rev 31 (`0123456`) failed · 1m 35s');
    expect(text).toContain('Why it rolled back\n• api: Essential container in task exited');
    expect(message.text).toMatch(/^<!subteam\^S0ONCALL1\|oncall> ↩️ Rolled back/);
    for (const request of slack.requests) expect(request.headers.authorization).toBe(`Bearer ${token}`);
    expect(finished.log).toContain(`::add-mask::${token}`);
    expectNoSecretLeaked(started);
    expectNoSecretLeaked(finished);
    expect(finished.summary).toContain(`📣 Updated the message in Slack channel C0DEPLOYS1, ts ${ts}`);
  });

  it('posts a new message, with a warning, when the one to update is gone', async () => {
    const result = await run({ 'slack-bot-token': slack.token, 'slack-channel': 'C0DEPLOYS1', 'slack-api-url': slack.apiUrl, 'message-ts': '1700000000.000001', status: 'success', ...results });
    expect(result.code).toBe(0);
    expect(warnings(result).join('\n')).toContain('Slack found no message with that "message-ts" in channel "C0DEPLOYS1" (message_not_found). Posting a new message instead.');
    expect(apiCalls()).toEqual(['chat.update', 'chat.postMessage', 'chat.getPermalink']);
    expect(result.outputs.ts).toBe(slack.messages[0]!.ts);
  });

  it.each([
    ['the bot is not in the channel', { 'slack-channel': 'quiet' }, 'The bot is not a member of channel "quiet" (not_in_channel).', '/invite @<app name>'],
    ['the token is wrong', { 'slack-bot-token': 'xoxb-0000-not-a-real-token' }, 'Slack rejected the bot token (invalid_auth).', 'Bot User OAuth Token'],
    ['the channel does not exist', { 'slack-channel': 'C0NOSUCH01' }, 'Slack found no channel "C0NOSUCH01" that the bot can see (channel_not_found).', 'invite the app'],
  ])('warns, without failing the step, when %s, saying what to do', async (_, overrides, message, hint) => {
    const result = await run({ 'slack-bot-token': slack.token, 'slack-channel': 'C0DEPLOYS1', 'slack-api-url': slack.apiUrl, status: 'success', ...overrides });
    expect(result.code).toBe(0);
    expect(result.outputs.sent).toBe('false');
    const warning = warnings(result).join('\n');
    expect(warning).toContain(`The notification was not sent: ${message}`);
    expect(warning).toContain(hint);
    expect(result.summary).toContain('⚠️ **Notification not sent**');
    expect(slack.requests).toHaveLength(1);
    expectNoSecretLeaked(result);
  });

  it('names the missing scope', async () => {
    await slack.close();
    slack = await startSlackServer({ scopes: ['channels:read'] });
    const result = await run({ 'slack-bot-token': slack.token, 'slack-channel': 'C0DEPLOYS1', 'slack-api-url': slack.apiUrl, status: 'success' });
    expect(warnings(result).join('\n')).toContain('The bot token lacks the "chat:write" scope needed for chat.postMessage (it has: channels:read).');
  });
});

describe('retries', () => {
  it('retries a webhook post on 429 (waiting as Retry-After says) and on 5xx, then delivers once', async () => {
    slack.script('webhook', { status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' }, { status: 503, body: 'service unavailable' });
    const started = Date.now();
    const result = await run({ 'webhook-url': slack.webhookUrl, status: 'success', ...results });
    const elapsed = Date.now() - started;
    expect(result.code).toBe(0);
    expect(result.outputs.sent).toBe('true');
    expect(slack.requests.map((request) => request.status)).toEqual([429, 503, 200]);
    expect(slack.messages).toHaveLength(1);
    // Retry-After (2 s) rather than the first backoff step (1 s).
    expect(result.log).toContain('the webhook post: rate limited (HTTP 429); trying again in 2s (try 2 of 4).');
    expect(result.log).toContain('the webhook post: HTTP 503; trying again in 2s (try 3 of 4).');
    expect(elapsed).toBeGreaterThanOrEqual(4000);
    expectNoSecretLeaked(result);
  });

  it('retries the Web API on a dropped connection and on Slack\'s own "ratelimited" answer', async () => {
    slack.script('chat.postMessage', { drop: true }, { status: 200, body: { ok: false, error: 'ratelimited' } });
    const result = await run({ 'slack-bot-token': slack.token, 'slack-channel': 'C0DEPLOYS1', 'slack-api-url': slack.apiUrl, status: 'success', retries: '2' });
    expect(result.code).toBe(0);
    expect(apiCalls()).toEqual(['chat.postMessage', 'chat.postMessage', 'chat.postMessage', 'chat.getPermalink']);
    expect(slack.messages).toHaveLength(1);
    expect(result.log).toMatch(/chat\.postMessage: .+; trying again in 1s \(try 2 of 3\)\./);
    expect(result.log).toContain('chat.postMessage: ratelimited; trying again in 2s (try 3 of 3).');
  });

  describe.each(['chat.postMessage', 'chat.update'] as const)('%s answered with HTTP errors, as Slack answers rate limits', (method) => {
    /** For chat.update, posts the message to update first (as the step at the start of a deployment does); returns the inputs and where this run's requests start. */
    async function prepare(): Promise<{ inputs: Record<string, string>; from: number; ts?: string }> {
      const inputs = { 'slack-bot-token': slack.token, 'slack-channel': 'C0DEPLOYS1', 'slack-api-url': slack.apiUrl, status: 'success', ...results };
      if (method === 'chat.postMessage') return { inputs, from: 0 };
      const started = await run({ ...inputs, status: 'started' });
      expect(started.code).toBe(0);
      return { inputs: { ...inputs, 'message-ts': started.outputs.ts! }, from: slack.requests.length, ts: started.outputs.ts };
    }

    function expectOneMessage(result: ActionResult, from: number, ts: string | undefined, statuses: number[]): void {
      expect(result.code).toBe(0);
      expect(result.outputs.sent).toBe('true');
      const requests = slack.requests.slice(from);
      // Only the scripted method is retried, and a post is never repeated once Slack took it.
      expect(requests.map((request) => request.target)).toEqual([...statuses.map(() => method), 'chat.getPermalink']);
      expect(requests.map((request) => request.status)).toEqual([...statuses, 200]);
      expect(slack.messages).toHaveLength(1);
      const [message] = slack.messages;
      expect(result.outputs).toMatchObject({ ts: message!.ts, channel: 'C0DEPLOYS1' });
      if (ts) {
        expect(message!.ts).toBe(ts);
        expect(message!.versions).toHaveLength(1);
        expect(result.summary).toContain(`📣 Updated the message in Slack channel C0DEPLOYS1, ts ${ts}`);
      }
      expect(renderMessage(message!)).toContain('== ✅ Deployed acme/shop to production ==');
      expectNoSecretLeaked(result);
    }

    it('waits as Retry-After says on HTTP 429, tries again, and leaves one message', async () => {
      const { inputs, from, ts } = await prepare();
      const limited = { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
      slack.script(method, limited, limited);
      const started = Date.now();
      const result = await run(inputs);
      const elapsed = Date.now() - started;
      expectOneMessage(result, from, ts, [429, 429, 200]);
      expect(result.log).toContain(`${method}: rate limited (HTTP 429); trying again in 1s (try 2 of 4).`);
      // Retry-After (1 s) rather than the second backoff step (2 s).
      expect(result.log).toContain(`${method}: rate limited (HTTP 429); trying again in 1s (try 3 of 4).`);
      expect(elapsed).toBeGreaterThanOrEqual(2000);
    });

    it('tries again after HTTP 503 and leaves one message', async () => {
      const { inputs, from, ts } = await prepare();
      slack.script(method, { status: 503, body: 'service unavailable' });
      const started = Date.now();
      const result = await run(inputs);
      const elapsed = Date.now() - started;
      expectOneMessage(result, from, ts, [503, 200]);
      expect(result.log).toContain(`${method}: HTTP 503; trying again in 1s (try 2 of 4).`);
      expect(elapsed).toBeGreaterThanOrEqual(1000);
    });
  });

  it('gives up after the bound: a warning by default, a failed step with fail-on-error', async () => {
    slack.script('webhook', { status: 500, body: 'rollup_error' }, { status: 500, body: 'rollup_error' }, { status: 500 }, { status: 500 });
    const lenient = await run({ 'webhook-url': slack.webhookUrl, status: 'failure', retries: '1' });
    expect(lenient.code).toBe(0);
    expect(lenient.outputs.sent).toBe('false');
    expect(warnings(lenient).join('\n')).toContain('answered HTTP 500 to the webhook post: rollup_error. Gave up after 2 tries.');
    const strict = await run({ 'webhook-url': slack.webhookUrl, status: 'failure', retries: '1', 'fail-on-error': 'true' });
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/::error::The notification was not sent: .*HTTP 500.*Gave up after 2 tries\./);
    expect(strict.outputs.sent).toBe('false');
    expect(slack.requests).toHaveLength(4);
    expectNoSecretLeaked(lenient);
    expectNoSecretLeaked(strict);
  });

  it('does not wait when Retry-After asks for longer than the cap, and does not retry a refusal', async () => {
    slack.script('webhook', { status: 429, headers: { 'retry-after': '120' } });
    const limited = await run({ 'webhook-url': slack.webhookUrl, status: 'success' });
    expect(warnings(limited).join('\n')).toContain('was rate limited (HTTP 429) and asked to wait 2m 00s, longer than the 30s this step waits.');
    const removed = await run({ 'webhook-url': `${slack.url}/services/T0BERTH01/B0BERTH01/revoked`, status: 'success' });
    expect(warnings(removed).join('\n')).toContain('The incoming webhook no longer exists (no_service)');
    expect(slack.requests).toHaveLength(2);
  });
});

describe('bad input', () => {
  const bot = () => ({ 'slack-bot-token': slack.token, 'slack-api-url': slack.apiUrl });
  it.each([
    ['an invalid webhook URL', () => ({ 'webhook-url': 'hooks.slack.com/services/T0/B0/abc', status: 'success' }), 'Input "webhook-url" is not a valid URL (it does not start with https://).'],
    ['both webhook and token', () => ({ 'webhook-url': slack.webhookUrl, ...bot(), 'slack-channel': 'C0DEPLOYS1', status: 'success' }), 'Inputs "webhook-url" and "slack-bot-token" are both set; give one.'],
    ['neither webhook nor token', () => ({ status: 'success' }), 'Input "webhook-url" or "slack-bot-token" is required, and neither was given.'],
    ['a token without a channel', () => ({ ...bot(), status: 'success' }), 'Input "slack-channel" is required but was not given.'],
    ['outputs JSON that does not parse', () => ({ 'webhook-url': slack.webhookUrl, status: 'success', deployment: '{"outcome":"deployed",' }), 'Input "deployment" is not valid JSON'],
    ['a result of the wrong shape', () => ({ 'webhook-url': slack.webhookUrl, status: 'success', builds: '[1]' }), 'Input "builds": item 0 is a number, not a build-push result.'],
    ['an unknown status', () => ({ 'webhook-url': slack.webhookUrl, status: 'done' }), 'Input "status" is "done", which is not one of: started, success, failure, cancelled, skipped.'],
    ['nothing that says how it went', () => ({ 'webhook-url': slack.webhookUrl, changes: results.changes }), 'Input "status" is empty, and neither "needs" nor'],
    [
      'an update by channel name',
      () => ({ ...bot(), 'slack-channel': '#deploys', 'message-ts': '1712345678.000100', status: 'success' }),
      'Input "slack-channel" is "#deploys", a channel name; updating a message ("message-ts") needs the channel ID.',
    ],
    ['an update through a webhook', () => ({ 'webhook-url': slack.webhookUrl, 'message-ts': '1712345678.000100', status: 'success' }), 'Input "message-ts" needs "slack-bot-token"'],
    ['a webhook URL passed as the token', () => ({ 'slack-bot-token': slack.webhookUrl, 'slack-channel': 'C0DEPLOYS1', status: 'success' }), 'Input "slack-bot-token" holds a URL, not a token.'],
  ])('fails on %s with an error naming the input, before sending anything', async (_, inputs, message) => {
    const result = await run(inputs());
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`::error::${message}`);
    expect(slack.requests).toHaveLength(0);
    expectNoSecretLeaked(result);
  });
});

describe('the commit', () => {
  it('takes the first line of the message from git when the event has none', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'notify-git-'));
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Octo', '-c', 'user.email=octo@example.com', ...args], { cwd: repo, encoding: 'utf8' }).trim();
      git('init', '-q');
      writeFileSync(join(repo, 'README.md'), 'shop\n');
      git('add', '.');
      git('commit', '-q', '-m', 'Add the payments service & <webhooks>\n\nA body that stays out of the message.');
      const sha = git('rev-parse', 'HEAD');
      const result = await run({ 'webhook-url': slack.webhookUrl, status: 'success' }, { cwd: repo, event: {}, eventName: 'workflow_dispatch', env: { GITHUB_SHA: sha } });
      expect(result.code).toBe(0);
      const text = renderMessage(slack.messages[0]!);
      expect(text).toContain(`Commit: ${sha.slice(0, 7)} Add the payments service & <webhooks>`);
      expect(text).not.toContain('A body');
      expect(text).toContain('Triggered by: octocat (workflow_dispatch)');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
