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
  let step = main;
  if (post) {
    if (core.getState(IS_POST) === 'true') step = post;
    else core.saveState(IS_POST, 'true');
  }
  await runStep(step);
  exitOnceWritten();
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

/**
 * Ends the process as soon as the step's log has reached the runner (outputs and the summary are
 * written synchronously): not when the event loop runs empty (a program left to finish on its own,
 * such as git reading the end of its input, can hold it a few milliseconds), nor after Node has
 * freed its heap page by page, which takes another 4 to 5 ms. A pipe the runner reads slowly keeps
 * log lines queued in this process; each stream calls back once what was written before is out.
 */
function exitOnceWritten(): void {
  let waiting = 2;
  const written = () => {
    if (--waiting === 0) process.exit();
  };
  process.stdout.write('', written);
  process.stderr.write('', written);
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
