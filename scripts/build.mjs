#!/usr/bin/env node
// Typechecks the whole project once, then bundles every action (or the ones named) with ncc.
// Usage: node scripts/build.mjs [--no-typecheck] [action ...]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as acorn from 'acorn';
import { minify } from 'terser';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
// Internal: bundles one action in a process of its own (ncc is mostly single-threaded).
const ONE = '--bundle-one';
if (args[0] === ONE) {
  await bundleHere(args[1]);
  process.exit(0);
}
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), ONE, action], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ncc failed for actions/${action} (exit ${code})`))));
  });
}

/**
 * CommonJS, though the sources are ES modules: Node 20 starts a CommonJS bundle and reads its chunks
 * (synchronously, with require) about 15 ms sooner than an ES module bundle, whose loader reads every
 * file asynchronously. ncc's command line writes ES modules inside a "type": "module" package, so its
 * API is used. ncc only transpiles: the project was typechecked once, and ncc's own check would repeat
 * it per action.
 */
async function bundleHere(action) {
  const ncc = createRequire(import.meta.url)('@vercel/ncc');
  const dir = join(root, 'actions', action);
  const dist = join(dir, 'dist');
  // No cache: ncc keeps one per working directory in ~/.cache/ncc and can serve a build made with other
  // options (an ES module bundle after the switch to CommonJS), which a committed bundle must never be.
  const { code, assets } = await ncc(join(dir, 'src', 'index.ts'), { cache: false, esm: false, minify: true, target: 'es2022', license: 'licenses.txt', quiet: true, transpileOnly: true });
  rmSync(dist, { recursive: true, force: true });
  const write = (name, content, mode) => {
    mkdirSync(dirname(join(dist, name)), { recursive: true });
    writeFileSync(join(dist, name), content, { mode });
  };
  write('index.js', code);
  for (const [name, asset] of Object.entries(assets)) write(name, asset.source, asset.permissions);
  // The repository's package.json says "type": "module"; the bundle is CommonJS.
  write('package.json', `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
  await compress(dist);
  mergeChunksLoadedTogether(dist);
  compileModulesAtLoad(dist);
}

/**
 * webpack splits what one dynamic import loads into several chunks (those shared with other imports
 * apart), which the bundle then reads, resolves and compiles one by one: `Promise.all([r.e(956),
 * r.e(74), r.e(719)])`. Such a group of small chunks becomes one file holding their modules,
 * registered under the group's ids, so a later import of one of them finds it loaded. One file is
 * read and compiled once, and its text, larger than the young generation's objects, is never copied
 * by the collector. A group with a chunk of 128 KiB or more (the AWS SDK) stays as it is: such a text
 * is kept out of the young generation already, and a copy would double it on disk wherever another
 * import loads the chunk alone. A chunk no longer loaded on its own is removed.
 */
function mergeChunksLoadedTogether(dist) {
  const files = () => readdirSync(dist).filter((name) => name.endsWith('.js'));
  const chunk = (id) => join(dist, `${id}.index.js`);
  const load = createRequire(join(dist, 'index.js'));
  const merged = new Set();
  for (const file of files()) {
    const path = join(dist, file);
    const text = readFileSync(path, 'utf8');
    const rewritten = text.replace(/Promise\.all\(\[((?:[\w$]+\.e\(\d+\),?)+)\]\)/g, (whole, calls) => {
      const parts = [...calls.matchAll(/([\w$]+)\.e\((\d+)\)/g)];
      const ids = parts.map(([, , id]) => id);
      if (new Set(parts.map(([, name]) => name)).size !== 1 || ids.some((id) => statSync(chunk(id)).size >= 128 * 1024)) return whole;
      const id = ids.join('_');
      if (!merged.has(id)) {
        const modules = Object.fromEntries(ids.flatMap((part) => Object.entries(load(chunk(part)).modules)));
        writeChunk(chunk(id), { id, ids: [...ids.map(Number), id], modules });
        merged.add(id);
      }
      return `${parts[0][1]}.e(${JSON.stringify(id)})`;
    });
    if (rewritten !== text) writeFileSync(path, rewritten);
  }
  const stillLoaded = new Set(files().flatMap((file) => [...readFileSync(join(dist, file), 'utf8').matchAll(/\.e\((\d+)\)/g)].map(([, id]) => id)));
  for (const id of new Set([...merged].flatMap((name) => name.split('_')))) if (!stillLoaded.has(id)) rmSync(chunk(id));
}

/**
 * V8 compiles a function lazily: it skims it when its file loads, then parses it again in full on
 * its first call. A bundle's module functions are called as soon as their file loads (the entry's
 * when the action starts, a chunk's when the import that needs it runs), so each is wrapped in
 * parentheses, which V8 reads as "called at once": it is compiled once, as the file loads. The
 * functions inside a module stay lazy.
 */
function compileModulesAtLoad(dist) {
  const load = createRequire(join(dist, 'index.js'));
  for (const file of readdirSync(dist).filter((name) => name.endsWith('.index.js'))) {
    const path = join(dist, file);
    const { id, ids, modules, ...rest } = load(path);
    if (Object.keys(rest).length || !Array.isArray(ids) || typeof modules !== 'object') throw new Error(`${path} is not a chunk as webpack writes them (exports id, ids and modules)`);
    writeChunk(path, { id, ids, modules });
  }
  const entry = join(dist, 'index.js');
  const code = readFileSync(entry, 'utf8');
  let factories;
  walk(acorn.parse(code, { ecmaVersion: 'latest' }), (node) => {
    const isFactory = (property) => property.type === 'Property' && property.key.type === 'Literal' && typeof property.key.value === 'number' && /Function/.test(property.value.type);
    if (!factories && node.type === 'ObjectExpression' && node.properties.length && node.properties.every(isFactory)) factories = node.properties.map((property) => property.value);
  });
  if (!factories) throw new Error(`${entry} has no module table (an object of numbered functions) to mark`);
  let marked = code;
  for (const { start, end } of factories.reverse()) marked = `${marked.slice(0, start)}(${marked.slice(start, end)})${marked.slice(end)}`;
  writeFileSync(entry, marked);
}

/** Writes a chunk as webpack does, each module function in parentheses (see compileModulesAtLoad). */
function writeChunk(path, { id, ids, modules }) {
  const body = Object.entries(modules).map(([key, factory]) => `${key}:(${factory.toString()})`);
  writeFileSync(path, `"use strict";exports.id=${JSON.stringify(id)},exports.ids=${JSON.stringify(ids)},exports.modules={${body.join(',')}};\n`);
  delete createRequire(path).cache[path];
  if (Object.keys(createRequire(path)(path).modules).length !== body.length) throw new Error(`${path} lost modules when it was rewritten`);
}

function walk(node, visit) {
  visit(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const item of value) if (item && typeof item.type === 'string') walk(item, visit);
    if (value && typeof value.type === 'string') walk(value, visit);
  }
}

// ncc only mangles its entry file and leaves split chunks as they are; compress every file, so the
// code an action loads on demand (the AWS SDK) is as small as its entry. Names stay: some libraries read them.
async function compress(dist) {
  for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) {
    const path = join(dist, file);
    const result = await minify(readFileSync(path, 'utf8'), {
      compress: { passes: 2 },
      mangle: { keep_classnames: true, keep_fnames: true },
      keep_classnames: true,
      keep_fnames: true,
      // ASCII only: Node reads an ASCII file into a one-byte string, half the memory and time of other text.
      format: { comments: false, ascii_only: true },
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
