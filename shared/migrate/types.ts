import type { AwsInputs } from '../aws/inputs.js';
import type { CapacityProviderItem, LaunchType } from './parse.js';

/** What the migrate action was asked to do, validated. Empty means "from the manifest or the service". */
export interface MigrateInputs {
  /** Service name in the manifest. */
  service?: string;
  /** Path of the services manifest; empty: .github/services.yml. */
  manifest?: string;
  /** `manifest-environment`: the manifest's environment to migrate in; empty, its top-level values. */
  manifestEnvironment?: string;
  /** Repository root the manifest path is relative to. */
  workspace: string;
  image?: string;
  /** Run the current image's repository at this tag instead (the build step's commit tag). */
  imageTag?: string;
  /** True when `imageTag` is the commit (GITHUB_SHA) because neither "image" nor "image-tag" was given. */
  imageTagFromCommit?: boolean;
  /** `image: current`: run the image the task definition names now, as it is (with a warning). */
  currentImage?: boolean;
  taskDefinition?: string;
  container?: string;
  command?: string[];
  environment: Record<string, string>;
  cluster?: string;
  ecsService?: string;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp?: boolean;
  launchType?: LaunchType;
  capacityProviderStrategy?: CapacityProviderItem[];
  platformVersion?: string;
  pollIntervalMs: number;
  timeoutMs: number;
  databaseUrlVariable: string;
  aws: AwsInputs;
}

export type MigrationStatus = 'succeeded' | 'failed' | 'timed-out' | 'cancelled';

/** Everything the action reports about one migration run: outputs, summary and failure message. */
export interface MigrationReport {
  /** The manifest service name, or the ECS service / family when there is no manifest. */
  service: string;
  /** The manifest environment it ran in, when one was named. */
  environment?: string;
  region: string;
  cluster: string;
  ecsService?: string;
  container: string;
  taskArn: string;
  taskDefinitionArn: string;
  /** True when this run registered the task definition revision (a new image). */
  registered: boolean;
  image?: string;
  status: MigrationStatus;
  exitCode?: number;
  durationSeconds: number;
  /** One line: what happened ("Applied 2 migrations: ...", "exited with code 1 — ..."). */
  headline: string;
  /** The evidence ECS gave, one fact per line. */
  evidence: string[];
  /** What to do next, for a run that did not succeed. */
  hint?: string;
  consoleUrl: string;
  logUrl?: string;
  /** Why no log is shown, when there is none. */
  logMissing?: string;
  lastLines: string[];
  warnings: string[];
}
