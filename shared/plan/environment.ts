/**
 * One environment's plan. Without AWS (not asked, no credentials) it says what the manifest tells:
 * the services and the images a deploy would use. With AWS it loads `read.ts`, which reads what
 * runs and what deploy-ecs would register; the AWS SDK is only loaded then.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isAwsError } from '../aws/errors.js';
import type { AwsInputs } from '../aws/inputs.js';
import { UserError, errorMessage } from '../errors.js';
import { ecrHost } from '../ecr/host.js';
import type { Manifest, ServiceSpec } from '../manifest/types.js';
import type { EnvironmentPlan, ServicePlan } from './types.js';

/** What deploy-ecs would be given besides the services: the inputs that change a task definition beyond its image. */
export interface DeploySettings {
  /** `task-definition` per service: a JSON file (relative to `workspace`), a family, family:revision or an ARN. */
  taskDefinitions: Record<string, string>;
  /** `environment`: variables set on each service's main container. */
  environment: Record<string, string>;
}

export interface EnvironmentRequest {
  /** The manifest resolved for the environment (forEnvironment). */
  manifest: Manifest;
  services: readonly ServiceSpec[];
  head: string;
  /** Undefined: AWS is not read. */
  aws?: AwsInputs;
  deploy: DeploySettings;
  workspace: string;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
}

export async function planEnvironment(request: EnvironmentRequest): Promise<EnvironmentPlan> {
  const { manifest } = request;
  const environment = manifest.environment;
  const base = { name: environment?.name ?? '', account: environment?.account, region: manifest.region };
  const offline = (reason: string): EnvironmentPlan => ({ ...base, aws: { read: false, reason }, services: request.services.map((service) => unread(service, manifest, request.head)) });
  if (request.services.length === 0) return { ...base, aws: { read: false, reason: 'no service to deploy' }, services: [] };
  if (!request.aws) return offline('AWS not read (asked not to)');
  const role = request.aws.roleToAssume ?? manifest.role;
  if (!role && !ambientCredentials(request.env)) return offline('no AWS credentials: no role to assume (input or manifest) and none in the environment');
  const { readEnvironment } = await import('./read.js');
  const read = await readEnvironment({ ...request, aws: request.aws });
  if ('unreadable' in read) return offline(`AWS cannot be read: ${oneLine(read.unreadable)}`);
  return { ...base, region: read.region, aws: { read: true }, services: read.services };
}

/** What a service's next image waits on when its registry does not have it yet. */
export const notYet = (manifest: Manifest) => (manifest.environment?.images === 'copy' ? 'copied by digest when promoted' : 'built by this run');

/** A service's plan without AWS: the image a deploy would use, named as far as the manifest tells. */
export function unread(spec: ServiceSpec, manifest: Manifest, head: string): ServicePlan {
  const account = manifest.environment?.account;
  const registry = manifest.registry ?? (account && manifest.region ? ecrHost(account, manifest.region) : "<the account's ECR registry>");
  return { service: spec.name, cluster: spec.ecs.cluster, ecsService: spec.ecs.service, next: { image: `${registry}/${spec.repository}:${head}`, note: notYet(manifest) } };
}

/** Credentials the SDK's default chain would find without a role to assume. */
function ambientCredentials(env: NodeJS.ProcessEnv): boolean {
  const variables = ['AWS_ACCESS_KEY_ID', 'AWS_PROFILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_SHARED_CREDENTIALS_FILE'];
  return variables.some((name) => env[name]) || (env.HOME !== undefined && existsSync(join(env.HOME, '.aws')));
}

/** An error in one line, for a plan's table cell. */
export function oneLine(error: unknown): string {
  if (error instanceof UserError) return error.message.replace(/\s*\n\s*/g, ' ');
  if (isAwsError(error)) return `${error.name}: ${error.message}`;
  return errorMessage(error).replace(/\s*\n\s*/g, ' ');
}
