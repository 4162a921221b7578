/**
 * Opens the AWS session an action works in: the region, and credentials from GitHub OIDC through
 * STS AssumeRoleWithWebIdentity (refreshed before they expire), or the environment's own.
 */
import * as core from '../core.js';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { UserError } from '../errors.js';
import { retry } from '../retry.js';
import { formatDuration } from '../time.js';
import { createClient, type AwsSession } from './client.js';
import { transientReason, isAccessDenied } from './errors.js';
import type { AwsInputs } from './inputs.js';
import { requireKnownRegion } from './regions.js';
import { fetchIdToken, OidcTokenError, tokenClaims, trustPolicyHint } from './oidc.js';

/** Credentials are renewed when they have less than this long to live. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

export interface SessionOptions {
  /** Used when the aws-region input is empty, e.g. the manifest's region. */
  fallbackRegion?: string;
  /** Used when the role-to-assume input is empty, e.g. the manifest's role. */
  fallbackRole?: string;
  /** The one account the credentials must be in, and what says so (e.g. `the manifest environment "production"`). */
  requiredAccount?: { id: string; source: string };
  env?: NodeJS.ProcessEnv;
  /** Backoff between attempts to assume the role; tests shorten it. */
  retryBaseMs?: number;
}

export function resolveRegion(inputs: AwsInputs, options: SessionOptions = {}): string {
  const env = options.env ?? process.env;
  const sources: [string | undefined, string, string][] = [
    [inputs.region, 'Input "aws-region"', 'the step\'s "with:" block'],
    [options.fallbackRegion, 'The services manifest\'s "region"', 'the manifest'],
    [env.AWS_REGION, 'AWS_REGION', 'the job\'s environment, or set the "aws-region" input'],
    [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION', 'the job\'s environment, or set the "aws-region" input'],
  ];
  const chosen = sources.find(([value]) => value);
  if (!chosen) {
    throw new UserError('No AWS region is set.', 'Set the "aws-region" input (or "region" in the services manifest, or AWS_REGION in the environment).');
  }
  const [region, source, where] = chosen;
  return requireKnownRegion(region!, source, where);
}

export async function openSession(given: AwsInputs, options: SessionOptions = {}): Promise<AwsSession> {
  const inputs = { ...given, roleToAssume: given.roleToAssume ?? options.fallbackRole };
  const region = resolveRegion(inputs, options);
  const rule = accountRule(inputs.allowedAccountIds, options.requiredAccount);
  const session: AwsSession = { region };
  if (inputs.roleToAssume) {
    session.credentials = webIdentityCredentials(inputs, region, options);
    await session.credentials();
  }
  if (rule) await checkAccount(session, rule);
  return session;
}

interface AccountRule {
  allowed: string[];
  /** How the refusal says the account is not allowed: `is not in "allowed-account-ids"`, or the environment's. */
  what: string;
  fix: string;
}

/** The accounts the credentials may be in: "allowed-account-ids", narrowed to the required account when there is one. */
function accountRule(allowed: string[], required: SessionOptions['requiredAccount']): AccountRule | undefined {
  if (!required) return allowed.length > 0 ? { allowed, what: 'is not in "allowed-account-ids"', fix: 'or add the account to "allowed-account-ids"' } : undefined;
  if (allowed.length > 0 && !allowed.includes(required.id)) {
    throw new UserError(
      `Input "allowed-account-ids" (${allowed.join(', ')}) does not include account ${required.id}, the account of ${required.source}, so no credentials could be allowed.`,
      'Nothing was changed. Add the account to "allowed-account-ids", or correct the environment\'s "account" in the manifest.',
    );
  }
  return { allowed: [required.id], what: `is not the account of ${required.source}`, fix: 'or correct the environment\'s "account" in the manifest' };
}

/**
 * A provider that assumes the role on first use and again when the credentials are about to
 * expire, with a fresh ID token each time; concurrent callers share one request.
 */
export function webIdentityCredentials(inputs: AwsInputs, region: string, options: SessionOptions = {}): AwsCredentialIdentityProvider {
  const roleArn = inputs.roleToAssume!;
  const sts = createClient(STSClient, { region });
  let current: AwsCredentialIdentity | undefined;
  let pending: Promise<AwsCredentialIdentity> | undefined;

  const assume = () =>
    retry(
      async () => {
        const token = await fetchIdToken(inputs.audience, options.env);
        try {
          const { Credentials: c, AssumedRoleUser } = await sts.send(
            new AssumeRoleWithWebIdentityCommand({
              RoleArn: roleArn,
              RoleSessionName: inputs.roleSessionName,
              WebIdentityToken: token,
              DurationSeconds: inputs.roleDurationSeconds,
            }),
          );
          if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('STS returned no credentials');
          core.setSecret(c.AccessKeyId);
          core.setSecret(c.SecretAccessKey);
          core.setSecret(c.SessionToken);
          const expiration = c.Expiration ?? new Date(Date.now() + inputs.roleDurationSeconds * 1000);
          core.info(`Assumed ${AssumedRoleUser?.Arn ?? roleArn}; credentials valid for ${formatDuration(expiration.getTime() - Date.now())}.`);
          return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration };
        } catch (error) {
          throw explainRefusal(error, token, roleArn, inputs.audience);
        }
      },
      {
        attempts: 6,
        baseMs: options.retryBaseMs ?? 1000,
        maxMs: 10_000,
        totalMs: 120_000,
        retryable: (error) => {
          if (error instanceof OidcTokenError) return error.transient ? error.message : undefined;
          // The SDK v3 names it IDPCommunicationErrorException; the wire code is IDPCommunicationError.
          if (error instanceof Error && (error.name === 'IDPCommunicationError' || error.name === 'IDPCommunicationErrorException')) {
            return `AWS could not reach GitHub's OIDC provider (${error.name})`;
          }
          return transientReason(error);
        },
        onRetry: ({ reason, attempt, delayMs }) => core.info(`Assuming ${roleArn} failed (attempt ${attempt}): ${reason}; retrying in ${formatDuration(delayMs)}.`),
      },
    );

  return async () => {
    const fresh = current?.expiration && current.expiration.getTime() - Date.now() > REFRESH_BEFORE_EXPIRY_MS;
    if (fresh) return current!;
    pending ??= assume().finally(() => (pending = undefined));
    current = await pending;
    return current;
  };
}

function explainRefusal(error: unknown, token: string, roleArn: string, audience: string): unknown {
  if (!(error instanceof Error)) return error;
  if (isAccessDenied(error) || error.name === 'InvalidIdentityToken' || error.name === 'InvalidIdentityTokenException') {
    return new UserError(`AWS refused to let this workflow assume ${roleArn}: ${error.name}: ${error.message}`, trustPolicyHint(tokenClaims(token), roleArn, audience));
  }
  return error;
}

async function checkAccount(session: AwsSession, { allowed, what, fix }: AccountRule): Promise<void> {
  const sts = createClient(STSClient, session);
  const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
  if (!Account || !allowed.includes(Account)) {
    throw new UserError(
      `The AWS identity ${Arn ?? '(unknown)'} is in account ${Account ?? '(unknown)'}, which ${what} (${allowed.join(', ')}).`,
      `Nothing was changed. Check "role-to-assume" and the credentials given to the job, ${fix}.`,
    );
  }
  core.info(`AWS account ${Account} is allowed.`);
}
