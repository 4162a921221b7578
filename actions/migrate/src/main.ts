import * as core from '../../../shared/core.js';
import type { ActionRun } from '../../../shared/action.js';
import { readAwsInputs } from '../../../shared/aws/inputs.js';
import { getInputs } from './inputs.js';

/** What the main step leaves for the post step, which runs only when the workflow run is cancelled. */
const STATE = {
  taskArn: 'task-arn',
  cluster: 'cluster',
  region: 'region',
  roleToAssume: 'role-to-assume',
  stopped: 'task-stopped',
} as const;

export async function main(action: ActionRun): Promise<void> {
  // The runner signals the step when the run is cancelled: stop the task rather than abandon it.
  const cancel = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (cancel.signal.aborted) return;
    core.info(`Received ${signal}: the workflow run is being cancelled.`);
    cancel.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let service = '';
  let reported = false;
  try {
    const inputs = getInputs();
    service = inputs.service ?? inputs.ecsService ?? '';
    const engine = await import('../../../shared/migrate/index.js');
    const report = await engine.runMigration(inputs, {
      signal: cancel.signal,
      onTaskStarted: (task) => {
        core.saveState(STATE.taskArn, task.taskArn);
        core.saveState(STATE.cluster, task.cluster);
        core.saveState(STATE.region, task.region);
        if (task.roleToAssume) core.saveState(STATE.roleToAssume, task.roleToAssume);
      },
      onTaskStopped: () => core.saveState(STATE.stopped, 'true'),
    });
    core.setOutputs({
      'task-arn': report.taskArn,
      'task-definition-arn': report.taskDefinitionArn,
      'exit-code': report.exitCode === undefined ? '' : String(report.exitCode),
      'duration-seconds': String(report.durationSeconds),
      status: report.status,
      result: JSON.stringify(engine.resultOf(report)),
    });
    reported = true;
    action.setSummary(engine.jobSummary(report));
    if (report.status !== 'succeeded') throw engine.failureOf(report);
  } catch (error) {
    if (!reported) {
      // Nothing ran to completion: the outputs still say so, for the notify step.
      const status = cancel.signal.aborted ? 'cancelled' : 'failed';
      const { failureMessage } = await import('../../../shared/failure.js');
      const reason = failureMessage(error).split('\n')[0]!;
      core.setOutputs({ status, result: JSON.stringify({ service, status, exitCode: null, taskArn: '', durationSeconds: 0, reason, consoleUrl: '' }) });
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The post step: stops the migration task a cancelled run left behind. */
export async function post(): Promise<void> {
  const taskArn = core.getState(STATE.taskArn);
  if (!taskArn) {
    core.info('No migration task was started in this job; nothing to stop.');
    return;
  }
  if (core.getState(STATE.stopped) === 'true') {
    core.info(`Migration task ${taskArn} had already stopped; nothing to stop.`);
    return;
  }
  const aws = readAwsInputs();
  const engine = await import('../../../shared/migrate/index.js');
  await engine.stopAbandonedTask({ taskArn, cluster: core.getState(STATE.cluster), region: core.getState(STATE.region), roleToAssume: core.getState(STATE.roleToAssume) || undefined }, aws);
}
