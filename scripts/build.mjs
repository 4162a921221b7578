#!/usr/bin/env node
// Typechecks the whole project once, then bundles every action (or the ones named) with ncc.
// Usage: node scripts/build.mjs [--no-typecheck] [action ...]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const typecheck = !args.includes('--no-typecheck');
const named = args.filter((arg) => !arg.startsWith('--'));
const all = readdirSync(join(root, 'actions'))
  .filter((name) => existsSync(join(root, 'actions', name, 'src', 'index.ts')))
  .sort();
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
      // ncc only transpiles: the project was typechecked once above, and ncc's own check would repeat it per action.
      ['build', join(dir, 'src', 'index.ts'), '-o', join(dir, 'dist'), '--minify', '--target', 'es2022', '--license', 'licenses.txt', '--quiet', '--transpile-only'],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ncc failed for actions/${action} (exit ${code})`))));
  }).then(() => compress(join(dir, 'dist')));
}

// ncc only mangles its entry file and leaves split chunks as they are; compress every file, so the
// code an action loads on demand (the AWS SDK) is as small as its entry. Names stay: some libraries read them.
async function compress(dist) {
  for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) {
    const path = join(dist, file);
    const result = await minify(readFileSync(path, 'utf8'), {
      module: true,
      compress: { passes: 2 },
      mangle: { keep_classnames: true, keep_fnames: true },
      keep_classnames: true,
      keep_fnames: true,
      format: { comments: false },
    });
    writeFileSync(path, result.code);
  }
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
