/**
 * Deploys services to ECS: validate everything, register the new revisions, update the services,
 * watch every rollout with one poller, and put the last good revision back when one fails.
 */
import * as core from '../core.js';
import { ECSClient, StopServiceDeploymentCommand, UpdateServiceCommand, type DeploymentConfiguration, type Service, type TaskDefinition } from '@aws-sdk/client-ecs';
import { phase, type ActionRun } from '../action.js';
import { createClient, type AwsSession } from '../aws/client.js';
import { describeAwsError, isAwsError } from '../aws/errors.js';
import { openSession } from '../aws/session.js';
import { DeploymentFailure, UserError, errorMessage } from '../errors.js';
import { githubContext } from '../github.js';
import { loadManifest } from '../manifest/load.js';
import { describeEnvironment, forEnvironment, requiredAccount } from '../manifest/environments.js';
import { logsClients } from '../ecs/logs.js';
import { registerTaskDefinition } from '../ecs/task-definitions.js';
import { formatDuration } from '../time.js';
import { formatEvidence, type FailureReport } from './evidence.js';
import { checkHealth } from './health.js';
import { lastSuccessfulTaskDefinition } from './last-good.js';
import { shortImage } from '../images.js';
import { prepare, type Plan } from './prepare.js';
import { deployResult, overallOutcome, type ServiceRun } from './result.js';
import { failureText, failureTitle, jobSummary, otherFamilyText } from './summary.js';
import { stopReason } from './failed-tasks.js';
import { failureHint, judgeHealth, noRollbackReason } from './judge.js';
import { resolveTargets } from './targets.js';
import { RolloutWatcher, type ServiceDeploymentWatch, type WatchRequest } from './watch.js';
import type { DeployInputs, DeployResult } from './types.js';
import { shortTaskDefinition } from '../ecs/arn.js';
import { containerImage } from '../ecs/containers.js';

interface Engine {
  inputs: DeployInputs;
  session: AwsSession;
  ecs: ECSClient;
  watcher: RolloutWatcher;
  /** Loaded with the CodeDeploy client the first time a CODE_DEPLOY service needs it. */
  codeDeploy(): Promise<CodeDeploy>;
}

type CodeDeploy = typeof import('./codedeploy-rollout.js') & { context: import('./codedeploy-rollout.js').CodeDeployContext };

/** What a call did; `failure`, when a service did not deploy, is for the action to throw once its outputs are written. */
export interface DeployOutcome {
  result: DeployResult;
  failure?: DeploymentFailure;
}

export async function deploy(inputs: DeployInputs, action: ActionRun): Promise<DeployOutcome> {
  const github = githubContext();
  const manifest = inputs.selection.kind === 'manifest' ? forEnvironment(await loadManifest(inputs.selection.file, github.workspace), inputs.manifestEnvironment) : undefined;
  if (manifest?.environment) core.info(describeEnvironment(manifest));
  const targets = resolveTargets(inputs, manifest);
  const title = `${inputs.rollbackTo ? 'Roll back on ECS' : 'Deploy to ECS'}${manifest?.environment ? ` (${manifest.environment.name})` : ''}`;
  if (targets.length === 0) {
    core.notice('No services to deploy: the "services" input is an empty list.');
    action.setSummary((summary) => summary.addHeading(`${title}: nothing to deploy`, 2));
    return { result: { outcome: 'deployed', services: [] } };
  }

  const session = await openSession(inputs.aws, { fallbackRegion: manifest?.region, fallbackRole: manifest?.role, requiredAccount: requiredAccount(manifest) });
  const ecs = createClient(ECSClient, session);
  const watcher = new RolloutWatcher({ ecs, region: session.region, logsFor: logsClients(session), pollIntervalMs: inputs.pollIntervalMs, failedTasksThreshold: inputs.failedTasksThreshold });
  let codeDeploy: Promise<CodeDeploy> | undefined;
  const engine: Engine = {
    inputs,
    session,
    ecs,
    watcher,
    codeDeploy: () =>
      (codeDeploy ??= import('./codedeploy-rollout.js').then((module) => ({
        ...module,
        context: { ecs, codeDeploy: module.codeDeployClient(session), region: session.region, logsFor: logsClients(session), pollIntervalMs: inputs.pollIntervalMs, failedTasksThreshold: inputs.failedTasksThreshold },
      }))),
  };

  const plans = await phase('Validate', async () => {
    const prepared = await prepare(targets, {
      inputs,
      ecs,
      session,
      workspace: github.workspace,
      manifestRegistry: manifest?.registry,
      codeDeploy: async () => {
        const module = await engine.codeDeploy();
        return { findGroup: (plan) => module.findCodeDeployGroup(module.context.codeDeploy, plan) };
      },
    });
    for (const plan of prepared) core.info(describePlan(plan));
    core.info(`Everything checks out: ${prepared.length} service${prepared.length === 1 ? '' : 's'} to ${inputs.rollbackTo ? 'roll back' : 'deploy'}.`);
    return prepared;
  });

  const runs = plans.map(newRun);
  action.setSummary(jobSummary(runs, session.region, title));
  for (const run of runs.filter((candidate) => candidate.plan.otherFamily)) core.warning(otherFamilyText(run), { title: 'Rollback to another task-definition family' });
  await rollOut(engine, runs);
  return conclude(runs, session.region);
}

function newRun(plan: Plan): ServiceRun {
  return {
    plan,
    taskDefinitionArn: plan.release.kind === 'existing' ? plan.release.arn : '',
    definition: plan.release.kind === 'existing' ? plan.release.definition : undefined,
    deploymentId: '',
    startedAt: Date.now(),
    reason: '',
    rolledBackTo: '',
    state: 'validated',
    seenEvents: new Set((plan.service.events ?? []).map((event) => event.id!).filter(Boolean)),
    strategy: plan.controller === 'CODE_DEPLOY' ? 'CODE_DEPLOY' : plan.strategy,
    stages: [],
    notes: [],
  };
}

/** Blue/green, linear and canary rollouts are judged by their service deployment. */
const byServiceDeployment = (run: ServiceRun) => run.strategy !== 'ROLLING' && run.strategy !== 'CODE_DEPLOY';

/** Registers the new revisions, updates every service, and watches each rollout (rolling back a failed one) unless told not to wait. */
async function rollOut(engine: Engine, runs: ServiceRun[]): Promise<void> {
  const toRegister = runs.filter((run) => run.plan.release.kind === 'register');
  if (toRegister.length) {
    await phase('Register task definitions', () => Promise.all(toRegister.map((run) => register(engine, run))));
  }
  await phase('Update services', () => Promise.all(runs.map((run) => update(engine, run))));

  if (engine.inputs.wait) {
    await phase('Watch rollouts', async () => {
      await Promise.all(runs.filter((run) => run.outcome === undefined).map((run) => lifecycle(engine, run)));
      const { polls, describeCalls, describeDeploymentCalls } = engine.watcher.stats;
      if (polls) core.info(`Watched with ${polls} polls and ${describeCalls} DescribeServices calls${describeDeploymentCalls ? ` and ${describeDeploymentCalls} DescribeServiceDeployments calls` : ''}.`);
    });
  } else {
    for (const run of runs.filter((candidate) => candidate.outcome === undefined)) {
      finish(run, 'deployed', `rollout started and not watched (wait: false); follow deployment ${run.deploymentId} in the ECS console`);
    }
  }
}

/** The result, a line per service, and for the services that did not deploy an error each and the failure to end the step with. */
function conclude(runs: ServiceRun[], region: string): DeployOutcome {
  const result = deployResult(runs, region);
  for (const run of runs) core.info(`${run.plan.target.name}: ${run.outcome}${run.reason ? ` (${run.reason})` : ''} in ${formatDuration(run.finishedAt! - run.startedAt)}`);
  const failed = runs.filter((run) => run.outcome !== 'deployed');
  if (failed.length === 0) return { result };
  for (const run of failed) core.error(failureText(run), { title: failureTitle(run) });
  const failure = new DeploymentFailure(
    `${failed.length} of ${runs.length} service${runs.length === 1 ? '' : 's'} did not deploy (${overallOutcome(runs)}):\n${failed.map((run) => `  ${run.plan.target.name}: ${run.outcome}: ${run.reason}`).join('\n')}`,
    failed
      .map((run) => run.rollbackFailure?.hint ?? run.failure?.hint)
      .filter((hint, i, all): hint is string => Boolean(hint) && all.indexOf(hint) === i)
      .join('\n'),
  );
  return { result, failure };
}

function describePlan(plan: Plan): string {
  const { target, release } = plan;
  const now = `${shortTaskDefinition(plan.live.taskDefinitionArn!)} (${shortImage(containerImage(plan.live, plan.container) ?? '')})`;
  const next =
    release.kind === 'existing'
      ? `${shortTaskDefinition(release.arn)} as it is${release.note ? `: ${release.note}` : ''}`
      : `a new revision of ${release.input.family} with ${plan.image || 'the same image'}${release.note ? ` (${release.note})` : ''}`;
  return `${target.name}: ${target.cluster}/${target.ecsService}, container ${plan.container}\n  running: ${now}\n  deploy:  ${next}${target.healthUrl ? `\n  health:  ${target.healthUrl}` : ''}`;
}

async function register(engine: Engine, run: ServiceRun): Promise<void> {
  if (run.plan.release.kind !== 'register') return;
  try {
    const definition = await registerTaskDefinition(engine.ecs, run.plan.release.input);
    run.taskDefinitionArn = definition.taskDefinitionArn!;
    run.definition = definition;
    run.state = 'registered';
    core.info(`${run.plan.target.name}: registered ${shortTaskDefinition(run.taskDefinitionArn)}`);
  } catch (error) {
    if (error instanceof Error && (error.name === 'ClientException' || error.name === 'InvalidParameterException')) {
      throw new UserError(
        `ECS refused to register the task definition for ${run.plan.target.name}: ${error.message}`,
        'Nothing was deployed. Fix the task definition (the "task-definition" file, or the "environment" input) and run again.',
      );
    }
    throw error;
  }
}

async function update(engine: Engine, run: ServiceRun): Promise<void> {
  const { target, service } = run.plan;
  run.startedAt = Date.now();
  if (run.plan.controller === 'CODE_DEPLOY') {
    try {
      const module = await engine.codeDeploy();
      run.deploymentId = await module.startCodeDeployment(module.context, run, run.taskDefinitionArn, `${target.name}: ${shortTaskDefinition(run.taskDefinitionArn)} (${githubContext().sha.slice(0, 12) || 'deploy-ecs'})`);
      run.serviceDeploymentArn = run.deploymentId;
      run.state = 'rolling out';
    } catch (error) {
      const message = isAwsError(error) ? describeAwsError(error).message : errorMessage(error);
      core.error(`${target.name}: CodeDeploy CreateDeployment failed: ${message}`);
      finish(run, 'failed', `CodeDeploy CreateDeployment failed, the service was not changed: ${message}`);
    }
    return;
  }
  // The same revision again after its rollout failed is a new attempt, not a look at the failed one.
  const primary = service.deployments?.find((candidate) => candidate.status === 'PRIMARY');
  const retry = primary?.rolloutState === 'FAILED' && primary.taskDefinition === run.taskDefinitionArn;
  try {
    const change = run.plan.strategyChange;
    const configuration = change ? { ...change.configuration, strategy: run.plan.strategy } : undefined;
    const deployment = await startDeployment(engine, target.cluster, target.ecsService, run.taskDefinitionArn, engine.inputs.forceNewDeployment || retry, configuration);
    run.deploymentId = deployment.id;
    run.serviceDeploymentArn = deployment.service.currentServiceDeployment;
    run.state = 'rolling out';
    if (change) core.info(`${target.name}: deploying once with ${run.plan.strategy} (the service's own strategy, ${change.from}, is put back when the rollout ends).`);
    core.info(
      deployment.id === primary?.id
        ? `${target.name}: ${target.ecsService} already runs ${shortTaskDefinition(run.taskDefinitionArn)}; ECS started no new deployment (set force-new-deployment to restart its tasks).`
        : `${target.name}: ${target.ecsService} → ${shortTaskDefinition(run.taskDefinitionArn)}, deployment ${deployment.id}`,
    );
  } catch (error) {
    const message = isAwsError(error) ? describeAwsError(error).message : errorMessage(error);
    core.error(`${target.name}: UpdateService failed: ${message}`);
    finish(run, 'failed', `UpdateService failed, the service was not changed: ${message}`);
  }
}

async function startDeployment(engine: Engine, cluster: string, service: string, taskDefinition: string, force: boolean, deploymentConfiguration?: DeploymentConfiguration): Promise<{ id: string; service: Service }> {
  const response = await engine.ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition, forceNewDeployment: force, deploymentConfiguration }));
  const id = response.service?.deployments?.find((deployment) => deployment.status === 'PRIMARY')?.id;
  if (!id || !response.service) throw new Error(`UpdateService for ${service} returned no primary deployment`);
  return { id, service: response.service };
}

function finish(run: ServiceRun, outcome: ServiceRun['outcome'], reason = ''): void {
  run.outcome = outcome;
  run.reason = reason;
  run.finishedAt = Date.now();
  run.state = outcome ?? run.state;
}

function watchRequest(
  engine: Engine,
  run: ServiceRun,
  label: string,
  deploymentId: string,
  taskDefinitionArn: string,
  options: { definition?: TaskDefinition; rollback?: boolean; serviceDeployment?: ServiceDeploymentWatch } = {},
): WatchRequest {
  const { target } = run.plan;
  return {
    ...options,
    label,
    cluster: target.cluster,
    service: target.ecsService,
    deploymentId,
    taskDefinitionArn,
    container: run.plan.container,
    timeoutMs: engine.inputs.waitTimeoutMs,
    seenEvents: run.seenEvents,
  };
}

/**
 * After the watch: checks the health URL of a completed rollout and finishes the run as deployed, or
 * records and prints the failure for the rollback to handle.
 */
async function settleRollout(engine: Engine, run: ServiceRun, watched: { ok: true; note?: string } | { ok: false; failure: FailureReport }): Promise<FailureReport | undefined> {
  const { target } = run.plan;
  let failure: FailureReport | undefined = watched.ok ? undefined : watched.failure;
  if (watched.ok) {
    if (watched.note) run.notes.push(watched.note);
    core.info(`[${target.name}] rollout of ${shortTaskDefinition(run.taskDefinitionArn)} completed in ${formatDuration(Date.now() - run.startedAt)}${watched.note ? `: ${watched.note}` : ''}.`);
    if (target.healthUrl) {
      run.state = 'checking health';
      const health = await checkHealth(target.healthUrl, { timeoutMs: engine.inputs.healthTimeoutMs, intervalMs: Math.min(engine.inputs.pollIntervalMs, 5000), label: target.name });
      const unhealthy = judgeHealth(health);
      if (unhealthy) failure = { cause: unhealthy.cause, summary: unhealthy.summary, stopped: [], events: [], hint: failureHint(unhealthy.cause, [], { logsShown: false }) };
    }
  }
  if (!failure) {
    finish(run, 'deployed', run.notes.join('; '));
    core.info(`[${target.name}] deployed ${shortTaskDefinition(run.taskDefinitionArn)} in ${formatDuration(run.finishedAt! - run.startedAt)}.`);
    return undefined;
  }
  run.failure = failure;
  core.info([`[${target.name}] FAILED: ${headline(failure)}`, ...formatEvidence(failure).map((line) => `[${target.name}]   ${line}`)].join('\n'));
  return failure;
}

/**
 * A CodeDeploy service: watch the deployment; on failure follow CodeDeploy's own rollback, else stop
 * the deployment with rollback, else (it had ended) deploy the original revision again.
 */
async function codeDeployLifecycle(engine: Engine, run: ServiceRun): Promise<void> {
  const module = await engine.codeDeploy();
  const { target } = run.plan;
  const blue = run.plan.live.taskDefinitionArn!;
  const watchOf = (label: string, deploymentId: string, rollingBack = false) =>
    module.watchCodeDeployment(module.context, {
      label,
      deploymentId,
      rollingBack,
      bakeWait: target.bakeWait,
      timeoutMs: engine.inputs.waitTimeoutMs,
      cluster: target.cluster,
      service: target.ecsService,
      container: run.plan.container,
      definition: run.definition,
      hooks: target.codeDeploy.hooks ?? {},
      blueTaskDefinitionArn: blue,
      onStage: (stage) => run.stages.push(stage),
    });
  const failure = await settleRollout(engine, run, await watchOf(target.name, run.deploymentId));
  if (!failure) return;
  const why = headline(failure);
  const label = `${target.name} rollback`;
  const follow = async (deploymentId: string, done: string, rollingBack: boolean) => {
    const watched = await watchOf(label, deploymentId, rollingBack);
    if (watched.ok) {
      run.rolledBackTo = blue;
      finish(run, 'rolled-back', `${why}; ${done}, which runs again`);
      return;
    }
    run.rollbackFailure = watched.failure;
    finish(run, 'failed', `${why}; the rollback to ${shortTaskDefinition(blue)} failed too: ${headline(watched.failure)}`);
  };
  if (failure.ecsRollback) {
    run.state = 'CodeDeploy rolling back';
    core.info(`[${target.name}] CodeDeploy is rolling back (deployment ${failure.ecsRollback.deploymentId}); following it until the original task set takes all traffic again.`);
    return follow(failure.ecsRollback.deploymentId, `rolled back by CodeDeploy to ${shortTaskDefinition(blue)}`, true);
  }
  const notOurs = noRollbackReason(failure.cause);
  if (notOurs) return finish(run, 'failed', `${why}; ${notOurs}`);
  if (!engine.inputs.rollback) return finish(run, 'failed', `${why}; automatic rollback is off (rollback: false), so ${target.ecsService} is left on the failing deployment`);
  run.state = 'rolling back';
  const rollbackId = failure.ended ? undefined : await module.stopCodeDeployment(module.context, run.deploymentId, Math.min(engine.inputs.waitTimeoutMs, 120_000));
  if (rollbackId) {
    core.info(`[${target.name}] stopped deployment ${run.deploymentId} with rollback; following CodeDeploy's rollback deployment ${rollbackId}.`);
    return follow(rollbackId, `rolled back to ${shortTaskDefinition(blue)} (StopDeployment with rollback)`, true);
  }
  let redeploy: string;
  try {
    redeploy = await module.startCodeDeployment(module.context, run, blue, `${target.name}: roll back to ${shortTaskDefinition(blue)}`);
  } catch (error) {
    const message = isAwsError(error) ? describeAwsError(error).message : errorMessage(error);
    return finish(run, 'failed', `${why}; the rollback to ${shortTaskDefinition(blue)} could not start: ${message}`);
  }
  await follow(redeploy, `rolled back to ${shortTaskDefinition(blue)} (a new CodeDeploy deployment)`, false);
}

/** What the watcher needs to follow a blue/green, linear or canary service deployment. */
function serviceDeploymentWatch(run: ServiceRun, arn: string | undefined, rollingBack = false): ServiceDeploymentWatch | undefined {
  if (!byServiceDeployment(run) || !arn) return undefined;
  const { service } = run.plan;
  const blue = service.deployments?.find((deployment) => deployment.status === 'PRIMARY');
  return {
    arn,
    rollingBack,
    bakeWait: run.plan.target.bakeWait,
    blue: { deploymentId: blue?.id, taskDefinitionArn: service.taskDefinition },
    onStage: (stage) => run.stages.push(stage),
  };
}

/** One service: wait for its rollout, check its health, roll back when it fails, and put back a strategy changed for this deploy. */
async function lifecycle(engine: Engine, run: ServiceRun): Promise<void> {
  try {
    await (run.plan.controller === 'CODE_DEPLOY' ? codeDeployLifecycle(engine, run) : watchAndRollBack(engine, run));
  } finally {
    await restoreStrategy(engine, run);
  }
}

async function watchAndRollBack(engine: Engine, run: ServiceRun): Promise<void> {
  const { target } = run.plan;
  const serviceDeployment = serviceDeploymentWatch(run, run.serviceDeploymentArn);
  const watched = await engine.watcher.watch(watchRequest(engine, run, target.name, run.deploymentId, run.taskDefinitionArn, { definition: run.definition, serviceDeployment }));
  const failure = await settleRollout(engine, run, watched);
  if (!failure) return;
  const why = headline(failure);

  if (failure.ecsRollback) {
    run.state = 'ECS rolling back';
    const { deploymentId, taskDefinitionArn: to, serviceDeploymentArn } = failure.ecsRollback;
    if (serviceDeploymentArn) {
      core.info(`[${target.name}] ECS is rolling back to ${shortTaskDefinition(to)}; following service deployment ${serviceDeploymentArn} until the old revision takes all traffic again.`);
      await followRollback(engine, run, why, deploymentId, to, `rolled back by ECS to ${shortTaskDefinition(to)}`, serviceDeploymentWatch(run, serviceDeploymentArn, true));
      return;
    }
    core.info(`[${target.name}] ECS's circuit breaker is rolling back to ${shortTaskDefinition(to)}; following deployment ${deploymentId}.`);
    await followRollback(engine, run, why, deploymentId, to, `rolled back by the ECS circuit breaker to ${shortTaskDefinition(to)}`);
    return;
  }
  const notOurs = noRollbackReason(failure.cause);
  if (notOurs) return finish(run, 'failed', `${why}; ${notOurs}`);
  if (!engine.inputs.rollback) {
    return finish(run, 'failed', `${why}; automatic rollback is off (rollback: false), so ${target.ecsService} is left on the failing deployment`);
  }

  run.state = 'rolling back';
  if (byServiceDeployment(run) && run.serviceDeploymentArn && !failure.ended && (await stopServiceDeployment(engine, run))) {
    const blue = serviceDeploymentWatch(run, run.serviceDeploymentArn, true)!;
    const to = blue.blue.taskDefinitionArn ?? '';
    await followRollback(engine, run, why, blue.blue.deploymentId ?? run.deploymentId, to, `rolled back to ${shortTaskDefinition(to)} (StopServiceDeployment)`, blue);
    return;
  }
  const previous = await rollbackTarget(engine, run);
  if (previous.arn === undefined) return finish(run, 'failed', `${why}; nothing to roll back to: ${previous.why}`);
  core.info(`[${target.name}] rolling back to ${shortTaskDefinition(previous.arn)}, ${previous.note}.`);
  let started: { id: string; service: Service };
  try {
    started = await startDeployment(engine, target.cluster, target.ecsService, previous.arn, false);
  } catch (error) {
    const message = isAwsError(error) ? describeAwsError(error).message : errorMessage(error);
    return finish(run, 'failed', `${why}; the rollback to ${shortTaskDefinition(previous.arn)} could not start: ${message}`);
  }
  await followRollback(engine, run, why, started.id, previous.arn, `rolled back to ${shortTaskDefinition(previous.arn)}`, serviceDeploymentWatch(run, started.service.currentServiceDeployment));
}

/**
 * Asks ECS to roll a blue/green, linear or canary deployment back (traffic returns to blue, green is
 * scaled in). False when the deployment has already ended, so a new deployment of the old revision is needed.
 */
async function stopServiceDeployment(engine: Engine, run: ServiceRun): Promise<boolean> {
  const label = run.plan.target.name;
  try {
    await engine.ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: run.serviceDeploymentArn, stopType: 'ROLLBACK' }));
    core.info(`[${label}] asked ECS to roll back service deployment ${run.serviceDeploymentArn} (StopServiceDeployment, ROLLBACK).`);
    return true;
  } catch (error) {
    const message = isAwsError(error) ? describeAwsError(error).message : errorMessage(error);
    core.info(`[${label}] StopServiceDeployment did not roll back ${run.serviceDeploymentArn} (${message}); deploying the last good revision instead.`);
    return false;
  }
}

/** Puts back the strategy the service had before a `strategy` given for this deploy. */
async function restoreStrategy(engine: Engine, run: ServiceRun): Promise<void> {
  const change = run.plan.strategyChange;
  if (!change) return;
  const { target } = run.plan;
  try {
    await engine.ecs.send(new UpdateServiceCommand({ cluster: target.cluster, service: target.ecsService, deploymentConfiguration: { ...change.configuration, strategy: change.from } }));
    core.info(`[${target.name}] put the service's own strategy, ${change.from}, back.`);
  } catch (error) {
    const message = isAwsError(error) ? describeAwsError(error).message : errorMessage(error);
    const note = `the service still deploys with ${run.plan.strategy}: putting ${change.from} back failed (${message}); set it again once no deployment is in progress`;
    run.notes.push(note);
    core.warning(`${target.name}: ${note}.`, { title: 'Strategy not restored' });
  }
}

async function followRollback(engine: Engine, run: ServiceRun, why: string, deploymentId: string, taskDefinitionArn: string, done: string, serviceDeployment?: ServiceDeploymentWatch): Promise<void> {
  const label = `${run.plan.target.name} rollback`;
  const watched = await engine.watcher.watch(watchRequest(engine, run, label, deploymentId, taskDefinitionArn, { rollback: true, serviceDeployment }));
  if (watched.ok) {
    run.rolledBackTo = taskDefinitionArn;
    finish(run, 'rolled-back', `${why}; ${done}, which runs again`);
    core.info(`[${label}] ${shortTaskDefinition(taskDefinitionArn)} runs again (${formatDuration(run.finishedAt! - run.startedAt)} after the update).`);
    return;
  }
  run.rollbackFailure = watched.failure;
  finish(run, 'failed', `${why}; the rollback to ${shortTaskDefinition(taskDefinitionArn)} failed too: ${headline(watched.failure)}`);
  core.info([`[${label}] FAILED: ${headline(watched.failure)}`, ...formatEvidence(watched.failure).map((line) => `[${label}]   ${line}`)].join('\n'));
}

/** The revision to put back: ECS's last successful deployment, else what ran before this call. */
async function rollbackTarget(engine: Engine, run: ServiceRun): Promise<{ arn: string; note: string } | { arn?: undefined; why: string }> {
  const { target, service } = run.plan;
  const last = await lastSuccessfulTaskDefinition(engine.ecs, target.cluster, target.ecsService, [run.taskDefinitionArn]);
  if (last.taskDefinitionArn !== undefined) return { arn: last.taskDefinitionArn, note: 'the last revision that ran successfully (ECS deployment history)' };
  const before = service.taskDefinition;
  if (before && shortTaskDefinition(before) !== shortTaskDefinition(run.taskDefinitionArn)) {
    return { arn: before, note: `the revision the service ran before this deploy (${last.why})` };
  }
  return { why: `${last.why}, and the service ran the same revision before this deploy` };
}

/** The failure in one line, with the latest failed task's verdict. */
function headline(failure: FailureReport): string {
  const latest = failure.stopped.at(-1);
  if (!latest || failure.cause === 'health-check') return failure.summary;
  const { verdict } = latest;
  const what = verdict.kind === 'exited' ? `exit code ${verdict.exitCode ?? '?'}` : verdict.kind.replace(/-/g, ' ');
  return `${failure.summary} (latest: ${what}: ${stopReason(latest.task, verdict)})`;
}
