/**
 * The releases production teams make with ECS's own strategies: the landing page deployed
 * blue/green (every stage and traffic split reported, bake time watched to the end), and an
 * investor-portal canary whose green tasks run out of memory during bake time, after all traffic
 * had moved, caught and rolled back with StopServiceDeployment.
 */
import { ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { EcsSimulator } from '../standins/ecs-simulator/index.js';
import { REPOSITORY } from './history.js';
import type { RunContext, StepResult } from './runner.js';
import type { Pipeline } from './workflows.js';

const ELB = (region: string, account: string) => `arn:aws:elasticloadbalancing:${region}:${account}`;

/** What the platform team sets once per service: the strategy, bake time, and the load balancer's second target group and rules. */
async function configure(sim: EcsSimulator, region: string, account: string, cluster: string, service: string, container: string, configuration: Record<string, unknown>): Promise<void> {
  const ecs = new ECSClient({ region, endpoint: sim.url, credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } });
  const elb = ELB(region, account);
  try {
    await ecs.send(
      new UpdateServiceCommand({
        cluster,
        service,
        deploymentConfiguration: configuration,
        loadBalancers: [
          {
            targetGroupArn: `${elb}:targetgroup/${service}-blue/0123456789abcdef`,
            containerName: container,
            containerPort: 3000,
            advancedConfiguration: {
              alternateTargetGroupArn: `${elb}:targetgroup/${service}-green/fedcba9876543210`,
              productionListenerRule: `${elb}:listener-rule/app/acme/0123456789abcdef/1111111111111111/2222222222222222`,
              testListenerRule: `${elb}:listener-rule/app/acme/0123456789abcdef/3333333333333333/4444444444444444`,
              roleArn: `arn:aws:iam::${account}:role/ecsInfrastructureRoleForLoadBalancers`,
            },
          },
        ],
      }),
    );
  } finally {
    ecs.destroy();
  }
}

export async function strategyReleases(pipeline: Pipeline, sim: EcsSimulator, options: { prefix: string; region: string; account: string; expect: (condition: boolean, problem: string) => boolean }): Promise<StepResult[]> {
  const { terminal, manifest, repo, runner } = pipeline;
  const { paint } = terminal;
  const say = (text: string) => terminal.line(`  ${text}`);
  const landing = manifest.services.find((service) => service.name === 'landing')!;
  const investor = manifest.services.find((service) => service.name === 'investor')!;
  const registry = `${options.account}.dkr.ecr.${options.region}.amazonaws.com`;

  terminal.stage(options.prefix, 'Blue/green and canary releases', 'deploy-ecs on its own');
  say('The platform team moves two services to ECS blue/green deployments (once, in their infrastructure code):');
  say(paint.dim(`${landing.ecs.service}: BLUE_GREEN, bake time 2 min · ${investor.ecs.service}: CANARY 20% for 1 min, bake time 10 min · both behind an ALB with a second target group.`));
  await configure(sim, options.region, options.account, landing.ecs.cluster, landing.ecs.service, landing.ecs.container, { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 2 });
  await configure(sim, options.region, options.account, investor.ecs.cluster, investor.ecs.service, investor.ecs.container, {
    strategy: 'CANARY',
    bakeTimeInMinutes: 10,
    canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 1 },
  });
  const leaky = `${registry}/${investor.repository}:release-2.4.0`;
  sim.addScenarios({
    image: ':release-2.4.0',
    behaviour: 'exits',
    exitCode: 137,
    runSeconds: 260,
    logLines: [' ✓ Ready in 412ms', ' ⚠ heap usage 91% (466 MiB of 512 MiB)', '<--- Last few GCs --->', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory'],
  });

  const run: RunContext = {
    workspace: repo.dir,
    eventName: 'workflow_dispatch',
    event: { inputs: {} },
    sha: repo.head.sha,
    ref: 'refs/heads/main',
    runId: pipeline.runIds(),
    repository: REPOSITORY,
    actor: 'sam-okafor',
    workflow: 'Deploy',
  };
  const healthOf = (service: string): Record<string, string> => {
    const url = pipeline.health.input([service]);
    return url ? { 'health-url': url } : {};
  };
  const deploy = (job: string, service: string, image: string) =>
    runner.step({ job, action: 'deploy-ecs', run, idToken: true, inputs: { services: service, images: `${service}=${image}`, 'wait-timeout': '30m' }, demoInputs: { 'poll-interval': pipeline.pollInterval, ...healthOf(service) } });

  terminal.line();
  say(paint.bold(`${landing.name}: blue/green, watched through bake time`));
  const blueGreen = await deploy(`Deploy ${landing.name} (blue/green)`, landing.name, `${registry}/${landing.repository}:${repo.head.sha}`);
  const bgResult = JSON.parse(blueGreen.outputs.result ?? '{"services":[]}').services[0];
  options.expect(blueGreen.conclusion === 'success' && bgResult?.outcome === 'deployed' && bgResult.stages.includes('BAKE_TIME 100%'), `${landing.name} was not deployed blue/green through bake time`);

  terminal.line();
  say(paint.bold(`${investor.name}: a canary whose tasks run out of memory during bake time, after all traffic moved`));
  const canary = await deploy(`Deploy ${investor.name} (canary)`, investor.name, leaky);
  const canaryResult = JSON.parse(canary.outputs.result ?? '{"services":[]}').services[0];
  options.expect(
    canary.conclusion === 'failure' && canaryResult?.outcome === 'rolled-back' && /StopServiceDeployment/.test(canaryResult.reason ?? '') && canaryResult.stages.includes('BAKE_TIME 100%'),
    `${investor.name}'s canary was not caught during bake time and rolled back`,
  );
  pipeline.slack.flush();
  return [blueGreen, canary];
}
