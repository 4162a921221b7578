/** The digests ECS resolved an image to: what the running tasks of one task-definition revision pulled. */
import { DescribeTasksCommand, ListTasksCommand, type ECSClient } from '@aws-sdk/client-ecs';

/** The distinct digests the service's running tasks of `taskDefinitionArn` report for `container`, sorted. */
export async function runningTaskDigests(ecs: ECSClient, cluster: string, service: string, taskDefinitionArn: string, container: string): Promise<string[]> {
  const { taskArns } = await ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING', maxResults: 100 }));
  if (!taskArns?.length) return [];
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: taskArns }));
  const digests = new Set<string>();
  for (const task of tasks ?? []) {
    if (task.taskDefinitionArn !== taskDefinitionArn) continue;
    const digest = task.containers?.find((candidate) => candidate.name === container)?.imageDigest;
    if (digest) digests.add(digest);
  }
  return [...digests].sort();
}
