/**
 * Changed-service detection, shared by the changes action and `npm run plan`: choose the base,
 * list the changed paths with local git (fetching missing commits when allowed), read the manifest
 * and the workspaces from the head commit, and decide for every service whether it changed and why.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError, type FileProblem } from '../errors.js';
import { forEnvironment } from '../manifest/environments.js';
import { parseManifest } from '../manifest/load.js';
import { closest } from '../suggest.js';
import type { Manifest, ServiceSpec } from '../manifest/types.js';
import type { BaseChoice, EventInfo } from './base.js';
import { checkAgainstRepository } from './checks.js';
import { changedDefinitions } from './definitions.js';
import type { Deployed } from './deployed.js';
import { FULL_SHA, Git, short } from './git.js';
import { Fetcher, ensureCommit, findMergeBase, resolveRef } from './history.js';
import { ROOT_LOCKFILES, isChange, matchServices, resolvePackages, serviceMatcher, type Cause, type LockfileChange, type OtherChanges, type ServicePackages } from './match.js';
import { GitObjects, Snapshot } from './objects.js';
import type { PathMatcher } from './patterns.js';
import { MissingHead, startDetection, type Started } from './start.js';
import { readWorkspaces, type Workspaces } from './workspaces.js';

/** How the caller names each setting in messages: an action input, or a command-line option. */
interface SettingNames {
  manifest: string;
  services: string;
  base: string;
  head: string;
  directory: string;
  environment: string;
}

const INPUT_NAMES: SettingNames = {
  manifest: 'input "manifest"',
  services: 'input "services"',
  base: 'input "base"',
  head: 'input "head"',
  directory: 'input "working-directory"',
  environment: 'input "manifest-environment"',
};

export interface DetectRequest {
  /** Where to work: the repository root or a directory inside it. */
  directory: string;
  /** The manifest's path, relative to `directory` or absolute; it must be inside the repository. */
  manifest: string;
  /** The commit to compare; default HEAD. */
  head?: string;
  base?: string;
  services?: string[];
  since: 'event' | 'last-deployed';
  /**
   * The manifest environment the services are read in: its clusters, ECS services and role for
   * since: last-deployed, and its values in the plan's manifest. Empty: the top-level values.
   */
  environment?: string;
  event: EventInfo;
  defaultBranch: string;
  /** May missing history be fetched from the remote? */
  fetch: boolean;
  /** When no base can be found: treat every service as changed (CI) or fail (a person asked). */
  missingBase: 'all' | 'error';
  log: (line: string) => void;
  /** Reads the commit every service runs now; needed for since: last-deployed. `manifest` is resolved for the environment. */
  lookupDeployed?: (manifest: Manifest, services: readonly ServiceSpec[]) => Promise<Map<string, Deployed>>;
  /** Default: the changes action's input names. */
  names?: SettingNames;
}

export interface ServiceChange {
  service: ServiceSpec;
  changed: boolean;
  cause: Cause;
  /** The commit this service was compared with, when it was compared. */
  base?: string;
}

export interface ChangePlan {
  /** Resolved for the request's environment, when one was given (the services' ECS names are that environment's). */
  manifest: Manifest;
  /** The manifest as its file says, before any environment's values. */
  fileManifest: Manifest;
  /** The repository's root directory. */
  root: string;
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

type Compared = { base: string; note: string; paths: string[] } | { missing: string; warning?: string };

/** Everything a comparison needs that does not depend on the base. */
interface Context {
  request: DetectRequest;
  names: SettingNames;
  git: Git;
  fetcher: Fetcher;
  objects: GitObjects;
  manifestPath: string;
  plan: ChangePlan;
  workspaces: Workspaces | undefined;
  matcher: PathMatcher;
  packages: Map<string, ServicePackages>;
}

/** `started` is the git work begun by startDetection(request), when the caller began it early. */
export async function detectChanges(request: DetectRequest, started: Started = startDetection(request)): Promise<ChangePlan> {
  const names = request.names ?? INPUT_NAMES;
  const directory = resolve(request.directory);
  const root = started.root ?? (await topLevel(directory, names));
  const objects = started.objects ?? new GitObjects(root);
  try {
    return await detect(request, started, root, objects, names);
  } finally {
    objects.close();
  }
}

async function detect(request: DetectRequest, started: Started, root: string, objects: GitObjects, names: SettingNames): Promise<ChangePlan> {
  const git = new Git(root);
  const fetcher = new Fetcher(git, { fetch: request.fetch, log: request.log });
  const { choice } = started;
  const manifestPath = repositoryPath(root, resolve(request.directory), request.manifest, names);
  const head = await started.head.catch((error: unknown) => {
    throw error instanceof MissingHead
      ? new UserError(`${capital(names.head)} is "${error.ref}", which is not a commit in this repository.`, `Set ${names.head} to a branch, tag or commit id that exists in the clone (default: the commit that triggered the run).`)
      : error;
  });
  const early = started.files?.commit === head && started.manifestPath === manifestPath ? started.files : new Snapshot(objects, head);
  const { text: manifestText, files } = await readManifest(early, manifestPath, request, names, fetcher);
  const workspaces = readWorkspaces(files, git);
  workspaces.catch(() => undefined);

  const parsed = await parseManifest(manifestText, manifestPath);
  // An unknown environment is refused before any comparison or AWS call.
  const resolved = forEnvironment(parsed, request.environment, capital(names.environment));
  const plan: ChangePlan = {
    manifest: parsed,
    fileManifest: parsed,
    root,
    event: request.event.name,
    choice,
    base: '',
    baseNote: choice.why,
    head,
    changedPaths: 0,
    services: [],
    manifestWarnings: [],
    warnings: [],
  };
  const spaces = await workspaces;
  const matcher = serviceMatcher(plan.manifest);
  const { packages, notices } = resolvePackages(plan.manifest, spaces, matcher);
  plan.manifestWarnings = await checkAgainstRepository(plan.manifest, manifestText, files, git, spaces, matcher, notices);
  for (const skipped of spaces?.skipped ?? []) plan.warnings.push(`Workspace package skipped: ${skipped}.`);
  const context: Context = { request, names, git, fetcher, objects, manifestPath, plan, workspaces: spaces, matcher, packages };
  const all = plan.manifest.services;
  const forced = (why: string) => all.map((service): ServiceChange => ({ service, changed: true, cause: { kind: 'forced', why } }));

  switch (choice.kind) {
    case 'all':
      plan.services = forced(choice.why);
      break;
    case 'named': {
      const named = new Set(choice.names.map((name) => namedService(plan.manifest, name, names)));
      plan.services = all.map((service) =>
        named.has(service.name) ? { service, changed: true, cause: { kind: 'forced', why: choice.why } } : { service, changed: false, cause: { kind: 'unchanged', why: 'not named in the services input' } },
      );
      break;
    }
    case 'commit':
    case 'default-branch': {
      const compared = await compareWithBase(context, choice, started.quick);
      if ('missing' in compared) {
        plan.baseNote = compared.missing;
        plan.services = forced(compared.missing);
        plan.warnings.push(compared.warning ?? `Every service counts as changed: ${compared.missing}.`);
        break;
      }
      Object.assign(plan, { base: compared.base, baseNote: compared.note, changedPaths: compared.paths.length });
      const causes = await assess(context, compared.base, compared.paths, all);
      plan.services = all.map((service) => ({ service, changed: isChange(causes.get(service.name)!), cause: causes.get(service.name)!, base: compared.base }));
      break;
    }
    case 'last-deployed':
      await sinceDeployed(context, resolved);
      break;
  }
  if (resolved !== parsed) {
    const byName = new Map(resolved.services.map((service) => [service.name, service]));
    plan.manifest = resolved;
    plan.services = plan.services.map((change) => ({ ...change, service: byName.get(change.service.name)! }));
  }
  return plan;
}

/** The manifest's path relative to the repository root; a path outside it is refused before anything is read. */
function repositoryPath(root: string, directory: string, manifest: string, names: SettingNames): string {
  const path = relative(root, resolve(directory, manifest)).split(sep).join('/');
  if (path === '' || path === '..' || path.startsWith('../') || isAbsolute(path)) {
    throw new UserError(
      `${capital(names.manifest)} is "${manifest}", which is outside the repository (${root}); the services manifest is read from the commit being compared, so it must be a file of the repository.`,
      `Set ${names.manifest} to the manifest's path inside the repository, relative to ${names.directory} (default: .github/services.yml).`,
    );
  }
  return path;
}

/** The manifest's text at the head commit, and the commit's files (the commit fetched first when the clone lacks it). */
async function readManifest(files: Snapshot, path: string, request: DetectRequest, names: SettingNames, fetcher: Fetcher): Promise<{ text: string; files: Snapshot }> {
  let found = await files.read(path);
  if (found.kind === 'missing' && !(await fetcher.git.hasCommit(files.commit))) {
    if (!(await ensureCommit(fetcher, files.commit, 'the head commit'))) {
      throw new UserError(
        `The head commit ${files.commit} is not in the clone${request.fetch ? ` and could not be fetched${await fetcher.trouble()}` : ''}.`,
        `Check out the commit to compare before this step (actions/checkout), or set ${names.head} to a commit of this clone.`,
      );
    }
    // What was read before the fetch said "missing": read again.
    files = new Snapshot(files.objects, files.commit);
    found = await files.read(path);
  }
  const where = `${capital(names.manifest)} is "${request.manifest}", but in the head commit ${short(files.commit)}`;
  const fix = `Check out the repository before this step (actions/checkout), or set ${names.manifest} to the path of the services manifest, relative to ${names.directory}.`;
  switch (found.kind) {
    case 'blob':
      return { text: found.data.toString('utf8'), files };
    case 'missing':
      throw new UserError(`${where} there is no file ${path}.`, `${fix} The manifest is read from the commit being compared: commit it first.`);
    case 'tree':
      throw new UserError(`${where} ${path} is a directory, not the manifest file.`, fix);
    case 'outside':
      throw new UserError(`${where} ${path} is a symbolic link to a file outside the repository, which is not read.`, fix);
    default:
      throw new UserError(`${where} ${path} is a symbolic link that leads nowhere.`, fix);
  }
}

/** A service named in the services setting, or an error naming the setting and the services there are. */
function namedService(manifest: Manifest, name: string, names: SettingNames): string {
  const all = manifest.services.map((service) => service.name);
  if (all.includes(name)) return name;
  const guess = closest(name, all);
  throw new UserError(
    `${capital(names.services)} names "${name}", which is not a service in ${manifest.file}.${guess ? ` Did you mean "${guess}"?` : ''}`,
    `Services in the manifest: ${all.join(', ')}. Set ${names.services} to some of them, or to "all".`,
  );
}

async function topLevel(directory: string, names: SettingNames): Promise<string> {
  if (!existsSync(directory)) throw new UserError(`${capital(names.directory)} is ${directory}, which does not exist.`, `Set ${names.directory} to the repository's checkout (by default the workspace).`);
  const top = await new Git(directory).topLevel();
  if (!top) {
    throw new UserError(
      `${capital(names.directory)} is ${directory}, which is not inside a git repository, so there is nothing to compare.`,
      `Check out the repository before this step (actions/checkout), or set ${names.directory} to where it is checked out.`,
    );
  }
  return top;
}

async function compareWithBase(context: Context, choice: Extract<BaseChoice, { kind: 'commit' | 'default-branch' }>, started: Started['quick']): Promise<Compared> {
  const { git, fetcher, request, plan, names } = context;
  const head = plan.head;
  const quick = await started;
  if (quick?.paths) return { base: quick.base, note: choice.why, paths: quick.paths };
  if (choice.kind === 'commit' && choice.direct && FULL_SHA.test(choice.ref)) return compareDirectly(context, choice);

  const ref = choice.kind === 'commit' ? choice.ref : choice.branch;
  const base = FULL_SHA.test(ref) ? ref : await resolveRef(fetcher, ref, { preferRemote: choice.kind === 'default-branch' });
  if (!base) {
    if (request.base) {
      throw new UserError(
        `${capital(names.base)} is "${ref}", which is not a branch, tag or commit of this repository${(await fetcher.remote()) ? ' (nor of its remote)' : ''}${await fetcher.trouble()}.`,
        `Set ${names.base} to a branch, tag or commit id that exists, or leave it empty to compare with what the event gives.`,
      );
    }
    return missing(request, choice.kind === 'commit' ? `the base "${ref}" is not a branch, tag or commit of this repository` : `the default branch "${ref}" cannot be found`);
  }
  const found = quick ? { sha: quick.base } : await findMergeBase(fetcher, base, head);
  if ('reason' in found) return missing(request, found.reason);
  const note = found.sha === base ? choice.why : `${choice.why}: merge-base of ${short(base)} and ${short(head)}`;
  return { base: found.sha, note, paths: await git.changedPaths(found.sha, head) };
}

/**
 * A push: what ran before against what is pushed now, tree against tree, even when the push
 * replaced history. `before` is fetched by id when the clone lacks it; when it cannot be had, a
 * branch falls back to its merge-base with the default branch and the default branch to every
 * service, each with a warning.
 */
async function compareDirectly(context: Context, choice: Extract<BaseChoice, { kind: 'commit' }>): Promise<Compared> {
  const { git, fetcher, request, plan } = context;
  const { head } = plan;
  const before = choice.ref;
  if (!(await ensureCommit(fetcher, head, 'the head commit'))) return missing(request, `the head commit ${short(head)} is not in the clone${await fetcher.trouble()}`);
  if (await ensureCommit(fetcher, before, 'the commit before the push', choice.forced ? undefined : head)) {
    return { base: before, note: choice.why, paths: await git.changedPaths(before, head) };
  }
  const lost = `the commit before the push, ${before}, is not in the clone and cannot be fetched${await fetcher.trouble()}`;
  const advice = 'Set "since: last-deployed" to compare each service with the commit its ECS service runs.';
  const ref = request.event.ref ?? '';
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
  if (branch && branch !== request.defaultBranch) {
    const target = await resolveRef(fetcher, request.defaultBranch, { preferRemote: true });
    const found = target ? await findMergeBase(fetcher, target, head) : undefined;
    if (found && 'sha' in found) {
      plan.warnings.push(
        `Compared ${short(head)} with its merge-base with ${request.defaultBranch} (${short(found.sha)}), not with what was deployed from ${branch}: ${lost}. ` +
          `A service changed only by commits the push replaced is not marked. ${advice}`,
      );
      return { base: found.sha, note: `the merge-base with ${request.defaultBranch}, since the commit before the push cannot be had`, paths: await git.changedPaths(found.sha, head) };
    }
  }
  if (request.missingBase === 'error') return missing(request, lost);
  return { missing: lost, warning: `Every service counts as changed: ${lost}. ${advice}` };
}

function missing(request: DetectRequest, reason: string): Compared {
  if (request.missingBase === 'error') throw new UserError(`Cannot compare: ${reason}.`, 'Give a base that exists in this clone (a branch, tag or commit id), or fetch more history (git fetch --unshallow).');
  return { missing: reason };
}

/** The cause for each of `services` when `base` is compared with the head and `paths` differ. */
async function assess(context: Context, base: string, paths: string[], services: readonly ServiceSpec[]): Promise<Map<string, Cause>> {
  const { plan, objects, manifestPath, workspaces, matcher, packages } = context;
  const manifest = plan.manifest;
  const then = new Snapshot(objects, base);
  const other: OtherChanges = {};
  if (paths.includes(manifestPath)) {
    const text = await then.text(manifestPath);
    const before = text === undefined ? undefined : await parseManifest(text, manifestPath).catch((error: Error) => ({ unreadable: error.message.split('\n')[0]!.replace(/:$/, '') }));
    other.definitions = changedDefinitions(before, manifest, short(base));
    other.manifestFile = manifestPath;
  }
  let matched = paths;
  if (manifest.lockfiles === 'precise') {
    const changed = ROOT_LOCKFILES.filter((file) => paths.includes(file));
    if (changed.length) {
      matched = paths.filter((path) => !(changed as string[]).includes(path));
      // Both sides of every lockfile asked for at once: git reads them while the comparison's code loads.
      const now = new Snapshot(objects, plan.head);
      const texts = changed.map((file) => Promise.all([then.text(file), now.text(file)]));
      for (const text of texts) text.catch(() => undefined); // awaited below; a failure must not count as unhandled meanwhile
      const { lockfileChange } = await import('./lockfiles.js');
      const changes = await Promise.all(changed.map(async (file, index) => lockfileChange(file, ...(await texts[index]!), workspaces, short(base))));
      other.lockfile = combine(changes);
      if ('unreadable' in other.lockfile) plan.warnings.push(`Every service counts as changed: ${other.lockfile.file} changed and cannot be compared (${other.lockfile.unreadable}).`);
    }
  }
  return matchServices(manifest, services, matched, workspaces, matcher, packages, other);
}

/** Several lockfiles changed at once (a move from one package manager to another): the first that cannot be compared decides, else all count. */
function combine(changes: LockfileChange[]): LockfileChange {
  const unreadable = changes.find((change) => 'unreadable' in change);
  if (unreadable || changes.length === 1) return unreadable ?? changes[0]!;
  const packages = new Map<string, string[]>();
  const root: string[] = [];
  for (const change of changes as Extract<LockfileChange, { root: string[] }>[]) {
    root.push(...change.root);
    for (const [name, list] of change.packages) packages.set(name, [...(packages.get(name) ?? []), ...list]);
  }
  return { file: changes.map((change) => change.file).join(' and '), root, packages };
}

/** Each service against the commit it runs now in `resolved`'s environment (or where the top-level values say). */
async function sinceDeployed(context: Context, resolved: Manifest): Promise<void> {
  const { request, plan, git, fetcher } = context;
  if (!request.lookupDeployed) throw new Error('since: last-deployed needs a way to read the deployed images');
  const services = plan.manifest.services;
  const deployed = await request.lookupDeployed(resolved, resolved.services);
  const byBase = new Map<string, ServiceSpec[]>();
  const results = new Map<string, ServiceChange>();
  for (const service of services) {
    const running = deployed.get(service.name);
    if (!running || 'reason' in running) {
      results.set(service.name, { service, changed: true, cause: { kind: 'forced', why: running?.reason ?? 'its deployed image is unknown' } });
      continue;
    }
    byBase.set(running.sha, [...(byBase.get(running.sha) ?? []), service]);
  }
  for (const [sha, members] of byBase) {
    // What runs against what ships, tree against tree: a deployed commit a force push dropped counts too.
    if (!(await ensureCommit(fetcher, sha, 'the deployed commit', plan.head))) {
      const why = `the deployed commit ${short(sha)} is not in this repository's history and could not be fetched${await fetcher.trouble()}`;
      for (const service of members) results.set(service.name, { service, changed: true, cause: { kind: 'forced', why } });
      continue;
    }
    const paths = await git.changedPaths(sha, plan.head);
    plan.changedPaths += paths.length;
    const causes = await assess(context, sha, paths, members);
    for (const service of members) {
      const cause = causes.get(service.name)!;
      const unchanged = { kind: 'unchanged' as const, why: `nothing it uses changed since the deployed commit ${short(sha)}` };
      results.set(service.name, { service, changed: isChange(cause), cause: isChange(cause) ? cause : unchanged, base: sha });
    }
  }
  const bases = new Set([...results.values()].map((result) => result.base));
  plan.base = bases.size === 1 ? ([...bases][0] ?? '') : '';
  plan.baseNote = `per service, the commit its ECS service runs now${resolved.environment ? ` in ${resolved.environment.name}` : ''}`;
  plan.services = services.map((service) => results.get(service.name)!);
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
