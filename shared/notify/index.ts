/** Notify: one message per deployment, built from the other actions' results and sent where the inputs say. */
import * as core from '../core.js';
import { phase } from '../action.js';
import { githubContext, readEventPayload } from '../github.js';
import { commitInfo } from './commit.js';
import { deliver, describeTarget, type Delivery } from './deliver.js';
import { genericPayload } from './generic.js';
import { requireOutcome } from './outcome.js';
import { OUTCOME_LABEL, buildReport, type Report } from './report.js';
import { blockChars, slackMessage } from './slack-message.js';
import type { NotifyInputs } from './types.js';

export { jobSummary } from './summary.js';

export interface NotifyResult {
  report: Report;
  delivery: Delivery;
}

export async function notify(inputs: NotifyInputs, env: NodeJS.ProcessEnv = process.env): Promise<NotifyResult> {
  const { destination } = inputs;
  const { report, message } = await phase('Building the message', async () => {
    const outcome = requireOutcome(inputs);
    const context = githubContext(env);
    const commit = await commitInfo(context, readEventPayload(env), inputs.changes);
    const report = buildReport(inputs, outcome, context, commit);
    const message = slackMessage(report);
    core.info(`Outcome: ${OUTCOME_LABEL[outcome]}; ${report.services.length} service(s)${report.migration ? ', a migration' : ''}.`);
    if (destination.kind === 'webhook' && destination.format === 'generic') {
      const payload = genericPayload(report);
      core.info(`Generic payload: ${payload.text.length} characters of text.`);
      core.info(payload.text);
      core.debug(JSON.stringify(payload));
    } else {
      const chars = message.blocks.reduce((sum, block) => sum + blockChars(block), 0);
      core.info(`Slack message: ${message.blocks.length} blocks, ${chars} characters.`);
      core.info(message.text);
      core.debug(JSON.stringify(message));
    }
    return { report, message };
  });
  const verb = destination.kind === 'bot' ? (destination.messageTs ? 'Updating the message in' : 'Posting to') : 'Posting to';
  const delivery = await phase(`${verb} ${describeTarget(destination)}`, () => deliver(destination, report, message, inputs.retries));
  return { report, delivery };
}
