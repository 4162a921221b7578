/**
 * The docker CLI side of a build: checking docker and buildx are there, reading the builder, and a
 * private DOCKER_CONFIG that holds the registry login for this step only.
 */
import * as core from '../core.js';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { CommandNotFound, runCommand, type CommandOptions } from '../process.js';

const INSTALL_BUILDX =
  'Install the buildx CLI plugin: "apt-get install docker-buildx" (Debian, Ubuntu) or "docker-buildx-plugin" (Docker\'s own packages), ' +
  'or add docker/setup-buildx-action before this step. GitHub-hosted Ubuntu runners have it already.';

/** Runs docker and returns its output; a missing docker becomes a UserError that says what to install. */
export async function docker(args: string[], options: CommandOptions) {
  try {
    return await runCommand('docker', args, options);
  } catch (error) {
    if (error instanceof CommandNotFound) {
      throw new UserError(
        'docker is not installed or not on PATH; this step builds with "docker buildx".',
        'GitHub-hosted Ubuntu runners have Docker. On a self-hosted runner install Docker Engine and the buildx plugin ("apt-get install docker.io docker-buildx" on Debian and Ubuntu) and let the runner user reach the daemon.',
      );
    }
    throw error;
  }
}

export interface Builder {
  name: string;
  driver: string;
  platforms: string[];
}

/** Checks that docker and buildx work and the builder is usable; returns the builder. */
export async function checkBuilder(env: NodeJS.ProcessEnv, name?: string): Promise<Builder> {
  const version = await docker(['buildx', 'version'], { env });
  if (version.code !== 0) {
    throw new UserError(`docker buildx is not available: docker said "${firstLine(version.stderr || version.stdout)}".`, INSTALL_BUILDX);
  }
  core.info(`buildx: ${version.stdout.trim()}`);
  const inspect = await docker(['buildx', 'inspect', ...(name ? ['--builder', name] : [])], { env });
  const fields = parseInspect(inspect.stdout);
  if (inspect.code !== 0) {
    throw new UserError(
      `The buildx builder ${name ? `"${name}"` : '(the current one)'} cannot be used: ${sentence(firstLine(inspect.stderr || inspect.stdout))}`,
      name ? 'Check the "builder" input: it names a builder created by docker/setup-buildx-action or "docker buildx create" in this job.' : INSTALL_BUILDX,
    );
  }
  if (fields.error) {
    throw new UserError(
      `The buildx builder "${fields.name ?? name ?? 'default'}" cannot be used: ${sentence(fields.error)}`,
      'Start the Docker engine (or point DOCKER_HOST at one) and make sure the runner user may use it; with docker/setup-buildx-action, check that step succeeded.',
    );
  }
  const builder = { name: fields.name ?? name ?? 'default', driver: fields.driver ?? 'unknown', platforms: fields.platforms };
  core.info(`Builder "${builder.name}" (${builder.driver} driver${builder.platforms.length ? `; platforms ${builder.platforms.join(', ')}` : ''}).`);
  return builder;
}

/** The fields of `docker buildx inspect` this step needs; the first Name and Driver are the builder's. */
export function parseInspect(text: string): { name?: string; driver?: string; error?: string; platforms: string[] } {
  const field = (key: string) => new RegExp(`^${key}:[ \\t]*(.*)$`, 'm').exec(text)?.[1]?.trim() || undefined;
  const platforms = (field('Platforms') ?? '')
    .split(',')
    .map((platform) => platform.replace(/\*$/, '').trim())
    .filter(Boolean);
  return { name: field('Name'), driver: field('Driver'), error: field('Error'), platforms };
}

/** `text` ending in one full stop (docker's own messages sometimes end in one, or a question). */
export function sentence(text: string): string {
  return /[.?!]$/.test(text) ? text : `${text}.`;
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.replace(/^(ERROR|error):\s*/, '').trim())
      .find(Boolean) ?? 'no output'
  );
}

/** Settings of the user's docker config that builds depend on; credential stores are left out on purpose. */
const CARRIED_SETTINGS = ['auths', 'credHelpers', 'proxies', 'currentContext', 'cliPluginsExtraDirs'] as const;
/** Folders of the user's docker config linked into the private one: builders, contexts, CLI plugins. */
const LINKED_FOLDERS = ['buildx', 'contexts', 'cli-plugins'] as const;

export interface DockerConfig {
  dir: string;
  /** The environment for docker commands: DOCKER_CONFIG points at the private folder. */
  env: NodeJS.ProcessEnv;
  login(host: string, username: string, password: string): Promise<void>;
  /** Removes the folder and the credentials in it; safe to call more than once. */
  dispose(): void;
}

/**
 * A private DOCKER_CONFIG for this step. It starts from the user's settings (other registries'
 * logins, proxies, current context) and links their builders, contexts and CLI plugins, so
 * docker/setup-buildx-action and docker/login-action keep working; the ECR login is written only
 * here, never to the user's docker config, and the folder is removed when the step ends.
 */
export function createDockerConfig(env: NodeJS.ProcessEnv = process.env): DockerConfig {
  const userDir = env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker');
  const dir = mkdtempSync(join(env.RUNNER_TEMP || tmpdir(), 'berth-docker-config-'));
  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    rmSync(dir, { recursive: true, force: true });
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  // A cancelled job signals the step: remove the credentials before going.
  const onSignal = (signal: NodeJS.Signals) => {
    dispose();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const config: Record<string, unknown> = {};
  const userConfig = readJson(join(userDir, 'config.json'));
  for (const key of CARRIED_SETTINGS) if (userConfig[key] !== undefined) config[key] = userConfig[key];
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
  const linked = LINKED_FOLDERS.filter((folder) => existsSync(join(userDir, folder)));
  for (const folder of linked) symlinkSync(join(userDir, folder), join(dir, folder));
  const carried = [...CARRIED_SETTINGS.filter((key) => key in config), ...linked];
  core.info(`Temporary docker config: ${dir}${carried.length ? ` (carried over from ${userDir}: ${carried.join(', ')})` : ''}; it is removed when this step ends.`);

  const dockerEnv = { ...env, DOCKER_CONFIG: dir };
  return {
    dir,
    env: dockerEnv,
    dispose,
    async login(host, username, password) {
      // Credentials for this host come from this file only, whatever the user's helpers say.
      const helpers = config.credHelpers as Record<string, string> | undefined;
      if (helpers && host in helpers) {
        delete helpers[host];
        writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2), { mode: 0o600 });
      }
      const result = await docker(['login', '--username', username, '--password-stdin', host], { env: dockerEnv, input: password });
      if (result.code !== 0) {
        throw new UserError(
          `docker login to ${host} failed: ${sentence(firstLine(result.stderr || result.stdout))}`,
          'Check the "registry" input (or the manifest\'s "registry"): it must be the host of the registry these credentials are for, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com.',
        );
      }
      core.info(`Logged in to ${host}.`);
    },
  };
}

function readJson(path: string): Record<string, unknown> {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * The compressed size of a pushed single-platform image (its config and layers, as ECR counts it),
 * read from the registry; undefined for a multi-platform index or when the registry does not say.
 */
export async function registryImageSize(reference: string, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const result = await docker(['buildx', 'imagetools', 'inspect', '--raw', reference], { env });
  if (result.code !== 0) return undefined;
  try {
    const manifest = JSON.parse(result.stdout) as { config?: { size?: number }; layers?: { size?: number }[] };
    if (!manifest.config || !manifest.layers) return undefined;
    return (manifest.config.size ?? 0) + manifest.layers.reduce((sum, layer) => sum + (layer.size ?? 0), 0);
  } catch {
    return undefined;
  }
}
