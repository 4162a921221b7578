/**
 * `rollback-to`: which earlier release to put back, found before anything changes. An image tag
 * (or git SHA) maps to the newest registered revision that runs it, or else to a new revision of the
 * live task definition with that image, once ECR confirms it has that tag.
 */
import { ListTaskDefinitionsCommand, type ECSClient, type TaskDefinition } from '@aws-sdk/client-ecs';
import type { AwsSession } from '../aws/client.js';
import { UserError } from '../errors.js';
import { describeTaskDefinition, renderTaskDefinition, type LoadedTaskDefinition } from '../ecs/task-definitions.js';
import { lastSuccessfulTaskDefinition } from './last-good.js';
import { parseImageRef, withTag } from '../images.js';
import type { Release, RollbackTo } from './types.js';
import { shortTaskDefinition } from '../ecs/arn.js';
import { containerImage, containerNames } from '../ecs/containers.js';
import { requireImageInEcr } from '../ecr/require-image.js';

/** The release to put back, and the image of the main container it runs. */
export interface RollbackRelease {
  release: Release;
  image: string;
  /** Set when the release is of another family than the live one, which only `allow-other-family` permits. */
  otherFamily?: { live: string; target: string };
}

export interface RollbackContext {
  ecs: ECSClient;
  cluster: string;
  service: string;
  live: LoadedTaskDefinition;
  /** The container whose image identifies a release. */
  container: string;
  /** For the ECR check of an image tag no revision runs. */
  session: AwsSession;
  /** The `allow-other-family` input: a revision of another family may be put back. */
  allowOtherFamily: boolean;
  warn: (message: string) => void;
  /** A CodeDeploy service: ECS keeps no deployment history for it, so `previous` cannot be found. */
  codeDeploy?: boolean;
}

/** How many of a family's newest revisions an image-tag search reads. */
const REVISIONS_SEARCHED = 50;

export async function resolveRollbackTo(rollbackTo: RollbackTo, context: RollbackContext): Promise<RollbackRelease> {
  const liveArn = context.live.taskDefinition.taskDefinitionArn!;
  const family = context.live.taskDefinition.family!;
  switch (rollbackTo.kind) {
    case 'previous': {
      if (context.codeDeploy) {
        throw new UserError(
          `Input "rollback-to" is previous, but ECS service "${context.service}" is deployed by CodeDeploy, whose history does not say which task definition each deployment ran.`,
          `Name the release instead: a revision number, a task-definition ARN or an image tag. Newest revisions of ${family}: ${await recentRevisions(context)}.`,
        );
      }
      const last = await lastSuccessfulTaskDefinition(context.ecs, context.cluster, context.service, [liveArn]);
      if (last.taskDefinitionArn === undefined) {
        throw new UserError(
          `There is no previous release of ${context.service} to roll back to: ${last.why.replace(/\.$/, '')}.`,
          `Name the release instead: "rollback-to" accepts a revision number, a task-definition ARN or an image tag. Newest revisions of ${family}: ${await recentRevisions(context)}.`,
        );
      }
      return existing(context, last.taskDefinitionArn, `the last revision that ran successfully${last.finishedAt ? ` (deployed ${last.finishedAt.toISOString()})` : ''}`);
    }
    case 'revision':
      return existing(context, `${family}:${rollbackTo.revision}`, `revision ${rollbackTo.revision} of ${family}`);
    case 'task-definition':
      checkReference(rollbackTo.reference, context);
      return existing(context, rollbackTo.reference, rollbackTo.reference);
    case 'image-tag':
      return byImageTag(rollbackTo.tag, context);
  }
}

/**
 * A task-definition ARN must be in the service's own account and region, and (unless
 * `allow-other-family` says otherwise) of its own family: checked before anything is read.
 */
function checkReference(reference: string, context: RollbackContext): void {
  const live = arnParts(context.live.taskDefinition.taskDefinitionArn!);
  const given = arnParts(reference);
  if (given && live && (given.account !== live.account || given.region !== live.region)) {
    throw new UserError(
      `Input "rollback-to" is a task definition of account ${given.account} in ${given.region}, but ECS service "${context.service}" runs in account ${live.account} in ${live.region}.`,
      `A rollback puts back an earlier revision of the service's own task definition, ${live.family}, in its own account and region: give a revision number (rollback-to: 12), ${live.family}:<revision>, previous, or an image tag.`,
    );
  }
  checkFamily(reference.replace(/^.*task-definition\//, '').replace(/:\d+$/, ''), reference, context);
}

function arnParts(arn: string): { region: string; account: string; family: string } | undefined {
  const match = /^arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\d{12}):task-definition\/([A-Za-z0-9_-]+)(?::\d+)?$/.exec(arn);
  return match ? { region: match[1]!, account: match[2]!, family: match[3]! } : undefined;
}

function checkFamily(family: string, shown: string, context: RollbackContext): void {
  const live = context.live.taskDefinition.family!;
  if (family === live || context.allowOtherFamily) return;
  throw new UserError(
    `Input "rollback-to" is "${shown}", a revision of task-definition family "${family}", but ECS service "${context.service}" runs family "${live}": that would put another application on it.`,
    `Roll back to an earlier revision of ${live}: a revision number (rollback-to: 12), ${live}:<revision>, previous, or an image tag. ` + 'To move the service to another family on purpose, set "allow-other-family: true".',
  );
}

async function existing(context: RollbackContext, reference: string, note: string): Promise<RollbackRelease> {
  let loaded: LoadedTaskDefinition;
  try {
    loaded = await describeTaskDefinition(context.ecs, reference);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    throw new UserError(
      `Input "rollback-to" names ${shortTaskDefinition(reference)}, which does not exist in this account and region (${error.message.replace(/\.$/, '')}).`,
      `Newest revisions of ${context.live.taskDefinition.family}: ${await recentRevisions(context)}. Give one of them, previous, or an image tag.`,
    );
  }
  const definition = loaded.taskDefinition;
  const liveFamily = context.live.taskDefinition.family!;
  checkFamily(definition.family!, shortTaskDefinition(definition.taskDefinitionArn!), context);
  if (!containerNames(definition).includes(context.container)) {
    throw new UserError(
      `${shortTaskDefinition(definition.taskDefinitionArn!)} (from "rollback-to") has no container "${context.container}", the container ECS service "${context.service}" runs; its containers: ${containerNames(definition).join(', ')}.`,
      'Roll back to a revision that runs the service\'s container, or fix ecs.container in the manifest (or the "container" input).',
    );
  }
  const image = containerImage(definition, context.container) ?? '';
  const otherFamily = definition.family === liveFamily ? undefined : { live: liveFamily, target: definition.family! };
  if (definition.status === 'INACTIVE') {
    // ECS refuses to deploy a deregistered revision; registering its content again is the same release.
    return { release: { kind: 'register', input: renderTaskDefinition(loaded, {}), note: `${note}, registered again because it was deregistered` }, image, otherFamily };
  }
  return { release: { kind: 'existing', arn: definition.taskDefinitionArn!, definition, note }, image, otherFamily };
}

async function byImageTag(tag: string, context: RollbackContext): Promise<RollbackRelease> {
  const liveImage = containerImage(context.live.taskDefinition, context.container);
  if (!liveImage) throw new UserError(`Container "${context.container}" of ${shortTaskDefinition(context.live.taskDefinition.taskDefinitionArn!)} has no image.`, 'Check the container name.');
  const shortSha = /^[0-9a-f]{7,39}$/.test(tag);
  const matches = (image: string | undefined) => {
    const ref = image ? parseImageRef(image) : undefined;
    if (ref?.tag === undefined) return false;
    return ref.tag === tag || (shortSha && /^[0-9a-f]{40}$/.test(ref.tag) && ref.tag.startsWith(tag));
  };
  const found = await newestRevisionWith(context, matches);
  if (found) {
    const release: Release = { kind: 'existing', arn: found.taskDefinitionArn!, definition: found, note: `the newest revision running image ${tag}` };
    return { release, image: containerImage(found, context.container) ?? '' };
  }
  if (shortSha) {
    throw new UserError(
      `No revision of ${context.live.taskDefinition.family} (newest ${REVISIONS_SEARCHED} searched) runs an image tagged with the short SHA "${tag}", so the full tag is unknown.`,
      `Give the full 40-character SHA to deploy that build's image as a new revision. Newest revisions: ${await recentRevisions(context)}.`,
    );
  }
  const image = withTag(liveImage, tag);
  await requireImageInEcr(
    context.session,
    image,
    {
      origin: `"rollback-to", which no registered revision of ${context.live.taskDefinition.family} runs (newest ${REVISIONS_SEARCHED} searched)`,
      before: 'registering a revision with it',
      whatToDo: async () => `Check the tag: "rollback-to" takes a tag that was pushed (a full git SHA, or another tag), a revision number or "previous". Newest revisions: ${await recentRevisions(context)}.`,
    },
    context.warn,
  );
  const release: Release = {
    kind: 'register',
    input: renderTaskDefinition(context.live, { images: { [context.container]: image } }),
    note: `no registered revision runs tag ${tag} (newest ${REVISIONS_SEARCHED} searched), so it is a new revision of ${shortTaskDefinition(context.live.taskDefinition.taskDefinitionArn!)} with ${image}`,
  };
  return { release, image };
}

/** Walks the family's ACTIVE revisions, newest first, reading five at a time. */
async function newestRevisionWith(context: RollbackContext, matches: (image: string | undefined) => boolean): Promise<TaskDefinition | undefined> {
  const arns = await familyRevisions(context, REVISIONS_SEARCHED);
  for (let start = 0; start < arns.length; start += 5) {
    const batch = await Promise.all(arns.slice(start, start + 5).map((arn) => describeTaskDefinition(context.ecs, arn)));
    const hit = batch.find((loaded) => matches(containerImage(loaded.taskDefinition, context.container)));
    if (hit) return hit.taskDefinition;
  }
  return undefined;
}

async function familyRevisions(context: RollbackContext, limit: number): Promise<string[]> {
  const family = context.live.taskDefinition.family!;
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await context.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: 100, nextToken }));
    // familyPrefix also matches longer families (shop-api-worker for shop-api).
    arns.push(...(page.taskDefinitionArns ?? []).filter((arn) => shortTaskDefinition(arn).replace(/:\d+$/, '') === family));
    nextToken = page.nextToken;
  } while (nextToken && arns.length < limit);
  return arns.slice(0, limit);
}

/** `42 (…:abc1234), 41 (…:9f8e7d6)` for hints. */
async function recentRevisions(context: RollbackContext): Promise<string> {
  try {
    const arns = await familyRevisions(context, 5);
    const loaded = await Promise.all(arns.map((arn) => describeTaskDefinition(context.ecs, arn)));
    const listed = loaded.map(({ taskDefinition }) => {
      const image = containerImage(taskDefinition, context.container);
      return `${taskDefinition.revision} (${image ? (parseImageRef(image).tag ?? image) : 'no image'})`;
    });
    return listed.length ? listed.join(', ') : 'none';
  } catch {
    return 'could not be listed';
  }
}
