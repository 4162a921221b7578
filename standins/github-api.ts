/**
 * Plays GitHub's REST API on loopback for pull-request comments: list (paginated, with a Link
 * header), create and update an issue comment, each checking the token the way GitHub does (401
 * without it, 403 for a read-only one). Tests read `comments` and `requests`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Comment {
  id: number;
  issue: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

interface GitHubApiRequest {
  method: string;
  path: string;
  authorization?: string;
  status: number;
}

export interface GitHubApiOptions {
  /** The token that may write; default `ghs_write`. */
  token?: string;
  /** A token that may only read: writes answer 403 "Resource not accessible by integration". */
  readOnlyToken?: string;
  /** Comments already on issue/pull request numbers, written by someone else. */
  existing?: { issue: number; body: string; user?: string }[];
  /** Page size the list answers with when the client asks for more. */
  maxPerPage?: number;
}

export interface GitHubApi {
  url: string;
  comments: Comment[];
  requests: GitHubApiRequest[];
  close(): Promise<void>;
}

export async function startGitHubApi(repository: string, options: GitHubApiOptions = {}): Promise<GitHubApi> {
  const token = options.token ?? 'ghs_write';
  const comments: Comment[] = [];
  const requests: GitHubApiRequest[] = [];
  let nextId = 1000;
  const now = () => new Date().toISOString();
  for (const comment of options.existing ?? []) comments.push({ id: nextId++, issue: comment.issue, body: comment.body, user: comment.user ?? 'someone', createdAt: now(), updatedAt: now() });

  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        requests.push({ method: request.method ?? '', path: url.pathname + url.search, authorization: request.headers.authorization, status });
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        response.end(JSON.stringify(payload));
      };
      const given = /^(?:token|Bearer) (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (given !== token && given !== options.readOnlyToken) return send(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      const shape = (comment: Comment) => ({
        id: comment.id,
        body: comment.body,
        user: { login: comment.user },
        html_url: `https://github.com/${repository}/pull/${comment.issue}#issuecomment-${comment.id}`,
        created_at: comment.createdAt,
        updated_at: comment.updatedAt,
      });
      const write = request.method === 'POST' || request.method === 'PATCH';
      if (write && given !== token) return send(403, { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' });
      const list = new RegExp(`^/repos/${repository}/issues/(\\d+)/comments$`).exec(url.pathname);
      const one = new RegExp(`^/repos/${repository}/issues/comments/(\\d+)$`).exec(url.pathname);
      if (list && request.method === 'GET') {
        const issue = Number(list[1]);
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.maxPerPage ?? 100);
        const page = Number(url.searchParams.get('page') ?? 1);
        const all = comments.filter((comment) => comment.issue === issue);
        const items = all.slice((page - 1) * perPage, page * perPage);
        const more = page * perPage < all.length;
        const link = more ? { link: `<http://${request.headers.host}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"` } : undefined;
        return send(200, items.map(shape), link);
      }
      if (list && request.method === 'POST') {
        const text = (JSON.parse(body || '{}') as { body?: unknown }).body;
        if (typeof text !== 'string' || text === '') return send(422, { message: 'Validation Failed' });
        const comment = { id: nextId++, issue: Number(list[1]), body: text, user: 'github-actions[bot]', createdAt: now(), updatedAt: now() };
        comments.push(comment);
        return send(201, shape(comment));
      }
      if (one && request.method === 'PATCH') {
        const comment = comments.find((candidate) => candidate.id === Number(one[1]));
        if (!comment) return send(404, { message: 'Not Found' });
        const text = (JSON.parse(body || '{}') as { body?: unknown }).body;
        if (typeof text !== 'string' || text === '') return send(422, { message: 'Validation Failed' });
        Object.assign(comment, { body: text, updatedAt: now() });
        return send(200, shape(comment));
      }
      return send(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    comments,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
