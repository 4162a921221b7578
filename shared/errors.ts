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

/** A value for a message, cut to `max` characters so a pasted blob cannot flood the log; the message puts the quotes around it. */
export function quoted(value: string, max = 80): string {
  return value.length > max ? `${value.slice(0, max - 3)}...` : value;
}

/**
 * A value quoted for a message in JSON string syntax (line breaks and quotes show as escapes), with
 * invisible and direction-changing characters escaped too, and cut like quoted(): for values that
 * may come from anyone (notify's inputs).
 */
export function quote(value: string, max = 60): string {
  return JSON.stringify(quoted(value, max)).replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** JSON.parse, with a syntax error turned into the caller's UserError; `refuse` gets the parser's words. */
export function parseJson(text: string, refuse: (reason: string) => UserError): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw refuse(errorMessage(error));
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
