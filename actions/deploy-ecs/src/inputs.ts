import * as input from '../../../shared/inputs.js';
import { UserError, quoted } from '../../../shared/errors.js';
import { readAwsInputs } from '../../../shared/aws/inputs.js';
import { githubContext } from '../../../shared/github.js';
import { IMAGE_TAG, imageProblem } from '../../../shared/images.js';
import { parseBakeWait, parseEnvironment, parseHealthUrls, parseImages, parseRollbackTo, parseServiceNames, parseStrategy } from '../../../shared/deploy/parse.js';
import type { DeployInputs, RollbackTo, Selection } from '../../../shared/deploy/types.js';
import { DEFAULT_MANIFEST } from '../../../shared/manifest/file.js';

const NAME = /^[A-Za-z0-9_-]{1,255}$/;
const CODEDEPLOY_NAME = /^[A-Za-z0-9_.+=,@-]{1,100}$/;

function codeDeployName(inputName: string): string | undefined {
  const value = input.optional(inputName);
  if (value !== undefined && !CODEDEPLOY_NAME.test(value)) {
    throw new UserError(`Input "${inputName}" is "${value}", which is not a CodeDeploy name.`, 'Use the name as the CodeDeploy console shows it (up to 100 letters, digits and _ . + = , @ -), not an ARN.');
  }
  return value;
}

function name(inputName: string, value: string | undefined): string | undefined {
  if (value !== undefined && !NAME.test(value)) {
    throw new UserError(`Input "${inputName}" is "${value}", which is not an ECS name.`, 'Use the name (letters, digits, - and _), not an ARN.');
  }
  return value;
}

function selection(): Selection {
  const services = input.optional('services');
  const service = name('service', input.optional('service'));
  if (services !== undefined && service !== undefined) {
    throw new UserError('Inputs "services" and "service" are both set.', 'Use "services" for services of the manifest, or "service" with "cluster" for one ECS service named directly, not both.');
  }
  if (service !== undefined) {
    return { kind: 'explicit', cluster: name('cluster', input.required('cluster', 'shop-prod'))!, service, container: name('container', input.optional('container')) };
  }
  if (services === undefined) {
    throw new UserError(
      'Input "services" is required: name the services of the manifest to deploy (or "all"), or set "service" and "cluster" to deploy one ECS service directly.',
      'For example "services: ${{ needs.changes.outputs.services }}" or "services: api, web".',
    );
  }
  if (input.optional('cluster') !== undefined || input.optional('container') !== undefined) {
    throw new UserError('Inputs "cluster" and "container" only apply with "service".', 'With "services", clusters and containers come from the manifest (ecs.cluster, ecs.container).');
  }
  return { kind: 'manifest', file: input.optional('manifest') ?? DEFAULT_MANIFEST, names: parseServiceNames(services) };
}

/**
 * `mode: rollback` makes an empty `rollback-to` an error instead of a deploy: a rollback workflow
 * dispatched without a target must never roll out the commit's images. Empty mode infers it.
 */
function rollbackTo(): RollbackTo | undefined {
  const mode = input.optional('mode') === undefined ? undefined : input.oneOf('mode', ['deploy', 'rollback'] as const, 'deploy');
  const given = input.optional('rollback-to');
  if (mode === 'rollback' && given === undefined) {
    throw new UserError(
      'Input "rollback-to" is empty, but "mode" is rollback: there is nothing to roll back to, and a rollback never deploys the commit\'s images.',
      'Set "rollback-to" to previous (the last revision that ran successfully), a revision number, a task-definition ARN, or the image tag (git SHA) to put back.',
    );
  }
  if (mode === 'deploy' && given !== undefined) {
    throw new UserError(`Input "rollback-to" is "${given}", but "mode" is deploy.`, 'Set "mode: rollback" to roll back, or remove "rollback-to" to deploy.');
  }
  return parseRollbackTo(given);
}

export function getInputs(): DeployInputs {
  const chosen = selection();
  const manifestEnvironment = input.optional('manifest-environment');
  if (manifestEnvironment !== undefined && chosen.kind === 'explicit') {
    throw new UserError(
      'Input "manifest-environment" only applies with "services": a service named with "service" and "cluster" is deployed where the inputs say.',
      'Deploy the services of the manifest with "services", or remove "manifest-environment".',
    );
  }
  const image = input.optional('image');
  const problem = image === undefined ? undefined : imageProblem(image);
  if (problem) {
    throw new UserError(`Input "image" is "${quoted(image!)}", which is ${problem}.`, 'Use <registry>/<repository>:<tag> or <registry>/<repository>@sha256:<digest>.');
  }
  if (image !== undefined && chosen.kind !== 'explicit') {
    throw new UserError('Input "image" only applies with "service".', 'For services of the manifest, use "images" (api=<image> lines), or leave it empty to deploy <repository>:<image-tag>.');
  }
  const imageTag = input.optional('image-tag') ?? (githubContext().sha || undefined);
  if (imageTag !== undefined && !IMAGE_TAG.test(imageTag)) {
    throw new UserError(`Input "image-tag" is "${imageTag}", which is not an image tag.`, 'Use up to 128 letters, digits, _, . and -; by default the commit SHA is used.');
  }
  const registry = input.optional('registry');
  if (registry !== undefined && !/^[a-zA-Z0-9.-]+(:\d+)?$/.test(registry)) {
    throw new UserError(`Input "registry" is "${registry}", which is not a registry host.`, 'Give a host such as 123456789012.dkr.ecr.us-east-1.amazonaws.com, without a path or scheme.');
  }
  const inputs: DeployInputs = {
    selection: chosen,
    manifestEnvironment,
    images: parseImages(input.optional('images')),
    image,
    imageTag,
    registry,
    taskDefinition: input.optional('task-definition'),
    environment: parseEnvironment(input.optional('environment')),
    wait: input.boolean('wait', true),
    waitTimeoutMs: input.duration('wait-timeout', '15m', { minMs: 1000, maxMs: 6 * 3_600_000 }),
    pollIntervalMs: input.duration('poll-interval', '10s', { minMs: 100, maxMs: 300_000 }),
    failedTasksThreshold: input.integer('failed-tasks-threshold', 3, { min: 0, max: 1000 }),
    healthUrls: parseHealthUrls(input.optional('health-url')),
    healthTimeoutMs: input.duration('health-timeout', '2m', { minMs: 1000, maxMs: 3_600_000 }),
    rollback: input.boolean('rollback', true),
    rollbackTo: rollbackTo(),
    allowOtherFamily: input.boolean('allow-other-family', false),
    forceNewDeployment: input.boolean('force-new-deployment', false),
    bakeWait: parseBakeWait(input.optional('bake-wait')),
    strategy: parseStrategy(input.optional('strategy')),
    codeDeploy: { application: codeDeployName('codedeploy-application'), deploymentGroup: codeDeployName('codedeploy-deployment-group') },
    aws: readAwsInputs(),
  };
  if (inputs.strategy && !inputs.wait) {
    throw new UserError(
      `Input "strategy" deploys once with ${inputs.strategy} and then puts the service's own strategy back, which needs the rollout watched to its end, but "wait" is false.`,
      'Set "wait: true", or change the service\'s strategy in its own configuration (console, CloudFormation, Terraform) and leave "strategy" empty.',
    );
  }
  if (inputs.strategy && inputs.rollbackTo) {
    throw new UserError('Inputs "strategy" and "rollback-to" are both set.', 'A rollback puts back an earlier release with the service\'s own strategy; remove "strategy".');
  }
  if (inputs.allowOtherFamily && !inputs.rollbackTo) {
    throw new UserError('Input "allow-other-family" only applies with "rollback-to".', 'Remove it, or set "rollback-to" to the revision to put back.');
  }
  if (inputs.rollbackTo) {
    const conflicting = (
      [
        ['images', Object.keys(inputs.images).length > 0],
        ['image', inputs.image !== undefined],
        ['task-definition', inputs.taskDefinition !== undefined],
        ['environment', Object.keys(inputs.environment).length > 0],
      ] as const
    ).filter(([, set]) => set);
    if (conflicting.length) {
      throw new UserError(
        `Input "rollback-to" puts back an earlier release as it was, so ${conflicting.map(([inputName]) => `"${inputName}"`).join(' and ')} cannot be set with it.`,
        'Remove them, or deploy a new release without "rollback-to".',
      );
    }
  }
  return inputs;
}
