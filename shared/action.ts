/**
 * The one way every action runs: `run(main, post?)` from its index.ts. One try/catch that ends in
 * core.setFailed with a message saying what to do next, and a job summary written once at the end,
 * whatever happened. An action with a post step (action.yml `post:`) passes it as `post`.
 */
import * as core from './core.js';
import { UserError, errorMessage } from './errors.js';
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
    // What AWS errors say (and the IAM action to allow) is loaded only when a step fails.
    const { failureMessage } = await import('./failure.js');
    core.setFailed(failureMessage(error));
  } finally {
    if (writer) writeSummary(writer);
  }
}

/** A failure to write the summary is a warning: the work it describes already happened. */
function writeSummary(writer: SummaryWriter): void {
  try {
    writer(core.summary.emptyBuffer());
    core.writeSummary();
  } catch (error) {
    core.warning(`Could not write the job summary: ${errorMessage(error)}`);
  }
}

/** Runs one phase of an action inside a collapsible log group. */
export function phase<T>(title: string, body: () => Promise<T>): Promise<T> {
  return core.group(title, body);
}
