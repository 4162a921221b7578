import * as core from '../../../shared/core.js';
import type { ActionRun } from '../../../shared/action.js';
import { UserError } from '../../../shared/errors.js';
import { getInputs } from './inputs.js';

export async function main(action: ActionRun): Promise<void> {
  const inputs = getInputs();
  const { notify, jobSummary } = await import('../../../shared/notify/index.js');
  const { report, delivery } = await notify(inputs);
  action.setSummary(jobSummary(report, delivery));
  core.setOutputs({ sent: String(delivery.sent), outcome: report.outcome, ts: delivery.ts ?? '', channel: delivery.channel ?? '', permalink: delivery.permalink ?? '' });
  if (delivery.error) {
    const { message, hint } = delivery.error;
    if (inputs.failOnError) throw new UserError(`The notification was not sent: ${message}`, hint);
    core.warning(`The notification was not sent: ${message}\n${hint}\n(A failed notification does not fail the step; set "fail-on-error: true" to change that.)`);
  }
}
