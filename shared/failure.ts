/** The message a step fails with: what went wrong and what to do next, for every kind of error. */
import * as core from './core.js';
import { DeploymentFailure, UserError, errorMessage } from './errors.js';
import { describeAwsError, isAwsError } from './aws/errors.js';

export function failureMessage(error: unknown): string {
  if (error instanceof UserError || error instanceof DeploymentFailure) {
    return error.hint ? `${error.message}\n${error.hint}` : error.message;
  }
  if (isAwsError(error)) {
    const { message, hint } = describeAwsError(error);
    return `${message}\n${hint}`;
  }
  if (error instanceof Error && error.stack) core.debug(error.stack);
  return `Unexpected error: ${errorMessage(error)}\n` + 'Re-run the job with debug logging enabled (secret ACTIONS_STEP_DEBUG=true) to see the stack trace, and report it if it happens again.';
}
