/**
 * `since: last-deployed`: the commit each service runs now, read from the image of its container in
 * the task definition of the service's PRIMARY deployment (images are tagged with the full commit id).
 */
import { ECSClient, type Service } from '@aws-sdk/client-ecs';
import { createClient } from '../aws/client.js';
import type { AwsInputs } from '../aws/inputs.js';
import { openSession } from '../aws/session.js';
import { describeServices } from '../ecs/services.js';
import { shortTaskDefinition } from '../ecs/arn.js';
import { containerImage } from '../ecs/containers.js';
import { describeTaskDefinition } from '../ecs/task-definitions.js';
import { parseImageRef } from '../images.js';
import { describeEnvironment, requiredAccount } from '../manifest/environments.js';
import type { Manifest, ServiceSpec } from '../manifest/types.js';
import { FULL_SHA } from './git.js';

export type Deployed = { sha: string; image: string; taskDefinition: string } | { reason: string };

/**
 * Opens the AWS session (OIDC role from the input, else the manifest's, or its environment's) and
 * reads what every service runs. A manifest resolved for an environment with an `account` is read
 * only with credentials of that account, as deploy-ecs acts only in it.
 */
export async function lookupDeployed(aws: AwsInputs, manifest: Manifest, services: readonly ServiceSpec[], log: (line: string) => void): Promise<Map<string, Deployed>> {
  const session = await openSession(aws, { fallbackRegion: manifest.region, fallbackRole: manifest.role, requiredAccount: requiredAccount(manifest) });
  if (manifest.environment) log(describeEnvironment(manifest));
  return deployedCommits(createClient(ECSClient, session), services, log);
}

/** What each of `services` runs now, read with `ecs`. */
async function deployedCommits(ecs: ECSClient, services: readonly ServiceSpec[], log: (line: string) => void): Promise<Map<string, Deployed>> {
  const byCluster = new Map<string, ServiceSpec[]>();
  for (const service of services) byCluster.set(service.ecs.cluster, [...(byCluster.get(service.ecs.cluster) ?? []), service]);
  const running = new Map<string, Service | undefined>();
  await Promise.all(
    [...byCluster].map(async ([cluster, members]) => {
      const { found } = await describeServices(
        ecs,
        cluster,
        members.map((service) => service.ecs.service),
      );
      for (const service of members) running.set(service.name, found.get(service.ecs.service));
    }),
  );

  const definitions = new Map<string, ReturnType<typeof describeTaskDefinition>>();
  const result = new Map<string, Deployed>();
  await Promise.all(
    services.map(async (service) => {
      const ecsService = running.get(service.name);
      const where = `ECS service ${service.ecs.service} in cluster ${service.ecs.cluster}`;
      if (!ecsService) return result.set(service.name, { reason: `${where} does not exist yet, so nothing is deployed` });
      const arn = ecsService.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.taskDefinition ?? ecsService.taskDefinition;
      if (!arn) return result.set(service.name, { reason: `${where} has no task definition` });
      if (!definitions.has(arn)) definitions.set(arn, describeTaskDefinition(ecs, arn));
      const image = containerImage((await definitions.get(arn)!).taskDefinition, service.ecs.container);
      if (!image) return result.set(service.name, { reason: `task definition ${shortTaskDefinition(arn)} has no container "${service.ecs.container}"` });
      const tag = parseImageRef(image).tag;
      if (!tag || !FULL_SHA.test(tag.toLowerCase())) {
        return result.set(service.name, { reason: `it runs ${image}, whose ${tag ? `tag "${tag}"` : 'reference (no tag)'} is not a commit id` });
      }
      log(`${service.name}: ${where} runs ${image} (${shortTaskDefinition(arn)}).`);
      return result.set(service.name, { sha: tag.toLowerCase(), image, taskDefinition: arn });
    }),
  );
  return result;
}
