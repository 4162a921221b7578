/** A problem at a place in a file, shown as an annotation on that line. */
export interface FileProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

/**
 * A mistake the user can fix: configuration, inputs, permissions, missing resources.
 * `message` says what is wrong; `hint` says what to do about it.
 */
export class UserError extends Error {
  override readonly name: string = 'UserError';
  constructor(
    message: string,
    readonly hint?: string,
    readonly problems: FileProblem[] = [],
  ) {
    super(message);
  }
}

/** Raised when a step gives up on purpose (a failed rollout, a failed migration) after reporting the evidence. */
export class DeploymentFailure extends Error {
  override readonly name = 'DeploymentFailure';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A value quoted in a message, cut to `max` characters so a pasted blob cannot flood the log. */
export function quoted(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max - 3)}...` : value;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
