import { describe, expect, it } from '@jest/globals';
import { githubContext } from '../../shared/github.js';
import { buildReport, imageTag, type Report } from '../../shared/notify/report.js';
import { resolveOutcome } from '../../shared/notify/outcome.js';
import { parseBuilds, parseChanges, parseDeployment, parseMigration, parseNeeds } from '../../shared/notify/results.js';
import { SLACK_LIMITS, blockChars, slackMessage, type Block, type SlackMessage } from '../../shared/notify/slack-message.js';
import { genericPayload, GENERIC_LIMITS } from '../../shared/notify/generic.js';
import { markdownMessage } from '../../shared/notify/markdown.js';
import { escapeMarkdown, escapeMrkdwn, markdownLink, oneLine, truncate, packLines } from '../../shared/notify/text.js';
import type { NotifyInputs, Status } from '../../shared/notify/types.js';
import { blockErrors, renderMessage } from '../../standins/slack-server.js';
import { BASE, SHA, build, changes, deployedService, deployment, migration } from './fixtures.js';
import { userErrorOf } from '../harness/errors.js';
import { parseMentions, plainMentions, slackMentions } from '../../shared/notify/mention.js';
import { checkLink } from '../../shared/notify/links.js';

const context = githubContext({
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_ATTEMPT: '2',
  GITHUB_SHA: SHA,
  GITHUB_REF_NAME: 'main',
  GITHUB_ACTOR: 'octocat',
  GITHUB_EVENT_NAME: 'push',
  GITHUB_WORKFLOW: 'deploy',
});

interface Raw {
  status?: Status;
  needs?: unknown;
  changes?: unknown;
  builds?: unknown;
  migration?: unknown;
  deployment?: unknown;
  environment?: string;
  title?: string;
  mentionOnFailure?: string;
}

function inputs(raw: Raw): NotifyInputs {
  return {
    destination: { kind: 'webhook', url: 'https://hooks.slack.com/services/T/B/x', format: 'slack' },
    status: raw.status,
    needs: parseNeeds(raw.needs),
    changes: parseChanges(raw.changes),
    builds: parseBuilds(raw.builds),
    migration: parseMigration(raw.migration),
    deployment: parseDeployment(raw.deployment),
    environment: raw.environment,
    title: raw.title,
    mentionOnFailure: parseMentions(raw.mentionOnFailure),
    failOnError: false,
    retries: 0,
  };
}

function render(raw: Raw, commitTitle = 'Fix checkout rounding'): { report: Report; message: SlackMessage; text: string } {
  const parsed = inputs(raw);
  const outcome = resolveOutcome(parsed);
  if (!outcome) throw new Error('no outcome');
  const report = buildReport(parsed, outcome, context, { sha: SHA, title: commitTitle, branch: 'main' });
  const message = slackMessage(report);
  return { report, message, text: renderMessage(message) };
}

function expectWithinSlackLimits(message: SlackMessage): void {
  expect(blockErrors(message as unknown as Record<string, unknown>)).toBeUndefined();
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  expect(message.blocks.reduce((sum, block) => sum + blockChars(block), 0)).toBeLessThanOrEqual(SLACK_LIMITS.blocksChars);
  for (const text of allTexts(message.blocks)) {
    // Every link that starts also ends, and no lone surrogate is left by a cut.
    expect(text.split('<').length).toBe(text.split('>').length);
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)).toBe(false);
  }
}

function allTexts(blocks: Block[]): string[] {
  const texts: string[] = [];
  const visit = (value: unknown, key?: string) => {
    if (typeof value === 'string' && key === 'text') texts.push(value);
    else if (Array.isArray(value)) value.forEach((item) => visit(item));
    else if (value && typeof value === 'object') Object.entries(value).forEach(([name, item]) => visit(item, name));
  };
  visit(blocks);
  return texts;
}

const services = ['api', 'landing', 'investor', 'issuer', 'admin'];

describe('the outcome', () => {
  const needs = (...results: string[]) => Object.fromEntries(results.map((result, i) => [`job${i}`, { result, outputs: {} }]));

  it.each([
    [['success', 'success'], 'succeeded'],
    [['success', 'failure', 'cancelled'], 'failed'],
    [['success', 'cancelled', 'skipped'], 'cancelled'],
    [['skipped', 'skipped'], 'skipped'],
    [['success', 'skipped'], 'succeeded'],
  ])('is derived from needs %j as %s', (results, expected) => {
    expect(resolveOutcome(inputs({ needs: needs(...results) }))).toBe(expected);
  });

  it('reads a rolled-back deployment as "rolled back", whether the status says failure or success', () => {
    const rolledBack = deployment([deployedService('api', 'rolled-back'), deployedService('landing')]);
    expect(resolveOutcome(inputs({ status: 'failure', deployment: rolledBack }))).toBe('rolled-back');
    expect(resolveOutcome(inputs({ needs: needs('success', 'failure'), deployment: rolledBack }))).toBe('rolled-back');
    expect(resolveOutcome(inputs({ status: 'success', deployment: rolledBack }))).toBe('rolled-back');
  });

  it('never announces success when a result reports a failure', () => {
    expect(resolveOutcome(inputs({ status: 'success', migration: migration('failed') }))).toBe('failed');
    expect(resolveOutcome(inputs({ status: 'success', deployment: deployment([deployedService('api', 'failed')]) }))).toBe('failed');
  });

  it('keeps started and cancelled as given, and says "skipped" when nothing changed', () => {
    expect(resolveOutcome(inputs({ status: 'started', deployment: deployment([deployedService('api', 'failed')]) }))).toBe('started');
    expect(resolveOutcome(inputs({ status: 'cancelled', deployment: deployment([deployedService('api', 'rolled-back')]) }))).toBe('cancelled');
    expect(resolveOutcome(inputs({ status: 'success', changes: changes([]) }))).toBe('skipped');
  });

  it('falls back to the results when neither status nor needs is given, and is unknown with nothing at all', () => {
    expect(resolveOutcome(inputs({ deployment: deployment([deployedService('api')]) }))).toBe('succeeded');
    expect(resolveOutcome(inputs({ migration: migration('timed-out') }))).toBe('failed');
    expect(resolveOutcome(inputs({ changes: changes(['api']) }))).toBeUndefined();
    // The needs of a job that needs nothing say nothing; they are not "all skipped".
    expect(resolveOutcome(inputs({ needs: {} }))).toBeUndefined();
    expect(resolveOutcome(inputs({ needs: {}, deployment: deployment([deployedService('api')]) }))).toBe('succeeded');
  });
});

describe('the Slack message', () => {
  it('shows the outcome, repository, environment, commit, actor, every service, the migration and a run button', () => {
    const { message, text } = render({
      status: 'success',
      environment: 'production',
      changes: changes(services),
      builds: services.map((name) => build(name)),
      migration: migration(),
      deployment: deployment(services.map((name, i) => deployedService(name, 'deployed', 10 + i))),
    });
    expectWithinSlackLimits(message);
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: '✅ Deployed acme/shop to production', emoji: true } });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('<https://github.com/acme/shop/commit/0123456789abcdef0123456789abcdef01234567|0123456>');
    expect(json).toContain(`<https://github.com/acme/shop/compare/${BASE}...${SHA}|changes>`);
    expect(text).toContain('Repository: acme/shop');
    expect(text).toContain('Environment: production');
    expect(text).toContain('Commit: 0123456 Fix checkout rounding');
    expect(text).toContain('Triggered by: octocat (push)');
    services.forEach((name, i) => expect(text).toContain(`✅ ${name} deployed · \`0123456\` · rev ${10 + i} · 1m 35s`));
    expect(text).toContain('✅ Migration (api) succeeded in 31s');
    expect(message.blocks.find((block) => block.type === 'actions')).toMatchObject({
      elements: [{ text: { text: 'View run' }, url: 'https://github.com/acme/shop/actions/runs/4242', style: 'primary' }, { text: { text: 'View commit' } }, { text: { text: 'Compare changes' } }],
    });
    expect(text).toContain('Workflow deploy · attempt 2');
    expect(message.text).toBe('✅ Deployed acme/shop to production: api deployed, landing deployed, investor deployed, issuer deployed, admin deployed (0123456 Fix checkout rounding)');
    expect(text).not.toContain('Why it failed');
  });

  it('reads "rolled back", puts the service in trouble first with the revision it went back to, and says why', () => {
    const { message, text, report } = render({
      needs: { build: { result: 'success' }, deploy: { result: 'failure' } },
      environment: 'production',
      deployment: deployment([deployedService('landing'), deployedService('api', 'rolled-back', 12)]),
      mentionOnFailure: '@here',
    });
    expectWithinSlackLimits(message);
    expect(report.outcome).toBe('rolled-back');
    expect(text).toMatch(/^== ↩️ Rolled back: acme\/shop to production ==\n@here\n/);
    expect(text).toMatch(/Services \(2\)\n↩️ api rolled back to rev 11 · rev 12 \(`0123456`\) failed · 1m 35s\n✅ landing deployed/);
    expect(text).toContain('Why it rolled back\n• api: Essential container in task exited (exit code 1): Error: connect ECONNREFUSED 10.0.3.7:5432\n• Job failed: deploy');
    expect(message.text.startsWith('<!here> ↩️ Rolled back: acme/shop to production: api rolled back, landing deployed')).toBe(true);
    expect(message.blocks.find((block) => block.type === 'actions')).toMatchObject({ elements: [{ style: 'danger', text: { text: 'View run' } }, { text: { text: 'View commit' } }] });
  });

  it('names the strategy of a blue/green, linear or canary rollout and the furthest stage it reached before rolling back', () => {
    const canary = {
      ...deployedService('api', 'rolled-back', 12),
      strategy: 'CANARY',
      stages: ['SCALE_UP 0%', 'PRODUCTION_TRAFFIC_SHIFT 10%', 'PRODUCTION_TRAFFIC_SHIFT 100%', 'BAKE_TIME 100%', 'rolling back: PRODUCTION_TRAFFIC_SHIFT 0%'],
    };
    const rolling = { ...deployedService('landing'), strategy: 'ROLLING', stages: [] };
    const { text, message, report } = render({ needs: { deploy: { result: 'failure' } }, deployment: deployment([canary, rolling]) });
    expectWithinSlackLimits(message);
    expect(text).toContain('↩️ api rolled back to rev 11 · rev 12 (`0123456`) failed · 1m 35s · canary, reached BAKE_TIME 100%');
    expect(text).toMatch(/✅ landing deployed · `0123456` · rev \d+ · 1m 35s\n/);
    expect(markdownMessage(report, 4000)).toContain('canary, reached BAKE_TIME 100%');
  });

  it('shows a failed migration with its exit code and reason, and services that were never deployed', () => {
    const { text, message } = render({ status: 'failure', changes: changes(['api', 'landing']), builds: [build('api'), build('landing')], migration: migration('failed') });
    expectWithinSlackLimits(message);
    expect(text).toContain('== ❌ Deployment failed: acme/shop from main ==');
    expect(text).toContain('➖ api not deployed · `0123456` · 42s');
    expect(text).toContain('❌ Migration (api) failed (exit 1) in 31s · task');
    expect(text).toContain('Why it failed\n• migration (api): P3009: migrate found failed migrations');
  });

  it('lists the services about to deploy in the message posted at the start', () => {
    const { text } = render({ status: 'started', environment: 'staging', changes: changes(['api', 'admin']), title: 'Shop release 42' });
    expect(text).toContain('== 🚀 Shop release 42 ==');
    expect(text).toContain('⏳ api deploying');
    expect(text).toContain('⏳ admin deploying');
  });

  it('escapes what would be read as Slack markup in commit messages and reasons', () => {
    const { message } = render({ status: 'failure', deployment: deployment([deployedService('api', 'failed', 3, { reason: 'x < y && <!channel> > z' })]) }, 'Merge <b>feature</b> & <!everyone>');
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('Merge &lt;b&gt;feature&lt;/b&gt; &amp; &lt;!everyone&gt;');
    expect(json).toContain('x &lt; y &amp;&amp; &lt;!channel&gt; &gt; z');
    expect(json).not.toContain('<!channel>');
  });

  it('stays within 50 blocks and the character limits for 400 services, saying how many are left out', () => {
    const many = Array.from({ length: 400 }, (_, i) => `service-${String(i).padStart(3, '0')}-${'x'.repeat(30)}`);
    const { message, text } = render({
      status: 'failure',
      deployment: deployment(many.map((name, i) => deployedService(name, i % 7 === 0 ? 'failed' : 'deployed', i + 1, { reason: i % 7 === 0 ? `reason ${i}: ${'long '.repeat(150)}` : '' }))),
    });
    expectWithinSlackLimits(message);
    const shown = many.filter((name) => text.includes(`${name} `)).length;
    const more = /…and (\d+) more services; the job summary lists every one\./.exec(text);
    expect(more).not.toBeNull();
    expect(shown + Number(more![1])).toBe(400);
    expect(shown).toBeGreaterThan(20);
    expect(text).toMatch(/_…and \d+ more reasons_/);
    expect(message.text).toMatch(/and \d+ more services/);
    // The failures come first, so the ones that matter are the ones shown.
    const lines = text.split('\n').filter((line) => /^(❌|✅) service-/.test(line));
    expect(lines.slice(0, 57).every((line) => line.startsWith('❌'))).toBe(true);
    expect(lines.slice(57).every((line) => line.startsWith('✅'))).toBe(true);
  });

  it('keeps the limits and an exact count when long names and many reasons crowd the message', () => {
    const many = Array.from({ length: 300 }, (_, i) => `svc-${i}`);
    const { message, text } = render({
      status: 'failure',
      environment: 'production-'.repeat(400),
      needs: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`job-${i}-${'z'.repeat(80)}`, { result: 'failure' }])),
      deployment: deployment(many.map((name) => deployedService(name, 'failed', 2, { reason: 'r'.repeat(600) }))),
    });
    expectWithinSlackLimits(message);
    const shown = many.filter((name) => new RegExp(`^❌ ${name} failed`, 'm').test(text)).length;
    const left = Number(/…and (\d+) more services/.exec(text)?.[1]);
    expect(shown + left).toBe(300);
    expect(text).toContain(`Environment: ${'production-'.repeat(9)}`);
  });

  it('shows the tag of a digest-pinned deployment from the build that pushed that digest, and the short digest without one', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const pinned = (name: string) => deployedService(name, 'deployed', 12, { image: `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-${name}@${digest}` });
    const { text, report } = render({
      status: 'success',
      // api: the build's image names the tag; web: only its tags do; admin: a build of another digest; worker: no build.
      builds: [build('api'), build('web', { image: undefined }), build('admin', { digest: `sha256:${'cd'.repeat(32)}` })],
      deployment: deployment([pinned('api'), pinned('web'), pinned('admin'), pinned('worker')]),
    });
    expect(text).toContain('✅ api deployed · `0123456` · rev 12');
    expect(text).toContain('✅ web deployed · `0123456` · rev 12');
    expect(text).toContain('✅ admin deployed · `sha256:abababababab` · rev 12');
    expect(text).toContain('✅ worker deployed · `sha256:abababababab` · rev 12');
    expect(report.services.find((s) => s.name === 'api')!.image).toBe(`123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api@${digest}`);
    expect(imageTag(`r/shop:v1.2@${digest}`)).toBe('v1.2');
  });

  it('links an app actor to its app page', () => {
    const report = buildReport(inputs({ status: 'success' }), 'succeeded', githubContext({ GITHUB_REPOSITORY: 'acme/shop', GITHUB_ACTOR: 'dependabot[bot]' }), { sha: SHA });
    expect(report.actor).toEqual({ login: 'dependabot[bot]', url: 'https://github.com/apps/dependabot' });
  });

  it('cuts long text at a whole character and never inside a link, keeping every limit', () => {
    const emoji = '👨‍👩‍👧‍👦';
    const { message } = render(
      {
        status: 'failure',
        title: `${emoji} `.repeat(60),
        environment: 'é'.repeat(300),
        deployment: deployment([deployedService('api', 'failed', 3, { reason: `${emoji}`.repeat(1000) })]),
      },
      `${'ü'.repeat(199)}${emoji.repeat(20)}`,
    );
    expectWithinSlackLimits(message);
    const header = (message.blocks[0]!.text as { text: string }).text;
    expect(header.length).toBeLessThanOrEqual(150);
    expect(header.endsWith(`${emoji} …`) || header.endsWith(`${emoji}…`)).toBe(true);
  });
});

describe('truncation helpers', () => {
  it('drops a link whole rather than cutting it, and keeps entities and graphemes whole', () => {
    const link = '<https://example.com/a/very/long/path|label>';
    expect(truncate(`abc ${link} def`, 20, 'mrkdwn')).toBe('abc…');
    expect(truncate('a &amp; b &lt;c&gt;', 9, 'mrkdwn')).toBe('a &amp;…');
    expect(truncate('🇯🇵🇯🇵🇯🇵', 5)).toBe('🇯🇵…');
    expect(truncate('[label](https://example.com/x) tail', 12, 'markdown')).toBe('…');
  });

  it('packs lines into chunks and counts the ones left out', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i}`);
    expect(packLines(lines, { maxChars: 13, maxChunks: 2, totalChars: 1000 }, 'plain')).toEqual({ chunks: ['line 0\nline 1', 'line 2\nline 3'], omitted: 6 });
    expect(packLines(lines, { maxChars: 100, maxChunks: 5, totalChars: 20 }, 'plain')).toEqual({ chunks: ['line 0\nline 1\nline 2'], omitted: 7 });
  });
});

describe('the generic payload', () => {
  it("carries markdown within each receiver's limit and every fact as data", () => {
    const many = Array.from({ length: 120 }, (_, i) => `svc${i}`);
    const report = render({ status: 'success', environment: 'production', deployment: deployment(many.map((name) => deployedService(name))) }).report;
    const payload = genericPayload(report);
    expect(payload.text.length).toBeLessThanOrEqual(GENERIC_LIMITS.text);
    expect(payload.content.length).toBeLessThanOrEqual(GENERIC_LIMITS.content);
    expect(payload.text).toMatch(/^\*\*✅ Deployed acme\/shop to production\*\*\n\*\*Repository\*\* \[acme\/shop\]\(https:\/\/github.com\/acme\/shop\)/);
    expect(payload.content).toMatch(/- …and \d+ more services/);
    expect(payload.deployment.services).toHaveLength(120);
    expect(payload.deployment).toMatchObject({ outcome: 'succeeded', repository: 'acme/shop', environment: 'production', commit: { sha: SHA, title: 'Fix checkout rounding' } });
  });

  it('escapes markdown in user text', () => {
    const report = render({ status: 'success', deployment: deployment([deployedService('api')]) }, 'Fix *all* the [things]').report;
    expect(markdownMessage(report, 4000)).toContain('Fix \\*all\\* the \\[things\\]');
  });
});

describe("reading the other actions' results", () => {
  it('accepts one build result, an array, an object keyed by service, and JSON strings from job outputs', () => {
    expect(parseBuilds(build('api'))!.map((b) => b.service)).toEqual(['api']);
    expect(parseBuilds([build('api'), build('web')])!.map((b) => b.service)).toEqual(['api', 'web']);
    expect(parseBuilds({ api: build('api'), web: { ...build('web'), service: undefined } })!.map((b) => b.service)).toEqual(['api', 'web']);
    expect(parseBuilds({ 'result-api': JSON.stringify(build('api')), 'result-web': '' })!.map((b) => b.service)).toEqual(['api']);
    expect(parseBuilds(null)).toBeUndefined();
  });

  it('ignores unknown fields and tolerates missing optional ones', () => {
    expect(parseDeployment({ outcome: 'deployed', services: [{ service: 'api', extra: { nested: true } }], future: 1 })).toEqual({
      outcome: 'deployed',
      services: [{ service: 'api' }].map((s) => expect.objectContaining(s)),
    });
    expect(parseMigration({ status: 'succeeded' })).toMatchObject({ status: 'succeeded', exitCode: undefined });
    expect(parseChanges(['api', 'web'])).toEqual({ changed: ['api', 'web'] });
    expect(parseChanges({ include: [{ service: 'api' }, { name: 'web' }] })!.changed).toEqual(['api', 'web']);
    expect(parseChanges(changes(['api']))).toMatchObject({ changed: ['api'], base: BASE, head: SHA, migrate: true });
    expect(imageTag('localhost:5000/shop-api:v1.2')).toBe('v1.2');
    expect(imageTag('localhost:5000/shop-api')).toBeUndefined();
    expect(imageTag(`r/shop@sha256:${'ab'.repeat(32)}`)).toBe('sha256:abababababab');
  });

  it('names the input when the overall shape is wrong', () => {
    expect(userErrorOf(() => parseDeployment([1, 2])).message).toBe('Input "deployment" is an array, not the result of deploy-ecs (an object with "outcome" and "services").');
    expect(userErrorOf(() => parseDeployment({ outcome: 'deployed', services: {} })).message).toContain('Input "deployment" has "services" as an object');
    expect(userErrorOf(() => parseMigration('succeeded')).message).toBe('Input "migration" is a string, not the result of migrate (an object with "status").');
    expect(userErrorOf(() => parseBuilds(42)).message).toContain('Input "builds" is a number');
    expect(userErrorOf(() => parseBuilds({ api: 'nope' })).message).toBe('Input "builds": entry "api" is a string, not a build-push result.');
    expect(userErrorOf(() => parseChanges({ head: SHA })).message).toContain('Input "changes" is an object with keys "head"');
    expect(userErrorOf(() => parseNeeds({ result: 'success', outputs: {} })).message).toContain('holds a single job');
    expect(userErrorOf(() => parseNeeds({ build: 'success' })).hint).toContain('toJSON(needs)');
  });
});

describe('mention-on-failure', () => {
  it('reads Slack mentions separated by spaces or commas, once each, and writes them as Slack notifies', () => {
    const mentions = parseMentions(' @here, <@U0123ABCD> <@W0ENTERPRISE1|Ana> <!subteam^S0ONCALL1|@oncall>  <!here> <!channel|channel>')!;
    expect(mentions).toEqual([
      { kind: 'broadcast', name: 'here' },
      { kind: 'user', id: 'U0123ABCD', label: undefined },
      { kind: 'user', id: 'W0ENTERPRISE1', label: 'Ana' },
      { kind: 'group', id: 'S0ONCALL1', label: 'oncall' },
      { kind: 'broadcast', name: 'channel' },
    ]);
    expect(slackMentions(mentions)).toBe('<!here> <@U0123ABCD> <@W0ENTERPRISE1|Ana> <!subteam^S0ONCALL1|oncall> <!channel>');
    expect(plainMentions(mentions)).toBe('@here U0123ABCD @Ana @oncall @channel');
    expect(parseMentions('  ')).toBeUndefined();
  });

  it.each([
    ['<!channel><https://evil.example|x>', '"<https://evil.example|x>", a link or markup'],
    ['@oncall-team', '"@oncall-team", a name'],
    ['@U0123ABCD', '"@U0123ABCD", which needs angle brackets to notify: <@U0123ABCD>'],
    ['<@u0123abcd>', '"<@u0123abcd>", which is not a member ID'],
    ['<!subteam^S0ONCALL1|on<call>', '"<!subteam^S0ONCALL1|on", which opens "<" without closing it'],
    ['<!date^1392734382^{date}|Feb 18>', '"<!date^1392734382^{date}|Feb 18>", which is not one of <!here>, <!channel>, <!everyone> or <!subteam^S…>'],
    ['here', '"here", which is not a Slack mention'],
    // The direction override is shown escaped, so the message reads as what was written.
    ['<@U0123ABCD|a\u202eb>', '"<@U0123ABCD|a\\u202eb>", whose label (after "|") is not a plain name'],
  ])('refuses %j', (value, message) => {
    const error = userErrorOf(() => parseMentions(value));
    expect(error.message).toContain(`Input "mention-on-failure" has ${message}`);
    expect(error.hint).toContain('<@U0123ABCD> for a person');
  });

  it('refuses more mentions than a message should carry', () => {
    const many = Array.from({ length: 21 }, (_, i) => `<@U0000000${String(i).padStart(2, '0')}>`).join(' ');
    expect(userErrorOf(() => parseMentions(many)).message).toBe('Input "mention-on-failure" has 21 mentions; at most 20 are sent.');
  });
});

describe('text from the inputs', () => {
  it('becomes one line without control characters or direction overrides', () => {
    expect(oneLine('a\r\n  b\tc\u0000d\u001b[31me\u202eF\u2066g')).toBe('a b c d [31meFg');
  });

  it('keeps Slack markup, bare mentions and new lines out of mrkdwn, and marks every text object verbatim', () => {
    expect(escapeMrkdwn('<!here> & <@U1|x> @channel a@b.c\n• fake')).toBe('&lt;!here&gt; &amp; &lt;@U1|x&gt; @\u200bchannel a@b.c • fake');
    const { message } = render({ status: 'failure', environment: 'prod\n*fake line*', title: '<!channel> release' });
    const objects = JSON.stringify(message.blocks).match(/\{"type":"mrkdwn"[^}]*\}/g)!;
    expect(objects.length).toBeGreaterThan(3);
    for (const object of objects) expect(JSON.parse(object)).toMatchObject({ verbatim: true });
    expect(message.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: '❌ <!channel> release: failed' } });
  });

  it('keeps markdown, HTML, entities and @mentions out of the generic text and the job summary', () => {
    expect(escapeMarkdown('<img src=x> &lt; [a](b) @alice x@y.z #1 |\n- item')).toBe('\\<img src=x\\> \\&lt; \\[a\\](b) @\u200balice x@y.z \\#1 \\| - item');
    expect(markdownLink('https://x.example/a(b)|c', 'l')).toBe('[l](https://x.example/a%28b%29%7Cc)');
  });
});

describe('links from the results', () => {
  it("takes http(s) links only, without credentials, within Slack's length", () => {
    expect(checkLink('https://console.example/a b')).toEqual({ url: 'https://console.example/a%20b' });
    expect(checkLink('javascript:alert(1)')).toEqual({ problem: 'is a javascript: link, not http(s)' });
    expect(checkLink('https://u:p@console.example/')).toEqual({ problem: 'has a user name or password in it' });
    expect(checkLink('console.example/x')).toEqual({ problem: 'is not a URL' });
    expect(checkLink(`https://console.example/${'x'.repeat(3000)}`)).toEqual({ problem: 'is longer than the 3,000 characters Slack accepts in a link' });
  });

  it('leaves a bad link out with a warning naming the input and the field', () => {
    const warnings: string[] = [];
    const parsed = parseDeployment({ outcome: 'failed', services: [{ service: 'api', outcome: 'failed', consoleUrl: 'vbscript:x' }] }, 'deployment', (message) => warnings.push(message));
    expect(parsed!.services[0]!.consoleUrl).toBeUndefined();
    expect(warnings).toEqual([
      'Input "deployment": services[0].consoleUrl (service "api") is a vbscript: link, not http(s); the message leaves that link out. Pass the "result" output of deploy-ecs unchanged: its links are https console URLs.',
    ]);
  });
});

describe('the needs context', () => {
  it('takes the four results GitHub gives and job IDs as GitHub writes them', () => {
    expect(parseNeeds({ build: { result: 'success' }, _deploy_2: { result: 'failure' }, 'smoke-test': { result: 'cancelled' }, docs: { result: 'skipped' } })).toBeDefined();
    expect(userErrorOf(() => parseNeeds({ deploy: { result: 'timed_out' } })).message).toBe(
      'Input "needs": job "deploy" has result "timed_out", which GitHub never gives; a job\'s result is success, failure, cancelled or skipped.',
    );
    expect(userErrorOf(() => parseNeeds({ '2deploy': { result: 'success' } })).message).toContain('has an entry "2deploy", which is not a job ID');
  });
});
