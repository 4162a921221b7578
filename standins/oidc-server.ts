/**
 * Plays GitHub's Actions OIDC token endpoint on loopback so core.getIDToken runs for real:
 * it checks the bearer request token, honours `audience`, and can fail on purpose.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export interface OidcServerOptions {
  claims?: Record<string, unknown>;
  /** HTTP status codes to answer with, one per request, before answering normally; 0 drops the connection. */
  failures?: number[];
}

export interface OidcServer {
  url: string;
  requestToken: string;
  /** Every token issued, to check none leaks. */
  issued: string[];
  audiences: string[];
  env(): Record<string, string>;
  close(): Promise<void>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

const DEFAULT_CLAIMS = {
  iss: 'https://token.actions.githubusercontent.com',
  sub: 'repo:acme/shop:ref:refs/heads/main',
  repository: 'acme/shop',
  repository_owner: 'acme',
  ref: 'refs/heads/main',
  job_workflow_ref: 'acme/shop/.github/workflows/deploy.yml@refs/heads/main',
  event_name: 'push',
};

export async function startOidcServer(options: OidcServerOptions = {}): Promise<OidcServer> {
  const requestToken = `req-${randomBytes(12).toString('hex')}`;
  const failures = [...(options.failures ?? [])];
  const issued: string[] = [];
  const audiences: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${requestToken}`) {
      res.writeHead(401).end('bad request token');
      return;
    }
    const failure = failures.shift();
    if (failure === 0) {
      req.socket.destroy();
      return;
    }
    if (failure !== undefined) {
      res.writeHead(failure, { 'content-type': 'application/json' }).end(JSON.stringify({ message: `scripted ${failure}` }));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const audience = url.searchParams.get('audience') ?? 'https://github.com/acme';
    audiences.push(audience);
    const now = Math.floor(Date.now() / 1000);
    const claims = { ...DEFAULT_CLAIMS, ...options.claims, aud: audience, iat: now, nbf: now, exp: now + 300, jti: randomBytes(8).toString('hex') };
    const token = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${b64(claims)}.${randomBytes(64).toString('base64url')}`;
    issued.push(token);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, value: token }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
  return {
    url,
    requestToken,
    issued,
    audiences,
    env: () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
