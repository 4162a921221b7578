/**
 * `since: last-deployed`: the commit each service runs now, read from the image of its container in
 * the task definition of the service's PRIMARY deployment (images are tagged with the full commit id;
 * an image pinned by digest, as a promotion deploys it, is the commit whose tag ECR gives that digest).
 */
import { ECSClient } from '@aws-sdk/client-ecs';
import { createClient, type AwsSession } from '../aws/client.js';
import { errorMessage } from '../errors.js';
import { ecrRegistry } from '../ecr/host.js';
import { ecrClientIn, lookupEcrImage } from '../ecr/lookup.js';
import type { AwsInputs } from '../aws/inputs.js';
import { openSession } from '../aws/session.js';
import { describeServicesAcross } from '../ecs/services.js';
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
  return deployedCommits(session, services, log);
}

/** What each of `services` runs now, read with the session's credentials. */
async function deployedCommits(session: AwsSession, services: readonly ServiceSpec[], log: (line: string) => void): Promise<Map<string, Deployed>> {
  const ecs = createClient(ECSClient, session);
  const running = await describeServicesAcross(
    ecs,
    services.map((service) => ({ key: service.name, cluster: service.ecs.cluster, service: service.ecs.service })),
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
      const commit = await commitOf(session, image);
      if ('reason' in commit) return result.set(service.name, { reason: `it runs ${image}, ${commit.reason}` });
      log(`${service.name}: ${where} runs ${image} (${shortTaskDefinition(arn)}${commit.from === 'digest' ? `, the digest ECR tags ${commit.sha}` : ''}).`);
      return result.set(service.name, { sha: commit.sha, image, taskDefinition: arn });
    }),
  );
  return result;
}

/** The commit an image was built from: its tag, or for an image pinned by digest, the commit tag ECR gives that digest. */
async function commitOf(session: AwsSession, image: string): Promise<{ sha: string; from: 'tag' | 'digest' } | { reason: string }> {
  const { registry, repository, tag, digest } = parseImageRef(image);
  if (tag && FULL_SHA.test(tag.toLowerCase())) return { sha: tag.toLowerCase(), from: 'tag' };
  const noCommit = `whose ${tag ? `tag "${tag}"` : 'reference (no tag)'} is not a commit id`;
  const ecr = digest && registry ? ecrRegistry(registry) : undefined;
  if (!digest || !ecr) return { reason: noCommit };
  try {
    const found = await lookupEcrImage(ecrClientIn(session, ecr.region), { ...ecr, repository }, { digest });
    const commits = (found?.imageTags ?? []).filter((candidate) => FULL_SHA.test(candidate.toLowerCase())).sort();
    if (commits.length) return { sha: commits[0]!.toLowerCase(), from: 'digest' };
    return { reason: `${noCommit}, and ECR ${found ? 'gives its digest no commit tag' : 'does not have its digest'} in ${repository}` };
  } catch (error) {
    return { reason: `${noCommit}, and the tags of its digest could not be read from ECR (${errorMessage(error)})` };
  }
}
