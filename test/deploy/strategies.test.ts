/**
 * The built action against the ECS simulator's BLUE_GREEN, LINEAR and CANARY deployments: stages
 * reported as they are reached, bake time watched (or not), green failures caught within two polls
 * with their evidence, ECS's own rollback followed to its end, and ours started with
 * StopServiceDeployment when ECS does not roll back.
 */
import { describe, expect, it } from '@jest/globals';
import type { EcsSimulator, EcsSimulatorOptions, SeedService } from '../../standins/ecs-simulator/index.js';
import { useMoto } from '../../standins/moto.js';
import { CLUSTER, SCENARIOS, deploy, errors, image, resultOf, simulator, taskDefinition } from './fixtures.js';
import { HOOK_ROLE, SMOKE_TEST, loadBalancers } from './bluegreen-fixtures.js';

const POLL_MS = 100;
const WATCH = { 'poll-interval': `${POLL_MS}ms`, 'wait-timeout': '60s' };
const ALARMS = { alarmNames: ['shop-api-5xx'], enable: true, rollback: true };

async function strategySim(service: Partial<SeedService>, options: EcsSimulatorOptions = {}): Promise<EcsSimulator> {
  return simulator(
    {
      clusters: [CLUSTER],
      taskDefinitions: [taskDefinition('shop-api', 'good')],
      services: [{ cluster: CLUSTER, name: 'shop-api', taskDefinition: 'shop-api', desiredCount: 2, loadBalancers: loadBalancers(), strategy: 'BLUE_GREEN', bakeTimeInMinutes: 1, ...service }],
    },
    {
      speed: 60,
      stageSeconds: 3,
      trafficShiftSeconds: 6,
      ...options,
      scenarios: [{ image: ':late-crash', behaviour: 'exits', exitCode: 137, runSeconds: 100, logLines: ['api: out of connections', 'api: exiting'] }, ...(SCENARIOS ?? [])],
    },
  );
}

const run = (sim: EcsSimulator, tag = 'v2', inputs: Record<string, string> = {}) => deploy({ service: 'shop-api', cluster: CLUSTER, image: image('shop-api', tag), ...WATCH, ...inputs }, { sim });

const latestDeployment = (sim: EcsSimulator) => sim.inspect(CLUSTER, 'shop-api').serviceDeployments[0]!;
const calls = (sim: EcsSimulator, operation: string) => sim.calls.filter((call) => call.operation === operation);

/** The stages in the order the simulator went through them, without repeats. */
function stagesOf(sim: EcsSimulator): string[] {
  const stages: string[] = [];
  for (const entry of latestDeployment(sim).timeline) {
    const stage = entry.stage && `${entry.rollingBack ? 'rolling back: ' : ''}${entry.stage} ${entry.production}%`;
    if (stage && stages.at(-1) !== stage) stages.push(stage);
  }
  return stages;
}

const isSubsequence = (seen: string[], all: string[]) => {
  let at = 0;
  return seen.every((stage) => (at = all.indexOf(stage, at) + 1) > 0);
};

describe('blue/green, linear and canary rollouts that succeed', () => {
  useMoto();

  it('blue/green: reports each stage with the traffic split, waits through bake time to SUCCESSFUL', async () => {
    const sim = await strategySim({}, { speed: 12 });
    const result = await run(sim);
    expect(result.code).toBe(0);
    const service = resultOf(result).services[0]!;
    expect(service).toMatchObject({ outcome: 'deployed', strategy: 'BLUE_GREEN', revision: 2, reason: '' });
    // Stages shorter than a poll can pass unseen; the ones seen are in ECS's order and the long ones are all there.
    expect(isSubsequence(service.stages, stagesOf(sim))).toBe(true);
    expect(service.stages).toEqual(expect.arrayContaining(['SCALE_UP 0%', 'TEST_TRAFFIC_SHIFT 0%', 'PRODUCTION_TRAFFIC_SHIFT 100%', 'BAKE_TIME 100%', 'CLEAN_UP 100%']));
    expect(result.log).toContain('[shop-api] BAKE_TIME (baking: both revisions running, production on the new one), production 100%, test 100% on the new revision');
    expect(result.log).toMatch(/BAKE_TIME: new revision 2\/2 running · production 100%, test 100% on the new revision · bake time: about 1 of 1 min left/);
    expect(latestDeployment(sim).status).toBe('SUCCESSFUL');
    expect(result.summary).toContain('BAKE_TIME');
  });

  it('canary: shows the canary share before all production traffic moves', async () => {
    const sim = await strategySim({ strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 } });
    const result = await run(sim);
    expect(result.code).toBe(0);
    const service = resultOf(result).services[0]!;
    expect(service.strategy).toBe('CANARY');
    expect(service.stages).toEqual(expect.arrayContaining(['PRODUCTION_TRAFFIC_SHIFT 10%', 'PRODUCTION_TRAFFIC_SHIFT 100%', 'BAKE_TIME 100%']));
    expect(service.stages.indexOf('PRODUCTION_TRAFFIC_SHIFT 10%')).toBeLessThan(service.stages.indexOf('PRODUCTION_TRAFFIC_SHIFT 100%'));
    expect(result.log).toContain('production 10%, test 100% on the new revision');
  });

  it('bake-wait: none ends the job once bake time starts, saying ECS has not finished', async () => {
    const sim = await strategySim({ bakeTimeInMinutes: 30 });
    const result = await run(sim, 'v2', { 'bake-wait': 'none' });
    expect(result.code).toBe(0);
    const service = resultOf(result).services[0]!;
    expect(service.outcome).toBe('deployed');
    expect(service.reason).toContain('bake time not watched (bake-wait: none)');
    expect(service.stages.at(-1)).toBe('BAKE_TIME 100%');
    expect(latestDeployment(sim).status).toBe('IN_PROGRESS');
  });

  it('strategy for one deploy: a rolling service deploys once blue/green, and gets ROLLING back', async () => {
    const sim = await strategySim({ strategy: 'ROLLING' });
    const result = await run(sim, 'v2', { strategy: 'blue-green' });
    expect(result.code).toBe(0);
    expect(resultOf(result).services[0]).toMatchObject({ outcome: 'deployed', strategy: 'BLUE_GREEN' });
    expect(latestDeployment(sim)).toMatchObject({ strategy: 'BLUE_GREEN', status: 'SUCCESSFUL' });
    const updates = calls(sim, 'UpdateService');
    expect(updates).toHaveLength(2);
    expect(updates[1]!.input).toMatchObject({ deploymentConfiguration: { strategy: 'ROLLING' } });
    expect(updates[1]!.input.taskDefinition).toBeUndefined();
    expect(result.log).toContain("put the service's own strategy, ROLLING, back");
  });

  it('strategy for one deploy is refused before any change while a deployment is in progress', async () => {
    const sim = await strategySim({ strategy: 'ROLLING' }, { speed: 1 });
    expect((await run(sim, 'v2', { wait: 'false' })).code).toBe(0);
    const result = await run(sim, 'v3', { strategy: 'BLUE_GREEN' });
    expect(result.code).toBe(1);
    expect(errors(result).join('\n')).toContain('Input "strategy" is BLUE_GREEN, but ECS service "shop-api" in cluster "shop-prod" has a deployment in progress');
    expect(errors(result).join('\n')).toContain('Wait for the current deployment to finish');
    expect(calls(sim, 'UpdateService')).toHaveLength(1);
    expect(calls(sim, 'RegisterTaskDefinition')).toHaveLength(1);
  });

  it('strategy for one deploy is refused before any change when the load balancer lacks the blue/green settings', async () => {
    const sim = await strategySim({ strategy: 'ROLLING', loadBalancers: [{ targetGroupArn: loadBalancers()[0]!.targetGroupArn, containerName: 'api', containerPort: 3000 }] });
    const result = await run(sim, 'v2', { strategy: 'BLUE_GREEN' });
    expect(result.code).toBe(1);
    expect(errors(result).join('\n')).toMatch(
      /Input "strategy" is BLUE_GREEN, but ECS service "shop-api" in cluster "shop-prod" has a load balancer without the blue\/green settings \(advancedConfiguration: alternateTargetGroupArn, productionListenerRule, roleArn\) on api/,
    );
    expect(calls(sim, 'UpdateService')).toHaveLength(0);
    expect(calls(sim, 'RegisterTaskDefinition')).toHaveLength(0);
  });
});

describe('manual rollback of a blue/green service', () => {
  useMoto();

  it('rollback-to a revision: deploys it blue/green, watched to SUCCESSFUL, nothing rebuilt', async () => {
    const sim = await strategySim({});
    const first = await run(sim, 'v2', { 'bake-wait': 'none' });
    expect(first.code).toBe(0);
    // Wait for ECS to finish that deployment, as a team would before rolling back.
    const deadline = Date.now() + 20_000;
    while (latestDeployment(sim).status !== 'SUCCESSFUL' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const result = await deploy({ service: 'shop-api', cluster: CLUSTER, 'rollback-to': '1', mode: 'rollback', ...WATCH }, { sim });
    expect(result.code).toBe(0);
    const service = resultOf(result).services[0]!;
    expect(service).toMatchObject({ outcome: 'deployed', strategy: 'BLUE_GREEN', revision: 1 });
    expect(service.stages).toContain('BAKE_TIME 100%');
    expect(calls(sim, 'RegisterTaskDefinition')).toHaveLength(1);
    expect(sim.inspect(CLUSTER, 'shop-api').taskDefinition).toMatch(/shop-api:1$/);
  });
});

interface FailureCase {
  name: string;
  service: Partial<SeedService>;
  options?: EcsSimulatorOptions;
  tag: string;
  inputs?: Record<string, string>;
  outcome: 'rolled-back' | 'failed';
  reason: RegExp;
  /** Who rolls back: ECS on its own, us with StopServiceDeployment, us with a new deployment of blue, or nobody. */
  rollback: 'ecs' | 'stop' | 'redeploy' | 'none' | 'ecs-or-stop';
  evidence?: RegExp;
  /** The verdict came within two polls of the third failed green task. */
  timedFromThirdFailure?: boolean;
}

const CASES: FailureCase[] = [
  {
    name: 'blue/green, green crashes, circuit breaker off: our count stops it with StopServiceDeployment',
    service: {},
    tag: 'crash',
    outcome: 'rolled-back',
    reason: /\d tasks of the new deployment failed .*exit code 1.*rolled back to shop-api:1 \(StopServiceDeployment\), which runs again/,
    rollback: 'stop',
    evidence: /Cannot find module '\/app\/dist\/server\.js'/,
    timedFromThirdFailure: true,
  },
  {
    name: 'canary, green crashes, circuit breaker with rollback: the first verdict wins and blue takes all traffic again',
    service: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 }, circuitBreaker: { enable: true, rollback: true } },
    tag: 'crash',
    outcome: 'rolled-back',
    reason: /failed.*rolled back .*to shop-api:1/,
    rollback: 'ecs-or-stop',
  },
  {
    name: "blue/green, green crashes, our count off (threshold 0): ECS's circuit breaker rolls back and we follow it",
    service: { circuitBreaker: { enable: true, rollback: true } },
    tag: 'crash',
    inputs: { 'failed-tasks-threshold': '0' },
    outcome: 'rolled-back',
    reason: /ECS's circuit breaker tripped after \d+ failed tasks during SCALE_UP.*ECS is rolling back to shop-api:1.*rolled back by ECS to shop-api:1, which runs again/,
    rollback: 'ecs',
  },
  {
    name: 'linear, green crashes, rollback: false: fails and leaves the deployment to the team',
    service: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 } },
    tag: 'crash',
    inputs: { rollback: 'false' },
    outcome: 'failed',
    reason: /\d tasks of the new deployment failed.*automatic rollback is off \(rollback: false\)/,
    rollback: 'none',
  },
  {
    name: 'blue/green, an alarm fires during bake time: a failure although production traffic moved; ECS rolls back',
    service: { alarms: ALARMS },
    options: { alarms: [{ alarmName: 'shop-api-5xx', stage: 'BAKE_TIME', afterSeconds: 10, image: ':v2' }] },
    tag: 'v2',
    outcome: 'rolled-back',
    reason: /CloudWatch alarm shop-api-5xx went into ALARM during BAKE_TIME, after production traffic had moved to the new revision.*rolled back by ECS to shop-api:1/,
    rollback: 'ecs',
    evidence: /A CloudWatch alarm that watches the deployment went into ALARM/,
  },
  {
    name: 'linear, an alarm fires and its rollback is off: ECS stops where it is, we deploy blue again',
    service: { strategy: 'LINEAR', linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 }, alarms: { ...ALARMS, rollback: false } },
    // The alarm clears once blue is deployed again (a still-firing alarm would fail that deployment too).
    options: {
      alarms: [
        { alarmName: 'shop-api-5xx', stage: 'PRODUCTION_TRAFFIC_SHIFT', afterSeconds: 2, image: ':v2' },
        { alarmName: 'shop-api-5xx', state: 'OK', image: ':good' },
      ],
    },
    tag: 'v2',
    outcome: 'rolled-back',
    reason: /CloudWatch alarm shop-api-5xx went into ALARM during PRODUCTION_TRAFFIC_SHIFT.*ECS stopped it where it was without rolling back.*rolled back to shop-api:1, which runs again/,
    rollback: 'redeploy',
  },
  {
    name: 'blue/green, a lifecycle hook fails: named with its target and stage; ECS rolls back',
    service: { lifecycleHooks: [{ hookTargetArn: SMOKE_TEST, roleArn: HOOK_ROLE, lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }] },
    options: { hooks: [{ target: 'shop-api-smoke-test', stage: 'POST_TEST_TRAFFIC_SHIFT', result: 'FAILED' }] },
    tag: 'v2',
    outcome: 'rolled-back',
    reason: new RegExp(`lifecycle hook ${SMOKE_TEST} failed at POST_TEST_TRAFFIC_SHIFT.*rolled back by ECS to shop-api:1`),
    rollback: 'ecs',
    evidence: /read the hook's Lambda logs/,
  },
  {
    name: 'canary, green tasks crash during bake time: a failure after all traffic moved; stopped and rolled back',
    service: { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 0 }, bakeTimeInMinutes: 10 },
    tag: 'late-crash',
    outcome: 'rolled-back',
    reason: /tasks of the new deployment failed.*exit code 137.*rolled back to shop-api:1 \(StopServiceDeployment\)/,
    rollback: 'stop',
    evidence: /api: out of connections/,
    timedFromThirdFailure: true,
  },
];

describe('blue/green, linear and canary failures: verdict, evidence and rollback', () => {
  useMoto();

  it.each(CASES)('$name', async (scenario) => {
    const sim = await strategySim(scenario.service, scenario.options);
    const result = await run(sim, scenario.tag, scenario.inputs);
    expect(result.code).toBe(1);
    const service = resultOf(result).services[0]!;
    expect(service.outcome).toBe(scenario.outcome);
    expect(service.reason).toMatch(scenario.reason);
    if (scenario.evidence) expect(errors(result).join('\n')).toMatch(scenario.evidence);

    const stops = calls(sim, 'StopServiceDeployment');
    const updates = calls(sim, 'UpdateService');
    if (scenario.rollback !== 'ecs-or-stop') expect(stops).toHaveLength(scenario.rollback === 'stop' ? 1 : 0);
    expect(updates).toHaveLength(scenario.rollback === 'redeploy' ? 2 : 1);
    const state = sim.inspect(CLUSTER, 'shop-api');
    if (scenario.outcome === 'rolled-back') {
      // Blue serves all production traffic again.
      expect(state.taskDefinition).toMatch(/shop-api:1$/);
      const finished = state.serviceDeployments[0]!;
      expect(finished.status).toBe(scenario.rollback === 'redeploy' ? 'SUCCESSFUL' : 'ROLLBACK_SUCCESSFUL');
      expect(finished.timeline.at(-1)!.production).toBe(scenario.rollback === 'redeploy' ? 100 : 0);
    } else {
      expect(state.serviceDeployments[0]!.status).not.toMatch(/ROLLBACK/);
    }
    if (scenario.timedFromThirdFailure) {
      const third = state.failures[2]!;
      // Two polls, and the time a poll of a few calls takes on a busy machine.
      expect(stops[0]!.at - sim.clock.realAt(third.failedAt)).toBeLessThan(2 * POLL_MS + 1000);
    }
  });
});
