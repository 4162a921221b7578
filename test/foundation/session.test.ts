import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ECSClient, CreateClusterCommand, ListClustersCommand } from '@aws-sdk/client-ecs';
import { openSession, webIdentityCredentials } from '../../shared/aws/session.js';
import { createClient, MAX_SDK_ATTEMPTS } from '../../shared/aws/client.js';
import type { AwsInputs } from '../../shared/aws/inputs.js';
import { UserError } from '../../shared/errors.js';
import { startOidcServer, type OidcServer } from '../../standins/oidc-server.js';
import { useMoto, motoUrl, TEST_REGION } from '../../standins/moto.js';
import { startScriptedAws, queryError, type ScriptedAws } from '../../standins/scripted-aws.js';
import { unmaskedLines } from '../../standins/run-action.js';

const ROLE = 'arn:aws:iam::123456789012:role/github-actions-deployer';
const inputs = (overrides: Partial<AwsInputs> = {}): AwsInputs => ({
  region: TEST_REGION,
  roleToAssume: ROLE,
  roleSessionName: 'GitHubActions-acme@shop-4242',
  roleDurationSeconds: 3600,
  audience: 'sts.amazonaws.com',
  allowedAccountIds: [],
  ...overrides,
});

/** Everything @actions/core writes goes through process.stdout.write. */
function captureStdout() {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  return { text: () => chunks.join(''), restore: () => spy.mockRestore() };
}

const STATIC_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

describe('OIDC role assumption against moto', () => {
  useMoto();
  let oidc: OidcServer;
  beforeAll(async () => {
    oidc = await startOidcServer();
  });
  afterAll(() => oidc.close());
  afterEach(() => {
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    delete process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  });

  it('assumes the role with the GitHub token and calls ECS with the returned credentials, masking all of them', async () => {
    Object.assign(process.env, oidc.env());
    const saved = STATIC_KEYS.map((key) => [key, process.env[key]] as const);
    for (const key of STATIC_KEYS) delete process.env[key];
    const out = captureStdout();
    try {
      const session = await openSession(inputs());
      const credentials = await session.credentials!();
      const ecs = createClient(ECSClient, session);
      await ecs.send(new CreateClusterCommand({ clusterName: 'shop-prod' }));
      const { clusterArns } = await ecs.send(new ListClustersCommand({}));
      expect(clusterArns).toEqual([expect.stringContaining('cluster/shop-prod')]);
      expect(oidc.audiences.at(-1)).toBe('sts.amazonaws.com');

      const log = out.text();
      const secrets = [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken!, ...oidc.issued];
      for (const secret of secrets) {
        expect(log).toContain(`::add-mask::${secret}`);
        expect(unmaskedLines(log, secret)).toEqual([]);
      }
      expect(log).toContain(`Assumed arn:aws:sts::123456789012:assumed-role/github-actions-deployer/GitHubActions-acme@shop-4242`);
    } finally {
      out.restore();
      for (const [key, value] of saved) if (value !== undefined) process.env[key] = value;
    }
  });

  it('says which permissions line to add when the job has no OIDC token', async () => {
    const error = await openSession(inputs()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).hint).toContain('id-token: write');
  });

  it("retries when GitHub's token endpoint fails transiently", async () => {
    const flaky = await startOidcServer({ failures: [0, 0] });
    Object.assign(process.env, flaky.env());
    const out = captureStdout();
    try {
      const session = await openSession(inputs(), { retryBaseMs: 10 });
      expect(await session.credentials!()).toHaveProperty('accessKeyId');
      expect(out.text()).toMatch(/Assuming .* failed \(attempt 1\): GitHub's OIDC token endpoint failed: .*socket hang up/);
      expect(out.text()).toContain('failed (attempt 2)');
    } finally {
      out.restore();
      await flaky.close();
    }
  });

  it('refuses to act in an account that is not allowed', async () => {
    Object.assign(process.env, oidc.env());
    const out = captureStdout();
    try {
      const error = await openSession(inputs({ allowedAccountIds: ['999999999999'] })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toContain('account 123456789012, which is not in "allowed-account-ids" (999999999999)');
    } finally {
      out.restore();
    }
  });

  it('renews credentials with a new token when they are about to expire', async () => {
    Object.assign(process.env, oidc.env());
    const out = captureStdout();
    try {
      // 900 s credentials are renewed when under 5 minutes remain: move the clock forward 11 minutes.
      const provider = webIdentityCredentials(inputs({ roleDurationSeconds: 900 }), TEST_REGION);
      const first = await provider();
      expect(await provider()).toBe(first);
      const tokensBefore = oidc.issued.length;
      const now = Date.now();
      const clock = jest.spyOn(Date, 'now').mockReturnValue(now + 11 * 60_000);
      try {
        const second = await provider();
        expect(second.accessKeyId).not.toBe(first.accessKeyId);
        expect(oidc.issued.length).toBe(tokensBefore + 1);
      } finally {
        clock.mockRestore();
      }
    } finally {
      out.restore();
    }
  });

  it("assumes the manifest's role when the role-to-assume input is empty", async () => {
    Object.assign(process.env, oidc.env());
    const out = captureStdout();
    try {
      const session = await openSession(inputs({ roleToAssume: undefined }), { fallbackRole: ROLE });
      expect(session.credentials).toBeDefined();
      expect(out.text()).toContain('Assumed arn:aws:sts::123456789012:assumed-role/github-actions-deployer/');
    } finally {
      out.restore();
    }
  });

  it('uses the credentials already in the environment when no role is given', async () => {
    const session = await openSession(inputs({ roleToAssume: undefined }));
    expect(session.credentials).toBeUndefined();
    const ecs = createClient(ECSClient, session);
    await expect(ecs.send(new ListClustersCommand({}))).resolves.toHaveProperty('clusterArns');
    expect(motoUrl()).toMatch(/^http:\/\/127\.0\.0\.1:/);
  });
});

describe('refusals AWS gives that moto does not', () => {
  let sts: ScriptedAws;
  let oidc: OidcServer;
  let replies: ReturnType<typeof queryError>[];
  beforeAll(async () => {
    oidc = await startOidcServer({ claims: { sub: 'repo:acme/shop:environment:production', environment: 'production' } });
    sts = await startScriptedAws(() => replies.shift() ?? queryError(500, 'InternalFailure', 'script ran out'));
  });
  afterAll(async () => {
    await oidc.close();
    await sts.close();
  });

  const withScriptedSts = async <T>(body: () => Promise<T>) => {
    const saved = { ...process.env };
    Object.assign(process.env, oidc.env(), { AWS_ENDPOINT_URL_STS: sts.url, AWS_REGION: TEST_REGION });
    const out = captureStdout();
    try {
      return { result: await body(), log: out.text() };
    } finally {
      out.restore();
      process.env = saved;
    }
  };

  it('fails at once on AccessDenied and shows the token claims next to the trust policy to write', async () => {
    replies = [queryError(403, 'AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity')];
    const before = sts.calls.length;
    const { result: error } = await withScriptedSts(() => openSession(inputs()).catch((e: unknown) => e));
    expect(sts.calls.length - before).toBe(1);
    expect(error).toBeInstanceOf(UserError);
    const { message, hint } = error as UserError;
    expect(message).toContain(`AWS refused to let this workflow assume ${ROLE}: AccessDenied`);
    expect(hint).toContain('sub: repo:acme/shop:environment:production');
    expect(hint).toContain('environment: production');
    expect(hint).toContain('"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"');
    expect(hint).toContain('"token.actions.githubusercontent.com:sub": "repo:acme/shop:environment:production"');
    for (const token of oidc.issued) expect(hint).not.toContain(token.split('.')[2]);
  });

  it("retries IDPCommunicationError beyond the SDK's own attempts and then succeeds", async () => {
    const before = sts.calls.length;
    const ok = {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body:
        '<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>' +
        '<AccessKeyId>ASIAEXAMPLEKEY000001</AccessKeyId><SecretAccessKey>scripted-secret-access-key</SecretAccessKey>' +
        '<SessionToken>scripted-session-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>' +
        `<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/github-actions-deployer/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>` +
        '</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>',
    };
    // One more failure than the SDK's own attempts, so only the session's own retry can succeed.
    const failures = MAX_SDK_ATTEMPTS + 1;
    replies = [...Array.from({ length: failures }, () => queryError(400, 'IDPCommunicationError', 'Could not reach the identity provider')), ok];
    const { result: session, log } = await withScriptedSts(() => openSession(inputs(), { retryBaseMs: 10 }));
    expect((await session.credentials!()).accessKeyId).toBe('ASIAEXAMPLEKEY000001');
    expect(sts.calls.length - before).toBe(failures + 1);
    expect(log).toMatch(/Assuming .* failed \(attempt 1\): AWS could not reach GitHub's OIDC provider \(IDPCommunicationErrorException\)/);
    expect(log).not.toContain('failed (attempt 2)');
    expect(unmaskedLines(log, 'scripted-secret-access-key')).toEqual([]);
  });
});
