/** The stale-bundle check CI runs after rebuilding: it must see any change inside any dist folder. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../standins/run-action.js';

const repo = mkdtempSync(join(tmpdir(), 'check-dist-'));
const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
const check = () => spawnSync('bash', [join(repo, 'scripts', 'check-dist.sh'), '--compare-only'], { encoding: 'utf8' });

describe('scripts/check-dist.sh', () => {
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('passes on committed bundles and fails on a changed, a new or a deleted file in any dist folder', () => {
    mkdirSync(join(repo, 'scripts'));
    copyFileSync(join(REPO_ROOT, 'scripts', 'check-dist.sh'), join(repo, 'scripts', 'check-dist.sh'));
    for (const action of ['changes', 'notify']) {
      mkdirSync(join(repo, 'actions', action, 'dist'), { recursive: true });
      writeFileSync(join(repo, 'actions', action, 'dist', 'index.js'), `// ${action}\n`);
      writeFileSync(join(repo, 'actions', action, 'dist', '10.index.js'), '// chunk\n');
    }
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'bundles');
    expect(check().status).toBe(0);

    appendFileSync(join(repo, 'actions', 'changes', 'dist', 'index.js'), '// rebuilt differently\n');
    const changed = check();
    expect(changed.status).toBe(1);
    expect(changed.stderr).toContain('actions/changes/dist/index.js');
    git('checkout', '--', '.');

    writeFileSync(join(repo, 'actions', 'notify', 'dist', '20.index.js'), '// new chunk\n');
    expect(check().stderr).toContain('actions/notify/dist/20.index.js');
    rmSync(join(repo, 'actions', 'notify', 'dist', '20.index.js'));

    rmSync(join(repo, 'actions', 'notify', 'dist', '10.index.js'));
    expect(check().stderr).toContain('actions/notify/dist/10.index.js');
  });
});
