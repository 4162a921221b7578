/**
 * Everything that can be checked before a change: clusters, services, deployment controllers,
 * containers, task definitions, rollback targets. Only reads; a problem anywhere stops the whole call before any
 * RegisterTaskDefinition or UpdateService.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { DeploymentConfiguration, ECSClient, RegisterTaskDefinitionCommandInput, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import type { AwsSession } from '../aws/client.js';
import * as core from '../core.js';
import { UserError, quoted } from '../errors.js';
import { imageProblem } from '../images.js';
import { closest } from '../suggest.js';
import { requireServices } from '../ecs/services.js';
import { describeTaskDefinition, parseTaskDefinitionJson, renderTaskDefinition, type LoadedTaskDefinition } from '../ecs/task-definitions.js';
import { resolveRollbackTo } from './rollback-to.js';
import type { Target } from './targets.js';
import type { DeployInputs, Release, Strategy } from './types.js';
import { strategyOf } from './service-deployments.js';
import type { CodeDeployGroup } from '../codedeploy/deployment.js';
import { shortTaskDefinition } from '../ecs/arn.js';
import { containerImage, containerNames, essentialContainerNames } from '../ecs/containers.js';
import { accountRegistry } from '../ecr/registry.js';

export interface Plan {
  target: Target;
  /** The container whose image identifies the release and whose logs are evidence. */
  container: string;
  /** The service as it was before this call changed anything. */
  service: Service;
  /** The task definition it ran then. */
  live: TaskDefinition;
  release: Release;
  /** The main container's image once deployed. */
  image: string;
  /** A rollback to another task-definition family, allowed by `allow-other-family`. */
  otherFamily?: { live: string; target: string };
  /** Who deploys the service: ECS (UpdateService) or CodeDeploy (CreateDeployment). */
  controller: 'ECS' | 'CODE_DEPLOY';
  /** The ECS strategy of this rollout (ROLLING for CodeDeploy services). */
  strategy: Strategy;
  /** The CodeDeploy application and group of a CODE_DEPLOY service. */
  codeDeployGroup?: CodeDeployGroup;
  /** `strategy` given for this deploy only: the service's configuration to put back afterwards. */
  strategyChange?: { from: Strategy; configuration: DeploymentConfiguration };
}

export interface PrepareContext {
  inputs: DeployInputs;
  ecs: ECSClient;
  session: AwsSession;
  /** Where relative task-definition files are read from. */
  workspace: string;
  /** The manifest's registry, when it names one. */
  manifestRegistry?: string;
  /** The CodeDeploy client and group finder, loaded when a CODE_DEPLOY service is deployed. */
  codeDeploy(): Promise<{ findGroup(plan: { service: Service; target: Target }): Promise<CodeDeployGroup> }>;
}

export async function prepare(targets: Target[], context: PrepareContext): Promise<Plan[]> {
  if (context.inputs.taskDefinition && targets.length > 1) {
    throw new UserError(
      `Input "task-definition" gives one task definition, but ${targets.length} services are deployed (${targets.map((target) => target.name).join(', ')}).`,
      'Deploy one service per step when starting from a task-definition file or revision, or leave "task-definition" empty to start from each service\'s live one.',
    );
  }
  const services = await lookUpServices(targets, context.ecs);
  let registry: Promise<string> | undefined;
  const defaultRegistry = () => (registry ??= context.inputs.registry ? Promise.resolve(context.inputs.registry) : context.manifestRegistry ? Promise.resolve(context.manifestRegistry) : accountRegistry(context.session));

  const settled = await Promise.allSettled(targets.map((target) => planOne(target, services.get(target.name)!, context, defaultRegistry)));
  const problems = settled.flatMap((result, i) => (result.status === 'rejected' ? [{ target: targets[i]!, error: result.reason as unknown }] : []));
  const unexpected = problems.find((problem) => !(problem.error instanceof UserError));
  if (unexpected) throw unexpected.error;
  if (problems.length === 1) throw problems[0]!.error;
  if (problems.length > 1) {
    const errors = problems.map((problem) => ({ name: problem.target.name, error: problem.error as UserError }));
    throw new UserError(
      `${problems.length} services cannot be deployed, so nothing was changed:\n${errors.map(({ name, error }) => `  ${name}: ${error.message.replace(/\n/g, '\n    ')}`).join('\n')}`,
      errors
        .map(({ name, error }) => (error.hint ? `${name}: ${error.hint}` : ''))
        .filter(Boolean)
        .join('\n'),
    );
  }
  return settled.map((result) => (result as PromiseFulfilledResult<Plan>).value);
}

async function lookUpServices(targets: Target[], ecs: ECSClient): Promise<Map<string, Service>> {
  const clusters = new Map<string, Target[]>();
  for (const target of targets) clusters.set(target.cluster, [...(clusters.get(target.cluster) ?? []), target]);
  const byTarget = new Map<string, Service>();
  await Promise.all(
    [...clusters].map(async ([cluster, members]) => {
      const found = await requireServices(
        ecs,
        cluster,
        members.map((target) => target.ecsService),
      );
      for (const target of members) byTarget.set(target.name, found.get(target.ecsService)!);
    }),
  );
  return byTarget;
}

async function planOne(target: Target, service: Service, context: PrepareContext, defaultRegistry: () => Promise<string>): Promise<Plan> {
  const { inputs } = context;
  const controller = service.deploymentController?.type ?? 'ECS';
  if (controller !== 'ECS' && controller !== 'CODE_DEPLOY') {
    throw new UserError(
      `ECS service "${target.ecsService}" in cluster "${target.cluster}" is deployed by an external deployment controller (${controller}), so neither UpdateService nor CodeDeploy can roll it out.`,
      'Deploy this service through its own controller, or switch it to the ECS deployment controller.',
    );
  }
  const { strategy, strategyChange } = chooseStrategy(target, service, controller, inputs.strategy);
  const live = await describeTaskDefinition(context.ecs, service.taskDefinition ?? primaryTaskSet(service, target));
  const codeDeployGroup = controller === 'CODE_DEPLOY' ? await (await context.codeDeploy()).findGroup({ service, target }) : undefined;
  const how = { controller, strategy, strategyChange, codeDeployGroup } as const;

  if (inputs.rollbackTo) {
    const container = mainContainer(target, live.taskDefinition);
    const { release, image, otherFamily } = await resolveRollbackTo(inputs.rollbackTo, {
      ecs: context.ecs,
      cluster: target.cluster,
      service: target.ecsService,
      live,
      container,
      session: context.session,
      allowOtherFamily: inputs.allowOtherFamily,
      warn: core.warning,
      codeDeploy: controller === 'CODE_DEPLOY',
    });
    return { target, container, service, live: live.taskDefinition, release, image, otherFamily, ...how };
  }

  const base = inputs.taskDefinition ? await loadBase(inputs.taskDefinition, context) : { loaded: live, reference: undefined };
  const container = mainContainer(target, base.loaded.taskDefinition);
  const images = { ...target.images };
  if (target.mainImage) images[container] = target.mainImage;
  if (images[container] === undefined && target.repository) {
    if (!inputs.imageTag) {
      throw new UserError(`No image is given for ${target.name}, and its default tag is unknown: "image-tag" is empty and GITHUB_SHA is not set.`, 'Set "images" (or "image-tag") for this step.');
    }
    images[container] = `${await defaultRegistry()}/${target.repository}:${inputs.imageTag}`;
    const problem = imageProblem(images[container]);
    if (problem) {
      throw new UserError(
        `The image of ${target.name}, ${quoted(images[container])}, is ${problem}: it is made of the registry, the manifest's repository "${target.repository}" and "image-tag".`,
        'Shorten the registry, the repository or the tag, or give the image in "images".',
      );
    }
  }
  const changed = Object.keys(images).length > 0 || Object.keys(inputs.environment).length > 0;
  const existing = (definition: TaskDefinition, note?: string): Plan => ({
    target,
    container,
    service,
    live: live.taskDefinition,
    release: { kind: 'existing', arn: definition.taskDefinitionArn!, definition, note },
    image: containerImage(definition, container) ?? '',
    ...how,
  });

  // An existing revision named in "task-definition" is deployed as it is.
  if (!changed && base.reference) return existing(base.loaded.taskDefinition);
  if (!changed && !inputs.taskDefinition) {
    if (!inputs.forceNewDeployment) {
      throw new UserError(
        `Nothing to deploy to ${target.ecsService}: no image, environment or task definition was given.`,
        'Set "image" (or "images"), "environment" or "task-definition"; or "force-new-deployment: true" to restart the service on its current revision.',
      );
    }
    return existing(live.taskDefinition, 'a new deployment of the live revision');
  }
  const targets = Object.keys(images).length ? Object.keys(images) : [container];
  const input = renderTaskDefinition(base.loaded, {
    images,
    environment: Object.keys(inputs.environment).length ? Object.fromEntries(targets.map((name) => [name, inputs.environment])) : undefined,
  });
  if (!inputs.taskDefinition && sameDefinition(input, renderTaskDefinition(live, {}))) {
    // Deploying what already runs registers nothing; ECS starts no deployment unless forced.
    return existing(live.taskDefinition, `unchanged: the service already runs ${shortTaskDefinition(live.taskDefinition.taskDefinitionArn!)}`);
  }
  return { target, container, service, live: live.taskDefinition, release: { kind: 'register', input }, image: images[container] ?? containerImage(base.loaded.taskDefinition, container) ?? '', ...how };
}

/** A CodeDeploy service has no task definition of its own: its primary task set's is the live one. */
function primaryTaskSet(service: Service, target: Target): string {
  const primary = service.taskSets?.find((set) => set.status === 'PRIMARY')?.taskDefinition;
  if (!primary) {
    throw new UserError(
      `ECS service "${target.ecsService}" in cluster "${target.cluster}" runs no task definition yet (no primary task set).`,
      'Deploy it once with CodeDeploy (or the console) so that it has a running revision, then use this action.',
    );
  }
  return primary;
}

/**
 * The strategy of this rollout. `strategy` changes it for one deploy, only where ECS allows the
 * change: the ECS controller, no deployment in progress, and for traffic-shifting strategies a load
 * balancer with the alternate target group, listener rule and role they shift with.
 */
function chooseStrategy(target: Target, service: Service, controller: string, wanted: Strategy | undefined): { strategy: Strategy; strategyChange?: Plan['strategyChange'] } {
  const own = strategyOf(service);
  if (controller === 'CODE_DEPLOY') {
    if (wanted) {
      throw new UserError(
        `Input "strategy" is ${wanted}, but ECS service "${target.ecsService}" is deployed by CodeDeploy, whose deployment group chooses how traffic shifts.`,
        'Remove "strategy"; change the deployment configuration of the CodeDeploy deployment group instead.',
      );
    }
    return { strategy: 'ROLLING' };
  }
  if (!wanted || wanted === own) return { strategy: own };
  const where = `ECS service "${target.ecsService}" in cluster "${target.cluster}"`;
  const ongoing = (service.deployments ?? []).filter((deployment) => deployment.status !== 'PRIMARY' || deployment.rolloutState === 'IN_PROGRESS');
  if (ongoing.length) {
    throw new UserError(
      `Input "strategy" is ${wanted}, but ${where} has a deployment in progress, and ECS changes a strategy only between deployments.`,
      'Wait for the current deployment to finish (or roll it back), then run again.',
    );
  }
  if (wanted !== 'ROLLING') {
    const balancers = service.loadBalancers ?? [];
    const incomplete = balancers.filter((balancer) => !balancer.advancedConfiguration?.alternateTargetGroupArn || !(balancer.advancedConfiguration.productionListenerRule && balancer.advancedConfiguration.roleArn));
    if ((wanted !== 'BLUE_GREEN' && balancers.length === 0) || incomplete.length) {
      throw new UserError(
        `Input "strategy" is ${wanted}, but ${where} ${balancers.length === 0 ? 'has no load balancer to shift traffic with' : `has a load balancer without the blue/green settings (advancedConfiguration: alternateTargetGroupArn, productionListenerRule, roleArn) on ${incomplete.map((balancer) => balancer.containerName ?? balancer.targetGroupArn).join(', ')}`}.`,
        'Give the service a second target group, the production listener rule and the ECS infrastructure role for load balancers (see "Blue/green, linear and canary" in the deploy-ecs README), or leave "strategy" empty.',
      );
    }
  }
  return { strategy: wanted, strategyChange: { from: own, configuration: service.deploymentConfiguration ?? {} } };
}

/** The container that identifies the release: the one named, the only one, or the only essential one. */
function mainContainer(target: Target, definition: TaskDefinition): string {
  const names = containerNames(definition);
  const source = `${definition.family}:${definition.revision ?? '(file)'}`;
  if (target.container) {
    if (!names.includes(target.container)) {
      const guess = closest(target.container, names);
      throw new UserError(
        `Task definition ${source} of ${target.ecsService} has no container named "${target.container}".${guess ? ` Did you mean "${guess}"?` : ''}`,
        `Its containers: ${names.join(', ')}. Fix ecs.container in the manifest (or the "container" input).`,
      );
    }
    return target.container;
  }
  const given = Object.keys(target.images);
  if (given.length === 1 && names.includes(given[0]!)) return given[0]!;
  if (names.length === 1) return names[0]!;
  const essential = essentialContainerNames(definition);
  if (essential.length === 1) return essential[0]!;
  throw new UserError(`Task definition ${source} of ${target.ecsService} has ${names.length} containers (${names.join(', ')}); which one is the application?`, 'Set "container" to the container whose image you deploy.');
}

async function loadBase(reference: string, context: PrepareContext): Promise<{ loaded: LoadedTaskDefinition; reference?: string }> {
  const path = isAbsolute(reference) ? reference : join(context.workspace, reference);
  const looksLikeFile = /\.json$/i.test(reference) || (reference.includes('/') && !reference.startsWith('arn:'));
  if (looksLikeFile || (existsSync(path) && !/^[A-Za-z0-9_-]+(:\d+)?$/.test(reference))) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new UserError(`Input "task-definition" names the file ${reference}, which cannot be read: ${(error as Error).message}.`, 'Check the path (relative to the repository root) and that the repository is checked out.');
    }
    return { loaded: parseTaskDefinitionJson(text, `Task-definition file ${reference}`) };
  }
  return { loaded: await describeTaskDefinition(context.ecs, reference), reference };
}

function sameDefinition(a: RegisterTaskDefinitionCommandInput, b: RegisterTaskDefinitionCommandInput): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
