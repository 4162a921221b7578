/**
 * "The previous version" is the last task definition the service actually ran successfully, which
 * ECS's service deployment history knows (deployments since October 2024, kept 90 days). A revision
 * number minus one may never have run, or may have failed.
 */
import { DescribeServiceRevisionsCommand, ListServiceDeploymentsCommand, type ECSClient, type ServiceDeploymentBrief } from '@aws-sdk/client-ecs';
import { describeAwsError, isAwsError } from '../aws/errors.js';
import { errorMessage } from '../errors.js';
import { shortTaskDefinition } from '../ecs/arn.js';

export type LastGood = { taskDefinitionArn: string; finishedAt?: Date } | { taskDefinitionArn?: undefined; why: string };

const PAGES = 3;

/** The newest task definition of a SUCCESSFUL service deployment that is none of `exclude`. */
export async function lastSuccessfulTaskDefinition(ecs: ECSClient, cluster: string, service: string, exclude: string[]): Promise<LastGood> {
  const excluded = new Set(exclude.map(shortTaskDefinition));
  try {
    let nextToken: string | undefined;
    for (let page = 0; page < PAGES; page++) {
      const response = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service, status: ['SUCCESSFUL'], maxResults: 20, nextToken }));
      const deployments = [...(response.serviceDeployments ?? [])].filter((deployment) => deployment.targetServiceRevisionArn).sort(newestFirst);
      if (deployments.length) {
        const revisions = await taskDefinitionsOf(
          ecs,
          deployments.map((deployment) => deployment.targetServiceRevisionArn!),
        );
        for (const deployment of deployments) {
          const taskDefinitionArn = revisions.get(deployment.targetServiceRevisionArn!);
          if (taskDefinitionArn && !excluded.has(shortTaskDefinition(taskDefinitionArn))) return { taskDefinitionArn, finishedAt: deployment.finishedAt };
        }
      }
      nextToken = response.nextToken;
      if (!nextToken) break;
    }
    return { why: 'ECS keeps no successful deployment of another revision in its history (it keeps 90 days, from October 2024)' };
  } catch (error) {
    return { why: `ECS deployment history could not be read: ${isAwsError(error) ? describeAwsError(error).message : errorMessage(error)}` };
  }
}

function newestFirst(a: ServiceDeploymentBrief, b: ServiceDeploymentBrief): number {
  const time = (deployment: ServiceDeploymentBrief) => (deployment.finishedAt ?? deployment.startedAt ?? deployment.createdAt)?.getTime() ?? 0;
  return time(b) - time(a);
}

async function taskDefinitionsOf(ecs: ECSClient, revisionArns: string[]): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  const unique = [...new Set(revisionArns)];
  for (let start = 0; start < unique.length; start += 20) {
    const { serviceRevisions } = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: unique.slice(start, start + 20) }));
    for (const revision of serviceRevisions ?? []) if (revision.serviceRevisionArn && revision.taskDefinition) result.set(revision.serviceRevisionArn, revision.taskDefinition);
  }
  return result;
}
