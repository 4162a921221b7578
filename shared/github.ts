import { readFileSync } from 'node:fs';

/** What the runner tells a step about its workflow run, read from the standard environment. */
export interface GitHubContext {
  serverUrl: string;
  repository: string;
  runId: string;
  runAttempt: string;
  sha: string;
  ref: string;
  refName: string;
  eventName: string;
  actor: string;
  workflow: string;
  job: string;
  workspace: string;
  runUrl: string;
}

export function githubContext(env: NodeJS.ProcessEnv = process.env): GitHubContext {
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
  const repository = env.GITHUB_REPOSITORY || '';
  const runId = env.GITHUB_RUN_ID || '';
  return {
    serverUrl,
    repository,
    runId,
    runAttempt: env.GITHUB_RUN_ATTEMPT || '1',
    sha: env.GITHUB_SHA || '',
    ref: env.GITHUB_REF || '',
    refName: env.GITHUB_REF_NAME || '',
    eventName: env.GITHUB_EVENT_NAME || '',
    actor: env.GITHUB_ACTOR || '',
    workflow: env.GITHUB_WORKFLOW || '',
    job: env.GITHUB_JOB || '',
    workspace: env.GITHUB_WORKSPACE || process.cwd(),
    runUrl: repository && runId ? `${serverUrl}/${repository}/actions/runs/${runId}` : '',
  };
}

/** The webhook payload of the event that started the run, or {} when there is none. */
export function readEventPayload(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
