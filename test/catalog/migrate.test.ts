/**
 * Bad inputs of migrate, each refused with a message naming the input (or manifest line) and the
 * fix before any task definition is registered or task started: no mutating call reaches moto.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { awsTestEnv, motoUrl, useMoto } from '../../standins/moto.js';
import { runAction } from '../../standins/run-action.js';
import { MANIFEST, NEW_IMAGE, seedShop, workspace } from '../migrate/fixtures.js';
import { expectRefused, startAwsRecorder, type AwsRecorder, type CatalogCase } from './catalog.js';

const c = (name: string, inputs: Record<string, string>, says: CatalogCase['says'], extra: Partial<CatalogCase> = {}): CatalogCase => ({ name, inputs, says, ...extra });
const WITH_ENVIRONMENTS = `${MANIFEST}environments:
  staging:
    account: "210987654321"
  production:
    services:
      api: { migrate: { command: "npx prisma migrate deploy" } }
`;
const LONG_IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/${'a'.repeat(200)}:${'t'.repeat(60)}`;

const CASES: CatalogCase[] = [
  c('no service, ecs-service or task-definition', {}, ['Input "service" is required but was not given', 'service: api']),
  c('a service the manifest lacks', { service: 'apj' }, ['Service "apj" is not in .github/services.yml. Did you mean "api"?']),
  c('a service without a migrate section', { service: 'web' }, ['Service "web" in .github/services.yml has no "migrate" section']),
  c('a service name with shell metacharacters', { service: 'api`id`' }, ['Service "api`id`" is not in .github/services.yml']),
  c('image and image-tag both', { service: 'api', image: NEW_IMAGE, 'image-tag': 'abc' }, ['Inputs "image" and "image-tag" are both set']),
  c('an image tag with a space', { service: 'api', 'image-tag': 'v1 beta' }, ['Input "image-tag" is "v1 beta", which is not an image tag']),
  c('an image that is no image', { service: 'api', image: 'not an image' }, ['Input "image" is "not an image", which is not an image reference']),
  c('an image longer than ECS accepts', { service: 'api', image: LONG_IMAGE }, ['Input "image" is', 'longer than the 255 ECS accepts for an image']),
  c('a command that is broken JSON', { service: 'api', command: '["npx", ' }, ['Input "command"']),
  c('a command with a number in it', { service: 'api', command: '["npx", 3]' }, ['Input "command" must be a non-empty JSON array of strings']),
  c('an environment line that is no NAME=value', { service: 'api', environment: 'no equals sign' }, ['Line 1 of input "environment" is not NAME=VALUE', 'LOG_LEVEL=debug']),
  c('a subnet that is no subnet id', { service: 'api', subnets: 'subnet-zz' }, ['Input "subnets" contains "subnet-zz", which is not a subnet id']),
  c('a security group that is no id', { service: 'api', 'security-groups': 'default' }, ['Input "security-groups" contains "default", which is not a security group id']),
  c('assign-public-ip that is no boolean', { service: 'api', 'assign-public-ip': 'maybe' }, ['Input "assign-public-ip" is "maybe", which is not a boolean']),
  c('a launch type that does not exist', { service: 'api', 'launch-type': 'LAMBDA' }, ['Input "launch-type" is "LAMBDA", which is not one of: FARGATE, EC2, EXTERNAL']),
  c('launch type and capacity providers both', { service: 'api', 'launch-type': 'FARGATE', 'capacity-provider-strategy': '[{"capacityProvider": "FARGATE_SPOT"}]' }, [
    'Inputs "launch-type" and "capacity-provider-strategy" are both set',
  ]),
  c('a capacity provider strategy that is broken JSON', { service: 'api', 'capacity-provider-strategy': '[{' }, ['Input "capacity-provider-strategy" is not valid JSON']),
  c('a poll-interval of 0', { service: 'api', 'poll-interval': '0' }, ['Input "poll-interval" is "0", which is not a duration of at least']),
  c('a timeout of -1', { service: 'api', timeout: '-1' }, ['Input "timeout" is "-1", which is not a duration']),
  c('an absurd timeout', { service: 'api', timeout: '99999h' }, ['Input "timeout" is "99999h", which is not a duration of at most 6h']),
  c('a database URL variable that is no name', { service: 'api', 'database-url-variable': 'DATABASE-URL' }, ['Input "database-url-variable" is "DATABASE-URL", which is not an environment variable name']),
  c('a role name instead of an ARN', { service: 'api', 'role-to-assume': 'deployer' }, ['Input "role-to-assume" is "deployer", which is not an IAM role ARN']),
  c('a region typo', { service: 'api', 'aws-region': 'us-est-1' }, ['Input "aws-region" is "us-est-1", which is not an AWS region; did you mean "us-east-1"?']),
  c('a region that does not exist', { service: 'api', 'aws-region': 'us-east-99' }, ['"us-east-99", which is not an AWS region']),
  c('an account id that is not 12 digits', { service: 'api', 'allowed-account-ids': 'prod' }, ['Input "allowed-account-ids" contains "prod", which is not a 12-digit AWS account id']),
  c('an account the credentials are not in', { service: 'api', 'allowed-account-ids': '210987654321' }, ['which is not in "allowed-account-ids" (210987654321)']),
  c(
    'an environment the manifest lacks, with a typo',
    { service: 'api', 'manifest-environment': 'prodution' },
    ['Input "manifest-environment" is "prodution", which is not an environment of .github/services.yml. Did you mean "production"?', 'Environments in the manifest: staging, production'],
    { files: { '.github/services.yml': WITH_ENVIRONMENTS } },
  ),
  c('an environment named without an environments section', { service: 'api', 'manifest-environment': 'production' }, [
    'Input "manifest-environment" is "production", but .github/services.yml has no "environments" section',
    'leave "manifest-environment" empty',
  ]),
  c('an environment without a service of the manifest', { 'ecs-service': 'shop-api', cluster: 'shop-prod', container: 'api', command: '["true"]', 'manifest-environment': 'production' }, [
    'Input "manifest-environment" only applies with "service"',
  ]),
  c('an environment whose account the credentials are not in', { service: 'api', 'manifest-environment': 'staging' }, ['which is not the account of the manifest environment "staging"', 'Nothing was changed'], {
    files: { '.github/services.yml': WITH_ENVIRONMENTS },
  }),
  c('an environment migration command that is no command', { service: 'api' }, ['.github/services.yml', 'environments.production.services.api.migrate.command'], {
    files: { '.github/services.yml': WITH_ENVIRONMENTS.replace('migrate: { command: "npx prisma migrate deploy" }', 'migrate: { command: [] }') },
  }),
  c('a cluster that does not exist', { service: 'api', cluster: 'shop-stage' }, ['ECS cluster "shop-stage" does not exist in this account and region', 'Clusters here: shop-prod']),
  c('an ECS service that does not exist', { service: 'api', 'ecs-service': 'shop-apj' }, ['ECS service "shop-apj" does not exist (or is not active) in cluster "shop-prod". Did you mean "shop-api"?']),
  c('a container the task definition lacks', { service: 'api', container: 'apl' }, ['has no container named "apl". Did you mean "api"?']),
  c('a task definition that does not exist', { service: 'api', 'task-definition': 'shop-migrate:3' }, ['Input "task-definition": Task definition "shop-migrate:3" cannot be read', 'exists in this account and region']),
  c('a manifest path that leaves the workspace', { service: 'api', manifest: '../../../../etc/passwd' }, ['Input "manifest" is "../../../../etc/passwd", which is outside the repository', 'inside the checked-out repository']),
  c('a manifest given as an absolute path elsewhere', { service: 'api', manifest: '/etc/passwd' }, ['Input "manifest" is "/etc/passwd", which is outside the repository']),
  c('a manifest that does not exist', { service: 'api', manifest: '.github/servics.yml' }, ['".github/servics.yml" does not exist']),
  c('a manifest with a wrong type', { service: 'api' }, ['.github/services.yml', 'services.api.migrate.command'], {
    files: { '.github/services.yml': MANIFEST.replace('command: ["sh", "-c", "cd apps/api && npx prisma migrate deploy"]', 'command: 42') },
  }),
];

describe('bad inputs of migrate', () => {
  useMoto();
  let recorder: AwsRecorder;
  beforeAll(async () => {
    recorder = await startAwsRecorder(motoUrl());
  });
  afterAll(() => recorder.close());

  it.each(CASES.map((entry) => [entry.name, entry] as const))('%s', async (_, entry) => {
    await seedShop();
    const cwd = workspace();
    for (const [path, text] of Object.entries(entry.files ?? {})) {
      mkdirSync(dirname(join(cwd, path)), { recursive: true });
      writeFileSync(join(cwd, path), text);
    }
    const seen = recorder.calls.length;
    const run = await runAction('migrate', {
      inputs: { image: entry.inputs['image-tag'] === undefined && entry.inputs.image === undefined ? NEW_IMAGE : '', ...entry.inputs, 'poll-interval': entry.inputs['poll-interval'] ?? '100ms' },
      env: { ...awsTestEnv(), AWS_ENDPOINT_URL: recorder.url },
      cwd,
    });
    expectRefused(run, entry.says);
    expect(
      recorder.calls
        .slice(seen)
        .map((call) => call.operation)
        .filter((operation) => !/\.(Describe|List|Get|AssumeRole)/.test(operation)),
    ).toEqual([]);
    expect(run.outputs.status).toBe('failed');
  });
});
