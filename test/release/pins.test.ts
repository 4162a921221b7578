/**
 * How the documentation tells users to reference the suite: by commit, with the release tag in a
 * comment, one release everywhere (the README, every action's README, the example's workflows), a
 * release the changelog describes; and scripts/pin-release.mjs, which moves them all to a release.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestRepo } from '../../standins/git-repo.js';
import { REPO_ROOT } from '../../standins/run-action.js';

const DOCUMENTS = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'actions'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `actions/${entry.name}/README.md`),
  ...readdirSync(join(REPO_ROOT, 'examples/monorepo/.github/workflows')).map((name) => `examples/monorepo/.github/workflows/${name}`),
];
const REFERENCE = /berth-actions\/berth\/(?:actions\/[a-z-]+|\.github\/workflows\/[a-z-]+\.yml)@\S+(?:[ \t]*#[^\n]*)?/g;

describe('references to the suite in the documentation', () => {
  const found = DOCUMENTS.flatMap((file) => [...readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(REFERENCE)].map(([text]) => ({ file, text })));

  it('pin a commit with the tag in a comment, the same release everywhere', () => {
    expect(new Set(found.map(({ file }) => file.split('/')[0])).size).toBeGreaterThanOrEqual(3);
    const pins = found.map(({ file, text }) => ({ file, text, pin: /@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(text)?.slice(1).join(' ') }));
    for (const pin of pins) expect(pin).toEqual({ ...pin, pin: expect.any(String) });
    expect([...new Set(pins.map(({ pin }) => pin))]).toHaveLength(1);
  });

  it('name a release the changelog describes', () => {
    const tag = /# (v\d+\.\d+\.\d+)$/.exec(found[0]!.text)![1]!;
    expect(readFileSync(join(REPO_ROOT, 'CHANGELOG.md'), 'utf8')).toMatch(new RegExp(`^## ${tag.slice(1).replace(/\./g, '\\.')} - `, 'm'));
  });
});

describe('pin-release', () => {
  const repos: TestRepo[] = [];
  afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

  const ZERO = '0'.repeat(40);
  function project(): TestRepo {
    const repo = TestRepo.create('berth');
    repos.push(repo);
    repo.commit('suite', {
      'package.json': JSON.stringify({ name: 'berth', repository: { type: 'git', url: 'git+https://github.com/berth-actions/berth.git' } }),
      'README.md': `Pin it:\n\n    uses: berth-actions/berth/.github/workflows/deploy.yml@${ZERO} # v0.1.0\n\nOther actions stay: actions/checkout@v5 and other-org/berth/actions/x@${ZERO} # v9.9.9\n`,
      'actions/notify/README.md': `      - uses: berth-actions/berth/actions/notify@${ZERO} # v0.1.0\n        with: { status: started }\n`,
      'actions/changes/README.md': 'No references here.\n',
      'examples/shop/.github/workflows/deploy.yml': `jobs:\n  deploy:\n    uses: berth-actions/berth/.github/workflows/deploy.yml@${ZERO}   #   v0.1.0\n    secrets: inherit\n`,
    });
    return repo;
  }

  const pin = (repo: TestRepo, tag: string) => spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'pin-release.mjs'), tag], { cwd: repo.dir, env: repo.env, encoding: 'utf8' });

  it("points every reference at the tag's commit, with the tag in the comment, and nothing else", () => {
    const repo = project();
    repo.git('tag', '-a', 'v0.2.0', '-m', 'v0.2.0');
    const commit = repo.sha();
    repo.commit('after the release', { 'CHANGELOG.md': 'later\n' });
    const run = pin(repo, 'v0.2.0');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`3 reference(s) to berth-actions/berth now pin v0.2.0 (${commit})`);
    const read = (file: string) => readFileSync(join(repo.dir, file), 'utf8');
    expect(read('README.md')).toBe(`Pin it:\n\n    uses: berth-actions/berth/.github/workflows/deploy.yml@${commit} # v0.2.0\n\nOther actions stay: actions/checkout@v5 and other-org/berth/actions/x@${ZERO} # v9.9.9\n`);
    expect(read('actions/notify/README.md')).toBe(`      - uses: berth-actions/berth/actions/notify@${commit} # v0.2.0\n        with: { status: started }\n`);
    expect(read('examples/shop/.github/workflows/deploy.yml')).toContain(`deploy.yml@${commit} # v0.2.0\n    secrets: inherit\n`);
    expect(repo.git('status', '--porcelain')).toBe(
      ['M README.md', 'M actions/notify/README.md', 'M examples/shop/.github/workflows/deploy.yml']
        .map((line) => ` ${line}`)
        .join('\n')
        .trim(),
    );
  });

  it('refuses a tag this clone does not have, saying how to fetch it', () => {
    const repo = project();
    const run = pin(repo, 'v0.2.0');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('This clone has no tag v0.2.0.');
    expect(run.stderr).toContain('git fetch --tags origin');
    expect(repo.git('status', '--porcelain')).toBe('');
  });
});
