/**
 * What an environment's ECS services run now, by digest: the image of the service's container in the
 * task definition of its PRIMARY deployment, and its digest from the definition when the image is
 * pinned by one, else from the deployment's running tasks (ECS reports the digest each task pulled),
 * else, for a commit tag (which builds never move), from the registry.
 */
import type { ECSClient, Service } from '@aws-sdk/client-ecs';
import { shortTaskDefinition } from '../ecs/arn.js';
import { containerImage } from '../ecs/containers.js';
import { describeServicesAcross } from '../ecs/services.js';
import { runningTaskDigests } from '../ecs/task-digests.js';
import { describeTaskDefinition } from '../ecs/task-definitions.js';
import { parseImageRef } from '../images.js';
import type { ServiceSpec } from '../manifest/types.js';

const COMMIT_TAG = /^[0-9a-f]{40}$/;

export interface Running {
  image: string;
  /** Undefined when neither the definition, the tasks nor the registry tell it. */
  digest?: string;
  /** Where the digest came from, for the log. */
  digestFrom?: 'task definition' | 'running tasks' | 'registry';
  taskDefinitionArn: string;
  executionRoleArn?: string;
  where: string;
}

/** Why a service has no image to read. */
export interface NotRunning {
  missing: string;
}

export interface ReadOptions {
  /** The digest of a commit-tagged image in its registry, when no task reports one. */
  registryDigest(image: string): Promise<string | undefined>;
  log(line: string): void;
}

export async function readRunning(ecs: ECSClient, services: readonly ServiceSpec[], options: ReadOptions): Promise<Map<string, Running | NotRunning>> {
  const found = await describeServicesAcross(
    ecs,
    services.map((service) => ({ key: service.name, cluster: service.ecs.cluster, service: service.ecs.service })),
  );
  const result = new Map<string, Running | NotRunning>();
  await Promise.all(services.map(async (service) => result.set(service.name, await readOne(ecs, service, found.get(service.name), options))));
  return result;
}

async function readOne(ecs: ECSClient, service: ServiceSpec, ecsService: Service | undefined, options: ReadOptions): Promise<Running | NotRunning> {
  const { cluster, container } = service.ecs;
  const where = `ECS service "${service.ecs.service}" in cluster "${cluster}"`;
  if (!ecsService) return { missing: `${where} does not exist (or is not active)` };
  const primary = ecsService.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  const arn = primary?.taskDefinition ?? ecsService.taskDefinition;
  if (!arn) return { missing: `${where} has no task definition` };
  const { taskDefinition } = await describeTaskDefinition(ecs, arn);
  const image = containerImage(taskDefinition, container);
  if (!image) return { missing: `task definition ${shortTaskDefinition(arn)} of ${where} has no container "${container}"` };
  const running: Running = { image, taskDefinitionArn: arn, executionRoleArn: taskDefinition.executionRoleArn, where };
  const ref = parseImageRef(image);
  if (ref.digest) return { ...running, digest: ref.digest, digestFrom: 'task definition' };

  const fromTasks = await runningTaskDigests(ecs, cluster, service.ecs.service, arn, container);
  if (fromTasks.length === 1) return { ...running, digest: fromTasks[0], digestFrom: 'running tasks' };
  if (fromTasks.length > 1) options.log(`${service.name}: the running tasks of ${where} report ${fromTasks.length} digests for ${image} (${fromTasks.join(', ')}); asking the registry.`);
  if (ref.tag && COMMIT_TAG.test(ref.tag)) {
    const digest = await options.registryDigest(image);
    if (digest) return { ...running, digest, digestFrom: 'registry' };
  }
  return running;
}

export function isRunning(value: Running | NotRunning | undefined): value is Running {
  return value !== undefined && 'image' in value;
}
