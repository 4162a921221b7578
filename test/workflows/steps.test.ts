/**
 * The steps of the reusable workflows that are not actions, run for real: the rollback target
 * check and the script that finds the workflow's own commit from the OIDC token; and the preflight
 * table held to the workflows' `with:` blocks, so the first job checks what the later jobs get.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, parseCommandFile } from '../../standins/run-action.js';
import { startOidcServer, type OidcServer } from '../../standins/oidc-server.js';
import { WORKFLOW_STEPS, type Source } from '../../shared/preflight/steps.js';

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  jobs: Record<string, { steps?: Step[] }>;
}

const workflow = (name: 'deploy' | 'rollback') => parse(readFileSync(join(REPO_ROOT, '.github/workflows', `${name}.yml`), 'utf8')) as Workflow;
const steps = (name: 'deploy' | 'rollback') => Object.values(workflow(name).jobs).flatMap((job) => job.steps ?? []);
const dirs: string[] = [];
const servers: OidcServer[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Runs a `run:` block as the runner does with its shell, with the given environment. */
async function runStep(step: Step, env: Record<string, string>): Promise<{ code: number | null; stdout: string; outputs: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'step-'));
  dirs.push(dir);
  const node = step.shell?.startsWith('node');
  const script = join(dir, node ? 'step.js' : 'step.sh');
  writeFileSync(script, step.run!);
  const output = join(dir, 'output');
  writeFileSync(output, '');
  const [program, ...args] = node ? [process.execPath, script] : ['bash', '--noprofile', '--norc', '-eo', 'pipefail', script];
  // Asynchronous: the OIDC stand-in answers from this process.
  const child = spawn(program!, args, { env: { PATH: process.env.PATH, GITHUB_OUTPUT: output, ...env } });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, outputs: parseCommandFile(readFileSync(output, 'utf8')) };
}

describe('finding the commit of the workflow', () => {
  const [deployStep, rollbackStep] = (['deploy', 'rollback'] as const).map((name) => steps(name).find((step) => step.id === 'berth')!);
  const SHA = 'feedface'.repeat(5);
  const claims = { job_workflow_ref: 'berth-actions/berth/.github/workflows/deploy.yml@refs/tags/v0.2.0', job_workflow_sha: SHA };

  it('is the same script in both workflows', () => {
    expect(rollbackStep!.run).toBe(deployStep!.run);
    expect(deployStep!.shell).toBe('node {0}');
  });

  it('names the repository and commit from the token, and masks the token', async () => {
    const oidc = await startOidcServer({ claims });
    servers.push(oidc);
    const run = await runStep(deployStep!, oidc.env());
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ repository: 'berth-actions/berth', sha: SHA });
    expect(oidc.audiences).toEqual(['berth']);
    expect(run.stdout).toContain(`::add-mask::${oidc.issued[0]}`);
    expect(run.stdout.split('\n').filter((line) => line.includes(oidc.issued[0]!) && !line.startsWith('::add-mask::'))).toEqual([]);
  });

  it('says to add id-token: write when the job cannot ask for a token', async () => {
    const run = await runStep(deployStep!, {});
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error title=Berth needs an OIDC token::.*"permissions: id-token: write"/m);
    expect(run.stdout).not.toMatch(/curl|at .*:\d+:\d+/);
  });

  it('retries a server error, and shows what came back when the token is refused', async () => {
    const flaky = await startOidcServer({ claims, failures: [503] });
    servers.push(flaky);
    expect((await runStep(deployStep!, flaky.env())).outputs.sha).toBe(SHA);

    const refused = await startOidcServer({ claims, failures: [403] });
    servers.push(refused);
    const run = await runStep(deployStep!, refused.env());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error title=OIDC token refused::GitHub\'s OIDC token endpoint answered HTTP 403: {"message":"scripted 403"}.');
  });

  it('explains a token that names no reusable workflow', async () => {
    const oidc = await startOidcServer({ claims: { job_workflow_ref: undefined, job_workflow_sha: undefined } });
    servers.push(oidc);
    const run = await runStep(deployStep!, oidc.env());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error title=OIDC token without the workflow::The OIDC token names no reusable workflow commit (job_workflow_ref: null, job_workflow_sha: null)');
  });

  it('explains an endpoint that answers without a token', async () => {
    const run = await runStep(deployStep!, { ACTIONS_ID_TOKEN_REQUEST_URL: 'data:text/plain,not-json?x=1', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error title=(Malformed OIDC token|GitHub OIDC endpoint unreachable)::/);
  });
});

describe('the rollback target check', () => {
  const check = steps('rollback')[0]!;

  it('is the first step of the first job', () => {
    expect(check.name).toBe('Check the rollback target');
  });

  it.each([[''], ['   '], ['\t\n']])('refuses an empty target (%j) before anything else runs', async (target) => {
    const run = await runStep(check, { TARGET: target });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::error title=No rollback target::Input "target" is empty, so there is nothing to roll back to and nothing was changed.');
  });

  it.each([['previous'], ['42'], ['0123abc']])('lets %s through', async (target) => {
    expect((await runStep(check, { TARGET: target })).code).toBe(0);
  });
});

describe('the preflight table', () => {
  /** What a `with:` value is made of, in the table's terms. */
  function sourceOf(value: unknown): Source {
    const text = String(value);
    const single = /^\$\{\{\s*inputs\.([\w-]+)(?:\s*\|\|\s*'([^']*)')?\s*\}\}$/.exec(text);
    if (single) return single[2] === undefined ? { input: single[1]! } : { input: single[1]!, fallback: single[2] };
    // Another job's output, else the workflow input: the input is what can be checked up front.
    const orInput = /^\$\{\{\s*needs\.[\w.-]+\s*\|\|\s*inputs\.([\w-]+)\s*\}\}$/.exec(text);
    if (orInput) return { input: orInput[1]! };
    // Preflight's own output, passed on by the first job: the manifest environment it resolved.
    if (/^\$\{\{\s*(?:steps\.preflight|needs\.(?:changes|berth))\.outputs\.manifest-environment\s*\}\}$/.test(text)) return { manifestEnvironment: true };
    const secret = /^\$\{\{\s*secrets\.(\w+)\s*\}\}$/.exec(text);
    if (secret) return { secret: secret[1] as 'SLACK_WEBHOOK_URL' };
    if (/^\$\{\{\s*github\.sha\s*\}\}$/.test(text)) return { commit: true };
    if (!text.includes('${{')) return { value: text };
    return { runtime: '' };
  }

  it.each(['deploy', 'rollback'] as const)('gives each step of %s.yml what the workflow gives it', (name) => {
    const actionSteps = steps(name).filter((step) => step.uses?.startsWith('./.berth/actions/') && step.uses !== './.berth/actions/preflight');
    expect(actionSteps.map((step) => step.id).sort()).toEqual(WORKFLOW_STEPS[name].map((spec) => spec.id).sort());
    for (const step of actionSteps) {
      const spec = WORKFLOW_STEPS[name].find((candidate) => candidate.id === step.id)!;
      expect([step.id, step.uses]).toEqual([step.id, `./.berth/actions/${spec.action}`]);
      expect([step.id, Object.keys(step.with ?? {}).sort()]).toEqual([step.id, Object.keys(spec.with).sort()]);
      for (const [key, value] of Object.entries(step.with ?? {})) {
        const source = sourceOf(value);
        const table = spec.with[key]!;
        const expected = 'runtime' in source ? { kind: 'runtime' } : source;
        expect([step.id, key, 'runtime' in table ? { kind: 'runtime' } : table]).toEqual([step.id, key, expected]);
      }
    }
  });

  it('is the first step after the checkouts, in the first job', () => {
    for (const name of ['deploy', 'rollback'] as const) {
      const first = Object.values(workflow(name).jobs)[0]!.steps!;
      const preflight = first.findIndex((step) => step.id === 'preflight');
      expect(preflight).toBeGreaterThan(0);
      expect(first.slice(0, preflight).every((step) => step.uses?.startsWith('actions/checkout@') || step.id === 'berth' || step.name === 'Check the rollback target')).toBe(true);
    }
  });
});
