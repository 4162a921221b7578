#!/usr/bin/env node
// Checks that a commit can be released as a version, and says how: the tag, whether it is a
// pre-release, whether it becomes the latest release and moves the major tag (v0, v1, ...), and the
// release notes (the version's CHANGELOG.md entry, and how to pin the release). Plain Node, no
// dependencies: the release workflow runs it before installing anything.
//
// Usage: node scripts/release-plan.mjs <vX.Y.Z> [--sha <commit>] [--branch <ref>] [--notes <file>]
//   --sha      the commit to release (default HEAD); an existing tag must point at it
//   --branch   a ref the commit must be on, e.g. origin/main
//   --notes    write the release notes to this file
// With GITHUB_OUTPUT set, writes tag, version, prerelease, latest and major-tag there.
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

class PlanError extends Error {
  constructor(message, hint) {
    super(`${message}\n  ${hint}`);
  }
}

const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const gitOk = (...args) => {
  try {
    return git(...args);
  } catch {
    return undefined;
  }
};

function parseVersion(text) {
  const match = SEMVER.exec(text);
  if (!match) return undefined;
  const [, major, minor, patch, pre] = match;
  return { major: Number(major), minor: Number(minor), patch: Number(patch), pre, version: text.replace(/^v/, '') };
}

/** Release order of two versions without pre-release parts. */
const compare = (a, b) => a.major - b.major || a.minor - b.minor || a.patch - b.patch;

/** The body of `## <version> - <date>` in the changelog (links in brackets allowed), and its date. */
export function changelogEntry(changelog, version) {
  const lines = changelog.split('\n');
  const heading = /^## \[?([^\]\s]+)\]?\s+-\s+(.+?)\s*$/;
  const start = lines.findIndex((line) => heading.exec(line)?.[1] === version);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && /^## /.test(line));
  const body = lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .replace(/^\s*\n/, '')
    .trimEnd();
  // Link definitions at the end of the file belong to the whole changelog, not to the last entry.
  return { date: heading.exec(lines[start])[2], body: body.replace(/(\n\[[^\]]+\]: \S+)+$/, '').trimEnd() };
}

export function plan({ tag: given, sha, branch, root = process.cwd() }) {
  const parsed = parseVersion(given ?? '');
  if (!parsed) throw new PlanError(`"${given ?? ''}" is not a release version.`, 'Give a tag such as v0.2.0 (or v0.2.0-rc.1 for a pre-release).');
  const { version } = parsed;
  const tag = `v${version}`;

  const packageVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  if (packageVersion !== version) {
    throw new PlanError(`package.json says version ${packageVersion}, but the release is ${tag}.`, `Set it in the release commit: npm version ${version} --no-git-tag-version, then commit package.json and package-lock.json.`);
  }

  const entry = changelogEntry(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
  if (!entry) throw new PlanError(`CHANGELOG.md has no entry for ${version}.`, `Add "## ${version} - YYYY-MM-DD" with what changed (rename "## Unreleased" if the changes are there).`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(entry.date) || Number.isNaN(Date.parse(entry.date))) {
    throw new PlanError(`CHANGELOG.md's entry for ${version} is dated "${entry.date}", not a date.`, `Write the release date in the release commit: "## ${version} - ${new Date().toISOString().slice(0, 10)}".`);
  }
  if (!entry.body.trim()) throw new PlanError(`CHANGELOG.md's entry for ${version} is empty.`, 'Say what changed for users: added, changed (with what to do), fixed.');

  const commit = git('-C', root, 'rev-parse', '--verify', `${sha ?? 'HEAD'}^{commit}`);
  const tagged = gitOk('-C', root, 'rev-parse', '--verify', '--quiet', `refs/tags/${tag}^{commit}`);
  if (tagged && tagged !== commit) {
    throw new PlanError(`The tag ${tag} already exists, at ${tagged}, not at ${commit}.`, 'A released version is never moved: release the next version instead.');
  }
  if (branch && gitOk('-C', root, 'merge-base', '--is-ancestor', commit, branch) === undefined) {
    throw new PlanError(`${commit} is not on ${branch}.`, `Release a commit of ${branch}: merge the release commit first, then tag it.`);
  }

  const prerelease = Boolean(parsed.pre);
  const released = git('-C', root, 'tag', '--list', 'v*')
    .split('\n')
    .map(parseVersion)
    .filter((other) => other && !other.pre && other.version !== version);
  const newer = released.filter((other) => compare(other, parsed) > 0);
  const newestOfMajor = !newer.some((other) => other.major === parsed.major);
  const latest = !prerelease && newer.length === 0;
  const majorTag = !prerelease && newestOfMajor ? `v${parsed.major}` : '';
  return { tag, version, commit, date: entry.date, prerelease, latest, majorTag, notes: entry.body };
}

/** The changelog entry, then the lines a user copies to pin this release by commit. */
export function releaseNotes({ tag, commit, notes }, repository) {
  return [
    notes,
    '',
    '### Use this release',
    '',
    'Pin it by commit, with the tag in a comment (a tag can be moved; a commit cannot), e.g.:',
    '',
    '```yaml',
    `uses: ${repository}/.github/workflows/deploy.yml@${commit} # ${tag}`,
    `uses: ${repository}/actions/deploy-ecs@${commit} # ${tag}`,
    '```',
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { sha: { type: 'string' }, branch: { type: 'string' }, notes: { type: 'string' } } });
  try {
    const result = plan({ tag: positionals[0], sha: values.sha, branch: values.branch });
    if (values.notes) writeFileSync(values.notes, releaseNotes(result, process.env.GITHUB_REPOSITORY || 'berth-actions/berth'));
    const outputs = { tag: result.tag, version: result.version, prerelease: String(result.prerelease), latest: String(result.latest), 'major-tag': result.majorTag };
    if (process.env.GITHUB_OUTPUT)
      appendFileSync(
        process.env.GITHUB_OUTPUT,
        Object.entries(outputs)
          .map(([name, value]) => `${name}=${value}\n`)
          .join(''),
      );
    console.log(`${result.tag} (${result.date}) from ${result.commit}`);
    console.log(result.prerelease ? '  a pre-release: not the latest release, no major tag moved' : result.latest ? '  the latest release' : '  not the latest release: a newer version exists');
    if (!result.prerelease) console.log(result.majorTag ? `  moves ${result.majorTag} to it` : `  leaves v${result.version.split('.')[0]} where it is: a newer release of that major exists`);
  } catch (error) {
    if (!(error instanceof PlanError)) throw error;
    // On a runner, an annotation on the run; anywhere else, the message and what to do.
    console.error(process.env.GITHUB_ACTIONS === 'true' ? `::error title=Cannot release::${error.message.replace(/\n/g, '%0A')}` : error.message);
    process.exit(1);
  }
}
