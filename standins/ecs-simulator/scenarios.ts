/**
 * What a simulated task does, chosen by the image (and, for one-shot tasks, the command) it runs.
 * Durations are in simulated seconds.
 */

type Behaviour =
  /** Starts, becomes healthy and keeps running until ECS stops it. */
  | 'runs'
  /**
   * Starts, runs `runSeconds`, then its essential container exits with `exitCode` (a crash loop for a
   * service, a one-shot task otherwise). With `runSeconds` longer than `stableSeconds` the task counts
   * as healthy before it exits (a revision that fails some minutes after it went live).
   */
  | 'exits'
  /** Never starts: the image cannot be pulled. */
  | 'image-pull-failure'
  /** Never starts: a secret the task definition names cannot be fetched. */
  | 'secrets-failure'
  /** Starts but fails its health checks after `healthCheckSeconds`, and ECS replaces it. */
  | 'health-check-failure'
  /** No capacity: ECS cannot place the task at all. */
  | 'no-capacity';

export interface Scenario {
  behaviour: Behaviour;
  /** Exit code of the essential container for `exits` (default 1 for services, 0 for one-shot tasks). */
  exitCode?: number;
  /** Lines the essential container writes once it runs (pushed to CloudWatch Logs when a moto URL is given). */
  logLines?: string[];
  /** PROVISIONING to PENDING (default 10). */
  provisionSeconds?: number;
  /** PENDING (image pull) to RUNNING (default 20). */
  pullSeconds?: number;
  /** How long an `exits` container runs (default 8). */
  runSeconds?: number;
  /** How long a task must run (and be healthy) before ECS counts it as a success (default 10). */
  stableSeconds?: number;
  /** How long a `health-check-failure` task runs before it is marked UNHEALTHY (default 40). */
  healthCheckSeconds?: number;
  /** How long a task takes to stop once ECS stops it: load-balancer draining and SIGTERM (default 15). */
  drainSeconds?: number;
  /**
   * How long a task that failed on its own (its essential container exited, or it could not start)
   * takes from the failure to STOPPED (default 2). Fargate often takes tens of seconds: the task
   * shows DEACTIVATING (load-balancer deregistration), STOPPING and DEPROVISIONING meanwhile, with
   * its desiredStatus, stopCode, stoppedReason and the container's exit code already set.
   */
  stoppingSeconds?: number;
}

export interface ScenarioRule extends Scenario {
  /** Matches when the image contains this text, or matches this pattern. */
  image?: string | RegExp;
  /** Matches when the container's command override (joined with spaces) contains this text or matches this pattern. */
  command?: string | RegExp;
}

const HEALTHY: Scenario = { behaviour: 'runs' };

function matches(pattern: string | RegExp | undefined, value: string | undefined): boolean {
  if (pattern === undefined) return true;
  if (value === undefined) return false;
  return typeof pattern === 'string' ? value.includes(pattern) : pattern.test(value);
}

export function pickScenario(rules: readonly ScenarioRule[], image: string, command?: string): Scenario {
  return rules.find((rule) => matches(rule.image, image) && matches(rule.command, command)) ?? HEALTHY;
}

export const seconds = {
  provision: (scenario: Scenario) => (scenario.provisionSeconds ?? 10) * 1000,
  pull: (scenario: Scenario) => (scenario.pullSeconds ?? 20) * 1000,
  run: (scenario: Scenario) => (scenario.runSeconds ?? 8) * 1000,
  stable: (scenario: Scenario) => (scenario.stableSeconds ?? 10) * 1000,
  healthCheck: (scenario: Scenario) => (scenario.healthCheckSeconds ?? 40) * 1000,
  drain: (scenario: Scenario) => (scenario.drainSeconds ?? 15) * 1000,
  stopping: (scenario: Scenario) => (scenario.stoppingSeconds ?? 2) * 1000,
};

/** What a container prints when the scenario does not say. */
export function defaultLogLines(scenario: Scenario, container: string): string[] {
  switch (scenario.behaviour) {
    case 'exits':
      return (scenario.exitCode ?? 1) === 0
        ? [`${container}: starting`, `${container}: done`]
        : [
            `${container}: starting`,
            'Error: connect ECONNREFUSED 10.0.12.7:5432',
            '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16)',
            `${container}: fatal error during start-up, exiting with code ${scenario.exitCode ?? 1}`,
          ];
    case 'health-check-failure':
      return [`${container}: listening on port 3000`, 'GET /healthz 503 (database pool exhausted)', 'GET /healthz 503 (database pool exhausted)'];
    default:
      return [`${container}: listening on port 3000`];
  }
}

/**
 * The stages of an ECS blue/green, linear or canary service deployment (`ServiceDeployment.lifecycleStage`).
 * @public (read as a type: LifecycleStage)
 */
export const LIFECYCLE_STAGES = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
  'BAKE_TIME',
  'CLEAN_UP',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** The stages a lifecycle hook can run at (`DeploymentLifecycleHook.lifecycleStages`). */
export const HOOK_STAGES: readonly LifecycleStage[] = [
  'RECONCILE_SERVICE',
  'PRE_SCALE_UP',
  'POST_SCALE_UP',
  'TEST_TRAFFIC_SHIFT',
  'POST_TEST_TRAFFIC_SHIFT',
  'PRE_PRODUCTION_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT',
  'POST_PRODUCTION_TRAFFIC_SHIFT',
];

/**
 * What a lifecycle-hook Lambda answers, chosen by its ARN (or, for CodeDeploy, its function name or
 * ARN) and the stage (ECS) or lifecycle event (CodeDeploy, such as `AfterAllowTestTraffic`).
 * A hook no rule matches succeeds after `durationSeconds` (2).
 */
export interface HookRule {
  /** Text the hook's target contains, or a pattern it matches. */
  target: string | RegExp;
  /** Only at this stage or lifecycle event; at every one when omitted. */
  stage?: string;
  /** What the function finally returns. */
  result: 'SUCCEEDED' | 'FAILED';
  /** Before that, it returns IN_PROGRESS this many times (ECS calls it again after `callBackDelaySeconds`). */
  inProgress?: number;
  /** The `callBackDelay` an IN_PROGRESS answer carries (default 30; ECS's default when absent is 30 too). */
  callBackDelaySeconds?: number;
  /** How long one invocation runs (default 2). */
  durationSeconds?: number;
  /**
   * Which invocations the rule answers: `deploy` (the default) while the deployment moves forward,
   * `rollback` those ECS makes while rolling back (weights reversed), or `any`.
   */
  during?: 'deploy' | 'rollback' | 'any';
}

/** A CloudWatch alarm changing state during a deployment. */
export interface AlarmRule {
  alarmName: string;
  /** The state it moves to (default ALARM). */
  state?: 'ALARM' | 'OK';
  /** Counted from the moment a deployment enters this stage; from the deployment's start when omitted. */
  stage?: LifecycleStage;
  /** Simulated seconds after that moment (default 0). */
  afterSeconds?: number;
  /** Only deployments whose new task definition's essential image contains this text or matches this pattern. */
  image?: string | RegExp;
}

export function pickHookRule(rules: readonly HookRule[], target: string, stage: string, rollingBack: boolean): HookRule | undefined {
  return rules.find((rule) => matches(rule.target, target) && (rule.stage === undefined || rule.stage === stage) && ((rule.during ?? 'deploy') === 'any' || (rule.during ?? 'deploy') === (rollingBack ? 'rollback' : 'deploy')));
}

export function imageMatches(pattern: string | RegExp | undefined, image: string): boolean {
  return matches(pattern, image);
}
