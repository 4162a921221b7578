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
  sha: string;
  needs: Record<string, Job>;
  steps: StepResult[];
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

  async step(spec: StepSpec): Promise<StepResult> {
    const result = await this.pipeline.runner.step(spec);
    this.steps.push(result);
    this.pipeline.slack.flush();
    return result;
  }
}

/** deploy.yml for a push to main. */
export async function deployWorkflow(pipeline: Pipeline, push: Push, prefix: string): Promise<WorkflowRun> {
  const started = Date.now();
  const { terminal } = pipeline;
  const { paint } = terminal;
  const run: RunContext = {
    workspace: pipeline.repo.dir,
    eventName: 'push',
    event: push.payload,
    sha: push.after.sha,
    ref: 'refs/heads/main',
    runId: pipeline.runIds(),
    repository: REPOSITORY,
    actor: push.after.author.login,
    workflow: 'Deploy',
  };
  const secrets = pipeline.secrets.deploy;
  const stages = new Stages(pipeline, prefix);
  const needs: Record<string, Job> = {};

  // changes: the preflight of every input, then the detection
  stages.stage('changes', 'Preflight');
  const workflowInputs = {
    manifest: MANIFEST,
    environment: ENVIRONMENT,
    'promote-from': '',
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
    job: 'Changed services',
    action: 'preflight',
    run,
    secrets: Object.values(secrets),
    inputs: { workflow: 'deploy', inputs: JSON.stringify(workflowInputs), 'slack-webhook-url': secrets.SLACK_WEBHOOK_URL ?? '', 'slack-bot-token': secrets.SLACK_BOT_TOKEN ?? '' },
  });
  if (preflight.conclusion !== 'success') return { workflow: 'deploy', sha: run.sha, needs: { changes: jobOf([preflight]) }, steps: stages.steps, durationMs: Date.now() - started };
  stages.stage('changes', 'Changed services');
  const changesStep = await stages.step({ job: 'Changed services', action: 'changes', run, idToken: true, inputs: { manifest: MANIFEST, services: '', since: 'event', ...AWS_INPUTS } });
  needs.changes = jobOf([changesStep], {
    ...pick(changesStep.outputs, ['services', 'any-changed', 'matrix', 'migrate', 'migrate-services', 'result']),
    'manifest-environment': preflight.outputs['manifest-environment'] ?? '',
    'berth-repository': pipeline.berth.repository,
    'berth-sha': pipeline.berth.sha,
  });
  const changes = needs.changes.outputs;
  const anyChanged = changes['any-changed'] === 'true';

  // announce
  if (anyChanged && pipeline.slackApi.channel && secrets.SLACK_BOT_TOKEN) {
    stages.stage('announce', 'Announce');
    const step = await stages.step({
      job: 'Announce',
      action: 'notify',
      run,
      secrets: Object.values(secrets),
      inputs: { 'slack-bot-token': secrets.SLACK_BOT_TOKEN, 'slack-channel': pipeline.slackApi.channel, status: 'started', environment: ENVIRONMENT, changes: changes.result! },
      demoInputs: { 'slack-api-url': pipeline.slackApi.url },
    });
    needs.announce = jobOf([step], pick(step.outputs, ['ts', 'channel']));
  } else {
    needs.announce = SKIPPED;
  }

  // build: one job per changed service
  if (anyChanged) {
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
  }

  // migrate: one service at a time, stopping at the first failure
  if (changes.migrate === 'true' && needs.changes.result === 'success' && needs.build.result === 'success') {
    const steps: StepResult[] = [];
    for (const service of JSON.parse(changes['migrate-services']!) as string[]) {
      stages.stage('migrate', `Migrate ${service}`);
      const step = await stages.step({
        job: `Migrate ${service}`,
        action: 'migrate',
        run,
        idToken: true,
        // No promoted image after a build: migrate runs the commit's tag.
        inputs: { service, manifest: MANIFEST, 'manifest-environment': changes['manifest-environment']!, image: '', ...AWS_INPUTS },
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
  if (anyChanged && needs.build.result === 'success' && (needs.migrate.result === 'success' || needs.migrate.result === 'skipped')) {
    const services = JSON.parse(changes.services!) as string[];
    stages.stage('deploy', 'Deploy');
    const health = pipeline.health.input(services);
    const step = await stages.step({
      job: 'Deploy',
      action: 'deploy-ecs',
      run,
      idToken: true,
      inputs: {
        services: services.join(','),
        manifest: MANIFEST,
        'manifest-environment': changes['manifest-environment']!,
        images: '',
        'image-tag': run.sha,
        'wait-timeout': '15m',
        rollback: 'true',
        'bake-wait': 'full',
        ...AWS_INPUTS,
      },
      demoInputs: { 'poll-interval': pipeline.pollInterval, ...(health ? { 'health-url': health } : {}) },
    });
    needs.deploy = jobOf([step], pick(step.outputs, ['result', 'outcome']));
  } else {
    needs.deploy = SKIPPED;
    if (anyChanged) stages.skip('Deploy', 'a build or the migration failed');
  }

  // notify: always, unless nothing changed
  if (changes['any-changed'] !== 'false' && changes['berth-sha']) {
    const reported = { needs: needsJson(needs), environment: ENVIRONMENT, changes: changes.result ?? '', migration: needs.migrate.outputs.result ?? '', deployment: needs.deploy.outputs.result ?? '' };
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
  return { workflow: 'deploy', sha: run.sha, needs, steps: stages.steps, durationMs: Date.now() - started };
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
  needs.berth = { result: preflight.conclusion === 'success' ? 'success' : 'failure', outputs: { repository: pipeline.berth.repository, sha: pipeline.berth.sha } };
  if (needs.berth.result !== 'success') return { workflow: 'rollback', sha: run.sha, needs, steps: stages.steps, durationMs: Date.now() - started };
  stages.stage('rollback', `Roll back ${request.services} to ${request.target}`);
  const health = pipeline.health.input(request.services.split(',').map((name) => name.trim()));
  const step = await stages.step({
    job: `Roll back ${request.services} to ${request.target}`,
    action: 'deploy-ecs',
    run,
    idToken: true,
    inputs: { services: request.services, manifest: MANIFEST, 'manifest-environment': preflight.outputs['manifest-environment'] ?? '', mode: 'rollback', 'rollback-to': request.target, 'wait-timeout': '15m', ...AWS_INPUTS },
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
  return { workflow: 'rollback', sha: run.sha, needs, steps: stages.steps, durationMs: Date.now() - started };
}
