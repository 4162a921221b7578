/** Links into the ECS console, for logs and summaries. */
import { resourceName as name } from './arn.js';

const base = (region: string) => `https://${region}.console.aws.amazon.com/ecs/v2`;

export function taskUrl(region: string, cluster: string, taskArn: string): string {
  return `${base(region)}/clusters/${name(cluster)}/tasks/${name(taskArn)}/configuration?region=${region}`;
}

export function serviceUrl(region: string, cluster: string, service: string): string {
  return `${base(region)}/clusters/${name(cluster)}/services/${name(service)}/deployments?region=${region}`;
}

/** A CloudWatch Logs stream in the console; the console wants names URL-encoded twice, with `$` for `%`. */
export function logStreamUrl(location: { group: string; stream: string; region: string }): string {
  const encode = (value: string) => encodeURIComponent(encodeURIComponent(value)).replace(/%/g, '$');
  return `https://${location.region}.console.aws.amazon.com/cloudwatch/home?region=${location.region}#logsV2:log-groups/log-group/${encode(location.group)}/log-events/${encode(location.stream)}`;
}
