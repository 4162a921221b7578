/**
 * The demo from start to end: stand-ins up, the AWS account seeded, the example's history built,
 * two pushes through deploy.yml (a healthy release with a migration, then a broken one that is
 * rolled back), a manual rollback through rollback.yml, blue/green and canary releases, then
 * environments: a push deployed to staging and promoted to production by digest after an approval,
 * and a push that fails in staging and never reaches production; and a closing table. Everything started
 * is stopped, and every temporary folder removed, however it ends.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { loadManifest } from '../shared/manifest/load.js';
import { startEcsSimulator } from '../standins/ecs-simulator/index.js';
import { startOidcServer } from '../standins/oidc-server.js';
import { REPO_ROOT } from '../standins/run-action.js';
import { startSlackServer } from '../standins/slack-server.js';
import { Cleanup, MissingComponent, missingForBuilds, startBuilds, startMoto, type Builds } from './components.js';
import { startHealthStandIn } from './health.js';
import { DemoRepository, EXAMPLE, FEATURED_MIGRATION, KYC_ERROR, REPOSITORY, type Push } from './history.js';
import { Runner, StepsStopped } from './runner.js';
import { ACCOUNT, awsClients, crashScenario, ecsSeed, migrationScenario, prismaDeployLog, seedAccount } from './seed.js';
import { SlackFeed } from './slack.js';
import { Terminal, formatTable, seconds } from './terminal.js';
import { deployWorkflow, rollbackWorkflow, type Pipeline, type WorkflowRun } from './workflows.js';
import { strategyReleases } from './strategies.js';
import { promotionReleases, type PromotionFacts } from './promotion.js';

const exec = promisify(execFile);

/** Simulated ECS time runs this many times faster than real time. */
const SPEED = 30;
/** deploy-ecs polls every 10 s of simulated time; the same in real time at SPEED. */
const POLL_INTERVAL = '333ms';
const MIGRATE_POLL_INTERVAL = '200ms';

export interface DemoOptions {
  write: (text: string) => void;
  colour: boolean;
  width?: number;
  /** false: never build, even when Docker is installed (the already-built path). */
  docker: boolean;
  /** Called once the demo can be cancelled: the function stops it. */
  onCancellable?: (cancel: () => void) => void;
}

export interface DemoReport {
  ok: boolean;
  /** What did not happen as the story says, or what went wrong. */
  problems: string[];
  transcript: string[];
  runs: WorkflowRun[];
  slack: SlackFeed['events'];
  /** Every secret value the run handled: none may appear in the transcript. */
  secrets: string[];
  builtWithDocker: boolean;
  /** What the stand-ins say the promotion chapter did. */
  promotion?: PromotionFacts;
  durationMs: number;
}

interface DeployedService {
  service: string;
  image: string;
  revision: number | null;
  outcome: string;
  durationSeconds: number;
  reason: string;
  rolledBackTo: string;
}

const deployment = (run: WorkflowRun | undefined, job = 'deploy'): { outcome: string; services: DeployedService[] } | undefined => {
  const text = run?.needs[job]?.outputs.result;
  return text ? JSON.parse(text) : undefined;
};

export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const started = Date.now();
  const terminal = new Terminal({ write: options.write, colour: options.colour, width: options.width });
  const { paint } = terminal;
  const cleanup = new Cleanup();
  const problems: string[] = [];
  const runs: WorkflowRun[] = [];
  const secrets: string[] = [];
  let runner: Runner | undefined;
  let slack: SlackFeed | undefined;
  let builds: Builds | undefined;
  let promotion: PromotionFacts | undefined;
  let cancelled = false;
  let stopped = false;
  options.onCancellable?.(() => {
    cancelled = true;
    runner?.stopAll();
  });
  const expect = (condition: boolean, problem: string) => {
    if (!condition) problems.push(problem);
    return condition;
  };
  const say = (text: string) => terminal.line(`  ${text}`);

  terminal.line(paint.bold('Berth demo: the example monorepo shipped to ECS by the five actions, on this machine, with no AWS account'));
  terminal.line(paint.dim(`Every step runs an action's dist/index.js as a GitHub runner would, wired as .github/workflows/deploy.yml wires them. ECS time runs ${SPEED}× faster.`));
  try {
    // 1. Stand-ins
    terminal.stage('1', 'Local stand-ins');
    const tempRoot = mkdtempSync(join(tmpdir(), 'berth-demo-'));
    cleanup.add('temporary folders', () => rmSync(tempRoot, { recursive: true, force: true }));
    const manifest = await loadManifest('.github/services.yml', EXAMPLE);
    const region = manifest.region!;

    const moto = await startMoto(cleanup);
    say(`${paint.green('✓')} moto (AWS: STS, ECR, CloudWatch Logs)        ${moto.url}  pid ${moto.pid}`);
    const oidc = await startOidcServer({
      claims: {
        sub: `repo:${REPOSITORY}:environment:production`,
        repository: REPOSITORY,
        repository_owner: REPOSITORY.split('/')[0],
        environment: 'production',
        job_workflow_ref: 'berth-actions/berth/.github/workflows/deploy.yml@refs/heads/main',
      },
    });
    cleanup.add('OIDC endpoint', () => oidc.close());
    say(`${paint.green('✓')} GitHub's OIDC token endpoint                 ${oidc.url.replace(/\?.*/, '')}`);
    const sim = await startEcsSimulator({ speed: SPEED, motoUrl: moto.url, region, account: ACCOUNT });
    cleanup.add('ECS simulator', () => sim.close());
    say(`${paint.green('✓')} ECS rollout simulator (tasks, rollouts, history) ${sim.url}  ${SPEED}× time`);
    const slackServer = await startSlackServer({ channels: [{ id: 'C0DEPLOYS01', name: 'deploys' }] });
    cleanup.add('Slack stand-in', () => slackServer.close());
    say(`${paint.green('✓')} Slack (Web API and an incoming webhook)       ${slackServer.url}  #deploys`);
    const health = await startHealthStandIn(manifest, sim);
    cleanup.add('health stand-in', () => health.close());
    say(
      `${paint.green('✓')} the services' health URLs                    ${health.url}  (for ${manifest.services
        .filter((service) => service.health)
        .map((service) => service.health)
        .join(', ')})`,
    );

    const aws = awsClients(moto.url, region);
    cleanup.add('AWS clients', () => {
      aws.ecr.destroy();
      aws.logs.destroy();
    });
    let noBuildReason = 'builds are off (--no-docker)';
    if (options.docker) {
      const missing = await missingForBuilds();
      if (missing.length === 0) {
        const token = (await aws.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0]?.authorizationToken ?? '';
        const password = Buffer.from(token, 'base64').toString('utf8').split(':')[1] ?? '';
        secrets.push(token, password);
        try {
          builds = await startBuilds(cleanup, password);
          say(`${paint.green('✓')} Docker engine (private, buildx)              ${builds.docker.host}`);
          say(`${paint.green('✓')} registry (ECR's login: user AWS, moto's password) ${builds.registry.host}`);
        } catch (error) {
          noBuildReason = 'Docker could not start';
          say(`${paint.yellow('!')} Docker could not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
          say(paint.yellow('  Builds take build-push\'s "already built" path instead (below).'));
        }
      } else {
        noBuildReason = `${missing[0]!.what} is not installed`;
        say(`${paint.yellow('!')} No real builds: ${missing.map((item) => item.what).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. To build for real, install:`);
        for (const item of missing) say(paint.yellow(`    ${item.what}: ${item.install}`));
        say(paint.yellow('  Meanwhile each commit\'s image is put into ECR (moto) first, and build-push takes its real "already built" path.'));
      }
    } else {
      say(paint.yellow('! Builds off (--no-docker): each commit\'s image is put into ECR (moto) first, and build-push takes its real "already built" path.'));
    }

    // 2. The repository and the account
    terminal.stage('2', 'The example repository and the AWS account it deploys to');
    const repo = await DemoRepository.create(join(tempRoot, 'acme-platform'));
    const release = repo.head;
    say(`${paint.bold(REPOSITORY)}: examples/monorepo copied to a temporary folder, git init, first commit = the release running in production:`);
    say(`  ${paint.yellow(release.sha.slice(0, 7))} ${release.message}  ${paint.dim(`(${release.author.name})`)}`);
    await seedAccount(aws, manifest);
    const seeded = sim.seed(ecsSeed(manifest, release.sha));
    terminal.line();
    say(`Region ${region}, account ${ACCOUNT}, cluster ${manifest.services[0]!.ecs.cluster}; deploys assume ${manifest.role} with GitHub OIDC.`);
    terminal.table(
      ['service', 'ECR repository', 'ECS service', 'container', 'running now', 'tasks'],
      manifest.services.map((service) => {
        const running = sim.inspect(service.ecs.cluster, service.ecs.service);
        return [service.name, service.repository, service.ecs.service, service.ecs.container, `${running.taskDefinition.split('/').at(-1)} (${release.sha.slice(0, 7)})`, `${running.desiredCount}`];
      }),
      '    ',
    );
    say(paint.dim(`${seeded.taskDefinitionArns.length} task-definition revisions registered; each service's deployment history holds its last two good releases.`));

    runner = new Runner({
      terminal,
      tempRoot,
      env: { AWS_ENDPOINT_URL: moto.url, ...sim.env(), AWS_EC2_METADATA_DISABLED: 'true' },
      oidcEnv: oidc.env(),
    });
    if (cancelled) runner.stopAll();
    slack = new SlackFeed(slackServer, terminal, runner.masker);
    secrets.push(slackServer.token, slackServer.webhookUrl, ...slackServer.secrets, oidc.requestToken);
    let runId = 14_203_377_000;
    const pipeline: Pipeline = {
      terminal,
      runner,
      manifest,
      repo,
      slack,
      health,
      builds,
      ecr: aws.ecr,
      noBuildReason,
      dockerfiles: Object.fromEntries(manifest.services.map((service) => [service.name, demoDockerfile(service.build.dockerfile)])),
      slackApi: { url: slackServer.apiUrl, channel: 'C0DEPLOYS01' },
      secrets: { deploy: { SLACK_BOT_TOKEN: slackServer.token }, rollback: { SLACK_WEBHOOK_URL: slackServer.webhookUrl } },
      berth: { repository: 'berth-actions/berth', sha: (await exec('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT }).catch(() => ({ stdout: 'local' }))).stdout.trim() },
      pollInterval: POLL_INTERVAL,
      migratePollInterval: MIGRATE_POLL_INTERVAL,
      runIds: () => String((runId += 1_311)),
    };
    explainWiring(terminal, pipeline);

    // 3. A healthy push: API route and migration, admin toggle
    const healthy = await repo.healthyChange();
    const all = repo.migrations();
    sim.addScenarios(
      migrationScenario(
        prismaDeployLog(
          all,
          all.filter((name) => name === FEATURED_MIGRATION),
          region,
        ),
      ),
    );
    await showPush(terminal, repo, healthy, '3', 'git push: a release with a database migration');
    const first = await deployWorkflow(pipeline, healthy, '3');
    runs.push(first);
    workflowDone(terminal, first);
    checkHealthyRun(first, expect, slack);

    // 4. A broken push: the investor portal crash-loops and is rolled back
    const broken = await repo.brokenChange();
    const brokenImage = `${manifest.services.find((service) => service.name === 'investor')!.repository}:${broken.after.sha}`;
    sim.addScenarios(crashScenario(brokenImage, 'investor', KYC_ERROR));
    await showPush(terminal, repo, broken, '4', 'git push: a broken release');
    say(paint.dim(`(The simulator runs ${brokenImage.slice(0, 22)}… as a container that exits 1 at start-up: instrumentation.ts throws without KYC_API_URL.)`));
    const second = await deployWorkflow(pipeline, broken, '4');
    runs.push(second);
    workflowDone(terminal, second);
    checkBrokenRun(second, expect, slack);

    // 5. A manual rollback through rollback.yml
    terminal.stage('5', 'workflow_dispatch: rollback.yml', 'by hand, nothing rebuilt');
    say('The banner should not have reached the landing and admin portals either: put both back on the release each ran before.');
    say(paint.dim("\"previous\" is each service's own last revision that ran successfully, from ECS's deployment history: landing goes back to the first release, admin to push 3's."));
    const manual = await rollbackWorkflow(pipeline, { services: 'landing,admin', target: 'previous', actor: 'sam-okafor' }, '5');
    runs.push(manual);
    workflowDone(terminal, manual);
    checkManualRollback(manual, expect, slack);

    // 6. Blue/green and canary
    await strategyReleases(pipeline, sim, { prefix: '6', region, account: ACCOUNT, expect });

    // 7. Environments: staging, then production by promotion
    const promoted = await promotionReleases(pipeline, sim, { prefix: '7', region, expect });
    runs.push(...promoted.runs);
    promotion = promoted.facts;

    // 8. The end
    terminal.stage('8', 'Summary', seconds(Date.now() - started));
    finalTable(terminal, runs);
    secrets.push(...oidc.issued, ...runner.masker.registered());
    const leaked = secrets.filter((secret) => secret.length >= 6 && terminal.transcript.some((line) => line.includes(secret)));
    expect(leaked.length === 0, `${leaked.length} secret value(s) appeared unmasked in the output`);
    terminal.line();
    say(
      `Secrets: ${runner.masker.registered().length} values masked (OIDC tokens, STS credentials, ${builds ? 'the ECR login, ' : ''}the Slack token and webhook URL); ` +
        `${leaked.length === 0 ? 'none appears in this output' : paint.red(`${leaked.length} appeared unmasked`)}${runner.masker.replaced ? ` (${runner.masker.replaced} occurrences replaced by ***)` : ''}.`,
    );
    say(
      `Images: ${builds ? `built with Docker (FROM scratch stand-ins for the example's Dockerfiles: demo/docker/) and pushed to ${builds.registry.host}` : 'not built here (no Docker): build-push found each commit in ECR and built nothing'}.`,
    );
    say(`Slack: ${slack.events.length} messages and updates in #deploys.`);
  } catch (error) {
    stopped = cancelled || error instanceof StepsStopped;
    problems.push(stopped ? 'The demo was stopped before its end.' : describeError(error));
  } finally {
    runner?.stopAll();
    const leftovers = await cleanup.run();
    problems.push(...leftovers.map((what) => `Could not stop ${what}`));
  }
  const durationMs = Date.now() - started;
  terminal.line();
  if (stopped) {
    terminal.line(paint.yellow(paint.bold(`■ Stopped after ${seconds(durationMs)}; every stand-in it started was stopped and its temporary folders removed.`)));
  } else if (problems.length === 0) {
    terminal.line(
      paint.green(
        paint.bold(
          `✓ The demo ran as designed in ${seconds(durationMs)}: a release with a migration deployed, a broken release caught and rolled back, a manual rollback, a blue/green release, a canary caught in bake time, and a release promoted from staging to production by digest while a failing one stopped at staging.`,
        ),
      ),
    );
  } else {
    terminal.line(paint.red(paint.bold(`✗ The demo did not go as designed (${seconds(durationMs)}):`)));
    for (const problem of problems) terminal.line(paint.red(`  - ${problem}`));
  }
  return { ok: problems.length === 0, problems, transcript: terminal.transcript, runs, slack: slack?.events ?? [], secrets, builtWithDocker: builds !== undefined, promotion, durationMs };
}

function describeError(error: unknown): string {
  if (error instanceof MissingComponent) return `${error.message} Install it with: ${error.install}`;
  return error instanceof Error ? error.message : String(error);
}

function demoDockerfile(dockerfile: string): string {
  return fileURLToPath(new URL(`./docker/${basename(dockerfile)}`, import.meta.url));
}

function explainWiring(terminal: Terminal, pipeline: Pipeline): void {
  const { paint } = terminal;
  terminal.line();
  terminal.line(`  ${paint.bold('How the runs are wired')}`);
  for (const line of [
    'Each job below is a job of deploy.yml (or rollback.yml), in its order and under its conditions; its action step gets the inputs the workflow gives it',
    'and outputs of earlier jobs (the changes matrix, migrate-services, services joined with commas, image-tag = the commit, needs as JSON).',
    `Jobs with "id-token: write" get the OIDC endpoint; every action assumes ${pipeline.manifest.role} through moto's STS.`,
    'Only what the stand-ins need is added, shown as "demo adds": short poll intervals (ECS time is faster), the local health URLs,',
    `the Slack API URL, and ${pipeline.builds ? 'the local registry and the FROM scratch Dockerfiles for build-push' : 'nothing for build-push'}.`,
    'The simulator never pulls an image: task definitions name the ECR image of each commit, as in production.',
    `ECS's own timestamps are simulated (${SPEED}× faster): durations an action reads from them, such as a task's run time, are in simulated time.`,
    'Slack: deploy.yml runs with SLACK_BOT_TOKEN (a message when a deploy starts, updated in place at the end); rollback.yml with SLACK_WEBHOOK_URL.',
  ]) {
    terminal.line(`  ${paint.dim(line)}`);
  }
}

async function showPush(terminal: Terminal, repo: DemoRepository, push: Push, number: string, title: string): Promise<void> {
  const { paint } = terminal;
  terminal.stage(number, title);
  terminal.line(`  ${paint.yellow(push.after.sha.slice(0, 7))} ${paint.bold(push.after.message)}  ${paint.dim(`(${push.after.author.name}, pushed to main)`)}`);
  for (const line of await repo.diffStat(push.before.sha, push.after.sha)) terminal.line(`    ${paint.dim(line)}`);
}

type Expect = (condition: boolean, problem: string) => boolean;

const servicesOf = (run: WorkflowRun) => (JSON.parse(run.needs.changes?.outputs.services || '[]') as string[]).sort();

function slackSaid(slack: SlackFeed, from: number, words: RegExp): boolean {
  return slack.events.slice(from).some((event) => words.test(event.text));
}

function checkHealthyRun(run: WorkflowRun, expect: Expect, slack: SlackFeed): void {
  expect(servicesOf(run).join(',') === 'admin,api', `push 3: changes should find admin and api, found ${servicesOf(run).join(', ') || 'none'}`);
  expect(run.needs.build?.result === 'success', 'push 3: a build failed');
  const migration = run.needs.migrate?.outputs.result ? (JSON.parse(run.needs.migrate.outputs.result) as { status: string }) : undefined;
  expect(migration?.status === 'succeeded', `push 3: the migration should succeed, it ${migration?.status ?? 'did not run'}`);
  const result = deployment(run);
  expect(result?.outcome === 'deployed', `push 3: the deploy should succeed, its outcome is ${result?.outcome ?? 'missing'}`);
  expect(slackSaid(slack, 0, /succeeded|deployed/i), 'push 3: no Slack message said the deploy succeeded');
}

function checkBrokenRun(run: WorkflowRun, expect: Expect, slack: SlackFeed): void {
  expect(servicesOf(run).join(',') === 'admin,investor,issuer,landing', `push 4: changes should find the four portals, found ${servicesOf(run).join(', ') || 'none'}`);
  const result = deployment(run);
  expect(result?.outcome === 'rolled-back', `push 4: the broken release should be rolled back, the deploy's outcome is ${result?.outcome ?? 'missing'}`);
  const investor = result?.services.find((service) => service.service === 'investor');
  expect(investor?.outcome === 'rolled-back', `push 4: investor should be rolled back, it is ${investor?.outcome ?? 'missing'}`);
  for (const service of result?.services.filter((service) => service.service !== 'investor') ?? []) {
    expect(service.outcome === 'deployed', `push 4: ${service.service} should deploy, it is ${service.outcome}`);
  }
  expect(slackSaid(slack, 0, /rolled back/i), 'push 4: no Slack message said "rolled back"');
}

function checkManualRollback(run: WorkflowRun, expect: Expect, slack: SlackFeed): void {
  const result = deployment(run, 'rollback');
  expect(result?.outcome === 'deployed', `manual rollback: its outcome should be deployed, it is ${result?.outcome ?? 'missing'}`);
  expect(
    slack.events.some((event) => event.via === 'webhook' && /Rollback of landing,admin/.test(event.text)),
    'manual rollback: no Slack message arrived through the webhook',
  );
}

/** The run's closing line: its jobs' results and how long it took. */
function workflowDone(terminal: Terminal, run: WorkflowRun): void {
  const { paint } = terminal;
  const outcome = deployment(run, run.workflow === 'rollback' ? 'rollback' : 'deploy')?.outcome ?? 'nothing deployed';
  const jobs = Object.entries(run.needs)
    .map(([name, job]) => `${name} ${job.result}`)
    .join(' · ');
  const colour = outcome === 'deployed' ? paint.green : outcome === 'rolled-back' ? paint.yellow : paint.red;
  terminal.line();
  terminal.line(`  ${colour(paint.bold(`■ ${run.workflow}.yml on ${run.sha.slice(0, 7)}: ${outcome}`))} ${paint.dim(`in ${seconds(run.durationMs)} (${jobs})`)}`);
}

function finalTable(terminal: Terminal, runs: WorkflowRun[]): void {
  const rows: string[][] = [];
  for (const run of runs) {
    const result = deployment(run, run.workflow === 'rollback' ? 'rollback' : 'deploy');
    for (const service of result?.services ?? []) {
      const digest = service.image.split('@')[1];
      const tag = service.image.split(':').at(-1) ?? '';
      const shown = digest ? `@${digest.slice(0, 19)}…` : tag.length === 40 ? tag.slice(0, 7) : tag;
      const rolledBack = service.rolledBackTo ? ` → ${service.rolledBackTo.split(':').at(-1)}` : '';
      rows.push([`${run.workflow}.yml`, run.environment, run.sha.slice(0, 7), service.service, shown, `${service.revision ?? '-'}${rolledBack}`, service.outcome, `${service.durationSeconds} s`]);
    }
  }
  for (const line of formatTable(['workflow', 'environment', 'commit', 'service', 'image', 'revision', 'outcome', 'rollout'], rows, terminal.paint.bold)) terminal.line(`    ${line}`);
}
