/**
 * The facts one message shows, gathered from the inputs and the run, independent of any format:
 * the Slack, generic-webhook and job-summary renderers all read a Report.
 */
import { revisionOf } from '../ecs/arn.js';
import type { GitHubContext } from '../github.js';
import { parseImageRef, shortDigest } from '../images.js';
import type { CommitInfo } from './commit.js';
import type { Mention } from './mention.js';
import { oneLine } from './text.js';
import type { Outcome } from './outcome.js';
import type { BuildResult, DeployedService, NotifyInputs } from './types.js';

export type ServiceState = 'failed' | 'rolled-back' | 'deployed' | 'deploying' | 'built' | 'image-reused' | 'not-deployed' | 'changed';

export interface ServiceLine {
  name: string;
  state: ServiceState;
  /** The image tag, shortened when it is a full commit SHA; or the short digest. */
  imageTag?: string;
  image?: string;
  revision?: number;
  rolledBackToRevision?: number;
  durationSeconds?: number;
  reason?: string;
  consoleUrl?: string;
  /** A blue/green, linear, canary or CodeDeploy rollout, with the furthest stage it reached before any rollback. */
  strategy?: { name: string; reached?: string };
}

export interface MigrationLine {
  service?: string;
  status: string;
  exitCode?: number;
  durationSeconds?: number;
  reason?: string;
  consoleUrl?: string;
}

export interface Report {
  outcome: Outcome;
  /** The header without its emoji: "Deployed acme/shop to production". */
  headline: string;
  repository: { name: string; url?: string };
  environment?: string;
  branch?: { name: string; url?: string };
  commit?: { sha: string; shortSha: string; url?: string; title?: string; compareUrl?: string; pullRequest?: CommitInfo['pullRequest'] };
  actor?: { login: string; url: string };
  eventName?: string;
  services: ServiceLine[];
  migration?: MigrationLine;
  /** Why it failed or what was cancelled, one plain-text line each. */
  reasons: string[];
  /** Who to alert; only when the deployment failed or rolled back. */
  mentions?: Mention[];
  runUrl?: string;
  workflow?: string;
  runAttempt?: string;
}

export const OUTCOME_LABEL: Record<Outcome, string> = {
  started: 'started',
  succeeded: 'succeeded',
  failed: 'failed',
  'rolled-back': 'rolled back',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

/** `<registry>/<repo>:<tag>` gives the tag (a 40-character SHA shortened to 7); `repo@sha256:…` a short digest. */
export function imageTag(image: string | undefined, digest?: string): string | undefined {
  if (image) {
    const ref = parseImageRef(image);
    if (ref.tag) return shortTag(ref.tag);
    if (ref.digest) return shortDigest(ref.digest);
  }
  return digest ? shortDigest(digest) : undefined;
}

const shortTag = (tag: string): string => (/^[0-9a-f]{40}$/.test(tag) ? tag.slice(0, 7) : tag);

/**
 * The tag to show for a deployed image. A digest-pinned image (`repo@sha256:…`, build-push's
 * image-with-digest) takes its tag from the build that pushed that digest: the tag of the build's
 * image, or else one of its tags (the commit SHA first). The short digest is shown only when no
 * build tells the tag, or the build pushed a different digest.
 */
function deployedTag(image: string | undefined, build?: BuildResult): string | undefined {
  const ref = image ? parseImageRef(image) : undefined;
  if (!image || !ref?.digest || ref.tag || !build) return imageTag(image ?? build?.image, build?.digest);
  if (build.digest && build.digest !== ref.digest) return imageTag(image);
  const buildImageTag = build.image ? parseImageRef(build.image).tag : undefined;
  const tag = buildImageTag ?? build.tags.find((t) => /^[0-9a-f]{40}$/.test(t)) ?? build.tags[0];
  return tag ? shortTag(tag) : imageTag(image);
}

const DEPLOY_STATES: Record<string, ServiceState> = { deployed: 'deployed', 'rolled-back': 'rolled-back', failed: 'failed' };
const SEVERITY: ServiceState[] = ['failed', 'rolled-back', 'deploying', 'not-deployed', 'deployed', 'built', 'image-reused', 'changed'];

function deployedLine(service: DeployedService, build?: BuildResult): ServiceLine {
  return {
    name: service.service,
    state: DEPLOY_STATES[service.outcome ?? ''] ?? (service.reason ? 'failed' : 'deployed'),
    imageTag: deployedTag(service.image, build),
    image: service.image ?? build?.image,
    revision: service.revision ?? revisionOf(service.taskDefinitionArn),
    rolledBackToRevision: revisionOf(service.rolledBackTo),
    durationSeconds: service.durationSeconds,
    reason: service.reason,
    consoleUrl: service.consoleUrl,
    strategy: service.strategy && service.strategy !== 'ROLLING' ? { name: service.strategy, reached: service.stages?.filter((stage) => !stage.startsWith('rolling back')).at(-1) } : undefined,
  };
}

function undeployedState(outcome: Outcome, build?: BuildResult): ServiceState {
  if (outcome === 'started') return 'deploying';
  if (outcome === 'failed' || outcome === 'cancelled' || outcome === 'rolled-back') return 'not-deployed';
  if (build) return build.skipped ? 'image-reused' : 'built';
  return 'changed';
}

/** Every service any result mentions, once, the ones in trouble first. */
function serviceLines(inputs: Pick<NotifyInputs, 'changes' | 'builds' | 'deployment'>, outcome: Outcome): ServiceLine[] {
  const builds = new Map((inputs.builds ?? []).map((build) => [build.service, build]));
  const lines = new Map<string, ServiceLine>();
  for (const service of inputs.deployment?.services ?? []) lines.set(service.service, deployedLine(service, builds.get(service.service)));
  const others = [...builds.keys(), ...(inputs.changes?.changed ?? [])];
  for (const name of others) {
    if (lines.has(name)) continue;
    const build = builds.get(name);
    lines.set(name, {
      name,
      state: undeployedState(outcome, build),
      imageTag: imageTag(build?.image, build?.digest),
      image: build?.image,
      durationSeconds: build?.durationSeconds,
    });
  }
  return [...lines.values()].sort((a, b) => SEVERITY.indexOf(a.state) - SEVERITY.indexOf(b.state));
}

function reasons(inputs: NotifyInputs, services: ServiceLine[], migration: MigrationLine | undefined): string[] {
  const lines: string[] = [];
  for (const service of services) {
    if ((service.state === 'failed' || service.state === 'rolled-back') && service.reason) lines.push(`${service.name}: ${service.reason}`);
  }
  if (migration && migration.status !== 'succeeded' && migration.reason) {
    lines.push(`migration${migration.service ? ` (${migration.service})` : ''}: ${migration.reason}`);
  }
  const jobs = (result: string) =>
    Object.entries(inputs.needs ?? {})
      .filter(([, job]) => job.result === result)
      .map(([name]) => name);
  const failed = jobs('failure');
  const cancelled = jobs('cancelled');
  if (failed.length) lines.push(`${failed.length === 1 ? 'Job' : 'Jobs'} failed: ${failed.join(', ')}`);
  if (cancelled.length) lines.push(`${cancelled.length === 1 ? 'Job' : 'Jobs'} cancelled: ${cancelled.join(', ')}`);
  return lines;
}

function headline(outcome: Outcome, target: string, title: string | undefined): string {
  if (title) return outcome === 'started' ? title : `${title}: ${OUTCOME_LABEL[outcome]}`;
  switch (outcome) {
    case 'started':
      return `Deploying ${target}`;
    case 'succeeded':
      return `Deployed ${target}`;
    case 'failed':
      return `Deployment failed: ${target}`;
    case 'rolled-back':
      return `Rolled back: ${target}`;
    case 'cancelled':
      return `Deployment cancelled: ${target}`;
    case 'skipped':
      return `Nothing deployed: ${target}`;
  }
}

/** Apps act as `name[bot]`, whose page is /apps/name. */
function actorUrl(serverUrl: string, login: string): string {
  const app = /^(.+)\[bot\]$/.exec(login);
  return app ? `${serverUrl}/apps/${app[1]}` : `${serverUrl}/${login}`;
}

export function buildReport(inputs: NotifyInputs, outcome: Outcome, context: GitHubContext, commit: CommitInfo): Report {
  const repoUrl = context.repository ? `${context.serverUrl}/${context.repository}` : undefined;
  const repository = { name: context.repository || 'this repository', url: repoUrl };
  const branchName = commit.branch;
  // Shown in the header, which is plain text: one line, whatever the input held.
  const environment = inputs.environment ? oneLine(inputs.environment).trim() || undefined : undefined;
  const title = inputs.title ? oneLine(inputs.title).trim() || undefined : undefined;
  const target = environment ? `${repository.name} to ${environment}` : branchName ? `${repository.name} from ${branchName}` : repository.name;
  const services = serviceLines(inputs, outcome);
  const m = inputs.migration;
  const migration: MigrationLine | undefined = m ? { ...m, status: m.status ?? 'unknown' } : undefined;
  const base = inputs.changes?.base;
  const failing = outcome === 'failed' || outcome === 'rolled-back';
  return {
    outcome,
    headline: headline(outcome, oneLine(target), title),
    repository,
    environment,
    branch: branchName ? { name: branchName, url: repoUrl ? `${repoUrl}/tree/${encodeURIComponent(branchName).replace(/%2F/g, '/')}` : undefined } : undefined,
    commit: commit.sha
      ? {
          sha: commit.sha,
          shortSha: commit.sha.slice(0, 7),
          url: repoUrl ? `${repoUrl}/commit/${commit.sha}` : undefined,
          title: commit.title,
          compareUrl: repoUrl && base && base !== commit.sha ? `${repoUrl}/compare/${base}...${commit.sha}` : undefined,
          pullRequest: commit.pullRequest,
        }
      : undefined,
    actor: context.actor ? { login: context.actor, url: actorUrl(context.serverUrl, context.actor) } : undefined,
    eventName: context.eventName || undefined,
    services,
    migration,
    reasons: failing || outcome === 'cancelled' ? reasons(inputs, services, migration) : [],
    mentions: failing && inputs.mentionOnFailure?.length ? inputs.mentionOnFailure : undefined,
    runUrl: context.runUrl || undefined,
    workflow: context.workflow || undefined,
    runAttempt: context.runAttempt,
  };
}
