/**
 * Getting the commits a comparison needs into clones that may not hold them: resolves refs, fetches
 * a commit by id (GitHub serves even a commit a force push dropped, for a while), and in shallow
 * clones deepens the head's history step by step until the merge-base is known. A remote that
 * refuses us (authentication, no such repository, unreachable) is asked once, never again, and the
 * failure says what to check.
 */
import { short, type Git, type RemoteFailure } from './git.js';

export interface HistoryOptions {
  /** May the repository's remote be asked for missing commits? */
  fetch: boolean;
  log: (message: string) => void;
}

export type MergeBase = { sha: string } | { reason: string };

/** Commits of history fetched at each step while looking for the merge-base in a shallow clone. */
const FIRST_STEPS = [10, 100];
const LATER_STEPS = [1000, 10000];

/** Fetches from the repository's remote for one detection, and stops once the remote itself said no. */
export class Fetcher {
  private remoteName: Promise<string | undefined> | undefined;
  private refused: { kind: RemoteFailure; error: string } | undefined;
  private lastError = '';

  constructor(
    readonly git: Git,
    readonly options: HistoryOptions,
  ) {}

  /** The remote to fetch from, or undefined when fetching is off or there is none. */
  remote(): Promise<string | undefined> {
    return (this.remoteName ??= this.options.fetch ? this.git.remote() : Promise.resolve(undefined));
  }

  /** Whether another fetch could still bring something. */
  async usable(): Promise<boolean> {
    return !this.refused && (await this.remote()) !== undefined;
  }

  /** Fetches `refspecs`; false when git failed (or the remote already refused us). */
  async fetch(refspecs: string[], how: { depth?: number; deepen?: number }, what: string, why = ''): Promise<boolean> {
    const remote = await this.remote();
    if (!remote || this.refused) return false;
    this.options.log(`Fetching ${what} from ${remote}${why && ` (${why})`}.`);
    const result = await this.git.fetch(remote, refspecs, how);
    if (result.ok) return true;
    this.lastError = result.error;
    this.options.log(`  git fetch failed: ${result.error}`);
    if (result.remote) {
      this.refused = { kind: result.remote, error: result.error };
      this.options.log(`  No more fetches from ${remote}: its answer would be the same.`);
    }
    return false;
  }

  /**
   * What went wrong with fetching, to follow a reason: what to check when the remote refused us,
   * git's error otherwise, nothing when no fetch failed.
   */
  async trouble(): Promise<string> {
    if (this.refused) return `: ${remoteAdvice((await this.remote()) ?? 'the remote', this.refused.kind, this.refused.error)}`;
    return this.lastError ? ` (${this.lastError})` : '';
  }
}

/** What to check when the remote refused a fetch. */
function remoteAdvice(remote: string, kind: RemoteFailure, error: string): string {
  const depth = 'or give actions/checkout `fetch-depth: 0` so the history is there without fetching';
  switch (kind) {
    case 'authentication':
      return (
        `git could not authenticate to ${remote} (${error}). Check that actions/checkout ran in this job with its credentials kept ` +
        '(`persist-credentials: true`, the default) and a token that can read the repository; a run started from a private fork ' +
        `gets no credentials for it. Or ${depth.slice(3)}.`
      );
    case 'not-found':
      return (
        `${remote} answered that the repository does not exist (${error}). A private repository or fork answers a token that ` + `cannot read it this way: check the token actions/checkout uses and the remote's URL, ${depth}.`
      );
    case 'unreachable':
      return `${remote} cannot be reached (${error}). Check the runner's network access to it, ${depth}.`;
  }
}

/**
 * Makes sure the commit `sha` is in the clone: fetched by its id, or, when it is an ancestor of
 * `head` and the clone is shallow, by deepening the head's history until it appears.
 */
export async function ensureCommit(fetcher: Fetcher, sha: string, what: string, ancestorOf?: string): Promise<boolean> {
  const { git } = fetcher;
  if (await git.hasCommit(sha)) return true;
  if (!(await fetcher.usable())) return false;
  const shallow = await git.isShallow();
  if ((await fetcher.fetch([sha], shallow ? { depth: 1 } : {}, `${what} ${short(sha)}`)) && (await git.hasCommit(sha))) return true;
  if (!ancestorOf || !shallow) return false;
  for (const step of [...FIRST_STEPS, ...LATER_STEPS]) {
    if (!(await fetcher.fetch([ancestorOf], { deepen: step }, `${step} more commits of history`, 'the clone is shallow'))) return false;
    if (await git.hasCommit(sha)) return true;
    if (!(await git.isShallow())) return false;
  }
  return false;
}

/** The merge-base of `base` and `head` (both commit ids), fetching missing history when allowed. */
export async function findMergeBase(fetcher: Fetcher, base: string, head: string): Promise<MergeBase> {
  const { git, options } = fetcher;
  const first = await git.mergeBase(base, head);
  if ('sha' in first) return first;
  const explain = async () => {
    if (!(await git.hasCommit(head))) return `the head commit ${short(head)} is not in the clone`;
    if (!(await git.hasCommit(base))) return `the base commit ${short(base)} is not in the clone${options.fetch ? ' and could not be fetched' : ''}`;
    return `${short(base)} and ${short(head)} share no history${options.fetch ? ' even after fetching it' : ' in this clone'}`;
  };
  if (!options.fetch) return { reason: await explain() };
  if (!(await fetcher.remote())) return { reason: `${await explain()}, and the repository has no remote to fetch from` };

  const shallow = await git.isShallow();
  let found: { sha: string } | undefined;
  const tried = async () => {
    const attempt = await git.mergeBase(base, head);
    if ('sha' in attempt) found = attempt;
    return found !== undefined;
  };
  const wants = async () => [head, ...((await git.hasCommit(base)) ? [base] : [])];
  const search = async () => {
    if (!(await git.hasCommit(head))) {
      await fetcher.fetch([head], shallow ? { depth: 1 } : {}, `the head commit ${short(head)}`);
      if (await tried()) return;
    }
    if (shallow) {
      for (const step of FIRST_STEPS) {
        if (!(await fetcher.usable())) return;
        await fetcher.fetch(await wants(), { deepen: step }, `${step} more commits of history`, 'the clone is shallow');
        if (await tried()) return;
      }
    }
    if (!(await git.hasCommit(base))) {
      await fetcher.fetch([base], shallow ? { depth: FIRST_STEPS.at(-1) } : {}, `the base commit ${short(base)}`);
      if (await tried()) return;
    }
    if (shallow) {
      for (const step of LATER_STEPS) {
        if (!(await fetcher.usable())) return;
        await fetcher.fetch(await wants(), { deepen: step }, `${step} more commits of history`);
        if (await tried()) return;
      }
    }
  };
  await search();
  if (found) return found;
  const reason = await explain();
  return { reason: reason.includes('share no history') ? reason : `${reason}${await fetcher.trouble()}` };
}

/**
 * The commit a branch, tag or commit id names. Remote-tracking branches are tried when `preferRemote`
 * is set (the default branch in CI), and a branch or tag that is not in the clone is fetched.
 */
export async function resolveRef(fetcher: Fetcher, ref: string, options: { preferRemote?: boolean } = {}): Promise<string | undefined> {
  const { git } = fetcher;
  const remote = await git.remote();
  const remoteRef = remote ? `refs/remotes/${remote}/${ref}` : undefined;
  const candidates = options.preferRemote && remoteRef ? [remoteRef, ref] : [ref, ...(remoteRef ? [remoteRef] : [])];
  for (const candidate of candidates) {
    const sha = await git.commit(candidate);
    if (sha) return sha;
  }
  if (!(await fetcher.usable()) || !remote || /^[0-9a-f]{7,39}$/.test(ref)) return undefined;
  const branch = ref.startsWith(`${remote}/`) ? ref.slice(remote.length + 1) : ref;
  const depth = (await git.isShallow()) ? { depth: FIRST_STEPS.at(-1) } : {};
  const target = `refs/remotes/${remote}/${branch}`;
  if (await fetcher.fetch([`+refs/heads/${branch}:${target}`], depth, branch)) return git.commit(target);
  if (await fetcher.fetch([`+refs/tags/${branch}:refs/tags/${branch}`], depth, `tag ${branch}`)) return git.commit(`refs/tags/${branch}`);
  return undefined;
}
