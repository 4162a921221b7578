/**
 * The manifest as one of its environments sees it: the environment's role, region, cluster and
 * registry, and each service's ECS service, health URL and migration command there. Values an
 * environment leaves unset are the manifest's top-level ones.
 */
import { UserError } from '../errors.js';
import { closest } from '../suggest.js';
import type { EnvironmentSpec, Manifest, ServiceSpec } from './types.js';

/**
 * The manifest resolved for environment `name`; without a name, the manifest as it is. `source`
 * names where the name came from, for the error when the manifest has no such environment.
 */
export function forEnvironment(manifest: Manifest, name: string | undefined, source = 'Input "manifest-environment"'): Manifest {
  if (name === undefined) return manifest;
  if (manifest.environments.length === 0) {
    throw new UserError(
      `${source} is "${name}", but ${manifest.file} has no "environments" section.`,
      `Add one to ${manifest.file} with an entry per environment, such as "environments: { ${name}: { account: '123456789012', role: arn:aws:iam::123456789012:role/deployer, cluster: shop-${name} } }", ` +
        'or leave "manifest-environment" empty to use the manifest\'s top-level values.',
    );
  }
  const environment = manifest.environments.find((candidate) => candidate.name === name);
  if (!environment) {
    const names = manifest.environments.map((candidate) => candidate.name);
    const guess = closest(name, names);
    throw new UserError(`${source} is "${name}", which is not an environment of ${manifest.file}.${guess ? ` Did you mean "${guess}"?` : ''}`, `Environments in the manifest: ${names.join(', ')}.`);
  }
  return applyEnvironment(manifest, environment);
}

/** `manifest` with `environment`'s values over its own. */
export function applyEnvironment(manifest: Manifest, environment: EnvironmentSpec): Manifest {
  const { name, githubEnvironment, account, images } = environment;
  return {
    ...manifest,
    role: environment.role ?? manifest.role,
    region: environment.region ?? manifest.region,
    // Copied images live in the environment's own registry: the one they were built in is not it.
    registry: environment.registry ?? (images === 'copy' ? undefined : manifest.registry),
    services: manifest.services.map((service) => serviceIn(service, environment)),
    environment: { name, githubEnvironment, account, images },
  };
}

function serviceIn(service: ServiceSpec, environment: EnvironmentSpec): ServiceSpec {
  const own = environment.services[service.name];
  return {
    ...service,
    ecs: { ...service.ecs, cluster: own?.ecs?.cluster ?? environment.cluster ?? service.ecs.cluster, service: own?.ecs?.service ?? service.ecs.service },
    health: own?.health ?? service.health,
    migrate: own?.migrate ? { command: own.migrate.command, container: service.migrate?.container ?? service.ecs.container } : service.migrate,
  };
}

/** The account a resolved manifest's environment must be acted on in, for `openSession`'s `requiredAccount`. */
export function requiredAccount(manifest: Manifest | undefined): { id: string; source: string } | undefined {
  const environment = manifest?.environment;
  return environment?.account ? { id: environment.account, source: `the manifest environment "${environment.name}" (${manifest!.file})` } : undefined;
}

/** A log line saying which environment an action acts on, and where. */
export function describeEnvironment(manifest: Manifest): string {
  const { environment } = manifest;
  if (!environment) return '';
  const facts = [
    environment.githubEnvironment !== environment.name ? `GitHub environment "${environment.githubEnvironment}"` : '',
    environment.account ? `account ${environment.account}` : '',
    manifest.region ? `region ${manifest.region}` : '',
    manifest.role ? `role ${manifest.role}` : '',
    `images ${environment.images === 'copy' ? 'copied to' : 'pulled from'} ${manifest.registry ?? "the account's ECR registry"}`,
  ].filter(Boolean);
  return `Manifest environment "${environment.name}": ${facts.join(', ')}.`;
}

/**
 * The manifest environment that deploys under GitHub environment `githubEnvironment`: the one whose
 * `githubEnvironment` or name it is (GitHub compares environment names without case). Undefined when
 * the manifest has no `environments`: the top-level values apply. `source` names the input.
 */
export function environmentOfGitHub(manifest: Manifest, githubEnvironment: string, source: string): EnvironmentSpec | undefined {
  if (manifest.environments.length === 0) return undefined;
  const wanted = githubEnvironment.trim();
  const exact = manifest.environments.filter((candidate) => candidate.githubEnvironment === wanted || candidate.name === wanted);
  const matches = exact.length ? exact : manifest.environments.filter((candidate) => [candidate.githubEnvironment, candidate.name].some((name) => name.toLowerCase() === wanted.toLowerCase()));
  const listed = manifest.environments.map((candidate) => (candidate.githubEnvironment === candidate.name ? candidate.name : `${candidate.name} (GitHub environment "${candidate.githubEnvironment}")`)).join(', ');
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new UserError(
      `${source} is "${wanted}", which selects ${matches.length} environments of ${manifest.file}: ${matches.map((candidate) => candidate.name).join(', ')}.`,
      `Give each environment its own GitHub environment ("githubEnvironment"), so that one call deploys to one of them. Environments in the manifest: ${listed}.`,
    );
  }
  const guess = closest(
    wanted,
    manifest.environments.flatMap((candidate) => [candidate.githubEnvironment, candidate.name]),
  );
  throw new UserError(
    `${source} is "${wanted}", but no environment of ${manifest.file} is deployed under that GitHub environment.${guess ? ` Did you mean "${guess}"?` : ''}`,
    `It must be an environment's name or its "githubEnvironment". Environments in the manifest: ${listed}. ` + `To deploy under "${wanted}", set "githubEnvironment: ${wanted}" on the environment it deploys to.`,
  );
}
