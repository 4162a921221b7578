/** The account's ECR registry: its host, and the credentials Docker logs in to it with. */
import * as core from '../core.js';
import { GetAuthorizationTokenCommand, type ECRClient, type Repository } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createClient, type AwsSession } from '../aws/client.js';
import { ecrHost, hostOfRepositoryUri } from './host.js';

/** `123456789012.dkr.ecr.us-east-1.amazonaws.com` from the repository's URI. */
export function registryHost(repository: Repository): string {
  return hostOfRepositoryUri(repository.repositoryUri ?? '', repository.repositoryName ?? '');
}

/** The registry of the account the session runs as, in the session's region. */
export async function accountRegistry(session: AwsSession): Promise<string> {
  const { Account } = await createClient(STSClient, session).send(new GetCallerIdentityCommand({}));
  if (!Account) throw new Error('STS GetCallerIdentity returned no account');
  return ecrHost(Account, session.region);
}

export interface RegistryLogin {
  username: string;
  password: string;
}

/** Docker credentials for the account's registry, masked before anything can print them. */
export async function registryLogin(ecr: ECRClient): Promise<RegistryLogin> {
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  const token = authorizationData?.[0]?.authorizationToken;
  if (!token) throw new Error('ECR GetAuthorizationToken returned no token');
  core.setSecret(token);
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new Error('ECR GetAuthorizationToken returned a token that is not "user:password"');
  const password = decoded.slice(colon + 1);
  core.setSecret(password);
  return { username: decoded.slice(0, colon), password };
}
