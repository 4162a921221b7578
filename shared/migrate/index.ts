/**
 * Runs database migrations as one ECS task and waits for it: resolve the task, register a revision
 * when the image is new, RunTask, stream the container log while polling DescribeTasks until
 * STOPPED, then judge the migration container's exit code with Prisma's own words as evidence.
 */
import * as core from '../core.js';
import { DescribeTasksCommand, ECSClient, type Task, type TaskDefinition } from '@aws-sdk/client-ecs';
import { phase } from '../action.js';
import { createClient, type AwsSession } from '../aws/client.js';
import type { AwsInputs } from '../aws/inputs.js';
import { openSession } from '../aws/session.js';
import { DeploymentFailure } from '../errors.js';
import { githubContext } from '../github.js';
import { findService, loadManifest } from '../manifest/load.js';
import { describeEnvironment, forEnvironment, requiredAccount } from '../manifest/environments.js';
import { taskUrl, logStreamUrl } from '../ecs/console.js';
import { findLogStream, LogFollower, logsClients, type LogLookup } from '../ecs/logs.js';
import { formatDuration, sleep as defaultSleep } from '../time.js';
import { passwordsIn, poolerOf, redactCredentials } from './database-url.js';
import { resolveNames, resolvePlan, type MigrationPlan } from './plan.js';
import { PrismaLogReader, type PrismaFindings } from './prisma.js';
import { registerRevision, startTask } from './run.js';
import type { MigrateInputs, MigrationReport } from './types.js';
import { judgeMigration } from './verdict.js';

import { stopTask, waitForTask, type WaitEnd } from './wait.js';
import { taskIdOf } from '../ecs/arn.js';
import { isEssential } from '../ecs/containers.js';
import { DEFAULT_MANIFEST } from '../manifest/file.js';
import { requireImageInEcr } from '../ecr/require-image.js';

const MISSING_IMAGE =
  'Build and push the image first: run build-push for this commit before migrate (make the migrate job "needs:" the build job), ' +
  'or pass "image-tag" (a tag that was pushed) or "image" (e.g. the build step\'s image-with-digest output) to run another image.';

export type { MigrateInputs, MigrationReport } from './types.js';
export { failureOf, jobSummary } from './summary.js';
export { resultOf } from './result.js';

/** Where a started task is, so that a later step can stop it. */
export interface StartedTask {
  taskArn: string;
  cluster: string;
  region: string;
  roleToAssume?: string;
}

export interface MigrationHooks {
  /** Aborted when the workflow run is cancelled: the task is stopped. */
  signal?: AbortSignal;
  onTaskStarted?: (task: StartedTask) => void;
  /** The task is stopped (or ECS accepted StopTask): nothing is left running. */
  onTaskStopped?: () => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Lines of the container log kept for the summary and the failure message. */
const TAIL_LINES = 30;

type Warn = (message: string) => void;

export async function runMigration(inputs: MigrateInputs, hooks: MigrationHooks = {}): Promise<MigrationReport> {
  const sleep = hooks.sleep ?? defaultSleep;
  const warnings: string[] = [];
  const warn: Warn = (message) => {
    warnings.push(message);
    core.warning(message);
  };
  const { session, ecs, plan, role, environment } = await prepare(inputs, warn);
  const poolerWarned = checkDatabaseUrl(plan, inputs.databaseUrlVariable, warn);
  cancelledBeforeStart(hooks.signal);
  const definition = plan.newImage ? await phase('Register a task definition revision with the new image', () => registerRevision(ecs, plan)) : plan.source.taskDefinition;
  cancelledBeforeStart(hooks.signal);

  const startedAt = Date.now();
  const taskArn = (await startTask(ecs, plan, definition.taskDefinitionArn!)).taskArn!;
  hooks.onTaskStarted?.({ taskArn, cluster: plan.cluster, region: session.region, roleToAssume: role });
  const consoleUrl = taskUrl(session.region, plan.cluster, taskArn);
  core.info(`Started migration task ${taskArn}`);
  core.info(`ECS console: ${consoleUrl}`);

  const log = new MigrationLog(session, definition, plan.container, taskArn, warn);
  const end = await phase(`Migration log (task ${taskIdOf(taskArn)}, container ${plan.container})`, () => watchTask(ecs, plan, definition, taskArn, log, inputs, hooks, sleep));
  if (end.ended === 'stopped' || !end.stopError) hooks.onTaskStopped?.();

  const findings = log.reader.findings({ command: plan.command ?? [], securityGroups: plan.securityGroups, databaseUrlVariable: inputs.databaseUrlVariable });
  logWarnings(findings, poolerWarned, inputs.databaseUrlVariable, warn);
  const verdict = judgeMigration(end, plan.container, definition, findings, inputs.timeoutMs, log.printed > 0);
  const durationMs = taskDuration(end.task) ?? Date.now() - startedAt;
  const report: MigrationReport = {
    service: plan.name,
    environment,
    region: session.region,
    cluster: plan.cluster,
    ecsService: plan.ecsService,
    container: plan.container,
    taskArn,
    taskDefinitionArn: definition.taskDefinitionArn!,
    registered: Boolean(plan.newImage),
    image: plan.image,
    status: verdict.status,
    exitCode: verdict.exitCode,
    durationSeconds: Math.round(durationMs / 1000),
    headline: verdict.headline,
    evidence: verdict.evidence,
    hint: verdict.hint,
    consoleUrl,
    ...log.report(end.task),
    warnings,
  };
  // A failure is printed once, by the action's error message.
  if (report.status === 'succeeded') core.info(`Migration succeeded in ${formatDuration(durationMs)}: ${report.headline}`);
  return report;
}

/** The manifest (when a service of it is named), the AWS session, and the plan, checked before anything is registered or run. */
async function prepare(inputs: MigrateInputs, warn: Warn): Promise<{ session: AwsSession; ecs: ECSClient; plan: MigrationPlan; role?: string; environment?: string }> {
  const manifest = inputs.service ? forEnvironment(await loadManifest(inputs.manifest ?? DEFAULT_MANIFEST, inputs.workspace), inputs.manifestEnvironment) : undefined;
  if (manifest?.environment) core.info(describeEnvironment(manifest));
  const spec = manifest ? findService(manifest, inputs.service!) : undefined;
  const names = resolveNames(inputs, spec, manifest?.file);
  const session = await openSession(inputs.aws, { fallbackRegion: manifest?.region, fallbackRole: manifest?.role, requiredAccount: requiredAccount(manifest) });
  const ecs = createClient(ECSClient, session);
  const plan = await phase(`Resolve the migration task for ${names.name}`, async () => {
    const resolved = await resolvePlan(ecs, inputs, names);
    resolved.notes.forEach((note) => core.info(note));
    resolved.warnings.forEach(warn);
    // Before anything is registered or run: a tag that was never pushed fails here, by name.
    if (resolved.image && resolved.imageOrigin) {
      const checked = await requireImageInEcr(session, resolved.image, { origin: resolved.imageOrigin, before: 'starting the migration', whatToDo: MISSING_IMAGE }, warn);
      if (checked === 'found') core.info(`ECR has ${resolved.image}.`);
    }
    return resolved;
  });
  return { session, ecs, plan, role: inputs.aws.roleToAssume ?? manifest?.role, environment: manifest?.environment?.name };
}

/** Polls the task until it stops (the log followed at each poll); stops it when watching fails. */
async function watchTask(
  ecs: ECSClient,
  plan: MigrationPlan,
  definition: TaskDefinition,
  taskArn: string,
  log: MigrationLog,
  inputs: MigrateInputs,
  hooks: MigrationHooks,
  sleep: NonNullable<MigrationHooks['sleep']>,
): Promise<WaitEnd> {
  try {
    const result = await waitForTask({
      ecs,
      cluster: plan.cluster,
      taskArn,
      container: plan.container,
      essential: isEssential(definition, plan.container),
      pollIntervalMs: inputs.pollIntervalMs,
      timeoutMs: inputs.timeoutMs,
      runUrl: githubContext().runUrl || undefined,
      signal: hooks.signal,
      onPoll: () => log.poll(),
      sleep,
    });
    // CloudWatch may deliver the last lines after the task stops; a cancelled run has no time to wait.
    if (result.ended !== 'cancelled') await log.drain(sleep, Math.min(2000, inputs.pollIntervalMs));
    return result;
  } catch (error) {
    await stopTask(ecs, plan.cluster, taskArn, 'Berth: the migration step failed while watching the task');
    throw error;
  }
}

/**
 * The migration container's log, followed while the task runs: printed with passwords masked and
 * credentials redacted, read for Prisma's words, and its last lines kept for the report.
 */
class MigrationLog {
  readonly reader = new PrismaLogReader();
  private readonly lookup: LogLookup;
  private readonly follower?: LogFollower;
  private error?: string;

  constructor(
    session: AwsSession,
    definition: TaskDefinition,
    private readonly container: string,
    taskArn: string,
    private readonly warn: Warn,
  ) {
    this.lookup = findLogStream(definition, container, taskArn, session.region);
    if (!this.lookup.location) {
      warn(`The migration's output cannot be shown here: ${this.lookup.why}.`);
      return;
    }
    const masked = new Set<string>();
    const prefix = `${container} | `;
    this.follower = new LogFollower(
      logsClients(session)(this.lookup.location.region),
      this.lookup.location,
      (line) => {
        for (const password of passwordsIn(line)) {
          if (masked.has(password)) continue;
          masked.add(password);
          core.setSecret(password);
        }
        const shown = redactCredentials(line);
        this.reader.read(shown);
        core.info(`${prefix}${shown}`);
      },
      TAIL_LINES,
    );
    core.info(`Container log: ${this.lookup.location.group} › ${this.lookup.location.stream}`);
  }

  get printed(): number {
    return this.follower?.printed ?? 0;
  }

  async poll(): Promise<void> {
    if (!this.follower || this.error) return;
    try {
      await this.follower.poll();
    } catch (error) {
      this.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      this.warn(`Reading the container log failed (${this.error}); the verdict still comes from ECS. Allow logs:GetLogEvents on the log group to see the output here.`);
    }
  }

  async drain(sleep: (ms: number) => Promise<void>, intervalMs: number): Promise<void> {
    if (this.follower && !this.error) await this.follower.drain(sleep, 2, intervalMs).catch(() => undefined);
  }

  /** Where the log is, why it shows nothing when it does not, and its last lines. */
  report(task: Task | undefined): Pick<MigrationReport, 'logUrl' | 'logMissing' | 'lastLines'> {
    return {
      logUrl: this.lookup.location ? logStreamUrl(this.lookup.location) : undefined,
      logMissing: this.lookup.location ? whyNoLines(this.follower!, this.error, task, this.container) : this.lookup.why,
      lastLines: (this.follower?.lastLines() ?? []).map(redactCredentials),
    };
  }
}

/** Why the log shows no line, when it shows none: never "wrote nothing" unless the stream says so. */
function whyNoLines(follower: LogFollower, logError: string | undefined, task: Task | undefined, container: string): string | undefined {
  if (follower.printed > 0) return undefined;
  if (logError) return `the container log could not be read (${logError})`;
  const state = task?.containers?.find((candidate) => candidate.name === container);
  const started = Boolean(task?.startedAt) || state?.exitCode !== undefined;
  if (!follower.streamFound) {
    return started ? `its log stream ${follower.location.stream} never appeared in ${follower.location.group}: the container wrote nothing, or the log driver could not deliver it` : 'the container never started, so it has no log';
  }
  return 'the container wrote nothing to its log stream';
}

function cancelledBeforeStart(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DeploymentFailure('The workflow run was cancelled before the migration task started; nothing ran.', 'Run the workflow again to apply the migrations.');
}

/** Masks the database URL and warns when it points at a connection pooler. Returns whether it warned. */
function checkDatabaseUrl(plan: MigrationPlan, variable: string, warn: (message: string) => void): boolean {
  for (const { value } of plan.environment) for (const password of passwordsIn(value ?? '')) core.setSecret(password);
  const url = plan.environment.find((pair) => pair.name === variable)?.value;
  if (!url) {
    if (plan.secretNames.includes(variable)) core.info(`${variable} comes from a secret, so the host Prisma reports in the log is checked for a connection pooler instead.`);
    return false;
  }
  core.setSecret(url);
  const pooler = poolerOf(url);
  if (!pooler) return false;
  warn(
    `${variable} points at ${pooler}. Prisma's migration lock (a Postgres advisory lock) is not reliable through a connection pooler: ` +
      "give migrations a direct connection to the database (Prisma uses the datasource's directUrl for migrations when it is set).",
  );
  return true;
}

function logWarnings(findings: PrismaFindings, poolerWarned: boolean, variable: string, warn: (message: string) => void): void {
  const pooler = findings.datasource ? poolerOf(findings.datasource) : undefined;
  if (pooler && !poolerWarned) {
    warn(
      `Prisma connected to ${findings.datasource}, which is ${pooler}. Its migration lock (a Postgres advisory lock) is not reliable through a connection pooler: ` +
        `point ${variable} (or the datasource's directUrl) straight at the database for migrations.`,
    );
  }
  if (findings.downloadedCli) {
    warn(`The image has no Prisma CLI, so npx downloaded ${findings.downloadedCli} at run time; it may not match the image's @prisma/client. ` + 'Add "prisma" to the dependencies installed in the image.');
  }
}

function taskDuration(task: Task | undefined): number | undefined {
  const from = task?.createdAt ?? task?.startedAt;
  return from && task?.stoppedAt ? task.stoppedAt.getTime() - from.getTime() : undefined;
}

/**
 * The post step of a cancelled run: stops the migration task if it is still running, so an
 * abandoned migrator does not keep Prisma's lock and block the next deploy.
 */
export async function stopAbandonedTask(task: StartedTask, awsInputs: AwsInputs): Promise<void> {
  const session = await openSession(awsInputs, { fallbackRegion: task.region, fallbackRole: task.roleToAssume });
  const ecs = createClient(ECSClient, { ...session, region: task.region });
  const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: task.cluster, tasks: [task.taskArn] }));
  const current = tasks?.[0];
  if (!current) {
    core.info(`ECS no longer knows migration task ${task.taskArn}; nothing to stop.`);
    return;
  }
  if (current.lastStatus === 'STOPPED' || current.desiredStatus === 'STOPPED') {
    core.info(`Migration task ${task.taskArn} is already ${current.lastStatus === 'STOPPED' ? 'stopped' : 'stopping'}${current.stoppedReason ? ` (${current.stoppedReason})` : ''}.`);
    return;
  }
  const { runUrl } = githubContext();
  const { error } = await stopTask(ecs, task.cluster, task.taskArn, `Berth: the workflow run was cancelled${runUrl ? ` (${runUrl})` : ''}`);
  if (error) throw new DeploymentFailure(`Could not stop migration task ${task.taskArn}: ${error}`, `Stop it by hand: aws ecs stop-task --cluster ${task.cluster} --task ${taskIdOf(task.taskArn)}`);
  core.info(`Stopped migration task ${task.taskArn}, which was still ${current.lastStatus ?? 'running'} when the run was cancelled.`);
}
