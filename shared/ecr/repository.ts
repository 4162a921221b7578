/**
 * ECR repositories and the images in them: whether the repository and an image are there, creating
 * the repository, and pointing more tags at an existing image without pulling or pushing layers.
 */
import * as core from '../core.js';
import { BatchGetImageCommand, CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, PutImageCommand, type ECRClient, type ImageDetail, type Repository } from '@aws-sdk/client-ecr';
import { UserError } from '../errors.js';
import type { TagMutability } from './host.js';

/** Every manifest type ECR stores, so BatchGetImage hands back the manifest exactly as pushed. */
const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface RepositorySettings {
  mutability: TagMutability;
  scanOnPush: boolean;
}

/** The repository, or undefined when it does not exist. */
export async function describeRepository(ecr: ECRClient, name: string): Promise<Repository | undefined> {
  try {
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return repositories?.[0];
  } catch (error) {
    if (error instanceof Error && error.name === 'RepositoryNotFoundException') return undefined;
    throw error;
  }
}

function createRepositoryCommand(name: string, region: string, settings: RepositorySettings): string {
  return `aws ecr create-repository --repository-name ${name} --region ${region} --image-tag-mutability ${settings.mutability} --image-scanning-configuration scanOnPush=${settings.scanOnPush}`;
}

export function missingRepository(name: string, region: string, settings: RepositorySettings): UserError {
  return new UserError(
    `The ECR repository "${name}" does not exist in ${region}. Nothing was built or pushed.`,
    `Create it once with:\n  ${createRepositoryCommand(name, region, settings)}\nor set "create-repository: true" on this step to create it with these settings.`,
  );
}

export async function createRepository(ecr: ECRClient, name: string, settings: RepositorySettings): Promise<Repository> {
  try {
    const { repository } = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageTagMutability: settings.mutability,
        imageScanningConfiguration: { scanOnPush: settings.scanOnPush },
      }),
    );
    core.info(`Created the ECR repository ${name} (tags ${settings.mutability.toLowerCase()}, scan on push ${settings.scanOnPush ? 'on' : 'off'}).`);
    return repository!;
  } catch (error) {
    // Another job of the same matrix created it a moment ago.
    if (error instanceof Error && error.name === 'RepositoryAlreadyExistsException') return (await describeRepository(ecr, name))!;
    throw error;
  }
}

/** The image `reference` (a tag or a digest) of `repository`, or undefined when ECR does not have it. */
export async function findImage(ecr: ECRClient, repository: string, reference: { tag: string } | { digest: string }): Promise<ImageDetail | undefined> {
  const imageId = 'tag' in reference ? { imageTag: reference.tag } : { imageDigest: reference.digest };
  try {
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [imageId] }));
    return imageDetails?.[0];
  } catch (error) {
    if (error instanceof Error && error.name === 'ImageNotFoundException') return undefined;
    throw error;
  }
}

/**
 * Makes each of `tags` point at the image `digest` with PutImage and its own manifest: no layer
 * moves. Returns the tags that were moved (those already pointing at it are left alone).
 */
export async function pointTags(ecr: ECRClient, repository: string, image: ImageDetail, tags: string[]): Promise<string[]> {
  const missing = tags.filter((tag) => !(image.imageTags ?? []).includes(tag));
  if (missing.length === 0) return [];
  const { images, failures } = await ecr.send(new BatchGetImageCommand({ repositoryName: repository, imageIds: [{ imageDigest: image.imageDigest }], acceptedMediaTypes: MANIFEST_MEDIA_TYPES }));
  const found = images?.[0];
  if (!found?.imageManifest) {
    throw new Error(`ECR BatchGetImage did not return the manifest of ${repository}@${image.imageDigest}: ${failures?.[0]?.failureReason ?? 'no reason given'}`);
  }
  for (const tag of missing) {
    try {
      await ecr.send(
        new PutImageCommand({
          repositoryName: repository,
          imageManifest: found.imageManifest,
          imageManifestMediaType: found.imageManifestMediaType ?? image.imageManifestMediaType,
          imageDigest: image.imageDigest,
          imageTag: tag,
        }),
      );
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      if (error.name === 'ImageAlreadyExistsException') continue;
      if (error.name === 'ImageTagAlreadyExistsException') {
        throw new UserError(
          `The tag "${tag}" already points at another image in the ECR repository "${repository}", whose tags are immutable, so it cannot be moved to ${image.imageDigest}.`,
          'Drop the tag from "tags"/"extra-tags" (immutable repositories suit commit tags only), or make the repository\'s tags mutable.',
        );
      }
      throw error;
    }
  }
  return missing;
}
