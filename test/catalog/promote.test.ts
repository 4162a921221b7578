/**
 * Bad inputs of promote, each refused with a message naming the input (or manifest key) and the fix,
 * before anything is copied or changed: no mutating call reaches moto.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { awsTestEnv, motoUrl, TEST_ACCOUNT, useMoto } from '../../standins/moto.js';
import { runAction } from '../../standins/run-action.js';
import { removeWorkspaces, seedEnvironment, workspace } from '../promote/fixtures.js';
import { expectRefused, startAwsRecorder, type AwsRecorder, type CatalogCase } from './catalog.js';

const c = (name: string, inputs: Record<string, string>, says: CatalogCase['says'], extra: Partial<CatalogCase> = {}): CatalogCase => ({ name, inputs, says, ...extra });
const SERVICES = `region: us-east-1
cluster: shop-staging
services:
  api:
    paths: [apps/api/**]
    repository: shop-api
    ecs: { service: shop-api, container: api }
  web:
    paths: [apps/web/**]
    repository: shop-web
    ecs: { service: shop-web, container: web }
`;
const MANIFEST = `${SERVICES}environments:
  staging:
    account: "${TEST_ACCOUNT}"
  production:
    cluster: shop-prod
    images: copy
`;
const SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';

const CASES: CatalogCase[] = [
  c('no target environment', {}, ['Input "to" is required but was not given', 'to: production']),
  c('a target environment with a typo', { to: 'prodution' }, ['Input "to" is "prodution", which is not an environment of .github/services.yml. Did you mean "production"?', 'Environments in the manifest: staging, production']),
  c('a source environment with a typo', { to: 'production', from: 'stagin' }, ['Input "from" is "stagin", which is not an environment of .github/services.yml. Did you mean "staging"?']),
  c('an environment name that is no name', { to: 'Production!' }, ['Input "to" is "Production!", which is not an environment name of the manifest']),
  c('both a source environment and a commit', { to: 'production', from: 'staging', commit: SHA }, ['Inputs "from" and "commit" are both set', 'not both']),
  c('a short commit', { to: 'production', commit: 'c0ffee0' }, ['Input "commit" is "c0ffee0", which is not a full commit SHA', 'all 40 hex digits']),
  c('a branch name as the commit', { to: 'production', commit: 'main' }, ['Input "commit" is "main", which is not a full commit SHA']),
  c('the first environment with no source', { to: 'staging' }, ['Input "from" is empty and "to" is "staging", the first environment of .github/services.yml', 'Set "commit"']),
  c('an environment promoted into itself', { to: 'production', from: 'production' }, ['Inputs "from" and "to" are both "production"']),
  c('a service the manifest lacks', { to: 'production', services: 'apj' }, ['Service "apj" is not in .github/services.yml. Did you mean "api"?']),
  c('services that are broken JSON', { to: 'production', services: '["api", ' }, ['Input "services" looks like a JSON array but does not parse']),
  c('a manifest without environments', { to: 'production' }, ['Input "to" is "production", but .github/services.yml has no "environments" section'], { files: { '.github/services.yml': SERVICES } }),
  c('a manifest that does not exist', { to: 'production', manifest: '.github/servics.yml' }, ['".github/servics.yml" does not exist']),
  c('a role name instead of an ARN', { to: 'production', 'role-to-assume': 'deployer' }, ['Input "role-to-assume" is "deployer", which is not an IAM role ARN']),
  c('a target environment whose account the credentials are not in', { to: 'production' }, ['which is not the account of the manifest environment "production"', 'Nothing was changed'], {
    files: { '.github/services.yml': MANIFEST.replace('    cluster: shop-prod', '    account: "210987654321"\n    cluster: shop-prod') },
  }),
  c('a commit whose images were never built', { to: 'production', commit: SHA, services: 'api' }, [`api: the build registry`, `has no image shop-api:${SHA}`, `Run the build for commit ${SHA} first`]),
  c('a source environment without the service', { to: 'production', services: 'web' }, ['ECS service "shop-web" in cluster "shop-staging" does not exist', 'Deploy "staging" first']),
  c('a target environment whose cluster does not exist', { to: 'production', services: 'api' }, ['ECS cluster "shop-prod" does not exist in this account and region', 'shop-staging']),
];

describe('bad inputs of promote', () => {
  useMoto();
  let recorder: AwsRecorder;
  beforeAll(async () => {
    recorder = await startAwsRecorder(motoUrl());
  });
  afterAll(() => recorder.close());
  afterEach(removeWorkspaces);

  it.each(CASES.map((entry) => [entry.name, entry] as const))('%s', async (_, entry) => {
    // Staging runs api by digest; production has no services.
    await seedEnvironment(TEST_ACCOUNT, 'shop-staging', [{ name: 'shop-api', container: 'api', image: `${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop-api@sha256:${'a'.repeat(64)}` }]);
    const cwd = workspace(MANIFEST);
    for (const [path, text] of Object.entries(entry.files ?? {})) {
      mkdirSync(dirname(join(cwd, path)), { recursive: true });
      writeFileSync(join(cwd, path), text);
    }
    const seen = recorder.calls.length;
    const run = await runAction('promote', { inputs: entry.inputs, env: { ...awsTestEnv(), AWS_ENDPOINT_URL: recorder.url }, cwd });
    expectRefused(run, entry.says);
    expect(recorder.calls.slice(seen).filter((call) => !/\.(Describe|List|Get|BatchGet|AssumeRole)/.test(call.operation))).toEqual([]);
    expect(run.outputs.images).toBeUndefined();
  });
});
