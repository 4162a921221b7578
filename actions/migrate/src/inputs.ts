import * as input from '../../../shared/inputs.js';
import { readAwsInputs } from '../../../shared/aws/inputs.js';
import { UserError } from '../../../shared/errors.js';
import { githubContext } from '../../../shared/github.js';
import { checkIds, checkImage, parseCapacityProviderStrategy, parseCommand, parseEnvironment } from '../../../shared/migrate/parse.js';
import type { MigrateInputs } from '../../../shared/migrate/types.js';
import { IMAGE_TAG } from '../../../shared/images.js';

const LAUNCH_TYPES = ['FARGATE', 'EC2', 'EXTERNAL'] as const;

/** `image: current` runs the image the task definition names now. */
const CURRENT_IMAGE = 'current';

/** The commit's SHA, the tag build-push always pushes: the image to migrate with when none is given. */
function commitTag(): string {
  const sha = githubContext().sha;
  if (!sha || !IMAGE_TAG.test(sha)) {
    throw new UserError(
      `Neither "image" nor "image-tag" is given, and GITHUB_SHA is ${sha ? `"${sha}", which is not an image tag` : 'not set'}, so there is no commit tag to migrate with.`,
      'Set "image-tag" to the tag build-push pushed (e.g. image-tag: ${{ github.sha }}), or "image" to the full image. ' +
        '"image: current" runs the image the service runs now, which applies nothing when it predates the new migrations.',
    );
  }
  return sha;
}

export function getInputs(): MigrateInputs {
  const service = input.optional('service');
  const ecsService = input.optional('ecs-service');
  const taskDefinition = input.optional('task-definition');
  if (!service && !ecsService && !taskDefinition) {
    throw new UserError(
      'Input "service" is required but was not given.',
      'Set it to a service of the services manifest, for example: service: api. ' + 'Without a manifest, set "cluster", "ecs-service" (or "task-definition"), "container" and "command" instead.',
    );
  }
  const manifestEnvironment = input.optional('manifest-environment');
  if (manifestEnvironment !== undefined && !service) {
    throw new UserError(
      'Input "manifest-environment" only applies with "service": without a service of the manifest, the cluster and task come from the inputs.',
      'Set "service" to a service of the manifest, or remove "manifest-environment".',
    );
  }
  const command = input.optional('command');
  const givenImage = input.optional('image');
  const currentImage = givenImage === CURRENT_IMAGE;
  const image = currentImage ? undefined : givenImage;
  const givenTag = input.optional('image-tag');
  if (givenTag !== undefined && givenImage !== undefined) {
    throw new UserError('Inputs "image" and "image-tag" are both set.', "Give the full image, or only the tag to run from the image's own repository, not both.");
  }
  if (givenTag !== undefined && !IMAGE_TAG.test(givenTag)) {
    throw new UserError(`Input "image-tag" is "${givenTag}", which is not an image tag.`, 'Use up to 128 letters, digits, _, . and -, such as the commit SHA.');
  }
  // Neither given: the commit's tag, which build-push always pushes. Never the image the service
  // runs now, which predates this commit's migrations and would apply nothing.
  const imageTagFromCommit = givenImage === undefined && givenTag === undefined;
  const imageTag = imageTagFromCommit ? commitTag() : givenTag;
  const launchType = input.optional('launch-type') ? input.oneOf('launch-type', LAUNCH_TYPES, 'FARGATE') : undefined;
  const strategy = input.json('capacity-provider-strategy', 'a JSON array such as [{"capacityProvider": "FARGATE_SPOT", "weight": 1}]');
  if (launchType && strategy !== undefined) {
    throw new UserError('Inputs "launch-type" and "capacity-provider-strategy" are both set, but a task runs with one or the other.', "Remove one of them (with neither, the service's own setting is used).");
  }
  const databaseUrlVariable = input.optional('database-url-variable') ?? 'DATABASE_URL';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(databaseUrlVariable)) {
    throw new UserError(`Input "database-url-variable" is "${databaseUrlVariable}", which is not an environment variable name.`, 'Use a name such as DATABASE_URL.');
  }
  return {
    service,
    manifest: input.optional('manifest'),
    manifestEnvironment,
    workspace: githubContext().workspace,
    image: image === undefined ? undefined : checkImage(image, 'image'),
    imageTag,
    imageTagFromCommit: imageTagFromCommit || undefined,
    currentImage: currentImage || undefined,
    taskDefinition,
    container: input.optional('container'),
    command: command === undefined ? undefined : parseCommand(command, 'command'),
    environment: parseEnvironment(input.optional('environment') ?? '', 'environment'),
    cluster: input.optional('cluster'),
    ecsService,
    subnets: checkIds(input.list('subnets'), 'subnet', 'subnets'),
    securityGroups: checkIds(input.list('security-groups'), 'security group', 'security-groups'),
    assignPublicIp: input.optional('assign-public-ip') === undefined ? undefined : input.boolean('assign-public-ip', false),
    launchType,
    capacityProviderStrategy: strategy === undefined ? undefined : parseCapacityProviderStrategy(strategy, 'capacity-provider-strategy'),
    platformVersion: input.optional('platform-version'),
    pollIntervalMs: input.duration('poll-interval', '5s', { minMs: 100, maxMs: 300_000 }),
    timeoutMs: input.duration('timeout', '15m', { minMs: 1000, maxMs: 6 * 3_600_000 }),
    databaseUrlVariable,
    aws: readAwsInputs(),
  };
}
