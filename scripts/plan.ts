#!/usr/bin/env tsx
// Prints which services a change touches, for any local repository, with the same detection the
// changes action runs in CI.
import { parseArgs } from 'node:util';
import { detectChanges, type ChangePlan } from '../shared/changes/detect.js';
import { REVISION } from '../shared/changes/base.js';
import { actionOutputs, planTable } from '../shared/changes/summary.js';
import { UserError, errorMessage } from '../shared/errors.js';
import { DEFAULT_MANIFEST } from '../shared/manifest/file.js';

const USAGE = `Usage: npm run plan -- [--base <ref>] [--head <ref>] [options]

Prints, for every service in the manifest, whether the change from the base to the head touches it
and why, then the deployment plan: per environment of the manifest, each changed service's image
now and next, what else its task definition would change, the Prisma migrations the change adds and
the environments it reaches. Without --base, compares with the merge-base of the head and the default
branch. AWS is only read, with your own credentials (the manifest's roles are not assumed).

  --base <ref>            branch, tag or commit to compare with
  --head <ref>            the commit to plan for (default: HEAD)
  --manifest <path>       services manifest, relative to --repo (default: ${DEFAULT_MANIFEST})
  --repo <dir>            the repository (default: the directory npm was run from)
  --default-branch <name> used when --base is not given (default: the remote's HEAD, else main)
  --services <a,b|all>    plan for these services instead of comparing commits
  --since last-deployed   compare each service with the commit its ECS service runs now
                          (AWS credentials and region from the environment, or --region)
  --environment <name>    the manifest environment to compare with (--since last-deployed)
                          and to plan; default: every environment of the manifest
  --task-definition <service>=<file|family[:revision]>
                          what deploy-ecs is given as "task-definition" for that service
                          (repeatable); the plan shows how it differs from the live revision
  --no-aws                plan without reading AWS (no image now, digests or task definitions)
  --region <region>       AWS region when neither the manifest nor the environment names one
  --fetch                 fetch missing history from the remote (never done otherwise)
  --json                  print the changes action's "result" and "matrix" outputs as JSON
  --help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      head: { type: 'string' },
      manifest: { type: 'string' },
      repo: { type: 'string' },
      'default-branch': { type: 'string' },
      services: { type: 'string' },
      since: { type: 'string' },
      region: { type: 'string' },
      environment: { type: 'string' },
      'no-aws': { type: 'boolean', default: false },
      'task-definition': { type: 'string', multiple: true, default: [] },
      fetch: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  for (const name of ['base', 'head'] as const) {
    const value = values[name];
    if (value !== undefined && !REVISION.test(value)) throw new UserError(`--${name} "${value}" is not a git revision.`, 'Give a branch, tag or commit id.');
  }
  if (values.since !== undefined && values.since !== 'last-deployed' && values.since !== 'event') {
    throw new UserError(`--since "${values.since}" is not supported.`, 'Use --since last-deployed, or leave it out to compare commits.');
  }
  const since = values.since === 'last-deployed' ? 'last-deployed' : 'event';
  const directory = values.repo ?? process.env.INIT_CWD ?? process.cwd();
  const services = values.services
    ?.split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const defaultBranch = values['default-branch'] ?? (await remoteDefaultBranch(directory)) ?? 'main';
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const aws = { region: values.region, roleToAssume: undefined, roleSessionName: 'berth-plan', roleDurationSeconds: 3600, audience: 'sts.amazonaws.com', allowedAccountIds: [] };

  const plan: ChangePlan = await detectChanges({
    directory,
    manifest: values.manifest ?? DEFAULT_MANIFEST,
    head: values.head ?? 'HEAD',
    // A person asking without a base means "what does my branch change": the merge-base with the default branch.
    base: values.base ?? (services?.length || since === 'last-deployed' ? undefined : defaultBranch),
    services,
    since,
    environment: values.environment,
    event: { name: 'local' },
    defaultBranch,
    fetch: values.fetch,
    missingBase: 'error',
    log,
    names: { manifest: '--manifest', services: '--services', base: '--base', head: '--head', directory: '--repo', environment: '--environment' },
    lookupDeployed: async (manifest, selected) => {
      const { lookupDeployed } = await import('../shared/changes/deployed.js');
      return lookupDeployed(aws, { ...manifest, role: undefined }, selected, log);
    },
  });
  const { planDeployment, planText } = await import('../shared/plan/index.js');
  const deployPlan = await planDeployment({
    change: plan,
    root: plan.root,
    workspace: directory,
    environments: values.environment === undefined ? undefined : [values.environment],
    environmentsSource: '--environment',
    taskDefinitionsSource: '--task-definition',
    aws: values['no-aws'] ? undefined : aws,
    assumeManifestRoles: false,
    deploy: { taskDefinitions: taskDefinitions(values['task-definition']), environment: {} },
    log,
  });

  for (const problem of plan.manifestWarnings) log(`warning: ${problem.file}:${problem.line}:${problem.column}: ${problem.message}`);
  for (const warning of plan.warnings) log(`warning: ${warning}`);
  if (values.json) {
    const outputs = actionOutputs(plan);
    console.log(JSON.stringify({ result: JSON.parse(outputs.result!), matrix: JSON.parse(outputs.matrix!), plan: deployPlan }, null, 2));
  } else {
    console.log(`${planTable(plan)}\n\n${planText(deployPlan)}`);
  }
  return 0;
}

function taskDefinitions(given: string[]): Record<string, string> {
  const found: Record<string, string> = {};
  for (const item of given) {
    const at = item.indexOf('=');
    if (at <= 0 || at === item.length - 1) throw new UserError(`--task-definition "${item}" is not <service>=<task definition>.`, 'For example --task-definition api=apps/api/task-definition.json.');
    found[item.slice(0, at)] = item.slice(at + 1);
  }
  return found;
}

/** The branch the remote's HEAD points at (origin/HEAD), when the clone knows it. */
async function remoteDefaultBranch(directory: string): Promise<string | undefined> {
  const { Git } = await import('../shared/changes/git.js');
  const { code, stdout } = await new Git(directory).run(['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  return code === 0 ? stdout.trim().replace(/^origin\//, '') : undefined;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    if (error instanceof UserError) {
      process.stderr.write(`error: ${error.message}\n${error.hint ? `${error.hint}\n` : ''}`);
    } else {
      process.stderr.write(`error: ${errorMessage(error)}\n`);
    }
    process.exitCode = 1;
  },
);
