/** What every part of the simulator shares: the API error, JSON values, and the scheduler's delays. */

/** An error the API answers with: its `__type` and message, and the HTTP status. */
export class SimError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

/** From a change to the service scheduler acting on it. */
export const SCHEDULER_DELAY_MS = 2_000;
/** From a task failing to its replacement being launched. */
export const RESTART_DELAY_MS = 5_000;

/** Why a deployment failed on its alarms (the words are the simulator's: AWS does not document them). */
export const alarmReason = (alarms: string[]) => `deployment failed: alarm(s) detected: ${alarms.join(', ')}`;

/** The statusReason ECS gives a deployment whose lifecycle hook failed (observed: aws/containers-roadmap#2664). */
export const HOOK_FAILURE_REASON = 'deployment failed: hook execution failure(s) detected';

/** A random id of `length` characters from [A-Za-z0-9_-]. */
export function randomId(length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  return Array.from({ length }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
}
