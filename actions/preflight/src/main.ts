import * as core from '../../../shared/core.js';
import { phase, type ActionRun } from '../../../shared/action.js';
import { githubContext } from '../../../shared/github.js';
import { getInputs as changesInputs } from '../../changes/src/inputs.js';
import { getInputs as promoteInputs } from '../../promote/src/inputs.js';
import { getInputs as buildPushInputs } from '../../build-push/src/inputs.js';
import { getInputs as migrateInputs } from '../../migrate/src/inputs.js';
import { getInputs as deployInputs } from '../../deploy-ecs/src/inputs.js';
import { getInputs as notifyInputs } from '../../notify/src/inputs.js';
import { getInputs } from './inputs.js';

export async function main(action: ActionRun): Promise<void> {
  const inputs = getInputs();
  const { preflight, jobSummary } = await import('../../../shared/preflight/index.js');
  const github = githubContext();
  const report = await phase(`Check the ${inputs.workflow} workflow's inputs and the manifest`, () =>
    preflight({
      ...inputs,
      commit: github.sha,
      workspace: github.workspace,
      readers: { changes: changesInputs, promote: promoteInputs, 'build-push': buildPushInputs, migrate: migrateInputs, 'deploy-ecs': deployInputs, notify: notifyInputs },
    }),
  );
  for (const step of report.steps) core.info(`${step.id} (${step.action}): ${step.skipped ? `not checked, it ${step.skipped}` : `checked ${step.given.join(', ') || 'its inputs'}`}`);
  if (report.manifestEnvironment) core.info(`Manifest environment of every step: ${report.manifestEnvironment}.`);
  core.info(`Everything checks out: ${report.manifest.file} has ${report.manifest.services.length} services.`);
  core.setOutputs({ 'manifest-environment': report.manifestEnvironment });
  action.setSummary(jobSummary(inputs.workflow, report));
}
