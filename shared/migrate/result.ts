import type { MigrationReport } from './types.js';

/** The `result` output, in the shape the notify action reads. */
export function resultOf(report: MigrationReport): Record<string, unknown> {
  return {
    service: report.service,
    status: report.status,
    exitCode: report.exitCode ?? null,
    taskArn: report.taskArn,
    durationSeconds: report.durationSeconds,
    reason: report.status === 'succeeded' ? '' : report.headline,
    consoleUrl: report.consoleUrl,
  };
}
