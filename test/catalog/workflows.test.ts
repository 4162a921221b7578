/**
 * Bad inputs of the reusable workflows, refused by their first job (the preflight step) before
 * anything is built, pushed, migrated or deployed: each case names the workflow input, secret or
 * manifest line, says how to fix it, and reaches AWS not at all.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { awsTestEnv, motoUrl } from '../../standins/moto.js';
import { runAction } from '../../standins/run-action.js';
import { expectRefused, startAwsRecorder, type AwsRecorder, type CatalogCase } from './catalog.js';

const MANIFEST = `region: us-east-1
cluster: shop-prod
services:
  api:
    paths: [apps/api/**]
    repository: shop-api
    ecs: { service: shop-api, container: api }
    migrate: { command: [npx, prisma, migrate, deploy] }
  web:
    paths: [apps/web/**]
    repository: shop-web
    ecs: { service: shop-web, container: web }
`;

/** Staging, then production in another account under the GitHub environment "Production". */
const ENVIRONMENTS = `${MANIFEST}environments:
  staging:
    account: "210987654321"
    cluster: shop-staging
  production:
    githubEnvironment: Production
    account: "345678901234"
    images: copy
`;
const withEnvironments = { files: { '.github/services.yml': ENVIRONMENTS } };
const SHA = '0123456789abcdef0123456789abcdef01234567';

const DEPLOY_INPUTS = {
  manifest: '.github/services.yml',
  environment: 'production',
  'promote-from': '',
  'promote-commit': '',
  'migrate-environment': '',
  'role-to-assume': '',
  'aws-region': '',
  'allowed-account-ids': '',
  services: '',
  since: 'event',
  'build-cache': 'registry',
  'wait-timeout': '15m',
  rollback: true,
  'bake-wait': 'full',
  'slack-channel': '',
  'runs-on': 'ubuntu-24.04',
};
const ROLLBACK_INPUTS = { environment: 'production', services: 'api', target: 'previous', manifest: '.github/services.yml', 'slack-channel': '' };

interface WorkflowCase extends Omit<CatalogCase, 'inputs'> {
  workflow: 'deploy' | 'rollback';
  given: Record<string, unknown>;
  secrets?: { 'slack-webhook-url'?: string; 'slack-bot-token'?: string };
}

const deploy = (name: string, given: Record<string, unknown>, says: CatalogCase['says'], extra: Partial<WorkflowCase> = {}): WorkflowCase => ({
  name,
  workflow: 'deploy',
  given: { ...DEPLOY_INPUTS, ...given },
  says,
  ...extra,
});
const rollback = (name: string, given: Record<string, unknown>, says: CatalogCase['says'], extra: Partial<WorkflowCase> = {}): WorkflowCase => ({
  name,
  workflow: 'rollback',
  given: { ...ROLLBACK_INPUTS, ...given },
  says,
  ...extra,
});

const CASES: WorkflowCase[] = [
  deploy('a wait-timeout typo', { 'wait-timeout': '15 minutes' }, ['Input "wait-timeout" is "15 minutes", which is not a duration such as 90s, 15m or 1h30m', 'inputs of the deploy workflow call']),
  deploy('a wait-timeout of 0', { 'wait-timeout': '0' }, ['Input "wait-timeout" is "0", which is not a duration of at least 1s']),
  deploy('a negative wait-timeout', { 'wait-timeout': '-1' }, ['Input "wait-timeout" is "-1", which is not a duration']),
  deploy('an absurd wait-timeout', { 'wait-timeout': '99999h' }, ['Input "wait-timeout" is "99999h", which is not a duration of at most 6h']),
  deploy('a bake-wait that is no choice', { 'bake-wait': 'until lunch' }, ['Input "bake-wait" is "until lunch", which is not full, none or a duration', 'Fix the inputs of the workflow call']),
  deploy('a build-cache that does not exist', { 'build-cache': 's3' }, ['Input "build-cache" is "s3", which is not one of: registry, gha, inline, none']),
  deploy('a since typo', { since: 'last-deploy' }, ['Input "since" is "last-deploy", which is not one of: event, last-deployed']),
  deploy('a region typo', { 'aws-region': 'us-est-1' }, ['Input "aws-region" is "us-est-1", which is not an AWS region; did you mean "us-east-1"?']),
  deploy('a region that does not exist', { 'aws-region': 'us-east-99' }, ['"us-east-99", which is not an AWS region']),
  deploy('a role name instead of an ARN', { 'role-to-assume': 'github-actions-deployer' }, ['Input "role-to-assume" is "github-actions-deployer", which is not an IAM role ARN', 'arn:aws:iam::123456789012:role/']),
  deploy('a role ARN of another partition shape', { 'role-to-assume': 'arn:aws:iam::12345:role/deployer' }, ['Input "role-to-assume"', 'which is not an IAM role ARN']),
  deploy('an account id that is not 12 digits', { 'allowed-account-ids': '12345' }, ['Input "allowed-account-ids" contains "12345", which is not a 12-digit AWS account id']),
  deploy('a service the manifest lacks', { services: 'api, nope' }, ['Input "services" of the deploy workflow: Service "nope" is not in .github/services.yml', 'Services in the manifest: api, web']),
  deploy('a service name with shell metacharacters', { services: 'api;rm -rf /' }, ['Service "api;rm -rf /" is not in .github/services.yml']),
  deploy('a service name with a newline smuggled in', { services: '["api\\nweb"]' }, ['Service "api\nweb" is not in']),
  deploy('a manifest path that does not exist', { manifest: '.github/servics.yml' }, ['The services manifest ".github/servics.yml" does not exist', '"manifest"']),
  deploy('an unknown manifest key', {}, ['.github/services.yml', 'Unknown key "clsuter" at the top level. Did you mean "cluster"?'], {
    files: { '.github/services.yml': MANIFEST.replace('cluster: shop-prod', 'cluster: shop-prod\nclsuter: shop-prod') },
  }),
  deploy('a manifest region that does not exist', {}, ['"region" is "eu-wset-1", which is not an AWS region; did you mean "eu-west-1"?'], {
    files: { '.github/services.yml': MANIFEST.replace('region: us-east-1', 'region: eu-wset-1') },
  }),
  deploy('a webhook secret that is not a URL', {}, ['Secret SLACK_WEBHOOK_URL is not a valid URL'], { secrets: { 'slack-webhook-url': 'hooks.slack.com/services/T0/B0/x' } }),
  deploy('a webhook secret with spaces', {}, ['Secret SLACK_WEBHOOK_URL contains spaces or line breaks'], { secrets: { 'slack-webhook-url': 'https://hooks.slack.com/services/T0/B0/x trailing' } }),
  deploy('a webhook secret over plain http to another host', {}, ['Secret SLACK_WEBHOOK_URL', 'http'], { secrets: { 'slack-webhook-url': 'http://hooks.slack.com/services/T0/B0/xyz' } }),
  deploy('a webhook secret with credentials in it', {}, ['Secret SLACK_WEBHOOK_URL', 'user:password@host'], { secrets: { 'slack-webhook-url': 'https://bot:hunter2@hooks.slack.com/services/T0/B0/xyz' } }),
  deploy('an app-level token as the bot token', { 'slack-channel': 'C0123456789' }, ['Secret SLACK_BOT_TOKEN is an app-level token (xapp-…)'], { secrets: { 'slack-bot-token': 'xapp-1-A0-123-abc' } }),
  deploy('a URL as the bot token', { 'slack-channel': 'C0123456789' }, ['Secret SLACK_BOT_TOKEN holds a URL, not a token'], { secrets: { 'slack-bot-token': 'https://hooks.slack.com/services/T0/B0/x' } }),
  deploy('two mistakes at once, both listed', { 'wait-timeout': 'soon', 'build-cache': 'disk' }, ['2 problems', 'Input "wait-timeout" is "soon"', 'Input "build-cache" is "disk"']),
  deploy(
    'an environment the manifest environments do not deploy under',
    { environment: 'prod' },
    ['Input "environment" of the deploy workflow is "prod", but no environment of .github/services.yml is deployed under that GitHub environment', 'production (GitHub environment "Production")', 'githubEnvironment: prod'],
    withEnvironments,
  ),
  deploy(
    'a GitHub environment two manifest environments claim',
    { environment: 'Production' },
    ['Input "environment" of the deploy workflow is "Production", which selects 2 environments of .github/services.yml: staging, production', 'Give each environment its own GitHub environment'],
    {
      files: { '.github/services.yml': ENVIRONMENTS.replace('    cluster: shop-staging', '    cluster: shop-staging\n    githubEnvironment: Production') },
    },
  ),
  deploy(
    'a promotion from an environment the manifest lacks',
    { 'promote-from': 'stagin' },
    ['Input "promote-from" of the deploy workflow is "stagin", which is not an environment of .github/services.yml. Did you mean "staging"?', 'Environments in the manifest: staging, production'],
    withEnvironments,
  ),
  deploy(
    'a promotion from the environment it deploys to',
    { 'promote-from': 'production' },
    ['Input "promote-from" of the deploy workflow is "production", the environment the call deploys to', 'promote-from: staging with environment: production'],
    withEnvironments,
  ),
  deploy('a promotion of a short commit SHA', { 'promote-commit': SHA.slice(0, 7) }, ['Input "promote-commit" of the deploy workflow is "0123456", which is not a full commit SHA', 'git rev-parse'], withEnvironments),
  deploy(
    'a promotion from an environment and of a commit at once',
    { 'promote-from': 'staging', 'promote-commit': SHA },
    ['Inputs "promote-from" ("staging") and "promote-commit"', 'are both set', 'Keep "promote-from"'],
    withEnvironments,
  ),
  deploy('a promotion with no environments in the manifest', { 'promote-from': 'staging' }, [
    'Input "promote-from" of the deploy workflow is "staging", but .github/services.yml has no "environments" section',
    'Add "environments" to .github/services.yml',
  ]),
  deploy('a blank promotion input', { 'promote-commit': '  ' }, ['Input "promote-commit" of the deploy workflow is blank ("  ")', "leave it empty ('') to build and deploy"], withEnvironments),
  deploy('a promotion of services the manifest lacks', { 'promote-from': 'staging', services: 'api, wbe' }, ['Service "wbe" is not in .github/services.yml', 'Services in the manifest: api, web'], withEnvironments),
  rollback(
    'an environment the manifest environments do not deploy under',
    { environment: 'qa' },
    [
      'Input "environment" of the rollback workflow is "qa", but no environment of .github/services.yml is deployed under that GitHub environment',
      'Environments in the manifest: staging, production (GitHub environment "Production")',
    ],
    withEnvironments,
  ),
  rollback('an empty target', { target: '' }, ['Input "target" is empty, but "mode" is rollback', 'previous (the last revision that ran successfully)']),
  rollback('a whitespace target', { target: '  \t' }, ['Input "target" is empty, but "mode" is rollback']),
  rollback('a target that is no target', { target: 'last good one' }, ['Input "target" is "last good one", which is not previous, a revision number, a task-definition ARN, or an image tag']),
  rollback('a target with a newline injected', { target: 'previous\nrollback-to: 1' }, ['Input "target" is "previous\nrollback-to: 1", which is not previous']),
  rollback('no services', { services: '' }, ['Input "services" is required']),
  rollback('a service the manifest lacks', { services: 'api, landing' }, ['Service "landing" is not in .github/services.yml']),
  rollback('a wait-timeout typo', { 'wait-timeout': '10 min' }, ['Input "wait-timeout" is "10 min", which is not a duration']),
  rollback('a region typo', { 'aws-region': 'eu-wset-1' }, ['did you mean "eu-west-1"?']),
];

describe('bad inputs of the reusable workflows', () => {
  let recorder: AwsRecorder;
  const dirs: string[] = [];
  beforeAll(async () => {
    recorder = await startAwsRecorder(motoUrl());
  });
  afterAll(async () => {
    await recorder.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function workspace(files: Record<string, string> = {}): string {
    const dir = mkdtempSync(join(tmpdir(), 'preflight-'));
    dirs.push(dir);
    for (const [path, text] of Object.entries({ '.github/services.yml': MANIFEST, ...files })) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }

  const preflight = (workflow: string, given: unknown, secrets: WorkflowCase['secrets'] = {}, files?: Record<string, string>) =>
    runAction('preflight', {
      inputs: { workflow, inputs: typeof given === 'string' ? given : JSON.stringify(given), ...secrets },
      env: { ...awsTestEnv(), AWS_ENDPOINT_URL: recorder.url },
      cwd: workspace(files),
    });

  it.each(CASES.map((entry) => [`${entry.workflow}: ${entry.name}`, entry] as const))('%s', async (_, entry) => {
    const calls = recorder.calls.length;
    const run = await preflight(entry.workflow, entry.given, entry.secrets, entry.files);
    expectRefused(run, [`The ${entry.workflow} workflow was not started`, ...entry.says, 'Nothing was built, pushed, migrated or deployed']);
    expect(recorder.calls.slice(calls)).toEqual([]);
    for (const secret of Object.values(entry.secrets ?? {})) expect(run.log.split('\n').filter((line) => line.includes(secret!) && !line.startsWith('::add-mask::'))).toEqual([]);
  });

  it.each([
    ['inputs that are not JSON', 'deploy', '{"manifest": ', 'Input "inputs" is not valid JSON'],
    ['inputs that are a list', 'deploy', '["manifest"]', 'Input "inputs" must be the workflow\'s inputs as a JSON object'],
    ['a workflow that does not exist', 'deploy-all', '{}', 'Input "workflow" is "deploy-all", which is not one of: deploy, rollback'],
  ])('the preflight step itself: %s', async (_, workflow, given, says) => {
    const run = await preflight(workflow, given);
    expectRefused(run, [says]);
  });

  it('resolves the manifest environment for every step, and checks the promote step instead of detection and builds when promoting', async () => {
    const promoting = await preflight('deploy', { ...DEPLOY_INPUTS, environment: 'Production', 'promote-from': 'staging' }, {}, withEnvironments.files);
    expect(promoting.code).toBe(0);
    expect(promoting.outputs['manifest-environment']).toBe('production');
    expect(promoting.log).toContain('promote (promote): checked manifest, from, commit, services, role-to-assume, aws-region, allowed-account-ids');
    expect(promoting.log).toContain('changes (changes): not checked, it does not run when the call promotes');
    expect(promoting.log).toContain('build (build-push): not checked, it does not run when the call promotes');
    expect(promoting.summary).toContain('Every step acts on its environment <code>production</code>. The call promotes images that exist: nothing is built.');
    expect(recorder.mutating()).toEqual([]);

    const building = await preflight('deploy', { ...DEPLOY_INPUTS, environment: 'staging' }, {}, withEnvironments.files);
    expect(building.code).toBe(0);
    expect(building.outputs['manifest-environment']).toBe('staging');
    expect(building.log).toContain('promote (promote): not checked, it runs only when "promote-from" or "promote-commit" is set');

    const commit = await preflight('deploy', { ...DEPLOY_INPUTS, 'promote-commit': SHA.toUpperCase() }, {}, withEnvironments.files);
    expect(commit.code).toBe(0);
    const rollbackRun = await preflight('rollback', { ...ROLLBACK_INPUTS, environment: 'staging' }, {}, withEnvironments.files);
    expect([rollbackRun.code, rollbackRun.outputs['manifest-environment']]).toEqual([0, 'staging']);
    const plain = await preflight('rollback', ROLLBACK_INPUTS);
    expect([plain.code, plain.outputs['manifest-environment']]).toEqual([0, '']);

    // A refused promotion or environment is said once, not again as the promote step's missing "to".
    for (const [given, files] of [
      [{ 'promote-from': 'staging' }, undefined],
      [{ environment: 'qa', 'promote-from': 'staging' }, withEnvironments.files],
    ] as const) {
      const refused = await preflight('deploy', { ...DEPLOY_INPUTS, ...given }, {}, files);
      expect(refused.code).toBe(1);
      expect(refused.log).not.toContain('Input "to"');
      expect(refused.log).not.toMatch(/\d problems/);
    }
  });

  it('lets good inputs through, checking every step that will run', async () => {
    const run = await preflight('deploy', { ...DEPLOY_INPUTS, services: 'api', 'slack-channel': 'C0123456789' }, { 'slack-webhook-url': 'https://hooks.slack.com/services/T0/B0/xyz', 'slack-bot-token': 'xoxb-1-2-abc' });
    expect(run.code).toBe(0);
    expect(run.log).toContain('deploy (deploy-ecs): checked manifest, wait-timeout, rollback, bake-wait, role-to-assume, aws-region, allowed-account-ids');
    expect(run.log).toContain('notify-bot (notify): checked slack-bot-token, slack-channel, environment');
    expect(run.log).toContain('Everything checks out: .github/services.yml has 2 services.');
    const quiet = await preflight('rollback', ROLLBACK_INPUTS);
    expect(quiet.code).toBe(0);
    expect(quiet.log).toContain('notify-webhook (notify): not checked, it runs only with the SLACK_WEBHOOK_URL secret');
    expect(quiet.summary).toContain('Preflight of the rollback workflow: ✅ every input checks out');
  });
});
