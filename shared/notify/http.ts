/**
 * One HTTP exchange with a chat service, and the bounded retries around it: HTTP 429 (waiting as
 * long as Retry-After says, within a cap), 5xx and network errors are tried again; nothing else is.
 */
import * as core from '../core.js';
import { retry } from '../retry.js';
import { formatDuration } from '../time.js';

const REQUEST_TIMEOUT_MS = 15_000;
/** The longest single wait; a server asking for more is not waited for. */
const MAX_WAIT_MS = 30_000;
/** Sending gives up once this much time has passed, whatever retries are left. */
const TOTAL_MS = 120_000;
const BASE_BACKOFF_MS = 1_000;

/** Sending failed; `message` says what happened, `hint` what to do. Retryable when `retry` is set. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    message: string,
    readonly hint: string,
    readonly retry?: { reason: string; afterMs?: number },
  ) {
    super(message);
  }
}

export interface HttpReply {
  status: number;
  headers: Headers;
  body: string;
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function networkCause(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${formatDuration(REQUEST_TIMEOUT_MS)}`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Sends one request; throws a DeliveryError for network errors, 3xx, 429 and 5xx, and returns any other answer. */
export async function request(url: string, init: RequestInit, what: string): Promise<HttpReply> {
  const host = new URL(url).host;
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    body = await response.text();
  } catch (error) {
    const cause = networkCause(error);
    throw new DeliveryError(`Could not reach ${host} for ${what}: ${cause}.`, 'Check that the runner can reach the host (proxy, firewall, DNS) and that the URL is right.', { reason: cause });
  }
  const { status, headers } = response;
  if (status === 429) {
    const afterMs = retryAfterMs(headers.get('retry-after'));
    if (afterMs !== undefined && afterMs > MAX_WAIT_MS) {
      throw new DeliveryError(
        `${what} was rate limited (HTTP 429) and asked to wait ${formatDuration(afterMs)}, longer than the ${formatDuration(MAX_WAIT_MS)} this step waits.`,
        'Too many messages are being sent to this destination; send fewer (for example one updated message per deployment with a bot token).',
      );
    }
    throw new DeliveryError(`${what} was rate limited (HTTP 429).`, 'Send fewer messages to this destination, or raise "retries".', {
      reason: 'rate limited (HTTP 429)',
      afterMs,
    });
  }
  if (status >= 500) {
    const afterMs = retryAfterMs(headers.get('retry-after'));
    throw new DeliveryError(`${host} answered HTTP ${status} to ${what}${body.trim() ? `: ${body.trim().slice(0, 200)}` : ''}.`, 'The service is having trouble; the step tried again and gave up. Re-run the job later.', {
      reason: `HTTP ${status}`,
      afterMs: afterMs !== undefined && afterMs <= MAX_WAIT_MS ? afterMs : undefined,
    });
  }
  if (status >= 300 && status < 400) {
    throw new DeliveryError(`${host} answered ${what} with a redirect (HTTP ${status}).`, 'Use the final URL of the webhook or API; a redirected POST would lose its body.');
  }
  return { status, headers, body };
}

/** Runs `task` with up to `retries` more tries, logging each wait; says how many tries it made when it gives up. */
export async function withRetries<T>(what: string, retries: number, task: () => Promise<T>): Promise<T> {
  let tries = 0;
  try {
    return await retry(
      () => {
        tries++;
        return task();
      },
      {
        attempts: retries + 1,
        baseMs: BASE_BACKOFF_MS,
        maxMs: MAX_WAIT_MS,
        totalMs: TOTAL_MS,
        retryable: (error) => (error instanceof DeliveryError ? error.retry?.reason : undefined),
        delayFor: (error, backoffMs) => (error instanceof DeliveryError && error.retry?.afterMs !== undefined ? error.retry.afterMs : backoffMs),
        onRetry: ({ reason, attempt, delayMs }) => core.info(`${what}: ${reason}; trying again in ${formatDuration(delayMs)} (try ${attempt + 1} of ${retries + 1}).`),
      },
    );
  } catch (error) {
    if (error instanceof DeliveryError && error.retry && tries > 1) {
      throw new DeliveryError(`${error.message} Gave up after ${tries} tries.`, error.hint);
    }
    throw error;
  }
}
