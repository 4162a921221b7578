/** After ECS calls a rollout complete: GET the service's health URL until it answers 2xx, within a bound. */
import * as core from '../core.js';
import { errorMessage } from '../errors.js';
import { formatDuration, sleep as defaultSleep } from '../time.js';

export type HealthResult = { ok: true; status: number; attempts: number } | { ok: false; detail: string; attempts: number };

export interface HealthOptions {
  timeoutMs: number;
  intervalMs: number;
  label: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const REQUEST_TIMEOUT_MS = 10_000;

export async function checkHealth(url: string, options: HealthOptions): Promise<HealthResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const deadline = now() + options.timeoutMs;
  let last = 'no answer yet';
  for (let attempt = 1; ; attempt++) {
    const started = now();
    try {
      const response = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(Math.max(1, Math.min(REQUEST_TIMEOUT_MS, deadline - started))) });
      await response.body?.cancel();
      if (response.ok) {
        core.info(`[${options.label}] health check ${url}: HTTP ${response.status} (attempt ${attempt})`);
        return { ok: true, status: response.status, attempts: attempt };
      }
      last = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
    } catch (error) {
      last = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${formatDuration(Math.min(REQUEST_TIMEOUT_MS, options.timeoutMs))}` : errorMessage(error);
    }
    core.info(`[${options.label}] health check ${url}: ${last} (attempt ${attempt})`);
    const next = started + options.intervalMs;
    if (next >= deadline) {
      return { ok: false, detail: `${url} did not answer 2xx within ${formatDuration(options.timeoutMs)} (${attempt} attempt${attempt === 1 ? '' : 's'}; last: ${last})`, attempts: attempt };
    }
    if (next > now()) await sleep(next - now());
  }
}
