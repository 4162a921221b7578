/**
 * The AWS account the example deploys to, as the stand-ins hold it: ECR repositories and log
 * groups in moto; in the ECS rollout simulator the cluster, a task-definition family per service
 * with earlier revisions, services running the release in production, their deployment history,
 * and what the tasks do (the migration's one-shot task, the broken investor release).
 */
import { createHash } from 'node:crypto';
import { CloudWatchLogsClient, CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { Manifest, ServiceSpec } from '../shared/manifest/types.js';
import type { Registry } from '../standins/docker.js';
import type { ScenarioRule, Seed } from '../standins/ecs-simulator/index.js';

export const ACCOUNT = '123456789012';

const registryOf = (region: string) => `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com`;
const logGroupOf = (service: ServiceSpec) => `/ecs/${service.ecs.service}`;

/** Earlier releases of each service, so revision numbers and history look like a team's. */
const EARLIER_REVISIONS: Record<string, number> = { landing: 6, investor: 9, issuer: 4, admin: 7, api: 11 };

const fakeSha = (seed: string) => createHash('sha1').update(seed).digest('hex');

function taskDefinition(manifest: Manifest, service: ServiceSpec, tag: string, image = `${registryOf(manifest.region!)}/${service.repository}:${tag}`, account = ACCOUNT): RegisterTaskDefinitionCommandInput {
  const region = manifest.region!;
  const secret = (name: string) => ({ name, valueFrom: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:acme/${service.name}/${name.toLowerCase().replace(/_/g, '-')}` });
  const isApi = service.migrate !== undefined;
  return {
    family: service.ecs.service,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: isApi ? '512' : '256',
    memory: isApi ? '1024' : '512',
    executionRoleArn: executionRole(account),
    taskRoleArn: `arn:aws:iam::${account}:role/${service.ecs.service}-task`,
    tags: [{ key: 'team', value: isApi ? 'platform' : 'web' }],
    containerDefinitions: [
      {
        name: service.ecs.container,
        image,
        essential: true,
        portMappings: [{ containerPort: 3000, protocol: 'tcp' }],
        environment: isApi
          ? [{ name: 'NODE_ENV', value: 'production' }]
          : [
              { name: 'NODE_ENV', value: 'production' },
              { name: 'API_URL', value: 'http://api.acme.internal:3000' },
            ],
        secrets: isApi ? [secret('DATABASE_URL'), secret('DIRECT_DATABASE_URL')] : [],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': logGroupOf(service), 'awslogs-region': region, 'awslogs-stream-prefix': 'ecs' } },
      },
    ],
  };
}

/** Cluster, task definitions (earlier revisions, then the one running `runningTag`), services and their history. */
export function ecsSeed(manifest: Manifest, runningTag: string): Seed {
  const taskDefinitions: RegisterTaskDefinitionCommandInput[] = [];
  const services: Seed['services'] = [];
  for (const service of manifest.services) {
    const earlier = EARLIER_REVISIONS[service.name] ?? 3;
    for (let revision = 1; revision <= earlier; revision++) taskDefinitions.push(taskDefinition(manifest, service, fakeSha(`${service.name}-${revision}`)));
    taskDefinitions.push(taskDefinition(manifest, service, runningTag));
    services.push({
      cluster: service.ecs.cluster,
      name: service.ecs.service,
      taskDefinition: `${service.ecs.service}:${earlier + 1}`,
      desiredCount: 2,
      launchType: 'FARGATE',
      // No circuit breaker: the action counts failed tasks itself and rolls back to the last good revision.
      circuitBreaker: { enable: false, rollback: false },
      history: [
        { taskDefinition: `${service.ecs.service}:${earlier - 1}`, status: 'SUCCESSFUL' },
        { taskDefinition: `${service.ecs.service}:${earlier}`, status: 'SUCCESSFUL' },
      ],
    });
  }
  return { clusters: [...new Set(manifest.services.map((service) => service.ecs.cluster))], taskDefinitions, services };
}

export const executionRole = (account: string) => `arn:aws:iam::${account}:role/ecsTaskExecutionRole`;

/**
 * A manifest environment's cluster (`environment` is the manifest resolved for it): a task-definition
 * family per service named after the environment, each service running `images[service]`.
 */
export function environmentSeed(environment: Manifest, account: string, images: Record<string, string>): Seed {
  const name = environment.environment!.name;
  const taskDefinitions = environment.services.map((service) => ({ ...taskDefinition(environment, service, '', images[service.name]!, account), family: `${service.ecs.service}-${name}` }));
  return {
    clusters: [...new Set(environment.services.map((service) => service.ecs.cluster))],
    taskDefinitions,
    services: environment.services.map((service) => ({
      cluster: service.ecs.cluster,
      name: service.ecs.service,
      taskDefinition: `${service.ecs.service}-${name}`,
      desiredCount: 2,
      launchType: 'FARGATE',
      circuitBreaker: { enable: false, rollback: false },
    })),
  };
}

/** The build account's repository policy that lets another account's execution role pull (set once by the platform team). */
export function pullPolicy(account: string): object {
  return {
    Version: '2012-10-17',
    Statement: [{ Sid: 'BerthPull', Effect: 'Allow', Principal: { AWS: executionRole(account) }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] }],
  };
}

/** What `prisma migrate deploy` prints when it applies `pending` of the migrations `all`. */
export function prismaDeployLog(all: string[], pending: string[], region: string): string[] {
  const lines = [
    'Prisma schema loaded from prisma/schema.prisma',
    `Datasource "db": PostgreSQL database "acme", schema "public" at "acme-prod.cluster-c8x2kq9example.${region}.rds.amazonaws.com:5432"`,
    `${all.length} migrations found in prisma/migrations`,
  ];
  if (pending.length === 0) return [...lines, 'No pending migrations to apply.'];
  return [
    ...lines,
    ...pending.map((name) => `Applying migration \`${name}\``),
    'The following migration(s) have been applied:',
    'migrations/',
    ...pending.flatMap((name) => [`  └─ ${name}/`, '    └─ migration.sql']),
    'All migrations have been successfully applied.',
  ];
}

/** What a Next.js standalone server prints when its instrumentation hook throws at start-up. */
function nextCrashLog(app: string, error: string): string[] {
  return [
    '   ▲ Next.js 15.1.0',
    '   - Local:        http://localhost:3000',
    '   - Network:      http://0.0.0.0:3000',
    ' ✓ Starting...',
    ` ⨯ Error: ${error}`,
    `    at Module.register (/app/apps/${app}/.next/server/instrumentation.js:1:318)`,
    '    at async NextNodeServer.runInstrumentationHookIfAvailable (/app/node_modules/next/dist/server/next-server.js:236:13)',
    ` ⨯ An error occurred while loading the instrumentation hook: ${error}`,
  ];
}

/** The migration's one-shot task, matched on the command override the migrate action gives it. */
export function migrationScenario(logLines: string[]): ScenarioRule {
  return { command: /prisma migrate deploy/, behaviour: 'exits', exitCode: 0, runSeconds: 9, logLines };
}

/** Tasks of `image` (repository:tag) exit 1 a few seconds after they start: a crash loop. */
export function crashScenario(image: string, app: string, error: string): ScenarioRule {
  return { image, behaviour: 'exits', exitCode: 1, runSeconds: 5, logLines: nextCrashLog(app, error) };
}

export interface AwsClients {
  ecr: ECRClient;
  logs: CloudWatchLogsClient;
}

export function awsClients(motoUrl: string, region: string): AwsClients {
  const config = { region, endpoint: motoUrl, credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } };
  return { ecr: new ECRClient(config), logs: new CloudWatchLogsClient(config) };
}

/** One ECR repository and one log group per service. */
export async function seedAccount(clients: AwsClients, manifest: Manifest): Promise<void> {
  for (const service of manifest.services) {
    await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: service.repository, imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: true } }));
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: logGroupOf(service) }));
  }
}

/**
 * Records an image of `tag` in the ECR stand-in, as an earlier push would have: a manifest with a
 * config and one layer (moto's ECR has no registry protocol, so there are no blobs behind it).
 */
/** Records in ECR (moto) an image pushed to the local registry, by its exact manifest: the same digest in both. */
export async function mirrorImage(ecr: ECRClient, registry: Registry, repository: string, tag: string): Promise<string> {
  const { body, mediaType } = await registry.manifest(repository, tag);
  const { image } = await ecr.send(new PutImageCommand({ repositoryName: repository, imageTag: tag, imageManifest: body, imageManifestMediaType: mediaType }));
  return image?.imageId?.imageDigest ?? '';
}

export async function recordImage(ecr: ECRClient, repository: string, tag: string): Promise<string> {
  const digest = (what: string) => `sha256:${createHash('sha256').update(`${repository}:${tag}:${what}`).digest('hex')}`;
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1480, digest: digest('config') },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 48_213_771, digest: digest('layer') }],
  };
  const { image } = await ecr.send(new PutImageCommand({ repositoryName: repository, imageTag: tag, imageManifest: JSON.stringify(manifest), imageManifestMediaType: manifest.mediaType }));
  return image?.imageId?.imageDigest ?? '';
}
