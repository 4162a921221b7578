/**
 * The first step of a reusable workflow: every input of the workflow, the secrets its steps use and
 * the services manifest are checked before anything is built, pushed, migrated or deployed, with
 * the readers of the steps that will get them. Every problem is reported at once.
 */
import { UserError, type FileProblem } from '../errors.js';
import { withInputs } from '../inputs.js';
import { DEFAULT_MANIFEST } from '../manifest/file.js';
import { findService, loadManifest } from '../manifest/load.js';
import type { Manifest } from '../manifest/types.js';
import { parseServiceNames } from '../deploy/parse.js';
import { checkPromotion, promotes, targetEnvironment } from './promotion.js';
import { FIRST_SERVICE, WORKFLOW_STEPS, type ActionName, type SecretName, type Source, type StepSpec, type WorkflowName } from './steps.js';

export interface PreflightRequest {
  workflow: WorkflowName;
  /** The workflow's `inputs` context, as `toJSON(inputs)` gives it. */
  inputs: Record<string, unknown>;
  secrets: Partial<Record<SecretName, string>>;
  /** The commit the workflow runs for (GITHUB_SHA). */
  commit: string;
  workspace: string;
  /** Each action's own input reader, run against the values its step will get. */
  readers: Record<ActionName, () => unknown>;
}

interface CheckedStep {
  id: string;
  action: ActionName;
  /** The step's inputs that come from the workflow's inputs or secrets. */
  given: string[];
  /** Why it was not checked: the step does not run with these secrets and inputs. */
  skipped?: string;
}

export interface PreflightReport {
  manifest: Manifest;
  /** The manifest environment every step acts on; empty when the manifest has no `environments`. */
  manifestEnvironment: string;
  /** deploy.yml builds the commit's images, or promotes images that exist (rollback.yml: neither). */
  mode?: 'build' | 'promote';
  steps: CheckedStep[];
}

export async function preflight(request: PreflightRequest): Promise<PreflightReport> {
  const inputs = stringInputs(request.inputs);
  const problems: string[] = [];
  const fileProblems: FileProblem[] = [];
  const hints = new Set<string>();
  /** `rename` turns the reader's words into the caller's; `where` prefixes a message that names no input. */
  const note = (error: unknown, rename: (text: string) => string = (text) => text, where = '') => {
    if (!(error instanceof UserError)) throw error;
    const renamed = rename(error.message);
    const message = where && !/\b(Inputs?|Secret) /.test(renamed) ? `${where}: ${renamed}` : renamed;
    if (!problems.includes(message)) problems.push(message);
    if (error.hint) hints.add(rename(error.hint));
    fileProblems.push(...error.problems);
  };

  let manifest: Manifest | undefined;
  try {
    manifest = await loadManifest(inputs.manifest || DEFAULT_MANIFEST, request.workspace);
  } catch (error) {
    note(error, (text) => text.replace(/\bInput "manifest"/g, `Input "manifest" of the ${request.workflow} workflow`));
  }
  if (manifest && inputs.services) {
    try {
      const names = parseServiceNames(inputs.services);
      if (names !== 'all') for (const name of names) findService(manifest, name);
    } catch (error) {
      note(error, (text) => text, `Input "services" of the ${request.workflow} workflow`);
    }
  }

  let manifestEnvironment = '';
  const mode = request.workflow === 'deploy' ? (promotes(inputs) ? 'promote' : 'build') : undefined;
  if (manifest) {
    try {
      const target = targetEnvironment(manifest, inputs, request.workflow);
      manifestEnvironment = target?.name ?? '';
      if (request.workflow === 'deploy') checkPromotion(manifest, inputs, target);
    } catch (error) {
      note(error);
    }
  }

  const steps: CheckedStep[] = [];
  for (const step of WORKFLOW_STEPS[request.workflow]) {
    const given = Object.entries(step.with)
      .filter(([, source]) => 'input' in source || 'secret' in source)
      .map(([key]) => key);
    const skipped = skipReason(step, inputs, request.secrets, mode);
    steps.push({ id: step.id, action: step.action, given, skipped });
    if (skipped) continue;
    const values = Object.fromEntries(Object.entries(step.with).map(([key, source]) => [key, valueOf(source, inputs, request, manifest, manifestEnvironment)]));
    try {
      withInputs(values, request.readers[step.action]);
    } catch (error) {
      note(error, (text) => renameInputs(text, step, request.workflow), `Step "${step.id}" (${step.action})`);
    }
  }

  if (problems.length || !manifest) {
    throw new UserError(
      `The ${request.workflow} workflow was not started: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n${problems.map((problem) => `- ${problem}`).join('\n')}`}`,
      [...hints, 'Nothing was built, pushed, migrated or deployed. Fix the inputs of the workflow call (its "with:" block) or the manifest, and run it again.'].join('\n'),
      fileProblems,
    );
  }
  return { manifest, manifestEnvironment, mode, steps };
}

/** `toJSON(inputs)` gives booleans and numbers as they are; steps get them as text. */
function stringInputs(inputs: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(inputs)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'object') throw new UserError(`Input "${name}" of the workflow is not text, a number or a boolean.`, "Pass the workflow's inputs unchanged: inputs: ${{ toJSON(inputs) }}.");
    result[name] = String(value);
  }
  return result;
}

function skipReason(step: StepSpec, inputs: Record<string, string>, secrets: PreflightRequest['secrets'], mode: PreflightReport['mode']): string | undefined {
  if (step.mode === 'promote' && mode !== 'promote') return 'runs only when "promote-from" or "promote-commit" is set';
  if (step.mode === 'build' && mode === 'promote') return 'does not run when the call promotes';
  if (step.needsSecret && !secrets[step.needsSecret]) return `runs only with the ${step.needsSecret} secret`;
  if (step.needsInput && !inputs[step.needsInput]?.trim()) return `runs only when "${step.needsInput}" is set`;
  return undefined;
}

function valueOf(source: Source, inputs: Record<string, string>, request: PreflightRequest, manifest: Manifest | undefined, manifestEnvironment: string): string {
  if ('input' in source) return inputs[source.input] || source.fallback || '';
  if ('manifestEnvironment' in source) return manifestEnvironment;
  if ('value' in source) return source.value;
  if ('secret' in source) return request.secrets[source.secret] ?? '';
  if ('commit' in source) return request.commit;
  return source.runtime === FIRST_SERVICE ? (manifest?.services[0]?.name ?? '') : source.runtime;
}

/**
 * A step's reader names its own inputs ("cache"); the caller set the workflow's ("build-cache")
 * or a secret: the message names what the caller can change.
 */
function renameInputs(text: string, step: StepSpec, workflow: WorkflowName): string {
  let renamed = text;
  for (const [key, source] of Object.entries(step.with)) {
    // Input names are letters, digits and hyphens: nothing to escape in a pattern.
    if ('input' in source) renamed = renamed.replace(new RegExp(`"${key}"`, 'g'), `"${source.input}"`);
    if ('secret' in source) renamed = renamed.replace(new RegExp(`Input "${key}"`, 'g'), `Secret ${source.secret}`).replace(new RegExp(`"${key}"`, 'g'), source.secret);
  }
  return renamed.replace(/the step's "with:" block/g, `the inputs of the ${workflow} workflow call`);
}
