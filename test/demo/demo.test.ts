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
    expect(deploys).toEqual(['deploy:deployed', 'deploy:rolled-back', 'rollback:deployed']);
    expect(report.runs[1]!.needs.migrate!.result).toBe('skipped');

    // Slack: each deploy announced then updated in place; the manual rollback through the webhook.
    expect(report.slack.map((event) => `${event.via}:${event.event}`)).toEqual(['bot:posted', 'bot:updated', 'bot:posted', 'bot:updated', 'webhook:posted']);
    expect(report.slack[3]!.text).toMatch(/investor rolled back to rev 10/);

    expect(leakedSecrets(report)).toEqual([]);
    expect(report.secrets.length).toBeGreaterThan(10);
    expect(text).toMatch(/\[landing\] BAKE_TIME \(baking: both revisions running, production on the new one\), production 100%, test 100% on the new revision/);
    expect(text).toMatch(/\[investor\] PRODUCTION_TRAFFIC_SHIFT \(moving production traffic to the new revision\), production 20%/);
    expect(text).toMatch(/\[investor\] FAILED: \d tasks of the new deployment failed \(latest: exit code 137/);
    expect(text).toMatch(/FATAL ERROR: Reached heap limit/);
    expect(text).toMatch(/\[investor rollback\] rolling back: PRODUCTION_TRAFFIC_SHIFT \(moving production traffic back to the old revision\), production 0%/);
    expect(text).toMatch(/\[investor rollback\] acme-investor:10 runs again/);
    expect(lines.at(-1)).toMatch(/^✓ The demo ran as designed/);
  }, 240_000);

  it('without Docker, build-push finds each commit already in ECR and the story is the same', async () => {
    const { report, text } = await demo(false);
    expect(report.problems).toEqual([]);
    expect(report.builtWithDocker).toBe(false);
    expect(text).toMatch(/Builds off \(--no-docker\)/);
    expect(text).not.toMatch(/docker buildx build/);
    expect(text).toMatch(/Skipped the build: ECR already has the image of commit [0-9a-f]{40} \(acme-investor@sha256:/);
    expect(report.runs.map((run) => run.needs[run.workflow === 'deploy' ? 'deploy' : 'rollback']!.result)).toEqual(['success', 'failure', 'success']);
    expect(leakedSecrets(report)).toEqual([]);
  }, 240_000);
});
