import { sleep as defaultSleep } from './time.js';

export interface RetryOptions {
  /** Total tries, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  /** Give up once this much time has passed, even with tries left. */
  totalMs?: number;
  /** Why the error is worth another try, or undefined when it is not. */
  retryable: (error: unknown) => string | undefined;
  /** The wait before the next try when the error says how long (e.g. an HTTP Retry-After); the backoff otherwise. */
  delayFor?: (error: unknown, backoffMs: number) => number;
  onRetry?: (info: { error: unknown; reason: string; attempt: number; delayMs: number }) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** Runs `task` until it succeeds, the error is not retryable, or the bounds are reached; capped exponential backoff. */
export async function retry<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { attempts, baseMs, maxMs, totalMs = Infinity, retryable, delayFor, onRetry, sleep = defaultSleep, now = Date.now } = options;
  const started = now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      const reason = retryable(error);
      const backoffMs = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      const delayMs = delayFor ? delayFor(error, backoffMs) : backoffMs;
      if (reason === undefined || attempt >= attempts || now() - started + delayMs > totalMs) throw error;
      onRetry?.({ error, reason, attempt, delayMs });
      await sleep(delayMs);
    }
  }
}
