/** What to build: a service of the manifest, or an explicit repository, context and Dockerfile. */
import { stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { findService, loadManifest } from '../manifest/load.js';
import type { BuildPushInputs } from './types.js';

export interface BuildTarget {
  /** The manifest's service name, or the repository when none was named. */
  service: string;
  repository: string;
  /** Absolute paths. */
  context: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  target?: string;
  platforms: string[];
  /** The manifest's defaults, when a manifest was read. */
  region?: string;
  registry?: string;
  /** The manifest's role, used when role-to-assume is empty. */
  role?: string;
}

export async function resolveTarget(inputs: BuildPushInputs): Promise<BuildTarget> {
  const root = inputs.workingDirectory;
  const at = (path: string) => (isAbsolute(path) ? path : resolve(root, path));
  let target: BuildTarget;
  let origin: { context: string; dockerfile: string };

  if (inputs.service) {
    const manifest = await loadManifest(inputs.manifest, root);
    const spec = findService(manifest, inputs.service);
    const context = inputs.context ?? spec.build.context;
    target = {
      service: spec.name,
      repository: inputs.repository ?? spec.repository,
      context: at(context),
      // An explicit context without an explicit Dockerfile means the Dockerfile in that context.
      dockerfile: at(inputs.dockerfile ?? (inputs.context ? join(inputs.context, 'Dockerfile') : spec.build.dockerfile)),
      buildArgs: { ...spec.build.args, ...inputs.buildArgs },
      target: inputs.target ?? spec.build.target,
      platforms: inputs.platforms.length ? inputs.platforms : spec.build.platforms,
      region: manifest.region,
      role: manifest.role,
      registry: manifest.registry,
    };
    const from = (input: 'context' | 'dockerfile', key: string) => (inputs[input] ? `the "${input}" input` : `services.${spec.name}.build.${key} in ${manifest.file}`);
    origin = { context: from('context', 'context'), dockerfile: inputs.dockerfile || !inputs.context ? from('dockerfile', 'dockerfile') : 'the "context" input' };
  } else {
    if (!inputs.repository) {
      throw new UserError(
        'Neither "service" nor "repository" was given, so there is nothing to build.',
        'Set "service" to a service of the manifest, or "repository" (with "context" and "dockerfile" when they are not "." and "./Dockerfile").',
      );
    }
    const context = inputs.context ?? '.';
    target = {
      service: inputs.repository,
      repository: inputs.repository,
      context: at(context),
      dockerfile: at(inputs.dockerfile ?? join(context, 'Dockerfile')),
      buildArgs: { ...inputs.buildArgs },
      target: inputs.target,
      platforms: inputs.platforms,
    };
    origin = { context: inputs.context ? 'the "context" input' : 'the default context "."', dockerfile: inputs.dockerfile ? 'the "dockerfile" input' : 'the default <context>/Dockerfile' };
  }

  await expect(target.context, 'directory', `The build context`, origin.context, root);
  await expect(target.dockerfile, 'file', 'The Dockerfile', origin.dockerfile, root);
  return target;
}

async function expect(path: string, kind: 'file' | 'directory', what: string, origin: string, root: string): Promise<void> {
  const shown = relative(root, path) || '.';
  const found = await stat(path).catch(() => undefined);
  if (found && (kind === 'file' ? found.isFile() : found.isDirectory())) return;
  const problem = found ? `is not a ${kind}` : 'does not exist';
  throw new UserError(`${what} "${shown}" (${path}, from ${origin}) ${problem}.`, `Paths are relative to the working directory ${root}. Check out the repository before this step (actions/checkout), or fix ${origin}.`);
}
