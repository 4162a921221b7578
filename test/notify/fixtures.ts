/** Results of the other actions exactly as their `result` outputs carry them. */
export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const BASE = 'fedcba9876543210fedcba9876543210fedcba98';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const taskDef = (family: string, revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
const console = (service: string) => `https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/shop-prod/services/${service}/deployments`;

export function changes(names: string[], migrate = true) {
  return {
    base: BASE,
    head: SHA,
    event: 'push',
    services: [...names.map((name) => ({ name, changed: true, reason: 'apps/' + name + '/** changed' })), { name: 'docs', changed: false, reason: 'no matching files' }],
    migrate,
  };
}

export function build(service: string, extra: Record<string, unknown> = {}) {
  return {
    service,
    repository: `shop-${service}`,
    image: `${REGISTRY}/shop-${service}:${SHA}`,
    digest: 'sha256:' + 'ab'.repeat(32),
    imageWithDigest: `${REGISTRY}/shop-${service}@sha256:${'ab'.repeat(32)}`,
    tags: [SHA, 'latest'],
    skipped: false,
    sizeBytes: 123456789,
    durationSeconds: 42,
    ...extra,
  };
}

export function migration(status = 'succeeded', extra: Record<string, unknown> = {}) {
  return {
    service: 'api',
    status,
    exitCode: status === 'succeeded' ? 0 : 1,
    taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/shop-prod/0a1b2c3d4e5f',
    durationSeconds: 31,
    reason: status === 'succeeded' ? '' : 'P3009: migrate found failed migrations in the target database; run prisma migrate resolve',
    consoleUrl: 'https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/shop-prod/tasks/0a1b2c3d4e5f',
    ...extra,
  };
}

export function deployedService(service: string, outcome = 'deployed', revision = 12, extra: Record<string, unknown> = {}) {
  return {
    service,
    cluster: 'shop-prod',
    ecsService: `shop-${service}`,
    taskDefinitionArn: taskDef(`shop-${service}`, revision),
    revision,
    image: `${REGISTRY}/shop-${service}:${SHA}`,
    deploymentId: `ecs-svc/${revision}000000000000000`,
    outcome,
    durationSeconds: 95,
    reason: outcome === 'deployed' ? '' : `Essential container in task exited (exit code 1): Error: connect ECONNREFUSED 10.0.3.7:5432`,
    rolledBackTo: outcome === 'rolled-back' ? taskDef(`shop-${service}`, revision - 1) : '',
    consoleUrl: console(`shop-${service}`),
    ...extra,
  };
}

export function deployment(services: Array<ReturnType<typeof deployedService>>) {
  const outcomes = services.map((service) => service.outcome);
  const outcome = outcomes.includes('failed') ? 'failed' : outcomes.includes('rolled-back') ? 'rolled-back' : 'deployed';
  return { outcome, services };
}

export const pushEvent = (message = 'Fix checkout rounding\n\nLonger description that must not appear.') => ({
  after: SHA,
  before: BASE,
  head_commit: { id: SHA, message, author: { name: 'Octo Cat' } },
});
