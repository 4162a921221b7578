/**
 * The workflows against the actions they call: every `with:` key is an input the action declares,
 * every required input is given, every output read is one the action or job writes, and every job
 * asks for no more permissions than it needs. actionlint cannot check this for actions checked out
 * at run time (./.berth/actions/*) or for this suite's own reusable workflows.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../standins/run-action.js';

interface ActionMetadata {
  inputs?: Record<string, { required?: boolean; default?: string }>;
  outputs?: Record<string, unknown>;
}
interface Step {
  id?: string;
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  uses?: string;
  with?: Record<string, unknown>;
  needs?: string | string[];
  outputs?: Record<string, string>;
  permissions?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  concurrency?: { group: string; 'cancel-in-progress'?: boolean; queue?: string };
  on: Record<string, { inputs?: Record<string, { required?: boolean }>; outputs?: Record<string, unknown>; secrets?: Record<string, unknown> } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const read = <T>(...path: string[]) => parse(readFileSync(join(REPO_ROOT, ...path), 'utf8')) as T;
const action = (name: string) => read<ActionMetadata>('actions', name, 'action.yml');
const workflows = (dir: string) =>
  readdirSync(join(REPO_ROOT, dir))
    .filter((file) => file.endsWith('.yml'))
    .map((file) => ({ file: `${dir}/${file}`, workflow: read<Workflow>(dir, file) }));
const ours = workflows('.github/workflows');
const example = workflows('examples/monorepo/.github/workflows');
const changesServices = ['landing', 'investor', 'issuer', 'admin', 'api'];

/** The suite's action a step runs, from a local checkout of the suite or a pinned reference to it. */
function suiteAction(uses: string | undefined): string | undefined {
  return /^(?:\.\/\.berth|berth-actions\/berth)\/actions\/([a-z-]+)(?:@|$)/.exec(uses ?? '')?.[1];
}

const RELEASE = '.github/workflows/release.yml';

describe.each([...ours, ...example])('$file', ({ file, workflow }) => {
  const jobs = Object.entries(workflow.jobs);

  it('passes only inputs the called actions declare, and every required one', () => {
    for (const [job, { steps = [] }] of jobs) {
      for (const step of steps) {
        const name = suiteAction(step.uses);
        if (!name) continue;
        const inputs = action(name).inputs ?? {};
        for (const key of Object.keys(step.with ?? {})) expect([job, name, key, key in inputs]).toEqual([job, name, key, true]);
        for (const [key, spec] of Object.entries(inputs)) {
          if (spec.required) expect([job, name, key, key in (step.with ?? {})]).toEqual([job, name, key, true]);
        }
      }
    }
  });

  it('reads only outputs the steps and jobs write', () => {
    for (const [job, spec] of jobs) {
      const text = JSON.stringify(spec);
      for (const [, id, output] of text.matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const step = spec.steps?.find((candidate) => candidate.id === id);
        const name = suiteAction(step?.uses);
        expect([job, id, Boolean(step)]).toEqual([job, id, true]);
        if (!name) continue;
        const declared = Object.keys(action(name).outputs ?? {});
        const dynamic = name === 'changes' ? changesServices : [];
        expect([job, `${id}.${output}`, [...declared, ...dynamic].includes(output!)]).toEqual([job, `${id}.${output}`, true]);
      }
      for (const [, needed, output] of text.matchAll(/needs\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const needs = ([] as string[]).concat(spec.needs ?? []);
        expect([job, needed, needs.includes(needed!)]).toEqual([job, needed, true]);
        expect([job, `${needed}.${output}`, output! in (workflow.jobs[needed!]?.outputs ?? {})]).toEqual([job, `${needed}.${output}`, true]);
      }
    }
  });

  it('asks for no more than id-token: write and contents: read (and pull-requests: write in a job that comments the plan)', () => {
    const allowed = { 'id-token': 'write', contents: 'read' } as Record<string, string>;
    // The release job alone writes (the tag, the release, the major tag); its own test checks it.
    const checked = jobs.filter(([name]) => !(file === RELEASE && name === 'release'));
    for (const [scope, level] of Object.entries(workflow.permissions ?? {})) expect([scope, level]).toEqual([scope, allowed[scope]]);
    for (const [name, job] of checked) {
      const comments = (job.steps ?? []).some((step) => String((step as { with?: Record<string, unknown> }).with?.comment) === 'true');
      const mayWrite: Record<string, string> = comments ? { ...allowed, 'pull-requests': 'write' } : allowed;
      for (const [scope, level] of Object.entries(job.permissions ?? {})) expect([name, scope, level]).toEqual([name, scope, mayWrite[scope]]);
    }
  });
});

describe('the release workflow', () => {
  const { workflow } = ours.find(({ file }) => file === RELEASE)!;
  const on = workflow.on as Record<string, { tags?: string[]; inputs?: Record<string, { required?: boolean }> }>;

  it('starts from a version tag or by hand with the version', () => {
    expect(on.push).toEqual({ tags: ['v[0-9]+.[0-9]+.[0-9]+', 'v[0-9]+.[0-9]+.[0-9]+-*'] });
    expect(on.workflow_dispatch?.inputs?.version?.required).toBe(true);
  });

  it('publishes only after the version checks and the whole CI passed on the commit, and only that job writes', () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.plan).toMatchObject({ permissions: { contents: 'read' } });
    expect(workflow.jobs.ci).toMatchObject({ needs: 'plan', uses: './.github/workflows/ci.yml', permissions: { contents: 'read' } });
    expect(workflow.jobs.release).toMatchObject({ needs: ['plan', 'ci'], permissions: { contents: 'write' } });
    expect(JSON.stringify(workflow.jobs.plan)).toContain('node scripts/release-plan.mjs');
    const ci = ours.find(({ file }) => file === '.github/workflows/ci.yml')!.workflow;
    expect(Object.keys(ci.on)).toContain('workflow_call');
    expect(JSON.stringify(ci.jobs)).toContain('bash .ci/run');
  });
});

describe('deploys and rollbacks of one environment', () => {
  it('wait in one queue, in order, none cancelled', () => {
    const [deploy, rollback] = ['deploy.yml', 'rollback.yml'].map((file) => ours.find((candidate) => candidate.file.endsWith(`/${file}`))!.workflow.concurrency);
    expect(deploy).toEqual({ group: expect.stringContaining('${{ inputs.environment }}'), 'cancel-in-progress': false, queue: 'max' });
    expect(rollback).toEqual(deploy);
  });
});

describe('the example calls the reusable workflows as they are declared', () => {
  it.each(
    example.flatMap(({ file, workflow }) =>
      Object.entries(workflow.jobs)
        .filter(([, job]) => job.uses)
        .map(([name, job]) => [file, name, job] as const),
    ),
  )('%s job %s', (_file, _name, job) => {
    const target = /^berth-actions\/berth\/(\.github\/workflows\/[\w-]+\.yml)@[0-9a-f]{40}$/.exec(job.uses!)?.[1];
    expect(target).toBeDefined();
    const called = read<Workflow>(target!).on.workflow_call!;
    const inputs = called.inputs ?? {};
    for (const key of Object.keys(job.with ?? {})) expect([key, key in inputs]).toEqual([key, true]);
    for (const [key, spec] of Object.entries(inputs)) if (spec.required) expect([key, key in (job.with ?? {})]).toEqual([key, true]);
  });

  it('deploys the services the example manifest declares', () => {
    const manifest = parse(readFileSync(join(REPO_ROOT, 'examples/monorepo/.github/services.yml'), 'utf8')) as { services: Record<string, unknown> };
    expect(Object.keys(manifest.services).sort()).toEqual([...changesServices].sort());
  });
});
