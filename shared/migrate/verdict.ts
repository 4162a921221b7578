/**
 * The verdict on a migration task: the migration container's exit code alone decides (sidecars such
 * as log routers do not), and every other outcome comes with its evidence and one line on what to
 * check. There is always a reason: ECS giving none is said in words.
 */
import type { Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { EXITED_WITHOUT_LOGS_HINT, explainStoppedTask, type StopKind } from '../ecs/stopped-tasks.js';
import { formatDuration } from '../time.js';
import { successOutcome, type PrismaFindings } from './prisma.js';
import type { MigrationStatus } from './types.js';
import type { WaitEnd } from './wait.js';
import { isEssential } from '../ecs/containers.js';
import { taskIdOf } from '../ecs/arn.js';

export interface MigrationVerdict {
  status: MigrationStatus;
  exitCode?: number;
  /** One line: what happened. */
  headline: string;
  /** The evidence ECS gave, one fact per line. */
  evidence: string[];
  hint?: string;
}

/** `logsShown`: whether any line of the container's log could be shown. */
export function judgeMigration(end: WaitEnd, container: string, definition: TaskDefinition, findings: PrismaFindings, timeoutMs: number, logsShown = true): MigrationVerdict {
  const evidence = end.task ? taskEvidence(end.task, container, definition) : [];
  const prisma = findings.problems[0];
  if (end.ended === 'cancelled') {
    return {
      status: 'cancelled',
      exitCode: exitCodeOf(end.task, container),
      headline: end.stopError ? `The workflow run was cancelled, and stopping the migration task failed: ${end.stopError}` : 'The workflow run was cancelled; the migration task was stopped.',
      evidence,
      hint: end.stopError
        ? 'Stop the task by hand (aws ecs stop-task), or it keeps the migration lock until it ends.'
        : 'Its database session ends with the task, which releases the migration lock. Run the workflow again to apply the migrations.',
    };
  }
  if (end.ended === 'timed-out') {
    return {
      status: 'timed-out',
      exitCode: exitCodeOf(end.task, container),
      headline: `The migration did not finish within ${formatDuration(timeoutMs)}; ${end.stopError ? `stopping the task failed: ${end.stopError}` : 'the task was stopped'}.`,
      evidence,
      hint: prisma
        ? `${prisma.summary} ${prisma.hint}`
        : 'The last log lines show where it was. A migration waiting on a table lock held by the running application, or a database that does not answer, ' + 'can hang; a long data migration may just need a larger "timeout".',
    };
  }

  const stopped = explainStoppedTask(end.task, container);
  if (!stopped.failed) return { status: 'succeeded', exitCode: 0, headline: successOutcome(findings), evidence };
  const special = specialCase(end.task, container, definition, stopped.kind, stopped.exitCode, findings);
  return {
    status: 'failed',
    exitCode: stopped.exitCode,
    headline: prisma ? prisma.summary : (special?.headline ?? headlineFor(stopped.kind, container, stopped.exitCode)),
    evidence,
    hint:
      prisma?.hint ??
      special?.hint ??
      (stopped.kind === 'exited' && !logsShown ? EXITED_WITHOUT_LOGS_HINT : stopped.hint) ??
      'ECS gave no more detail; the task in the ECS console (linked above) and the container log may show why.',
  };
}

function headlineFor(kind: StopKind, container: string, exitCode: number | undefined): string {
  switch (kind) {
    case 'exited':
      return `The migration container "${container}" exited with code ${exitCode}.`;
    case 'out-of-memory':
      return `The migration container "${container}" ran out of memory.`;
    case 'image-pull':
      return 'ECS could not pull the image of the migration task.';
    case 'secrets':
      return "ECS could not fetch the migration task's secrets.";
    case 'network':
      return 'The migration task could not start: it timed out reaching AWS from its subnets.';
    case 'log-config':
      return 'The migration task could not start: ECS could not create its CloudWatch log stream.';
    case 'init-failure':
      return 'ECS could not initialise the migration task.';
    case 'health-check':
      return 'The migration task failed its health checks.';
    case 'start-failure':
      return `The migration container "${container}" could not be started.`;
    case 'stopped':
      return 'The migration task was stopped before it finished.';
    default:
      return `The migration task stopped without an exit code for container "${container}".`;
  }
}

function specialCase(task: Task, container: string, definition: TaskDefinition, kind: StopKind, exitCode: number | undefined, findings: PrismaFindings): { headline: string; hint: string } | undefined {
  // An essential sidecar that exits stops the whole task, the migration with it.
  const culprit = (task.containers ?? []).find((other) => other.name !== container && isEssential(definition, other.name) && other.exitCode !== undefined && other.exitCode !== null && other.exitCode !== 0);
  if (culprit && (exitCode === undefined || exitCode === 137 || exitCode === 143) && /essential container/i.test(task.stoppedReason ?? '')) {
    return {
      headline: `Essential container "${culprit.name}" exited with code ${culprit.exitCode}, which stopped the task before the migration finished.`,
      hint: `Fix "${culprit.name}" (its log shows why it exited), or mark it "essential": false in the task definition so it cannot stop the migration.`,
    };
  }
  if (kind === 'exited' && (exitCode === 127 || findings.commandNotFound)) {
    return {
      headline: `The migration command was not found in the image (exit code ${exitCode}${findings.commandNotFound ? `: ${findings.commandNotFound}` : ''}).`,
      hint: 'Check the command and the working directory it assumes; the image must contain the Prisma CLI (the "prisma" package is often a devDependency that production images prune).',
    };
  }
  if (kind === 'exited' && exitCode === 137) {
    return {
      headline: `The migration container "${container}" was killed (exit code 137, SIGKILL).`,
      hint: 'Exit code 137 usually means the container hit its memory limit or was stopped forcibly: raise the task or container memory, or check who stopped it.',
    };
  }
  return undefined;
}

function taskEvidence(task: Task, container: string, definition: TaskDefinition): string[] {
  const lines: string[] = [];
  if (task.lastStatus === 'STOPPED' || task.stoppedReason) {
    lines.push(`Task ${taskIdOf(task.taskArn ?? '')} stopped${task.stopCode ? ` (${task.stopCode})` : ''}: ${task.stoppedReason?.trim() || 'ECS gave no stopped reason'}`);
  } else {
    lines.push(`Task ${taskIdOf(task.taskArn ?? '')} was last seen ${task.lastStatus ?? 'in an unknown state'} (desired ${task.desiredStatus ?? 'unknown'})`);
  }
  const containers = task.containers ?? [];
  if (!containers.some((candidate) => candidate.name === container)) lines.push(`Container "${container}": ECS reported nothing about it`);
  for (const candidate of containers) {
    const judged = candidate.name === container;
    if (!judged && (candidate.exitCode === undefined || candidate.exitCode === null || candidate.exitCode === 0) && !candidate.reason) continue;
    const code = candidate.exitCode === undefined || candidate.exitCode === null ? 'no exit code' : `exit code ${candidate.exitCode}`;
    const role = judged ? 'the migration' : isEssential(definition, candidate.name) ? 'essential' : 'not essential';
    lines.push(`Container "${candidate.name}" (${role}): ${code}${candidate.reason ? `; reason: ${candidate.reason}` : ''}`);
  }
  return lines;
}

/** The container's exit code once it has stopped (a task stopped by the step may still be stopping). */
function exitCodeOf(task: Task | undefined, container: string): number | undefined {
  const judged = task?.containers?.find((candidate) => candidate.name === container);
  return judged?.lastStatus === 'STOPPED' && judged.exitCode !== null ? judged.exitCode : undefined;
}
