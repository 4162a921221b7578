import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { detectChanges, type ChangePlan, type DetectRequest } from '../../shared/changes/detect.js';
import { TestRepo } from '../../standins/git-repo.js';
import { shopFiles } from './shop.js';

const repos: TestRepo[] = [];
afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

/** The shop as the upstream repository CI clones; like GitHub, it serves any commit it has by id. */
function upstream(): { origin: TestRepo; work: TestRepo; fork: string } {
  const origin = TestRepo.create('origin.git', { bare: true });
  origin.git('config', 'uploadpack.allowAnySHA1InWant', 'true');
  repos.push(origin);
  const work = TestRepo.clone(origin, 'work');
  const fork = work.commit('Shop', shopFiles());
  work.git('push', '--quiet', 'origin', 'main');
  return { origin, work, fork };
}

async function detect(repo: TestRepo, request: Partial<DetectRequest>): Promise<{ plan: ChangePlan; log: string[] }> {
  const log: string[] = [];
  const plan = await detectChanges({
    directory: repo.dir,
    manifest: '.github/services.yml',
    since: 'event',
    event: { name: 'push' },
    defaultBranch: 'main',
    fetch: true,
    missingBase: 'all',
    log: (line) => log.push(line),
    ...request,
  });
  return { plan, log };
}

const changed = (plan: ChangePlan) => plan.services.filter((change) => change.changed).map((change) => change.service.name);
const forcePush = (before: string, head: string, branch: string) => ({ head, event: { name: 'push', before, after: head, forced: true, ref: `refs/heads/${branch}` } });

/** feature gets api and web commits and is pushed; then it is reset to `fork`, given a worker commit instead, and force-pushed. */
function rewriteFeature(work: TestRepo, fork: string): { deadTip: string; head: string } {
  work.git('checkout', '--quiet', '-b', 'feature');
  work.commit('Api', { 'apps/api/src/server.ts': 'export const f1 = 1;\n' });
  const deadTip = work.commit('Web', { 'apps/web/src/page.tsx': 'export const f2 = 2;\n' });
  work.git('push', '--quiet', 'origin', 'feature');
  work.git('reset', '--quiet', '--hard', fork);
  const head = work.commit('Worker instead', { 'services/worker/main.go': 'package main // rewritten\n' });
  work.git('push', '--quiet', '--force', 'origin', 'feature');
  return { deadTip, head };
}

/** What GitHub does some time after a force push: the commits no branch holds are gone. */
function collectGarbage(origin: TestRepo): void {
  origin.git('reflog', 'expire', '--expire=now', '--all');
  origin.git('gc', '--quiet', '--prune=now');
}

describe('a force push is compared with what it replaced', () => {
  it('fetches the replaced tip by id and compares the trees, so services only the dropped commits touched are redeployed', async () => {
    const { origin, work, fork } = upstream();
    const { deadTip, head } = rewriteFeature(work, fork);
    const ci = TestRepo.clone(origin, 'ci', ['--depth=1', '--branch', 'feature']);
    const { plan, log } = await detect(ci, forcePush(deadTip, head, 'feature'));
    // api and web run the dropped commits' code: they go back to what feature holds now.
    expect(changed(plan)).toEqual(['api', 'web', 'worker']);
    expect(plan.base).toBe(deadTip);
    expect(plan.baseNote).toBe('the commit before the push (a force push: the tip it replaced, which is what was deployed)');
    expect(plan.warnings).toEqual([]);
    expect(log).toEqual([`Fetching the commit before the push ${deadTip.slice(0, 7)} from origin.`]);
  });

  it('an amend that leaves the files as they were marks nothing', async () => {
    const { origin, work } = upstream();
    const before = work.commit('Web', { 'apps/web/src/page.tsx': 'export const typo = 1;\n' });
    work.git('push', '--quiet', 'origin', 'main');
    work.git('commit', '--quiet', '--amend', '-m', 'Web, with a better message');
    const head = work.sha();
    work.git('push', '--quiet', '--force', 'origin', 'main');
    const ci = TestRepo.clone(origin, 'ci', ['--depth=1']);
    const { plan } = await detect(ci, forcePush(before, head, 'main'));
    expect(head).not.toBe(before);
    expect(changed(plan)).toEqual([]);
    expect(plan.changedPaths).toBe(0);
  });

  it('a replaced tip that cannot be had: a branch is compared with its merge-base with the default branch, with a warning naming the commits', async () => {
    const { origin, work, fork } = upstream();
    const { deadTip, head } = rewriteFeature(work, fork);
    collectGarbage(origin);
    const ci = TestRepo.clone(origin, 'ci', ['--depth=1', '--branch', 'feature']);
    const { plan } = await detect(ci, forcePush(deadTip, head, 'feature'));
    expect(changed(plan)).toEqual(['worker']);
    expect(plan.base).toBe(fork);
    expect(plan.baseNote).toBe('the merge-base with main, since the commit before the push cannot be had');
    expect(plan.warnings).toEqual([
      `Compared ${head.slice(0, 7)} with its merge-base with main (${fork.slice(0, 7)}), not with what was deployed from feature: the commit before the push, ${deadTip}, ` +
        `is not in the clone and cannot be fetched (not our ref ${deadTip}). A service changed only by commits the push replaced is not marked. ` +
        'Set "since: last-deployed" to compare each service with the commit its ECS service runs.',
    ]);
  });

  it('a replaced tip of the default branch that cannot be had: every service, with a warning naming the commit', async () => {
    const { origin, work, fork } = upstream();
    const deadTip = work.commit('Api', { 'apps/api/src/server.ts': 'export const bad = 1;\n' });
    work.git('push', '--quiet', 'origin', 'main');
    work.git('reset', '--quiet', '--hard', fork);
    const head = work.commit('Web', { 'apps/web/src/page.tsx': 'export const good = 1;\n' });
    work.git('push', '--quiet', '--force', 'origin', 'main');
    collectGarbage(origin);
    const ci = TestRepo.clone(origin, 'ci', ['--depth=1']);
    const { plan } = await detect(ci, forcePush(deadTip, head, 'main'));
    expect(changed(plan)).toEqual(['api', 'web', 'worker']);
    expect(plan.warnings).toEqual([
      `Every service counts as changed: the commit before the push, ${deadTip}, is not in the clone and cannot be fetched (not our ref ${deadTip}). ` +
        'Set "since: last-deployed" to compare each service with the commit its ECS service runs.',
    ]);
  });
});

describe('a remote that refuses a fetch is asked once, and the warning says what to check', () => {
  /** A shallow CI clone whose push base is missing, with its remote pointed at `url`. */
  function shallowClone(url: string): { ci: TestRepo; before: string; head: string } {
    const { origin, work } = upstream();
    const before = work.commit('Api', { 'apps/api/src/server.ts': 'export const a = 1;\n' });
    const head = work.commit('Web', { 'apps/web/src/page.tsx': 'export const b = 2;\n' });
    work.git('push', '--quiet', 'origin', 'main');
    const ci = TestRepo.clone(origin, 'ci', ['--depth=1']);
    ci.git('remote', 'set-url', 'origin', url);
    return { ci, before, head };
  }

  it('a repository that does not exist (or that the token cannot see)', async () => {
    const { ci, before, head } = shallowClone('file:///nonexistent/shop.git');
    const { plan, log } = await detect(ci, { head, event: { name: 'push', before, after: head, forced: false, ref: 'refs/heads/main' } });
    expect(changed(plan)).toEqual(['api', 'web', 'worker']);
    expect(log.filter((line) => line.startsWith('Fetching'))).toHaveLength(1);
    expect(log).toContain('  No more fetches from origin: its answer would be the same.');
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]).toContain(`the commit before the push, ${before}, is not in the clone and cannot be fetched: origin answered that the repository does not exist (`);
    expect(plan.warnings[0]).toContain("'/nonexistent/shop.git' does not appear to be a git repository");
    expect(plan.warnings[0]).toContain('check the token actions/checkout uses');
    expect(plan.warnings[0]).toContain('`fetch-depth: 0`');
  });

  it('a server that asks for credentials', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const { ci, before, head } = shallowClone(`http://127.0.0.1:${(server.address() as AddressInfo).port}/acme/shop.git`);
      const { plan, log } = await detect(ci, { head, event: { name: 'push', before, after: head, forced: false, ref: 'refs/heads/main' } });
      expect(changed(plan)).toEqual(['api', 'web', 'worker']);
      expect(log.filter((line) => line.startsWith('Fetching'))).toEqual([`Fetching the commit before the push ${before.slice(0, 7)} from origin.`]);
      expect(requests).toBeGreaterThan(0);
      expect(plan.warnings[0]).toContain('git could not authenticate to origin (');
      expect(plan.warnings[0]).toContain('`persist-credentials: true`');
      expect(plan.warnings[0]).toContain('a run started from a private fork gets no credentials');
      expect(plan.warnings[0]).toContain('`fetch-depth: 0`');
    } finally {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
  });
});
