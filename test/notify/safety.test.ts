/**
 * What a wrong or hostile input can do through notify, run through the built bundle against the
 * Slack stand-in: announce the wrong outcome, send a secret in clear, put a link or a mention in
 * the channel, or reach a command line. Each is refused or rendered inert.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isLoopbackAddress } from '../../shared/net.js';
import { runAction, unmaskedLines, type ActionResult, type RunOptions } from '../../standins/run-action.js';
import { renderMessage, startSlackServer, type SlackRequest, type SlackServer } from '../../standins/slack-server.js';
import { deployedService, deployment, migration, pushEvent } from './fixtures.js';

let slack: SlackServer;
const extra: SlackServer[] = [];
beforeEach(async () => {
  slack = await startSlackServer();
});
afterEach(async () => {
  await slack.close();
  await Promise.all(extra.splice(0).map((server) => server.close()));
});

function run(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionResult> {
  return runAction('notify', { event: pushEvent(), ...options, inputs });
}

const errorText = (result: ActionResult) =>
  result.stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) =>
      line
        .replace(/^::error[^:]*::/, '')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%'),
    )
    .join('\n');
const warnings = (result: ActionResult) =>
  result.stdout
    .split('\n')
    .filter((line) => line.startsWith('::warning'))
    .join('\n');

function expectRefusal(result: ActionResult, ...fragments: string[]): void {
  expect({ code: result.code, requests: slack.requests.length }).toEqual({ code: 1, requests: 0 });
  for (const fragment of fragments) expect(errorText(result)).toContain(fragment);
}

function expectNoSecretLeaked(result: ActionResult, secrets: string[] = slack.secrets): void {
  for (const secret of secrets) {
    expect(unmaskedLines(result.log, secret)).toEqual([]);
    expect(result.summary).not.toContain(secret);
    expect(Object.values(result.outputs).join('\n')).not.toContain(secret);
  }
}

describe('the needs context', () => {
  it.each(['succeeded', 'Success', 'passed', 'neutral', ''])('refuses a job result GitHub never gives (%j), naming the job and the word', async (word) => {
    const result = await run({
      'webhook-url': slack.webhookUrl,
      needs: JSON.stringify({ build: { result: 'success', outputs: {} }, deploy: { result: word, outputs: {} } }),
      deployment: JSON.stringify(deployment([deployedService('api')])),
    });
    expectRefusal(result, `Input "needs": job "deploy" has result ${JSON.stringify(word)}, which GitHub never gives`, 'success, failure, cancelled or skipped', 'toJSON(needs)', '"status"');
  });

  it('refuses an entry that is not a job ID, so no markup rides in on a job name', async () => {
    const result = await run({ 'webhook-url': slack.webhookUrl, needs: JSON.stringify({ '<!channel> deploy': { result: 'failure' } }) });
    expectRefusal(result, 'Input "needs" has an entry "<!channel> deploy", which is not a job ID', 'toJSON(needs)');
  });
});

describe('plain http', () => {
  it.each([
    [
      'a webhook on another host',
      { 'webhook-url': 'http://hooks.example.test/services/T0/B0/s3cret-path' },
      'Input "webhook-url" is a plain http URL to hooks.example.test: the webhook URL (a secret) and the message would cross the network unencrypted.',
    ],
    [
      'the Web API on another host',
      { 'slack-bot-token': 'xoxb-1-abcdef', 'slack-channel': 'C0DEPLOYS1', 'slack-api-url': 'http://10.0.0.7/api' },
      'Input "slack-api-url" is a plain http URL to 10.0.0.7: the bot token and the message would cross the network unencrypted.',
    ],
    ['an unspecified address', { 'webhook-url': 'http://0.0.0.0:8080/hook' }, 'Input "webhook-url" is a plain http URL to 0.0.0.0'],
  ])('refuses %s, not merely warns', async (_, inputs, message) => {
    const result = await run({ ...inputs, status: 'success' });
    expectRefusal(result, message, 'Use https://', 'loopback address (127.0.0.0/8 or [::1])');
    expect(unmaskedLines(result.log, 's3cret-path')).toEqual([]);
  });

  it('refuses the name "localhost" over http, and says which address to write', async () => {
    const result = await run({ 'webhook-url': slack.webhookUrl.replace('127.0.0.1', 'localhost'), status: 'success' });
    expectRefusal(result, 'Input "webhook-url" is a plain http URL to "localhost", a name rather than an address', 'http://127.0.0.1:<port>/… or http://[::1]:<port>/…');
    expectNoSecretLeaked(
      result,
      slack.secrets.map((secret) => secret.replace('127.0.0.1', 'localhost')),
    );
  });

  it('delivers over http to loopback by address: 127.0.0.0/8 and ::1, in any spelling', async () => {
    const far = await startSlackServer({ host: '127.1.2.3' });
    const six = await startSlackServer({ host: '::1' });
    extra.push(far, six);
    const port = (server: SlackServer) => new URL(server.url).port;
    const cases: Array<[SlackServer, string]> = [
      [far, far.webhookUrl],
      [six, six.webhookUrl.replace('[::1]', '[0:0:0:0:0:0:0:1]')],
      [slack, slack.webhookUrl.replace(`127.0.0.1:${port(slack)}`, `127.1:${port(slack)}`)],
      [slack, slack.webhookUrl.replace('127.0.0.1', '[::ffff:127.0.0.1]')],
    ];
    for (const [server, url] of cases) {
      const result = await run({ 'webhook-url': url, status: 'success' });
      expect({ url, code: result.code, sent: result.outputs.sent, warnings: warnings(result) }).toEqual({ url, code: 0, sent: 'true', warnings: '' });
      expectNoSecretLeaked(result, [url, ...server.secrets]);
    }
    expect([far.messages.length, six.messages.length, slack.messages.length]).toEqual([1, 1, 2]);
  });

  it('tells loopback addresses from everything else', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '127.255.255.254', '[::1]', '::1', '[::ffff:7f00:1]']) expect({ host, loopback: isLoopbackAddress(host) }).toEqual({ host, loopback: true });
    for (const host of ['localhost', 'localhost.', '128.0.0.1', '0.0.0.0', '[::]', '[::2]', '10.0.0.1', '127.0.0.1.nip.io', '[fe80::1]']) expect({ host, loopback: isLoopbackAddress(host) }).toEqual({ host, loopback: false });
  });
});

describe('credentials in a URL', () => {
  it('says the webhook URL has a user name and password in it, and never prints them', async () => {
    const url = slack.webhookUrl.replace('http://', 'http://deploy-bot:hunter2-pw@');
    const result = await run({ 'webhook-url': url, status: 'success' });
    expectRefusal(result, 'Input "webhook-url" has a user name and password in it (user:password@host).', 'Remove the "user:password@" part');
    for (const part of ['hunter2-pw', 'deploy-bot']) {
      expect(unmaskedLines(result.log, part)).toEqual([]);
      expect(result.summary).not.toContain(part);
    }
  });

  it('says the same of the Web API URL, where the token goes', async () => {
    const result = await run({ 'slack-bot-token': slack.token, 'slack-channel': 'C0DEPLOYS1', 'slack-api-url': slack.apiUrl.replace('http://', 'http://admin:hunter2-pw@'), status: 'success' });
    expectRefusal(result, 'Input "slack-api-url" has a user name and password in it (user:password@host).', 'Authorization header');
    expect(unmaskedLines(result.log, 'hunter2-pw')).toEqual([]);
    expectNoSecretLeaked(result);
  });
});

/** Every string of a request body that Slack reads as mrkdwn or shows: the notification text and every text object. */
function mrkdwnTexts(request: SlackRequest): Array<{ text: string; verbatim?: unknown }> {
  const found: Array<{ text: string; verbatim?: unknown }> = [];
  if (typeof request.body.text === 'string') found.push({ text: request.body.text, verbatim: 'top-level' });
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      if (object.type === 'mrkdwn' && typeof object.text === 'string') found.push({ text: object.text, verbatim: object.verbatim });
      Object.values(object).forEach(visit);
    }
  };
  visit(request.body.blocks);
  return found;
}

const CONSOLE = 'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/shop-prod/';
const OUR_LINK = new RegExp(`^<(https://github\\.com/[^|<>]*|${CONSOLE.replace(/[./]/g, '\\$&')}[^|<>]*)\\|[^<>]*>$`);

describe('links from the results', () => {
  it('leaves out a link that is not http(s), names the input and the field, and still delivers the failure', async () => {
    const result = await run({
      'slack-bot-token': slack.token,
      'slack-channel': 'C0DEPLOYS1',
      'slack-api-url': slack.apiUrl,
      status: 'failure',
      deployment: JSON.stringify(deployment([deployedService('api', 'failed', 12, { consoleUrl: 'javascript:alert(document.cookie)' }), deployedService('web', 'deployed', 4, { consoleUrl: 'slack://open?team=T0' })])),
      migration: JSON.stringify(migration('failed', { consoleUrl: 'file:///etc/passwd' })),
    });
    expect({ code: result.code, sent: result.outputs.sent }).toEqual({ code: 0, sent: 'true' });
    const warned = warnings(result);
    expect(warned).toContain('Input "deployment": services[0].consoleUrl (service "api") is a javascript: link, not http(s); the message leaves that link out.');
    expect(warned).toContain('Input "deployment": services[1].consoleUrl (service "web") is a slack: link, not http(s)');
    expect(warned).toContain('Input "migration": "consoleUrl" is a file: link, not http(s)');
    expect(renderMessage(slack.messages[0]!)).toContain('== ❌ Deployment failed: acme/shop from main ==');
    for (const request of slack.requests) expect(request.rawBody).not.toMatch(/javascript:|slack:\/\/|file:/);
    expect(result.summary).not.toMatch(/javascript:|slack:\/\/|file:/);
    expectNoSecretLeaked(result);
  });

  it('refuses a commit in "changes" that is not a SHA, before it reaches a link or git', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'notify-sha-'));
    const planted = join(repo, 'planted.txt');
    try {
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Octo', '-c', 'user.email=octo@example.com', ...args], { cwd: repo, encoding: 'utf8' }).trim();
      git('init', '-q');
      writeFileSync(join(repo, 'README.md'), 'shop\n');
      git('add', '.');
      git('commit', '-q', '-m', 'init');
      const result = await run({ 'webhook-url': slack.webhookUrl, status: 'success', changes: JSON.stringify({ head: `--output=${planted}`, base: 'main|<!channel>', services: ['api'] }) }, { cwd: repo, event: {} });
      expectRefusal(result, 'Input "changes": "base" is "main|<!channel>", which is not a commit SHA.', 'Pass the "result" output of the changes step unchanged');
      expect(existsSync(planted)).toBe(false);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe('mention-on-failure', () => {
  it.each([
    ['<!channel> <https://evil.example/login|Re-authenticate here>', '"<https://evil.example/login|Re-authenticate here>", a link or markup, not a mention'],
    ['@alice', '"@alice", a name; Slack notifies people and user groups by ID'],
    ['<@alice>', '"<@alice>", which is not a member ID'],
    ['oncall', '"oncall", which is not a Slack mention'],
    ['!subteam^S0ONCALL1', '"!subteam^S0ONCALL1", which needs angle brackets: <!subteam^S0ONCALL1>'],
    ['<!subteam^S0ONCALL1|<!everyone>>', '"<!subteam^S0ONCALL1|", which opens "<" without closing it'],
    ['<#C0DEPLOYS1>', '"<#C0DEPLOYS1>", a channel link, not a mention'],
  ])('refuses %j with the form to write', async (mention, message) => {
    const result = await run({ 'webhook-url': slack.webhookUrl, status: 'failure', 'mention-on-failure': mention });
    expectRefusal(result, `Input "mention-on-failure" has ${message}`, '<@U0123ABCD> for a person', '<!subteam^S0123ABCD> for a user group', '@here / @channel');
  });

  it('sends well-formed mentions in the form Slack notifies, once each', async () => {
    const result = await run({
      'webhook-url': slack.webhookUrl,
      status: 'failure',
      'mention-on-failure': '@here, <@U0123ABCD> <!subteam^S0ONCALL1|oncall> <!here>',
    });
    expect(result.code).toBe(0);
    expect(slack.requests[0]!.body.text).toMatch(/^<!here> <@U0123ABCD> <!subteam\^S0ONCALL1\|oncall> ❌ Deployment failed/);
  });
});

describe('free text', () => {
  const hostile = '<!channel> <https://evil.example/x|click> <@U0SMUGGLE1> &lt; @here @everyone\n::error::forged';
  const inputs = () => ({
    status: 'failure',
    title: `Ship ${hostile}`,
    environment: `prod ${hostile}`,
    deployment: JSON.stringify(deployment([deployedService(`api${hostile}`, 'failed', 12, { reason: `boom ${hostile}` }), deployedService('a|b<img src=x onerror=alert(1)>', 'deployed', 3, { image: 'r/shop:v1|x`<b>' })])),
    migration: JSON.stringify(migration('failed', { service: `db ${hostile}`, reason: `P3009 ${hostile}` })),
  });

  function expectInertLog(result: ActionResult): void {
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('::error::forged'))).toEqual([]);
  }

  function expectInertSummary(result: ActionResult): void {
    expect(result.summary).not.toMatch(/(?<!\\)<(?!\/?(?:br|p)\b)/);
    expect(result.summary).not.toContain('](https://evil');
    // Every row of the services table has its five cells.
    for (const row of result.summary.split('\n').filter((line) => line.startsWith('| '))) expect(row.split(/(?<!\\)\|/).length).toBe(7);
  }

  it.each(['webhook', 'bot'] as const)('cannot create a mention, a link or a log command in a Slack message (%s)', async (via) => {
    const destination: Record<string, string> = via === 'webhook' ? { 'webhook-url': slack.webhookUrl } : { 'slack-bot-token': slack.token, 'slack-channel': 'C0DEPLOYS1', 'slack-api-url': slack.apiUrl };
    const result = await run({ ...destination, ...inputs() });
    expectInertLog(result);
    expect(result.outputs.sent).toBe('true');
    const request = slack.requests.find((candidate) => candidate.target === 'webhook' || candidate.target === 'chat.postMessage')!;
    const texts = mrkdwnTexts(request);
    expect(texts.length).toBeGreaterThan(5);
    for (const { text, verbatim } of texts) {
      expect({ text, verbatim }).toEqual({ text, verbatim: verbatim === 'top-level' ? 'top-level' : true });
      for (const token of text.match(/<[^<>]*>/g) ?? []) expect({ text, token, ours: OUR_LINK.test(token) }).toEqual({ text, token, ours: true });
      expect(text).not.toMatch(/(^|[^\w])@(here|channel|everyone)\b/i);
      expect(text).not.toContain('\n::error::');
    }
    // Shown as written, a zero-width space after each "@".
    expect(renderMessage(slack.messages[0]!)).toContain('Environment: prod <!channel> <https://evil.example/x|click> <@U0SMUGGLE1> &lt; @\u200bhere @\u200beveryone ::error::forged ·');
    expectInertSummary(result);
    expectNoSecretLeaked(result);
  });

  it('cannot create a mention, a link, HTML or a log command in the generic markdown or the job summary', async () => {
    const result = await run({ 'webhook-url': slack.genericUrl, format: 'generic', ...inputs() });
    expectInertLog(result);
    const body = slack.requests[0]!.body as { text: string; content: string };
    for (const markdown of [body.text, body.content]) {
      expect(markdown).not.toMatch(/(?<!\\)[<>]/);
      expect(markdown).not.toContain('](https://evil');
      expect(markdown).not.toMatch(/(^|[^\w])@(here|channel|everyone|U0SMUGGLE1)\b/i);
      expect(markdown.split('\n').filter((line) => line.startsWith('::'))).toEqual([]);
    }
    expectInertSummary(result);
  });
});
