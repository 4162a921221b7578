/** The typed inputs of build-push, checked before anything talks to AWS or Docker. */
import * as input from '../../../shared/inputs.js';
import { readAwsInputs } from '../../../shared/aws/inputs.js';
import { UserError } from '../../../shared/errors.js';
import { githubContext } from '../../../shared/github.js';
import { CACHE_MODES, NETWORK_MODES, type BuildPushInputs } from '../../../shared/build-push/types.js';
import { DEFAULT_MANIFEST } from '../../../shared/manifest/file.js';

const REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REGISTRY = /^[a-zA-Z0-9.-]+(:\d+)?$/;

export function getInputs(): BuildPushInputs {
  const github = githubContext();
  const service = input.optional('service');
  const repository = input.optional('repository');
  if (!service && !repository) {
    throw new UserError('Input "service" is required (or "repository", to build without the services manifest).', 'Add to the step\'s "with:" block, for example: service: api');
  }
  if (repository !== undefined && (!REPOSITORY.test(repository) || repository.length < 2 || repository.length > 256)) {
    throw new UserError(`Input "repository" is "${repository}", which is not an ECR repository name.`, 'Use lowercase letters, digits and . _ - / separators, such as shop-api or shop/api.');
  }

  const workspace = github.workspace;
  const workingDirectory = input.directory('working-directory', workspace);
  const commitSha = github.sha;
  const tags = unique([...defaultTags(input.list('tags'), commitSha), ...input.list('extra-tags')]);
  for (const tag of tags) {
    if (!TAG.test(tag)) {
      throw new UserError(`The tag "${tag}" (from "tags" or "extra-tags") is not a valid image tag.`, 'A tag has up to 128 letters, digits, _ . and -, and does not start with . or -.');
    }
  }
  const platforms = input.list('platforms');
  const badPlatform = platforms.find((platform) => !PLATFORM.test(platform));
  if (badPlatform !== undefined) throw new UserError(`Input "platforms" contains "${badPlatform}", which is not a platform.`, 'Use platforms such as linux/amd64 or linux/arm64, separated by commas.');
  const registry = input.optional('registry');
  if (registry !== undefined && !REGISTRY.test(registry)) {
    throw new UserError(`Input "registry" is "${registry}", which is not a registry host.`, 'Give the host (and port) only, without https:// or a path, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com or 127.0.0.1:5000.');
  }
  const network = input.oneOf('network', NETWORK_MODES, 'default');

  return {
    service,
    manifest: input.optional('manifest') ?? DEFAULT_MANIFEST,
    workingDirectory,
    repository,
    context: input.optional('context'),
    dockerfile: input.optional('dockerfile'),
    commitSha,
    tags,
    buildArgs: buildArgs(),
    target: input.optional('target'),
    platforms,
    network: network === 'default' ? undefined : network,
    builder: input.optional('builder'),
    cache: input.oneOf('cache', CACHE_MODES, 'registry'),
    provenance: input.boolean('provenance', false),
    registry,
    createRepository: input.boolean('create-repository', false),
    imageTagMutability: input.oneOf('image-tag-mutability', ['MUTABLE', 'IMMUTABLE'] as const, 'MUTABLE'),
    scanOnPush: input.boolean('scan-on-push', false),
    pushRetries: input.integer('push-retries', 3, { min: 0, max: 10 }),
    rebuild: input.boolean('rebuild', false),
    aws: readAwsInputs(),
  };
}

function defaultTags(given: string[], commitSha: string): string[] {
  if (given.length) return given;
  if (!commitSha) {
    throw new UserError('Input "tags" is empty and GITHUB_SHA is not set, so there is no commit to tag the image with.', 'Run this in a GitHub Actions job, or set "tags".');
  }
  return [commitSha, 'latest'];
}

/** `KEY=VALUE` lines; a value may hold commas and `=`. */
function buildArgs(): Record<string, string> {
  const args: Record<string, string> = {};
  const lines = (input.optional('build-args') ?? '').split(/\r?\n/);
  lines.forEach((line, index) => {
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return;
    const at = text.indexOf('=');
    const key = at < 0 ? text : text.slice(0, at).trim();
    if (at < 0 || !BUILD_ARG.test(key)) {
      throw new UserError(`Line ${index + 1} of input "build-args" ("${text.length > 60 ? `${text.slice(0, 57)}...` : text}") is not KEY=VALUE.`, 'Write one build argument per line, such as NODE_ENV=production.');
    }
    args[key] = text.slice(at + 1);
  });
  return args;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
