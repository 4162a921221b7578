/**
 * build-push: builds a service image with docker buildx and pushes it to ECR, or, when ECR already
 * has the image of this commit, points the other tags at it without building anything.
 */
import * as core from '../core.js';
import { ECRClient, type ImageDetail, type Repository } from '@aws-sdk/client-ecr';
import { join } from 'node:path';
import { phase } from '../action.js';
import { createClient } from '../aws/client.js';
import { openSession } from '../aws/session.js';
import { UserError } from '../errors.js';
import { githubContext } from '../github.js';
import { formatDuration } from '../time.js';
import { buildAndPush, type BuildOutcome } from './buildx.js';
import { CACHE_TAG, planCache, type CachePlan } from './cache.js';
import { checkBuilder, createDockerConfig, registryImageSize, type Builder } from './docker.js';
import { resolveTarget, type BuildTarget } from './target.js';
import type { BuildPushInputs, BuildPushResult } from './types.js';
import { registryHost, registryLogin } from '../ecr/registry.js';
import { createRepository, describeRepository, findImage, missingRepository, pointTags, type RepositorySettings } from '../ecr/repository.js';

export type { BuildPushInputs } from './types.js';
export { jobSummary } from './summary.js';

export interface BuildPushReport {
  result: BuildPushResult;
  /** What happened, in a few words, for the summary. */
  outcome: string;
}

/** What every phase of one build-push call works with. */
interface Call {
  inputs: BuildPushInputs;
  target: BuildTarget;
  ecr: ECRClient;
  settings: RepositorySettings;
  /** The tag that is the commit SHA, when one is. */
  commitTag?: string;
  /** The tag of the `image` output. */
  mainTag: string;
  started: number;
}

export async function runBuildPush(inputs: BuildPushInputs): Promise<BuildPushReport> {
  const started = Date.now();
  const target = await phase('What to build', async () => {
    const found = await resolveTarget(inputs);
    describeTarget(found, inputs);
    return found;
  });
  const session = await openSession(inputs.aws, { fallbackRegion: target.region, fallbackRole: target.role });
  const commitTag = inputs.tags.includes(inputs.commitSha) ? inputs.commitSha : undefined;
  const call: Call = {
    inputs,
    target,
    ecr: createClient(ECRClient, session),
    settings: { mutability: inputs.imageTagMutability, scanOnPush: inputs.scanOnPush },
    commitTag,
    mainTag: commitTag ?? inputs.tags[0]!,
    started,
  };

  const { repository, existing } = await phase(`ECR repository ${target.repository}`, async () => {
    const repository = await describeRepository(call.ecr, target.repository);
    if (!repository && !inputs.createRepository) throw missingRepository(target.repository, session.region, call.settings);
    if (!repository) {
      core.info(`The repository does not exist yet; it will be created once Docker is checked ("create-repository" is on).`);
      return { repository, existing: undefined };
    }
    core.info(`Repository ${repository.repositoryUri} (tags ${repository.imageTagMutability?.toLowerCase() ?? 'mutable'}).`);
    return { repository, existing: await lookForCommitImage(call.ecr, target.repository, commitTag, inputs.rebuild) };
  });
  if (existing && repository) return phase('Reuse the image already in ECR', () => reuse(call, repository, existing));
  return build(call, repository);
}

/** Docker logs in and pushes here; ECR's API is asked about everything else. */
function pushHost({ inputs, target }: Call, repository: Repository): string {
  return inputs.registry ?? target.registry ?? registryHost(repository);
}

/** The commit's image is in ECR already: the other tags are pointed at it, nothing is built. */
async function reuse(call: Call, repository: Repository, existing: ImageDetail): Promise<BuildPushReport> {
  const { inputs, target } = call;
  const moved = await pointTags(call.ecr, target.repository, existing, inputs.tags);
  const digest = existing.imageDigest!;
  const pointed = moved.length ? ` Pointed ${moved.join(', ')} at it.` : ' Every tag already points at it.';
  core.notice(`Skipped the build: ECR already has the image of commit ${call.commitTag} (${target.repository}@${digest}).${pointed}`);
  return {
    outcome: `skipped: commit already in ECR${moved.length ? `; moved ${moved.join(', ')}` : ''}`,
    result: result(call, pushHost(call, repository), digest, true, existing.imageSizeInBytes),
  };
}

/** Checks Docker, creates the repository if asked, logs in, builds and pushes. */
async function build(call: Call, repository: Repository | undefined): Promise<BuildPushReport> {
  const { inputs, target, ecr } = call;
  const dockerConfig = createDockerConfig();
  try {
    const builder = await phase('Docker and buildx', async () => {
      const found = await checkBuilder(dockerConfig.env, inputs.builder);
      checkPlatforms(found, target.platforms);
      return found;
    });
    const repo = repository ?? (await phase(`Create the ECR repository ${target.repository}`, () => createRepository(ecr, target.repository, call.settings)));
    const host = pushHost(call, repo);
    if (repo.imageTagMutability === 'IMMUTABLE')
      await refuseTakenTags(
        ecr,
        target.repository,
        inputs.tags.filter((tag) => tag !== call.commitTag),
      );

    await phase(`Log in to ${host}`, async () => {
      const login = await registryLogin(ecr);
      if (host !== registryHost(repo)) core.info(`Using the "registry" override ${host} instead of ${registryHost(repo)}.`);
      await dockerConfig.login(host, login.username, login.password);
    });

    const image = `${host}/${target.repository}`;
    const movingTag = inputs.tags.find((tag) => tag !== call.commitTag);
    const cache = planCache(inputs.cache, {
      image,
      repository: target.repository,
      driver: builder.driver,
      movingTag,
      existingTags: await existingTags(ecr, target.repository, [movingTag, CACHE_TAG]),
      immutableTags: repo.imageTagMutability === 'IMMUTABLE',
      env: process.env,
    });
    if (cache.fallback) core.notice(cache.fallback);
    // The docker driver makes no attestations; other drivers add them unless told not to.
    const provenance = builder.driver === 'docker' ? undefined : inputs.provenance;
    if (inputs.provenance && builder.driver === 'docker') core.warning('Provenance attestations need a builder other than the docker driver (docker/setup-buildx-action); building without them.');

    const outcome = await phase('Build and push', async () => {
      const built = await buildAndPush(
        {
          context: target.context,
          dockerfile: target.dockerfile,
          refs: inputs.tags.map((tag) => `${image}:${tag}`),
          labels: ociLabels(inputs.commitSha),
          buildArgs: target.buildArgs,
          target: target.target,
          platforms: target.platforms,
          network: inputs.network,
          builder: inputs.builder,
          cache,
          provenance,
          metadataFile: join(dockerConfig.dir, 'metadata.json'),
        },
        { env: dockerConfig.env, retries: inputs.pushRetries },
      );
      core.info(describeBuild(built, cache));
      return built;
    });

    const size = (await findImage(ecr, target.repository, { digest: outcome.digest }))?.imageSizeInBytes ?? (await registryImageSize(`${image}@${outcome.digest}`, dockerConfig.env));
    return {
      outcome: `built${outcome.attempts > 1 ? ` (${outcome.attempts} attempts)` : ''}; ${outcome.cachedSteps} of ${outcome.steps} steps cached`,
      result: result(call, host, outcome.digest, false, size),
    };
  } finally {
    dockerConfig.dispose();
  }
}

/** The commit's image in ECR, when there is one and a rebuild was not asked for. Asks ECR's API, never the registry. */
async function lookForCommitImage(ecr: ECRClient, repository: string, commitTag: string | undefined, rebuild: boolean): Promise<ImageDetail | undefined> {
  if (!commitTag) {
    core.info('No tag is the commit SHA, so there is no earlier build of this commit to reuse: building.');
    return undefined;
  }
  const existing = await findImage(ecr, repository, { tag: commitTag });
  if (!existing) {
    core.info(`ECR has no image tagged ${commitTag} yet: building.`);
    return undefined;
  }
  if (rebuild) {
    core.info(`ECR already has ${repository}:${commitTag} (${existing.imageDigest}), but "rebuild" is on: building again.`);
    return undefined;
  }
  return existing;
}

/** Which of `tags` the repository has, by ECR's account (not the registry's). */
async function existingTags(ecr: ECRClient, repository: string, tags: (string | undefined)[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const tag of tags) if (tag && (await findImage(ecr, repository, { tag }))) found.add(tag);
  return found;
}

/** In a repository with immutable tags, a tag that already exists cannot be pushed again: say so before building. */
async function refuseTakenTags(ecr: ECRClient, repository: string, tags: string[]): Promise<void> {
  const taken = [...(await existingTags(ecr, repository, tags))];
  if (taken.length === 0) return;
  throw new UserError(
    `The ECR repository "${repository}" has immutable tags and already has ${taken.map((tag) => `"${tag}"`).join(', ')}, so the push would be refused. Nothing was built.`,
    'Leave those tags out ("tags" / "extra-tags"): immutable repositories suit commit tags only. Or make the repository\'s tags mutable.',
  );
}

function checkPlatforms(builder: Builder, platforms: string[]): void {
  if (platforms.length > 1 && builder.driver === 'docker') {
    throw new UserError(
      `The builder "${builder.name}" uses the docker driver, which builds one platform at a time, but "platforms" asks for ${platforms.join(', ')}.`,
      'Add docker/setup-qemu-action and docker/setup-buildx-action before this step, or build one platform.',
    );
  }
  if (builder.platforms.length === 0) return;
  const supported = (platform: string) => builder.platforms.some((have) => have === platform || have.startsWith(`${platform}/`) || platform.startsWith(`${have}/`));
  const missing = platforms.filter((platform) => !supported(platform));
  if (missing.length) {
    throw new UserError(
      `The builder "${builder.name}" cannot build ${missing.join(', ')}; it builds ${builder.platforms.join(', ')}.`,
      'Add docker/setup-qemu-action (emulation) and docker/setup-buildx-action before this step, or remove those platforms.',
    );
  }
}

function ociLabels(commitSha: string, now = new Date()): Record<string, string> {
  const { serverUrl, repository } = githubContext();
  const labels: Record<string, string> = {};
  if (repository) labels['org.opencontainers.image.source'] = `${serverUrl}/${repository}`;
  if (commitSha) labels['org.opencontainers.image.revision'] = commitSha;
  labels['org.opencontainers.image.created'] = now.toISOString();
  return labels;
}

function describeTarget(target: BuildTarget, inputs: BuildPushInputs): void {
  const args = Object.keys(target.buildArgs);
  core.info(
    [
      `Service:    ${target.service}`,
      `Repository: ${target.repository}`,
      `Context:    ${target.context}`,
      `Dockerfile: ${target.dockerfile}`,
      `Tags:       ${inputs.tags.join(', ')}`,
      ...(args.length ? [`Build args: ${args.join(', ')}`] : []),
      ...(target.target ? [`Target:     ${target.target}`] : []),
      ...(target.platforms.length ? [`Platforms:  ${target.platforms.join(', ')}`] : []),
    ].join('\n'),
  );
}

function describeBuild(built: BuildOutcome, cache: CachePlan): string {
  const tries = built.attempts > 1 ? ` after ${built.attempts} attempts` : '';
  return `Built and pushed ${built.digest} in ${formatDuration(built.durationMs)}${tries}; ${built.cachedSteps} of ${built.steps} steps came from the cache (${cache.mode} cache).`;
}

function result({ inputs, target, mainTag, started }: Call, registry: string, digest: string, skipped: boolean, size: number | undefined): BuildPushResult {
  const name = `${registry}/${target.repository}`;
  return {
    service: target.service,
    repository: target.repository,
    image: `${name}:${mainTag}`,
    digest,
    imageWithDigest: `${name}@${digest}`,
    tags: inputs.tags,
    skipped,
    sizeBytes: size ?? null,
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };
}
