/**
 * # CodeDeploy stand-in (ECS blue/green)
 *
 * A loopback HTTP server that speaks the CodeDeploy API (AWS JSON 1.1, `X-Amz-Target:
 * CodeDeploy_20141006.<Operation>`), reached through `AWS_ENDPOINT_URL_CODEDEPLOY`. It shares the
 * ECS rollout simulator's model and clock: a deployment creates the replacement (green) task set in
 * the simulated ECS service, its tasks run the simulator's scenarios (matched on the image), traffic
 * shifts on the simulated clock, and DescribeServices shows the task sets (`externalId` = the
 * deployment id). moto records CreateDeployment and never moves it; this moves.
 *
 * ```ts
 * const sim = await startEcsSimulator({ scenarios: [{ image: ':crash', behaviour: 'exits' }] });
 * sim.seed({
 *   clusters: ['shop-prod'],
 *   taskDefinitions: [apiTaskDefinition],
 *   services: [{ cluster: 'shop-prod', name: 'shop-api', taskDefinition: 'shop-api', deploymentController: 'CODE_DEPLOY',
 *     loadBalancers: [{ targetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-api-blue/0123456789abcdef', containerName: 'api', containerPort: 3000 }] }],
 * });
 * const codeDeploy = await startCodeDeploy(sim, { hooks: [{ target: 'smoke-test', stage: 'AfterAllowTestTraffic', result: 'FAILED' }] });
 * codeDeploy.seed({
 *   applications: [{ name: 'AppECS-shop-prod-shop-api' }],
 *   deploymentGroups: [{
 *     applicationName: 'AppECS-shop-prod-shop-api', deploymentGroupName: 'DgpECS-shop-prod-shop-api',
 *     ecsServices: [{ clusterName: 'shop-prod', serviceName: 'shop-api' }],
 *     deploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
 *     autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
 *     blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 5 },
 *       deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' } },
 *   }],
 * });
 * // run the action with { ...sim.env(), ...codeDeploy.env() }
 * codeDeploy.inspect(deploymentId);   // status and traffic timeline with simulated times
 * await codeDeploy.close();           // before sim.close()
 * ```
 *
 * Operations: ListApplications, GetApplication, BatchGetApplications, ListDeploymentGroups,
 * GetDeploymentGroup, BatchGetDeploymentGroups, GetDeploymentConfig, CreateDeployment, GetDeployment,
 * BatchGetDeployments, ListDeployments, ListDeploymentTargets, GetDeploymentTarget,
 * BatchGetDeploymentTargets, StopDeployment, ContinueDeployment. Anything else is an
 * UnknownOperationException.
 *
 * ## A deployment
 * Created, then (2 s) InProgress, through the ECS lifecycle events of the target (CodeDeploy
 * "deployment-steps-ecs"): BeforeInstall, Install (the replacement task set, scale 100 %, reaches a
 * steady state), AfterInstall, AllowTestTraffic (test listener to green, when the group has a
 * testTrafficRoute), AfterAllowTestTraffic, BeforeAllowTraffic, AllowTraffic (production traffic
 * per the deployment configuration: ECSAllAtOnce; ECSCanary10Percent5/15Minutes: 10 %, then the rest
 * after the interval; ECSLinear10PercentEvery1/3Minutes: 10 % more each interval; each shift takes
 * `trafficShiftSeconds`), AfterAllowTraffic; green becomes the PRIMARY task set. Then the original
 * task set is kept `terminationWaitTimeInMinutes` and deleted (it drains), and the deployment is
 * Succeeded. With `deploymentReadyOption.actionOnTimeout: STOP_DEPLOYMENT` the deployment is Ready
 * (target Ready) before BeforeAllowTraffic until ContinueDeployment(READY_WAIT), and Stopped
 * (TIMEOUT) if `waitTimeInMinutes` runs out first (API_DeploymentReadyOption).
 * `ecsTarget.taskSetsInfo` gives each task set with its `trafficWeight` and `taskSetLabel` Blue/Green.
 *
 * ## Failures and rollback
 * - Install fails (ECS_UPDATE_ERROR) once the replacement task set has as many failed tasks as the
 *   ECS circuit breaker's threshold would be (half the desired count, 3 to 200), or when the AppSpec's
 *   TaskDefinition does not exist or its LoadBalancerInfo.ContainerName is not in it; TIMEOUT after
 *   60 minutes without a steady state.
 * - A hook Lambda named in the AppSpec's Hooks answers per the `hooks` rules (HookRule, with the event
 *   name as `stage`; `inProgress` makes it report later); FAILED fails the deployment
 *   (HOOK_EXECUTION_FAILURE, the event Failed with diagnostics ScriptFailed). Without a hook a hook
 *   event is Skipped, as AllowTestTraffic is without a test listener.
 * - A group alarm (alarmConfiguration, alarm states set on the ECS simulator) in ALARM stops the
 *   deployment (Stopped, ALARM_ACTIVE).
 * - StopDeployment answers `{status: Pending}` and stops it at the next tick (MANUAL_STOP).
 * - Rollback: when `autoRollbackConfiguration` (of the deployment, else of the group) has the event
 *   (DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST), or StopDeployment says
 *   `autoRollbackEnabled: true`, CodeDeploy creates a rollback deployment (creator codeDeployRollback,
 *   `rollbackInfo` on both): traffic goes back to the original task set, which is PRIMARY again, and
 *   the replacement is deleted. Without rollback the task sets stay as they were.
 *
 * ## Chosen where AWS documents nothing
 * Baking is the status while the original task set waits out terminationWaitTimeInMinutes;
 * `deployments[]` of a CODE_DEPLOY service in DescribeServices is empty (task sets only); the Install
 * failure threshold and its 60-minute limit; the texts of errorInformation and rollbackMessage;
 * rollback deployments run no hooks; a malformed AppSpec is refused by CreateDeployment
 * (InvalidRevisionException) rather than failing the deployment; the deployment target id is
 * `<cluster>:<service>`; only AppSpecContent revisions are taken.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { SimError, type Json } from '../ecs-simulator/common.js';
import type { EcsSimulator, SimCall, ThrottleRule } from '../ecs-simulator/index.js';
import type { HookRule } from '../ecs-simulator/scenarios.js';
import { OPERATIONS } from './api.js';
import { CodeDeployModel, type CdDeployment, type CodeDeployOptions, type SeedDeploymentGroup } from './model.js';

export type { SeedDeploymentGroup, CodeDeployOptions } from './model.js';

interface CodeDeploySeed {
  applications?: { name: string; computePlatform?: 'ECS' | 'Server' | 'Lambda' }[];
  deploymentGroups?: SeedDeploymentGroup[];
}

interface CodeDeployInspection {
  id: string;
  status: string;
  creator: string;
  errorCode?: string;
  rollbackDeploymentId?: string;
  /** Status, lifecycle event and green's production and test traffic weights, as they changed (simulated ms). */
  timeline: CdDeployment['timeline'];
  events: { name: string; status: string }[];
}

export interface CodeDeployStandIn {
  url: string;
  model: CodeDeployModel;
  calls: SimCall[];
  env(): Record<string, string>;
  seed(seed: CodeDeploySeed): void;
  addHookRules(...rules: HookRule[]): void;
  throttle(rule: ThrottleRule): void;
  inspect(deploymentId: string): CodeDeployInspection;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'CodeDeploy_20141006.';

export async function startCodeDeploy(ecs: EcsSimulator, options: CodeDeployOptions = {}): Promise<CodeDeployStandIn> {
  const model = new CodeDeployModel(ecs.model, options);
  const calls: SimCall[] = [];
  const throttles: (ThrottleRule & { seen: number })[] = [];

  function refusal(operation: string): SimError | undefined {
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
    ecs.advance();
    const call: SimCall = { operation, input, at: Date.now(), simAt: ecs.clock.now() };
    calls.push(call);
    try {
      const refused = refusal(operation);
      if (refused) throw refused;
      const handler = OPERATIONS[operation];
      if (!handler) throw new SimError('UnknownOperationException', `The CodeDeploy stand-in does not implement ${operation}.`);
      reply(res, 200, handler(model, input));
    } catch (error) {
      if (error instanceof SimError) {
        call.error = error.type;
        reply(res, error.status, { __type: error.type, message: error.message });
      } else {
        call.error = 'InternalFailure';
        reply(res, 500, { __type: 'InternalFailure', message: error instanceof Error ? error.message : String(error) });
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
    model,
    calls,
    env: () => ({ AWS_ENDPOINT_URL_CODEDEPLOY: url }),
    seed(seed) {
      ecs.advance();
      for (const application of seed.applications ?? []) model.createApplication(application.name, application.computePlatform ?? 'ECS');
      for (const group of seed.deploymentGroups ?? []) model.createDeploymentGroup(group);
    },
    addHookRules(...rules) {
      model.hookRules.unshift(...rules);
    },
    throttle(rule) {
      throttles.push({ ...rule, seen: 0 });
    },
    inspect(deploymentId) {
      ecs.advance();
      const deployment = model.deployment(deploymentId);
      return {
        id: deployment.id,
        status: deployment.status,
        creator: deployment.creator,
        errorCode: deployment.errorInformation?.code,
        rollbackDeploymentId: deployment.rollbackInfo?.rollbackDeploymentId,
        timeline: deployment.timeline.map((entry) => ({ ...entry })),
        events: deployment.events.map((event) => ({ name: event.name, status: event.status })),
      };
    },
    async close() {
      const stepper = ecs.model.steppers.indexOf(model.step);
      if (stepper >= 0) ecs.model.steppers.splice(stepper, 1);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
