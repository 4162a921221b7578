/**
 * Environments and promotion: the platform team gives the manifest a staging environment (the build
 * account) and a production one (an account of its own). A push is built once and deployed to
 * staging with staging's migration; production waits for its approval, then promotes the digests
 * staging runs (nothing built), runs its own migration and rolls out. A second push crash-loops in
 * staging, is rolled back there and never reaches production. Every fact checked is read from the
 * stand-ins: the simulator's task definitions and calls, ECR (moto).
 */
import { DescribeImagesCommand, ListImagesCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { forEnvironment } from '../shared/manifest/environments.js';
import { loadManifest } from '../shared/manifest/load.js';
import type { Manifest } from '../shared/manifest/types.js';
import type { EcsSimulator } from '../standins/ecs-simulator/index.js';
import { CURRENCY_MIGRATION, SIGNING_ERROR, type Push } from './history.js';
import { ACCOUNT, crashScenario, environmentSeed, executionRole, migrationScenario, prismaDeployLog, pullPolicy, recordImage } from './seed.js';
import { seconds } from './terminal.js';
import { deployWorkflow, type Pipeline, type WorkflowRun } from './workflows.js';

const STAGING = 'staging';
const PRODUCTION = 'production';

/** What the stand-ins say happened in one environment: read from the simulator and ECR, not from the actions. */
interface EnvironmentFacts {
  cluster: string;
  /** Each service's image in the task definition its ECS service runs, and that image's digest. */
  running: Record<string, { image: string; digest: string }>;
  /** Migration tasks started in the cluster (RunTask with the migration command). */
  migrations: number;
}

export interface PromotionFacts {
  /** The healthy push: staging, then production. */
  release: { sha: string; staging: EnvironmentFacts; production: EnvironmentFacts; imagesBefore: number; imagesAfterStaging: number; imagesAfterProduction: number };
  /** The push whose staging rollout failed. */
  failed: { sha: string; staging: EnvironmentFacts; production: EnvironmentFacts; productionRan: boolean };
  approvals: WorkflowRun['approvals'];
}

interface Options {
  prefix: string;
  region: string;
  expect: (condition: boolean, problem: string) => boolean;
}

export async function promotionReleases(pipeline: Pipeline, sim: EcsSimulator, options: Options): Promise<{ runs: WorkflowRun[]; facts: PromotionFacts }> {
  const { terminal, repo, ecr } = pipeline;
  const { paint } = terminal;
  const say = (text: string) => terminal.line(`  ${text}`);
  const { prefix, expect } = options;

  terminal.stage(prefix, 'Environments: staging on every push, production by promotion', 'built once, the same digests');
  const commit = await repo.addEnvironments();
  const manifest = await loadManifest('.github/services.yml', repo.dir);
  const staging = forEnvironment(manifest, STAGING);
  const production = forEnvironment(manifest, PRODUCTION);
  const productionAccount = production.environment!.account!;
  say(`${paint.yellow(commit.sha.slice(0, 7))} ${paint.bold(commit.message)}  ${paint.dim(`(${commit.author.name}; "[skip ci]": no workflow runs for it)`)}`);
  say(paint.dim('The manifest gains an environments section (committed in the demo repository; the actions read it from there):'));
  for (const environment of [staging, production]) {
    say(
      `  ${paint.bold(environment.environment!.name.padEnd(10))} account ${environment.environment!.account}  cluster ${environment.services[0]!.ecs.cluster}  role ${environment.role}  images: ${environment.environment!.images} from ${manifest.registry}`,
    );
  }
  say(paint.dim('The example calls deploy.yml twice per push (examples/monorepo/.github/workflows/deploy.yml): "staging" builds and deploys, then "production" (needs: staging) promotes.'));

  // What the platform team set up with the accounts: both clusters running the first release, and the pull permission.
  const release = repo.commits[0]!;
  const images: Record<string, { tag: string; digest: string }> = {};
  for (const service of manifest.services) images[service.name] = { tag: `${manifest.registry}/${service.repository}:${release.sha}`, digest: await recordImage(ecr, service.repository, release.sha) };
  sim.seed(environmentSeed(staging, ACCOUNT, Object.fromEntries(manifest.services.map((service) => [service.name, images[service.name]!.tag]))));
  sim.seed(environmentSeed(production, productionAccount, Object.fromEntries(manifest.services.map((service) => [service.name, `${manifest.registry}/${service.repository}@${images[service.name]!.digest}`]))));
  for (const service of manifest.services) {
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: service.repository, policyText: JSON.stringify(pullPolicy(productionAccount)) }));
  }
  pipeline.health.addEnvironment(STAGING, staging.services[0]!.ecs.cluster);
  pipeline.health.addEnvironment(PRODUCTION, production.services[0]!.ecs.cluster);
  say(paint.dim(`Both clusters run the first release (${release.sha.slice(0, 7)}); production by digest. The build repositories' policies let ${executionRole(productionAccount)} pull.`));
  say(paint.dim('The "production" GitHub environment has a required reviewer: its migrate and deploy jobs wait for an approval. The demo plays the reviewer.'));

  const runs: WorkflowRun[] = [];
  pipeline.protectedEnvironments = { names: [PRODUCTION], approver: 'sam-okafor' };

  // 1. A release with a migration: staging, then production.
  const push = await repo.currencyChange();
  const all = repo.migrations();
  sim.addScenarios(migrationScenario(prismaDeployLog(all, [CURRENCY_MIGRATION], options.region)));
  await showPush(pipeline, push, `${prefix}.1`, 'git push: an API change with a migration');
  const imagesBefore = await imageCount(pipeline, 'acme-api');
  const callerRun = pipeline.runIds();
  const callsBefore = sim.calls.length;
  const toStaging = await deployWorkflow(pipeline, push, `${prefix}.1`, { environment: STAGING, runId: callerRun });
  runs.push(toStaging);
  callerJobDone(pipeline, 'staging', toStaging);
  const imagesAfterStaging = await imageCount(pipeline, 'acme-api');
  const stagingOk = toStaging.needs.deploy?.result === 'success';
  expect(stagingOk, `promotion: the staging deploy of ${push.after.sha.slice(0, 7)} should succeed, its deploy job is ${toStaging.needs.deploy?.result ?? 'missing'}`);
  let toProduction: WorkflowRun | undefined;
  if (stagingOk) {
    terminal.line();
    say(paint.bold('production (needs: staging): deploy.yml with promote-from: staging'));
    toProduction = await deployWorkflow(pipeline, push, `${prefix}.2`, { environment: PRODUCTION, promoteFrom: STAGING, runId: callerRun });
    runs.push(toProduction);
    callerJobDone(pipeline, 'production', toProduction);
  }
  const imagesAfterProduction = await imageCount(pipeline, 'acme-api');
  const released = {
    sha: push.after.sha,
    staging: await environmentFacts(pipeline, sim, staging, callsBefore),
    production: await environmentFacts(pipeline, sim, production, callsBefore),
    imagesBefore,
    imagesAfterStaging,
    imagesAfterProduction,
  };
  showSameDigests(pipeline, released.staging, released.production, released.imagesAfterProduction - released.imagesAfterStaging);
  const promoted = toProduction?.steps.find((step) => step.action === 'promote');
  const built = toStaging.steps.filter((step) => step.action === 'build-push');
  if (promoted) {
    const buildMs = built.reduce((total, step) => total + step.durationMs, 0);
    terminal.line(
      `    ${paint.dim(`time the promotion added to production, before its migration and rollout: ${seconds(promoted.durationMs)} (the promote step), where staging's build step${built.length === 1 ? '' : 's'} took ${seconds(buildMs)}`)}`,
    );
  }

  // 2. A release that fails in staging never reaches production.
  const broken = await repo.signingChange();
  const brokenImage = `acme-issuer:${broken.after.sha}`;
  sim.addScenarios(crashScenario(brokenImage, 'issuer', SIGNING_ERROR));
  await showPush(pipeline, broken, `${prefix}.3`, 'git push: an issuer-portal change that crashes at start-up');
  say(paint.dim(`(The simulator runs ${brokenImage.slice(0, 20)}… as a container that exits 1 at start-up: ISSUER_SIGNING_KEY is not in its task definition.)`));
  const brokenCalls = sim.calls.length;
  const brokenStaging = await deployWorkflow(pipeline, broken, `${prefix}.3`, { environment: STAGING });
  runs.push(brokenStaging);
  callerJobDone(pipeline, 'staging', brokenStaging);
  const brokenOk = brokenStaging.needs.deploy?.result === 'success' && Object.values(brokenStaging.needs).every((job) => job.result !== 'failure');
  let productionRan = false;
  if (brokenOk) {
    productionRan = true;
    runs.push(await deployWorkflow(pipeline, broken, `${prefix}.4`, { environment: PRODUCTION, promoteFrom: STAGING }));
  } else {
    terminal.line();
    say(paint.yellow(paint.bold('○ production skipped: the job it needs, staging, failed. Nothing was promoted; production keeps running the release before.')));
  }
  const failed = {
    sha: broken.after.sha,
    staging: await environmentFacts(pipeline, sim, staging, brokenCalls),
    production: await environmentFacts(pipeline, sim, production, brokenCalls),
    productionRan,
  };
  pipeline.protectedEnvironments = undefined;
  const facts = { release: released, failed, approvals: runs.flatMap((run) => run.approvals) };
  checkPromotion(facts, expect);
  return { runs, facts };
}

async function showPush(pipeline: Pipeline, push: Push, number: string, title: string): Promise<void> {
  const { terminal, repo } = pipeline;
  const { paint } = terminal;
  terminal.stage(number, title);
  terminal.line(`  ${paint.yellow(push.after.sha.slice(0, 7))} ${paint.bold(push.after.message)}  ${paint.dim(`(${push.after.author.name}, pushed to main)`)}`);
  for (const line of await repo.diffStat(push.before.sha, push.after.sha)) terminal.line(`    ${paint.dim(line)}`);
  terminal.line();
  terminal.line(`  ${paint.bold('staging: deploy.yml with environment: staging')}`);
}

/** How a job of the caller's workflow ended: the called deploy.yml's jobs. */
function callerJobDone(pipeline: Pipeline, job: string, run: WorkflowRun): void {
  const { terminal } = pipeline;
  const { paint } = terminal;
  const failed = Object.values(run.needs).some((need) => need.result === 'failure');
  const outcome = run.needs.deploy?.outputs.outcome || (failed ? 'failed' : 'nothing deployed');
  const jobs = Object.entries(run.needs)
    .map(([name, need]) => `${name} ${need.result}`)
    .join(' · ');
  const colour = failed ? paint.red : paint.green;
  terminal.line();
  terminal.line(`  ${colour(paint.bold(`■ ${job} (deploy.yml, ${run.promoteFrom ? `promoted from ${run.promoteFrom}` : 'built'}) on ${run.sha.slice(0, 7)}: ${outcome}`))} ${paint.dim(`in ${seconds(run.durationMs)} (${jobs})`)}`);
}

async function imageCount(pipeline: Pipeline, repository: string): Promise<number> {
  const { imageIds } = await pipeline.ecr.send(new ListImagesCommand({ repositoryName: repository, maxResults: 1000 }));
  return new Set((imageIds ?? []).map((id) => id.imageDigest)).size;
}

/** What each service of `environment` runs, by digest (a tag asked of ECR, as ECS resolves it), and how many migrations ran there since `fromCall`. */
async function environmentFacts(pipeline: Pipeline, sim: EcsSimulator, environment: Manifest, fromCall: number): Promise<EnvironmentFacts> {
  const cluster = environment.services[0]!.ecs.cluster;
  const running: EnvironmentFacts['running'] = {};
  for (const service of environment.services) {
    const { taskDefinition } = sim.inspect(cluster, service.ecs.service);
    const containers = sim.model.taskDefinition(taskDefinition).body.containerDefinitions as { name: string; image: string }[];
    const image = containers.find((container) => container.name === service.ecs.container)!.image;
    const pinned = /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
    const tag = image.split(':').at(-1)!;
    const digest = pinned ?? (await pipeline.ecr.send(new DescribeImagesCommand({ repositoryName: service.repository, imageIds: [{ imageTag: tag }] }))).imageDetails?.[0]?.imageDigest ?? '';
    running[service.name] = { image, digest };
  }
  const migrations = sim.calls.slice(fromCall).filter((call) => call.operation === 'RunTask' && !call.error && call.input.cluster === cluster && /migrate/.test(JSON.stringify(call.input.overrides ?? {}))).length;
  return { cluster, running, migrations };
}

function showSameDigests(pipeline: Pipeline, staging: EnvironmentFacts, production: EnvironmentFacts, rebuilt: number): void {
  const { terminal } = pipeline;
  const { paint } = terminal;
  terminal.line();
  terminal.line(`  ${paint.bold('What each environment runs now (read from the ECS simulator; a tag resolved by ECR):')}`);
  const rows = Object.keys(staging.running).map((service) => {
    const a = staging.running[service]!;
    const b = production.running[service];
    return [service, `${staging.cluster}: ${a.digest.slice(0, 19)}…`, `${production.cluster}: ${b?.digest.slice(0, 19) ?? '-'}…`, b?.digest === a.digest ? paint.green('identical') : paint.red('different')];
  });
  terminal.table(['service', 'staging', 'production', 'digests'], rows, '    ');
  terminal.line(`    ${paint.dim(`migrations: ${staging.cluster} ${staging.migrations}, ${production.cluster} ${production.migrations} · images added to ECR by the production run: ${rebuilt}`)}`);
}

function checkPromotion(facts: PromotionFacts, expect: Options['expect']): void {
  const { release, failed } = facts;
  for (const [service, running] of Object.entries(release.staging.running)) {
    const promoted = release.production.running[service];
    expect(/^sha256:[0-9a-f]{64}$/.test(running.digest) && promoted?.digest === running.digest, `promotion: production should run ${service} at staging's digest ${running.digest}, it runs ${promoted?.digest ?? 'nothing'}`);
    expect(promoted?.image.includes('@sha256:') === true, `promotion: production's ${service} task definition should name its image by digest, it names ${promoted?.image ?? 'nothing'}`);
  }
  expect(release.imagesAfterStaging === release.imagesBefore + 1, `promotion: the staging run should add one image to ECR, it added ${release.imagesAfterStaging - release.imagesBefore}`);
  expect(release.imagesAfterProduction === release.imagesAfterStaging, `promotion: the production run should build nothing, ECR gained ${release.imagesAfterProduction - release.imagesAfterStaging} image(s)`);
  expect(
    release.staging.migrations === 1 && release.production.migrations === 1,
    `promotion: the migration should run once per environment, it ran ${release.staging.migrations} time(s) in staging and ${release.production.migrations} in production`,
  );
  expect(facts.approvals.length > 0 && facts.approvals.every((approval) => approval.environment === 'production'), 'promotion: the production jobs should wait for an approval, and only they');
  expect(!failed.productionRan, 'promotion: a failed staging rollout should stop the promotion, production ran');
  expect(failed.staging.running.issuer?.digest === release.staging.running.issuer?.digest, 'promotion: staging should be rolled back to the issuer release it ran before');
  expect(
    Object.entries(failed.production.running).every(([service, running]) => running.digest === release.production.running[service]?.digest),
    'promotion: production should keep running the release before the failed one',
  );
}
