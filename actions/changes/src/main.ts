import * as core from '../../../shared/core.js';
import { phase, type ActionRun } from '../../../shared/action.js';
import { eventInfo } from '../../../shared/changes/base.js';
import { startDetection } from '../../../shared/changes/start.js';
import { getInputs } from './inputs.js';

export async function main(action: ActionRun): Promise<void> {
  const inputs = getInputs();
  const request = {
    directory: inputs.workingDirectory,
    manifest: inputs.manifest,
    head: inputs.head,
    base: inputs.base,
    services: inputs.services,
    since: inputs.since,
    event: eventInfo(inputs.eventName, inputs.payload),
    defaultBranch: inputs.defaultBranch,
  };
  // git starts before the rest of the engine loads: the diff and the manifest's read run while it loads.
  const started = startDetection(request);
  const engine = await import('../../../shared/changes/index.js');
  const plan = await phase('Finding changed services', () =>
    engine.detectChanges(
      {
        ...request,
        fetch: true,
        missingBase: 'all',
        log: (line) => core.info(line),
        lookupDeployed: async (manifest, services) => {
          // A chunk of its own, read only in this mode: compiling the AWS SDK as part of the main
          // bundle would cost every run about 70 ms, though eager imports defer its evaluation.
          const { lookupDeployed } = await import('../../../shared/changes/deployed.js');
          return lookupDeployed(inputs.aws, manifest, services, (line) => core.info(line));
        },
      },
      started,
    ),
  );
  action.setSummary(engine.jobSummary(plan));
  for (const problem of plan.manifestWarnings) core.warning(problem.message, { file: problem.file, startLine: problem.line, startColumn: problem.column });
  for (const warning of plan.warnings) core.warning(warning);
  core.info(engine.planTable(plan));
  core.setOutputs(engine.actionOutputs(plan));
}
