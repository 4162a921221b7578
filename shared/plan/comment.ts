/**
 * The plan as one pull-request comment, found again by a hidden marker and updated, never
 * duplicated. @actions/github (and its HTTP stack) is loaded only here, when a comment is asked for.
 */

/** GitHub refuses comment bodies longer than this. */
const MAX_BODY = 65_536;

export interface CommentRequest {
  token: string;
  /** `owner/name`. */
  repository: string;
  pullRequest: number;
  body: string;
  /** Hidden text that identifies this comment among the pull request's others. */
  marker: string;
  /** The REST API's root; default GITHUB_API_URL, else https://api.github.com. */
  apiUrl?: string;
}

export interface CommentResult {
  action: 'created' | 'updated' | 'unchanged';
  url: string;
}

/** The marker for a manifest's plan: one comment per manifest, so two pipelines of one repository keep theirs apart. */
export const planMarker = (manifest: string) => `<!-- berth-plan: ${manifest.replace(/--/g, '-')} -->`;

export async function upsertComment(request: CommentRequest): Promise<CommentResult> {
  const { getOctokit } = await import('@actions/github');
  const octokit = getOctokit(request.token, request.apiUrl ? { baseUrl: request.apiUrl } : {});
  const [owner, repo] = request.repository.split('/') as [string, string];
  const body = fit(`${request.marker}\n${request.body}`);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner, repo, issue_number: request.pullRequest, per_page: 100 });
  const existing = comments.find((comment) => comment.body?.includes(request.marker));
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', url: existing.html_url };
    const { data } = await octokit.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
    return { action: 'updated', url: data.html_url };
  }
  const { data } = await octokit.rest.issues.createComment({ owner, repo, issue_number: request.pullRequest, body });
  return { action: 'created', url: data.html_url };
}

function fit(body: string): string {
  if (body.length <= MAX_BODY) return body;
  const note = '\n\n_The plan is longer than a comment can hold; the job summary has all of it._';
  return body.slice(0, MAX_BODY - note.length) + note;
}
