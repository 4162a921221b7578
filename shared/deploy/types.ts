/** The deploy action's typed inputs and results. No runtime imports: the action's inputs.ts uses these. */
import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';
import type { AwsInputs } from '../aws/inputs.js';

/** Which services to deploy: names from the manifest, or one ECS service named directly. */
export type Selection = { kind: 'manifest'; file: string; names: string[] | 'all' } | { kind: 'explicit'; cluster: string; service: string; container?: string };

/** `rollback-to`: what to put back, without building anything. */
/** How a service's deployments are made: ECS's own strategies, or CodeDeploy (blue/green with task sets). */
export type Strategy = 'ROLLING' | 'BLUE_GREEN' | 'LINEAR' | 'CANARY';

/**
 * `bake-wait`: how long to watch a blue/green, linear or canary deployment once production traffic is
 * on the new revision. `full` until ECS says SUCCESSFUL (after bake time and clean-up), `none` until
 * bake time starts, or a duration into bake time.
 */
export type BakeWait = { kind: 'full' } | { kind: 'none' } | { kind: 'duration'; ms: number; text: string };

/** CodeDeploy names given by the caller, when they are not the ones the service's deployments show. */
interface CodeDeployNames {
  application?: string;
  deploymentGroup?: string;
}

export type RollbackTo = { kind: 'previous' } | { kind: 'revision'; revision: number } | { kind: 'task-definition'; reference: string } | { kind: 'image-tag'; tag: string };

export interface DeployInputs {
  selection: Selection;
  /** `manifest-environment`: the manifest's environment to deploy to; empty, its top-level values. */
  manifestEnvironment?: string;
  /**
   * New images. Keys: a manifest service name (its container), `<service>.<container>`, or, when
   * `service` names the ECS service directly, a container name.
   */
  images: Record<string, string>;
  /** The image for `container` (or the task definition's only container) when one service is named directly. */
  image?: string;
  /** Tag of the default image `<registry>/<repository>:<tag>` for manifest services without an image (the commit SHA unless given). */
  imageTag?: string;
  registry?: string;
  /** A task-definition JSON file, a family, family:revision or an ARN to start from instead of the live one. */
  taskDefinition?: string;
  /** Set on the containers whose image is replaced (or the main container). */
  environment: Record<string, string>;
  wait: boolean;
  waitTimeoutMs: number;
  pollIntervalMs: number;
  /** Failed tasks (stopped, or still stopping) that fail the new deployment or a rollback; 0 leaves it to ECS and the deadline. */
  failedTasksThreshold: number;
  /** `all` applies to every service; `byService` by name. */
  healthUrls: { all?: string; byService: Record<string, string> };
  healthTimeoutMs: number;
  rollback: boolean;
  rollbackTo?: RollbackTo;
  /** `allow-other-family`: a rollback target of another task-definition family is allowed (and said loudly). */
  allowOtherFamily: boolean;
  forceNewDeployment: boolean;
  /** `bake-wait`; a manifest service's own `ecs.bakeWait` wins. */
  bakeWait: BakeWait;
  /** `strategy`: deploy this once with another ECS strategy, then put the service's own back. */
  strategy?: Strategy;
  codeDeploy: CodeDeployNames;
  aws: AwsInputs;
}

export type Outcome = 'deployed' | 'rolled-back' | 'failed';

/** One service's line of the `result` output (the shape other actions consume). */
export interface ServiceResult {
  service: string;
  cluster: string;
  ecsService: string;
  taskDefinitionArn: string;
  revision: number | null;
  image: string;
  deploymentId: string;
  outcome: Outcome;
  durationSeconds: number;
  reason: string;
  rolledBackTo: string;
  consoleUrl: string;
  /** ROLLING, BLUE_GREEN, LINEAR, CANARY or CODE_DEPLOY. */
  strategy: string;
  /** Blue/green, linear, canary and CodeDeploy: each stage reached, in order, with the traffic then (`PRODUCTION_TRAFFIC_SHIFT 10%`). */
  stages: string[];
}

export interface DeployResult {
  outcome: Outcome;
  services: ServiceResult[];
}

/** What a service is given: a new revision to register, or an existing one deployed as it is. */
export type Release = { kind: 'register'; input: RegisterTaskDefinitionCommandInput; note?: string } | { kind: 'existing'; arn: string; definition: TaskDefinition; note?: string };
