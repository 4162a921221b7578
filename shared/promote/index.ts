/**
 * promote: puts images that already exist into a manifest environment by digest, without building:
 * what another environment runs now, or what was built for a commit. Everything is read and checked
 * first (both environments, the source images, the target's permission to pull them, the target
 * repositories); only then are images copied into the target's registry (with `images: copy`).
 * Deploying them is the deploy action's work, with the `images` output.
 */
import * as core from '../core.js';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { phase } from '../action.js';
import { createClient, type AwsSession } from '../aws/client.js';
import { openSession } from '../aws/session.js';
import { accountRegistry } from '../ecr/registry.js';
import { describeRepository } from '../ecr/repository.js';
import { UserError } from '../errors.js';
import { parseImageRef, shortDigest } from '../images.js';
import { describeEnvironment, requiredAccount } from '../manifest/environments.js';
import { loadManifest } from '../manifest/load.js';
import type { Manifest, ServiceSpec } from '../manifest/types.js';
import { formatDuration } from '../time.js';
import { copyByDigest } from './copy-image.js';
import { checkPulls, type PullCheck } from './pull-check.js';
import { openRegistry, type Registry } from './registry.js';
import { resolveRoute, type Route } from './route.js';
import { isRunning, readRunning, type Running } from './running.js';
import type { PromoteInputs, PromoteResult, ServicePromotion } from './types.js';

export type { PromoteInputs } from './types.js';
export { actionOutputs, jobSummary } from './summary.js';

const COMMIT_TAG = /^[0-9a-f]{40}$/;

export interface PromoteReport {
  result: PromoteResult;
  /** The manifest resolved for `to`, for the matrix output. */
  manifest: Manifest;
}

/** A source image, by digest, and where it lives. */
interface SourceImage {
  image: string;
  digest: string;
  registry: Registry;
  repository: string;
  tag?: string;
}

type Source = SourceImage | { absent: string };

export async function promote(inputs: PromoteInputs): Promise<PromoteReport> {
  const started = Date.now();
  const route = await phase('What to promote', async () => {
    const found = resolveRoute(await loadManifest(inputs.manifest, inputs.workspace), inputs);
    if (found.from) core.info(describeEnvironment(found.from));
    core.info(describeEnvironment(found.to));
    core.info(`Promoting ${found.services.map((service) => service.name).join(', ')} into "${found.to.environment!.name}" from ${sourceName(found)}.`);
    return found;
  });
  const sessions = sessionOpener(inputs);
  const toSession = await sessions(route.to.role ?? inputs.aws.roleToAssume, inputs.aws.region ?? route.to.region, requiredAccount(route.to));
  const registries = registryCache();

  const sources = await phase(`What ${sourceName(route)} has`, () => readSources(route, inputs, sessions, registries));
  const toName = route.to.environment!.name;
  const running = await phase(`What "${toName}" runs now`, async () => {
    const found = await readRunning(createClient(ECSClient, toSession), route.services, {
      registryDigest: (image) => imageDigest(image, toSession, registries),
      log: core.info,
    });
    for (const service of route.services) {
      const now = found.get(service.name);
      core.info(isRunning(now) ? `${service.name}: ${now.where} runs ${now.image}${now.digest ? ` (${now.digest}, from the ${now.digestFrom})` : ', digest unknown'}.` : `${service.name}: ${now?.missing}.`);
    }
    return found;
  });

  const services: ServicePromotion[] = route.services.map((service) => compare(service, sources.get(service.name)!, running.get(service.name), route));
  const changing = services.filter((service) => service.changed);
  const missingInTarget = changing.filter((service) => !isRunning(running.get(service.name)));
  if (missingInTarget.length) {
    throw new UserError(
      `${missingInTarget.map((service) => `${service.name}: ${(running.get(service.name) as { missing: string }).missing}`).join('\n')}\nin "${toName}", so there is nothing to promote into. Nothing was changed.`,
      `Create the service in "${toName}" first (infrastructure code, or aws ecs create-service), or fix its names in the manifest (environments.${toName}.cluster, environments.${toName}.services.<name>.ecs.service).`,
    );
  }

  const mode = route.to.environment!.images;
  if (changing.length === 0) core.info(`"${toName}" already runs every promoted image: nothing to do.`);
  else if (mode === 'pull') await phase(`Check that "${toName}" may pull the images`, () => checkPull(changing, sources, running, toSession, route));
  else await copyImages(changing, sources, route, toSession, registries, inputs.tempDir);

  const result: PromoteResult = {
    from: route.from?.environment?.name,
    to: toName,
    commit: route.commit,
    images: mode,
    services,
    migrate: changing.some((service) => route.to.services.find((spec) => spec.name === service.name)?.migrate !== undefined),
    durationSeconds: Math.round((Date.now() - started) / 1000),
  };
  core.info(`Promotion into "${toName}" prepared in ${formatDuration(Date.now() - started)}: ${changing.length} of ${services.length} service${services.length === 1 ? '' : 's'} to deploy.`);
  return { result, manifest: route.to };
}

function sourceName(route: Route): string {
  return route.commit ? `commit ${route.commit.slice(0, 12)}` : `"${route.from!.environment!.name}"`;
}

type SessionOpener = (role: string | undefined, region: string | undefined, account?: { id: string; source: string }) => Promise<AwsSession>;

/** Opens each distinct session once: environments that share a role, region and account share it. */
function sessionOpener(inputs: PromoteInputs): SessionOpener {
  const opened = new Map<string, Promise<AwsSession>>();
  return (role, region, account) => {
    const key = JSON.stringify([role, region, account?.id]);
    if (!opened.has(key)) opened.set(key, openSession({ ...inputs.aws, roleToAssume: role, region }, { requiredAccount: account }));
    return opened.get(key)!;
  };
}

type RegistryCache = (host: string, session: AwsSession) => Registry;

function registryCache(): RegistryCache {
  const open = new Map<AwsSession, Map<string, Registry>>();
  return (host, session) => {
    const bySession = open.get(session) ?? new Map<string, Registry>();
    open.set(session, bySession);
    if (!bySession.has(host)) bySession.set(host, openRegistry(host, session));
    return bySession.get(host)!;
  };
}

/** The digest of an image by tag, asked of its registry; undefined for an image without a registry host. */
async function imageDigest(image: string, session: AwsSession, registries: RegistryCache): Promise<string | undefined> {
  const ref = parseImageRef(image);
  if (!ref.registry || !ref.tag) return undefined;
  return registries(ref.registry, session).digest(ref.repository, ref.tag);
}

async function readSources(route: Route, inputs: PromoteInputs, sessions: SessionOpener, registries: RegistryCache): Promise<Map<string, Source>> {
  const sources = new Map<string, Source>();
  const problems: string[] = [];
  if (route.commit) {
    const { build, commit } = route;
    const session = await sessions(build.role ?? inputs.aws.roleToAssume, build.region ?? inputs.aws.region);
    const host = build.registry ?? (await accountRegistry(session));
    const registry = registries(host, session);
    await Promise.all(
      route.services.map(async (service) => {
        const image = `${host}/${service.repository}:${commit}`;
        const digest = await registry.digest(service.repository, commit);
        if (digest) {
          core.info(`${service.name}: ${image} is ${digest}.`);
          sources.set(service.name, { image, digest, registry, repository: service.repository, tag: commit });
        } else if (route.named) problems.push(`${service.name}: the build registry ${host} has no image ${service.repository}:${commit}`);
        else sources.set(service.name, { absent: `no image ${service.repository}:${commit.slice(0, 12)} in ${host}: the service was not built at this commit` });
      }),
    );
    if (problems.length) {
      throw new UserError(
        `${problems.sort().join('\n')}\nNothing was changed.`,
        `Run the build for commit ${commit} first (build-push tags every image with the commit SHA), or promote from an environment with "from". Check "commit" is the full SHA of a commit whose build succeeded.`,
      );
    }
  } else {
    const from = route.from!;
    const fromName = from.environment!.name;
    const session = await sessions(from.role ?? inputs.aws.roleToAssume, from.region ?? inputs.aws.region, requiredAccount(from));
    const specs = route.services.map((service) => from.services.find((spec) => spec.name === service.name)!);
    const running = await readRunning(createClient(ECSClient, session), specs, { registryDigest: (image) => imageDigest(image, session, registries), log: core.info });
    for (const service of specs) {
      const now = running.get(service.name);
      if (!isRunning(now)) {
        if (route.named) problems.push(`${service.name}: ${now?.missing ?? 'not found'}`);
        else sources.set(service.name, { absent: `not running in "${fromName}": ${now?.missing}` });
        continue;
      }
      const ref = parseImageRef(now.image);
      if (!now.digest || !ref.registry) {
        problems.push(
          `${service.name}: ${now.where} runs ${now.image}, whose digest cannot be found (no running task reports it${ref.tag && COMMIT_TAG.test(ref.tag) ? ' and its registry has no such tag' : ', and a tag that is not a commit SHA may have moved since'})`,
        );
        continue;
      }
      core.info(`${service.name}: ${now.where} runs ${now.image} (${now.digest}, from the ${now.digestFrom}).`);
      sources.set(service.name, { image: now.image, digest: now.digest, registry: registries(ref.registry, session), repository: ref.repository, tag: ref.tag });
    }
    if (problems.length) {
      throw new UserError(
        `What "${fromName}" runs cannot be promoted:\n${problems.join('\n')}\nNothing was changed.`,
        `Deploy "${fromName}" first (its services must run an image of a registry, by digest or by commit tag), or promote a commit with "commit", or leave the service out of "services".`,
      );
    }
    if (![...sources.values()].some((source) => 'digest' in source)) {
      throw new UserError(`No service of the manifest runs in "${fromName}", so there is nothing to promote from it. Nothing was changed.`, `Deploy "${fromName}" first, or promote a commit with "commit".`);
    }
  }
  return sources;
}

function compare(service: ServiceSpec, source: Source, now: Running | { missing: string } | undefined, route: Route): ServicePromotion {
  const running = isRunning(now) ? { image: now.image, digest: now.digest } : undefined;
  if ('absent' in source) return { name: service.name, changed: false, reason: source.absent, action: 'not-in-source', running };
  const from = { image: source.image, digest: source.digest };
  const toName = route.to.environment!.name;
  if (running?.digest === source.digest) {
    return { name: service.name, changed: false, reason: `"${toName}" already runs ${shortDigest(source.digest)}`, action: 'unchanged', source: from, running };
  }
  const current = running ? (running.digest ? shortDigest(running.digest) : `${running.image} (digest unknown)`) : 'nothing';
  return { name: service.name, changed: true, reason: `"${toName}" runs ${current}; ${sourceName(route)} ${route.commit ? 'built' : 'runs'} ${shortDigest(source.digest)}`, action: 'pull-allowed', source: from, running };
}

async function accountOf(session: AwsSession): Promise<string> {
  const { Account } = await createClient(STSClient, session).send(new GetCallerIdentityCommand({}));
  if (!Account) throw new Error('STS GetCallerIdentity returned no account');
  return Account;
}

async function checkPull(changing: ServicePromotion[], sources: Map<string, Source>, running: Map<string, Running | { missing: string }>, toSession: AwsSession, route: Route): Promise<void> {
  const toAccount = route.to.environment!.account ?? (await accountOf(toSession));
  const accounts = new Map<AwsSession, Promise<string>>();
  const checks: PullCheck[] = [];
  for (const service of changing) {
    const source = sources.get(service.name) as SourceImage;
    const now = running.get(service.name) as Running;
    const session = source.registry.session;
    if (!accounts.has(session)) accounts.set(session, accountOf(session));
    const sourceAccount = source.registry.registryId ?? (await accounts.get(session)!);
    checks.push({ service: service.name, registry: source.registry, sourceAccount, repository: source.repository, principal: { account: toAccount, roleArn: now.executionRoleArn } });
    service.target = { image: `${source.registry.host}/${source.repository}@${source.digest}`, digest: source.digest };
  }
  for (const outcome of await checkPulls(checks)) {
    const service = changing.find((candidate) => candidate.name === outcome.service)!;
    if (outcome.allowed) {
      core.info(`${service.name}: ${outcome.why}.`);
    } else {
      core.warning(`${service.name}: ${outcome.unknown}. If the pull is refused, the new tasks fail with CannotPullContainerError and the deploy rolls back.`);
      service.action = 'pull-unchecked';
    }
  }
}

async function copyImages(changing: ServicePromotion[], sources: Map<string, Source>, route: Route, toSession: AwsSession, registries: RegistryCache, tempDir: string): Promise<void> {
  const toName = route.to.environment!.name;
  const host = route.to.registry ?? (await accountRegistry(toSession));
  const target = registries(host, toSession);
  const repositories = [...new Set(changing.map((service) => route.to.services.find((spec) => spec.name === service.name)!.repository))];
  await phase(`Target repositories in ${host}`, async () => {
    const missing: string[] = [];
    for (const repository of repositories) if (!(await describeRepository(target.ecr, repository))) missing.push(repository);
    if (missing.length) {
      throw new UserError(
        `The ECR repositor${missing.length === 1 ? 'y' : 'ies'} ${missing.map((name) => `"${name}"`).join(', ')} of "${toName}" (${toSession.region}) do${missing.length === 1 ? 'es' : ''} not exist, so the images cannot be copied there. Nothing was changed.`,
        `Create ${missing.length === 1 ? 'it' : 'them'} once in the account of "${toName}":\n${missing.map((name) => `  aws ecr create-repository --repository-name ${name} --region ${toSession.region}`).join('\n')}`,
      );
    }
    core.info(`${repositories.join(', ')}: present in ${host}.`);
  });
  for (const service of changing) {
    const source = sources.get(service.name) as SourceImage;
    const repository = route.to.services.find((spec) => spec.name === service.name)!.repository;
    const tag = route.commit ?? (source.tag && COMMIT_TAG.test(source.tag) ? source.tag : `sha256-${source.digest.slice('sha256:'.length)}`);
    await phase(`Copy ${service.name} (${shortDigest(source.digest)}) to ${host}/${repository}`, async () => {
      const started = Date.now();
      const copy = await copyByDigest({
        digest: source.digest,
        from: await source.registry.location(source.repository),
        to: await target.location(repository),
        tag,
        tempDir,
        log: (line) => core.info(line),
      });
      service.action = copy.copied ? 'copied' : 'already-present';
      service.target = { image: `${host}/${repository}@${source.digest}`, digest: source.digest };
      core.info(copy.copied ? `Copied in ${formatDuration(Date.now() - started)}; ${host}/${repository}:${tag} is ${source.digest}.` : `Already there: nothing copied.`);
    });
  }
}
