/**
 * What to compare the head commit with, decided from the inputs and the event that started the run,
 * before any git command runs.
 */
import { FULL_SHA, ZERO_SHA } from './git.js';

/** The parts of a webhook payload that decide the base. */
export interface EventInfo {
  name: string;
  /** push: the commit the ref pointed at before the push. */
  before?: string;
  /** push: the commit the ref points at now. */
  after?: string;
  /** push: whether the push replaced history; false means `before` is an ancestor of `after`. */
  forced?: boolean;
  /** push: the ref that was pushed (refs/heads/x, refs/tags/y). */
  ref?: string;
  /** pull_request: the base branch's commit. */
  pullRequestBase?: string;
  /** merge_group: the base commit of the queued merge, and the merge it is tested as. */
  mergeGroupBase?: string;
  mergeGroupHead?: string;
  /** repository.default_branch. */
  defaultBranch?: string;
}

export type BaseChoice =
  /**
   * Diff `ref` against the head. `direct`: compare the two trees as they are (a push: what ran
   * before against what is pushed now, even when the push replaced history); otherwise compare the
   * merge-base of the two (a pull request, an explicit base).
   */
  | { kind: 'commit'; ref: string; why: string; direct?: boolean; forced?: boolean }
  /** A new branch: diff against its merge-base with the default branch. */
  | { kind: 'default-branch'; branch: string; why: string }
  /** Per service, the commit its ECS service is running now. */
  | { kind: 'last-deployed'; why: string }
  | { kind: 'all'; why: string }
  | { kind: 'named'; names: string[]; why: string };

export interface BaseRequest {
  event: EventInfo;
  /** An explicit base: always wins. */
  base?: string;
  /** Names, or ['all']. */
  services?: string[];
  since: 'event' | 'last-deployed';
  defaultBranch: string;
}

/** A branch, tag, commit id or expression such as HEAD~3; never something git would read as an option. */
export const REVISION = /^[^\s-][^\s]*$/;

const NO_BASE_EVENTS = new Set(['workflow_dispatch', 'schedule', 'repository_dispatch']);

export function eventInfo(name: string, payload: Record<string, unknown>): EventInfo {
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const sha = (value: unknown) => (typeof value === 'string' && FULL_SHA.test(value) ? value : undefined);
  const object = (value: unknown) => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});
  const pullRequest = object(payload.pull_request);
  return {
    name,
    before: sha(payload.before),
    after: sha(payload.after),
    forced: typeof payload.forced === 'boolean' ? payload.forced : undefined,
    ref: text(payload.ref),
    pullRequestBase: sha(object(pullRequest.base).sha),
    mergeGroupBase: sha(object(payload.merge_group).base_sha),
    mergeGroupHead: sha(object(payload.merge_group).head_sha),
    defaultBranch: text(object(payload.repository).default_branch),
  };
}

export function chooseBase(request: BaseRequest): BaseChoice {
  const { event, base, services } = request;
  if (services?.length) {
    if (services.length === 1 && services[0]!.toLowerCase() === 'all') return { kind: 'all', why: 'the services input is "all"' };
    return { kind: 'named', names: services, why: 'named in the services input' };
  }
  if (base) return { kind: 'commit', ref: base, why: 'the given base' };
  if (request.since === 'last-deployed') return { kind: 'last-deployed', why: 'since: last-deployed' };

  switch (event.name) {
    case 'push':
      return pushBase(event, request.defaultBranch);
    case 'pull_request':
    case 'pull_request_target':
      return event.pullRequestBase ? { kind: 'commit', ref: event.pullRequestBase, why: "the merge-base of the pull request's base and head" } : { kind: 'all', why: 'the pull_request event carries no base commit' };
    case 'merge_group':
      return event.mergeGroupBase ? { kind: 'commit', ref: event.mergeGroupBase, why: "the merge group's base commit", direct: true } : { kind: 'all', why: 'the merge_group event carries no base commit' };
    default:
      return {
        kind: 'all',
        why: NO_BASE_EVENTS.has(event.name) ? `a ${event.name} run with neither "services" nor "base" given` : `the ${event.name || 'unknown'} event has no base commit to compare with (set the "base" input)`,
      };
  }
}

function pushBase(event: EventInfo, defaultBranch: string): BaseChoice {
  const { before, ref = '' } = event;
  if (before && before !== ZERO_SHA) {
    return event.forced
      ? { kind: 'commit', ref: before, why: 'the commit before the push (a force push: the tip it replaced, which is what was deployed)', direct: true, forced: true }
      : { kind: 'commit', ref: before, why: 'the commit before the push', direct: true };
  }
  if (!before) return { kind: 'all', why: 'the push event carries no "before" commit' };
  if (ref.startsWith('refs/tags/')) return { kind: 'all', why: `a new tag (${ref.slice('refs/tags/'.length)}) has no earlier commit to compare with` };
  const branch = ref.replace(/^refs\/heads\//, '');
  if (branch === defaultBranch) return { kind: 'all', why: `the first push to the default branch (${defaultBranch})` };
  return { kind: 'default-branch', branch: defaultBranch, why: `the first push of ${branch}: its merge-base with ${defaultBranch}` };
}
