/** What build-push is asked to do, after its inputs were read and checked. Types only: no SDK here. */
import type { AwsInputs } from '../aws/inputs.js';
import type { TagMutability } from '../ecr/host.js';

export const CACHE_MODES = ['registry', 'gha', 'inline', 'none'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

export const NETWORK_MODES = ['default', 'none', 'host'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

export interface BuildPushInputs {
  /** Name in the services manifest; when empty, `repository` (and `context`, `dockerfile`) say what to build. */
  service?: string;
  manifest: string;
  /** Absolute; manifest, context and Dockerfile paths are relative to it. */
  workingDirectory: string;
  repository?: string;
  context?: string;
  dockerfile?: string;
  /** The full commit SHA (GITHUB_SHA); the tag that identifies this build when it is among `tags`. */
  commitSha: string;
  /** Without the registry and repository, de-duplicated; the first is the image output's tag unless the commit SHA is there. */
  tags: string[];
  /** Merged over the manifest's build args. */
  buildArgs: Record<string, string>;
  target?: string;
  platforms: string[];
  network?: NetworkMode;
  builder?: string;
  cache: CacheMode;
  provenance: boolean;
  /** Registry host to log in and push to instead of the account's ECR host. */
  registry?: string;
  createRepository: boolean;
  imageTagMutability: TagMutability;
  scanOnPush: boolean;
  pushRetries: number;
  /** Build even when ECR already has the commit's image. */
  rebuild: boolean;
  aws: AwsInputs;
}

/** The build-push `result` output, kept exactly to the contract other actions read. */
export interface BuildPushResult {
  service: string;
  repository: string;
  image: string;
  digest: string;
  imageWithDigest: string;
  tags: string[];
  skipped: boolean;
  sizeBytes: number | null;
  durationSeconds: number;
}
