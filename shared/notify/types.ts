/** What notify reads: where to send, and the results of the other actions as they produced them. */
import type { Mention } from './mention.js';

/** The `status` input: a job status, or `started` for the message posted before a deployment. */
export const STATUSES = ['started', 'success', 'failure', 'cancelled', 'skipped'] as const;
export type Status = (typeof STATUSES)[number];

export const FORMATS = ['slack', 'generic'] as const;
export type Format = (typeof FORMATS)[number];

export type Destination =
  /** An incoming webhook: Slack's (Block Kit) or, with format generic, any receiver of JSON posts. */
  | { kind: 'webhook'; url: string; format: Format }
  /** A bot token: chat.postMessage, or chat.update when `messageTs` names the message to replace. */
  | { kind: 'bot'; token: string; channel: string; apiUrl: string; messageTs?: string };

export interface NotifyInputs {
  destination: Destination;
  status?: Status;
  needs?: NeedsResult;
  environment?: string;
  title?: string;
  /** Who to alert (`<!here>`, `<@U123>`, `<!subteam^S123>`) when the deployment failed or rolled back. */
  mentionOnFailure?: Mention[];
  changes?: ChangesResult;
  builds?: BuildResult[];
  migration?: MigrationResult;
  deployment?: DeploymentResult;
  failOnError: boolean;
  /** Retries after the first try, on HTTP 429, 5xx and network errors. */
  retries: number;
}

/** The `needs` context of the calling job: one entry per job it depends on. */
export type NeedsResult = Record<string, { result: string }>;

/** The `result` output of changes, reduced to what a message shows. */
export interface ChangesResult {
  base?: string;
  head?: string;
  event?: string;
  /** Names of the services that changed. */
  changed: string[];
  migrate?: boolean;
}

/** The `result` output of build-push. */
export interface BuildResult {
  service: string;
  image?: string;
  digest?: string;
  tags: string[];
  skipped?: boolean;
  durationSeconds?: number;
}

/** The `result` output of migrate. */
export interface MigrationResult {
  service?: string;
  status?: string;
  exitCode?: number;
  durationSeconds?: number;
  reason?: string;
  consoleUrl?: string;
}

/** The `result` output of deploy-ecs. */
export interface DeploymentResult {
  outcome?: string;
  services: DeployedService[];
}

export interface DeployedService {
  service: string;
  ecsService?: string;
  taskDefinitionArn?: string;
  revision?: number;
  image?: string;
  outcome?: string;
  durationSeconds?: number;
  reason?: string;
  rolledBackTo?: string;
  consoleUrl?: string;
  /** ROLLING, BLUE_GREEN, LINEAR, CANARY or CODE_DEPLOY. */
  strategy?: string;
  /** Stages reached, with the new revision's traffic (`PRODUCTION_TRAFFIC_SHIFT 10%`). */
  stages?: string[];
}
