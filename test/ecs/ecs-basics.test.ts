import { describe, expect, it } from '@jest/globals';
import { ECSClient, CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, DescribeTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createClient } from '../../shared/aws/client.js';
import { UserError } from '../../shared/errors.js';
import { describeServices, requireServices } from '../../shared/ecs/services.js';
import { describeTaskDefinition, renderTaskDefinition, registerTaskDefinition, parseTaskDefinitionJson } from '../../shared/ecs/task-definitions.js';
import { findLogStream, LogFollower, lastLogLines } from '../../shared/ecs/logs.js';
import { useMoto, TEST_REGION } from '../../standins/moto.js';

const session = { region: TEST_REGION };
const ecs = () => createClient(ECSClient, session);

const API_TASK: RegisterTaskDefinitionCommandInput = {
  family: 'shop-api',
  networkMode: 'bridge',
  requiresCompatibilities: ['EC2'],
  cpu: '256',
  memory: '512',
  tags: [{ key: 'team', value: 'payments' }],
  containerDefinitions: [
    {
      name: 'api',
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:old',
      essential: true,
      environment: [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/shop-api', 'awslogs-stream-prefix': 'ecs', 'awslogs-region': TEST_REGION } },
    },
    { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false },
  ],
};

async function seedCluster(services: string[]) {
  const client = ecs();
  await client.send(new CreateClusterCommand({ clusterName: 'shop-prod' }));
  const { taskDefinition } = await client.send(new RegisterTaskDefinitionCommand(API_TASK));
  for (const name of services) {
    await client.send(new CreateServiceCommand({ cluster: 'shop-prod', serviceName: name, taskDefinition: taskDefinition!.taskDefinitionArn, desiredCount: 1 }));
  }
  return taskDefinition!;
}

describe('ECS services', () => {
  useMoto();

  it('describes many services ten at a time', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `svc-${i}`);
    await seedCluster(names);
    const client = ecs();
    let calls = 0;
    client.middlewareStack.add((next) => (args) => (calls++, next(args)), { step: 'initialize', name: 'count' });
    const { found, missing } = await describeServices(client, 'shop-prod', [...names, 'ghost']);
    expect(found.size).toBe(25);
    expect(missing).toEqual(['ghost']);
    expect(calls).toBe(3);
  });

  it('names a missing service, suggests the likely one and lists what exists', async () => {
    await seedCluster(['shop-api', 'shop-web']);
    const error = await requireServices(ecs(), 'shop-prod', ['shop-apj']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('ECS service "shop-apj" does not exist (or is not active) in cluster "shop-prod". Did you mean "shop-api"?');
    expect((error as UserError).hint).toContain('Services in "shop-prod": shop-api, shop-web.');
  });

  it('names a cluster that does not exist', async () => {
    const error = await requireServices(ecs(), 'nope', ['shop-api']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe('ECS cluster "nope" does not exist in this account and region.');
  });
});

describe('task definitions', () => {
  useMoto();

  it('registers a new revision with the new image and environment, keeping tags and everything else', async () => {
    const first = await seedCluster([]);
    const loaded = await describeTaskDefinition(ecs(), 'shop-api');
    const input = renderTaskDefinition(loaded, {
      images: { api: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api@sha256:abc' },
      environment: { api: { LOG_LEVEL: 'debug', RELEASE: 'abc123' } },
    });
    for (const field of ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy']) {
      expect(input).not.toHaveProperty(field);
    }
    const registered = await registerTaskDefinition(ecs(), input);
    expect(registered.revision).toBe(first.revision! + 1);
    const { taskDefinition, tags } = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: registered.taskDefinitionArn, include: ['TAGS'] }));
    const [api, router] = taskDefinition!.containerDefinitions!;
    expect(api!.image).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api@sha256:abc');
    expect(api!.environment).toEqual([
      { name: 'NODE_ENV', value: 'production' },
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'RELEASE', value: 'abc123' },
    ]);
    expect(router!.image).toBe('public.ecr.aws/aws-observability/aws-for-fluent-bit:stable');
    expect(taskDefinition!.memory).toBe('512');
    expect(tags).toEqual([{ key: 'team', value: 'payments' }]);
  });

  it('refuses an image for a container that does not exist, before registering anything', async () => {
    await seedCluster([]);
    const loaded = await describeTaskDefinition(ecs(), 'shop-api');
    expect(() => renderTaskDefinition(loaded, { images: { apl: 'x' } })).toThrow('Task definition shop-api:1 has no container named "apl". Did you mean "api"?');
  });

  it('names a task definition that does not exist', async () => {
    const error = await describeTaskDefinition(ecs(), 'ghost:3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/^Task definition "ghost:3" cannot be read/);
  });

  it('reads task definitions from JSON files and explains malformed ones', () => {
    expect(parseTaskDefinitionJson(JSON.stringify({ taskDefinition: API_TASK, tags: [] }), 'td.json').taskDefinition.family).toBe('shop-api');
    expect(() => parseTaskDefinitionJson('{"family": "x",', 'td.json')).toThrow(/^td\.json is not valid JSON/);
    expect(() => parseTaskDefinitionJson('{"family": "x"}', 'td.json')).toThrow('td.json is not a task definition: it needs a "family" and a "containerDefinitions" list.');
  });
});

describe('container logs', () => {
  useMoto();

  it('finds the awslogs stream of a task and follows it to the end', async () => {
    const definition = await seedCluster([]);
    const taskArn = 'arn:aws:ecs:us-east-1:123456789012:task/shop-prod/0f1e2d3c4b5a69788796a5b4c3d2e1f0';
    const lookup = findLogStream(definition, 'api', taskArn, 'eu-west-1');
    expect(lookup.location).toEqual({ group: '/ecs/shop-api', stream: 'ecs/api/0f1e2d3c4b5a69788796a5b4c3d2e1f0', region: TEST_REGION });
    expect(findLogStream(definition, 'log-router', taskArn, TEST_REGION)).toEqual({ why: 'container "log-router" has no logConfiguration, so its output is not kept anywhere' });

    const logs = createClient(CloudWatchLogsClient, session);
    const { group, stream } = lookup.location!;
    const lines: string[] = [];
    const follower = new LogFollower(logs, lookup.location!, (line) => lines.push(line));
    expect(await follower.poll()).toBe(0); // the stream does not exist yet

    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    const put = (messages: string[], start: number) => logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: messages.map((message, i) => ({ message, timestamp: start + i })) }));
    await put(['Prisma schema loaded from prisma/schema.prisma', 'Datasource "db": PostgreSQL database'], Date.now());
    expect(await follower.poll()).toBe(2);
    await put(['1 migration found in prisma/migrations', 'All migrations have been successfully applied.'], Date.now() + 10);
    await follower.drain(async () => {});
    expect(lines).toEqual(['Prisma schema loaded from prisma/schema.prisma', 'Datasource "db": PostgreSQL database', '1 migration found in prisma/migrations', 'All migrations have been successfully applied.']);
    expect(await lastLogLines(logs, lookup.location!, 2)).toEqual(['1 migration found in prisma/migrations', 'All migrations have been successfully applied.']);
  });
});
