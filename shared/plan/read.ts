/**
 * An environment's plan read from AWS: for each service, what runs now (the live revision's image
 * and the digests its running tasks report) and what a deploy would register (deploy-ecs's own
 * preparation, so the plan and the deploy cannot disagree). Only read calls.
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import { createClient, type AwsSession } from '../aws/client.js';
import type { AwsInputs } from '../aws/inputs.js';
import { openSession } from '../aws/session.js';
import { shortTaskDefinition } from '../ecs/arn.js';
import { containerImage } from '../ecs/containers.js';
import { runningTaskDigests } from '../ecs/task-digests.js';
import { renderTaskDefinition } from '../ecs/task-definitions.js';
import { ecrTaggedImage } from '../ecr/host.js';
import { ecrClientIn, lookupEcrImage } from '../ecr/lookup.js';
import { requiredAccount } from '../manifest/environments.js';
import type { Manifest, ServiceSpec } from '../manifest/types.js';
import { prepare, type Plan as DeployPreparation } from '../deploy/prepare.js';
import { resolveTargets } from '../deploy/targets.js';
import type { DeployInputs } from '../deploy/types.js';
import { diffTaskDefinitions } from './definition-diff.js';
import { notYet, oneLine, unread, type EnvironmentRequest } from './environment.js';
import type { ImageNext, ImageNow, ServicePlan } from './types.js';

type ReadRequest = EnvironmentRequest & { aws: AwsInputs };

/** The services' plans, or why the environment cannot be read at all (no session, another account). */
export async function readEnvironment(request: ReadRequest): Promise<{ region: string; services: ServicePlan[] } | { unreadable: unknown }> {
  const { manifest } = request;
  let session: AwsSession;
  try {
    session = await openSession(request.aws, { fallbackRegion: manifest.region, fallbackRole: manifest.role, requiredAccount: requiredAccount(manifest), env: request.env, retryBaseMs: 200 });
  } catch (error) {
    return { unreadable: error };
  }
  const ecs = createClient(ECSClient, session);
  const registries = new Map<string, ECRClient>();
  const ecr = (region: string) => registries.get(region) ?? registries.set(region, ecrClientIn(session, region)).get(region)!;
  const services = await Promise.all(request.services.map((service) => planService(service, request, session, ecs, ecr)));
  return { region: session.region, services };
}

async function planService(spec: ServiceSpec, request: ReadRequest, session: AwsSession, ecs: ECSClient, ecr: (region: string) => ECRClient): Promise<ServicePlan> {
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
  now.digests = await runningTaskDigests(ecs, spec.ecs.cluster, spec.ecs.service, live.taskDefinitionArn!, prepared.container).catch((error: unknown) => {
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
function deployInputs(service: string, request: ReadRequest): DeployInputs {
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
    aws: request.aws,
  };
}

/** The next image's digest when its registry (ECR) already has it; otherwise what will put it there. */
async function nextImageIn(image: string, ecr: (region: string) => ECRClient, manifest: Manifest): Promise<ImageNext> {
  const missing = notYet(manifest);
  const tagged = ecrTaggedImage(image);
  if (!tagged) return { image, note: `${missing} (not an ECR image, so its digest is not looked up)` };
  const digest = (await lookupEcrImage(ecr(tagged.region), tagged, { tag: tagged.tag }))?.imageDigest;
  return digest ? { image, digest, note: 'in the registry' } : { image, note: missing };
}
