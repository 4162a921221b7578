/**
 * Runs an action's built dist/index.js the way a runner does: inputs as INPUT_* variables, and
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_STATE, GITHUB_ENV and the event payload as files.
 * The bundle runs on the Node that runs the tests, or on the binary BERTH_TEST_NODE names
 * (`.ci/run` runs these tests again with a Node 24 binary, the runtime the actions declare).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The node binary that runs the bundles. */
export function actionNode(env: NodeJS.ProcessEnv = process.env): string {
  const given = env.BERTH_TEST_NODE;
  if (!given) return process.execPath;
  if (!existsSync(given)) throw new Error(`BERTH_TEST_NODE is ${given}, which does not exist: install one with "bash scripts/install-node.sh 24", or unset it`);
  return given;
}

export interface RunOptions {
  inputs?: Record<string, string | undefined>;
  env?: Record<string, string | undefined>;
  event?: Record<string, unknown>;
  eventName?: string;
  cwd?: string;
  /** Run the post step: STATE_* variables come from `state`. */
  state?: Record<string, string>;
  timeoutMs?: number;
  /** A command that runs node for the action, e.g. to give it its own mount namespace; node and the script are appended. */
  launcher?: string[];
  /** The log is read only after this many milliseconds, as a busy runner might: what does not fit the pipes waits in the action. */
  readsLogAfterMs?: number;
}

export interface ActionResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, as a job log shows them. */
  log: string;
  outputs: Record<string, string>;
  state: Record<string, string>;
  exportedEnv: Record<string, string>;
  summary: string;
}

export interface RunningAction {
  child: ChildProcess;
  result: Promise<ActionResult>;
  /** Resolves once the log contains `text`. */
  waitForLog(text: string | RegExp, timeoutMs?: number): Promise<void>;
}

/** Parses the `name<<delimiter` / `name=value` format of GITHUB_OUTPUT, GITHUB_STATE and GITHUB_ENV. */
export function parseCommandFile(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      result[name!] = value.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      result[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return result;
}

export function startAction(action: string, options: RunOptions = {}): RunningAction {
  const dir = mkdtempSync(join(tmpdir(), `run-${action}-`));
  const files = { output: join(dir, 'output'), summary: join(dir, 'summary.md'), state: join(dir, 'state'), env: join(dir, 'env'), event: join(dir, 'event.json') };
  for (const file of [files.output, files.summary, files.state, files.env]) writeFileSync(file, '');
  writeFileSync(files.event, JSON.stringify(options.event ?? {}));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    LANG: 'C.UTF-8',
    RUNNER_TEMP: dir,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: options.eventName ?? 'push',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_ACTOR: 'octocat',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_JOB: 'deploy',
    GITHUB_WORKSPACE: options.cwd ?? dir,
  };
  for (const [name, value] of Object.entries(options.env ?? {})) if (value !== undefined) env[name] = value;
  for (const [name, value] of Object.entries(options.inputs ?? {})) if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [name, value] of Object.entries(options.state ?? {})) env[`STATE_${name}`] = value;

  const script = join(REPO_ROOT, 'actions', action, 'dist', 'index.js');
  if (!existsSync(script)) throw new Error(`${script} does not exist: run "npm run build" first`);
  const [program, ...args] = [...(options.launcher ?? []), actionNode(), script];
  const child = spawn(program!, args, { cwd: options.cwd ?? dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let log = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
    log += chunk;
    listeners.forEach((listener) => listener());
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
    log += chunk;
    listeners.forEach((listener) => listener());
  });
  if (options.readsLogAfterMs) {
    for (const stream of [child.stdout!, child.stderr!]) stream.pause();
    setTimeout(() => [child.stdout!, child.stderr!].forEach((stream) => stream.resume()), options.readsLogAfterMs);
  }
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const result = new Promise<ActionResult>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
      const outcome: ActionResult = {
        code,
        signal,
        stdout,
        stderr,
        log,
        outputs: parseCommandFile(read(files.output)),
        state: parseCommandFile(read(files.state)),
        exportedEnv: parseCommandFile(read(files.env)),
        summary: read(files.summary),
      };
      rmSync(dir, { recursive: true, force: true });
      resolvePromise(outcome);
    });
  });
  const waitForLog = (text: string | RegExp, timeoutMs = 30_000) =>
    new Promise<void>((resolveWait, reject) => {
      const matches = () => (typeof text === 'string' ? log.includes(text) : text.test(log));
      if (matches()) return resolveWait();
      const timeout = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`Log never showed ${String(text)}:\n${log}`));
      }, timeoutMs);
      const check = () => {
        if (!matches()) return;
        clearTimeout(timeout);
        listeners.delete(check);
        resolveWait();
      };
      listeners.add(check);
    });
  return { child, result, waitForLog };
}

export function runAction(action: string, options: RunOptions = {}): Promise<ActionResult> {
  return startAction(action, options).result;
}

/** Lines of the log that contain `secret` outside the ::add-mask:: command that hides it. */
export function unmaskedLines(log: string, secret: string): string[] {
  return log.split('\n').filter((line) => line.includes(secret) && !line.startsWith(`::add-mask::`));
}
