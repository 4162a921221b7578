/**
 * One image of an ECR repository in any account's registry, by tag or digest: what build-push's
 * commit tag points at, which tags a running digest carries. Every "does ECR have it" asks here.
 */
import { DescribeImagesCommand, ECRClient, type ImageDetail } from '@aws-sdk/client-ecr';
import { createClient, type AwsSession } from '../aws/client.js';

export interface EcrRepositoryRef {
  registryId: string;
  region: string;
  repository: string;
}

/** A client for the ECR API of `region` with the session's credentials. */
export function ecrClientIn(session: AwsSession, region: string): ECRClient {
  return createClient(ECRClient, region === session.region ? session : { ...session, region });
}

/**
 * The image `reference` names in the repository, or undefined when ECR has no such image or
 * repository. Other errors (AccessDenied among them) are the caller's to judge.
 */
export async function lookupEcrImage(ecr: ECRClient, where: EcrRepositoryRef, reference: { tag: string } | { digest: string }): Promise<ImageDetail | undefined> {
  const imageId = 'tag' in reference ? { imageTag: reference.tag } : { imageDigest: reference.digest };
  try {
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ registryId: where.registryId, repositoryName: where.repository, imageIds: [imageId] }));
    return imageDetails?.[0];
  } catch (error) {
    if (error instanceof Error && (error.name === 'ImageNotFoundException' || error.name === 'RepositoryNotFoundException')) return undefined;
    throw error;
  }
}
