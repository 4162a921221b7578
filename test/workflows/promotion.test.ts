/**
 * deploy.yml run as GitHub runs its job graph: each job's `if`, the first job's step conditions,
 * job outputs and the Berth steps' `with:` blocks evaluated by GitHub's own expression library,
 * for a call that builds and for one that promotes. What the jobs' actions would answer is given
 * by each case; which jobs run, in which GitHub environment, and with what, is the workflow's.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { truthy } from '@actions/expressions/result';
import { REPO_ROOT } from '../../standins/run-action.js';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  environment?: string;
  outputs?: Record<string, string>;
  steps?: Step[];
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { workflow_call: { inputs: Record<string, { default?: unknown }>; outputs: Record<string, { value: string }> } };
  jobs: Record<string, Job>;
}

const read = (...path: string[]) => parse(readFileSync(join(REPO_ROOT, ...path), 'utf8')) as Workflow;
const deploy = read('.github/workflows/deploy.yml');

type Result = 'success' | 'failure' | 'skipped' | 'cancelled';
type Context = Record<string, unknown>;

const CONTEXTS = ['inputs', 'needs', 'steps', 'matrix', 'github', 'secrets', 'env', 'jobs'];
const STATUS = ['always', 'cancelled', 'success', 'failure'].map((name) => ({ name, minArgs: 0, maxArgs: 0 }));

/** Evaluates one expression (the text inside `${{ }}`, or an `if:`) as the runner does. */
function evaluate(expression: string, context: Context, needs: Result[] = []): data.ExpressionData {
  const tokens = new Lexer(expression).lex().tokens;
  const tree = new Parser(tokens, CONTEXTS, STATUS).parse();
  const status: Record<string, () => boolean> = {
    always: () => true,
    cancelled: () => false,
    success: () => needs.every((result) => result === 'success'),
    failure: () => needs.some((result) => result === 'failure'),
  };
  const functions = new Map(STATUS.map((info) => [info.name, { ...info, call: () => new data.BooleanData(status[info.name]!()) }]));
  return new Evaluator(tree, JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary, functions).evaluate();
}

/** A value with `${{ }}` in it, as a step or job gets it. */
function template(value: unknown, context: Context): string {
  return String(value).replace(/\$\{\{([\s\S]*?)\}\}/g, (_, expression: string) => evaluate(expression, context).coerceString());
}

/** An `if:` (bare, or wrapped in `${{ }}`); without one, `success()`. */
function condition(text: string | undefined, context: Context, needs: Result[]): boolean {
  const expression = (text ?? 'success()').replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
  const hasStatus = /\b(always|cancelled|success|failure)\(\)/.test(expression);
  return truthy(evaluate(hasStatus ? expression : `success() && (${expression})`, context, needs));
}

interface Scenario {
  inputs: Record<string, unknown>;
  /** What each step answers, by job and step id (a step that does not run answers nothing). */
  steps: Record<string, Record<string, Record<string, string>>>;
  /** Jobs that fail (every other job that runs succeeds). */
  failing?: string[];
}

interface Run {
  results: Record<string, Result>;
  /** The evaluated `with:` of each Berth step that ran, by `<job>.<step id>`. */
  given: Record<string, Record<string, string>>;
  environments: Record<string, string>;
  outputs: Record<string, string>;
  names: Record<string, string>;
}

const SHA = 'a'.repeat(40);

function run(workflow: Workflow, scenario: Scenario): Run {
  const defaults = Object.fromEntries(Object.entries(workflow.on.workflow_call.inputs).map(([name, spec]) => [name, spec.default ?? '']));
  const inputs = { ...defaults, ...scenario.inputs };
  const github = { sha: SHA, repository: 'acme/platform' };
  const jobs: Record<string, { result: Result; outputs: Record<string, string> }> = {};
  const out: Run = { results: {}, given: {}, environments: {}, outputs: {}, names: {} };
  for (const [name, job] of Object.entries(workflow.jobs)) {
    const needed = ([] as string[]).concat(job.needs ?? []);
    const needs = Object.fromEntries(needed.map((need) => [need, jobs[need]!]));
    const base = { inputs, github, needs, secrets: {}, env: {} };
    const runs = condition(
      job.if,
      base,
      needed.map((need) => jobs[need]!.result),
    );
    if (!runs) {
      jobs[name] = { result: 'skipped', outputs: {} };
      out.results[name] = 'skipped';
      continue;
    }
    const matrix = { service: 'api' };
    out.names[name] = template(job.name ?? name, { ...base, matrix });
    if (job.environment) out.environments[name] = template(job.environment, { ...base, matrix });
    const steps: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
    for (const step of job.steps ?? []) {
      const context = { ...base, matrix, steps };
      if (step.if && !condition(step.if, context, [])) continue;
      if (step.uses?.startsWith('./.berth/actions/')) {
        out.given[`${name}.${step.id}`] = Object.fromEntries(Object.entries(step.with ?? {}).map(([key, value]) => [key, template(value, context)]));
      }
      if (step.id) steps[step.id] = { outputs: scenario.steps[name]?.[step.id] ?? {}, outcome: 'success' };
    }
    const result: Result = scenario.failing?.includes(name) ? 'failure' : 'success';
    const outputs = Object.fromEntries(Object.entries(job.outputs ?? {}).map(([key, value]) => [key, template(value, { ...base, matrix, steps })]));
    jobs[name] = { result, outputs };
    out.results[name] = result;
  }
  out.outputs = Object.fromEntries(Object.entries(workflow.on.workflow_call.outputs).map(([key, { value }]) => [key, template(value, { jobs })]));
  return out;
}

const DIGEST = `sha256:${'b'.repeat(64)}`;
const PROMOTED = { api: `210987654321.dkr.ecr.ap-southeast-5.amazonaws.com/acme-api@${DIGEST}`, landing: `210987654321.dkr.ecr.ap-southeast-5.amazonaws.com/acme-landing@${DIGEST}` };
const detected = (services: string[], migrate: string[]) => ({
  services: JSON.stringify(services),
  'any-changed': String(services.length > 0),
  matrix: JSON.stringify({ include: services.map((service) => ({ service })) }),
  migrate: String(migrate.length > 0),
  'migrate-services': JSON.stringify(migrate),
  result: JSON.stringify({ services: services.map((name) => ({ name, changed: true, reason: 'files' })), migrate: migrate.length > 0 }),
});
const first = (environment: string, answers: Record<string, Record<string, string>>) => ({
  changes: { berth: { repository: 'berth-actions/berth', sha: 'c'.repeat(40) }, preflight: { 'manifest-environment': environment }, ...answers },
});

const building = (extra: Partial<Scenario> = {}): Scenario => ({
  inputs: { environment: 'staging' },
  steps: { ...first('staging', { changes: detected(['api', 'landing'], ['api']) }), deploy: { deploy: { images: JSON.stringify({ api: `acme-api:${SHA}` }) } } },
  ...extra,
});
const promoting = (extra: Partial<Scenario> = {}, services = ['api', 'landing'], migrate = ['api']): Scenario => ({
  inputs: { environment: 'production', 'promote-from': 'staging' },
  steps: {
    ...first('production', { promote: { ...detected(services, migrate), images: JSON.stringify(Object.fromEntries(services.map((service) => [service, PROMOTED[service as 'api']]))) } }),
    deploy: { deploy: { images: JSON.stringify(PROMOTED) } },
  },
  ...extra,
});

describe('deploy.yml building a commit', () => {
  it('detects changes, builds, migrates with the commit tag and deploys, all in the manifest environment', () => {
    const result = run(deploy, building());
    expect(result.results).toMatchObject({ changes: 'success', build: 'success', migrate: 'success', deploy: 'success', notify: 'success' });
    expect(Object.keys(result.given)).toEqual(['changes.preflight', 'changes.changes', 'build.build', 'migrate.migrate', 'deploy.deploy']);
    expect(result.names.changes).toBe('Changed services');
    // Migrate runs the commit's tag, its default; deploy-ecs gets no images, so the commit's tag.
    expect(result.given['migrate.migrate']).toMatchObject({ service: 'api', 'manifest-environment': 'staging', image: '' });
    expect(result.given['deploy.deploy']).toMatchObject({ services: 'api,landing', 'manifest-environment': 'staging', images: '', 'image-tag': SHA });
    expect(result.outputs.images).toBe(JSON.stringify({ api: `acme-api:${SHA}` }));
  });

  it('updates nothing when a build fails', () => {
    const result = run(deploy, building({ failing: ['build'] }));
    expect(result.results).toMatchObject({ build: 'failure', migrate: 'skipped', deploy: 'skipped', notify: 'success' });
    expect(result.outputs.images).toBe('');
  });
});

describe('deploy.yml promoting', () => {
  it('promotes in the first job instead of detecting changes, builds nothing, and migrates and deploys the promoted digests', () => {
    const result = run(deploy, promoting());
    expect(result.results).toMatchObject({ changes: 'success', build: 'skipped', migrate: 'success', deploy: 'success', notify: 'success' });
    expect(Object.keys(result.given)).toEqual(['changes.preflight', 'changes.promote', 'migrate.migrate', 'deploy.deploy']);
    expect(result.names.changes).toBe('Promote');
    expect(result.given['changes.promote']).toMatchObject({ to: 'production', from: 'staging', commit: '' });
    expect(result.given['migrate.migrate']).toMatchObject({ service: 'api', 'manifest-environment': 'production', image: PROMOTED.api });
    expect(result.given['deploy.deploy']).toMatchObject({ services: 'api,landing', 'manifest-environment': 'production', images: JSON.stringify(PROMOTED) });
    expect(result.outputs.images).toBe(JSON.stringify(PROMOTED));
    expect(JSON.parse(result.outputs.services!)).toEqual(['api', 'landing']);
  });

  it('promotes a given commit the same way', () => {
    const scenario = promoting();
    scenario.inputs = { environment: 'production', 'promote-commit': SHA };
    const result = run(deploy, scenario);
    expect(result.results).toMatchObject({ build: 'skipped', migrate: 'success', deploy: 'success' });
    expect(result.given['changes.promote']).toMatchObject({ from: '', commit: SHA });
  });

  it('deploys without migrating when no promoted service migrates', () => {
    const result = run(deploy, promoting({}, ['landing'], []));
    expect(result.results).toMatchObject({ build: 'skipped', migrate: 'skipped', deploy: 'success' });
  });

  it('updates no service when the migration fails', () => {
    const result = run(deploy, promoting({ failing: ['migrate'] }));
    expect(result.results).toMatchObject({ migrate: 'failure', deploy: 'skipped', notify: 'success' });
  });

  it('runs nothing after the first job when the target already runs the promoted images', () => {
    const result = run(deploy, promoting({}, [], []));
    expect(result.results).toMatchObject({ changes: 'success', announce: 'skipped', build: 'skipped', migrate: 'skipped', deploy: 'skipped', notify: 'skipped' });
  });

  it('stops when the promotion itself fails', () => {
    // Even when the step wrote its outputs before failing.
    const result = run(deploy, promoting({ failing: ['changes'] }));
    // The notification still tells how it went.
    expect(result.results).toMatchObject({ changes: 'failure', build: 'skipped', migrate: 'skipped', deploy: 'skipped', notify: 'success' });
  });
});

describe('GitHub environments of deploy.yml', () => {
  it('are used by the migrate and deploy jobs only, so the target approves before its database or services change', () => {
    const withEnvironment = Object.entries(deploy.jobs)
      .filter(([, job]) => job.environment)
      .map(([name]) => name);
    expect(withEnvironment).toEqual(['migrate', 'deploy']);
    const promoted = run(deploy, promoting({ inputs: { environment: 'production', 'promote-from': 'staging', 'migrate-environment': 'production-migrations' } }));
    expect(promoted.environments).toEqual({ migrate: 'production-migrations', deploy: 'production' });
    expect(run(deploy, building()).environments).toEqual({ migrate: 'staging', deploy: 'staging' });
  });
});

describe("the example's two-environment pipeline", () => {
  const example = read('examples/monorepo/.github/workflows/deploy.yml');
  const calls = Object.entries(example.jobs).filter(([, job]) => job.uses?.includes('/.github/workflows/deploy.yml@'));

  it('deploys staging on push, then promotes what staging runs to production', () => {
    expect(calls.map(([name]) => name)).toEqual(['staging', 'production']);
    const [[, staging], [, production]] = calls as [[string, Job], [string, Job]];
    expect(staging.with).toMatchObject({ environment: 'staging' });
    expect(staging.with?.['promote-from']).toBeUndefined();
    expect(production.needs).toBe('staging');
    expect(production.with).toMatchObject({ environment: 'production', 'promote-from': 'staging' });
  });

  it('never promotes after a failed staging deploy: production runs only when staging succeeded', () => {
    const production = example.jobs.production!;
    expect(condition(production.if, {}, ['failure'])).toBe(false);
    expect(condition(production.if, {}, ['cancelled'])).toBe(false);
    expect(condition(production.if, {}, ['success'])).toBe(true);
  });

  it('stays under 40 lines', () => {
    const lines = readFileSync(join(REPO_ROOT, 'examples/monorepo/.github/workflows/deploy.yml'), 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeLessThan(40);
    // The README quotes it whole, with its count.
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`the whole two-environment pipeline in ${lines.length} lines`);
    expect(readme).toContain(lines.slice(lines.indexOf('on:')).join('\n'));
  });
});
