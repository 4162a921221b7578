/** The one outcome a message announces, from the given status or the caller's needs, refined by the evidence. */
import { UserError } from '../errors.js';
import type { ChangesResult, DeploymentResult, MigrationResult, NeedsResult, Status } from './types.js';

export type Outcome = 'started' | 'succeeded' | 'failed' | 'rolled-back' | 'cancelled' | 'skipped';

export interface OutcomeEvidence {
  status?: Status;
  needs?: NeedsResult;
  changes?: ChangesResult;
  migration?: MigrationResult;
  deployment?: DeploymentResult;
}

const FROM_STATUS: Record<Status, Outcome> = { started: 'started', success: 'succeeded', failure: 'failed', cancelled: 'cancelled', skipped: 'skipped' };

/** Any failure fails the run; otherwise any cancellation cancels it; all skipped is skipped. */
function outcomeFromNeeds(needs: NeedsResult): Outcome {
  const results = Object.values(needs).map((job) => job.result);
  if (results.includes('failure')) return 'failed';
  if (results.includes('cancelled')) return 'cancelled';
  if (results.every((result) => result === 'skipped')) return 'skipped';
  return 'succeeded';
}

const MIGRATION_FAILED = new Set(['failed', 'timed-out']);

function outcomeFromResults(evidence: OutcomeEvidence): Outcome | undefined {
  const { deployment, migration } = evidence;
  if (deployment?.outcome === 'rolled-back') return 'rolled-back';
  if (deployment?.outcome === 'failed') return 'failed';
  if (migration?.status && MIGRATION_FAILED.has(migration.status)) return 'failed';
  if (migration?.status === 'cancelled') return 'cancelled';
  if (deployment?.outcome === 'deployed') return 'succeeded';
  if (migration?.status === 'succeeded') return 'succeeded';
  return undefined;
}

/**
 * The status input wins, then the needs results, then the results themselves. A deploy that rolled
 * back reads as "rolled back" rather than "failed", and a result that reports a failure is never
 * announced as a success. Undefined when nothing says how it went.
 */
export function resolveOutcome(evidence: OutcomeEvidence): Outcome | undefined {
  // The needs of a job that needs nothing ({}) say nothing: they must not read as "all skipped".
  const needs = evidence.needs && Object.keys(evidence.needs).length > 0 ? evidence.needs : undefined;
  const base = evidence.status ? FROM_STATUS[evidence.status] : needs ? outcomeFromNeeds(needs) : undefined;
  const fromResults = outcomeFromResults(evidence);
  if (base === undefined) return fromResults;
  if (base === 'started' || base === 'cancelled' || base === 'skipped') return base;
  if (fromResults === 'rolled-back') return 'rolled-back';
  if (base === 'succeeded') {
    if (fromResults && fromResults !== 'succeeded') return fromResults;
    const nothingChanged = evidence.changes !== undefined && evidence.changes.changed.length === 0;
    if (nothingChanged && !evidence.deployment?.services.length) return 'skipped';
  }
  return base;
}

/** The outcome, or a UserError naming the inputs that would say it. */
export function requireOutcome(evidence: OutcomeEvidence): Outcome {
  const outcome = resolveOutcome(evidence);
  if (outcome !== undefined) return outcome;
  throw new UserError(
    'Input "status" is empty, and neither "needs" nor a "deployment" or "migration" result says how the deployment went.',
    'Set "status: ${{ job.status }}" (or started, success, failure, cancelled, skipped), or pass "needs: ${{ toJSON(needs) }}" from a job that runs with "if: always()" after the others.',
  );
}
