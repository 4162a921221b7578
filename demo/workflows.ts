/**
 * The jobs of the reusable workflows, in order and with their conditions and wiring, as
 * `.github/workflows/deploy.yml` and `rollback.yml` give them: each action step gets the inputs the
 * workflow passes (outputs of earlier jobs, `needs` as JSON), plus the few the demo must add to
 * reach its stand-ins, shown apart as "demo adds".
 */
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { Manifest } from '../shared/manifest/types.js';
import type { Builds } from './components.js';
import type { HealthStandIn } from './health.js';
import { REPOSITORY, type DemoRepository, type Push } from './history.js';
import type { RunContext, Runner, StepResult, StepSpec } from './runner.js';
import { mirrorImage, recordImage } from './seed.js';
import type { SlackFeed } from './slack.js';
import type { Terminal } from './terminal.js';

type JobResult = 'success' | 'failure' | 'skipped';

/** One entry of the `needs` context: a job's result and outputs. */
interface Job {
  result: JobResult;
  outputs: Record<string, string>;
}

export interface WorkflowRun {
  workflow: 'deploy' | 'rollback';
  /** The GitHub environment the workflow was called with. */
  environment: string;
  /** The manifest environment every step acted on (empty: the manifest's top-level values). */
  manifestEnvironment: string;
  /** Set when the call promoted instead of building. */
  promoteFrom?: string;
  sha: string;
  needs: Record<string, Job>;
  steps: StepResult[];
  /** Jobs that waited for a required reviewer, and who approved them. */
  approvals: { job: string; environment: string; approver: string }[];
  durationMs: number;
}

export interface Pipeline {
  terminal: Terminal;
  runner: Runner;
  manifest: Manifest;
  repo: DemoRepository;
  slack: SlackFeed;
  health: HealthStandIn;
  /** The Docker engine and registry, when builds are real. */
  builds?: Builds;
  /** The ECR stand-in, to record a commit's image when nothing can be built. */
  ecr: ECRClient;
  /** Why nothing is built, when `builds` is missing. */
  noBuildReason: string;
  /** Where the build-push step finds the demo's Dockerfiles (FROM scratch). */
  dockerfiles: Record<string, string>;
  slackApi: { url: string; channel: string };
  /** The secrets each workflow is called with. */
  secrets: { deploy: Record<string, string>; rollback: Record<string, string> };
  /** The commit of the actions (the workflow's own commit). */
  berth: { repository: string; sha: string };
  pollInterval: string;
  migratePollInterval: string;
  runIds: () => string;
  /** GitHub environments with required reviewers, and who approves their jobs in the demo. */
  protectedEnvironments?: { names: string[]; approver: string };
}

/** How a caller calls deploy.yml: the inputs that differ between its calls. */
export interface DeployCall {
  /** `environment`: the GitHub environment (default production). */
  environment?: string;
  /** `promote-from`: promote what this manifest environment runs instead of building. */
  promoteFrom?: string;
  /** The caller's run, when this call is one of its jobs after another (one run id for both). */
  runId?: string;
}

const MANIFEST = '.github/services.yml';
const ENVIRONMENT = 'production';
/** The AWS inputs every job passes through from the caller (all empty in the example: the manifest decides). */
const AWS_INPUTS = { 'role-to-assume': '', 'aws-region': '', 'allowed-account-ids': '' };
const SKIPPED: Job = { result: 'skipped', outputs: {} };

const pick = (outputs: Record<string, string>, names: string[]) => Object.fromEntries(names.map((name) => [name, outputs[name] ?? '']));

function jobOf(steps: StepResult[], outputs: Record<string, string> = {}): Job {
  return { result: steps.every((step) => step.conclusion === 'success') ? 'success' : 'failure', outputs };
}

/** `toJSON(needs)` as a runner renders it. */
const needsJson = (needs: Record<string, Job>) => JSON.stringify(needs, null, 2);

class Stages {
  private count = 0;
  readonly steps: StepResult[] = [];

  constructor(
    private readonly pipeline: Pipeline,
    private readonly prefix: string,
  ) {}

  stage(job: string, title: string): void {
    this.pipeline.terminal.stage(`${this.prefix}.${++this.count}`, `${job} · ${title}`);
  }

  skip(job: string, why: string): void {
    const { paint } = this.pipeline.terminal;
    this.pipeline.terminal.line(`  ${paint.dim(`○ ${job} skipped: ${why}`)}`);
  }

  /** A job whose GitHub environment has required reviewers waits for one of them, as GitHub shows it. */
  approve(job: string, environment: string): void {
    const guard = this.pipeline.protectedEnvironments;
    if (!guard?.names.includes(environment)) return;
    const { paint } = this.pipeline.terminal;
    this.pipeline.terminal.line(`  ${paint.yellow(`⏸ ${job} is waiting for review: the "${environment}" environment requires an approval before the job runs`)}`);
    this.pipeline.terminal.line(`  ${paint.green(`✓ ${guard.approver} approved the deployment to ${environment}`)} ${paint.dim('(the demo plays the required reviewer)')}`);
    this.approvals.push({ job, environment, approver: guard.approver });
  }

  readonly approvals: { job: string; environment: string; approver: string }[] = [];

  async step(spec: StepSpec): Promise<StepResult> {
    const result = await this.pipeline.runner.step(spec);
    this.steps.push(result);
    this.pipeline.slack.flush();
    return result;
  }
}

/**
 * deploy.yml for a push to main: builds the changed services, or with `promoteFrom` promotes what
 * that manifest environment runs (no build), then migrations and the rollout in `environment`.
 */
export async function deployWorkflow(pipeline: Pipeline, push: Push, prefix: string, call: DeployCall = {}): Promise<WorkflowRun> {
  const started = Date.now();
  const { terminal } = pipeline;
  const { paint } = terminal;
  const environment = call.environment ?? ENVIRONMENT;
  const promoteFrom = call.promoteFrom ?? '';
  const promoting = promoteFrom !== '';
  const run: RunContext = {
    workspace: pipeline.repo.dir,
    eventName: 'push',
    event: push.payload,
    sha: push.after.sha,
    ref: 'refs/heads/main',
    runId: call.runId ?? pipeline.runIds(),
    repository: REPOSITORY,
    actor: push.after.author.login,
    workflow: 'Deploy',
  };
  const secrets = pipeline.secrets.deploy;
  const stages = new Stages(pipeline, prefix);
  const needs: Record<string, Job> = {};
  const finish = (manifestEnvironment: string): WorkflowRun => ({
    workflow: 'deploy',
    environment,
    manifestEnvironment,
    ...(promoting ? { promoteFrom } : {}),
    sha: run.sha,
    needs,
    steps: stages.steps,
    approvals: stages.approvals,
    durationMs: Date.now() - started,
  });

  // changes: the preflight of every input, then the detection (or the promotion)
  const firstJob = promoting ? 'Promote' : 'Changed services';
  stages.stage('changes', 'Preflight');
  const workflowInputs = {
    manifest: MANIFEST,
    environment,
    'promote-from': promoteFrom,
    'promote-commit': '',
    'migrate-environment': '',
    ...AWS_INPUTS,
    services: '',
    since: 'event',
    'build-cache': 'registry',
    'wait-timeout': '15m',
    rollback: true,
    'bake-wait': 'full',
    'slack-channel': pipeline.slackApi.channel,
    'runs-on': 'ubuntu-24.04',
  };
  const preflight = await stages.step({
    job: firstJob,
    action: 'preflight',
    run,
    secrets: Object.values(secrets),
    inputs: { workflow: 'deploy', inputs: JSON.stringify(workflowInputs), 'slack-webhook-url': secrets.SLACK_WEBHOOK_URL ?? '', 'slack-bot-token': secrets.SLACK_BOT_TOKEN ?? '' },
  });
  if (preflight.conclusion !== 'success') {
    needs.changes = jobOf([preflight]);
    return finish('');
  }
  const manifestEnvironment = preflight.outputs['manifest-environment'] ?? '';
  let first: StepResult;
  if (promoting) {
    stages.stage('changes', `Promote what "${promoteFrom}" runs to "${manifestEnvironment}"`);
    first = await stages.step({
      job: firstJob,
      action: 'promote',
      run,
      idToken: true,
      inputs: { manifest: MANIFEST, to: manifestEnvironment, from: promoteFrom, commit: '', services: '', ...AWS_INPUTS },
    });
  } else {
    stages.stage('changes', 'Changed services');
    first = await stages.step({
      job: firstJob,
      action: 'changes',
      run,
      idToken: true,
      inputs: {
        manifest: MANIFEST,
        'manifest-environment': manifestEnvironment,
        services: '',
        since: 'event',
        plan: 'true',
        'plan-environments': manifestEnvironment,
        ...AWS_INPUTS,
      },
    });
  }
  needs.changes = jobOf([first], {
    ...pick(first.outputs, ['services', 'any-changed', 'matrix', 'migrate', 'migrate-services', 'result']),
    images: promoting ? (first.outputs.images ?? '') : '',
    'manifest-environment': manifestEnvironment,
    'berth-repository': pipeline.berth.repository,
    'berth-sha': pipeline.berth.sha,
  });
  const changes = needs.changes.outputs;
  const firstOk = needs.changes.result === 'success';
  const anyChanged = changes['any-changed'] === 'true';

  // announce
  if (anyChanged && pipeline.slackApi.channel && secrets.SLACK_BOT_TOKEN) {
    stages.stage('announce', 'Announce');
    const step = await stages.step({
      job: 'Announce',
      action: 'notify',
      run,
      secrets: Object.values(secrets),
      inputs: { 'slack-bot-token': secrets.SLACK_BOT_TOKEN, 'slack-channel': pipeline.slackApi.channel, status: 'started', environment, changes: changes.result! },
      demoInputs: { 'slack-api-url': pipeline.slackApi.url },
    });
    needs.announce = jobOf([step], pick(step.outputs, ['ts', 'channel']));
  } else {
    needs.announce = SKIPPED;
  }

  // build: one job per changed service; never when promoting
  if (anyChanged && !promoting) {
    const matrix = JSON.parse(changes.matrix!) as { include: { service: string; repository: string }[] };
    const builds: StepResult[] = [];
    for (const entry of matrix.include) {
      stages.stage('build', `Build ${entry.service}`);
      const demoInputs: Record<string, string> = {};
      let env: Record<string, string> = {};
      if (pipeline.builds) {
        demoInputs.registry = pipeline.builds.registry.host;
        demoInputs.dockerfile = pipeline.dockerfiles[entry.service]!;
        env = pipeline.builds.docker.env();
      } else {
        const digest = await recordImage(pipeline.ecr, entry.repository, run.sha);
        terminal.line(
          `  ${paint.yellow(`demo: ${pipeline.noBuildReason}, so nothing is built. ECR (moto) now holds ${entry.repository}:${run.sha.slice(0, 7)} (${digest.slice(0, 19)}…) as if pushed before: build-push takes its real "already built" path.`)}`,
        );
      }
      const built = await stages.step({ job: `Build ${entry.service}`, action: 'build-push', run, idToken: true, env, inputs: { service: entry.service, manifest: MANIFEST, cache: 'registry', ...AWS_INPUTS }, demoInputs });
      builds.push(built);
      if (pipeline.builds && built.conclusion === 'success') {
        // In AWS the push lands in ECR itself; here the registry holds the layers and ECR (moto) learns the tag.
        const digest = await mirrorImage(pipeline.ecr, pipeline.builds.registry, entry.repository, run.sha);
        terminal.line(`  ${paint.dim(`demo: ECR (moto) now lists ${entry.repository}:${run.sha.slice(0, 7)} with the pushed manifest (${digest.slice(0, 19)}…), as ECR would after the push.`)}`);
      }
    }
    needs.build = jobOf(builds);
  } else {
    needs.build = SKIPPED;
    if (anyChanged) stages.skip('Build', 'promoting: the images exist, nothing is built');
  }
  const imagesReady = needs.build.result === 'success' || (needs.build.result === 'skipped' && promoting);

  // migrate: one service at a time, stopping at the first failure, in the environment's database
  if (firstOk && changes.migrate === 'true' && imagesReady) {
    const steps: StepResult[] = [];
    const promoted = JSON.parse(changes.images || '{}') as Record<string, string>;
    for (const service of JSON.parse(changes['migrate-services']!) as string[]) {
      stages.stage('migrate', `Migrate ${service}`);
      stages.approve(`Migrate ${service}`, environment);
      const step = await stages.step({
        job: `Migrate ${service}`,
        action: 'migrate',
        run,
        idToken: true,
        inputs: { service, manifest: MANIFEST, 'manifest-environment': manifestEnvironment, image: promoted[service] ?? '', ...AWS_INPUTS },
        demoInputs: { 'poll-interval': pipeline.migratePollInterval },
      });
      steps.push(step);
      if (step.conclusion !== 'success') break;
    }
    needs.migrate = jobOf(steps, pick(steps.at(-1)!.outputs, ['result']));
  } else {
    needs.migrate = SKIPPED;
    if (anyChanged) stages.skip('Migrate', changes.migrate === 'true' ? 'a job it needs failed' : 'no changed service has a migration');
  }

  // deploy: every changed service, one watcher
  if (firstOk && anyChanged && imagesReady && (needs.migrate.result === 'success' || needs.migrate.result === 'skipped')) {
    const services = JSON.parse(changes.services!) as string[];
    stages.stage('deploy', 'Deploy');
    stages.approve('Deploy', environment);
    const health = pipeline.health.input(services, manifestEnvironment);
    const step = await stages.step({
      job: 'Deploy',
      action: 'deploy-ecs',
      run,
      idToken: true,
      inputs: {
        services: services.join(','),
        manifest: MANIFEST,
        'manifest-environment': manifestEnvironment,
        images: changes.images ?? '',
        'image-tag': run.sha,
        'wait-timeout': '15m',
        rollback: 'true',
        'bake-wait': 'full',
        ...AWS_INPUTS,
      },
      demoInputs: { 'poll-interval': pipeline.pollInterval, ...(health ? { 'health-url': health } : {}) },
    });
    needs.deploy = jobOf([step], pick(step.outputs, ['result', 'outcome', 'images']));
  } else {
    needs.deploy = SKIPPED;
    if (anyChanged) stages.skip('Deploy', promoting ? 'the promotion or the migration failed' : 'a build or the migration failed');
  }

  // notify: always, unless nothing changed
  if (changes['any-changed'] !== 'false' && changes['berth-sha']) {
    const reported = { needs: needsJson(needs), environment, changes: changes.result ?? '', migration: needs.migrate.outputs.result ?? '', deployment: needs.deploy.outputs.result ?? '' };
    if (secrets.SLACK_WEBHOOK_URL) {
      stages.stage('notify', 'Notify (webhook)');
      await stages.step({ job: 'Notify', action: 'notify', run, secrets: Object.values(secrets), inputs: { 'webhook-url': secrets.SLACK_WEBHOOK_URL, ...reported } });
    }
    if (secrets.SLACK_BOT_TOKEN && pipeline.slackApi.channel) {
      stages.stage('notify', 'Notify (bot, updating the announcement)');
      await stages.step({
        job: 'Notify',
        action: 'notify',
        run,
        secrets: Object.values(secrets),
        inputs: {
          'slack-bot-token': secrets.SLACK_BOT_TOKEN,
          'slack-channel': needs.announce.outputs.channel || pipeline.slackApi.channel,
          'message-ts': needs.announce.outputs.ts ?? '',
          ...reported,
        },
        demoInputs: { 'slack-api-url': pipeline.slackApi.url },
      });
    }
  }
  return finish(manifestEnvironment);
}

/** rollback.yml, dispatched by hand: services and a target. */
export async function rollbackWorkflow(pipeline: Pipeline, request: { services: string; target: string; actor: string }, prefix: string): Promise<WorkflowRun> {
  const started = Date.now();
  const head = pipeline.repo.head;
  const run: RunContext = {
    workspace: pipeline.repo.dir,
    eventName: 'workflow_dispatch',
    event: {
      inputs: { environment: ENVIRONMENT, services: request.services, target: request.target },
      ref: 'refs/heads/main',
      workflow: '.github/workflows/rollback.yml',
      repository: { full_name: REPOSITORY, name: REPOSITORY.split('/')[1], owner: { login: REPOSITORY.split('/')[0] }, default_branch: 'main', html_url: `https://github.com/${REPOSITORY}` },
      sender: { login: request.actor, type: 'User' },
    },
    sha: head.sha,
    ref: 'refs/heads/main',
    runId: pipeline.runIds(),
    repository: REPOSITORY,
    actor: request.actor,
    workflow: 'Rollback',
  };
  const secrets = pipeline.secrets.rollback;
  const stages = new Stages(pipeline, prefix);
  const needs: Record<string, Job> = {};

  stages.stage('berth', 'Check the inputs');
  const workflowInputs = { environment: ENVIRONMENT, services: request.services, target: request.target, manifest: MANIFEST, 'slack-channel': '' };
  const preflight = await stages.step({
    job: 'Check the inputs',
    action: 'preflight',
    run,
    secrets: Object.values(secrets),
    inputs: { workflow: 'rollback', inputs: JSON.stringify(workflowInputs), 'slack-webhook-url': secrets.SLACK_WEBHOOK_URL ?? '', 'slack-bot-token': secrets.SLACK_BOT_TOKEN ?? '' },
  });
  const manifestEnvironment = preflight.outputs['manifest-environment'] ?? '';
  needs.berth = {
    result: preflight.conclusion === 'success' ? 'success' : 'failure',
    outputs: { repository: pipeline.berth.repository, sha: pipeline.berth.sha, 'manifest-environment': manifestEnvironment },
  };
  const finish = (): WorkflowRun => ({ workflow: 'rollback', environment: ENVIRONMENT, manifestEnvironment, sha: run.sha, needs, steps: stages.steps, approvals: stages.approvals, durationMs: Date.now() - started });
  if (needs.berth.result !== 'success') return finish();
  stages.stage('rollback', `Roll back ${request.services} to ${request.target}`);
  const health = pipeline.health.input(
    request.services.split(',').map((name) => name.trim()),
    manifestEnvironment,
  );
  const step = await stages.step({
    job: `Roll back ${request.services} to ${request.target}`,
    action: 'deploy-ecs',
    run,
    idToken: true,
    inputs: { services: request.services, manifest: MANIFEST, 'manifest-environment': manifestEnvironment, mode: 'rollback', 'rollback-to': request.target, 'wait-timeout': '15m', ...AWS_INPUTS },
    demoInputs: { 'poll-interval': pipeline.pollInterval, ...(health ? { 'health-url': health } : {}) },
  });
  needs.rollback = jobOf([step], pick(step.outputs, ['result', 'outcome']));

  if (needs.berth.outputs.sha && secrets.SLACK_WEBHOOK_URL) {
    stages.stage('notify', 'Notify');
    await stages.step({
      job: 'Notify',
      action: 'notify',
      run,
      secrets: Object.values(secrets),
      inputs: {
        'webhook-url': secrets.SLACK_WEBHOOK_URL,
        title: `Rollback of ${request.services} to ${request.target}`,
        needs: needsJson(needs),
        environment: ENVIRONMENT,
        deployment: needs.rollback.outputs.result ?? '',
      },
    });
  }
  return finish();
}
