/** The commit a run deploys: its SHA, the first line of its message, and the branch, from the event or git. */
import type { GitHubContext } from '../github.js';
import { runCommand } from '../process.js';
import { firstLine } from './text.js';
import type { ChangesResult } from './types.js';

export interface CommitInfo {
  sha: string;
  title?: string;
  branch?: string;
  pullRequest?: { number: number; title: string; url?: string };
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const string = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** What the event payload says about the commit; the message only when it belongs to that commit. */
function commitFromEvent(context: GitHubContext, payload: Json, changes?: ChangesResult): CommitInfo {
  const pull = object(payload.pull_request);
  const run = object(payload.workflow_run);
  if (string(object(pull.head).sha)) {
    const head = object(pull.head);
    return {
      sha: changes?.head ?? string(head.sha)!,
      branch: string(head.ref),
      pullRequest: typeof pull.number === 'number' ? { number: pull.number, title: string(pull.title) ?? '', url: string(pull.html_url) } : undefined,
    };
  }
  if (string(run.head_sha)) {
    const sha = changes?.head ?? string(run.head_sha)!;
    const headCommit = object(run.head_commit);
    return { sha, branch: string(run.head_branch), title: sameCommit(headCommit, sha) };
  }
  const sha = changes?.head ?? context.sha;
  return { sha, branch: context.refName || undefined, title: sameCommit(object(payload.head_commit), sha) };
}

function sameCommit(commit: Json, sha: string): string | undefined {
  const message = string(commit.message);
  const id = string(commit.id);
  if (!message || (id && sha && id !== sha)) return undefined;
  return firstLine(message);
}

/** The event's answer, or `git log` in the workspace when the event has no message; never fails. */
export async function commitInfo(context: GitHubContext, payload: Json, changes?: ChangesResult): Promise<CommitInfo> {
  const commit = commitFromEvent(context, payload, changes);
  if (commit.title || !commit.sha) return commit;
  try {
    const result = await runCommand('git', ['log', '-1', '--format=%s', commit.sha, '--'], { cwd: context.workspace });
    const title = result.code === 0 ? firstLine(result.stdout) : '';
    if (title) commit.title = title;
  } catch {
    // No git, or no workspace: the message goes without the commit's title.
  }
  return commit;
}
