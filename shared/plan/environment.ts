/**
 * One environment's plan: for each service the change marks, what runs now (the live revision's
 * image and the digests its running tasks report) and what a deploy would register (deploy-ecs's
 * own preparation, so the plan and the deploy cannot disagree), with only read calls to AWS.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { createClient, type AwsSession } from '../aws/client.js';
import { isAwsError } from '../aws/errors.js';
import type { AwsInputs } from '../aws/inputs.js';
import { openSession } from '../aws/session.js';
import { UserError, errorMessage } from '../errors.js';
import { shortTaskDefinition } from '../ecs/arn.js';
import { containerImage } from '../ecs/containers.js';
import { renderTaskDefinition } from '../ecs/task-definitions.js';
import { ecrHost, ecrTaggedImage } from '../ecr/host.js';
import { requiredAccount } from '../manifest/environments.js';
import type { Manifest, ServiceSpec } from '../manifest/types.js';
import { prepare, type Plan as DeployPreparation } from '../deploy/prepare.js';
import { resolveTargets } from '../deploy/targets.js';
import type { DeployInputs } from '../deploy/types.js';
import { diffTaskDefinitions } from './definition-diff.js';
import type { EnvironmentPlan, ImageNext, ImageNow, ServicePlan } from './types.js';

/** What deploy-ecs would be given besides the services: the inputs that change a task definition beyond its image. */
export interface DeploySettings {
  /** `task-definition` per service: a JSON file (relative to `workspace`), a family, family:revision or an ARN. */
  taskDefinitions: Record<string, string>;
  /** `environment`: variables set on each service's main container. */
  environment: Record<string, string>;
}

export interface EnvironmentRequest {
  /** The manifest resolved for the environment (forEnvironment). */
  manifest: Manifest;
  services: readonly ServiceSpec[];
  head: string;
  /** Undefined: AWS is not read. */
  aws?: AwsInputs;
  deploy: DeploySettings;
  workspace: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export async function planEnvironment(request: EnvironmentRequest): Promise<EnvironmentPlan> {
  const { manifest } = request;
  const environment = manifest.environment;
  const base = { name: environment?.name ?? '', account: environment?.account, region: manifest.region };
  const offline = (reason: string): EnvironmentPlan => ({ ...base, aws: { read: false, reason }, services: request.services.map((service) => unread(service, manifest, request.head)) });
  if (request.services.length === 0) return { ...base, aws: { read: false, reason: 'no service to deploy' }, services: [] };
  if (!request.aws) return offline('AWS not read (asked not to)');
  const role = request.aws.roleToAssume ?? manifest.role;
  if (!role && !ambientCredentials(request.env)) return offline('no AWS credentials: no role to assume (input or manifest) and none in the environment');

  let session: AwsSession;
  try {
    session = await openSession(request.aws, { fallbackRegion: manifest.region, fallbackRole: manifest.role, requiredAccount: requiredAccount(manifest), env: request.env, retryBaseMs: 200 });
  } catch (error) {
    return offline(`AWS cannot be read: ${oneLine(error)}`);
  }
  const ecs = createClient(ECSClient, session);
  const registryOf = new Map<string, ECRClient>();
  const ecr = (region: string) => registryOf.get(region) ?? registryOf.set(region, createClient(ECRClient, { ...session, region })).get(region)!;
  const services = await Promise.all(request.services.map((service) => planService(service, request, session, ecs, ecr)));
  return { ...base, region: session.region, aws: { read: true }, services };
}

async function planService(spec: ServiceSpec, request: EnvironmentRequest, session: AwsSession, ecs: ECSClient, ecr: (region: string) => ECRClient): Promise<ServicePlan> {
  const { manifest } = request;
  const inputs = deployInputs(spec.name, request);
  let prepared: DeployPreparation;
  try {
    const targets = resolveTargets(inputs, manifest);
    [prepared] = (await prepare(targets, {
      inputs,
      ecs,
      session,
      workspace: request.workspace,
      manifestRegistry: manifest.registry,
      codeDeploy: async () => {
        const module = await import('../deploy/codedeploy-rollout.js');
        const client = module.codeDeployClient(session);
        return { findGroup: (plan) => module.findCodeDeployGroup(client, plan) };
      },
    })) as [DeployPreparation];
  } catch (error) {
    return { ...unread(spec, manifest, request.head), problem: oneLine(error) };
  }
  const live = prepared.live;
  const now: ImageNow = { image: containerImage(live, prepared.container) ?? '', digests: [], taskDefinition: shortTaskDefinition(live.taskDefinitionArn!) };
  const problems: string[] = [];
  now.digests = await runningDigests(ecs, spec.ecs.cluster, spec.ecs.service, live, prepared.container).catch((error: unknown) => {
    problems.push(`running tasks not read: ${oneLine(error)}`);
    return [];
  });
  const release = prepared.release;
  const nextImage = prepared.image || now.image;
  let next: ImageNext;
  if (release.kind === 'existing') {
    next = { image: nextImage, digest: now.digests.length === 1 ? now.digests[0] : undefined, note: release.note ?? 'an existing revision' };
  } else {
    next = await nextImageIn(nextImage, ecr, manifest).catch((error: unknown) => ({ image: nextImage, note: `digest not read: ${oneLine(error)}` }));
  }
  const changes = release.kind === 'register' ? diffTaskDefinitions(renderTaskDefinition({ taskDefinition: live, tags: [] }, {}), release.input, prepared.container) : [];
  return { service: spec.name, cluster: spec.ecs.cluster, ecsService: spec.ecs.service, now, next, changes, problem: problems.join('; ') || undefined };
}

/** The inputs deploy-ecs gets in the deploy pipeline for one service: its image tagged with the head commit, in this environment. */
function deployInputs(service: string, request: EnvironmentRequest): DeployInputs {
  return {
    selection: { kind: 'manifest', file: request.manifest.file, names: [service] },
    manifestEnvironment: request.manifest.environment?.name,
    images: {},
    imageTag: request.head,
    taskDefinition: request.deploy.taskDefinitions[service],
    environment: request.deploy.environment,
    wait: false,
    waitTimeoutMs: 0,
    pollIntervalMs: 0,
    failedTasksThreshold: 0,
    healthUrls: { byService: {} },
    healthTimeoutMs: 0,
    rollback: false,
    allowOtherFamily: false,
    forceNewDeployment: false,
    bakeWait: { kind: 'full' },
    codeDeploy: {},
    aws: request.aws!,
  };
}

/** The digests the running tasks of the live revision report for `container` (what ECS resolved the tag to when it pulled). */
async function runningDigests(ecs: ECSClient, cluster: string, service: string, live: TaskDefinition, container: string): Promise<string[]> {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING', maxResults: 100 }));
  if (!taskArns?.length) return [];
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
  const digests = new Set<string>();
  for (const task of tasks ?? []) {
    if (task.taskDefinitionArn !== live.taskDefinitionArn) continue;
    const digest = task.containers?.find((candidate) => candidate.name === container)?.imageDigest;
    if (digest) digests.add(digest);
  }
  return [...digests].sort();
}

/** The next image's digest when its registry (ECR) already has it; otherwise what will put it there. */
async function nextImageIn(image: string, ecr: (region: string) => ECRClient, manifest: Manifest): Promise<ImageNext> {
  const missing = notYet(manifest);
  const tagged = ecrTaggedImage(image);
  if (!tagged) return { image, note: `${missing} (not an ECR image, so its digest is not looked up)` };
  try {
    const { imageDetails } = await ecr(tagged.region).send(new DescribeImagesCommand({ registryId: tagged.registryId, repositoryName: tagged.repository, imageIds: [{ imageTag: tagged.tag }] }));
    const digest = imageDetails?.[0]?.imageDigest;
    return digest ? { image, digest, note: 'in the registry' } : { image, note: missing };
  } catch (error) {
    if (isAwsError(error) && (error.name === 'ImageNotFoundException' || error.name === 'RepositoryNotFoundException')) return { image, note: missing };
    throw error;
  }
}

const notYet = (manifest: Manifest) => (manifest.environment?.images === 'copy' ? 'copied by digest when promoted' : 'built by this run');

/** A service's plan without AWS: the image a deploy would use, named as far as the manifest tells. */
function unread(spec: ServiceSpec, manifest: Manifest, head: string): ServicePlan {
  const account = manifest.environment?.account;
  const registry = manifest.registry ?? (account && manifest.region ? ecrHost(account, manifest.region) : "<the account's ECR registry>");
  return { service: spec.name, cluster: spec.ecs.cluster, ecsService: spec.ecs.service, next: { image: `${registry}/${spec.repository}:${head}`, note: notYet(manifest) } };
}

/** Credentials the SDK's default chain would find without a role to assume. */
function ambientCredentials(env: NodeJS.ProcessEnv): boolean {
  const variables = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_SHARED_CREDENTIALS_FILE'];
  return variables.some((name) => env[name]) || (env.HOME !== undefined && existsSync(join(env.HOME, '.aws')));
}

function oneLine(error: unknown): string {
  if (error instanceof UserError) return error.message.replace(/\s*\n\s*/g, ' ');
  if (isAwsError(error)) return `${error.name}: ${error.message}`;
  return errorMessage(error).replace(/\s*\n\s*/g, ' ');
}
