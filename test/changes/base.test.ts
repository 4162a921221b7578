import { describe, expect, it } from '@jest/globals';
import { chooseBase, eventInfo, type BaseRequest } from '../../shared/changes/base.js';
import { ZERO_SHA } from '../../shared/changes/git.js';

const BEFORE = 'a'.repeat(40);
const AFTER = 'b'.repeat(40);

function choose(name: string, payload: Record<string, unknown>, request: Partial<BaseRequest> = {}) {
  return chooseBase({ event: eventInfo(name, payload), since: 'event', defaultBranch: 'main', ...request });
}

describe('choosing the base from the event', () => {
  it('push: the commit before the push, compared directly, also when the push was forced', () => {
    expect(choose('push', { before: BEFORE, after: AFTER, forced: false, ref: 'refs/heads/main' })).toEqual({ kind: 'commit', ref: BEFORE, why: 'the commit before the push', direct: true });
    expect(choose('push', { before: BEFORE, after: AFTER, forced: true, ref: 'refs/heads/main' })).toEqual({
      kind: 'commit',
      ref: BEFORE,
      why: 'the commit before the push (a force push: the tip it replaced, which is what was deployed)',
      direct: true,
      forced: true,
    });
  });

  it('first push of a branch: its merge-base with the default branch; of the default branch or a tag: every service', () => {
    expect(choose('push', { before: ZERO_SHA, after: AFTER, ref: 'refs/heads/feature/x' })).toEqual({ kind: 'default-branch', branch: 'main', why: 'the first push of feature/x: its merge-base with main' });
    expect(choose('push', { before: ZERO_SHA, ref: 'refs/heads/trunk' }, { defaultBranch: 'trunk' })).toEqual({ kind: 'all', why: 'the first push to the default branch (trunk)' });
    expect(choose('push', { before: ZERO_SHA, ref: 'refs/tags/v1.2.0' })).toEqual({ kind: 'all', why: 'a new tag (v1.2.0) has no earlier commit to compare with' });
    expect(choose('push', {})).toEqual({ kind: 'all', why: 'the push event carries no "before" commit' });
  });

  it('pull_request and pull_request_target: the merge-base with the base branch', () => {
    for (const name of ['pull_request', 'pull_request_target']) {
      expect(choose(name, { pull_request: { base: { sha: BEFORE }, head: { sha: AFTER } } })).toEqual({ kind: 'commit', ref: BEFORE, why: "the merge-base of the pull request's base and head" });
    }
  });

  it('merge_group: its base commit, an ancestor of the merge it tests', () => {
    expect(choose('merge_group', { merge_group: { base_sha: BEFORE, head_sha: AFTER } })).toEqual({ kind: 'commit', ref: BEFORE, why: "the merge group's base commit", direct: true });
  });

  it('workflow_dispatch, schedule and events without a base: every service', () => {
    expect(choose('workflow_dispatch', {})).toEqual({ kind: 'all', why: 'a workflow_dispatch run with neither "services" nor "base" given' });
    expect(choose('schedule', {})).toEqual({ kind: 'all', why: 'a schedule run with neither "services" nor "base" given' });
    expect(choose('release', {})).toEqual({ kind: 'all', why: 'the release event has no base commit to compare with (set the "base" input)' });
  });

  it('inputs win: services, then base, then since: last-deployed', () => {
    const pushed = { before: BEFORE, after: AFTER, forced: false, ref: 'refs/heads/main' };
    expect(choose('push', pushed, { services: ['api', 'web'], base: 'v1' })).toEqual({ kind: 'named', names: ['api', 'web'], why: 'named in the services input' });
    expect(choose('workflow_dispatch', {}, { services: ['ALL'] })).toEqual({ kind: 'all', why: 'the services input is "all"' });
    expect(choose('push', pushed, { base: 'v1.0.0', since: 'last-deployed' })).toEqual({ kind: 'commit', ref: 'v1.0.0', why: 'the given base' });
    expect(choose('push', pushed, { since: 'last-deployed' })).toEqual({ kind: 'last-deployed', why: 'since: last-deployed' });
  });
});
