import * as input from '../../../shared/inputs.js';
import { runAction } from '../../../shared/action.js';
import { UserError } from '../../../shared/errors.js';

export async function run(): Promise<void> {
  await runAction(async () => {
    input.required('status', 'success');
    throw new UserError('actions/notify is not implemented yet.', 'Use a release of the suite that includes it.');
  });
}
