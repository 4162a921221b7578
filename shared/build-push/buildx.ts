/** Runs `docker buildx build --push`, retrying transient registry failures, and reads the digest it pushed. */
import * as core from '../core.js';
import { readFile, rm } from 'node:fs/promises';
import { DeploymentFailure, UserError } from '../errors.js';
import { retry } from '../retry.js';
import { formatDuration } from '../time.js';
import type { CachePlan } from './cache.js';
import { docker, sentence } from './docker.js';
import type { NetworkMode } from './types.js';

export interface BuildPlan {
  context: string;
  dockerfile: string;
  /** Full references: registry/repository:tag. */
  refs: string[];
  labels: Record<string, string>;
  buildArgs: Record<string, string>;
  target?: string;
  platforms: string[];
  network?: NetworkMode;
  builder?: string;
  cache: CachePlan;
  /** undefined: leave buildx's default. */
  provenance?: boolean;
  metadataFile: string;
}

export interface BuildOutcome {
  digest: string;
  attempts: number;
  /** Dockerfile steps the last attempt ran, and how many of them came from the cache. */
  steps: number;
  cachedSteps: number;
  durationMs: number;
}

export function buildxArgs(plan: BuildPlan): string[] {
  const args = ['buildx', 'build', '--push', '--progress=plain', `--metadata-file=${plan.metadataFile}`, `--file=${plan.dockerfile}`];
  if (plan.builder) args.push(`--builder=${plan.builder}`);
  for (const ref of plan.refs) args.push('--tag', ref);
  for (const [key, value] of Object.entries(plan.labels)) args.push('--label', `${key}=${value}`);
  for (const [key, value] of Object.entries(plan.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  if (plan.target) args.push(`--target=${plan.target}`);
  if (plan.platforms.length) args.push(`--platform=${plan.platforms.join(',')}`);
  if (plan.network) args.push(`--network=${plan.network}`);
  for (const from of plan.cache.from) args.push(`--cache-from=${from}`);
  for (const to of plan.cache.to) args.push(`--cache-to=${to}`);
  if (plan.provenance !== undefined) args.push(`--provenance=${plan.provenance}`);
  args.push(plan.context);
  return args;
}

/** A build that failed for a reason worth another try. */
class TransientBuildFailure extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export interface BuildOptions {
  env: NodeJS.ProcessEnv;
  /** Tries after the first. */
  retries: number;
  retryBaseMs?: number;
}

export async function buildAndPush(plan: BuildPlan, options: BuildOptions): Promise<BuildOutcome> {
  const args = buildxArgs(plan);
  core.info(`docker ${args.map(quote).join(' ')}`);
  const attempts = options.retries + 1;
  const started = Date.now();
  let steps = new StepCounter();
  let used = 0;
  try {
    await retry(
      async (attempt) => {
        used = attempt;
        steps = new StepCounter();
        await rm(plan.metadataFile, { force: true });
        const result = await docker(args, {
          env: options.env,
          onStdoutLine: (line) => core.info(line),
          onStderrLine: (line) => {
            steps.see(line);
            core.info(line);
          },
        });
        if (result.code === 0) return;
        const error = finalError(result.stderr || result.stdout);
        const reason = transientReason(error);
        if (reason) throw new TransientBuildFailure(reason);
        throw buildFailure(error, plan, steps.failed);
      },
      {
        attempts,
        baseMs: options.retryBaseMs ?? 2000,
        maxMs: 20_000,
        retryable: (error) => (error instanceof TransientBuildFailure ? error.reason : undefined),
        onRetry: ({ reason, attempt, delayMs }) => core.warning(`Build and push failed (attempt ${attempt} of ${attempts}): ${reason}. Trying again in ${formatDuration(delayMs)}; finished steps come from the cache.`),
      },
    );
  } catch (error) {
    if (error instanceof TransientBuildFailure) {
      throw new DeploymentFailure(
        `Build and push failed ${used} time${used === 1 ? '' : 's'}; the last failure: ${error.reason}.`,
        'The registry or the network kept failing. Re-run the job; raise "push-retries" if this registry is often flaky.',
      );
    }
    throw error;
  }
  const digest = await readDigest(plan.metadataFile);
  return { digest, attempts: used, steps: steps.steps.size, cachedSteps: steps.cached.size, durationMs: Date.now() - started };
}

/** Follows Dockerfile steps (`#5 [stage 1/2] RUN ...`): which came from the cache (`#5 CACHED`), which failed (`#5 ERROR: ...`). */
export class StepCounter {
  /** Step number to its title, such as `[build 2/2] RUN make`. */
  readonly steps = new Map<string, string>();
  readonly cached = new Set<string>();
  failed?: string;
  see(line: string): void {
    const step = /^#(\d+) (\[[^\]]*\b\d+\/\d+\].*)$/.exec(line);
    if (step && !this.steps.has(step[1]!)) this.steps.set(step[1]!, step[2]!.trim());
    const cached = /^#(\d+) CACHED\s*$/.exec(line);
    if (cached) this.cached.add(cached[1]!);
    const error = /^#(\d+) ERROR:/.exec(line);
    if (error && this.steps.has(error[1]!)) this.failed ??= this.steps.get(error[1]!);
  }
}

/** The last top-level `ERROR:` line buildx printed (step errors, `#7 ERROR:`, come before it). */
export function finalError(output: string): string {
  const lines = output.split('\n').map((line) => line.trim());
  const errors = lines.filter((line) => /^ERROR:/.test(line));
  const last = errors.at(-1) ?? lines.filter(Boolean).at(-1) ?? 'docker buildx build failed without a message';
  return last.replace(/^ERROR:\s*/, '');
}

const TRANSIENT: [RegExp, (match: RegExpExecArray) => string][] = [
  [/\b(5\d\d) (Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout|[A-Z][A-Za-z ]*)/, (m) => `the registry answered HTTP ${m[1]} ${m[2]!.trim()}`],
  [/(?:status(?: code)?|HTTP status)[:=]? (5\d\d)\b/i, (m) => `the registry answered HTTP ${m[1]}`],
  [/\b429\b|toomanyrequests|too many requests/i, () => 'the registry throttled the push (429 Too Many Requests)'],
  [/connection reset by peer/i, () => 'the connection was reset (connection reset by peer)'],
  [/TLS handshake timeout/i, () => 'TLS handshake timeout'],
  [/unexpected EOF/i, () => 'the connection closed mid-transfer (unexpected EOF)'],
  [/i\/o timeout|Client\.Timeout exceeded|context deadline exceeded/i, () => 'the registry did not answer in time (timeout)'],
  [/broken pipe/i, () => 'the connection broke (broken pipe)'],
  [/: EOF$/, () => 'the registry closed the connection (EOF)'],
];

/** Why a failed build is worth another try (a registry 5xx, a dropped connection), or undefined. */
export function transientReason(error: string): string | undefined {
  // A RUN step that failed is the Dockerfile's problem, whatever its output said.
  if (/did not complete successfully|executor failed running|failed to compute cache key|dockerfile parse error|failed to read dockerfile/i.test(error)) return undefined;
  for (const [pattern, reason] of TRANSIENT) {
    const match = pattern.exec(error);
    if (match) return `${reason(match)} (${error})`;
  }
  return undefined;
}

function buildFailure(error: string, plan: BuildPlan, failedStep?: string): Error {
  if (/\b(denied|unauthorized|forbidden|403|401)\b|no basic auth credentials/i.test(error)) {
    return new UserError(
      `The registry refused the push: ${sentence(error)}`,
      'The role this workflow assumes needs ecr:GetAuthorizationToken, ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ' +
        'ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage and ecr:BatchGetImage on the repository; with a "registry" ' +
        `override, check it accepts ECR's credentials (pushing to ${plan.refs[0]}).`,
    );
  }
  return new UserError(
    `docker buildx build failed${failedStep ? ` at step ${failedStep}` : ''}: ${sentence(error)}`,
    'The build log above shows the failing step. Reproduce it locally with "docker buildx build" on the same context and Dockerfile.',
  );
}

async function readDigest(file: string): Promise<string> {
  const metadata = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  const digest = metadata['containerimage.digest'];
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new Error(`docker buildx wrote no image digest to its metadata file (${JSON.stringify(metadata)})`);
  }
  return digest;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}
