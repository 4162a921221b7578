/**
 * Checks that an image about to be run exists in ECR, before anything is registered or started: a
 * missing tag would otherwise only show as CannotPullContainerError minutes later, after a task
 * definition revision was registered (and a service updated) for nothing.
 */
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { createClient, type AwsSession } from '../aws/client.js';
import { isAccessDenied } from '../aws/errors.js';
import { UserError } from '../errors.js';
import { ecrTaggedImage } from './host.js';

export interface ImageCheckContext {
  /** How the image was chosen, for the message (e.g. `the commit's tag (the default)`). */
  origin: string;
  /** What to do when the image is missing (worked out only then). */
  whatToDo: string | (() => Promise<string>);
  /** What the check protects, for the AccessDenied warning (e.g. `starting the migration`). */
  before: string;
}

/**
 * Fails with a UserError when ECR says the image's tag (or its repository) does not exist. A check
 * the role may not make (AccessDenied) is a warning, and the caller goes ahead unchecked.
 * Images outside ECR, and images given by digest, are not checked.
 */
export async function requireImageInEcr(session: AwsSession, image: string, context: ImageCheckContext, warn: (message: string) => void): Promise<'found' | 'unchecked' | 'skipped'> {
  const ecrImage = ecrTaggedImage(image);
  if (!ecrImage) return 'skipped';
  const { registryId, region, repository, tag } = ecrImage;
  const ecr = createClient(ECRClient, { ...session, region });
  try {
    await ecr.send(new DescribeImagesCommand({ registryId, repositoryName: repository, imageIds: [{ imageTag: tag }] }));
    return 'found';
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const where = `The ECR repository "${repository}" (registry ${registryId}, ${region})`;
    const nothingRan = 'Nothing was registered or started.';
    const whatToDo = () => (typeof context.whatToDo === 'string' ? context.whatToDo : context.whatToDo());
    if (error.name === 'ImageNotFoundException') {
      throw new UserError(`${where} has no image tagged "${tag}" (${context.origin}). ${nothingRan}`, await whatToDo());
    }
    if (error.name === 'RepositoryNotFoundException') {
      throw new UserError(`${where} does not exist, so it has no image tagged "${tag}" (${context.origin}). ${nothingRan}`, `Check the image the step runs (${image}). ${await whatToDo()}`);
    }
    if (isAccessDenied(error)) {
      warn(
        `Could not check that ${image} exists in ECR before ${context.before}: ECR DescribeImages was denied (${error.message}). ` +
          `Allow "ecr:DescribeImages" on the repository ${repository} to the role this workflow assumes, so that a missing image fails here, before anything is registered or run.`,
      );
      return 'unchecked';
    }
    throw error;
  }
}
