import type { ActionRun } from '../../../shared/action.js';
import * as core from '../../../shared/core.js';
import { getInputs } from './inputs.js';

export async function main(action: ActionRun): Promise<void> {
  const inputs = getInputs();
  const engine = await import('../../../shared/promote/index.js');
  const report = await engine.promote(inputs);
  action.setSummary(engine.jobSummary(report));
  core.setOutputs(engine.actionOutputs(report));
}
