/** GitHub's OIDC token: fetching it, and explaining it when AWS refuses it. */
import * as core from '../core.js';
import { UserError } from '../errors.js';

const CLAIMS_SHOWN = ['sub', 'aud', 'repository', 'ref', 'environment', 'job_workflow_ref', 'iss'] as const;
const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The ID token for `audience`; core.getIDToken masks it before anything can print it. */
export async function fetchIdToken(audience: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new UserError(
      'GitHub did not give this job an OIDC token, so the role in "role-to-assume" cannot be assumed.',
      'Add to the job (and to the calling workflow, when this runs in a reusable workflow):\n' +
        '  permissions:\n    id-token: write\n    contents: read\n' +
        'Pull requests from forks never get a token; run deployments on push or workflow_dispatch.',
    );
  }
  try {
    return await core.getIDToken(audience);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const status = Number(/Error Code : (\d+)/.exec(text)?.[1]) || undefined;
    const reason = /Error Message: (.*)/.exec(text)?.[1]?.trim() || text.replace(/\s+/g, ' ');
    throw new OidcTokenError(`GitHub's OIDC token endpoint failed${status ? ` with HTTP ${status}` : ''}: ${reason}`, status);
  }
}

export class OidcTokenError extends Error {
  override readonly name = 'OidcTokenError';
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }

  /** Network failures, 429 and 5xx may pass on another try; other answers will not. */
  get transient(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}

/** The token's non-secret claims. The signature is never decoded or shown. */
export function tokenClaims(token: string): Record<string, string> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const shown: Record<string, string> = {};
    for (const name of CLAIMS_SHOWN) {
      const value = claims[name];
      if (value !== undefined && value !== null && value !== '') shown[name] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    return shown;
  } catch {
    return {};
  }
}

/** What a trust policy must match for this token, written next to the token's own claims. */
export function trustPolicyHint(claims: Record<string, string>, roleArn: string, audience: string): string {
  const lines = Object.entries(claims).map(([name, value]) => `  ${name}: ${value}`);
  const sub = claims.sub ?? 'repo:<owner>/<repo>:ref:refs/heads/main';
  const account = /::(\d{12}):/.exec(roleArn)?.[1] ?? '<account-id>';
  return [
    'The token GitHub issued for this job carried:',
    ...lines,
    `The trust policy of ${roleArn} must allow it, for example:`,
    `  "Principal": { "Federated": "arn:aws:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}" },`,
    '  "Action": "sts:AssumeRoleWithWebIdentity",',
    '  "Condition": {',
    `    "StringEquals": { "${GITHUB_OIDC_HOST}:aud": "${audience}" },`,
    `    "StringLike": { "${GITHUB_OIDC_HOST}:sub": "${sub}" }`,
    '  }',
    'A job that uses a GitHub environment has a "sub" ending in ":environment:<name>" instead of ":ref:...";',
    `and the IAM OIDC provider for https://${GITHUB_OIDC_HOST} must exist in account ${account}.`,
  ].join('\n');
}
