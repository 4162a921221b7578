import { runAction } from '../../../shared/action.js';
import { getInputs } from './inputs.js';

export async function run(): Promise<void> {
  await runAction(async (action) => {
    const inputs = getInputs();
    const { deploy } = await import('../../../shared/deploy/index.js');
    await deploy(inputs, action);
  });
}
