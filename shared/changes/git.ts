/** The git commands change detection needs, run without a shell through the suite's process runner. */
import { runCommand, CommandNotFound, type CommandResult } from '../process.js';
import { UserError } from '../errors.js';

export const ZERO_SHA = '0000000000000000000000000000000000000000';
export const FULL_SHA = /^[0-9a-f]{40}$/;

/**
 * Never prompt for credentials: a fetch that needs them fails at once instead of hanging the job.
 * Messages in English, so a failure can be told apart (authentication, no such repository).
 */
const FETCH_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never', LC_ALL: 'C', LANGUAGE: 'C' };

/** Why a fetch failed, when the answer is about the remote itself rather than the commits asked for. */
export type RemoteFailure = 'authentication' | 'not-found' | 'unreachable';

export type FetchResult = { ok: true } | { ok: false; error: string; remote?: RemoteFailure };

/** What a runner without git is told. */
export const gitMissing = (): UserError => new UserError('git is not installed or not on PATH, so changed files cannot be listed.', 'Run the step on a runner with git (every GitHub-hosted runner has it).');

export class Git {
  constructor(readonly root: string) {}

  async run(args: string[], env?: NodeJS.ProcessEnv): Promise<CommandResult> {
    try {
      return await runCommand('git', args, { cwd: this.root, env });
    } catch (error) {
      throw error instanceof CommandNotFound ? gitMissing() : error;
    }
  }

  /** The commit `ref` names, or undefined when there is none (locally). */
  async commit(ref: string): Promise<string | undefined> {
    const { code, stdout } = await this.run(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
    return code === 0 ? stdout.trim() : undefined;
  }

  async hasCommit(sha: string): Promise<boolean> {
    return (await this.run(['cat-file', '-e', `${sha}^{commit}`])).code === 0;
  }

  /** Whether `ancestor` is `descendant` or one of its ancestors (as far as the clone's history goes). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    return (await this.run(['merge-base', '--is-ancestor', ancestor, descendant])).code === 0;
  }

  /** The best common ancestor; `missing` when an object is absent, `unrelated` when the histories (as fetched) do not meet. */
  async mergeBase(a: string, b: string): Promise<MergeBase> {
    return mergeBaseFrom(await this.run(['merge-base', a, b]));
  }

  /** Paths that differ between two commits. A rename is reported as its old and its new path. */
  async changedPaths(base: string, head: string): Promise<string[]> {
    return changedPathsFrom(base, head, await this.run(changedPathsArgs(base, head)));
  }

  /** The files of `commit` under the directories `prefixes` (every file when none are given). */
  async filesIn(commit: string, prefixes: string[] = []): Promise<string[]> {
    const paths = prefixes.includes('') ? [] : prefixes.map((prefix) => `${prefix}/`);
    const { code, stdout, stderr } = await this.run(['ls-tree', '-r', '-z', '--name-only', '--full-tree', commit, '--', ...paths]);
    if (code !== 0) throw new Error(`git ls-tree ${commit.slice(0, 12)} failed: ${stderr.trim()}`);
    return splitNul(stdout);
  }

  async isShallow(): Promise<boolean> {
    const { stdout } = await this.run(['rev-parse', '--is-shallow-repository']);
    return stdout.trim() === 'true';
  }

  /** The remote to fetch from: origin when it exists, else the first one. */
  async remote(): Promise<string | undefined> {
    const names = (await this.run(['remote'])).stdout.split('\n').filter(Boolean);
    return names.includes('origin') ? 'origin' : names[0];
  }

  /** Fetches `refspecs` from `remote`; resolves with git's complaint, and what it says about the remote, when it fails. */
  async fetch(remote: string, refspecs: string[], options: { depth?: number; deepen?: number } = {}): Promise<FetchResult> {
    const args = ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules'];
    if (options.depth) args.push(`--depth=${options.depth}`);
    if (options.deepen) args.push(`--deepen=${options.deepen}`);
    const { code, stderr } = await this.run([...args, remote, ...refspecs], FETCH_ENV);
    return code === 0 ? { ok: true } : { ok: false, error: fetchError(stderr), remote: remoteFailure(stderr) };
  }

  /** The repository's top level, or undefined when `root` is not inside a work tree. */
  async topLevel(): Promise<string | undefined> {
    const { code, stdout } = await this.run(['rev-parse', '--show-toplevel']);
    return code === 0 ? stdout.trim() : undefined;
  }
}

export type MergeBase = { sha: string } | { error: 'missing' | 'unrelated' };

/** The merge-base from what `git merge-base <a> <b>` answered. */
export function mergeBaseFrom({ code, stdout }: CommandResult): MergeBase {
  if (code === 0) return { sha: stdout.trim() };
  return { error: code === 1 ? 'unrelated' : 'missing' };
}

/** git's arguments for the paths that differ between two commits. */
export function changedPathsArgs(base: string, head: string): string[] {
  // Options that no configuration (diff.renames, diff.relative, diff.external) can change.
  return ['-c', 'diff.relative=false', 'diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', base, head, '--'];
}

/** The paths from what `git <changedPathsArgs>` answered; its failure as an error. */
export function changedPathsFrom(base: string, head: string, { code, stdout, stderr }: CommandResult): string[] {
  if (code !== 0) throw new Error(`git diff ${base.slice(0, 12)} ${head.slice(0, 12)} failed: ${stderr.trim()}`);
  return splitNul(stdout);
}

function splitNul(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** git's error lines (not its hints), without their `fatal:` prefixes, deduplicated. */
function fetchError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^hint:/.test(line));
  const errors = lines.filter((line) => /^(fatal|error|remote):/i.test(line));
  const picked = [...new Set((errors.length ? errors : lines).map((line) => line.replace(/^((fatal|error|remote error|git upload-pack|upload-pack):\s*)+/i, '')))];
  return picked.slice(0, 4).join('; ') || 'git fetch failed';
}

/** Answers that no other fetch from the same remote can change. */
function remoteFailure(stderr: string): RemoteFailure | undefined {
  if (/Authentication failed|could not read (Username|Password)|terminal prompts disabled|Permission denied \(publickey|Access denied|returned error: 40[13]|Invalid username or password|Host key verification failed/i.test(stderr))
    return 'authentication';
  if (/Repository not found|does not appear to be a git repository|repository '[^']*' not found|returned error: 404|No such (file or directory|repository)/i.test(stderr)) return 'not-found';
  if (/Could not resolve host|Connection refused|Connection timed out|Failed to connect|Network is unreachable|Could not read from remote repository|unable to access/i.test(stderr)) return 'unreachable';
  return undefined;
}

export const short = (sha: string): string => (FULL_SHA.test(sha) ? sha.slice(0, 7) : sha);
