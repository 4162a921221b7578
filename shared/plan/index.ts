/**
 * The plan before the change, loaded by the changes action when asked for one: for the services a
 * change marks, per manifest environment, the image now and next, the task definition's other
 * differences, the migrations the change adds and the environments it will reach.
 */
import type { AwsInputs } from '../aws/inputs.js';
import type { ChangePlan } from '../changes/detect.js';
import { Git } from '../changes/git.js';
import { forEnvironment } from '../manifest/environments.js';
import { UserError } from '../errors.js';
import { closest } from '../suggest.js';
import { planEnvironment, type DeploySettings } from './environment.js';
import { addedMigrations } from './migrations.js';
import type { DeployPlan } from './types.js';

export interface PlanRequest {
  change: ChangePlan;
  /** The repository's root. */
  root: string;
  /** Where task-definition files are read from (the checkout). */
  workspace: string;
  /** Environments to plan; undefined: every environment of the manifest (its top-level values when it has none). */
  environments?: string[];
  /** How the environments setting is named in errors (`Input "plan-environments"`). */
  environmentsSource: string;
  /** Undefined: AWS is not read. */
  aws?: AwsInputs;
  /** False: the manifest's roles are not assumed (a person's own credentials are used, as `npm run plan` does). */
  assumeManifestRoles?: boolean;
  deploy: DeploySettings;
  /** How the task-definitions setting is named in errors. */
  taskDefinitionsSource: string;
  env?: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export async function planDeployment(request: PlanRequest): Promise<DeployPlan> {
  const { change } = request;
  const manifest = change.fileManifest;
  const names = request.environments ?? (manifest.environments.length ? manifest.environments.map((environment) => environment.name) : [undefined]);
  // Unknown names are refused before anything is read.
  const resolved = names.map((name) => forEnvironment(manifest, name, request.environmentsSource));
  const known = manifest.services.map((service) => service.name);
  for (const service of Object.keys(request.deploy.taskDefinitions)) {
    if (!known.includes(service)) {
      const guess = closest(service, known);
      throw new UserError(`${request.taskDefinitionsSource} names "${service}", which is not a service in ${manifest.file}.${guess ? ` Did you mean "${guess}"?` : ''}`, `Services in the manifest: ${known.join(', ')}.`);
    }
  }
  const marked = change.services.filter((service) => service.changed).map((service) => service.service.name);
  const migrations = addedMigrations(new Git(request.root), change);
  const environments = await Promise.all(
    resolved.map((environment) =>
      planEnvironment({
        manifest: request.assumeManifestRoles === false ? { ...environment, role: undefined } : environment,
        services: environment.services.filter((service) => marked.includes(service.name)),
        head: change.head,
        aws: request.aws,
        deploy: request.deploy,
        workspace: request.workspace,
        env: request.env ?? process.env,
        log: request.log,
      }),
    ),
  );
  return {
    head: change.head,
    manifest: manifest.file,
    services: marked,
    reaches: marked.length === 0 ? [] : manifest.environments.length ? manifest.environments.map((environment) => environment.name) : [''],
    migrations: await migrations,
    environments,
  };
}

export { planMarkdown, planText } from './render.js';
export { planMarker, upsertComment } from './comment.js';
export { parseEnvironment } from '../deploy/parse.js';
export { looksSecret } from './definition-diff.js';
export type { DeployPlan } from './types.js';
