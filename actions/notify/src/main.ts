import * as core from '../../../shared/core.js';
import { runAction } from '../../../shared/action.js';
import { UserError } from '../../../shared/errors.js';
import { getInputs } from './inputs.js';

export async function run(): Promise<void> {
  await runAction(async (action) => {
    const inputs = getInputs();
    const { notify, notifySummary } = await import('../../../shared/notify/index.js');
    const { report, delivery } = await notify(inputs);
    action.setSummary(notifySummary(report, delivery));
    core.setOutput('sent', String(delivery.sent));
    core.setOutput('outcome', report.outcome);
    core.setOutput('ts', delivery.ts ?? '');
    core.setOutput('channel', delivery.channel ?? '');
    core.setOutput('permalink', delivery.permalink ?? '');
    if (delivery.error) {
      const { message, hint } = delivery.error;
      if (inputs.failOnError) throw new UserError(`The notification was not sent: ${message}`, hint);
      core.warning(`The notification was not sent: ${message}\n${hint}\n(A failed notification does not fail the step; set "fail-on-error: true" to change that.)`);
    }
  });
}
