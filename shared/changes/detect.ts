/**
 * Changed-service detection, shared by the changes action and `npm run plan`: choose the base,
 * list the changed paths with local git (fetching missing history when allowed), and decide for
 * every service whether it changed and why.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { UserError, type FileProblem } from '../errors.js';
import { findService, loadManifest } from '../manifest/load.js';
import type { Manifest, ServiceSpec } from '../manifest/types.js';
import type { BaseChoice, EventInfo } from './base.js';
import { checkAgainstRepository } from './checks.js';
import type { Deployed } from './deployed.js';
import { FULL_SHA, Git, short } from './git.js';
import { findMergeBase, resolveRef } from './history.js';
import { isChange, matchServices, serviceMatcher, type Cause } from './match.js';
import type { PathMatcher } from './patterns.js';
import { MissingHead, startDetection, type Started } from './start.js';
import { readWorkspaces, type Workspaces } from './workspaces.js';

export interface DetectRequest {
  /** Where to work: the repository root or a directory inside it. */
  directory: string;
  /** The manifest's path, relative to `directory` or absolute. */
  manifest: string;
  /** The commit to compare; default HEAD. */
  head?: string;
  base?: string;
  services?: string[];
  since: 'event' | 'last-deployed';
  event: EventInfo;
  defaultBranch: string;
  /** May missing history be fetched from the remote? */
  fetch: boolean;
  /** When no base can be found: treat every service as changed (CI) or fail (a person asked). */
  missingBase: 'all' | 'error';
  log: (line: string) => void;
  /** Reads the commit every service runs now; needed for since: last-deployed. */
  lookupDeployed?: (manifest: Manifest, services: readonly ServiceSpec[]) => Promise<Map<string, Deployed>>;
}

export interface ServiceChange {
  service: ServiceSpec;
  changed: boolean;
  cause: Cause;
  /** The commit this service was compared with, when it was compared. */
  base?: string;
}

export interface ChangePlan {
  manifest: Manifest;
  event: string;
  choice: BaseChoice;
  /** The commit every service was compared with ('' when there was none, or one per service). */
  base: string;
  /** How the base was found, in words. */
  baseNote: string;
  head: string;
  /** Number of changed paths (summed over the bases compared). */
  changedPaths: number;
  services: ServiceChange[];
  /** Manifest lines that deserve a warning annotation. */
  manifestWarnings: FileProblem[];
  /** Warnings without a line: a base that could not be found, unreadable package.json files. */
  warnings: string[];
}

type Compared = { base: string; note: string; paths: string[] } | { missing: string };

/** `started` is the git work begun by startDetection(request), when the caller began it early. */
export async function detectChanges(request: DetectRequest, started: Started = startDetection(request)): Promise<ChangePlan> {
  const directory = resolve(request.directory);
  const root = existsSync(join(directory, '.git')) ? directory : await topLevel(directory);
  const git = new Git(root);
  const { choice } = started;
  const head = started.head.catch((error: unknown) => {
    throw error instanceof MissingHead
      ? new UserError(error.message, 'Set "head" to a branch, tag or commit id that exists in the clone (default: the commit that triggered the run).')
      : error;
  });
  const manifestPath = isAbsolute(request.manifest) ? request.manifest : join(directory, request.manifest);
  const manifest = loadManifest(manifestPath, root);
  const workspaces = readWorkspaces(root, git);
  for (const pending of [head, manifest, workspaces]) pending.catch(() => undefined);

  const plan: ChangePlan = {
    manifest: await manifest,
    event: request.event.name,
    choice,
    base: '',
    baseNote: choice.why,
    head: await head,
    changedPaths: 0,
    services: [],
    manifestWarnings: [],
    warnings: [],
  };
  const spaces = await workspaces;
  const matcher = serviceMatcher(plan.manifest);
  plan.manifestWarnings = await checkAgainstRepository(plan.manifest, manifestPath, root, git, spaces, matcher);
  for (const skipped of spaces?.skipped ?? []) plan.warnings.push(`Workspace package skipped: ${skipped}.`);
  const all = plan.manifest.services;
  const forced = (why: string) => all.map((service): ServiceChange => ({ service, changed: true, cause: { kind: 'forced', why } }));

  switch (choice.kind) {
    case 'all':
      plan.services = forced(choice.why);
      break;
    case 'named': {
      const named = new Set(choice.names.map((name) => findService(plan.manifest, name).name));
      plan.services = all.map((service) =>
        named.has(service.name)
          ? { service, changed: true, cause: { kind: 'forced', why: choice.why } }
          : { service, changed: false, cause: { kind: 'unchanged', why: 'not named in the services input' } },
      );
      break;
    }
    case 'commit':
    case 'default-branch': {
      const compared = await compareWithBase(git, choice, plan.head, started.quick, request);
      if ('missing' in compared) {
        plan.baseNote = compared.missing;
        plan.services = forced(compared.missing);
        plan.warnings.push(`Every service counts as changed: ${compared.missing}.`);
        break;
      }
      Object.assign(plan, { base: compared.base, baseNote: compared.note, changedPaths: compared.paths.length });
      const causes = matchServices(plan.manifest, all, compared.paths, spaces, matcher);
      plan.services = all.map((service) => ({ service, changed: isChange(causes.get(service.name)!), cause: causes.get(service.name)!, base: compared.base }));
      break;
    }
    case 'last-deployed':
      await sinceDeployed(git, plan, spaces, matcher, request);
      break;
  }
  return plan;
}

async function topLevel(directory: string): Promise<string> {
  if (!existsSync(directory)) throw new UserError(`The directory ${directory} does not exist.`, 'Set "working-directory" to the repository\'s checkout (by default the workspace).');
  const top = await new Git(directory).topLevel();
  if (!top) {
    throw new UserError(
      `${directory} is not inside a git repository, so there is nothing to compare.`,
      'Check out the repository before this step (actions/checkout), or set "working-directory" to where it is checked out.',
    );
  }
  return top;
}

async function compareWithBase(
  git: Git,
  choice: Extract<BaseChoice, { kind: 'commit' | 'default-branch' }>,
  head: string,
  started: Started['quick'],
  request: DetectRequest,
): Promise<Compared> {
  const options = { fetch: request.fetch, log: request.log };
  const quick = await started;
  if (quick?.paths) return { base: quick.mergeBase, note: choice.why, paths: quick.paths };

  const ref = choice.kind === 'commit' ? choice.ref : choice.branch;
  const base = FULL_SHA.test(ref) ? ref : await resolveRef(git, ref, { ...options, preferRemote: choice.kind === 'default-branch' });
  if (!base) return missing(request, choice.kind === 'commit' ? `the base "${ref}" is not a branch, tag or commit of this repository` : `the default branch "${ref}" cannot be found`);
  const found = quick ? { sha: quick.mergeBase } : await findMergeBase(git, base, head, options);
  if ('reason' in found) return missing(request, found.reason);
  const note =
    found.sha === base
      ? choice.why
      : choice.kind === 'commit' && request.event.name === 'push' && !request.base
        ? `the push replaced history (force push): ${short(base)} is not an ancestor of ${short(head)}, so their merge-base`
        : `${choice.why}: merge-base of ${short(base)} and ${short(head)}`;
  return { base: found.sha, note, paths: await git.changedPaths(found.sha, head) };
}

function missing(request: DetectRequest, reason: string): Compared {
  if (request.missingBase === 'error') throw new UserError(`Cannot compare: ${reason}.`, 'Give a base that exists in this clone (a branch, tag or commit id), or fetch more history (git fetch --unshallow).');
  return { missing: reason };
}

async function sinceDeployed(git: Git, plan: ChangePlan, workspaces: Workspaces | undefined, matcher: PathMatcher, request: DetectRequest): Promise<void> {
  if (!request.lookupDeployed) throw new Error('since: last-deployed needs a way to read the deployed images');
  const services = plan.manifest.services;
  const deployed = await request.lookupDeployed(plan.manifest, services);
  const byBase = new Map<string, ServiceSpec[]>();
  const results = new Map<string, ServiceChange>();
  const options = { fetch: request.fetch, log: request.log };
  for (const service of services) {
    const running = deployed.get(service.name);
    if (!running || 'reason' in running) {
      results.set(service.name, { service, changed: true, cause: { kind: 'forced', why: running?.reason ?? 'its deployed image is unknown' } });
      continue;
    }
    byBase.set(running.sha, [...(byBase.get(running.sha) ?? []), service]);
  }
  for (const [sha, members] of byBase) {
    const found = await findMergeBase(git, sha, plan.head, options);
    if ('reason' in found) {
      const why = `the deployed commit ${short(sha)} is not in this repository's history (${found.reason})`;
      for (const service of members) results.set(service.name, { service, changed: true, cause: { kind: 'forced', why } });
      continue;
    }
    const paths = await git.changedPaths(found.sha, plan.head);
    plan.changedPaths += paths.length;
    const causes = matchServices(plan.manifest, members, paths, workspaces, matcher);
    for (const service of members) {
      const cause = causes.get(service.name)!;
      const unchanged = { kind: 'unchanged' as const, why: `nothing it uses changed since the deployed commit ${short(sha)}` };
      results.set(service.name, { service, changed: isChange(cause), cause: isChange(cause) ? cause : unchanged, base: found.sha });
    }
  }
  const bases = new Set([...results.values()].map((result) => result.base));
  plan.base = bases.size === 1 ? ([...bases][0] ?? '') : '';
  plan.baseNote = 'per service, the commit its ECS service runs now';
  plan.services = services.map((service) => results.get(service.name)!);
}
