/**
 * # ECS rollout simulator
 *
 * A loopback HTTP server that speaks the ECS API (AWS JSON 1.1, `X-Amz-Target:
 * AmazonEC2ContainerServiceV20141113.<Operation>`) with its own state and an accelerated clock, so a
 * built action reaches it unchanged through `AWS_ENDPOINT_URL_ECS` and sees real rollout dynamics:
 * tasks walking PROVISIONING → PENDING → RUNNING → STOPPED, rolling deployments that drain the old
 * tasks, `failedTasks`, the deployment circuit breaker (with rollback), service events, and the
 * service deployment history (ListServiceDeployments / DescribeServiceDeployments /
 * DescribeServiceRevisions). moto records an UpdateService but never moves a rollout; this does.
 *
 * ```ts
 * const sim = await startEcsSimulator({
 *   speed: 60,                                   // one simulated minute per real second
 *   motoUrl,                                     // container output goes to CloudWatch Logs there
 *   scenarios: [{ image: ':bad', behaviour: 'exits', exitCode: 1 }],
 * });
 * sim.seed({
 *   clusters: ['shop-prod'],
 *   taskDefinitions: [apiTaskDefinition],        // RegisterTaskDefinition inputs
 *   services: [{ cluster: 'shop-prod', name: 'shop-api', taskDefinition: 'shop-api', desiredCount: 2 }],
 * });
 * // run the action with { ...sim.env(), AWS_ENDPOINT_URL: motoUrl }
 * sim.inspect('shop-prod', 'shop-api');          // deployments with simulated completion times
 * await sim.close();
 * ```
 *
 * Behaviour comes from scenarios matched on a task's essential image (and, for one-shot tasks, its
 * command override); see scenarios.ts: `runs` (healthy), `exits` (crash loop or one-shot task with
 * an exit code), `image-pull-failure`, `secrets-failure`, `health-check-failure`, `no-capacity`.
 * `throttle()` answers calls with ThrottlingException; `credentials.validForMs` rejects an access
 * key with ExpiredTokenException that long (real time) after its first use. Seeded services start
 * steady, their tasks healthy whatever the scenarios say. RunTask / DescribeTasks / StopTask serve
 * one-shot tasks such as a migration container.
 *
 * A stopping task looks as it does on Fargate: desiredStatus STOPPED, stopCode and stoppedReason (and
 * an exited container's exit code) from the moment ECS decides, while lastStatus walks through
 * RUNNING, DEACTIVATING, STOPPING and DEPROVISIONING to STOPPED over `stoppingSeconds` (a failure)
 * or `drainSeconds` (a stop ECS or a user asked for). ListTasks with desiredStatus STOPPED lists it
 * all that time.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { VirtualClock } from './clock.js';
import { LogSink } from './logs.js';
import { EcsModel, SimError, type Json, type SimDeployment, type TaskFailureRecord } from './model.js';
import { OPERATIONS } from './api.js';
import type { ScenarioRule } from './scenarios.js';

export type { ScenarioRule } from './scenarios.js';

interface ThrottleRule {
  /** Operation name such as DescribeServices; every operation when omitted. */
  operation?: string;
  /** How many calls in a row to refuse. */
  count: number;
  /** Calls of that operation to let through before refusing. */
  afterCalls?: number;
}

export interface EcsSimulatorOptions {
  scenarios?: ScenarioRule[];
  /** Simulated milliseconds per real millisecond (default 60: a simulated minute per second). */
  speed?: number;
  /** moto's URL: each task's container output is written to CloudWatch Logs there. */
  motoUrl?: string;
  region?: string;
  account?: string;
  /** Simulated milliseconds per scheduler step (default 1000). */
  tickMs?: number;
  /** Reject an access key with ExpiredTokenException this long (real ms) after its first use. */
  credentials?: { validForMs: number };
  throttling?: ThrottleRule[];
}

interface SeedService {
  cluster: string;
  name: string;
  /** Family, family:revision or ARN of a task definition registered before (in `taskDefinitions` or earlier). */
  taskDefinition: string;
  desiredCount?: number;
  launchType?: 'FARGATE' | 'EC2';
  circuitBreaker?: { enable: boolean; rollback: boolean };
  deploymentController?: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
  /** Deployments before the current one, oldest first, e.g. `{ taskDefinition: 'shop-api:1', status: 'SUCCESSFUL' }`. */
  history?: { taskDefinition: string; status: 'SUCCESSFUL' | 'STOPPED' | 'ROLLBACK_SUCCESSFUL' | 'ROLLBACK_FAILED' }[];
}

export interface Seed {
  clusters?: string[];
  taskDefinitions?: RegisterTaskDefinitionCommandInput[];
  services?: SeedService[];
}

interface SimCall {
  operation: string;
  input: Json;
  /** Real epoch ms. */
  at: number;
  /** Simulated epoch ms. */
  simAt: number;
  /** The error type answered, if any. */
  error?: string;
}

interface ServiceInspection {
  taskDefinition: string;
  desiredCount: number;
  deployments: {
    id: string;
    status: string;
    taskDefinition: string;
    rolloutState: string;
    failedTasks: number;
    createdAt: number;
    completedAt?: number;
    failedAt?: number;
  }[];
  history: { status: string; taskDefinition: string; createdAt: number; finishedAt?: number }[];
  /** Every failed task, in the order it failed: when it failed and when it reached STOPPED (simulated ms). */
  failures: TaskFailureRecord[];
  events: string[];
  /** Every deployment ever started for the service, oldest first, with its simulated times. */
  allDeployments: ServiceInspection['deployments'];
}

export interface EcsSimulator {
  url: string;
  clock: VirtualClock;
  model: EcsModel;
  calls: SimCall[];
  /** The environment that sends a child process's ECS calls here. */
  env(): Record<string, string>;
  seed(seed: Seed): { taskDefinitionArns: string[] };
  /** Rules tried before the existing ones. */
  addScenarios(...rules: ScenarioRule[]): void;
  throttle(rule: ThrottleRule): void;
  inspect(cluster: string, service: string): ServiceInspection;
  /** Errors moto returned while writing container output. */
  logErrors(): string[];
  close(): Promise<void>;
}

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

export async function startEcsSimulator(options: EcsSimulatorOptions = {}): Promise<EcsSimulator> {
  const speed = options.speed ?? 60;
  const tickMs = options.tickMs ?? 1000;
  const clock = new VirtualClock(speed);
  const logs = new LogSink(options.motoUrl);
  const model = new EcsModel(options.region ?? 'us-east-1', options.account ?? '123456789012', [...(options.scenarios ?? [])], clock.now(), logs);
  const calls: SimCall[] = [];
  const throttles = (options.throttling ?? []).map((rule) => ({ ...rule, seen: 0 }));
  const firstSeen = new Map<string, number>();
  const everDeployed = new Map<string, Map<string, ServiceInspection['deployments'][number]>>();

  const advance = () => {
    model.advanceTo(clock.now(), tickMs);
    recordDeployments();
  };
  const ticker = setInterval(advance, 20);
  ticker.unref();

  function recordDeployments() {
    for (const cluster of model.clusters.values()) {
      for (const service of cluster.services.values()) {
        const key = `${cluster.name}/${service.name}`;
        const known = everDeployed.get(key) ?? new Map();
        everDeployed.set(key, known);
        for (const deployment of service.deployments) known.set(deployment.id, describeDeployment(deployment));
      }
    }
  }

  function describeDeployment(deployment: SimDeployment) {
    return {
      id: deployment.id,
      status: deployment.status,
      taskDefinition: deployment.taskDefinition.arn,
      rolloutState: deployment.rolloutState,
      failedTasks: deployment.failedTasks,
      createdAt: deployment.createdAt,
      completedAt: deployment.completedAt,
      failedAt: deployment.failedAt,
    };
  }

  function refusal(operation: string, authorization: string | undefined): SimError | undefined {
    if (options.credentials) {
      const key = /Credential=([^/]+)\//.exec(authorization ?? '')?.[1] ?? '';
      const first = firstSeen.get(key) ?? Date.now();
      firstSeen.set(key, first);
      if (Date.now() - first > options.credentials.validForMs) return new SimError('ExpiredTokenException', 'The security token included in the request is expired');
    }
    for (const rule of throttles) {
      if (rule.operation !== undefined && rule.operation !== operation) continue;
      rule.seen++;
      if (rule.seen > (rule.afterCalls ?? 0) && rule.count > 0) {
        rule.count--;
        return new SimError('ThrottlingException', 'Rate exceeded');
      }
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let input: Json = {};
    try {
      input = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json) : {};
    } catch {
      return reply(res, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON.' });
    }
    const call: SimCall = { operation, input, at: Date.now(), simAt: clock.now() };
    calls.push(call);
    try {
      advance();
      const refused = refusal(operation, req.headers.authorization);
      if (refused) throw refused;
      const handler = OPERATIONS[operation];
      if (!handler) throw new SimError('UnknownOperationException', `The simulator does not implement ${operation}.`);
      const output = handler(model, input);
      recordDeployments();
      // What a container printed is in CloudWatch Logs before a caller can learn from DescribeTasks that it
      // ran; simulated time stands still meanwhile, as ECS does not wait for moto.
      if (operation === 'DescribeTasks') {
        clock.hold();
        await logs.flush().finally(() => clock.release());
      }
      reply(res, 200, output);
    } catch (error) {
      if (error instanceof SimError) {
        call.error = error.type;
        reply(res, error.status, { __type: error.type, message: error.message });
      } else {
        call.error = 'ServerException';
        reply(res, 500, { __type: 'ServerException', message: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  function reply(res: ServerResponse, status: number, body: Json): void {
    const headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() };
    if (status >= 400 && typeof body.__type === 'string') headers['x-amzn-errortype'] = body.__type;
    res.writeHead(status, headers).end(JSON.stringify(body));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    clock,
    model,
    calls,
    env: () => ({ AWS_ENDPOINT_URL_ECS: url }),
    seed(seed) {
      advance();
      for (const name of seed.clusters ?? []) model.createCluster(name);
      const taskDefinitionArns = (seed.taskDefinitions ?? []).map((input) => model.registerTaskDefinition(input as unknown as Json).arn);
      for (const service of seed.services ?? []) {
        model.createService({ ...service, desiredCount: service.desiredCount ?? 2 });
      }
      recordDeployments();
      return { taskDefinitionArns };
    },
    addScenarios(...rules) {
      model.scenarios.unshift(...rules);
    },
    throttle(rule) {
      throttles.push({ ...rule, seen: 0 });
    },
    inspect(clusterName, serviceName) {
      advance();
      const service = model.clusters.get(clusterName)?.services.get(serviceName);
      if (!service) throw new Error(`The simulator has no service ${clusterName}/${serviceName}`);
      return {
        taskDefinition: service.taskDefinition.arn,
        desiredCount: service.desiredCount,
        deployments: service.deployments.map(describeDeployment),
        history: service.history.map((record) => ({ status: record.status, taskDefinition: record.target.taskDefinition, createdAt: record.createdAt, finishedAt: record.finishedAt })),
        failures: service.failures.map((failure) => ({ ...failure })),
        events: service.events.map((event) => event.message),
        allDeployments: [...(everDeployed.get(`${clusterName}/${serviceName}`)?.values() ?? [])].sort((a, b) => a.createdAt - b.createdAt),
      };
    },
    logErrors: () => [...logs.errors],
    async close() {
      clearInterval(ticker);
      await logs.flush();
      logs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
