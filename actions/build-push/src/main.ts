import * as input from '../../../shared/inputs.js';
import { runAction } from '../../../shared/action.js';
import { UserError } from '../../../shared/errors.js';

export async function run(): Promise<void> {
  await runAction(async () => {
    input.required('service', 'api');
    throw new UserError('actions/build-push is not implemented yet.', 'Use a release of the suite that includes it.');
  });
}
