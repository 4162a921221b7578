/**
 * Where a call of a reusable workflow deploys, and what it ships: the manifest environment its
 * `environment` input selects, and for deploy.yml whether it builds or promotes images that exist.
 * Each check throws the UserError a caller can act on.
 */
import { UserError } from '../errors.js';
import { environmentOfGitHub } from '../manifest/environments.js';
import type { EnvironmentSpec, Manifest } from '../manifest/types.js';
import { closest } from '../suggest.js';
import { PROMOTE_INPUTS, type WorkflowName } from './steps.js';

const FULL_SHA = /^[0-9a-fA-F]{40}$/;

/** The manifest environment of the call; undefined when the manifest has no `environments`. */
export function targetEnvironment(manifest: Manifest, inputs: Record<string, string>, workflow: WorkflowName): EnvironmentSpec | undefined {
  return environmentOfGitHub(manifest, inputs.environment ?? '', `Input "environment" of the ${workflow} workflow`);
}

/** The workflow's jobs compare these inputs with '' as given: a blank one promotes too. */
export function promotes(inputs: Record<string, string>): boolean {
  return PROMOTE_INPUTS.some((name) => Boolean(inputs[name]));
}

/** The promotion inputs of deploy.yml, against the manifest and the environment they promote into. */
export function checkPromotion(manifest: Manifest, inputs: Record<string, string>, target: EnvironmentSpec | undefined): void {
  const from = inputs['promote-from']?.trim() ?? '';
  const commit = inputs['promote-commit']?.trim() ?? '';
  if (!from && !commit && promotes(inputs)) {
    const blank = PROMOTE_INPUTS.find((name) => inputs[name])!;
    throw new UserError(
      `Input "${blank}" of the deploy workflow is blank (${JSON.stringify(inputs[blank])}), which switches the call to a promotion with nothing to promote.`,
      `Give it a value, or leave it empty ('') to build and deploy.`,
    );
  }
  if (!from && !commit) return;
  if (from && commit) {
    throw new UserError(
      `Inputs "promote-from" ("${from}") and "promote-commit" ("${commit}") of the deploy workflow are both set, but a promotion ships one set of images.`,
      'Keep "promote-from" to ship what that environment runs now, or "promote-commit" to ship the images built for that commit.',
    );
  }
  const given = from ? `Input "promote-from" of the deploy workflow is "${from}"` : `Input "promote-commit" of the deploy workflow is "${commit}"`;
  if (!target) {
    throw new UserError(
      `${given}, but ${manifest.file} has no "environments" section, so there is no environment to promote into.`,
      `Add "environments" to ${manifest.file}, one entry per environment in the order images go through them (e.g. staging, then production), each with its account, role and cluster; or remove "${from ? 'promote-from' : 'promote-commit'}" to build and deploy.`,
    );
  }
  if (commit && !FULL_SHA.test(commit)) {
    throw new UserError(
      `${given}, which is not a full commit SHA: images are tagged with all 40 hexadecimal characters of their commit's SHA.`,
      'Give the full SHA, e.g. "${{ github.sha }}" or the output of "git rev-parse <commit>".',
    );
  }
  if (!from) return;
  const source = manifest.environments.find((candidate) => candidate.name === from);
  if (!source) {
    const names = manifest.environments.map((candidate) => candidate.name);
    const guess = closest(from, names);
    throw new UserError(`${given}, which is not an environment of ${manifest.file}.${guess ? ` Did you mean "${guess}"?` : ''}`, `Environments in the manifest: ${names.join(', ')}.`);
  }
  if (source.name === target.name) {
    throw new UserError(
      `${given}, the environment the call deploys to (its input "environment" is "${inputs.environment}"): there is nothing to promote.`,
      `Promote from the environment before it (e.g. promote-from: staging with environment: production), or remove "promote-from" to build and deploy.`,
    );
  }
}
