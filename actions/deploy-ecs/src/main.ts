import * as core from '../../../shared/core.js';
import type { ActionRun } from '../../../shared/action.js';
import type { DeployResult } from '../../../shared/deploy/types.js';
import { getInputs } from './inputs.js';

export async function main(action: ActionRun): Promise<void> {
  const inputs = getInputs();
  const { deploy } = await import('../../../shared/deploy/index.js');
  const { result, failure } = await deploy(inputs, action);
  core.setOutputs(outputsOf(result));
  if (failure) throw failure;
}

/** The outputs action.yml lists, and four per service (`<service>-outcome`, ...). */
function outputsOf(result: DeployResult): Record<string, unknown> {
  const byService = (value: (service: DeployResult['services'][number]) => unknown) => JSON.stringify(Object.fromEntries(result.services.map((service) => [service.service, value(service)])));
  const outputs: Record<string, unknown> = {
    result: JSON.stringify(result),
    outcome: result.outcome,
    'task-definition-arns': byService((service) => service.taskDefinitionArn),
    'deployment-ids': byService((service) => service.deploymentId),
    outcomes: byService((service) => service.outcome),
    durations: byService((service) => service.durationSeconds),
    images: JSON.stringify(Object.fromEntries(result.services.filter((service) => service.outcome === 'deployed').map((service) => [service.service, service.image]))),
  };
  for (const service of result.services) {
    outputs[`${service.service}-task-definition-arn`] = service.taskDefinitionArn;
    outputs[`${service.service}-deployment-id`] = service.deploymentId;
    outputs[`${service.service}-outcome`] = service.outcome;
    outputs[`${service.service}-duration-seconds`] = service.durationSeconds;
  }
  return outputs;
}
