#!/usr/bin/env node
// Typechecks the whole project once, then bundles every action (or the ones named) with ncc.
// Usage: node scripts/build.mjs [--no-typecheck] [action ...]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const typecheck = !args.includes('--no-typecheck');
const named = args.filter((arg) => !arg.startsWith('--'));
const all = readdirSync(join(root, 'actions')).filter((name) => existsSync(join(root, 'actions', name, 'src', 'index.ts'))).sort();
const unknown = named.filter((name) => !all.includes(name));
if (unknown.length) {
  console.error(`Unknown action(s): ${unknown.join(', ')}. Actions: ${all.join(', ')}`);
  process.exit(2);
}
const actions = named.length ? named : all;
const bin = (name) => join(root, 'node_modules', '.bin', name);

if (typecheck) {
  console.log('tsc --noEmit');
  execFileSync(bin('tsc'), ['--noEmit', '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
}

function bundle(action) {
  const dir = join(root, 'actions', action);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const child = spawn(
      bin('ncc'),
      // With --no-typecheck, ncc only transpiles: its own check would cover the whole project again.
      ['build', join(dir, 'src', 'index.ts'), '-o', join(dir, 'dist'), '--minify', '--target', 'es2022', '--license', 'licenses.txt', '--quiet', ...(typecheck ? [] : ['--transpile-only'])],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ncc failed for actions/${action} (exit ${code})`))));
  });
}

// Two bundles at a time: ncc is mostly single-threaded and CI machines have two cores.
const queue = [...actions];
const workers = Array.from({ length: Math.min(2, queue.length) }, async () => {
  while (queue.length) {
    const action = queue.shift();
    const started = Date.now();
    await bundle(action);
    console.log(`bundled actions/${action}/dist in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
});
try {
  await Promise.all(workers);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
