/** Names read from ECS ARNs. Kept free of AWS SDK imports: summaries and action inputs use them. */

/** The part after the last `/` of an ARN: a cluster's or service's name (a name is returned as it is). */
export function resourceName(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf('/') + 1);
}

/** The `family:revision` part of a task-definition ARN, for logs. */
export function shortTaskDefinition(arn: string): string {
  return resourceName(arn);
}

/** The task's id, the last part of its ARN. */
export function taskIdOf(taskArn: string): string {
  return resourceName(taskArn);
}

/** The revision number at the end of a task-definition ARN (`…:task-definition/shop-api:12`). */
export function revisionOf(arn: string | undefined): number | undefined {
  const match = arn ? /:(\d+)$/.exec(arn) : null;
  return match ? Number(match[1]) : undefined;
}
