#!/usr/bin/env node
// Points every reference to this suite in the README, the actions' READMEs and the example's
// workflows at a release: `<owner>/<repo>/<path>@<commit of the tag> # <tag>`. Run it after a
// release (the tag must be in this clone: git fetch --tags), review the diff and commit it.
// Usage: node scripts/pin-release.mjs <vX.Y.Z>
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const tag = process.argv[2] ?? '';
const fail = (message) => {
  console.error(message);
  process.exit(1);
};
if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(tag)) fail(`"${tag}" is not a release tag.\n  Give the tag of a release, e.g. node scripts/pin-release.mjs v0.1.0`);

let commit;
try {
  commit = execFileSync('git', ['rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`], { cwd: root, encoding: 'utf8' }).trim();
} catch {
  fail(`This clone has no tag ${tag}.\n  Fetch the tags (git fetch --tags origin), or check the release exists on GitHub.`);
}

const { url } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).repository ?? {};
const repository = /github\.com[/:]([^/]+\/[^/.]+)/.exec(url ?? '')?.[1];
if (!repository) fail('package.json has no GitHub "repository" url, so the references to pin are unknown.');

const files = [
  'README.md',
  ...readdirSync(join(root, 'actions')).map((name) => join('actions', name, 'README.md')),
  ...readdirSync(join(root, 'examples')).flatMap((name) => {
    const dir = join('examples', name, '.github', 'workflows');
    return existsSync(join(root, dir))
      ? readdirSync(join(root, dir))
          .filter((file) => /\.ya?ml$/.test(file))
          .map((file) => join(dir, file))
      : [];
  }),
].filter((file) => existsSync(join(root, file)));

const escaped = repository.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const reference = new RegExp(`(${escaped}/[\\w./-]+)@[0-9a-f]{40}(?:[ \\t]*#[ \\t]*v[^\\s]*)?`, 'g');
let total = 0;
for (const file of files) {
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  let count = 0;
  const pinned = text.replace(reference, (_match, target) => {
    count++;
    return `${target}@${commit} # ${tag}`;
  });
  total += count;
  if (pinned !== text) writeFileSync(path, pinned);
  if (count) console.log(`${relative(root, path)}: ${count} reference(s)`);
}
if (total === 0) fail(`No reference to ${repository} pinned by commit was found in ${files.join(', ')}.`);
console.log(`${total} reference(s) to ${repository} now pin ${tag} (${commit}). Review the diff and commit it.`);
