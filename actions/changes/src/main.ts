import * as core from '../../../shared/core.js';
import { phase, type ActionRun } from '../../../shared/action.js';
import { eventInfo } from '../../../shared/changes/base.js';
import { startDetection } from '../../../shared/changes/start.js';
import { getInputs, type Inputs, type PlanInputs } from './inputs.js';
import type { ChangePlan } from '../../../shared/changes/detect.js';
import type { SummaryWriter } from '../../../shared/summary.js';

export async function main(action: ActionRun): Promise<void> {
  const inputs = getInputs();
  const request = {
    directory: inputs.workingDirectory,
    manifest: inputs.manifest,
    head: inputs.head,
    base: inputs.base,
    services: inputs.services,
    since: inputs.since,
    environment: inputs.manifestEnvironment,
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
  const changes = engine.jobSummary(plan);
  action.setSummary(changes);
  for (const problem of plan.manifestWarnings) core.warning(problem.message, { file: problem.file, startLine: problem.line, startColumn: problem.column });
  for (const warning of plan.warnings) core.warning(warning);
  core.info(engine.planTable(plan));
  const outputs = engine.actionOutputs(plan);
  if (inputs.plan) outputs.plan = await deploymentPlan(inputs, inputs.plan, plan, changes, action);
  core.setOutputs(outputs);
}

/** The plan before the change: appended to the summary, printed, posted on the pull request when asked; returned as JSON. */
async function deploymentPlan(inputs: Inputs, wanted: PlanInputs, change: ChangePlan, changes: SummaryWriter, action: ActionRun): Promise<string> {
  const planner = await import('../../../shared/plan/index.js');
  const variables = planner.parseEnvironment(wanted.variables, 'plan-variables');
  for (const [name, value] of Object.entries(variables)) if (value && planner.looksSecret(name, value)) core.setSecret(value);
  const deployPlan = await phase('Planning the deployment', async () => {
    const result = await planner.planDeployment({
      change,
      root: change.root,
      workspace: inputs.workingDirectory,
      environments: wanted.environments,
      environmentsSource: 'Input "plan-environments"',
      taskDefinitionsSource: 'Input "plan-task-definitions"',
      aws: inputs.aws,
      deploy: { taskDefinitions: wanted.taskDefinitions, environment: variables },
      log: (line) => core.info(line),
    });
    core.info(planner.planText(result));
    return result;
  });
  const markdown = planner.planMarkdown(deployPlan);
  action.setSummary((summary) => {
    changes(summary);
    summary.addRaw(markdown, true);
  });
  const comment = wanted.comment;
  if (comment) {
    await phase('Commenting on the pull request', async () => {
      if (comment.pullRequest === undefined) {
        core.info(`No pull request to comment on: the event is ${inputs.eventName || 'unknown'}, not pull_request.`);
        return;
      }
      try {
        const posted = await planner.upsertComment({ token: comment.token, repository: comment.repository, pullRequest: comment.pullRequest, body: markdown, marker: planner.planMarker(change.fileManifest.file) });
        core.info(`Plan comment ${posted.action}: ${posted.url}`);
      } catch (error) {
        const status = (error as { status?: number }).status;
        core.warning(
          `The plan could not be posted on pull request #${comment.pullRequest}: ${error instanceof Error ? error.message : String(error)}. ` +
            (status === 403 || status === 404 ? 'Give the job "permissions: pull-requests: write" (a pull request from a fork gets a read-only token: its plan stays in the job summary).' : 'The plan is in the job summary.'),
        );
      }
    });
  }
  return JSON.stringify(deployPlan);
}
