import { UserError } from '../../shared/errors.js';

/** The UserError `action` throws; fails the test when it throws nothing or something else. */
export function userErrorOf(action: () => unknown): UserError {
  try {
    action();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}
