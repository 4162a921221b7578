/**
 * Works out the one task to run: which task definition and container, which command, and the
 * RunTask settings copied from the service unless inputs override them. Only reads from AWS;
 * every mistake is reported by name here, before anything is registered or started.
 */
import { randomUUID } from 'node:crypto';
import { type ECSClient, type KeyValuePair, type RunTaskCommandInput, type Service, type Tag, type TaskDefinition } from '@aws-sdk/client-ecs';
import { UserError } from '../errors.js';
import { closest } from '../suggest.js';
import { githubContext } from '../github.js';
import type { ServiceSpec } from '../manifest/types.js';
import { requireCluster, requireService } from '../ecs/services.js';
import { describeTaskDefinition, type LoadedTaskDefinition } from '../ecs/task-definitions.js';
import type { MigrateInputs } from './types.js';
import { withTag } from '../images.js';
import { shortTaskDefinition } from '../ecs/arn.js';
import { containerDefinition, containerImage, containerNames } from '../ecs/containers.js';

export interface MigrationPlan {
  /** The manifest service name, or the ECS service / family. */
  name: string;
  cluster: string;
  ecsService?: string;
  source: LoadedTaskDefinition;
  container: string;
  /** The image to run, when it differs from the task definition's (a new revision is needed). */
  newImage?: string;
  /** The image the container runs. */
  image?: string;
  /** How the image was chosen (for the log and the ECR check); undefined for `image: current`, which is not checked. */
  imageOrigin?: string;
  /** Warnings about the plan itself (e.g. `image: current`), shown before anything runs. */
  warnings: string[];
  /** Undefined: the task definition's own command. */
  command?: string[];
  /** The container's environment after overrides: plain values only (secrets are `valueFrom`). */
  environment: KeyValuePair[];
  /** Names of variables that come from Secrets Manager or SSM. */
  secretNames: string[];
  securityGroups: string[];
  /** RunTask input without the task definition, which may still be registered. */
  run: Omit<RunTaskCommandInput, 'taskDefinition'>;
  /** Where each setting came from, for the log. */
  notes: string[];
}

interface Names {
  name: string;
  cluster: string;
  ecsService?: string;
  container?: string;
  command?: string[];
}

/** Cluster, service, container and command from the inputs, then the manifest. */
export function resolveNames(inputs: MigrateInputs, spec: ServiceSpec | undefined, manifestFile: string | undefined): Names {
  if (spec) {
    const command = inputs.command ?? spec.migrate?.command;
    if (!command && !inputs.taskDefinition) {
      throw new UserError(
        `Service "${spec.name}" in ${manifestFile} has no "migrate" section and the "command" input is empty, so there is no migration command to run.`,
        `Add to the service in ${manifestFile}:\n  migrate:\n    command: ["sh", "-c", "cd apps/${spec.name} && npx prisma migrate deploy"]\nor set the "command" input.`,
      );
    }
    return {
      name: spec.name,
      cluster: inputs.cluster ?? spec.ecs.cluster,
      ecsService: inputs.ecsService ?? spec.ecs.service,
      container: inputs.container ?? spec.migrate?.container ?? spec.ecs.container,
      command,
    };
  }
  if (!inputs.cluster) {
    throw new UserError(
      'Input "cluster" is required when "service" (a service of the manifest) is not given.',
      'Set "service" to read the cluster, ECS service, container and command from the services manifest, or set "cluster" (and "ecs-service" or "task-definition").',
    );
  }
  if (!inputs.command && !inputs.taskDefinition) {
    throw new UserError(
      'Input "command" is required when no manifest service gives one: without it the task would run the service\'s own command (the server), which never exits.',
      'Set "command", e.g. command: cd apps/api && npx prisma migrate deploy',
    );
  }
  return {
    name: inputs.ecsService ?? familyOf(inputs.taskDefinition!),
    cluster: inputs.cluster,
    ecsService: inputs.ecsService,
    container: inputs.container,
    command: inputs.command,
  };
}

export async function resolvePlan(ecs: ECSClient, inputs: MigrateInputs, names: Names): Promise<MigrationPlan> {
  const notes: string[] = [];
  const { service, source } = await findSource(ecs, inputs, names, notes);
  const definition = source.taskDefinition;
  const container = names.container ?? onlyContainer(definition);
  requireContainer(definition, container);
  const { currentImage, wanted, origin, newImage, warnings } = imageToRun(inputs, definition, container, notes);
  notes.push(names.command ? `Command: ${JSON.stringify(names.command)}` : `Command: the task definition's own (${JSON.stringify(commandOf(definition, container) ?? [])})`);

  const placement = launchSettings(inputs, service, notes);
  const network = networkSettings(inputs, service, definition, notes);
  const environment = Object.entries(inputs.environment).map(([name, value]) => ({ name, value }));
  if (environment.length) notes.push(`Environment overrides: ${environment.map((pair) => pair.name).join(', ')}`);
  const spec = containerDefinition(definition, container)!;
  const merged = new Map((spec.environment ?? []).map((pair) => [pair.name ?? '', pair.value ?? '']));
  for (const pair of environment) merged.set(pair.name, pair.value);

  return {
    name: names.name,
    cluster: names.cluster,
    ecsService: names.ecsService,
    source,
    container,
    newImage,
    image: newImage ?? currentImage,
    imageOrigin: wanted ? origin : undefined,
    warnings,
    command: names.command,
    environment: [...merged].map(([name, value]) => ({ name, value })),
    secretNames: (spec.secrets ?? []).map((secret) => secret.name ?? ''),
    securityGroups: network?.awsvpcConfiguration?.securityGroups ?? [],
    notes,
    run: {
      cluster: names.cluster,
      count: 1,
      ...placement,
      networkConfiguration: network,
      overrides: {
        containerOverrides: [{ name: container, ...(names.command ? { command: names.command } : {}), ...(environment.length ? { environment } : {}) }],
      },
      placementConstraints: service?.placementConstraints?.length ? service.placementConstraints : undefined,
      placementStrategy: service?.placementStrategy?.length ? service.placementStrategy : undefined,
      enableECSManagedTags: service?.enableECSManagedTags || undefined,
      propagateTags: service?.propagateTags === 'TASK_DEFINITION' ? 'TASK_DEFINITION' : undefined,
      startedBy: startedBy(),
      group: `migrate:${names.name}`.slice(0, 255),
      tags: runTags(names.name),
      // RunTask is retried on network errors: the token keeps a retry from starting a second migrator.
      clientToken: randomUUID(),
    },
  };
}

/** The ECS service (when one is named) and the task definition to start from: the input's, or the one the service runs. */
async function findSource(ecs: ECSClient, inputs: MigrateInputs, { cluster, ecsService }: Names, notes: string[]): Promise<{ service?: Service; source: LoadedTaskDefinition }> {
  let service: Service | undefined;
  if (ecsService) {
    service = await requireService(ecs, cluster, ecsService);
    notes.push(`ECS service: ${ecsService} in cluster ${cluster}`);
  } else {
    await requireCluster(ecs, cluster);
    notes.push(`Cluster: ${cluster} (no ECS service named: network and launch settings come from the inputs only)`);
  }
  const reference = inputs.taskDefinition ?? service!.taskDefinition!;
  const source = await describeTaskDefinition(ecs, reference).catch((error: unknown) => {
    if (!(error instanceof UserError) || !inputs.taskDefinition) throw error;
    throw new UserError(`Input "task-definition": ${error.message}`, error.hint);
  });
  const shown = `${source.taskDefinition.family}:${source.taskDefinition.revision}`;
  notes.push(inputs.taskDefinition ? `Task definition: ${shown} (from the "task-definition" input)` : `Task definition: ${shown} (the one service ${ecsService} runs now)`);
  return { service, source };
}

/** The image the container runs now, the one to run, and whether that needs a new revision; said in the notes. */
function imageToRun(inputs: MigrateInputs, definition: TaskDefinition, container: string, notes: string[]) {
  const shown = `${definition.family}:${definition.revision}`;
  const currentImage = containerImage(definition, container);
  const { wanted, origin } = chooseImage(inputs, currentImage, container, shown);
  const newImage = wanted && wanted !== currentImage ? wanted : undefined;
  const warnings: string[] = [];
  if (!wanted) {
    notes.push(`Image: ${currentImage} ("image: current": the image ${shown} names now, run as it is)`);
    warnings.push(
      `"image: current" runs ${currentImage}, the image ${shown} names now. An image built before this commit's migrations does not contain them: ` +
        'prisma migrate deploy then reports "No pending migrations" and the step succeeds without applying anything. ' +
        'To migrate with this commit\'s code, leave "image" and "image-tag" empty (the commit\'s tag is the default) or pass the build\'s image.',
    );
  } else if (!newImage) notes.push(`Image: ${currentImage} (${origin}; already in ${shown}, so no new revision is needed)`);
  else notes.push(`Image: ${newImage} (${origin}; replaces ${currentImage} in a new revision of ${definition.family})`);
  return { currentImage, wanted, origin, newImage, warnings };
}

/** The image the inputs ask for, and how it was chosen; `wanted` is undefined for `image: current`. */
function chooseImage(inputs: MigrateInputs, currentImage: string | undefined, container: string, shown: string): { wanted?: string; origin: string } {
  if (inputs.currentImage) return { origin: '"image: current"' };
  if (inputs.image) return { wanted: inputs.image, origin: 'from the "image" input' };
  const tag = inputs.imageTag;
  if (!tag) {
    throw new UserError('No image to migrate with: "image" and "image-tag" are empty.', 'Set "image-tag" to the tag build-push pushed (the commit SHA), "image" to the full image, or "image: current".');
  }
  if (!currentImage) {
    throw new UserError(`Container "${container}" of task definition ${shown} names no image, so there is no repository to take tag "${tag}" from.`, 'Set "image" to the full image to migrate with.');
  }
  const origin = inputs.imageTagFromCommit ? 'the commit\'s tag (GITHUB_SHA), used when neither "image" nor "image-tag" is given' : 'the tag from the "image-tag" input';
  return { wanted: withTag(currentImage, tag), origin };
}

function launchSettings(inputs: MigrateInputs, service: Service | undefined, notes: string[]): Pick<RunTaskCommandInput, 'launchType' | 'capacityProviderStrategy' | 'platformVersion'> {
  const from = service ? ` (from service ${service.serviceName})` : '';
  let settings: Pick<RunTaskCommandInput, 'launchType' | 'capacityProviderStrategy' | 'platformVersion'>;
  if (inputs.launchType) {
    settings = { launchType: inputs.launchType };
    notes.push(`Launch type: ${inputs.launchType} (from the "launch-type" input)`);
  } else if (inputs.capacityProviderStrategy) {
    settings = { capacityProviderStrategy: inputs.capacityProviderStrategy };
    notes.push(`Capacity providers: ${describeStrategy(inputs.capacityProviderStrategy)} (from the "capacity-provider-strategy" input)`);
  } else if (service?.capacityProviderStrategy?.length) {
    settings = { capacityProviderStrategy: service.capacityProviderStrategy };
    notes.push(`Capacity providers: ${describeStrategy(service.capacityProviderStrategy)}${from}`);
  } else if (service?.launchType) {
    settings = { launchType: service.launchType };
    notes.push(`Launch type: ${service.launchType}${from}`);
  } else {
    settings = {};
    notes.push("Launch type: the cluster's default capacity provider strategy");
  }
  // Platform versions only exist on Fargate.
  if (settings.launchType !== 'EC2' && settings.launchType !== 'EXTERNAL') {
    const platformVersion = inputs.platformVersion ?? service?.platformVersion;
    if (platformVersion) {
      settings.platformVersion = platformVersion;
      notes.push(`Platform version: ${platformVersion}${inputs.platformVersion ? ' (from the "platform-version" input)' : from}`);
    }
  }
  return settings;
}

function networkSettings(inputs: MigrateInputs, service: Service | undefined, definition: TaskDefinition, notes: string[]): RunTaskCommandInput['networkConfiguration'] {
  const shown = `${definition.family}:${definition.revision}`;
  const given = inputs.subnets.length > 0 || inputs.securityGroups.length > 0 || inputs.assignPublicIp !== undefined;
  if (definition.networkMode !== 'awsvpc') {
    if (given) {
      throw new UserError(
        `Task definition ${shown} uses the "${definition.networkMode ?? 'bridge'}" network mode, where ECS accepts no subnets, security groups or public IP setting.`,
        'Remove "subnets", "security-groups" and "assign-public-ip" from the step, or run a task definition with networkMode "awsvpc".',
      );
    }
    return undefined;
  }
  const copied = service?.networkConfiguration?.awsvpcConfiguration;
  const subnets = inputs.subnets.length ? inputs.subnets : (copied?.subnets ?? []);
  const securityGroups = inputs.securityGroups.length ? inputs.securityGroups : (copied?.securityGroups ?? []);
  const assignPublicIp = inputs.assignPublicIp !== undefined ? (inputs.assignPublicIp ? 'ENABLED' : 'DISABLED') : copied?.assignPublicIp;
  if (subnets.length === 0) {
    throw new UserError(
      `Task definition ${shown} uses awsvpc networking, so the task needs subnets${service ? `, and service ${service.serviceName} has none to copy` : ', and no ECS service was named to copy them from'}.`,
      'Set "ecs-service" (or "service" from the manifest) to copy the service\'s subnets and security groups, or set "subnets" and "security-groups".',
    );
  }
  const from = (own: boolean) => (own ? 'input' : `service ${service?.serviceName}`);
  notes.push(`Subnets: ${subnets.join(', ')} (from ${from(inputs.subnets.length > 0)})`);
  notes.push(securityGroups.length ? `Security groups: ${securityGroups.join(', ')} (from ${from(inputs.securityGroups.length > 0)})` : "Security groups: none given, so the VPC's default security group");
  if (assignPublicIp) notes.push(`Public IP: ${assignPublicIp} (from ${from(inputs.assignPublicIp !== undefined)})`);
  return {
    awsvpcConfiguration: {
      subnets,
      ...(securityGroups.length ? { securityGroups } : {}),
      ...(assignPublicIp ? { assignPublicIp } : {}),
    },
  };
}

function describeStrategy(strategy: { capacityProvider?: string; weight?: number; base?: number }[]): string {
  return strategy.map((item) => `${item.capacityProvider}${item.weight !== undefined ? ` weight ${item.weight}` : ''}${item.base ? ` base ${item.base}` : ''}`).join(', ');
}

function onlyContainer(definition: TaskDefinition): string {
  const names = containerNames(definition);
  if (names.length === 1) return names[0]!;
  throw new UserError(
    `Task definition ${definition.family}:${definition.revision} has ${names.length} containers (${names.join(', ')}); say which one runs the migration.`,
    'Set the "container" input, or "migrate.container" / "ecs.container" in the manifest.',
  );
}

function requireContainer(definition: TaskDefinition, name: string): void {
  const names = containerNames(definition);
  if (names.includes(name)) return;
  const guess = closest(name, names);
  throw new UserError(
    `Task definition ${definition.family}:${definition.revision} has no container named "${name}".${guess ? ` Did you mean "${guess}"?` : ''}`,
    `Its containers: ${names.join(', ')}. Set the container that runs migrations with the "container" input (or migrate.container / ecs.container in the manifest).`,
  );
}

function commandOf(definition: TaskDefinition, container: string): string[] | undefined {
  return containerDefinition(definition, container)?.command;
}

function familyOf(reference: string): string {
  return shortTaskDefinition(reference).replace(/:\d+$/, '');
}

/** Marks the task as this workflow run's migration (ListTasks can filter on it). */
function startedBy(): string {
  const { runId, runAttempt } = githubContext();
  return (runId ? `berth/migrate/${runId}-${runAttempt}` : 'berth/migrate').slice(0, 128);
}

function runTags(name: string): Tag[] {
  const { repository, sha, runUrl } = githubContext();
  const tags: Tag[] = [
    { key: 'berth:purpose', value: 'migration' },
    { key: 'berth:service', value: name },
  ];
  if (repository) tags.push({ key: 'berth:repository', value: repository });
  if (sha) tags.push({ key: 'berth:commit', value: sha });
  if (runUrl) tags.push({ key: 'berth:run', value: runUrl });
  return tags;
}

/** Tags that mark a task-definition revision registered for a migration run. */
export function revisionTags(existing: Tag[]): Tag[] {
  const { sha, runUrl } = githubContext();
  const kept = existing.filter((tag) => !tag.key?.startsWith('berth:'));
  const added: Tag[] = [{ key: 'berth:registered-by', value: 'migrate' }];
  if (sha) added.push({ key: 'berth:commit', value: sha });
  if (runUrl) added.push({ key: 'berth:run', value: runUrl });
  return [...kept, ...added].slice(0, 50);
}
