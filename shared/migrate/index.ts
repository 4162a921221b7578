/**
 * Runs database migrations as one ECS task and waits for it: resolve the task, register a revision
 * when the image is new, RunTask, stream the container log while polling DescribeTasks until
 * STOPPED, then judge the migration container's exit code with Prisma's own words as evidence.
 */
import * as core from '../core.js';
import { DescribeTasksCommand, ECSClient, type Task } from '@aws-sdk/client-ecs';
import { phase } from '../action.js';
import { createClient } from '../aws/client.js';
import type { AwsInputs } from '../aws/inputs.js';
import { openSession } from '../aws/session.js';
import { DeploymentFailure } from '../errors.js';
import { githubContext } from '../github.js';
import { DEFAULT_MANIFEST, findService, loadManifest } from '../manifest/load.js';
import { taskUrl, logStreamUrl } from '../ecs/console.js';
import { findLogStream, LogFollower, logsClient, taskIdOf } from '../ecs/logs.js';
import { formatDuration, sleep as defaultSleep } from '../time.js';
import { passwordsIn, poolerOf, redactCredentials } from './database-url.js';
import { requireImageInEcr } from '../ecr-images.js';
import { resolveNames, resolvePlan, type MigrationPlan } from './plan.js';
import { PrismaLogReader, type PrismaFindings } from './prisma.js';
import { registerRevision, startTask } from './run.js';
import type { MigrateInputs, MigrationReport } from './types.js';
import { isEssential, judge } from './verdict.js';

const MISSING_IMAGE =
  'Build and push the image first: run build-push for this commit before migrate (make the migrate job "needs:" the build job), ' +
  'or pass "image-tag" (a tag that was pushed) or "image" (e.g. the build step\'s image-with-digest output) to run another image.';
import { stopTask, waitForTask } from './wait.js';

export type { MigrateInputs, MigrationReport } from './types.js';
export { failureOf, resultOf, summaryOf } from './report.js';

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

export async function runMigration(inputs: MigrateInputs, hooks: MigrationHooks = {}): Promise<MigrationReport> {
  const sleep = hooks.sleep ?? defaultSleep;
  const manifest = inputs.service ? await loadManifest(inputs.manifest ?? DEFAULT_MANIFEST, inputs.workspace) : undefined;
  const spec = manifest ? findService(manifest, inputs.service!) : undefined;
  const names = resolveNames(inputs, spec, manifest?.file);
  const session = await openSession(inputs.aws, { fallbackRegion: manifest?.region, fallbackRole: manifest?.role });
  const { region } = session;
  const ecs = createClient(ECSClient, session);

  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    core.warning(message);
  };
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
  const poolerWarned = checkDatabaseUrl(plan, inputs.databaseUrlVariable, warn);
  cancelledBeforeStart(hooks.signal);
  const definition = plan.newImage ? await phase('Register a task definition revision with the new image', () => registerRevision(ecs, plan)) : plan.source.taskDefinition;
  cancelledBeforeStart(hooks.signal);

  const startedAt = Date.now();
  const started = await startTask(ecs, plan, definition.taskDefinitionArn!);
  const taskArn = started.taskArn!;
  hooks.onTaskStarted?.({ taskArn, cluster: plan.cluster, region, roleToAssume: inputs.aws.roleToAssume ?? manifest?.role });
  const consoleUrl = taskUrl(region, plan.cluster, taskArn);
  core.info(`Started migration task ${taskArn}`);
  core.info(`ECS console: ${consoleUrl}`);

  const reader = new PrismaLogReader();
  const masked = new Set<string>();
  const prefix = `${plan.container} | `;
  const lookup = findLogStream(definition, plan.container, taskArn, region);
  let follower: LogFollower | undefined;
  if (lookup.location) {
    follower = new LogFollower(
      logsClient(session, lookup.location.region),
      lookup.location,
      (line) => {
        for (const password of passwordsIn(line)) {
          if (masked.has(password)) continue;
          masked.add(password);
          core.setSecret(password);
        }
        const shown = redactCredentials(line);
        reader.read(shown);
        core.info(`${prefix}${shown}`);
      },
      TAIL_LINES,
    );
    core.info(`Container log: ${lookup.location.group} › ${lookup.location.stream}`);
  } else {
    warn(`The migration's output cannot be shown here: ${lookup.why}.`);
  }
  let logError: string | undefined;
  const pollLogs = async () => {
    if (!follower || logError) return;
    try {
      await follower.poll();
    } catch (error) {
      logError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      warn(`Reading the container log failed (${logError}); the verdict still comes from ECS. Allow logs:GetLogEvents on the log group to see the output here.`);
    }
  };

  const end = await phase(`Migration log (task ${taskIdOf(taskArn)}, container ${plan.container})`, async () => {
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
        onPoll: pollLogs,
        sleep,
      });
      // CloudWatch may deliver the last lines after the task stops; a cancelled run has no time to wait.
      if (result.ended !== 'cancelled' && follower && !logError) {
        await follower.drain(sleep, 2, Math.min(2000, inputs.pollIntervalMs)).catch(() => undefined);
      }
      return result;
    } catch (error) {
      await stopTask(ecs, plan.cluster, taskArn, 'Berth: the migration step failed while watching the task');
      throw error;
    }
  });
  if (end.ended === 'stopped' || !end.stopError) hooks.onTaskStopped?.();

  const findings = reader.findings({ command: plan.command ?? [], securityGroups: plan.securityGroups, databaseUrlVariable: inputs.databaseUrlVariable });
  logWarnings(findings, poolerWarned, inputs.databaseUrlVariable, warn);
  const verdict = judge(end, plan.container, definition, findings, inputs.timeoutMs, (follower?.printed ?? 0) > 0);
  const durationMs = taskDuration(end.task) ?? Date.now() - startedAt;
  const report: MigrationReport = {
    service: plan.name,
    region,
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
    logUrl: lookup.location ? logStreamUrl(lookup.location) : undefined,
    logMissing: lookup.location ? whyNoLines(follower!, logError, end.task, plan.container) : lookup.why,
    lastLines: (follower?.lastLines() ?? []).map(redactCredentials),
    warnings,
  };
  // A failure is printed once, by the action's error message.
  if (report.status === 'succeeded') core.info(`Migration succeeded in ${formatDuration(durationMs)}: ${report.headline}`);
  return report;
}

/** Why the log shows no line, when it shows none: never "wrote nothing" unless the stream says so. */
function whyNoLines(follower: LogFollower, logError: string | undefined, task: Task | undefined, container: string): string | undefined {
  if (follower.printed > 0) return undefined;
  if (logError) return `the container log could not be read (${logError})`;
  const state = task?.containers?.find((candidate) => candidate.name === container);
  const started = Boolean(task?.startedAt) || state?.exitCode !== undefined;
  if (!follower.streamFound) {
    return started
      ? `its log stream ${follower.location.stream} never appeared in ${follower.location.group}: the container wrote nothing, or the log driver could not deliver it`
      : 'the container never started, so it has no log';
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
      'give migrations a direct connection to the database (Prisma uses the datasource\'s directUrl for migrations when it is set).',
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
    warn(
      `The image has no Prisma CLI, so npx downloaded ${findings.downloadedCli} at run time; it may not match the image's @prisma/client. ` +
        'Add "prisma" to the dependencies installed in the image.',
    );
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
