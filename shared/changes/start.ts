/**
 * The first git work of a detection: choosing the base and, in the common case, starting the diff.
 * This module is light (no manifest or YAML code), so the changes action starts git before it loads
 * the rest of the engine, and the diff runs while the manifest is read.
 */
import { chooseBase, type BaseChoice, type BaseRequest } from './base.js';
import { FULL_SHA, Git } from './git.js';

export interface StartRequest extends BaseRequest {
  /** Where to work: the repository root or a directory inside it. */
  directory: string;
  /** The commit to compare; default HEAD. */
  head?: string;
}

/** A merge-base found together with the diff against it, when the base is an ancestor of the head. */
export interface QuickComparison {
  mergeBase: string;
  /** Only when the merge-base is the base itself (so the diff already run is the right one). */
  paths?: string[];
}

export interface Started {
  choice: BaseChoice;
  head: Promise<string>;
  quick?: Promise<QuickComparison | undefined>;
}

export class MissingHead extends Error {
  override readonly name = 'MissingHead';
  constructor(readonly ref: string) {
    super(`The head "${ref}" is not a commit in this repository.`);
  }
}

export function startDetection(request: StartRequest): Started {
  const git = new Git(request.directory);
  const choice = chooseBase(request);
  const headRef = request.head || 'HEAD';
  const knownHead = FULL_SHA.test(headRef) ? headRef : undefined;
  const head = knownHead
    ? Promise.resolve(knownHead)
    : git.commit(headRef).then((sha) => {
        if (!sha) throw new MissingHead(headRef);
        return sha;
      });
  const base = choice.kind === 'commit' && FULL_SHA.test(choice.ref) ? choice.ref : undefined;
  const ancestorOf = choice.kind === 'commit' ? choice.ancestorOf : undefined;
  const quick = base ? (knownHead ? quickCompare(git, base, knownHead, ancestorOf) : head.then((sha) => quickCompare(git, base, sha, ancestorOf))) : undefined;
  // Whoever awaits these sees their errors; until then they must not count as unhandled.
  head.catch(() => undefined);
  quick?.catch(() => undefined);
  return { choice, head, quick };
}

/**
 * One round of git: the diff runs alongside the merge-base, or alone when the event already says the
 * base is an ancestor of the head (a push that was not forced, a merge group).
 */
async function quickCompare(git: Git, base: string, head: string, ancestorOf?: string): Promise<QuickComparison | undefined> {
  if (ancestorOf === head) {
    const paths = await git.changedPaths(base, head).catch(() => undefined);
    return paths && { mergeBase: base, paths };
  }
  const [mergeBase, paths] = await Promise.all([git.mergeBase(base, head), git.changedPaths(base, head).catch(() => undefined)]);
  return 'sha' in mergeBase ? { mergeBase: mergeBase.sha, paths: mergeBase.sha === base ? paths : undefined } : undefined;
}
