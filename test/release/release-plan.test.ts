/**
 * scripts/release-plan.mjs, as the release workflow runs it, on real git repositories: which
 * commits can be released as which version, the notes the release gets, and whether the major tag
 * moves. The repository's own changelog must be one the workflow can release from.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRepo } from '../../standins/git-repo.js';
import { REPO_ROOT } from '../../standins/run-action.js';

const SCRIPT = join(REPO_ROOT, 'scripts', 'release-plan.mjs');

const CHANGELOG = `# Changelog

## Unreleased

## 0.2.0 - 2026-12-10

### Changed

- \`deploy-ecs\`: \`wait-timeout\` defaults to 20m.

## 0.1.0 - 2026-12-01

The first release.

[0.2.0]: https://github.com/berth-actions/berth/releases/tag/v0.2.0
`;

const repos: TestRepo[] = [];
const folders: string[] = [];
afterEach(() => {
  repos.splice(0).forEach((repo) => repo.remove());
  folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true }));
});

function project(version: string, changelog = CHANGELOG): TestRepo {
  const repo = TestRepo.create('berth');
  repos.push(repo);
  repo.commit('release', { 'package.json': JSON.stringify({ name: 'berth', version }), 'CHANGELOG.md': changelog });
  return repo;
}

function plan(repo: TestRepo, args: string[]) {
  const outputs = join(mkdtempSync(join(tmpdir(), 'berth-plan-')), 'output');
  folders.push(join(outputs, '..'));
  writeFileSync(outputs, '');
  const result = spawnSync(process.execPath, [SCRIPT, ...args], {
    cwd: repo.dir,
    env: { ...repo.env, GITHUB_OUTPUT: outputs, GITHUB_REPOSITORY: 'acme/berth' },
    encoding: 'utf8',
  });
  const written = Object.fromEntries(
    readFileSync(outputs, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, outputs: written };
}

describe('release-plan', () => {
  it('releases a dated version of package.json with its changelog entry as notes, and moves the major tag', () => {
    const repo = project('0.2.0');
    repo.git('tag', 'v0.1.0');
    const notes = join(repo.dir, '..', 'notes.md');
    const run = plan(repo, ['v0.2.0', '--sha', repo.sha(), '--branch', 'main', '--notes', notes]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ tag: 'v0.2.0', version: '0.2.0', prerelease: 'false', latest: 'true', 'major-tag': 'v0' });
    expect(run.stdout).toContain('moves v0 to it');
    const written = readFileSync(notes, 'utf8');
    expect(written).toMatch(/^### Changed\n\n- `deploy-ecs`: `wait-timeout` defaults to 20m\.\n\n### Use this release\n/);
    expect(written).not.toContain('The first release');
    expect(written).not.toContain('[0.2.0]:');
    expect(written).toContain(`uses: acme/berth/.github/workflows/deploy.yml@${repo.sha()} # v0.2.0`);
  });

  it('takes the version with or without its v, and the tag already pushed at the commit', () => {
    const repo = project('0.1.0');
    repo.git('tag', '-a', 'v0.1.0', '-m', 'v0.1.0');
    const run = plan(repo, ['0.1.0', '--sha', repo.sha()]);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ tag: 'v0.1.0', 'major-tag': 'v0', latest: 'true' });
  });

  it('refuses a version package.json does not say, naming both and the command that sets it', () => {
    const run = plan(project('0.1.0'), ['v0.2.0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('package.json says version 0.1.0, but the release is v0.2.0.');
    expect(run.stderr).toContain('npm version 0.2.0 --no-git-tag-version');
    expect(run.outputs).toEqual({});
  });

  it('refuses an entry that is not dated yet, with the line to write', () => {
    const run = plan(project('0.3.0', CHANGELOG.replace('## Unreleased', '## 0.3.0 - Unreleased')), ['v0.3.0']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`CHANGELOG.md's entry for 0.3.0 is dated "Unreleased", not a date.`);
    expect(run.stderr).toMatch(/"## 0\.3\.0 - \d{4}-\d{2}-\d{2}"/);
  });

  it('refuses a version the changelog does not mention, or mentions with nothing under it', () => {
    const missing = plan(project('0.3.0'), ['v0.3.0']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CHANGELOG.md has no entry for 0.3.0.');
    const empty = plan(project('0.3.0', CHANGELOG.replace('## Unreleased', '## 0.3.0 - 2026-12-20')), ['v0.3.0']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("CHANGELOG.md's entry for 0.3.0 is empty.");
  });

  it('never moves a released tag, and releases only commits of the branch', () => {
    const repo = project('0.2.0');
    const released = repo.sha();
    repo.git('tag', 'v0.2.0');
    repo.commit('later', { 'README.md': 'later\n' });
    const moved = plan(repo, ['v0.2.0', '--sha', repo.sha()]);
    expect(moved.code).toBe(1);
    expect(moved.stderr).toContain(`The tag v0.2.0 already exists, at ${released}, not at ${repo.sha()}.`);

    repo.git('checkout', '--quiet', '-b', 'topic');
    repo.commit('topic', { 'package.json': JSON.stringify({ name: 'berth', version: '0.2.1' }), 'CHANGELOG.md': CHANGELOG.replace('## Unreleased', '## 0.2.1 - 2026-12-11\n\n- A fix.') });
    const offBranch = plan(repo, ['v0.2.1', '--branch', 'main']);
    expect(offBranch.code).toBe(1);
    expect(offBranch.stderr).toContain(`${repo.sha()} is not on main.`);
  });

  it('publishes a fix of an older line without making it the latest or moving the major tag', () => {
    const repo = project('0.1.1', CHANGELOG.replace('## Unreleased', '## 0.1.1 - 2026-12-12\n\n- A fix.'));
    repo.git('tag', 'v0.2.0');
    const run = plan(repo, ['v0.1.1']);
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ latest: 'false', 'major-tag': '' });
    expect(run.stdout).toContain('leaves v0 where it is');

    const nextMajor = project('1.0.0', CHANGELOG.replace('## Unreleased', '## 1.0.0 - 2026-12-30\n\n- Stable.'));
    nextMajor.git('tag', 'v0.2.0');
    expect(plan(nextMajor, ['v1.0.0']).outputs).toMatchObject({ latest: 'true', 'major-tag': 'v1' });
  });

  it('marks a pre-release, which is never the latest and moves no tag', () => {
    const run = plan(project('0.3.0-rc.1', CHANGELOG.replace('## Unreleased', '## 0.3.0-rc.1 - 2026-12-15\n\n- Try it.')), ['v0.3.0-rc.1']);
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({ tag: 'v0.3.0-rc.1', version: '0.3.0-rc.1', prerelease: 'true', latest: 'false', 'major-tag': '' });
  });

  it("releases this repository's own changelog entry for package.json's version, once it is dated", () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const changelog = readFileSync(join(REPO_ROOT, 'CHANGELOG.md'), 'utf8');
    const heading = new RegExp(`^## ${version.replace(/\./g, '\\.')} - (\\d{4}-\\d{2}-\\d{2}|Unreleased)$`, 'm');
    expect(changelog).toMatch(heading);
    const repo = project(version, changelog.replace(heading, `## ${version} - 2026-12-31`));
    const notes = join(repo.dir, '..', 'notes.md');
    const run = plan(repo, [`v${version}`, '--notes', notes]);
    expect(run.stderr).toBe('');
    expect(readFileSync(notes, 'utf8')).toMatch(/### Added\n\n- \*\*Services manifest\*\*/);
  });
});
