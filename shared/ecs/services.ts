/** Looking up ECS services, with errors that name the cluster and service and list what exists. */
import { DescribeClustersCommand, DescribeServicesCommand, ListClustersCommand, ListServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { UserError } from '../errors.js';
import { closest } from '../suggest.js';
import { resourceName } from './arn.js';

/** DescribeServices accepts at most this many services per call. */
export const DESCRIBE_SERVICES_BATCH = 10;

export interface ServiceLookup {
  found: Map<string, Service>;
  /** Names ECS reported as MISSING or that are no longer ACTIVE. */
  missing: string[];
}

/** Describes `names` in `cluster` with as few calls as possible (10 per call). */
export async function describeServices(ecs: ECSClient, cluster: string, names: string[]): Promise<ServiceLookup> {
  const found = new Map<string, Service>();
  const missing: string[] = [];
  const unique = [...new Set(names)];
  for (let start = 0; start < unique.length; start += DESCRIBE_SERVICES_BATCH) {
    const batch = unique.slice(start, start + DESCRIBE_SERVICES_BATCH);
    let response;
    try {
      response = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    } catch (error) {
      if (error instanceof Error && error.name === 'ClusterNotFoundException') throw await missingCluster(ecs, cluster);
      throw error;
    }
    for (const service of response.services ?? []) {
      if (service.status === 'ACTIVE' && service.serviceName) found.set(service.serviceName, service);
    }
    for (const name of batch) if (!found.has(name)) missing.push(name);
  }
  return { found, missing };
}

/** Services in several clusters, each cluster's described together; keyed by `key`, undefined for a service that does not exist. */
export async function describeServicesAcross(ecs: ECSClient, wanted: readonly { key: string; cluster: string; service: string }[]): Promise<Map<string, Service | undefined>> {
  const byCluster = new Map<string, (typeof wanted)[number][]>();
  for (const entry of wanted) byCluster.set(entry.cluster, [...(byCluster.get(entry.cluster) ?? []), entry]);
  const result = new Map<string, Service | undefined>();
  await Promise.all(
    [...byCluster].map(async ([cluster, members]) => {
      const { found } = await describeServices(
        ecs,
        cluster,
        members.map((entry) => entry.service),
      );
      for (const entry of members) result.set(entry.key, found.get(entry.service));
    }),
  );
  return result;
}

/** Every named service, or a UserError listing the ones that do not exist and the ones that do. */
export async function requireServices(ecs: ECSClient, cluster: string, names: string[]): Promise<Map<string, Service>> {
  const { found, missing } = await describeServices(ecs, cluster, names);
  if (missing.length === 0) return found;
  const existing = await listServiceNames(ecs, cluster).catch(() => []);
  const guesses = missing.map((name) => closest(name, existing)).filter(Boolean);
  throw new UserError(
    `ECS service${missing.length > 1 ? 's' : ''} ${missing.map((name) => `"${name}"`).join(', ')} ${missing.length > 1 ? 'do' : 'does'} not exist (or ${missing.length > 1 ? 'are' : 'is'} not active) in cluster "${cluster}".` +
      (guesses.length ? ` Did you mean ${guesses.map((name) => `"${name}"`).join(', ')}?` : ''),
    existing.length
      ? `Services in "${cluster}": ${existing.slice(0, 20).join(', ')}${existing.length > 20 ? `, and ${existing.length - 20} more` : ''}. Fix the service name (ecs.service in the manifest, or the "service" input).`
      : `Cluster "${cluster}" has no services. Create the service first (infrastructure code or aws ecs create-service), then deploy to it.`,
  );
}

export async function requireService(ecs: ECSClient, cluster: string, name: string): Promise<Service> {
  return (await requireServices(ecs, cluster, [name])).get(name)!;
}

async function listServiceNames(ecs: ECSClient, cluster: string): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(new ListServicesCommand({ cluster, nextToken, maxResults: 100 }));
    for (const arn of page.serviceArns ?? []) names.push(resourceName(arn));
    nextToken = page.nextToken;
  } while (nextToken && names.length < 500);
  return names.sort();
}

/** Nothing, or a UserError naming the clusters that do exist and the closest one. */
export async function requireCluster(ecs: ECSClient, cluster: string): Promise<void> {
  const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: [cluster] }));
  if (clusters?.some((found) => found.status === 'ACTIVE')) return;
  throw await missingCluster(ecs, cluster);
}

async function missingCluster(ecs: ECSClient, cluster: string): Promise<UserError> {
  const existing: string[] = [];
  try {
    const { clusterArns } = await ecs.send(new ListClustersCommand({ maxResults: 100 }));
    for (const arn of clusterArns ?? []) existing.push(resourceName(arn));
  } catch {
    // The list only improves the message.
  }
  const guess = closest(cluster, existing);
  const fix = 'Fix "cluster" in the manifest (or the "cluster" input), or the AWS region the step uses.';
  return new UserError(
    `ECS cluster "${cluster}" does not exist in this account and region.${guess ? ` Did you mean "${guess}"?` : ''}`,
    existing.length ? `Clusters here: ${existing.sort().join(', ')}. ${fix}` : `There are no clusters here. ${fix}`,
  );
}
