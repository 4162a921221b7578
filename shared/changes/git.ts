/** The git commands change detection needs, run without a shell through the suite's process runner. */
import { runCommand, CommandNotFound, type CommandResult } from '../process.js';
import { UserError } from '../errors.js';

export const ZERO_SHA = '0000000000000000000000000000000000000000';
export const FULL_SHA = /^[0-9a-f]{40}$/;

/** Never prompt for credentials: a fetch that needs them fails at once instead of hanging the job. */
const FETCH_ENV = { ...process.env, GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' };

export class Git {
  constructor(readonly root: string) {}

  async run(args: string[], env?: NodeJS.ProcessEnv): Promise<CommandResult> {
    try {
      return await runCommand('git', args, { cwd: this.root, env });
    } catch (error) {
      if (error instanceof CommandNotFound) {
        throw new UserError('git is not installed or not on PATH, so changed files cannot be listed.', 'Run the step on a runner with git (every GitHub-hosted runner has it).');
      }
      throw error;
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

  /** The best common ancestor; `missing` when an object is absent, `unrelated` when the histories (as fetched) do not meet. */
  async mergeBase(a: string, b: string): Promise<{ sha: string } | { error: 'missing' | 'unrelated' }> {
    const { code, stdout } = await this.run(['merge-base', a, b]);
    if (code === 0) return { sha: stdout.trim() };
    return { error: code === 1 ? 'unrelated' : 'missing' };
  }

  /** Paths that differ between two commits. A rename is reported as its old and its new path. */
  async changedPaths(base: string, head: string): Promise<string[]> {
    // Options that no configuration (diff.renames, diff.relative, diff.external) can change.
    const { code, stdout, stderr } = await this.run(['-c', 'diff.relative=false', 'diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', base, head, '--']);
    if (code !== 0) throw new Error(`git diff ${base.slice(0, 12)} ${head.slice(0, 12)} failed: ${stderr.trim()}`);
    return splitNul(stdout);
  }

  /** Tracked files matching git pathspecs (all tracked files when none are given). */
  async trackedFiles(pathspecs: string[] = []): Promise<string[]> {
    const { code, stdout, stderr } = await this.run(['ls-files', '-z', '--', ...pathspecs]);
    if (code !== 0) throw new Error(`git ls-files failed: ${stderr.trim()}`);
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

  /** Fetches `refspecs` from `remote`; resolves with git's complaint when it fails. */
  async fetch(remote: string, refspecs: string[], options: { depth?: number; deepen?: number } = {}): Promise<{ ok: true } | { ok: false; error: string }> {
    const args = ['fetch', '--quiet', '--no-tags', '--no-recurse-submodules'];
    if (options.depth) args.push(`--depth=${options.depth}`);
    if (options.deepen) args.push(`--deepen=${options.deepen}`);
    const { code, stderr } = await this.run([...args, remote, ...refspecs], FETCH_ENV);
    return code === 0 ? { ok: true } : { ok: false, error: lastLine(stderr) };
  }

  /** The repository's top level, or undefined when `root` is not inside a work tree. */
  async topLevel(): Promise<string | undefined> {
    const { code, stdout } = await this.run(['rev-parse', '--show-toplevel']);
    return code === 0 ? stdout.trim() : undefined;
  }
}

function splitNul(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1]?.replace(/^fatal:\s*/, '') || 'git fetch failed';
}

export const short = (sha: string): string => (FULL_SHA.test(sha) ? sha.slice(0, 7) : sha);
