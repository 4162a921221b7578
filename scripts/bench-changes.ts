#!/usr/bin/env tsx
// Builds a synthetic monorepo (50 services, 20,003 files, a package-lock.json of 600 packages, the
// manifest with `lockfiles: precise`; one commit touching 5,190 paths in 30 of them), then prints
// the whole-process median of actions/changes/dist/index.js on a push event, side by side with
// dorny/paths-filter on the same repository and change (50 single-glob filters), bare node and a
// bare `git diff`, with the environment as it is and without NODE_EXTRA_CA_CERTS (which costs every
// node process the same fixed time on machines that set it). A second repository's change also
// bumps two locked packages (read and compared by the action). Commands are measured in turn, run
// after run (in reverse order every other run, so none always follows the same one), so a busy
// machine slows them alike; each ratio is given as the ratio of the two medians and as the median
// of the run-by-run ratios, with a 95% interval for the latter, which the verdict follows.
//
// paths-filter is not part of this repository: check out dorny/paths-filter (a release tag) anywhere
// and pass its bundle, `--paths-filter <checkout>/dist/index.js` (or PATHS_FILTER=<that file>).
// Without it only Berth's figures are printed.
// --node <binary> runs every command with that Node.js (the actions declare node24: `bash
// scripts/install-node.sh 24` prints one); by default the Node.js running this script.
// Usage: npm run bench:changes [-- --runs 31] [-- --paths-filter <file>] [-- --node <binary>]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '../shared/manifest/load.js';
import { matchServices } from '../shared/changes/match.js';
import { TestRepo } from '../standins/git-repo.js';
import { BENCH_SHAPE, buildMonorepo, manifestFor } from '../standins/monorepo.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const action = join(root, 'actions', 'changes', 'dist', 'index.js');
const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const runs = Number(option('--runs') ?? 31);
const pathsFilterArg = option('--paths-filter') ?? process.env.PATHS_FILTER;
const nodeArg = option('--node');
const node = nodeArg ? resolve(process.env.INIT_CWD ?? process.cwd(), nodeArg) : process.execPath;
if (!existsSync(node)) {
  console.error(`--node ${node} does not exist: give the path of a Node.js binary (bash scripts/install-node.sh 24 prints one).`);
  process.exit(2);
}
const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
const pathsFilter = pathsFilterArg ? resolve(process.env.INIT_CWD ?? process.cwd(), pathsFilterArg) : undefined;
if (!existsSync(action)) {
  console.error(`${action} does not exist: run "npm run build" first.`);
  process.exit(2);
}
if (pathsFilter && !existsSync(pathsFilter)) {
  console.error(`--paths-filter ${pathsFilter} does not exist: give the dist/index.js of a dorny/paths-filter checkout.`);
  process.exit(2);
}

const repo = TestRepo.create('monorepo');
const bumpRepo = TestRepo.create('monorepo-bump');
const work = mkdtempSync(join(tmpdir(), 'bench-changes-'));
try {
  let started = Date.now();
  const mono = buildMonorepo(repo, BENCH_SHAPE);
  const bumped = buildMonorepo(bumpRepo, { ...BENCH_SHAPE, lockfile: { ...BENCH_SHAPE.lockfile!, bump: true } });
  console.log(
    `Synthetic monorepo: ${mono.files.toLocaleString('en-US')} files, ${BENCH_SHAPE.services} services, ${BENCH_SHAPE.lockfile!.packages} locked packages, lockfiles: precise; ` +
      `the last commit changes ${mono.changedPaths.toLocaleString('en-US')} paths in ${mono.changedServices.length} services ` +
      `(in the second repository also package-lock.json, bumping packages only those services use; built in ${((Date.now() - started) / 1000).toFixed(1)} s).`,
  );

  const files = { output: join(work, 'output'), summary: join(work, 'summary'), event: join(work, 'event.json'), bumpEvent: join(work, 'bump-event.json') };
  writeFileSync(files.event, JSON.stringify({ before: mono.before, after: mono.after, forced: false, ref: 'refs/heads/main', repository: { default_branch: 'main' } }));
  writeFileSync(files.bumpEvent, JSON.stringify({ before: bumped.before, after: bumped.after, forced: false, ref: 'refs/heads/main', repository: { default_branch: 'main' } }));
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
    // paths-filter's inputs: one filter per service, changes found with git (no API token).
    INPUT_FILTERS: Array.from({ length: BENCH_SHAPE.services }, (_, i) => `s${String(i).padStart(2, '0')}: ['apps/s${String(i).padStart(2, '0')}/**']`).join('\n'),
    INPUT_TOKEN: '',
  };
  const asIs = { ...process.env, ...runner };
  const withoutCa: NodeJS.ProcessEnv = { ...asIs };
  delete withoutCa.NODE_EXTRA_CA_CERTS;
  const bump: NodeJS.ProcessEnv = { ...asIs, GITHUB_EVENT_PATH: files.bumpEvent, GITHUB_SHA: bumped.after, GITHUB_WORKSPACE: bumpRepo.dir };
  const reset = () => {
    writeFileSync(files.output, '');
    writeFileSync(files.summary, '');
  };
  const output = (name: string) => new RegExp(`^${name}<<(.+)\\n(.*)\\n\\1$`, 'm').exec(readFileSync(files.output, 'utf8'))?.[2];

  // One checked run of each first: both must find exactly the changed services.
  for (const [cwd, env, what] of [
    [repo.dir, asIs, ''],
    [bumpRepo.dir, bump, ' (lockfile bumped too)'],
  ] as const) {
    reset();
    const check = spawnSync(node, [action], { cwd, env, encoding: 'utf8' });
    if (check.status !== 0 || output('services') !== JSON.stringify(mono.changedServices)) {
      console.error(`The action did not report the expected services${what} (exit ${check.status}):\n${check.stdout}${check.stderr}`);
      process.exit(1);
    }
    console.log(`Check${what}: the action found the ${mono.changedServices.length} changed services; outputs ${kb(readFileSync(files.output, 'utf8').length)}, summary ${kb(readFileSync(files.summary, 'utf8').length)}.`);
  }
  if (pathsFilter) {
    reset();
    const theirs = spawnSync(node, [pathsFilter], { cwd: repo.dir, env: asIs, encoding: 'utf8' });
    if (theirs.status !== 0 || output('changes') !== JSON.stringify(mono.changedServices)) {
      console.error(`paths-filter did not report the expected filters (exit ${theirs.status}):\n${theirs.stdout.slice(-2000)}${theirs.stderr}`);
      process.exit(1);
    }
    console.log(`Check: paths-filter found the same ${mono.changedServices.length} services.`);
  } else {
    console.log('paths-filter not measured: pass --paths-filter <dorny/paths-filter checkout>/dist/index.js to measure it side by side.');
  }
  console.log('');

  // Start-up alone: the same bundle stopping at once, at its inputs (an input it refuses).
  const startUp: NodeJS.ProcessEnv = { ...asIs, INPUT_SINCE: 'never' };
  const withoutCaBump: NodeJS.ProcessEnv = { ...bump };
  delete withoutCaBump.NODE_EXTRA_CA_CERTS;
  const commands: Record<string, { args: string[]; env: NodeJS.ProcessEnv; cwd?: string }> = {
    'bare node -e 0': { args: ['-e', '0'], env: asIs },
    'bare node -e 0, no NODE_EXTRA_CA_CERTS': { args: ['-e', '0'], env: withoutCa },
    'changes action, start-up only': { args: [action], env: startUp },
    'changes action': { args: [action], env: asIs },
    'changes action, no NODE_EXTRA_CA_CERTS': { args: [action], env: withoutCa },
    'changes action, lockfile bumped': { args: [action], env: bump, cwd: bumpRepo.dir },
    'changes action, lockfile bumped, no NODE_EXTRA_CA_CERTS': { args: [action], env: withoutCaBump, cwd: bumpRepo.dir },
    ...(pathsFilter
      ? {
          'dorny/paths-filter': { args: [pathsFilter], env: asIs },
          'dorny/paths-filter, no NODE_EXTRA_CA_CERTS': { args: [pathsFilter], env: withoutCa },
        }
      : {}),
  };
  const times = new Map<string, number[]>(Object.keys(commands).map((name) => [name, []]));
  const gitTimes: number[] = [];
  started = Date.now();
  for (let run = 0; run < runs + 1; run++) {
    const order = Object.entries(commands);
    if (run % 2) order.reverse();
    for (const [name, { args, env, cwd }] of order) {
      reset();
      const elapsed = timed(() => spawnSync(node, args, { cwd: cwd ?? repo.dir, env, stdio: 'ignore' }));
      if (run > 0) times.get(name)!.push(elapsed); // the first round only warms the file cache
    }
    const elapsed = timed(() => spawnSync('git', ['diff', '--name-only', '-z', '--no-renames', mono.before, mono.after], { cwd: repo.dir, env: asIs, stdio: 'ignore' }));
    if (run > 0) gitTimes.push(elapsed);
  }
  const median = (name: string) => middle(times.get(name)!);
  console.log(`node ${nodeVersion}, ${runs} runs each, whole-process wall time (median; min in brackets):`);
  for (const name of Object.keys(commands)) console.log(`  ${name.padEnd(56)} ${ms(median(name))}  [${ms(Math.min(...times.get(name)!))}]`);
  console.log(`  ${'git diff --name-only alone'.padEnd(56)} ${ms(middle(gitTimes))}  [${ms(Math.min(...gitTimes))}]`);
  console.log(`  detection itself (action minus start-up): ${ms(median('changes action') - median('changes action, start-up only'))}`);

  if (pathsFilter) {
    const bare = median('bare node -e 0');
    const ratio = (ours: string, theirs: string) => median(ours) / median(theirs);
    const runByRun = (ours: string, theirs: string) => times.get(ours)!.map((time, run) => time / times.get(theirs)![run]!);
    const above = (name: string, base: string) => median(name) - median(base);
    console.log('\nSide by side with dorny/paths-filter (target: at most 0.50x its time):');
    // The verdict follows the 95% interval of the run-by-run median: a figure this close to the
    // target can fall on either side of it from one run to the next.
    const line = (label: string, ours: string, theirs: string) => {
      const ratios = runByRun(ours, theirs);
      const [low, high] = medianInterval(ratios);
      const verdict = high <= 0.5 ? 'met' : low > 0.5 ? 'NOT met' : 'not settled: the interval spans 0.50x';
      console.log(
        `  ${label.padEnd(44)} ${ms(median(ours))} against ${ms(median(theirs))}: ${ratio(ours, theirs).toFixed(2)}x; run by run ${middle(ratios).toFixed(2)}x, 95% interval ${low.toFixed(2)}x to ${high.toFixed(2)}x (${verdict})`,
      );
    };
    line('as is:', 'changes action', 'dorny/paths-filter');
    line('without NODE_EXTRA_CA_CERTS:', 'changes action, no NODE_EXTRA_CA_CERTS', 'dorny/paths-filter, no NODE_EXTRA_CA_CERTS');
    line('lockfile bumped too, as is:', 'changes action, lockfile bumped', 'dorny/paths-filter');
    line('lockfile bumped too, without NODE_EXTRA_CA_CERTS:', 'changes action, lockfile bumped, no NODE_EXTRA_CA_CERTS', 'dorny/paths-filter, no NODE_EXTRA_CA_CERTS');
    console.log(
      `  above bare node (${ms(bare)}): ${ms(above('changes action', 'bare node -e 0'))} against ${ms(above('dorny/paths-filter', 'bare node -e 0'))} (${(above('changes action', 'bare node -e 0') / above('dorny/paths-filter', 'bare node -e 0')).toFixed(2)}x)`,
    );
  }
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
  bumpRepo.remove();
  rmSync(work, { recursive: true, force: true });
}

function timed(task: () => unknown): number {
  const start = process.hrtime.bigint();
  task();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A 95% interval for the median of `values`, from 2,000 resamples drawn with a fixed seed (the same figures give the same interval). */
function medianInterval(values: number[]): [number, number] {
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const medians = Array.from({ length: 2000 }, () => middle(values.map(() => values[Math.floor(random() * values.length)]!))).sort((a, b) => a - b);
  return [medians[Math.floor(medians.length * 0.025)]!, medians[Math.ceil(medians.length * 0.975) - 1]!];
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
