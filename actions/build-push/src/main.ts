import * as core from '../../../shared/core.js';
import type { ActionRun } from '../../../shared/action.js';
import { errorMessage } from '../../../shared/errors.js';
import { getInputs } from './inputs.js';

export async function main(action: ActionRun): Promise<void> {
  const inputs = getInputs();
  const { runBuildPush, jobSummary } = await import('../../../shared/build-push/index.js');
  try {
    const { result, outcome } = await runBuildPush(inputs);
    core.setOutputs({
      image: result.image,
      digest: result.digest,
      'image-with-digest': result.imageWithDigest,
      skipped: String(result.skipped),
      tags: JSON.stringify(result.tags),
      result: JSON.stringify(result),
    });
    core.info(`${result.skipped ? 'Reused' : 'Pushed'} ${result.imageWithDigest} as ${result.tags.join(', ')}.`);
    action.setSummary(jobSummary({ service: result.service, outcome, result }));
  } catch (error) {
    action.setSummary(jobSummary({ service: inputs.service ?? inputs.repository ?? '', outcome: `failed: ${errorMessage(error).split('\n')[0]}` }));
    throw error;
  }
}
