/**
 * A registry as a promotion sees it: its host, ECR's answers about it (what a tag or digest is,
 * whether a repository exists) and the credentials to copy with. An ECR host is asked through ECR's
 * API, in the account the host names; any other host (a "registry" override) through the registry
 * API, with the ECR credentials of the session's account, as build-push pushes to it.
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { AwsSession } from '../aws/client.js';
import { ecrRegistry } from '../ecr/host.js';
import { ecrClientIn, lookupEcrImage } from '../ecr/lookup.js';
import { registryLogin, type RegistryLogin } from '../ecr/registry.js';
import { registryDigest, type RegistryRepository } from './copy-image.js';

export interface Registry {
  host: string;
  session: AwsSession;
  ecr: ECRClient;
  /** The account of an ECR host (for calls about another account's registry); undefined for other hosts. */
  registryId?: string;
  /** The digest `reference` (a tag or a digest) has in `repository`, or undefined when it has none. */
  digest(repository: string, reference: string): Promise<string | undefined>;
  /** The repository with credentials, for a copy. */
  location(repository: string): Promise<RegistryRepository>;
}

export function openRegistry(host: string, session: AwsSession): Registry {
  const ecrHost = ecrRegistry(host);
  const ecr = ecrClientIn(session, ecrHost?.region ?? session.region);
  let login: Promise<RegistryLogin> | undefined;
  const credentials = () => (login ??= registryLogin(ecr));
  const location = async (repository: string): Promise<RegistryRepository> => ({ registry: host, repository, auth: await credentials() });
  return {
    host,
    session,
    ecr,
    registryId: ecrHost?.registryId,
    location,
    async digest(repository, reference) {
      if (!ecrHost) return registryDigest(await location(repository), reference);
      const found = await lookupEcrImage(ecr, { ...ecrHost, repository }, reference.startsWith('sha256:') ? { digest: reference } : { tag: reference });
      return found?.imageDigest;
    },
  };
}
