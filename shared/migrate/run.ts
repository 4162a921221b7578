/** Registering the revision with the new image, and starting the task with RunTask. */
import * as core from '../core.js';
import { RunTaskCommand, type ECSClient, type Task, type TaskDefinition } from '@aws-sdk/client-ecs';
import { DeploymentFailure, UserError } from '../errors.js';
import { registerTaskDefinition, renderTaskDefinition } from '../ecs/task-definitions.js';
import { revisionTags, type MigrationPlan } from './plan.js';
import { shortTaskDefinition } from '../ecs/arn.js';

/**
 * A new revision in the service's own family with only the migration container's image replaced:
 * it is what the deploy step registers next anyway, and its tags say which run registered it.
 */
export async function registerRevision(ecs: ECSClient, plan: MigrationPlan): Promise<TaskDefinition> {
  const input = renderTaskDefinition(plan.source, { images: { [plan.container]: plan.newImage! } });
  input.tags = revisionTags(plan.source.tags);
  const registered = await registerTaskDefinition(ecs, input);
  core.info(`Registered ${shortTaskDefinition(registered.taskDefinitionArn!)} with ${plan.newImage} in container "${plan.container}" (tagged berth:registered-by=migrate).`);
  return registered;
}

/** RunTask refusals that mean the request itself is wrong; nothing was started. */
const REFUSALS = new Set(['InvalidParameterException', 'ClientException', 'PlatformUnknownException', 'PlatformTaskDefinitionIncompatibilityException', 'UnsupportedFeatureException', 'BlockedException']);

export async function startTask(ecs: ECSClient, plan: MigrationPlan, taskDefinitionArn: string): Promise<Task> {
  let response;
  try {
    response = await ecs.send(new RunTaskCommand({ ...plan.run, taskDefinition: taskDefinitionArn }));
  } catch (error) {
    if (error instanceof Error && REFUSALS.has(error.name)) {
      throw new UserError(
        `ECS refused to start the migration task from ${shortTaskDefinition(taskDefinitionArn)} in cluster ${plan.cluster}: ${error.name}: ${error.message}`,
        'Nothing was started. Check the settings listed under "Resolve the migration task" (launch type or capacity providers, platform version, subnets, security groups), ' +
          'which come from the service unless the step overrides them.',
      );
    }
    throw error;
  }
  const task = response.tasks?.find((candidate) => candidate.taskArn);
  if (task) return task;
  const failures = (response.failures ?? []).map((failure) => [failure.reason?.trim() || 'no reason given', failure.detail ? `(${failure.detail})` : '', failure.arn ? `for ${failure.arn}` : ''].filter(Boolean).join(' '));
  throw new DeploymentFailure(
    `ECS did not start the migration task in cluster ${plan.cluster}: ${failures.length ? failures.join('; ') : 'RunTask returned neither a task nor a failure'}.`,
    runFailureHint(failures.join(' '), plan.cluster),
  );
}

function runFailureHint(reasons: string, cluster: string): string {
  if (/RESOURCE:(MEMORY|CPU)/.test(reasons)) return `No container instance in ${cluster} has enough free ${/MEMORY/.test(reasons) ? 'memory' : 'CPU'} for the task: add capacity to the cluster or lower the task's size.`;
  if (/RESOURCE:PORTS/.test(reasons)) return 'The host ports the task definition asks for are taken on every instance: use dynamic host ports (hostPort 0) or awsvpc networking.';
  if (/AGENT/.test(reasons)) return `The ECS agent on the chosen instance is disconnected: check the container instances of ${cluster}.`;
  if (/capacity is unavailable|insufficient capacity/i.test(reasons)) return 'Fargate has no capacity for this task in these subnets right now: re-run the job, or give subnets in more Availability Zones.';
  if (/MISSING|INACTIVE/.test(reasons)) return 'Check the cluster, the task definition and the capacity providers the task asks for.';
  return `Check the capacity of cluster ${cluster} (container instances, capacity providers) and the task's placement constraints.`;
}
