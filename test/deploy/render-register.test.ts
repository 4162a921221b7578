/**
 * Render, register and update against moto (which records an UpdateService but never moves a
 * rollout, so these run with wait: false), and the guarantee that bad input changes nothing.
 */
import { describe, expect, it } from '@jest/globals';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { useMoto, TEST_REGION } from '../../standins/moto.js';
import { CLUSTER, REGISTRY, SHA, deploy, errors, file, resultOf, workspace } from './fixtures.js';

const ecs = () => new ECSClient({ region: TEST_REGION });

/** moto's services need no VPC with bridge networking on EC2. */
function definition(family: string, container: string): RegisterTaskDefinitionCommandInput {
  return {
    family,
    networkMode: 'bridge',
    requiresCompatibilities: ['EC2'],
    cpu: '256',
    memory: '512',
    tags: [{ key: 'team', value: 'payments' }],
    containerDefinitions: [
      {
        name: container,
        image: `${REGISTRY}/${family}:old`,
        essential: true,
        environment: [
          { name: 'NODE_ENV', value: 'production' },
          { name: 'LOG_LEVEL', value: 'info' },
        ],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-stream-prefix': 'ecs', 'awslogs-region': TEST_REGION } },
      },
      { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false },
    ],
  };
}

async function seed(options: { codeDeploy?: string; twoEssential?: boolean } = {}) {
  const client = ecs();
  await client.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  if (options.twoEssential) {
    const two = definition('shop-two', 'api');
    two.containerDefinitions![1] = { name: 'worker', image: `${REGISTRY}/shop-two:old`, essential: true };
    const { taskDefinition } = await client.send(new RegisterTaskDefinitionCommand(two));
    await client.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: 'shop-two', taskDefinition: taskDefinition!.taskDefinitionArn, desiredCount: 1 }));
  }
  for (const [family, container] of [
    ['shop-api', 'api'],
    ['shop-web', 'web'],
  ] as const) {
    const { taskDefinition } = await client.send(new RegisterTaskDefinitionCommand(definition(family, container)));
    await client.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: family,
        taskDefinition: taskDefinition!.taskDefinitionArn,
        desiredCount: 1,
        deploymentController: { type: options.codeDeploy === family ? 'CODE_DEPLOY' : 'ECS' },
      }),
    );
  }
}

const MANIFEST = `region: ${TEST_REGION}
cluster: ${CLUSTER}
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

async function revisions(family: string): Promise<string[]> {
  return (await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: family }))).taskDefinitionArns ?? [];
}

async function serviceTaskDefinition(name: string): Promise<string> {
  const { services } = await ecs().send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }));
  return services![0]!.taskDefinition!;
}

async function container(arn: string, name: string) {
  const { taskDefinition, tags } = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }));
  return { container: taskDefinition!.containerDefinitions!.find((candidate) => candidate.name === name)!, definition: taskDefinition!, tags };
}

/** Nothing registered, nothing updated. */
async function expectUnchanged() {
  expect(await revisions('shop-api')).toHaveLength(1);
  expect(await revisions('shop-web')).toHaveLength(1);
  expect(await serviceTaskDefinition('shop-api')).toMatch(/shop-api:1$/);
  expect(await serviceTaskDefinition('shop-web')).toMatch(/shop-web:1$/);
}

describe('deploy-ecs against moto: render, register, update', () => {
  useMoto();

  it('registers a new revision per service with the new image and environment, keeps tags and sidecars, and updates the services', async () => {
    await seed();
    const cwd = workspace(MANIFEST);
    const digest = `sha256:${'c'.repeat(64)}`;
    const router = 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0';
    const run = await deploy({ services: '["api","web"]', images: `api=${REGISTRY}/shop-api@${digest}\napi.log-router=${router}`, environment: 'LOG_LEVEL=debug\nRELEASE=r42', wait: 'false' }, { cwd });
    expect(run.code).toBe(0);

    const result = resultOf(run);
    expect(result.outcome).toBe('deployed');
    const [api, web] = result.services;
    expect(api).toMatchObject({ service: 'api', cluster: CLUSTER, ecsService: 'shop-api', revision: 2, image: `${REGISTRY}/shop-api@${digest}`, outcome: 'deployed' });
    expect(api!.reason).toContain('not watched (wait: false)');
    expect(api!.consoleUrl).toBe(`https://${TEST_REGION}.console.aws.amazon.com/ecs/v2/clusters/${CLUSTER}/services/shop-api/deployments?region=${TEST_REGION}`);
    // web had no image given: the manifest's repository in the account's registry, tagged with the commit.
    expect(web).toMatchObject({ service: 'web', revision: 2, image: `${REGISTRY}/shop-web:${SHA}` });

    const apiNew = await container(api!.taskDefinitionArn, 'api');
    expect(apiNew.container.image).toBe(`${REGISTRY}/shop-api@${digest}`);
    expect(apiNew.container.environment).toEqual([
      { name: 'NODE_ENV', value: 'production' },
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'RELEASE', value: 'r42' },
    ]);
    // Both named containers get their image and the environment.
    const routerNew = apiNew.definition.containerDefinitions!.find((candidate) => candidate.name === 'log-router')!;
    expect(routerNew.image).toBe(router);
    expect(routerNew.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'RELEASE', value: 'r42' },
    ]);
    // A container that is not named keeps its image.
    expect((await container(web!.taskDefinitionArn, 'log-router')).container.image).toBe('public.ecr.aws/aws-observability/aws-for-fluent-bit:stable');
    expect(apiNew.definition.memory).toBe('512');
    expect(apiNew.tags).toEqual([{ key: 'team', value: 'payments' }]);
    expect((await container(web!.taskDefinitionArn, 'web')).container.image).toBe(`${REGISTRY}/shop-web:${SHA}`);

    expect(await serviceTaskDefinition('shop-api')).toBe(api!.taskDefinitionArn);
    expect(await serviceTaskDefinition('shop-web')).toBe(web!.taskDefinitionArn);
    expect(JSON.parse(run.outputs['task-definition-arns']!)).toEqual({ api: api!.taskDefinitionArn, web: web!.taskDefinitionArn });
    expect(run.outputs['api-task-definition-arn']).toBe(api!.taskDefinitionArn);
    expect(JSON.parse(run.outputs['deployment-ids']!)).toEqual({ api: api!.deploymentId, web: web!.deploymentId });
    expect(JSON.parse(run.outputs.outcomes!)).toEqual({ api: 'deployed', web: 'deployed' });
    expect(JSON.parse(run.outputs.durations!)).toEqual({ api: api!.durationSeconds, web: web!.durationSeconds });
    // What each service runs now, as it was given: the digest for api, the commit's tag for web.
    expect(JSON.parse(run.outputs.images!)).toEqual({ api: `${REGISTRY}/shop-api@${digest}`, web: `${REGISTRY}/shop-web:${SHA}` });
    expect([run.outputs['web-deployment-id'], run.outputs['web-outcome'], run.outputs['web-duration-seconds']]).toEqual([web!.deploymentId, 'deployed', String(web!.durationSeconds)]);
    expect(run.summary).toContain('<td>shop-api:2</td>');
    expect(run.log).toMatch(/::group::Validate[\s\S]*::group::Register task definitions[\s\S]*::group::Update services/);
  });

  it('starts from a task-definition file when one service is named directly', async () => {
    await seed();
    const cwd = workspace(MANIFEST);
    const described = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-api', include: ['TAGS'] }));
    const fromFile = JSON.parse(JSON.stringify(described));
    fromFile.taskDefinition.memory = '1024';
    file(cwd, 'task-definition.json', JSON.stringify(fromFile));
    const run = await deploy({ cluster: CLUSTER, service: 'shop-api', container: 'api', image: `${REGISTRY}/shop-api:v2`, 'task-definition': 'task-definition.json', wait: 'false' }, { cwd });
    expect(run.code).toBe(0);
    const { definition, container: api } = await container(resultOf(run).services[0]!.taskDefinitionArn, 'api');
    expect(definition.memory).toBe('1024');
    expect(api.image).toBe(`${REGISTRY}/shop-api:v2`);
  });

  it('deploys an existing revision by ARN without registering anything', async () => {
    await seed();
    const second = await ecs().send(new RegisterTaskDefinitionCommand({ ...definition('shop-api', 'api'), containerDefinitions: [{ name: 'api', image: `${REGISTRY}/shop-api:v2`, essential: true, memory: 256 }] }));
    const arn = second.taskDefinition!.taskDefinitionArn!;
    const run = await deploy({ cluster: CLUSTER, service: 'shop-api', 'task-definition': arn, wait: 'false' });
    expect(run.code).toBe(0);
    expect(run.log).not.toContain('::group::Register task definitions');
    expect(await revisions('shop-api')).toHaveLength(2);
    expect(await serviceTaskDefinition('shop-api')).toBe(arn);
    expect(resultOf(run).services[0]).toMatchObject({ taskDefinitionArn: arn, revision: 2, image: `${REGISTRY}/shop-api:v2` });
  });
});

describe('deploy-ecs validates everything before any change', () => {
  useMoto();

  // Every row names its mode: jest hands a `done` callback to a test function with more parameters than the row has values.
  const cases: [string, Record<string, string>, RegExp, 'direct' | 'manifest'][] = [
    ['an unknown cluster', { cluster: 'shop-prd', service: 'shop-api', image: `${REGISTRY}/shop-api:v2` }, /ECS cluster "shop-prd" does not exist in this account and region\./, 'direct'],
    ['an unknown service', { cluster: CLUSTER, service: 'shop-apj', image: `${REGISTRY}/shop-api:v2` }, /ECS service "shop-apj" does not exist \(or is not active\) in cluster "shop-prod"\. Did you mean "shop-api"\?/, 'direct'],
    ['an unknown container', { cluster: CLUSTER, service: 'shop-api', container: 'apx', image: `${REGISTRY}/shop-api:v2` }, /has no container named "apx"\. Did you mean "api"\?/, 'direct'],
    ['an image for a container that does not exist', { services: 'api', images: `api.worker=${REGISTRY}/shop-worker:v2` }, /has no container named "worker"/, 'manifest'],
    ['a service that is not in the manifest', { services: 'api, wbe' }, /Service "wbe" is not in \.github\/services\.yml\.\nServices in the manifest: api, web\./, 'manifest'],
    ['an image for a service that is not in the manifest', { services: 'api', images: `admin=${REGISTRY}/shop-admin:v2` }, /Input "images" names "admin", which is not a service in \.github\/services\.yml/, 'manifest'],
    ['a rollback to a revision that does not exist', { services: 'api', 'rollback-to': '7' }, /Task definition "shop-api:7" cannot be read/, 'manifest'],
    [
      'an image for a direct service with no container named, when two are essential',
      { cluster: CLUSTER, service: 'shop-two', image: `${REGISTRY}/shop-api:v2` },
      /has 2 containers \(api, worker\); which one is the application\? */,
      'direct',
    ],
  ];

  it.each(cases)('refuses %s, naming it, and changes nothing', async (_name, inputs, message, mode) => {
    await seed({ twoEssential: true });
    const cwd = workspace(MANIFEST);
    const run = await deploy({ ...inputs, wait: 'false' }, { cwd: mode === 'manifest' ? cwd : undefined });
    expect(run.code).toBe(1);
    expect(errors(run).join('\n')).toMatch(message);
    await expectUnchanged();
  });

  it('refuses a malformed task-definition file', async () => {
    await seed();
    const cwd = workspace(MANIFEST);
    file(cwd, 'broken.json', '{"family": "shop-api", "containerDefinitions": [');
    const run = await deploy({ cluster: CLUSTER, service: 'shop-api', container: 'api', 'task-definition': 'broken.json', image: `${REGISTRY}/shop-api:v2` }, { cwd });
    expect(run.code).toBe(1);
    expect(errors(run).join('\n')).toMatch(/Task-definition file broken\.json is not valid JSON/);
    await expectUnchanged();
  });

  it('registers nothing, not even for a good service, when another one is bad', async () => {
    await seed();
    const cwd = workspace(MANIFEST.replace('ecs: { service: shop-web, container: web }', 'ecs: { service: shop-web, container: webb }'));
    const run = await deploy({ services: 'all', wait: 'false' }, { cwd });
    expect(run.code).toBe(1);
    expect(errors(run).join('\n')).toMatch(/Task definition shop-web:1 of shop-web has no container named "webb"\. Did you mean "web"\?/);
    await expectUnchanged();
  });

  it('reports every bad service at once', async () => {
    await seed();
    const cwd = workspace(MANIFEST.replace('container: web }', 'container: webb }').replace('container: api }', 'container: apii }'));
    const run = await deploy({ services: 'all', wait: 'false' }, { cwd });
    expect(run.code).toBe(1);
    const text = errors(run).join('\n');
    expect(text).toContain('2 services cannot be deployed, so nothing was changed:');
    expect(text).toMatch(/ {2}api: Task definition shop-api:1 of shop-api has no container named "apii"/);
    expect(text).toMatch(/ {2}web: Task definition shop-web:1 of shop-web has no container named "webb"/);
    await expectUnchanged();
  });

  it('refuses a CodeDeploy service whose AppSpec cannot name a load-balanced container', async () => {
    await seed({ codeDeploy: 'shop-web' });
    const run = await deploy({ services: 'web', wait: 'false' }, { cwd: workspace(MANIFEST) });
    expect(run.code).toBe(1);
    expect(errors(run).join('\n')).toContain(
      'ECS service "shop-web" is deployed by CodeDeploy but has no load-balanced container, so its AppSpec cannot name one.\nCodeDeploy blue/green needs the service to have a load balancer with a container name and port.',
    );
    await expectUnchanged();
  });

  it('refuses conflicting inputs before touching AWS', async () => {
    const run = await deploy({ services: 'api', 'rollback-to': 'previous', images: `api=${REGISTRY}/shop-api:v2` });
    expect(run.code).toBe(1);
    expect(errors(run).join('\n')).toContain('Input "rollback-to" puts back an earlier release as it was, so "images" cannot be set with it.');
  });

  it('deploys nothing, successfully, for an empty list of changed services', async () => {
    const run = await deploy({ services: '[]' }, { cwd: workspace(MANIFEST) });
    expect(run.code).toBe(0);
    expect(resultOf(run)).toEqual({ outcome: 'deployed', services: [] });
  });
});
