/**
 * Services that deploy with ECS's BLUE_GREEN, LINEAR and CANARY strategies, or through CodeDeploy,
 * for the simulator and the CodeDeploy stand-in: load balancers with the advanced configuration
 * those strategies need, and a follower that records every change of a service deployment.
 */
import { afterEach } from '@jest/globals';
import { DescribeServiceDeploymentsCommand, ECSClient, type LoadBalancer, type ServiceDeployment } from '@aws-sdk/client-ecs';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { startEcsSimulator, type EcsSimulator, type EcsSimulatorOptions, type SeedService } from '../../standins/ecs-simulator/index.js';
import { startCodeDeploy, type CodeDeployOptions, type CodeDeployStandIn } from '../../standins/codedeploy/index.js';
import { CLUSTER, SCENARIOS, taskDefinition } from './fixtures.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const elb = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}`;
export const BLUE_TARGET_GROUP = `${elb}:targetgroup/shop-api-blue/0123456789abcdef`;
export const GREEN_TARGET_GROUP = `${elb}:targetgroup/shop-api-green/fedcba9876543210`;
const PRODUCTION_RULE = `${elb}:listener-rule/app/shop/0123456789abcdef/1111111111111111/2222222222222222`;
export const TEST_RULE = `${elb}:listener-rule/app/shop/0123456789abcdef/3333333333333333/4444444444444444`;
export const NLB_LISTENER = `${elb}:listener/net/shop/0123456789abcdef/5555555555555555`;
const LB_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsInfrastructureRoleForLoadBalancers`;
export const HOOK_ROLE = `arn:aws:iam::${ACCOUNT}:role/ecsLambdaHookRole`;
export const SMOKE_TEST = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:shop-api-smoke-test`;

/** The ALB load balancer of shop-api, with the alternate target group and listener rules blue/green needs. */
export function loadBalancers(options: { testListener?: boolean; productionListener?: string } = {}): LoadBalancer[] {
  return [
    {
      targetGroupArn: BLUE_TARGET_GROUP,
      containerName: 'api',
      containerPort: 3000,
      advancedConfiguration: {
        alternateTargetGroupArn: GREEN_TARGET_GROUP,
        productionListenerRule: options.productionListener ?? PRODUCTION_RULE,
        testListenerRule: options.testListener === false ? undefined : TEST_RULE,
        roleArn: LB_ROLE,
      },
    },
  ];
}

const simulators: EcsSimulator[] = [];
const standIns: CodeDeployStandIn[] = [];

afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
  await Promise.all(simulators.splice(0).map((sim) => sim.close()));
});

export interface Stage {
  sim: EcsSimulator;
  ecs: ECSClient;
}

/** One cluster with shop-api at `good` (two tasks), seeded with `service`; closed after the test. */
export async function shopApi(service: Partial<SeedService>, options: EcsSimulatorOptions = {}): Promise<Stage> {
  const sim = await startEcsSimulator({ speed: 120, scenarios: SCENARIOS, ...options });
  simulators.push(sim);
  sim.seed({
    clusters: [CLUSTER],
    taskDefinitions: [taskDefinition('shop-api', 'good')],
    services: [{ cluster: CLUSTER, name: 'shop-api', taskDefinition: 'shop-api', desiredCount: 2, ...service }],
  });
  return { sim, ecs: client(sim) };
}

function client(sim: EcsSimulator): ECSClient {
  return new ECSClient({ region: REGION, endpoint: sim.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
}

export async function codeDeployFor(sim: EcsSimulator, options: CodeDeployOptions = {}): Promise<{ standIn: CodeDeployStandIn; codeDeploy: CodeDeployClient }> {
  const standIn = await startCodeDeploy(sim, options);
  standIns.push(standIn);
  return { standIn, codeDeploy: new CodeDeployClient({ region: REGION, endpoint: standIn.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 }) };
}

/** A service deployment as it changed: one entry per distinct state seen by DescribeServiceDeployments. */
export interface Seen {
  status: string;
  stage?: string;
  /** Green's requested production and test traffic weights. */
  production?: number;
  test?: number;
  blueProduction?: number;
  blueRunning?: number;
  blueRequested?: number;
  greenRunning?: number;
  greenRequested?: number;
  /** The hooks' types and statuses. */
  hooks?: string[];
  deployment: ServiceDeployment;
}

const DONE = ['SUCCESSFUL', 'STOPPED', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED'];

/**
 * Polls DescribeServiceDeployments every `everyMs` (real) until the deployment is completed (or
 * `until` says so), keeping each distinct state.
 */
export async function follow(ecs: ECSClient, arn: string, options: { everyMs?: number; timeoutMs?: number; until?: (seen: Seen) => boolean } = {}): Promise<Seen[]> {
  const seen: Seen[] = [];
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  for (;;) {
    const { serviceDeployments, failures } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }));
    if (failures?.length) throw new Error(`DescribeServiceDeployments: ${JSON.stringify(failures)}`);
    const deployment = serviceDeployments![0]!;
    const blue = deployment.sourceServiceRevisions?.[0];
    const green = deployment.targetServiceRevision;
    const entry: Seen = {
      status: deployment.status!,
      stage: deployment.lifecycleStage,
      production: green?.requestedProductionTrafficWeight,
      test: green?.requestedTestTrafficWeight,
      blueProduction: blue?.requestedProductionTrafficWeight,
      blueRunning: blue?.runningTaskCount,
      blueRequested: blue?.requestedTaskCount,
      greenRunning: green?.runningTaskCount,
      greenRequested: green?.requestedTaskCount,
      hooks: deployment.lifecycleHookDetails?.map((hook) => `${hook.targetType} ${hook.status}`),
      deployment,
    };
    const last = seen.at(-1);
    const key = (value: Seen) => JSON.stringify({ ...value, deployment: undefined });
    if (!last || key(last) !== key(entry)) seen.push(entry);
    if (DONE.includes(entry.status) || options.until?.(entry)) return seen;
    if (Date.now() > deadline) throw new Error(`The service deployment did not finish; states seen:\n${seen.map((value) => key(value)).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 10));
  }
}

/** The distinct values of `pick` in the order they were first seen, consecutive repeats dropped. */
export function sequence<T>(seen: Seen[], pick: (entry: Seen) => T): T[] {
  const values: T[] = [];
  for (const entry of seen) {
    const value = pick(entry);
    if (values.length === 0 || JSON.stringify(values.at(-1)) !== JSON.stringify(value)) values.push(value);
  }
  return values;
}
