#!/usr/bin/env node
// Prints, for each action, its bundle size and the whole-process cold-start median of
// `node dist/index.js` with no inputs (the action fails at once, naming the missing input).
// Usage: npm run bench:startup [-- --runs 31]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const runsAt = process.argv.indexOf('--runs');
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 31;
const work = mkdtempSync(join(tmpdir(), 'bench-startup-'));
const outputFile = join(work, 'output');
writeFileSync(outputFile, '');

// A runner's environment: nothing but PATH and the command files. NODE_EXTRA_CA_CERTS is left out
// because loading a whole CA bundle adds a fixed ~45 ms to every node process on machines that set it.
const env = { PATH: process.env.PATH, HOME: work, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: join(work, 'summary'), GITHUB_WORKSPACE: work };

function median(args) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    spawnSync(process.execPath, args, { env, cwd: work, stdio: 'ignore' });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const actions = readdirSync(join(root, 'actions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
median(['-e', '0']); // warm the file cache
const bare = median(['-e', '0']);
console.log(`node ${process.version}, ${runs} runs each, median wall time of the whole process`);
console.log(`bare node -e 0: ${bare.toFixed(1)} ms\n`);
console.log(['action'.padEnd(12), 'bundle'.padStart(9), 'entry'.padStart(9), 'chunks'.padStart(7), 'cold start'.padStart(11), 'over bare'.padStart(10)].join('  '));
for (const action of actions) {
  const dist = join(root, 'actions', action, 'dist');
  const files = readdirSync(dist).filter((file) => file.endsWith('.js'));
  const total = files.reduce((sum, file) => sum + statSync(join(dist, file)).size, 0);
  const entry = statSync(join(dist, 'index.js')).size;
  const result = spawnSync(process.execPath, [join(dist, 'index.js')], { env, cwd: work, encoding: 'utf8' });
  if (result.status !== 1 || !/Input "/.test(result.stdout)) {
    console.error(`actions/${action}: expected exit 1 naming a missing input, got ${result.status}: ${result.stdout}${result.stderr}`);
    process.exitCode = 1;
    continue;
  }
  const cold = median([join(dist, 'index.js')]);
  console.log([action.padEnd(12), kb(total).padStart(9), kb(entry).padStart(9), String(files.length - 1).padStart(7), `${cold.toFixed(1)} ms`.padStart(11), `${(cold - bare).toFixed(1)} ms`.padStart(10)].join('  '));
}
rmSync(work, { recursive: true, force: true });
