/**
 * Bad inputs of deploy-ecs, each refused with a message naming the input (or manifest line) and the
 * fix, and none changing anything: no mutating call reaches the ECS simulator or moto.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { motoUrl, useMoto } from '../../standins/moto.js';
import { CLUSTER, deploy, REGISTRY, shop, simulator, taskDefinition, workspace } from '../deploy/fixtures.js';
import { expectRefused, isMutating, startAwsRecorder, type AwsRecorder, type CatalogCase } from './catalog.js';

const MANIFEST = `cluster: ${CLUSTER}
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
const WITH_ENVIRONMENTS = `${MANIFEST}environments:
  staging:
    account: "210987654321"
    cluster: shop-staging
  production:
    cluster: ${CLUSTER}
    services:
      api: { ecs: { service: shop-api } }
`;
const IMAGE = `${REGISTRY}/shop-api:v2`;
const LONG_IMAGE = `${REGISTRY}/shop-api:${'t'.repeat(128)}`.replace('shop-api', `shop-api/${'a'.repeat(80)}`);
const OTHER_ACCOUNT_ARN = 'arn:aws:ecs:us-east-1:999999999999:task-definition/shop-api:1';

const c = (name: string, inputs: Record<string, string>, says: CatalogCase['says'], extra: Partial<CatalogCase> = {}): CatalogCase => ({ name, inputs, says, ...extra });

const CASES: CatalogCase[] = [
  // Which services
  c('neither services nor service', {}, ['Input "services" is required', '"services: api, web"']),
  c('services and service both', { services: 'api', service: 'shop-api', cluster: CLUSTER }, ['Inputs "services" and "service" are both set']),
  c('service without a cluster', { service: 'shop-api' }, ['Input "cluster" is required but was not given', 'cluster: shop-prod']),
  c('a service ARN instead of its name', { service: `arn:aws:ecs:us-east-1:123456789012:service/${CLUSTER}/shop-api`, cluster: CLUSTER }, ['Input "service" is "arn:aws:ecs', 'which is not an ECS name', 'not an ARN']),
  c('a cluster with a slash', { service: 'shop-api', cluster: 'shop/prod' }, ['Input "cluster" is "shop/prod", which is not an ECS name']),
  c('cluster given with services', { services: 'api', cluster: CLUSTER }, ['Inputs "cluster" and "container" only apply with "service"']),
  c('a service name with shell metacharacters', { services: 'api;rm -rf /' }, ['Service "api;rm -rf /" is not in .github/services.yml', 'Services in the manifest: api, web']),
  c('a service name in unicode look-alikes', { services: 'аpi' }, ['Service "аpi" is not in .github/services.yml']),
  c('a service name with a newline inside a JSON list', { services: '["api\\nweb"]' }, ['Service "api\nweb" is not in .github/services.yml']),
  c('services that are broken JSON', { services: '["api"' }, ['Input "services" looks like a JSON array but does not parse']),
  c('a service the manifest lacks, with a typo', { services: 'apii' }, ['Service "apii" is not in .github/services.yml. Did you mean "api"?']),
  // Images
  c('image with manifest services', { services: 'api', image: IMAGE }, ['Input "image" only applies with "service"', '"images"']),
  c('an image that is no image', { service: 'shop-api', cluster: CLUSTER, image: 'not an image' }, ['Input "image" is "not an image", which is not an image reference']),
  c('an image longer than ECS accepts', { service: 'shop-api', cluster: CLUSTER, image: LONG_IMAGE }, ['Input "image" is', 'longer than the 255 ECS accepts for an image']),
  c('an images line without =', { services: 'api', images: IMAGE }, ['Input "images" has the line', 'which is not <service>=<image>']),
  c('images as broken JSON', { services: 'api', images: '{"api": ' }, ['Input "images" looks like JSON but does not parse']),
  c('images as a JSON list', { services: 'api', images: `["${IMAGE}"]` }, ['Input "images" is a JSON list; it must name the service of each image']),
  c('an images key with shell metacharacters', { services: 'api', images: `api$(id)=${IMAGE}` }, ['Input "images" has the key "api$(id)", which is not a service or container name']),
  c('an images value longer than ECS accepts', { services: 'api', images: `api=${LONG_IMAGE}` }, ['Input "images" gives "api" the image', 'longer than the 255 ECS accepts']),
  c('two images for one service', { services: 'api', images: `api=${IMAGE}\napi=${REGISTRY}/shop-api:v3` }, ['Input "images" gives "api" two different images']),
  c('an images key for a service the manifest lacks', { services: 'api', images: `apii=${IMAGE}` }, ['Input "images" names "apii", which is not a service in .github/services.yml. Did you mean "api"?']),
  c('an image tag with a space', { services: 'api', 'image-tag': 'v1 beta' }, ['Input "image-tag" is "v1 beta", which is not an image tag']),
  c('a registry with a scheme', { services: 'api', registry: 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com' }, ['Input "registry" is "https://', 'without a path or scheme']),
  c('an environment line that is no NAME=value', { services: 'api', environment: '1BAD=x' }, ['Input "environment" has the line "1BAD=x", which is not NAME=value']),
  // Waiting
  c('wait that is no boolean', { services: 'api', wait: 'maybe' }, ['Input "wait" is "maybe", which is not a boolean (true or false)']),
  c('a wait-timeout of 0', { services: 'api', 'wait-timeout': '0' }, ['Input "wait-timeout" is "0", which is not a duration of at least 1s']),
  c('a negative wait-timeout', { services: 'api', 'wait-timeout': '-1' }, ['Input "wait-timeout" is "-1", which is not a duration']),
  c('an absurd wait-timeout', { services: 'api', 'wait-timeout': '99999h' }, ['Input "wait-timeout" is "99999h", which is not a duration of at most 6h']),
  // Blue/green, linear, canary and CodeDeploy
  c('a bake-wait that is neither full, none nor a duration', { services: 'api', 'bake-wait': 'half' }, ['Input "bake-wait" is "half", which is not full, none or a duration', 'such as 5m']),
  c('a bake-wait of a week', { services: 'api', 'bake-wait': '168h' }, ['Input "bake-wait" is "168h"']),
  c('a strategy ECS does not have', { services: 'api', strategy: 'red-black' }, ['Input "strategy" is "red-black", which is not an ECS deployment strategy', 'ROLLING, BLUE_GREEN, LINEAR or CANARY']),
  c('a strategy for one deploy without waiting', { services: 'api', strategy: 'canary', wait: 'false' }, ['Input "strategy" deploys once with CANARY', '"wait" is false', 'Set "wait: true"']),
  c('a strategy with a rollback', { services: 'api', strategy: 'BLUE_GREEN', 'rollback-to': 'previous' }, ['Inputs "strategy" and "rollback-to" are both set']),
  c('a strategy the load balancer cannot do', { services: 'api', strategy: 'linear' }, [
    'Input "strategy" is LINEAR, but ECS service "shop-api" in cluster "shop-prod" has no load balancer to shift traffic with',
    'leave "strategy" empty',
  ]),
  c('a CodeDeploy application given as an ARN', { services: 'api', 'codedeploy-application': 'arn:aws:codedeploy:us-east-1:123456789012:application:shop' }, ['Input "codedeploy-application" is "arn:aws:codedeploy', 'not an ARN']),
  c('one CodeDeploy group for several services', { services: 'api,web', 'codedeploy-deployment-group': 'DgpECS-shop' }, ['name one CodeDeploy group, but several services are deployed', 'ecs.codedeploy']),
  c('a manifest bakeWait that is no duration', { services: 'api' }, ['.github/services.yml', 'bakeWait', 'full, none, or a duration such as 5m'], {
    files: { '.github/services.yml': MANIFEST.replace('ecs: { service: shop-api, container: api }', 'ecs: { service: shop-api, container: api, bakeWait: soon }') },
  }),
  c('a manifest CodeDeploy hook at an event that runs none', { services: 'api' }, ['.github/services.yml', 'hooks', 'Install'], {
    files: { '.github/services.yml': MANIFEST.replace('ecs: { service: shop-api, container: api }', 'ecs: { service: shop-api, container: api, codedeploy: { hooks: { Install: smoke } } }') },
  }),
  c('a wait-timeout typo', { services: 'api', 'wait-timeout': '15 minutes' }, ['Input "wait-timeout" is "15 minutes", which is not a duration such as 90s, 15m or 1h30m']),
  c('a poll-interval of 0', { services: 'api', 'poll-interval': '0' }, ['Input "poll-interval" is "0", which is not a duration of at least']),
  c('a negative failed-tasks-threshold', { services: 'api', 'failed-tasks-threshold': '-1' }, ['Input "failed-tasks-threshold" is "-1", which is not a whole number from 0 to 1000']),
  c('a failed-tasks-threshold in words', { services: 'api', 'failed-tasks-threshold': 'three' }, ['Input "failed-tasks-threshold" is "three"']),
  c('a health URL that is not http(s)', { services: 'api', 'health-url': 'ftp://api.example.com/healthz' }, ['Input "health-url" has the line "ftp://api.example.com/healthz", which is neither a URL nor <service>=<url>']),
  c('a health URL line that is no URL', { services: 'api', 'health-url': 'api=not a url' }, ['Input "health-url" has the line "api=not a url"']),
  c('a health URL for a service not deployed', { services: 'api', 'health-url': 'nope=https://api.example.com/healthz' }, ['"health-url"', '"nope"']),
  c('a health-timeout in words', { services: 'api', 'health-timeout': 'forever' }, ['Input "health-timeout" is "forever", which is not a duration']),
  c('rollback that is no boolean', { services: 'api', rollback: 'sometimes' }, ['Input "rollback" is "sometimes", which is not a boolean']),
  c('force-new-deployment that is no boolean', { services: 'api', 'force-new-deployment': 'please' }, ['Input "force-new-deployment" is "please", which is not a boolean']),
  // Rollbacks
  c('a rollback target that is none', { services: 'api', 'rollback-to': 'last good one' }, ['Input "rollback-to" is "last good one", which is not previous, a revision number, a task-definition ARN, or an image tag']),
  c('a rollback target with an injected line', { services: 'api', 'rollback-to': 'previous\n--force' }, ['Input "rollback-to" is "previous\n--force", which is not previous']),
  c('a rollback target with new images', { services: 'api', 'rollback-to': 'previous', images: `api=${IMAGE}` }, ['Input "rollback-to" puts back an earlier release as it was, so "images" cannot be set with it']),
  c('mode rollback without a target', { services: 'api', mode: 'rollback' }, ['Input "rollback-to" is empty, but "mode" is rollback', 'previous (the last revision that ran successfully)']),
  c('mode rollback with a blank target', { services: 'api', mode: 'rollback', 'rollback-to': '  ' }, ['Input "rollback-to" is empty, but "mode" is rollback']),
  c('a mode that does not exist', { services: 'api', mode: 'undo', 'rollback-to': 'previous' }, ['Input "mode" is "undo", which is not one of: deploy, rollback']),
  c('allow-other-family without a rollback', { services: 'api', 'allow-other-family': 'true' }, ['Input "allow-other-family" only applies with "rollback-to"']),
  c("another app's revision as the rollback target", { services: 'api', 'rollback-to': 'shop-web:1' }, [
    'a revision of task-definition family "shop-web", but ECS service "shop-api" runs family "shop-api"',
    'allow-other-family: true',
  ]),
  c('a rollback target in another account', { services: 'api', 'rollback-to': OTHER_ACCOUNT_ARN }, ['Input "rollback-to" is a task definition of account 999999999999 in us-east-1', 'revision number']),
  c('a rollback to a revision that does not exist', { services: 'api', 'rollback-to': '999' }, ['Input "rollback-to" names shop-api:999, which does not exist in this account and region', 'Newest revisions of shop-api: 1 (good)']),
  c('a rollback to a short SHA no revision runs', { services: 'api', 'rollback-to': 'abcdef1' }, ['No revision of shop-api (newest 50 searched) runs an image tagged with the short SHA "abcdef1"', 'full 40-character SHA']),
  // AWS identity and region
  c('a role name instead of an ARN', { services: 'api', 'role-to-assume': 'github-actions-deployer' }, ['Input "role-to-assume" is "github-actions-deployer", which is not an IAM role ARN']),
  c('a region typo', { services: 'api', 'aws-region': 'us-est-1' }, ['Input "aws-region" is "us-est-1", which is not an AWS region; did you mean "us-east-1"?']),
  c('a region that does not exist', { services: 'api', 'aws-region': 'us-east-99' }, ['Input "aws-region" is "us-east-99", which is not an AWS region']),
  c('an account id that is not 12 digits', { services: 'api', 'allowed-account-ids': '1234' }, ['Input "allowed-account-ids" contains "1234", which is not a 12-digit AWS account id']),
  c('an account the credentials are not in', { services: 'api', 'allowed-account-ids': '210987654321' }, ['which is not in "allowed-account-ids" (210987654321)', 'Nothing was changed']),
  c('a session name with spaces', { services: 'api', 'role-session-name': 'deploy by me' }, ['Input "role-session-name" is "deploy by me", which is not an STS session name']),
  c('a role duration under STS minimum', { services: 'api', 'role-duration-seconds': '60' }, ['Input "role-duration-seconds" is "60", which is not a whole number from 900 to 43200']),
  // The manifest and what it names
  c('a manifest path that leaves the workspace', { services: 'api', manifest: '../../../../etc/passwd' }, ['Input "manifest" is "../../../../etc/passwd", which is outside the repository', 'inside the checked-out repository']),
  c('a manifest given as an absolute path elsewhere', { services: 'api', manifest: '/etc/passwd' }, ['Input "manifest" is "/etc/passwd", which is outside the repository']),
  c('a manifest that does not exist', { services: 'api', manifest: '.github/servics.yml' }, ['The services manifest ".github/servics.yml" does not exist', '"manifest"']),
  c('a manifest that is not YAML', { services: 'api' }, ['.github/services.yml', 'YAML error'], { files: { '.github/services.yml': 'services: [api\n  web: {' } }),
  c('an unknown manifest key', { services: 'api' }, ['.github/services.yml:5:5: Unknown key "repo" in services.api. Allowed keys: paths', 'repository'], {
    files: { '.github/services.yml': MANIFEST.replace('repository: shop-api', 'repo: shop-api') },
  }),
  c('a manifest region that does not exist', { services: 'api' }, ['"region" is "ap-southeast-9", which is not an AWS region'], { files: { '.github/services.yml': `region: ap-southeast-9\n${MANIFEST}` } }),
  // Manifest environments
  c(
    'an environment the manifest lacks, with a typo',
    { services: 'api', 'manifest-environment': 'prodution' },
    ['Input "manifest-environment" is "prodution", which is not an environment of .github/services.yml. Did you mean "production"?', 'Environments in the manifest: staging, production'],
    { files: { '.github/services.yml': WITH_ENVIRONMENTS } },
  ),
  c('an environment named without an environments section', { services: 'api', 'manifest-environment': 'production' }, [
    'Input "manifest-environment" is "production", but .github/services.yml has no "environments" section',
    'environments: { production: {',
    'leave "manifest-environment" empty',
  ]),
  c('an environment with a service named directly', { service: 'shop-api', cluster: CLUSTER, 'manifest-environment': 'production' }, ['Input "manifest-environment" only applies with "services"']),
  c(
    'an environment whose account the credentials are not in',
    { services: 'api', 'manifest-environment': 'staging' },
    ['which is not the account of the manifest environment "staging" (.github/services.yml) (210987654321)', 'Nothing was changed', '"account"'],
    { files: { '.github/services.yml': WITH_ENVIRONMENTS } },
  ),
  c(
    'an environment account that allowed-account-ids leaves out',
    { services: 'api', 'manifest-environment': 'staging', 'allowed-account-ids': '123456789012' },
    ['Input "allowed-account-ids" (123456789012) does not include account 210987654321, the account of the manifest environment "staging"'],
    { files: { '.github/services.yml': WITH_ENVIRONMENTS } },
  ),
  c('an environment naming a service the manifest lacks', { services: 'api' }, ['.github/services.yml:18:7: Environment "production" names service "apii", which is not in services. Did you mean "api"?'], {
    files: { '.github/services.yml': WITH_ENVIRONMENTS.replace('      api: { ecs: { service: shop-api } }', '      apii: { ecs: { service: shop-api } }') },
  }),
  c('a cluster that does not exist', { service: 'shop-api', cluster: 'shop-prd' }, ['ECS cluster "shop-prd" does not exist in this account and region. Did you mean "shop-prod"?', 'Clusters here: shop-prod']),
  c('a service that does not exist in the cluster', { service: 'shop-apii', cluster: CLUSTER }, ['shop-apii', 'shop-api']),
  c('a container the task definition lacks', { service: 'shop-api', cluster: CLUSTER, container: 'app', image: IMAGE }, ['has no container named "app"', 'Its containers: api']),
  c('a task-definition file that does not exist', { service: 'shop-api', cluster: CLUSTER, 'task-definition': 'ecs/task-def.json', image: IMAGE }, [
    'Input "task-definition" names the file ecs/task-def.json, which cannot be read',
  ]),
  c('a task-definition file that is not JSON', { service: 'shop-api', cluster: CLUSTER, 'task-definition': 'td.json', image: IMAGE }, ['Task-definition file td.json is not valid JSON'], { files: { 'td.json': '{"family": ' } }),
];

describe('bad inputs of deploy-ecs', () => {
  useMoto();
  let recorder: AwsRecorder;
  beforeAll(async () => {
    recorder = await startAwsRecorder(motoUrl());
  });
  afterAll(() => recorder.close());

  it.each(CASES.map((entry) => [entry.name, entry] as const))('%s', async (_, entry) => {
    const sim = await simulator({
      ...shop(['shop-api', 'shop-web']),
      taskDefinitions: [taskDefinition('shop-api', 'good'), taskDefinition('shop-web', 'good')],
    });
    const cwd = workspace(MANIFEST);
    for (const [path, text] of Object.entries(entry.files ?? {})) {
      mkdirSync(dirname(join(cwd, path)), { recursive: true });
      writeFileSync(join(cwd, path), text);
    }
    const seen = recorder.calls.length;
    const run = await deploy(entry.inputs, { sim, cwd, env: { AWS_ENDPOINT_URL: recorder.url, ...entry.env } });
    expectRefused(run, entry.says);
    expect(sim.calls.map((call) => `ECS.${call.operation}`).filter(isMutating)).toEqual([]);
    expect(
      recorder.calls
        .slice(seen)
        .map((call) => call.operation)
        .filter(isMutating),
    ).toEqual([]);
    expect(sim.inspect(CLUSTER, 'shop-api').taskDefinition).toMatch(/shop-api:1$/);
  });
});
