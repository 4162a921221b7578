/**
 * # ECS rollout simulator
 *
 * A loopback HTTP server that speaks the ECS API (AWS JSON 1.1, `X-Amz-Target:
 * AmazonEC2ContainerServiceV20141113.<Operation>`) with its own state and an accelerated clock, so a
 * built action reaches it unchanged through `AWS_ENDPOINT_URL_ECS` and sees real rollout dynamics:
 * tasks walking PROVISIONING → PENDING → RUNNING → STOPPED, rolling deployments that drain the old
 * tasks, `failedTasks`, the deployment circuit breaker (with rollback), CloudWatch-alarm rollback,
 * service events, the service deployment history (ListServiceDeployments / DescribeServiceDeployments /
 * DescribeServiceRevisions / StopServiceDeployment), ECS-native BLUE_GREEN, LINEAR and CANARY
 * deployments with their lifecycle stages, traffic weights and lifecycle hooks
 * (ContinueServiceDeployment), and the task sets of services CodeDeploy deploys (the CodeDeploy
 * stand-in, test/harness/codedeploy, drives them). moto records an UpdateService but never moves a
 * rollout; this does.
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
 * an exit code; with `runSeconds` above `stableSeconds` it is healthy first and fails later),
 * `image-pull-failure`, `secrets-failure`, `health-check-failure`, `no-capacity`.
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
 *
 * ## Rolling deployments
 * As ECS does (deployment-type-ecs, deployment-circuit-breaker): the primary deployment launches
 * within maximumPercent, the old ones drain as its tasks turn healthy, the circuit breaker counts
 * failed tasks until one runs long enough (threshold: half the desired count, 3 to 200, or
 * `thresholdConfiguration`). A failure (breaker, or an alarm of `alarms` in ALARM before the rollout
 * completes) sets rolloutState FAILED; with rollback on, ECS starts a deployment of the last
 * completed revision and records it on the failed service deployment: ROLLBACK_IN_PROGRESS, then
 * ROLLBACK_SUCCESSFUL (or ROLLBACK_FAILED), with `statusReason`, `rollback {reason, startedAt,
 * serviceRevisionArn}` and the breaker TRIGGERED; no new service deployment. Without rollback the
 * service deployment is STOPPED (`stoppedAt`) and the failed deployment stays PRIMARY. The failed
 * deployment stays in DescribeServices `deployments[]` (ACTIVE, rolloutState FAILED) until the
 * deployment that replaced it completes, so a watcher sees FAILED on every poll in between.
 * StopServiceDeployment rolls a rolling deployment back too (ROLLBACK_REQUESTED for 2 s, then as above).
 *
 * ## BLUE_GREEN, LINEAR and CANARY
 * Seed a service with `strategy`, `bakeTimeInMinutes`, `linearConfiguration`,
 * `canaryConfiguration`, `lifecycleHooks`, `alarms`, `circuitBreaker` and `loadBalancers` (with
 * `advancedConfiguration`), or set them with UpdateService's `deploymentConfiguration` and
 * `loadBalancers`: each member given replaces the service's and stays for later deployments;
 * changing the configuration alone starts no deployment.
 *
 * ```ts
 * const sim = await startEcsSimulator({
 *   scenarios: [{ image: ':late-crash', behaviour: 'exits', exitCode: 137, runSeconds: 150 }],
 *   hooks: [{ target: 'shop-api-smoke-test', stage: 'POST_TEST_TRAFFIC_SHIFT', result: 'FAILED' },
 *           { target: 'shop-api-checks', result: 'SUCCEEDED', inProgress: 2, callBackDelaySeconds: 20 }],
 *   alarms: [{ alarmName: 'shop-api-5xx', stage: 'BAKE_TIME', afterSeconds: 60, image: ':v2' }],
 * });
 * sim.seed({ clusters: ['shop-prod'], taskDefinitions: [api], services: [{
 *   cluster: 'shop-prod', name: 'shop-api', taskDefinition: 'shop-api',
 *   strategy: 'CANARY', bakeTimeInMinutes: 5, canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
 *   circuitBreaker: { enable: true, rollback: true },
 *   alarms: { alarmNames: ['shop-api-5xx'], enable: true, rollback: true },
 *   lifecycleHooks: [{ hookTargetArn: smokeTestArn, roleArn, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] },
 *                    { targetType: 'PAUSE', lifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT'] }],
 *   loadBalancers: [{ targetGroupArn: blueTg, containerName: 'api', containerPort: 3000, advancedConfiguration: {
 *     alternateTargetGroupArn: greenTg, productionListenerRule, testListenerRule, roleArn } }],
 * }] });
 * sim.setAlarm('shop-api-5xx', 'ALARM', 30);     // or now; 'OK' clears it
 * sim.inspect('shop-prod', 'shop-api').serviceDeployments[0].timeline;   // every stage, status and weight
 * ```
 *
 * UpdateService with a new task definition (or forceNewDeployment) creates a service deployment
 * (PENDING for 2 s, then IN_PROGRESS) and a green deployment (PRIMARY in `deployments[]`; blue, the
 * revision serving production, ACTIVE). Its stages, each shown as `lifecycleStage`:
 * RECONCILE_SERVICE (only when more than one revision runs: the others are scaled in), PRE_SCALE_UP,
 * SCALE_UP (green launched to the full desired count whatever maximumPercent says, tasks
 * `startedBy` the green deployment id; it ends when all are running and healthy; blue keeps all its
 * tasks and traffic), POST_SCALE_UP, TEST_TRAFFIC_SHIFT and POST_TEST_TRAFFIC_SHIFT (only with a
 * `testListenerRule`: test traffic 0 → 100), then per traffic step PRE_PRODUCTION_TRAFFIC_SHIFT and
 * PRODUCTION_TRAFFIC_SHIFT (BLUE_GREEN: 100 at once; CANARY: canaryPercent (default 5), then after
 * canaryBakeTimeInMinutes (default 10) 100; LINEAR: stepPercent (default 10) more every
 * stepBakeTimeInMinutes (default 6), no step bake after 100), POST_PRODUCTION_TRAFFIC_SHIFT,
 * BAKE_TIME (bakeTimeInMinutes, both revisions running), CLEAN_UP (blue scaled to 0, drained), then
 * SUCCESSFUL (green COMPLETED, blue gone). A stage with nothing to wait for lasts `stageSeconds` (5);
 * a traffic shift `trafficShiftSeconds` (30), ten minutes more when the production listener is an
 * NLB's (`:listener/net/`). The `requestedProductionTrafficWeight` and `requestedTestTrafficWeight`
 * of `targetServiceRevision` (green) and of `sourceServiceRevisions[0]` (blue; 100 − green) give the
 * split; requested/running/pending task counts are live until the deployment completes, then frozen.
 * Each revision takes the target group the one serving production does not use
 * (DescribeServiceRevisions `resolvedConfiguration.loadBalancers`). DescribeServices shows
 * `currentServiceDeployment` and `currentServiceRevisions`.
 *
 * Hooks: at each stage, after its own work, every configured hook for the stage runs; the stage ends
 * when all have SUCCEEDED. A Lambda hook is invoked with the payload of lambda-lifecycle-hooks.html
 * (`sim.inspect().hookInvocations`; weights only at TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT
 * and PRODUCTION_TRAFFIC_SHIFT) and answers per the first matching `hooks` rule (by target ARN, stage,
 * and `during` deploy/rollback; no rule: SUCCEEDED after 2 s); IN_PROGRESS is invoked again after
 * `callBackDelaySeconds`. A PAUSE hook is AWAITING_ACTION until ContinueServiceDeployment (CONTINUE,
 * or ROLLBACK: the hook SUCCEEDED and the deployment rolls back). A hook past `expiresAt`
 * (timeoutInMinutes, default 1440) is TIMED_OUT and its `timeoutAction` (default ROLLBACK) applies.
 * `lifecycleHookDetails` lists the current stage's hooks and every one that failed
 * (hookId `ecs-lambda-…`/`ecs-pause-…`, targetType, targetArn, status, expiresAt, timeoutAction).
 *
 * Failure and rollback: the circuit breaker counts green tasks that fail (at STOPPED, as for rolling)
 * from SCALE_UP until BAKE_TIME ends; a green task that turns healthy resets the count unless
 * `resetOnHealthyTask` is false. Deployment alarms are watched from the start until BAKE_TIME ends.
 * When the breaker trips or an alarm fires, with that detector's rollback on — or on a failed or
 * timed-out hook, a stage lasting over 24 hours, StopServiceDeployment ROLLBACK (ROLLBACK_REQUESTED
 * for 2 s first) or ContinueServiceDeployment ROLLBACK — ECS rolls back: ROLLBACK_IN_PROGRESS with
 * `rollback {reason, startedAt, serviceRevisionArn: blue}`, blue PRIMARY again (the service's task
 * definition), green ACTIVE with rolloutState FAILED; production traffic shifts back
 * (PRODUCTION_TRAFFIC_SHIFT, its hooks invoked with the weights reversed), then test traffic
 * (TEST_TRAFFIC_SHIFT), then green is scaled in (CLEAN_UP); ROLLBACK_SUCCESSFUL, or ROLLBACK_FAILED
 * when a hook fails during the rollback. With the detector's rollback off the deployment is STOPPED
 * where it is: traffic stays as it was, green stays PRIMARY with rolloutState FAILED and launches no
 * more tasks, blue keeps running. The breaker reports TRIGGERED and its failureCount; alarms report
 * TRIGGERED with `triggeredAlarmNames`. A new UpdateService during a deployment moves the old one to
 * STOP_REQUESTED and, once the new one's RECONCILE_SERVICE has scaled in every revision but the one
 * with most production traffic (the new blue), to STOPPED.
 *
 * StopServiceDeployment (API_StopServiceDeployment, stop-service-deployment.html): stopType ROLLBACK
 * (or none) only — ABORT is an InvalidParameterException; PENDING or IN_PROGRESS → ROLLBACK_REQUESTED;
 * STOP_REQUESTED, ROLLBACK_REQUESTED or ROLLBACK_IN_PROGRESS carry on; a completed deployment is a
 * ConflictException; an unknown ARN ServiceDeploymentNotFoundException. ListServiceDeployments
 * filters by `status[]` and `createdAt {after, before}`, newest first, `maxResults` (1–100, default
 * 20) per page; the `nextToken` names the last deployment given, so pages hold still while
 * deployments start.
 *
 * ### Modelled on AWS documentation
 * The stage names, order and meaning (API_ServiceDeployment `lifecycleStage`,
 * blue-green-deployment-how-it-works); test traffic before production; canary and linear steps, their
 * defaults and bounds and the hooks at every step (API_LinearConfiguration, API_CanaryConfiguration,
 * canary-deployment); bake time with both revisions up and blue kept until it ends
 * (deployment-type-blue-green); the NLB's extra ten minutes; the hook payload, IN_PROGRESS with
 * callBackDelay, a failed hook rolling back, PAUSE hooks not allowed at TEST_TRAFFIC_SHIFT or
 * PRODUCTION_TRAFFIC_SHIFT, ContinueServiceDeployment (lambda-lifecycle-hooks, deployment-lifecycle-hooks,
 * API_DeploymentLifecycleHook); the rollback re-invoking the traffic-shift hooks with the weights
 * reversed; the status sets and transitions of StopServiceDeployment, ABORT unsupported; STOPPED with
 * `stoppedAt` when the detector's rollback is off (ServiceDeployment `stoppedAt`); the statusReason
 * "deployment failed: hook execution failure(s) detected" (seen in aws/containers-roadmap#2664); the
 * circuit breaker's threshold and resetOnHealthyTask (API_DeploymentCircuitBreaker); the field names,
 * enum values and error types of @aws-sdk/client-ecs 3.1164.0. Note: that SDK's
 * `ServiceDeploymentLifecycleStage` type lacks PRE_PRODUCTION_TRAFFIC_SHIFT although its doc comment
 * (and ECS) use it: read `lifecycleStage` as a string.
 *
 * ### Chosen where AWS documents nothing (do not match these texts exactly)
 * Stage durations (`stageSeconds`, `trafficShiftSeconds`, PENDING and ROLLBACK_REQUESTED 2 s); the
 * breaker counting through BAKE_TIME and for LINEAR and CANARY; alarms watched until BAKE_TIME ends;
 * the stage names shown while rolling back (PRODUCTION_TRAFFIC_SHIFT, TEST_TRAFFIC_SHIFT, CLEAN_UP)
 * and blue becoming PRIMARY again (same deployment id); the reasons "deployment failed: alarm(s)
 * detected: <names>", "Service deployment rolled back because of a StopServiceDeployment request.",
 * "… of a ContinueServiceDeployment request.", "A newer service deployment started."; a stage over
 * 24 hours rolling back; StopServiceDeployment in CLEAN_UP being a ConflictException; a PAUSE hook
 * rolled back by ContinueServiceDeployment showing SUCCEEDED; rollback hooks answering SUCCEEDED
 * unless a rule says `during: 'rollback'`; test weights following production when there is no test
 * listener; an UpdateService that sets a new strategy and a task definition deploying with the new
 * strategy; a strategy change refused while a deployment is ongoing; hook ids; a missing
 * `bakeTimeInMinutes` meaning 0; LINEAR and CANARY refused without a load balancer (no Service
 * Connect or VPC Lattice here); the hook ARNs' `hookDetails` passed as configured (never merged with
 * returned ones).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { DeploymentAlarms, DeploymentCircuitBreaker, DeploymentLifecycleHook, LoadBalancer, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { VirtualClock } from './clock.js';
import { LogSink } from './logs.js';
import { EcsModel, SimError, type CircuitBreakerSettings, type HookInvocation, type Json, type LifecycleHookSettings, type LoadBalancerSettings, type SimDeployment, type Strategy, type TaskFailureRecord } from './model.js';
import { OPERATIONS } from './api.js';
import type { StageRecord } from './bluegreen.js';
import type { AlarmRule, HookRule, ScenarioRule } from './scenarios.js';

export type { ScenarioRule } from './scenarios.js';

export interface ThrottleRule {
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
  /** What lifecycle-hook Lambdas answer, by target ARN and stage (first match wins; no match: SUCCEEDED). */
  hooks?: HookRule[];
  /** CloudWatch alarms that change state during deployments. */
  alarms?: AlarmRule[];
  /** How long a blue/green stage with nothing else to wait for lasts, in simulated seconds (default 5). */
  stageSeconds?: number;
  /** How long a test or production traffic shift takes, in simulated seconds (default 30; 600 more behind a Network Load Balancer). */
  trafficShiftSeconds?: number;
  /** The registry behind the tasks: the digest an image named by tag resolves to (DescribeTasks' imageDigest); without an answer, none is reported. */
  resolveDigest?: (image: string) => string | undefined;
}

export interface SeedService {
  cluster: string;
  name: string;
  /** Family, family:revision or ARN of a task definition registered before (in `taskDefinitions` or earlier). */
  taskDefinition: string;
  desiredCount?: number;
  launchType?: 'FARGATE' | 'EC2';
  circuitBreaker?: DeploymentCircuitBreaker;
  deploymentController?: 'ECS' | 'CODE_DEPLOY' | 'EXTERNAL';
  /** `deploymentConfiguration.strategy` (default ROLLING). */
  strategy?: Strategy;
  bakeTimeInMinutes?: number;
  linearConfiguration?: { stepPercent?: number; stepBakeTimeInMinutes?: number };
  canaryConfiguration?: { canaryPercent?: number; canaryBakeTimeInMinutes?: number };
  lifecycleHooks?: DeploymentLifecycleHook[];
  alarms?: DeploymentAlarms;
  /** With `advancedConfiguration` (alternate target group, listener rules, role) for the blue/green strategies. */
  loadBalancers?: LoadBalancer[];
  maximumPercent?: number;
  minimumHealthyPercent?: number;
  /** Deployments before the current one, oldest first, e.g. `{ taskDefinition: 'shop-api:1', status: 'SUCCESSFUL' }`. */
  history?: { taskDefinition: string; status: 'SUCCESSFUL' | 'STOPPED' | 'ROLLBACK_SUCCESSFUL' | 'ROLLBACK_FAILED' }[];
}

export interface Seed {
  clusters?: string[];
  taskDefinitions?: RegisterTaskDefinitionCommandInput[];
  services?: SeedService[];
}

export interface SimCall {
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
  /**
   * The service deployments, newest first: status, strategy, and for blue/green, linear and canary ones
   * every stage, status and requested traffic split they went through, with simulated times.
   */
  serviceDeployments: { arn: string; status: string; strategy: string; createdAt: number; finishedAt?: number; timeline: StageRecord[] }[];
  /** The lifecycle-hook Lambda invocations ECS made for the service, in order, with their payloads. */
  hookInvocations: HookInvocation[];
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
  /** Hook rules tried before the existing ones. */
  addHookRules(...rules: HookRule[]): void;
  /** Alarm rules applied to deployments started from now on. */
  addAlarmRules(...rules: AlarmRule[]): void;
  /** Sets a CloudWatch alarm's state now, or `afterSeconds` simulated seconds from now. */
  setAlarm(alarmName: string, state: 'ALARM' | 'OK', afterSeconds?: number): void;
  /** Moves simulated time up to now (the CodeDeploy stand-in calls it before each request). */
  advance(): void;
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
  const model = new EcsModel(options.region ?? 'us-east-1', options.account ?? '123456789012', [...(options.scenarios ?? [])], clock.now(), logs, {
    hooks: options.hooks,
    alarms: options.alarms,
    stageSeconds: options.stageSeconds,
    trafficShiftSeconds: options.trafficShiftSeconds,
    resolveDigest: options.resolveDigest,
  });
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
        model.createService({
          ...service,
          desiredCount: service.desiredCount ?? 2,
          circuitBreaker: service.circuitBreaker && ({ ...service.circuitBreaker, enable: service.circuitBreaker.enable ?? false, rollback: service.circuitBreaker.rollback ?? false } as CircuitBreakerSettings),
          alarms: service.alarms && { alarmNames: service.alarms.alarmNames ?? [], enable: service.alarms.enable ?? false, rollback: service.alarms.rollback ?? false },
          lifecycleHooks: service.lifecycleHooks as LifecycleHookSettings[] | undefined,
          loadBalancers: service.loadBalancers as LoadBalancerSettings[] | undefined,
        });
      }
      recordDeployments();
      return { taskDefinitionArns };
    },
    addScenarios(...rules) {
      model.scenarios.unshift(...rules);
    },
    addHookRules(...rules) {
      model.hookRules.unshift(...rules);
    },
    addAlarmRules(...rules) {
      model.alarmRules.push(...rules);
    },
    setAlarm(alarmName, state, afterSeconds = 0) {
      advance();
      model.setAlarm(alarmName, state, model.time + afterSeconds * 1000);
    },
    advance,
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
        serviceDeployments: service.history.map((record) => ({
          arn: record.arn,
          status: record.status,
          strategy: String(record.configuration.strategy ?? 'ROLLING'),
          createdAt: record.createdAt,
          finishedAt: record.finishedAt,
          timeline: record.run ? record.run.timeline.map((entry) => ({ ...entry })) : [],
        })),
        hookInvocations: model.hookInvocations.filter((invocation) => String((invocation.payload.executionDetails as Json).serviceArn) === service.arn),
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
