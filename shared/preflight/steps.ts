/**
 * What each Berth step of the reusable workflows is given, input by input: the workflow input it
 * comes from, a fixed value, a secret, the commit, or a value only known at run time (another job's
 * output), for which a stand-in of the right shape is checked. A test holds this table to the
 * workflows' `with:` blocks, so the two cannot drift apart.
 */
export type ActionName = 'changes' | 'promote' | 'build-push' | 'migrate' | 'deploy-ecs' | 'notify';
export type WorkflowName = 'deploy' | 'rollback';
export type SecretName = 'SLACK_WEBHOOK_URL' | 'SLACK_BOT_TOKEN';

export type Source =
  | { input: string; fallback?: string }
  | { value: string }
  | { secret: SecretName }
  | { commit: true }
  /** The manifest environment the workflow's `environment` selects (preflight's output). */
  | { manifestEnvironment: true }
  /** Another job's output, or a matrix value: `standIn` is checked in its place. */
  | { runtime: string };

export interface StepSpec {
  /** The step's id in the workflow. */
  id: string;
  action: ActionName;
  /** The step runs only when this secret is set. */
  needsSecret?: SecretName;
  /** ...and this workflow input is not empty. */
  needsInput?: string;
  /** The step runs only when the call builds (no `promote-from` or `promote-commit`), or only when it promotes. */
  mode?: 'build' | 'promote';
  with: Record<string, Source>;
}

/** The first service of the manifest stands in for a matrix's `service`. */
export const FIRST_SERVICE = '<first service of the manifest>';
const NEEDS_STAND_IN = JSON.stringify({ changes: { result: 'success', outputs: {} } });

const aws = {
  'role-to-assume': { input: 'role-to-assume' },
  'aws-region': { input: 'aws-region' },
  'allowed-account-ids': { input: 'allowed-account-ids' },
} as const;

/** The closing message, sent with a webhook or with a bot token (whichever secret is set), given the same inputs either way. */
function notifySteps(given: Record<string, Source>, botOnly: Record<string, Source> = {}): StepSpec[] {
  return [
    { id: 'notify-webhook', action: 'notify', needsSecret: 'SLACK_WEBHOOK_URL', with: { 'webhook-url': { secret: 'SLACK_WEBHOOK_URL' }, ...given } },
    {
      id: 'notify-bot',
      action: 'notify',
      needsSecret: 'SLACK_BOT_TOKEN',
      needsInput: 'slack-channel',
      with: { 'slack-bot-token': { secret: 'SLACK_BOT_TOKEN' }, 'slack-channel': { input: 'slack-channel' }, ...botOnly, ...given },
    },
  ];
}

/** A call promotes (and builds nothing) when one of these inputs is set. */
export const PROMOTE_INPUTS = ['promote-from', 'promote-commit'] as const;

const deploySteps: StepSpec[] = [
  {
    id: 'changes',
    action: 'changes',
    mode: 'build',
    with: {
      manifest: { input: 'manifest' },
      'manifest-environment': { manifestEnvironment: true },
      services: { input: 'services' },
      since: { input: 'since' },
      plan: { value: 'true' },
      'plan-environments': { manifestEnvironment: true },
      ...aws,
    },
  },
  {
    id: 'promote',
    action: 'promote',
    mode: 'promote',
    with: {
      manifest: { input: 'manifest' },
      to: { manifestEnvironment: true },
      from: { input: 'promote-from' },
      commit: { input: 'promote-commit' },
      services: { input: 'services' },
      ...aws,
    },
  },
  {
    id: 'announce',
    action: 'notify',
    needsSecret: 'SLACK_BOT_TOKEN',
    needsInput: 'slack-channel',
    with: {
      'slack-bot-token': { secret: 'SLACK_BOT_TOKEN' },
      'slack-channel': { input: 'slack-channel' },
      status: { value: 'started' },
      environment: { input: 'environment' },
      changes: { runtime: '' },
    },
  },
  {
    id: 'build',
    action: 'build-push',
    mode: 'build',
    with: { service: { runtime: FIRST_SERVICE }, manifest: { input: 'manifest' }, cache: { input: 'build-cache' }, ...aws },
  },
  {
    id: 'migrate',
    action: 'migrate',
    with: {
      service: { runtime: FIRST_SERVICE },
      manifest: { input: 'manifest' },
      'manifest-environment': { manifestEnvironment: true },
      // The promoted image; empty after a build, when migrate runs the commit's tag.
      image: { runtime: '' },
      ...aws,
    },
  },
  {
    id: 'deploy',
    action: 'deploy-ecs',
    with: {
      services: { runtime: 'all' },
      manifest: { input: 'manifest' },
      'manifest-environment': { manifestEnvironment: true },
      images: { runtime: '' },
      'image-tag': { commit: true },
      'wait-timeout': { input: 'wait-timeout' },
      rollback: { input: 'rollback' },
      'bake-wait': { input: 'bake-wait' },
      ...aws,
    },
  },
  ...notifySteps(
    {
      needs: { runtime: NEEDS_STAND_IN },
      environment: { input: 'environment' },
      changes: { runtime: '' },
      migration: { runtime: '' },
      deployment: { runtime: '' },
    },
    { 'message-ts': { runtime: '' } },
  ),
];

const rollbackSteps: StepSpec[] = [
  {
    id: 'rollback',
    action: 'deploy-ecs',
    with: {
      services: { input: 'services' },
      manifest: { input: 'manifest' },
      'manifest-environment': { manifestEnvironment: true },
      mode: { value: 'rollback' },
      'rollback-to': { input: 'target' },
      'wait-timeout': { input: 'wait-timeout', fallback: '15m' },
      ...aws,
    },
  },
  ...notifySteps({ title: { runtime: 'Rollback' }, needs: { runtime: NEEDS_STAND_IN }, environment: { input: 'environment' }, deployment: { runtime: '' } }),
];

export const WORKFLOW_STEPS: Record<WorkflowName, StepSpec[]> = { deploy: deploySteps, rollback: rollbackSteps };
