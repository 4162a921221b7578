/**
 * How quickly deploy-ecs notices what ECS did, measured on scripted ECS timelines in accelerated
 * time: the built action runs unchanged against the ECS rollout simulator (and moto for
 * CloudWatch Logs). Prints, in simulated time:
 *   (a) how long after ECS reports COMPLETED the action reports success (5-minute rollouts);
 *   (b) how long after the third failed task (its container exited, or it could not start) the
 *       action fails, for each failure kind, with tasks that take 2, 30 and 60 s to reach STOPPED;
 *   (c) DescribeServices calls per poll when 5 and 25 services roll out together;
 *   (d) BLUE_GREEN, LINEAR and CANARY: how late "deployed" comes after ECS's SUCCESSFUL, and how long
 *       after the third failed green task and after an alarm (during bake time) the action fails.
 * Usage: npm run bench:deploy [-- --runs 11 --failure-runs 11 --speed 60 --only bd]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { startEcsSimulator, type EcsSimulator, type ScenarioRule } from '../standins/ecs-simulator/index.js';
import { freePort, waitFor } from '../standins/ports.js';
import { startAction } from '../standins/run-action.js';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const RUNS = arg('runs', 11);
const FAILURE_RUNS = arg('failure-runs', RUNS);
const ONLY = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]! : 'abcd';
const SPEED = arg('speed', 60);
const POLL_SIM_MS = 10_000;
const CLUSTER = 'bench-prod';
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';

function definition(family: string, tag: string): RegisterTaskDefinitionCommandInput {
  const container = family;
  return {
    family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [
      {
        name: container,
        image: `${REGISTRY}/${family}:${tag}`,
        essential: true,
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}`, 'awslogs-stream-prefix': 'ecs', 'awslogs-region': 'us-east-1' } },
      },
    ],
  };
}

function manifest(families: string[]): string {
  return `cluster: ${CLUSTER}\nservices:\n${families.map((family) => `  ${family}:\n    paths: [apps/${family}/**]\n    repository: ${family}\n    ecs: { service: ${family}, container: ${family} }`).join('\n')}\n`;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Env {
  motoUrl: string;
  workspace: string;
}

/** The failure kinds of (b): the tag of the image that fails that way, and what Fargate does. */
const FAILURE_KINDS = [
  { kind: 'crash loop (exit 1)', tag: 'crash', scenario: (jitter: number, stopping: number): ScenarioRule => ({ behaviour: 'exits', exitCode: 1, pullSeconds: 15 + jitter, stoppingSeconds: stopping }) },
  { kind: 'image pull failure', tag: 'no-such-tag', scenario: (jitter: number, stopping: number): ScenarioRule => ({ behaviour: 'image-pull-failure', pullSeconds: 15 + jitter, stoppingSeconds: stopping }) },
  { kind: 'secrets failure', tag: 'secretless', scenario: (jitter: number, stopping: number): ScenarioRule => ({ behaviour: 'secrets-failure', provisionSeconds: 10 + jitter, stoppingSeconds: stopping }) },
  // ECS stops an unhealthy task itself: DEACTIVATING is the load balancer's deregistration delay.
  { kind: 'health-check failure', tag: 'unhealthy', scenario: (jitter: number, stopping: number): ScenarioRule => ({ behaviour: 'health-check-failure', pullSeconds: 15 + jitter, healthCheckSeconds: 30, drainSeconds: stopping }) },
];
const STOPPING_SECONDS = [2, 30, 60];

type Strategy = 'BLUE_GREEN' | 'LINEAR' | 'CANARY';

const ELB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';
/** The load balancer a traffic-shifting strategy needs: two target groups, the listener rules and ECS's role for them. */
const BLUE_GREEN_LOAD_BALANCER = {
  targetGroupArn: `${ELB}:targetgroup/api-blue/0123456789abcdef`,
  containerName: 'api',
  containerPort: 3000,
  advancedConfiguration: {
    alternateTargetGroupArn: `${ELB}:targetgroup/api-green/fedcba9876543210`,
    productionListenerRule: `${ELB}:listener-rule/app/shop/0123456789abcdef/1111111111111111/2222222222222222`,
    testListenerRule: `${ELB}:listener-rule/app/shop/0123456789abcdef/3333333333333333/4444444444444444`,
    roleArn: 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers',
  },
};

/** A service of the strategy: 5 minutes of bake time, canary 10 % for 2 minutes, linear 50 % steps of 1 minute; alarm rollback on. */
function strategyService(strategy: Strategy) {
  return {
    cluster: CLUSTER,
    name: 'api',
    taskDefinition: 'api',
    desiredCount: 2,
    strategy,
    bakeTimeInMinutes: 5,
    canaryConfiguration: strategy === 'CANARY' ? { canaryPercent: 10, canaryBakeTimeInMinutes: 2 } : undefined,
    linearConfiguration: strategy === 'LINEAR' ? { stepPercent: 50, stepBakeTimeInMinutes: 1 } : undefined,
    alarms: { alarmNames: ['api-5xx'], enable: true, rollback: true },
    loadBalancers: [BLUE_GREEN_LOAD_BALANCER],
  };
}

async function withSimulator<T>(env: Env, families: string[], desiredCount: number, run: (sim: EcsSimulator) => Promise<T>, strategy?: Strategy): Promise<T> {
  // A random image pull time (within one poll) puts ECS's events at a random point between two polls.
  const jitter = Math.random() * (POLL_SIM_MS / 1000);
  const sim = await startEcsSimulator({
    speed: SPEED,
    motoUrl: env.motoUrl,
    scenarios: [
      // A five-minute rollout: 20 s to provision, about 100 s to pull, 30 s to turn healthy, 150 s of load-balancer draining.
      { image: ':five-minutes', behaviour: 'runs', provisionSeconds: 20, pullSeconds: 95 + jitter, stableSeconds: 30, drainSeconds: 150 },
      ...FAILURE_KINDS.flatMap(({ tag, scenario }) => STOPPING_SECONDS.map((stopping) => ({ ...scenario(jitter, stopping), image: `:${tag}-${stopping}s` }))),
      { image: ':green', behaviour: 'runs', pullSeconds: 15 + jitter, stableSeconds: 20 },
    ],
    // The alarm fires a random time into bake time, for deployments of the :alarm image only.
    alarms: [{ alarmName: 'api-5xx', stage: 'BAKE_TIME', afterSeconds: 60 + jitter * 6, image: ':alarm' }],
  });
  try {
    sim.seed({
      clusters: [CLUSTER],
      taskDefinitions: families.map((family) => definition(family, 'good')),
      services: strategy ? [strategyService(strategy)] : families.map((family) => ({ cluster: CLUSTER, name: family, taskDefinition: family, desiredCount })),
    });
    writeFileSync(join(env.workspace, '.github', 'services.yml'), manifest(families));
    return await run(sim);
  } finally {
    await sim.close();
  }
}

function action(env: Env, sim: EcsSimulator, inputs: Record<string, string>) {
  return startAction('deploy-ecs', {
    inputs: { 'poll-interval': `${Math.round(POLL_SIM_MS / SPEED)}ms`, 'wait-timeout': '60s', ...inputs },
    cwd: env.workspace,
    env: { ...sim.env(), AWS_ENDPOINT_URL: env.motoUrl, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_EC2_METADATA_DISABLED: 'true' },
    timeoutMs: 120_000,
  });
}

/** (a) Simulated time from COMPLETED to the action's success line. */
async function completedToSuccess(env: Env): Promise<number> {
  return withSimulator(env, ['api'], 2, async (sim) => {
    const running = action(env, sim, { services: 'api', images: `api=${REGISTRY}/api:five-minutes` });
    await running.waitForLog(/\[api\] rollout of api:2 completed/, 60_000);
    const noticed = sim.clock.simAt(Date.now());
    const result = await running.result;
    if (result.code !== 0) throw new Error(`the healthy rollout failed:\n${result.log}`);
    const deployment = sim.inspect(CLUSTER, 'api').allDeployments.find((candidate) => candidate.taskDefinition.endsWith('api:2'))!;
    return noticed - deployment.completedAt!;
  });
}

/** (b) Simulated time from the third failed task (container exit or start failure) to the action's failure line, and whether that task had STOPPED by then. */
async function thirdFailureToFailure(env: Env, tag: string): Promise<{ delay: number; beforeStopped: boolean }> {
  return withSimulator(env, ['api'], 2, async (sim) => {
    const running = action(env, sim, { services: 'api', images: `api=${REGISTRY}/api:${tag}`, rollback: 'false', 'wait-timeout': '10m' });
    await running.waitForLog(/\[api\] FAILED/, 60_000);
    const noticed = sim.clock.simAt(Date.now());
    const result = await running.result;
    const third = sim.inspect(CLUSTER, 'api').failures[2];
    if (!third) throw new Error(`the action failed before three tasks had failed:\n${result.log}`);
    return { delay: noticed - third.failedAt, beforeStopped: third.stoppedAt === undefined || third.stoppedAt > noticed };
  });
}

/** (c) DescribeServices calls in the first poll (every service rolling out) and on average. */
async function callsPerPoll(env: Env, count: number): Promise<{ firstPoll: number; average: number; polls: number }> {
  const families = Array.from({ length: count }, (_, i) => `svc${String(i).padStart(2, '0')}`);
  return withSimulator(env, families, 1, async (sim) => {
    const result = await action(env, sim, { services: 'all', 'image-tag': 'v2' }).result;
    if (result.code !== 0) throw new Error(`the rollout of ${count} services failed:\n${result.log}`);
    const [, polls, calls] = /Watched with (\d+) polls and (\d+) DescribeServices calls/.exec(result.log)!.map(Number) as [number, number, number];
    const lastUpdate = sim.calls.findLastIndex((call) => call.operation === 'UpdateService');
    const watching = sim.calls.slice(lastUpdate + 1).filter((call) => call.operation === 'DescribeServices');
    const firstPoll = watching.filter((call) => call.at - watching[0]!.at < POLL_SIM_MS / SPEED / 2).length;
    return { firstPoll, average: calls / polls, polls };
  });
}

/** (d) Simulated time from SUCCESSFUL to the success line, from the third failed green task to the failure line, and from the alarm to it. */
async function strategyTimeline(env: Env, strategy: Strategy, kind: 'success' | 'green crash' | 'alarm in bake time'): Promise<number> {
  const tag = kind === 'success' ? 'green' : kind === 'alarm in bake time' ? 'alarm' : 'crash-30s';
  return withSimulator(
    env,
    ['api'],
    2,
    async (sim) => {
      const running = action(env, sim, { services: 'api', images: `api=${REGISTRY}/api:${tag}`, 'wait-timeout': '30m' });
      await running.waitForLog(kind === 'success' ? /\[api\] rollout of api:2 completed/ : /\[api\] FAILED/, 120_000);
      const noticed = sim.clock.simAt(Date.now());
      const result = await running.result;
      const state = sim.inspect(CLUSTER, 'api');
      const deployment = state.serviceDeployments.find((candidate) => candidate.timeline.length)!;
      if (kind === 'success') {
        if (result.code !== 0 || deployment.status !== 'SUCCESSFUL') throw new Error(`the ${strategy} rollout did not succeed:\n${result.log}`);
        return noticed - deployment.finishedAt!;
      }
      if (kind === 'green crash') {
        const third = state.failures[2];
        if (!third) throw new Error(`the action failed before three green tasks had failed:\n${result.log}`);
        return noticed - third.failedAt;
      }
      const bake = deployment.timeline.find((entry) => entry.stage === 'BAKE_TIME');
      const fired = deployment.timeline.find((entry) => entry.rollingBack);
      if (!bake || !fired || !/went into ALARM during BAKE_TIME/.test(result.log)) throw new Error(`the alarm did not fail the ${strategy} deployment in bake time:\n${result.log}`);
      return noticed - fired.at;
    },
    strategy,
  );
}

async function benchStrategies(env: Env): Promise<void> {
  const polls = (ms: number) => `${(ms / POLL_SIM_MS).toFixed(2)} polls`;
  console.log(`(d) blue/green, linear and canary deployments (bake time 5 min, alarm rollback on, circuit breaker off), ${FAILURE_RUNS} runs each`);
  console.log(`    targets: "deployed" within one poll of SUCCESSFUL; failures within two polls (${seconds(2 * POLL_SIM_MS)}) of the third failed green task or of ECS acting on the alarm`);
  for (const strategy of ['BLUE_GREEN', 'LINEAR', 'CANARY'] as const) {
    for (const kind of ['success', 'green crash', 'alarm in bake time'] as const) {
      const delays: number[] = [];
      for (let i = 0; i < FAILURE_RUNS; i++) delays.push(await strategyTimeline(env, strategy, kind));
      const from = kind === 'success' ? 'SUCCESSFUL -> deployed' : kind === 'green crash' ? 'third failed green task -> failed' : 'alarm acted on (rollback starts) -> failed';
      console.log(`    ${strategy.padEnd(10)} ${from.padEnd(44)} median ${seconds(median(delays))} (${polls(median(delays))}), max ${seconds(Math.max(...delays))} (${polls(Math.max(...delays))})`);
    }
  }
  console.log('');
}

async function benchCompleted(env: Env, poll: string): Promise<void> {
  const late: number[] = [];
  for (let i = 0; i < RUNS; i++) late.push(await completedToSuccess(env));
  console.log('(a) ECS reports COMPLETED (5-minute rolling deploy, 2 tasks) -> the action reports success');
  console.log(`    median ${seconds(median(late))}, max ${seconds(Math.max(...late))}   target: within one poll (${poll})`);
  console.log('    anchor: the SDK services-stable waiter in the official action notices a 5-minute deploy 1.9 minutes late at the median\n');
}

async function benchFailures(env: Env): Promise<void> {
  const polls = (ms: number) => `${(ms / POLL_SIM_MS).toFixed(2)} polls`;
  console.log(`(b) third failed task (container exit, start failure, or found unhealthy) -> the action fails, evidence read; circuit breaker off, ${FAILURE_RUNS} runs each`);
  console.log(`    target: within two polls (${seconds(2 * POLL_SIM_MS)}), however long the task takes to reach STOPPED`);
  for (const { kind, tag } of FAILURE_KINDS) {
    for (const stopping of STOPPING_SECONDS) {
      const runs: { delay: number; beforeStopped: boolean }[] = [];
      for (let i = 0; i < FAILURE_RUNS; i++) runs.push(await thirdFailureToFailure(env, `${tag}-${stopping}s`));
      const delays = runs.map((run) => run.delay);
      const early = runs.filter((run) => run.beforeStopped).length;
      console.log(
        `    ${kind.padEnd(21)} ${String(stopping).padStart(2)} s to STOPPED: median ${seconds(median(delays))} (${polls(median(delays))}), ` +
          `max ${seconds(Math.max(...delays))} (${polls(Math.max(...delays))}); reported before that task stopped in ${early} of ${runs.length}`,
      );
    }
  }
  console.log('    anchor: the official action waits out its timeout (10 to 30 minutes) and prints a JSON blob\n');
}

async function benchCalls(env: Env): Promise<void> {
  console.log('(c) DescribeServices calls per poll, services of one cluster rolling out together');
  for (const count of [5, 25]) {
    const { firstPoll, average, polls } = await callsPerPoll(env, count);
    console.log(`    ${String(count).padStart(2)} services: ${firstPoll} in the first poll, ${average.toFixed(2)} on average over ${polls} polls   target: ${Math.ceil(count / 10)} (one per 10 services)`);
  }
}

async function main(): Promise<void> {
  const port = await freePort();
  const motoUrl = `http://127.0.0.1:${port}`;
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const workspace = mkdtempSync(join(tmpdir(), 'bench-deploy-'));
  mkdirSync(join(workspace, '.github'));
  try {
    await waitFor(async () => (await fetch(`${motoUrl}/moto-api/`)).ok, 'moto_server (pip install "moto[server]")');
    const env = { motoUrl, workspace };
    const poll = seconds(POLL_SIM_MS);
    console.log(`deploy-ecs against the ECS rollout simulator: ${SPEED}x accelerated time, poll interval ${poll} (simulated), ${RUNS} runs each\n`);

    if (ONLY.includes('a')) await benchCompleted(env, poll);
    if (ONLY.includes('b')) await benchFailures(env);
    if (ONLY.includes('c')) await benchCalls(env);
    if (ONLY.includes('d')) await benchStrategies(env);
  } finally {
    moto.kill();
    rmSync(workspace, { recursive: true, force: true });
  }
}

await main();
