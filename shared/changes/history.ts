/**
 * Finding the base commit in clones that may not hold it: resolves refs, and in shallow or partial
 * clones fetches exactly what is missing (the head's history step by step, then the base itself)
 * until the merge-base is known.
 */
import { FULL_SHA, short, type Git } from './git.js';

export interface HistoryOptions {
  /** May the repository's remote be asked for missing commits? */
  fetch: boolean;
  log: (message: string) => void;
}

export type MergeBase = { sha: string } | { reason: string };

/** Commits of history fetched at each step while looking for the merge-base in a shallow clone. */
const FIRST_STEPS = [10, 100];
const LATER_STEPS = [1000, 10000];

/** The merge-base of `base` and `head` (both commit ids), fetching missing history when allowed. */
export async function findMergeBase(git: Git, base: string, head: string, options: HistoryOptions): Promise<MergeBase> {
  const first = await git.mergeBase(base, head);
  if ('sha' in first) return first;
  const explain = async () => {
    if (!(await git.hasCommit(head))) return `the head commit ${short(head)} is not in the clone`;
    if (!(await git.hasCommit(base))) return `the base commit ${short(base)} is not in the clone${options.fetch ? ' and could not be fetched' : ''}`;
    return `${short(base)} and ${short(head)} share no history${options.fetch ? ' even after fetching it' : ' in this clone'}`;
  };
  if (!options.fetch) return { reason: await explain() };
  const remote = await git.remote();
  if (!remote) return { reason: `${await explain()}, and the repository has no remote to fetch from` };

  const shallow = await git.isShallow();
  let found: { sha: string } | undefined;
  const tried = async () => {
    const attempt = await git.mergeBase(base, head);
    if ('sha' in attempt) found = attempt;
    return found !== undefined;
  };
  const wants = async () => [head, ...((await git.hasCommit(base)) ? [base] : [])];
  let lastError = '';
  const fetch = async (refspecs: string[], how: { depth?: number; deepen?: number }, what: string, why = '') => {
    options.log(`Fetching ${what} from ${remote}${why && ` (${why})`}.`);
    const result = await git.fetch(remote, refspecs, how);
    if (!result.ok) {
      lastError = result.error;
      options.log(`  git fetch failed: ${result.error}`);
    }
  };

  if (!(await git.hasCommit(head))) {
    await fetch([head], shallow ? { depth: 1 } : {}, `the head commit ${short(head)}`);
    if (await tried()) return found!;
  }
  if (shallow) {
    for (const step of FIRST_STEPS) {
      await fetch(await wants(), { deepen: step }, `${step} more commits of history`, 'the clone is shallow');
      if (await tried()) return found!;
    }
  }
  if (!(await git.hasCommit(base))) {
    await fetch([base], shallow ? { depth: FIRST_STEPS.at(-1) } : {}, `the base commit ${short(base)}`);
    if (await tried()) return found!;
  }
  if (shallow) {
    for (const step of LATER_STEPS) {
      await fetch(await wants(), { deepen: step }, `${step} more commits of history`);
      if (await tried()) return found!;
    }
  }
  const reason = await explain();
  return { reason: lastError && !reason.includes('share no history') ? `${reason} (${lastError})` : reason };
}

/**
 * The commit a branch, tag or commit id names. Remote-tracking branches are tried when `preferRemote`
 * is set (the default branch in CI), and a branch or tag that is not in the clone is fetched.
 */
export async function resolveRef(git: Git, ref: string, options: HistoryOptions & { preferRemote?: boolean }): Promise<string | undefined> {
  if (FULL_SHA.test(ref)) return ref;
  const remote = await git.remote();
  const remoteRef = remote ? `refs/remotes/${remote}/${ref}` : undefined;
  const candidates = options.preferRemote && remoteRef ? [remoteRef, ref] : [ref, ...(remoteRef ? [remoteRef] : [])];
  for (const candidate of candidates) {
    const sha = await git.commit(candidate);
    if (sha) return sha;
  }
  if (!options.fetch || !remote || /^[0-9a-f]{7,39}$/.test(ref)) return undefined;
  const branch = ref.startsWith(`${remote}/`) ? ref.slice(remote.length + 1) : ref;
  const depth = (await git.isShallow()) ? { depth: FIRST_STEPS.at(-1) } : {};
  options.log(`Fetching ${branch} from ${remote}.`);
  const target = `refs/remotes/${remote}/${branch}`;
  if ((await git.fetch(remote, [`+refs/heads/${branch}:${target}`], depth)).ok) return git.commit(target);
  if ((await git.fetch(remote, [`+refs/tags/${branch}:refs/tags/${branch}`], depth)).ok) return git.commit(`refs/tags/${branch}`);
  return undefined;
}
