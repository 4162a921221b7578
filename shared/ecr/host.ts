/** ECR registry hosts: reading one from an image reference, and writing one. Kept free of AWS SDK imports. */
import { parseImageRef } from '../images.js';

/** Whether a repository's tags can be moved to another image. */
export type TagMutability = 'MUTABLE' | 'IMMUTABLE';

/** An image in an ECR private registry, named by tag. */
export interface EcrTaggedImage {
  registryId: string;
  region: string;
  repository: string;
  tag: string;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?:\.cn)?$/;

/** `<account>.dkr.ecr.<region>.amazonaws.com`. */
export function ecrHost(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com`;
}

/** `123456789012.dkr.ecr.us-east-1.amazonaws.com` from a repository URI and the repository's name. */
export function hostOfRepositoryUri(uri: string, repositoryName: string): string {
  return uri.slice(0, uri.length - repositoryName.length - 1);
}

/** The account and region of an ECR private registry's host; undefined for any other registry. */
export function ecrRegistry(host: string): { registryId: string; region: string } | undefined {
  const match = ECR_HOST.exec(host);
  return match ? { registryId: match[1]!, region: match[2]! } : undefined;
}

/** The registry, region, repository and tag of an ECR image given by tag; undefined for any other image (another registry, or a digest). */
export function ecrTaggedImage(image: string): EcrTaggedImage | undefined {
  const ref = parseImageRef(image);
  if (!ref.registry || !ref.tag || ref.digest) return undefined;
  const host = ecrRegistry(ref.registry);
  if (!host) return undefined;
  return { ...host, repository: ref.repository, tag: ref.tag };
}
