/**
 * The one way every action runs: `run(main, post?)` from its index.ts. One try/catch that ends in
 * core.setFailed with a message saying what to do next, and a job summary written once at the end,
 * whatever happened. An action with a post step (action.yml `post:`) passes it as `post`.
 */
import * as core from './core.js';
import { DeploymentFailure, UserError, errorMessage } from './errors.js';
import { describeAwsError, isAwsError } from './aws/errors.js';
import type { SummaryWriter } from './summary.js';

export interface ActionRun {
  /** Replaces what the job summary will show; the last call wins. */
  setSummary(writer: SummaryWriter): void;
}

/** An action's main step, or its post step. */
export type ActionStep = (action: ActionRun) => Promise<void>;

/** Saved by the main step, so the runner's second call (the post step) can tell itself apart. */
const IS_POST = 'isPost';

export async function run(main: ActionStep, post?: ActionStep): Promise<void> {
  if (post) {
    if (core.getState(IS_POST) === 'true') return runStep(post);
    core.saveState(IS_POST, 'true');
  }
  return runStep(main);
}

async function runStep(step: ActionStep): Promise<void> {
  let writer: SummaryWriter | undefined;
  try {
    await step({ setSummary: (next) => (writer = next) });
  } catch (error) {
    if (error instanceof UserError) {
      for (const problem of error.problems) {
        core.error(problem.message, { file: problem.file, startLine: problem.line, startColumn: problem.column });
      }
    }
    core.setFailed(failureMessage(error));
  } finally {
    if (writer) await writeSummary(writer);
  }
}

/** A failure to write the summary is a warning: the work it describes already happened. */
async function writeSummary(writer: SummaryWriter): Promise<void> {
  try {
    writer(core.summary.emptyBuffer());
    await core.summary.write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}

export function failureMessage(error: unknown): string {
  if (error instanceof UserError || error instanceof DeploymentFailure) {
    return error.hint ? `${error.message}\n${error.hint}` : error.message;
  }
  if (isAwsError(error)) {
    const { message, hint } = describeAwsError(error);
    return `${message}\n${hint}`;
  }
  if (error instanceof Error && error.stack) core.debug(error.stack);
  return (
    `Unexpected error: ${errorMessage(error)}\n` +
    'Re-run the job with debug logging enabled (secret ACTIONS_STEP_DEBUG=true) to see the stack trace, and report it if it happens again.'
  );
}

/** Runs one phase of an action inside a collapsible log group. */
export function phase<T>(title: string, body: () => Promise<T>): Promise<T> {
  return core.group(title, body);
}

