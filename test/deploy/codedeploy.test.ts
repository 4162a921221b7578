/**
 * The built action deploying services CodeDeploy controls, against the ECS simulator and the
 * CodeDeploy stand-in: the deployment group found, lifecycle events and traffic reported, failures
 * caught with their evidence, CodeDeploy's rollback followed, and ours started with StopDeployment.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { EcsSimulator } from '../../standins/ecs-simulator/index.js';
import { startCodeDeploy, type CodeDeployOptions, type CodeDeployStandIn, type SeedDeploymentGroup } from '../../standins/codedeploy/index.js';
import { useMoto } from '../../standins/moto.js';
import { CLUSTER, deploy, errors, image, resultOf, simulator, taskDefinition, workspace } from './fixtures.js';
import { BLUE_TARGET_GROUP } from './bluegreen-fixtures.js';

const APP = 'AppECS-shop-prod-shop-api';
const GROUP = 'DgpECS-shop-prod-shop-api';
const POLL_MS = 100;
const standIns: CodeDeployStandIn[] = [];

afterEach(async () => {
  await Promise.all(standIns.splice(0).map((standIn) => standIn.close()));
});

function group(overrides: Partial<SeedDeploymentGroup> = {}): SeedDeploymentGroup {
  return {
    applicationName: APP,
    deploymentGroupName: GROUP,
    ecsServices: [{ clusterName: CLUSTER, serviceName: 'shop-api' }],
    deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
    blueGreenDeploymentConfiguration: {
      terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 2 },
      deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT', waitTimeInMinutes: 0 },
    },
    ...overrides,
  };
}

async function codeDeployed(options: { group?: Partial<SeedDeploymentGroup>; standIn?: CodeDeployOptions; seedGroup?: boolean } = {}): Promise<{ sim: EcsSimulator; standIn: CodeDeployStandIn }> {
  const sim = await simulator(
    {
      clusters: [CLUSTER],
      taskDefinitions: [taskDefinition('shop-api', 'good')],
      services: [
        { cluster: CLUSTER, name: 'shop-api', taskDefinition: 'shop-api', desiredCount: 2, deploymentController: 'CODE_DEPLOY', loadBalancers: [{ targetGroupArn: BLUE_TARGET_GROUP, containerName: 'api', containerPort: 3000 }] },
      ],
    },
    { speed: 60 },
  );
  const standIn = await startCodeDeploy(sim, options.standIn);
  standIns.push(standIn);
  if (options.seedGroup !== false) standIn.seed({ applications: [{ name: APP }], deploymentGroups: [group(options.group)] });
  return { sim, standIn };
}

const MANIFEST = `cluster: ${CLUSTER}
services:
  api:
    paths: [apps/api/**]
    repository: shop-api
    ecs: { service: shop-api, container: api, codedeploy: { hooks: { AfterAllowTestTraffic: shop-api-smoke-test } } }
`;

const run = (sim: EcsSimulator, standIn: CodeDeployStandIn, tag: string, inputs: Record<string, string> = {}) =>
  deploy({ services: 'api', images: `api=${image('shop-api', tag)}`, 'poll-interval': `${POLL_MS}ms`, 'wait-timeout': '60s', ...inputs }, { sim, cwd: workspace(MANIFEST), env: standIn.env() });

const calls = (standIn: CodeDeployStandIn, operation: string) => standIn.calls.filter((call) => call.operation === operation);

describe('services deployed by CodeDeploy', () => {
  useMoto();

  it('creates the deployment from an AppSpec, reports canary traffic and lifecycle events, and waits until Succeeded', async () => {
    const { sim, standIn } = await codeDeployed();
    const result = await run(sim, standIn, 'v2');
    expect(result.code).toBe(0);
    const api = resultOf(result).services[0]!;
    expect(api).toMatchObject({ outcome: 'deployed', strategy: 'CODE_DEPLOY', revision: 2 });
    expect(api.stages).toEqual(expect.arrayContaining(['AllowTraffic 10%', 'AfterAllowTraffic 100%']));
    expect(result.log).toMatch(/CodeDeploy deployment d-\w+ of AppECS-shop-prod-shop-api\/DgpECS-shop-prod-shop-api \(found from deployment d-\w+, which made the running task set\)/);
    const [create] = calls(standIn, 'CreateDeployment');
    const spec = JSON.parse((create!.input.revision as { appSpecContent: { content: string } }).appSpecContent.content);
    expect(spec.Resources[0].TargetService.Properties).toEqual({ TaskDefinition: expect.stringMatching(/shop-api:2$/), LoadBalancerInfo: { ContainerName: 'api', ContainerPort: 3000 } });
    expect(spec.Hooks).toEqual([{ AfterAllowTestTraffic: 'shop-api-smoke-test' }]);
    expect(standIn.inspect(api.deploymentId).status).toBe('Succeeded');
  });

  it('a failing hook: names the function and lifecycle event, and follows CodeDeploy rolling back', async () => {
    const { sim, standIn } = await codeDeployed({ standIn: { hooks: [{ target: 'shop-api-smoke-test', stage: 'AfterAllowTestTraffic', result: 'FAILED' }] } });
    const result = await run(sim, standIn, 'v2');
    expect(result.code).toBe(1);
    const api = resultOf(result).services[0]!;
    expect(api.outcome).toBe('rolled-back');
    expect(api.reason).toMatch(/lifecycle hook shop-api-smoke-test failed at AfterAllowTestTraffic.*CodeDeploy is rolling back to shop-api:1.*rolled back by CodeDeploy to shop-api:1, which runs again/);
    expect(errors(result).join('\n')).toContain("read the hook's Lambda logs");
    expect(calls(standIn, 'StopDeployment')).toHaveLength(0);
  });

  it('green tasks crash: caught within two polls of the threshold failure, stopped with rollback, the original task set serves again', async () => {
    const { sim, standIn } = await codeDeployed({ group: { autoRollbackConfiguration: { enabled: false, events: [] } } });
    // Below CodeDeploy's own Install-failure count (3 for two tasks), so that this step decides first.
    const result = await run(sim, standIn, 'crash', { 'failed-tasks-threshold': '2' });
    expect(result.code).toBe(1);
    const api = resultOf(result).services[0]!;
    expect(api.outcome).toBe('rolled-back');
    expect(api.reason).toMatch(/\d tasks of the new deployment failed \(latest: exit code 1.*rolled back to shop-api:1 \(StopDeployment with rollback\), which runs again/);
    expect(errors(result).join('\n')).toContain("Cannot find module '/app/dist/server.js'");
    const [stop] = calls(standIn, 'StopDeployment');
    expect(stop!.input).toMatchObject({ autoRollbackEnabled: true });
    const second = sim.inspect(CLUSTER, 'shop-api').failures[1]!;
    expect(stop!.at - sim.clock.realAt(second.failedAt)).toBeLessThan(2 * POLL_MS + 1000);
    const rollback = standIn.inspect(standIn.inspect(api.deploymentId).rollbackDeploymentId!);
    expect(rollback).toMatchObject({ status: 'Succeeded', creator: 'codeDeployRollback' });
    expect(rollback.timeline.at(-1)).toMatchObject({ production: 0 });
  });

  it('bake-wait: none ends once production traffic has moved, while CodeDeploy still keeps the original task set', async () => {
    const { sim, standIn } = await codeDeployed({
      group: { deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce', blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 60 } } },
    });
    const result = await run(sim, standIn, 'v2', { 'bake-wait': 'none' });
    expect(result.code).toBe(0);
    const api = resultOf(result).services[0]!;
    expect(api.reason).toContain('bake time not watched (bake-wait: none)');
    expect(standIn.inspect(api.deploymentId).status).toBe('Baking');
  });

  it('rollback-to a revision: puts it back with a CodeDeploy deployment; previous is refused, naming the revisions to choose from', async () => {
    const { sim, standIn } = await codeDeployed({ group: { deploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce' } });
    expect((await run(sim, standIn, 'v2')).code).toBe(0);
    const rollback = (target: string) => deploy({ services: 'api', 'rollback-to': target, mode: 'rollback', 'poll-interval': `${POLL_MS}ms`, 'wait-timeout': '60s' }, { sim, cwd: workspace(MANIFEST), env: standIn.env() });
    const refused = await rollback('previous');
    expect(refused.code).toBe(1);
    expect(errors(refused).join('\n')).toContain('Input "rollback-to" is previous, but ECS service "shop-api" is deployed by CodeDeploy');
    expect(errors(refused).join('\n')).toContain('Newest revisions of shop-api: 2 (v2), 1 (good)');
    expect(calls(standIn, 'CreateDeployment')).toHaveLength(1);
    const result = await rollback('1');
    expect(result.code).toBe(0);
    const api = resultOf(result).services[0]!;
    expect(api).toMatchObject({ outcome: 'deployed', strategy: 'CODE_DEPLOY', revision: 1 });
    expect(calls(standIn, 'CreateDeployment')).toHaveLength(2);
    expect(standIn.inspect(api.deploymentId).status).toBe('Succeeded');
  });

  it('refuses before any change when the deployment group cannot be found, naming the inputs that fix it', async () => {
    const { sim, standIn } = await codeDeployed({ seedGroup: false });
    const result = await run(sim, standIn, 'v2');
    expect(result.code).toBe(1);
    expect(errors(result).join('\n')).toContain(`is deployed by CodeDeploy, but its deployment group was not found: application "${APP}", group "${GROUP}"`);
    expect(errors(result).join('\n')).toContain('codedeploy-application');
    expect(sim.calls.filter((call) => call.operation === 'RegisterTaskDefinition')).toHaveLength(0);
    expect(calls(standIn, 'CreateDeployment')).toHaveLength(0);
  });
});
