/**
 * `npm run demo` as a newcomer runs it: the example's pipeline against moto, the ECS simulator, a
 * real Docker engine and registry, and the Slack receiver. The story must happen as told, in the
 * order the workflows promise, without one secret in the output.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runDemo, type DemoReport } from '../../demo/story.js';
import { REPO_ROOT } from '../../standins/run-action.js';

async function demo(docker: boolean): Promise<{ report: DemoReport; text: string }> {
  const report = await runDemo({ write: () => {}, colour: false, width: 100, docker });
  return { report, text: report.transcript.join('\n') };
}

/** The `with:` keys of every step of a workflow that runs the given Berth action. */
function workflowInputs(workflow: string, action: string): string[][] {
  const { jobs } = parse(readFileSync(join(REPO_ROOT, '.github/workflows', `${workflow}.yml`), 'utf8')) as { jobs: Record<string, { steps?: { uses?: string; with?: Record<string, unknown> }[] }> };
  return Object.values(jobs)
    .flatMap((job) => job.steps ?? [])
    .filter((step) => step.uses === `./.berth/actions/${action}`)
    .map((step) => Object.keys(step.with ?? {}).sort());
}

/** Each step the demo ran gets exactly the inputs a step of its workflow gives that action. */
function expectWiredAsWorkflows(report: DemoReport): void {
  for (const run of report.runs) {
    for (const step of run.steps) {
      const given = Object.keys(step.inputs).sort().join(',');
      const declared = workflowInputs(run.workflow, step.action).map((keys) => keys.join(','));
      expect({ workflow: run.workflow, job: step.job, given, matches: declared.includes(given) }).toEqual({ workflow: run.workflow, job: step.job, given, matches: true });
    }
  }
}

/** The promotion chapter, from what the stand-ins held: ECS task definitions, ECR images, RunTask calls. */
function expectPromotion(report: DemoReport): void {
  const facts = report.promotion!;
  expect(facts).toBeDefined();
  const { release, failed } = facts;
  // Production runs byte-identical digests to staging's, every service, pinned by digest.
  const services = Object.keys(release.staging.running).sort();
  expect(services).toEqual(['admin', 'api', 'investor', 'issuer', 'landing']);
  for (const service of services) {
    expect(release.staging.running[service]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(release.production.running[service]).toEqual({ image: expect.stringContaining(`@${release.staging.running[service]!.digest}`), digest: release.staging.running[service]!.digest });
  }
  expect(release.staging.running.api!.image).toMatch(new RegExp(`:${release.sha}$`));
  // Built once: the staging run pushed one image, the production run none.
  expect([release.imagesAfterStaging - release.imagesBefore, release.imagesAfterProduction - release.imagesAfterStaging]).toEqual([1, 0]);
  // One migration per environment, each in its own cluster.
  expect([release.staging.migrations, release.production.migrations]).toEqual([1, 1]);
  expect(facts.approvals.map((approval) => `${approval.job}@${approval.environment}`)).toEqual(['Migrate api@production', 'Deploy@production']);

  const [toStaging, toProduction, brokenStaging, ...more] = report.runs.filter((run) => run.manifestEnvironment !== '');
  expect(more).toEqual([]);
  expect([toStaging!.manifestEnvironment, toProduction!.manifestEnvironment, brokenStaging!.manifestEnvironment]).toEqual(['staging', 'production', 'staging']);
  expect(toStaging!.steps.filter((step) => step.action === 'build-push').length).toBe(1);
  expect(toProduction!.promoteFrom).toBe('staging');
  expect(toProduction!.steps.map((step) => step.action)).not.toContain('build-push');
  expect(toProduction!.needs.build!.result).toBe('skipped');
  expect(JSON.parse(toProduction!.needs.changes!.outputs.images!)).toEqual({ api: release.production.running.api!.image });

  // The failed staging rollout stopped the promotion: production still runs the release, staging went back to it.
  expect(brokenStaging!.needs.deploy!.result).toBe('failure');
  expect(failed.productionRan).toBe(false);
  expect([failed.staging.migrations, failed.production.migrations]).toEqual([0, 0]);
  expect(failed.production.running).toEqual(release.production.running);
  expect(failed.staging.running.issuer!.digest).toBe(release.staging.running.issuer!.digest);
}

function leakedSecrets(report: DemoReport): string[] {
  return report.secrets.filter((secret) => secret.length >= 6 && report.transcript.some((line) => line.includes(secret)));
}

/** Index of the first line matching, from `from` on; -1 when absent. */
function lineIndex(lines: string[], pattern: RegExp, from = 0): number {
  const at = lines.slice(from).findIndex((line) => pattern.test(line));
  return at === -1 ? -1 : at + from;
}

describe('npm run demo', () => {
  it('ships a release with a migration, catches and rolls back a broken one, and rolls back by hand, building images for real', async () => {
    const { report, text } = await demo(true);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.builtWithDocker).toBe(true);
    expectWiredAsWorkflows(report);

    const lines = report.transcript;
    // Push 3: admin and api changed, the api image is built and pushed, the migration runs before any service is updated.
    expect(text).toMatch(/Changed services: 2 of 5 \(admin, api\)/);
    expect(text).toMatch(/Pushed 127\.0\.0\.1:\d+\/acme-api@sha256:[0-9a-f]{64}/);
    const migrated = lineIndex(lines, /Applying migration `20260302101500_add_offer_featured`/);
    const firstUpdate = lineIndex(lines, /▸ Update services/);
    expect(migrated).toBeGreaterThan(-1);
    expect(firstUpdate).toBeGreaterThan(migrated);

    // Push 4: the shared UI package marks every portal; the investor portal crash-loops and goes back.
    expect(text).toMatch(/landing +yes +depends on @acme\/ui, which changed/);
    expect(text).toMatch(/KYC_API_URL is not set/);
    expect(text).toMatch(/\[investor\] rolling back to acme-investor:10/);
    expect(text).toMatch(/\[investor rollback\] acme-investor:10 runs again/);

    const deploys = report.runs.map((run) => `${run.workflow}:${JSON.parse(run.needs[run.workflow === 'deploy' ? 'deploy' : 'rollback']!.outputs.result!).outcome}`);
    expect(deploys).toEqual(['deploy:deployed', 'deploy:rolled-back', 'rollback:deployed', 'deploy:deployed', 'deploy:deployed', 'deploy:rolled-back']);
    expect(report.runs[1]!.needs.migrate!.result).toBe('skipped');

    // Slack: each deploy announced then updated in place; the manual rollback through the webhook.
    expect(report.slack.map((event) => `${event.via}:${event.event}`)).toEqual([
      'bot:posted',
      'bot:updated',
      'bot:posted',
      'bot:updated',
      'webhook:posted',
      // staging, production, and the staging run that failed: one message each, updated in place
      ...['bot:posted', 'bot:updated', 'bot:posted', 'bot:updated', 'bot:posted', 'bot:updated'],
    ]);
    expect(report.slack[3]!.text).toMatch(/investor rolled back to rev 10/);

    expect(leakedSecrets(report)).toEqual([]);
    expect(report.secrets.length).toBeGreaterThan(10);
    expect(text).toMatch(/\[landing\] BAKE_TIME \(baking: both revisions running, production on the new one\), production 100%, test 100% on the new revision/);
    expect(text).toMatch(/\[investor\] PRODUCTION_TRAFFIC_SHIFT \(moving production traffic to the new revision\), production 20%/);
    expect(text).toMatch(/\[investor\] FAILED: \d tasks of the new deployment failed \(latest: exit code 137/);
    expect(text).toMatch(/FATAL ERROR: Reached heap limit/);
    expect(text).toMatch(/\[investor rollback\] rolling back: PRODUCTION_TRAFFIC_SHIFT \(moving production traffic back to the old revision\), production 0%/);
    expect(text).toMatch(/\[investor rollback\] acme-investor:10 runs again/);
    expectPromotion(report);
    expect(text).toMatch(/Migrate api is waiting for review: the "production" environment requires an approval/);
    expect(text).toMatch(/production skipped: the job it needs, staging, failed/);
    expect(lines.at(-1)).toMatch(/^✓ The demo ran as designed/);
  }, 240_000);

  it('without Docker, build-push finds each commit already in ECR and the story is the same', async () => {
    const { report, text } = await demo(false);
    expect(report.problems).toEqual([]);
    expect(report.builtWithDocker).toBe(false);
    expect(text).toMatch(/Builds off \(--no-docker\)/);
    expect(text).not.toMatch(/docker buildx build/);
    expect(text).toMatch(/Skipped the build: ECR already has the image of commit [0-9a-f]{40} \(acme-investor@sha256:/);
    expect(report.runs.map((run) => run.needs[run.workflow === 'deploy' ? 'deploy' : 'rollback']!.result)).toEqual(['success', 'failure', 'success', 'success', 'success', 'failure']);
    expectWiredAsWorkflows(report);
    expectPromotion(report);
    expect(leakedSecrets(report)).toEqual([]);
  }, 240_000);
});
