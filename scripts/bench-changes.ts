#!/usr/bin/env tsx
// Builds a synthetic monorepo (50 services, 20,003 files; one commit touching 5,190 paths in 30 of
// them), then prints the whole-process median of actions/changes/dist/index.js on a push event,
// next to bare node and a bare `git diff`, with the environment as it is and without
// NODE_EXTRA_CA_CERTS (which costs every node process the same fixed time on machines that set it).
// Commands are measured in turn, run after run, so a busy machine slows them alike.
// Usage: npm run bench:changes [-- --runs 31]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '../shared/manifest/load.js';
import { matchServices } from '../shared/changes/match.js';
import { TestRepo } from '../test/changes/repo.js';
import { BENCH_SHAPE, buildMonorepo, manifestFor } from '../test/changes/monorepo.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const action = join(root, 'actions', 'changes', 'dist', 'index.js');
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 31;
if (!existsSync(action)) {
  console.error(`${action} does not exist: run "npm run build" first.`);
  process.exit(2);
}

const REFERENCE = { pathsFilter: 256, bareNode: 73, changedFiles: 2400 };

const repo = TestRepo.create('monorepo');
const work = mkdtempSync(join(tmpdir(), 'bench-changes-'));
try {
  let started = Date.now();
  const mono = buildMonorepo(repo, BENCH_SHAPE);
  console.log(`Synthetic monorepo: ${mono.files.toLocaleString('en-US')} files, ${BENCH_SHAPE.services} services; the last commit changes ${mono.changedPaths.toLocaleString('en-US')} paths in ${mono.changedServices.length} services (built in ${((Date.now() - started) / 1000).toFixed(1)} s).`);

  const files = { output: join(work, 'output'), summary: join(work, 'summary'), event: join(work, 'event.json') };
  writeFileSync(files.event, JSON.stringify({ before: mono.before, after: mono.after, forced: false, ref: 'refs/heads/main', repository: { default_branch: 'main' } }));
  const runner = {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_SHA: mono.after,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REPOSITORY: 'acme/monorepo',
    GITHUB_WORKSPACE: repo.dir,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: work,
    INPUT_MANIFEST: '.github/services.yml',
  };
  const asIs = { ...process.env, ...runner };
  const withoutCa: NodeJS.ProcessEnv = { ...asIs };
  delete withoutCa.NODE_EXTRA_CA_CERTS;
  const reset = () => {
    writeFileSync(files.output, '');
    writeFileSync(files.summary, '');
  };

  // One checked run first: the action must find exactly the changed services.
  reset();
  const check = spawnSync(process.execPath, [action], { cwd: repo.dir, env: asIs, encoding: 'utf8' });
  const outputs = readFileSync(files.output, 'utf8');
  const services = /^services<<(.+)\n(.*)\n\1$/m.exec(outputs)?.[2];
  if (check.status !== 0 || services !== JSON.stringify(mono.changedServices)) {
    console.error(`The action did not report the expected services (exit ${check.status}):\n${check.stdout}${check.stderr}`);
    process.exit(1);
  }
  console.log(`Check: the action found the ${mono.changedServices.length} changed services; outputs ${kb(outputs.length)}, summary ${kb(readFileSync(files.summary, 'utf8').length)}.\n`);

  // Start-up alone: the same bundle stopping at once (its manifest input names no file).
  const startUp: NodeJS.ProcessEnv = { ...asIs, INPUT_MANIFEST: 'missing.yml' };
  const commands = {
    'bare node -e 0': { args: ['-e', '0'], env: asIs },
    'bare node -e 0, no NODE_EXTRA_CA_CERTS': { args: ['-e', '0'], env: withoutCa },
    'changes action, start-up only': { args: [action], env: startUp },
    'changes action': { args: [action], env: asIs },
    'changes action, no NODE_EXTRA_CA_CERTS': { args: [action], env: withoutCa },
  };
  const times = new Map<string, number[]>(Object.keys(commands).map((name) => [name, []]));
  const gitTimes: number[] = [];
  started = Date.now();
  for (let run = 0; run < runs + 1; run++) {
    for (const [name, { args, env }] of Object.entries(commands)) {
      reset();
      const elapsed = timed(() => spawnSync(process.execPath, args, { cwd: repo.dir, env, stdio: 'ignore' }));
      if (run > 0) times.get(name)!.push(elapsed); // the first round only warms the file cache
    }
    const elapsed = timed(() => spawnSync('git', ['diff', '--name-only', '-z', '--no-renames', mono.before, mono.after], { cwd: repo.dir, env: asIs, stdio: 'ignore' }));
    if (run > 0) gitTimes.push(elapsed);
  }
  const median = (name: string) => middle(times.get(name)!);
  console.log(`node ${process.version}, ${runs} runs each, whole-process wall time (median; min in brackets):`);
  for (const name of Object.keys(commands)) console.log(`  ${name.padEnd(42)} ${ms(median(name))}  [${ms(Math.min(...times.get(name)!))}]`);
  console.log(`  ${'git diff --name-only alone'.padEnd(42)} ${ms(middle(gitTimes))}  [${ms(Math.min(...gitTimes))}]`);
  console.log(`  detection itself (action minus start-up): ${ms(median('changes action') - median('changes action, start-up only'))}`);

  const ours = median('changes action');
  const bare = median('bare node -e 0');
  const overhead = ours - bare;
  const theirOverhead = REFERENCE.pathsFilter - REFERENCE.bareNode;
  console.log(`\nAgainst the reference measurement (dorny/paths-filter ${REFERENCE.pathsFilter} ms, bare node ${REFERENCE.bareNode} ms, tj-actions/changed-files ~${REFERENCE.changedFiles.toLocaleString('en-US')} ms):`);
  console.log(`  changes action: ${ms(ours)} (target at most ${ms(REFERENCE.pathsFilter / 2)}), ${(ours / REFERENCE.pathsFilter).toFixed(2)}x paths-filter's time`);
  console.log(`  above bare node: ${ms(overhead)} here, against ${ms(theirOverhead)} for paths-filter (${(overhead / theirOverhead).toFixed(2)}x; target at most 0.50x)`);
  console.log(`  measurements took ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // Matching alone, in this process: the cost must grow with the changed paths, not paths times globs.
  const manifest = await parseManifest(manifestFor(BENCH_SHAPE.services), '.github/services.yml');
  const paths = repo.git('diff', '--name-only', '--no-renames', mono.before, mono.after).split('\n');
  console.log('\nMatching alone (in process, median of 15):');
  for (const factor of [1, 4, 16]) {
    const many = Array.from({ length: factor }, (_, copy) => paths.map((path) => (copy ? path.replace(/\.ts$/, `.${copy}.ts`) : path))).flat();
    const samples = Array.from({ length: 15 }, () => timed(() => matchServices(manifest, manifest.services, many, undefined)));
    const each = middle(samples);
    console.log(`  ${many.length.toLocaleString('en-US').padStart(7)} paths x ${manifest.services.length} services: ${ms(each)} (${((each * 1000) / many.length).toFixed(2)} µs a path)`);
  }
} finally {
  repo.remove();
  rmSync(work, { recursive: true, force: true });
}

function timed(task: () => unknown): number {
  const start = process.hrtime.bigint();
  task();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}
