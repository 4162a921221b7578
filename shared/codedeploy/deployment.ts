/**
 * ECS services whose deployments CodeDeploy controls (blue/green with task sets): which application
 * and deployment group deploy the service, the AppSpec of a new revision, and what one CodeDeploy
 * deployment says of itself — status, lifecycle events, the traffic on the replacement task set,
 * the error, the rollback — for the watcher to judge.
 */
import {
  BatchGetDeploymentTargetsCommand,
  CreateDeploymentCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  ListDeploymentTargetsCommand,
  StopDeploymentCommand,
  type CodeDeployClient,
  type DeploymentGroupInfo,
} from '@aws-sdk/client-codedeploy';
import type { Service } from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import { UserError } from '../errors.js';

export interface CodeDeployGroup {
  application: string;
  deploymentGroup: string;
  /** How the group was found, for the log. */
  foundBy: string;
  info: DeploymentGroupInfo;
}

/**
 * The application and deployment group that deploy `service`: given, else the ones of the
 * deployment that made its primary task set, else the names the ECS console gives them.
 */
export async function findDeploymentGroup(codeDeploy: CodeDeployClient, service: Service, given: { application?: string; deploymentGroup?: string } = {}): Promise<CodeDeployGroup> {
  const cluster = service.clusterArn?.slice(service.clusterArn.lastIndexOf('/') + 1) ?? '';
  const name = service.serviceName ?? '';
  const candidates: { application: string; deploymentGroup: string; foundBy: string }[] = [];
  if (given.application && given.deploymentGroup) candidates.push({ application: given.application, deploymentGroup: given.deploymentGroup, foundBy: 'as given' });
  const primary = service.taskSets?.find((set) => set.status === 'PRIMARY' && set.externalId);
  if (!candidates.length && primary?.externalId) {
    const { deploymentInfo } = await codeDeploy.send(new GetDeploymentCommand({ deploymentId: primary.externalId })).catch(() => ({ deploymentInfo: undefined }));
    if (deploymentInfo?.applicationName && deploymentInfo.deploymentGroupName) {
      candidates.push({ application: deploymentInfo.applicationName, deploymentGroup: deploymentInfo.deploymentGroupName, foundBy: `from deployment ${primary.externalId}, which made the running task set` });
    }
  }
  if (!candidates.length) candidates.push({ application: `AppECS-${cluster}-${name}`, deploymentGroup: `DgpECS-${cluster}-${name}`, foundBy: 'by the names the ECS console gives them' });
  const chosen = candidates[0]!;
  let info: DeploymentGroupInfo | undefined;
  try {
    info = (await codeDeploy.send(new GetDeploymentGroupCommand({ applicationName: chosen.application, deploymentGroupName: chosen.deploymentGroup }))).deploymentGroupInfo;
  } catch (error) {
    if (!(error instanceof Error) || !/ApplicationDoesNotExist|DeploymentGroupDoesNotExist/.test(error.name)) throw error;
  }
  if (!info) {
    throw new UserError(
      `ECS service "${name}" in cluster "${cluster}" is deployed by CodeDeploy, but its deployment group was not found: application "${chosen.application}", group "${chosen.deploymentGroup}" (${chosen.foundBy}) does not exist.`,
      'Name them with "codedeploy-application" and "codedeploy-deployment-group" (or ecs.codedeploy in the manifest).',
    );
  }
  const serves = (info.ecsServices ?? []).some((entry) => entry.serviceName === name && entry.clusterName === cluster);
  if (!serves) {
    throw new UserError(
      `CodeDeploy group "${chosen.deploymentGroup}" of application "${chosen.application}" deploys ${(info.ecsServices ?? []).map((entry) => `${entry.clusterName}/${entry.serviceName}`).join(', ') || 'no ECS service'}, not ${cluster}/${name}.`,
      'Name the group that deploys this service with "codedeploy-deployment-group".',
    );
  }
  return { ...chosen, info };
}

/** The AppSpec of an ECS blue/green deployment of `taskDefinitionArn`, for the service's load-balanced container, with the hook functions by lifecycle event. */
export function appSpec(service: Service, taskDefinitionArn: string, hooks: Partial<Record<string, string>> = {}): string {
  const balanced = service.loadBalancers?.find((balancer) => balancer.containerName && balancer.containerPort);
  if (!balanced) {
    throw new UserError(
      `ECS service "${service.serviceName}" is deployed by CodeDeploy but has no load-balanced container, so its AppSpec cannot name one.`,
      'CodeDeploy blue/green needs the service to have a load balancer with a container name and port.',
    );
  }
  return JSON.stringify({
    version: 0.0,
    Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: taskDefinitionArn, LoadBalancerInfo: { ContainerName: balanced.containerName, ContainerPort: balanced.containerPort } } } }],
    ...(Object.keys(hooks).length ? { Hooks: Object.entries(hooks).map(([event, target]) => ({ [event]: target })) } : {}),
  });
}

export async function createDeployment(codeDeploy: CodeDeployClient, group: CodeDeployGroup, content: string, description: string): Promise<string> {
  const { deploymentId } = await codeDeploy.send(
    new CreateDeploymentCommand({
      applicationName: group.application,
      deploymentGroupName: group.deploymentGroup,
      description: description.slice(0, 512),
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content, sha256: createHash('sha256').update(content).digest('hex') } },
    }),
  );
  if (!deploymentId) throw new Error('CodeDeploy CreateDeployment returned no deployment id');
  return deploymentId;
}

export interface CodeDeployView {
  id: string;
  status: string;
  /** The lifecycle event in progress (or the last one that ran). */
  event?: string;
  failedEvent?: { name: string; message?: string };
  /** The replacement (green) task set's share of production traffic, 0 to 100. */
  production?: number;
  green?: { taskSet: string; desired: number; running: number; pending: number };
  error?: { code?: string; message?: string };
  rollbackDeploymentId?: string;
  rollbackMessage?: string;
  creator?: string;
}

export const CODEDEPLOY_FINISHED = new Set(['Succeeded', 'Failed', 'Stopped']);

/** GetDeployment and its one ECS target, read together. */
export async function viewDeployment(codeDeploy: CodeDeployClient, deploymentId: string): Promise<CodeDeployView> {
  const { deploymentInfo: info } = await codeDeploy.send(new GetDeploymentCommand({ deploymentId }));
  const view: CodeDeployView = {
    id: deploymentId,
    status: String(info?.status ?? 'Created'),
    error: info?.errorInformation?.code || info?.errorInformation?.message ? { code: info.errorInformation.code, message: info.errorInformation.message } : undefined,
    rollbackDeploymentId: info?.rollbackInfo?.rollbackDeploymentId,
    rollbackMessage: info?.rollbackInfo?.rollbackMessage,
    creator: info?.creator,
  };
  // Targets exist once the deployment has started; before, CodeDeploy answers DeploymentNotStartedException.
  if (view.status === 'Created' || view.status === 'Queued') return view;
  const { targetIds } = await codeDeploy.send(new ListDeploymentTargetsCommand({ deploymentId })).catch((error: Error) => {
    if (error.name === 'DeploymentNotStartedException') return { targetIds: undefined };
    throw error;
  });
  if (!targetIds?.length) return view;
  const { deploymentTargets } = await codeDeploy.send(new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds: targetIds.slice(0, 1) }));
  const target = deploymentTargets?.[0]?.ecsTarget;
  const events = target?.lifecycleEvents ?? [];
  view.event = (events.find((event) => event.status === 'InProgress') ?? [...events].reverse().find((event) => event.status && event.status !== 'Pending'))?.lifecycleEventName;
  const failed = events.find((event) => event.status === 'Failed');
  if (failed) view.failedEvent = { name: failed.lifecycleEventName ?? '', message: failed.diagnostics?.message };
  const green = target?.taskSetsInfo?.find((set) => set.taskSetLabel === 'Green');
  if (green) {
    view.production = green.trafficWeight;
    view.green = { taskSet: green.identifer ?? '', desired: green.desiredCount ?? 0, running: green.runningCount ?? 0, pending: green.pendingCount ?? 0 };
  }
  return view;
}

/** Stops a deployment and has CodeDeploy roll it back (a rollback deployment puts the original task set back). */
export async function stopWithRollback(codeDeploy: CodeDeployClient, deploymentId: string): Promise<void> {
  await codeDeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
}
