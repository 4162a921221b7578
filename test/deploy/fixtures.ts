/** Shared set-up for the deploy tests: task definitions, a simulator wired to this worker's moto, and runs of the built action. */
import { afterEach } from '@jest/globals';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startEcsSimulator, type EcsSimulator, type EcsSimulatorOptions, type Seed } from '../../standins/ecs-simulator/index.js';
import { awsTestEnv, motoUrl, TEST_ACCOUNT, TEST_REGION } from '../../standins/moto.js';
import { runAction, type ActionResult } from '../../standins/run-action.js';

export const REGISTRY = `${TEST_ACCOUNT}.dkr.ecr.${TEST_REGION}.amazonaws.com`;
export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const CLUSTER = 'shop-prod';

/** A Fargate task definition whose essential container logs with awslogs, like the ones teams deploy. */
export function taskDefinition(family: string, tag: string, options: { container?: string; sidecar?: boolean } = {}): RegisterTaskDefinitionCommandInput {
  const container = options.container ?? family.replace(/^shop-/, '');
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    executionRoleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/ecsTaskExecutionRole`,
    tags: [{ key: 'team', value: 'payments' }],
    containerDefinitions: [
      {
        name: container,
        image: `${REGISTRY}/${family}:${tag}`,
        essential: true,
        portMappings: [{ containerPort: 3000, protocol: 'tcp' }],
        environment: [{ name: 'NODE_ENV', value: 'production' }],
        secrets: [{ name: 'DATABASE_URL', valueFrom: `arn:aws:secretsmanager:${TEST_REGION}:${TEST_ACCOUNT}:secret:${family}/database-url` }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-stream-prefix': 'ecs', 'awslogs-region': TEST_REGION } },
      },
      ...(options.sidecar ? [{ name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false }] : []),
    ],
  };
}

export const image = (family: string, tag: string) => `${REGISTRY}/${family}:${tag}`;

/** Scenarios by image tag used across the tests. */
export const SCENARIOS: EcsSimulatorOptions['scenarios'] = [
  { image: ':crash', behaviour: 'exits', exitCode: 1, logLines: ['api: starting', "Error: Cannot find module '/app/dist/server.js'", 'api: exiting with code 1'] },
  { image: ':no-such-tag', behaviour: 'image-pull-failure' },
  { image: ':secretless', behaviour: 'secrets-failure' },
  { image: ':unhealthy', behaviour: 'health-check-failure', healthCheckSeconds: 30 },
  { image: ':no-room', behaviour: 'no-capacity' },
  { image: ':slow', behaviour: 'runs', pullSeconds: 600 },
];

const simulators: EcsSimulator[] = [];
const workspaces: string[] = [];

afterEach(async () => {
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
  for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A simulator (closed after the test) whose containers write their output to this worker's moto. */
export async function simulator(seed: Seed, options: EcsSimulatorOptions = {}): Promise<EcsSimulator> {
  const sim = await startEcsSimulator({ speed: 120, motoUrl: motoUrl(), scenarios: SCENARIOS, ...options });
  simulators.push(sim);
  sim.seed(seed);
  return sim;
}

/** One cluster, one task definition per family at `good`, one steady service per family. */
export function shop(families: string[], options: { circuitBreaker?: { enable: boolean; rollback: boolean }; desiredCount?: number } = {}): Seed {
  return {
    clusters: [CLUSTER],
    taskDefinitions: families.map((family) => taskDefinition(family, 'good')),
    services: families.map((family) => ({ cluster: CLUSTER, name: family, taskDefinition: family, circuitBreaker: options.circuitBreaker, desiredCount: options.desiredCount })),
  };
}

/** A checked-out repository with a services manifest. */
export function workspace(manifest: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-ws-'));
  workspaces.push(dir);
  mkdirSync(join(dir, '.github'));
  writeFileSync(join(dir, '.github', 'services.yml'), manifest);
  return dir;
}

export function file(dir: string, name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

export const FAST = { 'poll-interval': '100ms', 'wait-timeout': '20s' };

/** Runs the built action with ECS at `sim` (when given) and everything else at moto. */
export function deploy(inputs: Record<string, string | undefined>, options: { sim?: EcsSimulator; cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<ActionResult> {
  return runAction('deploy-ecs', {
    inputs,
    cwd: options.cwd,
    env: { ...awsTestEnv(), ...(options.sim ? options.sim.env() : {}), ...options.env },
    timeoutMs: 90_000,
  });
}

export function resultOf(run: ActionResult): {
  outcome: string;
  services: {
    service: string;
    outcome: string;
    reason: string;
    rolledBackTo: string;
    taskDefinitionArn: string;
    revision: number | null;
    image: string;
    deploymentId: string;
    durationSeconds: number;
    consoleUrl: string;
    cluster: string;
    ecsService: string;
    strategy: string;
    stages: string[];
  }[];
} {
  if (!run.outputs.result) throw new Error(`no result output:\n${run.log}`);
  return JSON.parse(run.outputs.result);
}

/** The ::error:: annotation lines, decoded. */
export function errors(run: ActionResult): string[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) =>
      line
        .replace(/^::error[^:]*::/, '')
        .replace(/%0A/g, '\n')
        .replace(/%25/g, '%')
        .replace(/%3A/g, ':')
        .replace(/%2C/g, ','),
    );
}

export async function logLines(group: string, stream: string): Promise<string[]> {
  const logs = new CloudWatchLogsClient({ region: TEST_REGION, endpoint: motoUrl(), credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const { events } = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }));
  return (events ?? []).map((event) => event.message ?? '');
}
