/** A shop with an API service on Fargate in moto, a services manifest, and helpers to drive moto's tasks. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type RegisterTaskDefinitionCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { createClient } from '../../shared/aws/client.js';
import { motoUrl, pushImageToEcr, TEST_REGION } from '../../standins/moto.js';

const session = { region: TEST_REGION };
export const ecs = () => createClient(ECSClient, session);
export const logs = () => createClient(CloudWatchLogsClient, session);

export const CLUSTER = 'shop-prod';
export const LOG_GROUP = '/ecs/shop-api';
export const OLD_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:old';
export const NEW_IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api@sha256:1f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a79881f2e3d4c5b6a7988';
/** GITHUB_SHA of every run (standins/run-action.ts): the tag migrate runs by default. */
export const COMMIT_SHA = '0123456789abcdef0123456789abcdef01234567';
export const COMMIT_IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:${COMMIT_SHA}`;

const API_TASK_DEFINITION: RegisterTaskDefinitionCommandInput = {
  family: 'shop-api',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  tags: [{ key: 'team', value: 'payments' }],
  containerDefinitions: [
    {
      // moto reports only the first container of a task, so the migration container comes first.
      name: 'api',
      image: OLD_IMAGE,
      essential: true,
      memory: 448,
      command: ['node', 'apps/api/dist/index.js'],
      environment: [{ name: 'NODE_ENV', value: 'production' }],
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': LOG_GROUP, 'awslogs-stream-prefix': 'ecs', 'awslogs-region': TEST_REGION } },
    },
    { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false, memory: 64 },
  ],
};

export interface Shop {
  subnet: string;
  securityGroup: string;
  taskDefinitionArn: string;
}

/** VPC, subnet and security group (awsvpc tasks need them), the cluster, the API service and its log group. */
export async function seedShop(definition: RegisterTaskDefinitionCommandInput = API_TASK_DEFINITION): Promise<Shop> {
  const ec2 = createClient(EC2Client, session);
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
  // moto names task ENIs by their private DNS name, which needs DNS hostnames on the VPC.
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: Vpc!.VpcId, EnableDnsHostnames: { Value: true } }));
  const { Subnet } = await ec2.send(new CreateSubnetCommand({ VpcId: Vpc!.VpcId, CidrBlock: '10.0.1.0/24' }));
  const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ VpcId: Vpc!.VpcId, GroupName: 'shop-api', Description: 'shop api tasks' }));
  const client = ecs();
  await client.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const { taskDefinition } = await client.send(new RegisterTaskDefinitionCommand(definition));
  await client.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: 'shop-api',
      taskDefinition: taskDefinition!.taskDefinitionArn,
      desiredCount: 1,
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      networkConfiguration: { awsvpcConfiguration: { subnets: [Subnet!.SubnetId!], securityGroups: [GroupId!], assignPublicIp: 'DISABLED' } },
    }),
  );
  await logs().send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));
  return { subnet: Subnet!.SubnetId!, securityGroup: GroupId!, taskDefinitionArn: taskDefinition!.taskDefinitionArn! };
}

export const MANIFEST = `region: us-east-1
cluster: ${CLUSTER}
services:
  api:
    paths: [apps/api/**]
    repository: shop-api
    ecs: { service: shop-api, container: api }
    migrate:
      command: ["sh", "-c", "cd apps/api && npx prisma migrate deploy"]
  web:
    paths: [apps/web/**]
    ecs: { service: shop-web }
`;

/** A checkout with the services manifest. */
export function workspace(manifest = MANIFEST): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-ws-'));
  mkdirSync(join(dir, '.github'));
  writeFileSync(join(dir, '.github', 'services.yml'), manifest);
  return dir;
}

async function motoApi(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${motoUrl()}/moto-api/state-manager/${path}`, { method: 'POST', body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`moto ${path} failed: HTTP ${response.status}`);
}

/**
 * moto moves a task one state further (RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED)
 * every `describes` DescribeTasks calls; a huge number keeps it RUNNING.
 */
export function setTaskProgress(describes: number): Promise<void> {
  return motoApi('set-transition', { model_name: 'ecs::task', transition: { progression: 'manual', times: describes } });
}

export function resetTaskProgress(): Promise<void> {
  return motoApi('unset-transition', { model_name: 'ecs::task' });
}

export const KEEP_RUNNING = 1_000_000;

function streamOf(taskArn: string, container = 'api'): string {
  return `ecs/${container}/${taskArn.slice(taskArn.lastIndexOf('/') + 1)}`;
}

/** Writes lines to the log stream the task's container writes to, as the awslogs driver would. */
export async function putLogLines(taskArn: string, lines: string[], container = 'api'): Promise<void> {
  const client = logs();
  const stream = streamOf(taskArn, container);
  await client.send(new CreateLogStreamCommand({ logGroupName: LOG_GROUP, logStreamName: stream })).catch((error: Error) => {
    if (error.name !== 'ResourceAlreadyExistsException') throw error;
  });
  const start = Date.now();
  await client.send(new PutLogEventsCommand({ logGroupName: LOG_GROUP, logStreamName: stream, logEvents: lines.map((message, i) => ({ message, timestamp: start + i })) }));
}

/** Every task of the cluster, described (each describe moves moto's tasks one step on). */
export async function tasksOf(cluster = CLUSTER): Promise<Task[]> {
  const { taskArns } = await ecs().send(new ListTasksCommand({ cluster }));
  if (!taskArns?.length) return [];
  const { tasks } = await ecs().send(new DescribeTasksCommand({ cluster, tasks: taskArns, include: ['TAGS'] }));
  return tasks ?? [];
}

/** Starts a task of the API service's task definition directly, as an earlier run would have. */
export async function runApiTask(shop: Shop): Promise<string> {
  const { tasks } = await ecs().send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: shop.taskDefinitionArn,
      launchType: 'FARGATE',
      startedBy: 'berth/migrate/4241-1',
      networkConfiguration: { awsvpcConfiguration: { subnets: [shop.subnet], securityGroups: [shop.securityGroup] } },
    }),
  );
  return tasks![0]!.taskArn!;
}

/** Pushes the commit's image (or another tag) to moto's ECR as build-push would. */
export function pushImage(tag = COMMIT_SHA, repository = 'shop-api'): Promise<void> {
  return pushImageToEcr(repository, tag);
}
