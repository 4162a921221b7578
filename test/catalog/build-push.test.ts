/**
 * Bad inputs of build-push, each refused with a message naming the input (or manifest line) and the
 * fix, before anything is built or pushed: no mutating call reaches moto's ECR.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { awsTestEnv, motoUrl, useMoto } from '../../standins/moto.js';
import { runAction } from '../../standins/run-action.js';
import { MANIFEST, createWorkspace } from '../build-push/fixture.js';
import { expectRefused, startAwsRecorder, type AwsRecorder, type CatalogCase } from './catalog.js';

const c = (name: string, inputs: Record<string, string>, says: CatalogCase['says'], extra: Partial<CatalogCase> = {}): CatalogCase => ({ name, inputs, says, ...extra });

const CASES: CatalogCase[] = [
  c('neither service nor repository', {}, ['Input "service" is required (or "repository"', 'service: api']),
  c('a repository name in capitals', { repository: 'Shop_API' }, ['Input "repository" is "Shop_API", which is not an ECR repository name']),
  c('a repository name with a shell substitution', { repository: 'shop-$(id)' }, ['Input "repository" is "shop-$(id)", which is not an ECR repository name']),
  c('a tag with a space', { service: 'api', tags: 'v1 beta' }, ['The tag "v1 beta" (from "tags" or "extra-tags") is not a valid image tag']),
  c('an extra tag starting with a dot', { service: 'api', 'extra-tags': '.hidden' }, ['The tag ".hidden" (from "tags" or "extra-tags") is not a valid image tag']),
  c('a tag with a command after it', { service: 'api', tags: 'latest;rm -rf /' }, ['The tag "latest;rm -rf /"']),
  c('a platform without an OS', { service: 'api', platforms: 'amd64' }, ['Input "platforms" contains "amd64", which is not a platform']),
  c('a registry with a scheme', { service: 'api', registry: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com' }, ['Input "registry" is "https://', 'without https:// or a path']),
  c('a network mode that does not exist', { service: 'api', network: 'bridge-x' }, ['Input "network" is "bridge-x", which is not one of']),
  c('a cache mode that does not exist', { service: 'api', cache: 's3' }, ['Input "cache" is "s3", which is not one of: registry, gha, inline, none']),
  c('provenance that is no boolean', { service: 'api', provenance: 'maybe' }, ['Input "provenance" is "maybe", which is not a boolean']),
  c('create-repository that is no boolean', { service: 'api', 'create-repository': 'yes please' }, ['Input "create-repository" is "yes please", which is not a boolean']),
  c('a tag mutability that does not exist', { service: 'api', 'image-tag-mutability': 'LOCKED' }, ['Input "image-tag-mutability" is "LOCKED", which is not one of: MUTABLE, IMMUTABLE']),
  c('scan-on-push that is no boolean', { service: 'api', 'scan-on-push': 'sometimes' }, ['Input "scan-on-push" is "sometimes", which is not a boolean']),
  c('too many push retries', { service: 'api', 'push-retries': '11' }, ['Input "push-retries" is "11", which is not a whole number from 0 to 10']),
  c('negative push retries', { service: 'api', 'push-retries': '-1' }, ['Input "push-retries" is "-1"']),
  c('rebuild that is no boolean', { service: 'api', rebuild: 'perhaps' }, ['Input "rebuild" is "perhaps", which is not a boolean']),
  c('a build arg without =', { service: 'api', 'build-args': 'NODE_ENV' }, ['Line 1 of input "build-args" ("NODE_ENV") is not KEY=VALUE']),
  c('a build arg name starting with a digit', { service: 'api', 'build-args': 'A=1\n1X=y' }, ['Line 2 of input "build-args" ("1X=y") is not KEY=VALUE']),
  c('a working directory that does not exist', { service: 'api', 'working-directory': 'services/api' }, ['Input "working-directory" is "services/api", but', 'does not exist', 'actions/checkout']),
  c('a working directory that is a file', { service: 'api', 'working-directory': '.github/services.yml' }, ['Input "working-directory" is ".github/services.yml", but', 'is not a directory']),
  c('a service the manifest lacks', { service: 'apii' }, ['Service "apii" is not in .github/services.yml. Did you mean "api"?']),
  c('a service name with shell metacharacters', { service: 'api$(id)' }, ['Service "api$(id)" is not in .github/services.yml']),
  c('a manifest path that leaves the workspace', { service: 'api', manifest: '../../../../etc/passwd' }, ['Input "manifest" is "../../../../etc/passwd", which is outside the repository', 'inside the checked-out repository']),
  c('a manifest given as an absolute path elsewhere', { service: 'api', manifest: '/etc/passwd' }, ['Input "manifest" is "/etc/passwd", which is outside the repository']),
  c('a manifest that does not exist', { service: 'api', manifest: '.github/servics.yml' }, ['The services manifest ".github/servics.yml" does not exist']),
  c('an unknown manifest key', { service: 'api' }, ['.github/services.yml', 'Unknown key "dockerfil" in services.api.build. Did you mean "dockerfile"?'], {
    files: { '.github/services.yml': MANIFEST.replace('dockerfile: docker/api.Dockerfile', 'dockerfil: docker/api.Dockerfile') },
  }),
  c('a build context that does not exist', { service: 'api', context: 'apps/nope' }, ['The build context "apps/nope"', 'does not exist', 'the "context" input']),
  c('a Dockerfile that does not exist', { service: 'api', dockerfile: 'docker/nope.Dockerfile' }, ['The Dockerfile "docker/nope.Dockerfile"', 'does not exist', 'the "dockerfile" input']),
  c('a role name instead of an ARN', { service: 'api', 'role-to-assume': 'deployer' }, ['Input "role-to-assume" is "deployer", which is not an IAM role ARN']),
  c('a region typo', { service: 'api', 'aws-region': 'eu-wset-1' }, ['Input "aws-region" is "eu-wset-1", which is not an AWS region; did you mean "eu-west-1"?']),
  c('an account id that is not 12 digits', { service: 'api', 'allowed-account-ids': '12345678901x' }, ['Input "allowed-account-ids" contains "12345678901x"']),
];

describe('bad inputs of build-push', () => {
  useMoto();
  let recorder: AwsRecorder;
  const dirs: string[] = [];
  beforeAll(async () => {
    recorder = await startAwsRecorder(motoUrl());
  });
  afterAll(async () => {
    await recorder.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.each(CASES.map((entry) => [entry.name, entry] as const))('%s', async (_, entry) => {
    const cwd = createWorkspace();
    dirs.push(cwd);
    for (const [path, text] of Object.entries(entry.files ?? {})) {
      mkdirSync(dirname(join(cwd, path)), { recursive: true });
      writeFileSync(join(cwd, path), text);
    }
    const seen = recorder.calls.length;
    // No Docker engine is reachable: a case that got past its inputs would fail differently.
    const run = await runAction('build-push', { inputs: entry.inputs, env: { ...awsTestEnv(), AWS_ENDPOINT_URL: recorder.url, DOCKER_HOST: 'unix:///nonexistent.sock' }, cwd });
    expectRefused(run, entry.says);
    expect(run.log).not.toMatch(/Cannot connect to the Docker daemon/);
    expect(
      recorder.calls
        .slice(seen)
        .map((call) => call.operation)
        .filter((operation) => !/\.(Describe|List|Get|BatchCheck|AssumeRole)/.test(operation)),
    ).toEqual([]);
  });
});
