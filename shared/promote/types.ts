/** What the promote engine is asked and what it answers. */
import type { AwsInputs } from '../aws/inputs.js';

export interface PromoteInputs {
  manifest: string;
  /** The manifest environment to promote into. */
  to: string;
  /** The manifest environment whose running images are promoted (empty: the one before `to`). */
  from?: string;
  /** Instead of `from`: the images built for this commit (40 hex digits) in the build registry. */
  commit?: string;
  /** Service names, or 'all'. */
  services: string[] | 'all';
  aws: AwsInputs;
  /** Where the repository is checked out (the manifest is read from it). */
  workspace: string;
  /** Where short-lived files (a registry credentials file) may be written. */
  tempDir: string;
}

/** What was done for a service: copied, already in the target registry, pull checked, or nothing to do. */
export type PromoteAction = 'copied' | 'already-present' | 'pull-allowed' | 'pull-unchecked' | 'unchanged' | 'not-in-source';

interface ImageAt {
  image: string;
  digest?: string;
}

export interface ServicePromotion {
  name: string;
  /** True when `to` will run another image than it runs now. */
  changed: boolean;
  reason: string;
  action: PromoteAction;
  /** The image promoted, as the source has it. */
  source?: ImageAt;
  /** The image as `to` will pull it: its own registry after a copy, the source's with `images: pull`. */
  target?: ImageAt;
  /** What `to` runs now. */
  running?: ImageAt;
}

export interface PromoteResult {
  from?: string;
  to: string;
  commit?: string;
  /** How `to` gets its images. */
  images: 'copy' | 'pull';
  services: ServicePromotion[];
  migrate: boolean;
  durationSeconds: number;
}
