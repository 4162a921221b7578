/** Names read from ECS ARNs. Kept free of AWS SDK imports: summaries and action inputs use them. */

/** The part after the last `/`: a task's id, a task definition's `family:revision`, a cluster's or service's name. */
export function arnName(arnOrName: string): string {
  return arnOrName.slice(arnOrName.lastIndexOf('/') + 1);
}

/** The `family:revision` part of a task-definition ARN, for logs. */
export const shortTaskDefinition = arnName;

/** The task's id, the last part of its ARN. */
export const taskIdOf = arnName;

/** The revision number at the end of a task-definition ARN (`…:task-definition/shop-api:12`). */
export function revisionOf(arn: string | undefined): number | undefined {
  const match = arn ? /:(\d+)$/.exec(arn) : null;
  return match ? Number(match[1]) : undefined;
}
