/**
 * A whole action run, built bundle and all, with debug logging on: it assumes a role through the
 * loopback OIDC endpoint and moto's STS, deploys through ECS with those credentials, and nothing it
 * prints contains the ID token or a credential outside the ::add-mask:: command that hides it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { useMoto } from '../../standins/moto.js';
import { startOidcServer, type OidcServer } from '../../standins/oidc-server.js';
import { unmaskedLines } from '../../standins/run-action.js';
import { CLUSTER, FAST, deploy, resultOf, shop, simulator, workspace } from '../deploy/fixtures.js';

describe('secrets in the log of a real run', () => {
  useMoto();
  let oidc: OidcServer;
  beforeAll(async () => {
    oidc = await startOidcServer();
  });
  afterAll(() => oidc.close());

  it('masks the token and the assumed credentials before anything else prints them', async () => {
    const sim = await simulator(shop(['shop-api']));
    const cwd = workspace(
      `cluster: ${CLUSTER}\nrole: arn:aws:iam::123456789012:role/github-actions-deployer\nservices:\n  api:\n    paths: [apps/api/**]\n    repository: shop-api\n    ecs: { service: shop-api, container: api }\n`,
    );
    const run = await deploy({ services: 'api', 'image-tag': 'v2', ...FAST }, { sim, cwd, env: { ...oidc.env(), ACTIONS_STEP_DEBUG: 'true', RUNNER_DEBUG: '1', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined } });
    expect(run.code).toBe(0);
    expect(resultOf(run).outcome).toBe('deployed');
    expect(run.log).toContain('Assumed arn:aws:sts::123456789012:assumed-role/github-actions-deployer/GitHubActions-acme@shop-4242');

    const masked = run.log
      .split('\n')
      .filter((line) => line.startsWith('::add-mask::'))
      .map((line) => line.slice('::add-mask::'.length));
    // The ID token, then the access key id, secret key and session token STS returned.
    expect(masked.length).toBeGreaterThanOrEqual(4);
    for (const token of oidc.issued) expect(masked).toContain(token);
    for (const secret of [...masked, ...oidc.issued]) expect(unmaskedLines(run.log + run.summary, secret)).toEqual([]);
    for (const value of Object.values(run.outputs)) for (const secret of masked) expect(value).not.toContain(secret);
  });
});
