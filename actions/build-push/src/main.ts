import * as core from '../../../shared/core.js';
import { runAction } from '../../../shared/action.js';
import { errorMessage } from '../../../shared/errors.js';
import { getInputs } from './inputs.js';

export async function run(): Promise<void> {
  await runAction(async (action) => {
    const inputs = getInputs();
    const { runBuildPush, summaryTable } = await import('../../../shared/build/index.js');
    try {
      const { result, outcome } = await runBuildPush(inputs);
      core.setOutput('image', result.image);
      core.setOutput('digest', result.digest);
      core.setOutput('image-with-digest', result.imageWithDigest);
      core.setOutput('skipped', String(result.skipped));
      core.setOutput('tags', JSON.stringify(result.tags));
      core.setOutput('result', JSON.stringify(result));
      core.info(`${result.skipped ? 'Reused' : 'Pushed'} ${result.imageWithDigest} as ${result.tags.join(', ')}.`);
      action.setSummary(summaryTable({ service: result.service, outcome, result }));
    } catch (error) {
      action.setSummary(summaryTable({ service: inputs.service ?? inputs.repository ?? '', outcome: `failed: ${errorMessage(error).split('\n')[0]}` }));
      throw error;
    }
  });
}
