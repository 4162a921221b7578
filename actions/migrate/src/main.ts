import * as core from '../../../shared/core.js';
import { failureMessage, runAction } from '../../../shared/action.js';
import { readAwsInputs } from '../../../shared/aws/inputs.js';
import { getInputs } from './inputs.js';

/** What the main step leaves for the post step, which runs only when the workflow run is cancelled. */
const STATE = {
  isPost: 'isPost',
  taskArn: 'task-arn',
  cluster: 'cluster',
  region: 'region',
  roleToAssume: 'role-to-assume',
  stopped: 'task-stopped',
} as const;

export async function run(): Promise<void> {
  if (core.getState(STATE.isPost) === 'true') return post();
  core.saveState(STATE.isPost, 'true');
  await main();
}

async function main(): Promise<void> {
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
    await runAction(async (action) => {
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
        core.setOutput('task-arn', report.taskArn);
        core.setOutput('task-definition-arn', report.taskDefinitionArn);
        core.setOutput('exit-code', report.exitCode === undefined ? '' : String(report.exitCode));
        core.setOutput('duration-seconds', String(report.durationSeconds));
        core.setOutput('status', report.status);
        core.setOutput('result', JSON.stringify(engine.resultOf(report)));
        reported = true;
        action.setSummary(engine.summaryOf(report));
        if (report.status !== 'succeeded') throw engine.failureOf(report);
      } catch (error) {
        if (!reported) {
          // Nothing ran to completion: the outputs still say so, for the notify step.
          const status = cancel.signal.aborted ? 'cancelled' : 'failed';
          const reason = failureMessage(error).split('\n')[0]!;
          core.setOutput('status', status);
          core.setOutput('result', JSON.stringify({ service, status, exitCode: null, taskArn: '', durationSeconds: 0, reason, consoleUrl: '' }));
        }
        throw error;
      }
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function post(): Promise<void> {
  await runAction(async () => {
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
    await engine.stopAbandonedTask(
      { taskArn, cluster: core.getState(STATE.cluster), region: core.getState(STATE.region), roleToAssume: core.getState(STATE.roleToAssume) || undefined },
      aws,
    );
  });
}
