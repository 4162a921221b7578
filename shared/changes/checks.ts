/**
 * Manifest checks that need the repository: globs that match no file (a warning, since the
 * files may come later), workspace packages that do not exist, and service names that would clash
 * with this action's own outputs (errors).
 */
import type { FileProblem } from '../errors.js';
import { ManifestError } from '../manifest/load.js';
import { manifestLocator } from '../manifest/locate.js';
import type { Manifest } from '../manifest/types.js';
import { closest } from '../suggest.js';
import type { Git } from './git.js';
import type { Snapshot } from './objects.js';
import type { Glob, PathMatcher } from './patterns.js';
import type { Workspaces } from './workspaces.js';

/** Outputs of the changes action that a service's own true/false output must not overwrite. */
const FIXED_OUTPUTS = ['services', 'any-changed', 'matrix', 'migrate', 'migrate-services', 'result'] as const;

export interface Finding {
  at: (string | number)[];
  message: string;
  key?: boolean;
}

/**
 * Throws a ManifestError (every problem with its line) when the manifest names packages or outputs
 * that cannot work; returns warnings for globs that match nothing, and `notices` (found elsewhere)
 * placed on their lines. `files` is the head commit, whose manifest is `manifestText`.
 */
export async function checkAgainstRepository(manifest: Manifest, manifestText: string, files: Snapshot, git: Git, workspaces: Workspaces | undefined, matcher: PathMatcher, notices: Finding[] = []): Promise<FileProblem[]> {
  const errors = [...outputClashes(manifest), ...packageProblems(manifest, workspaces)];
  const warnings = [...(await unmatchedGlobs(manifest, matcher, files, git)), ...notices];
  if (errors.length === 0 && warnings.length === 0) return [];

  const locate = await manifestLocator(manifestText, manifest.file);
  const place = (finding: Finding) => locate(finding.at, finding.message, finding.key);
  if (errors.length) {
    const problems = errors.map(place);
    const listed = problems.map((problem) => `  ${problem.file}:${problem.line}:${problem.column}: ${problem.message}`).join('\n');
    throw new ManifestError(
      `The services manifest ${manifest.file} does not fit the repository (${problems.length === 1 ? 'a problem' : `${problems.length} problems`}):\n${listed}`,
      `Fix ${manifest.file} and push again.`,
      problems,
    );
  }
  return warnings.map(place);
}

function outputClashes(manifest: Manifest): Finding[] {
  return manifest.services
    .filter((service) => (FIXED_OUTPUTS as readonly string[]).includes(service.name))
    .map((service) => ({
      at: ['services', service.name],
      key: true,
      message: `services.${service.name}: the service has the name of one of the changes action's own outputs (${FIXED_OUTPUTS.join(', ')}), so its true/false output would overwrite it. Rename the service.`,
    }));
}

function packageProblems(manifest: Manifest, workspaces: Workspaces | undefined): Finding[] {
  const names = [...(workspaces?.packages.keys() ?? [])].sort();
  const problem = (name: string, what: string): string => {
    if (!workspaces) return `${what} "${name}", but the repository declares no workspaces (no "workspaces" in package.json and no pnpm-workspace.yaml).`;
    const guess = closest(name, names);
    const listed = names.length > 12 ? `${names.slice(0, 12).join(', ')} and ${names.length - 12} more` : names.join(', ');
    return `${what} "${name}", which is not a workspace package.${guess ? ` Did you mean "${guess}"?` : ''} Workspace packages (from ${workspaces.source}): ${listed || 'none'}.`;
  };
  const findings: Finding[] = [];
  for (const service of manifest.services) {
    if (service.package && !workspaces?.packages.has(service.package)) {
      findings.push({ at: ['services', service.name, 'package'], message: problem(service.package, `services.${service.name}.package is`) });
    }
    service.dependsOn.forEach((name, index) => {
      if (!workspaces?.packages.has(name)) findings.push({ at: ['services', service.name, 'dependsOn', index], message: problem(name, `services.${service.name}.dependsOn names`) });
    });
  }
  return findings;
}

/**
 * Globs that match no file in the head commit. Most globs are a file or "<dir>/**", answered by
 * the commit's directory listings (git has no empty directories, so a directory that exists holds
 * files); the rest are matched against the commit's files under their literal prefixes, with one
 * `git ls-tree`.
 * `matcher` holds the globs already compiled, one group per service and then `always`.
 */
async function unmatchedGlobs(manifest: Manifest, matcher: PathMatcher, files: Snapshot, git: Git): Promise<Finding[]> {
  const entries: { glob: Glob; at: (string | number)[]; owner: string }[] = [];
  manifest.services.forEach((service, group) => matcher.groups[group]!.forEach((glob, index) => entries.push({ glob, at: ['services', service.name, 'paths', index], owner: `services.${service.name}.paths` })));
  matcher.groups[manifest.services.length]!.forEach((glob, index) => entries.push({ glob, at: ['always', index], owner: 'always' }));

  const findings = new Map<(typeof entries)[number], Finding>();
  const unmatched = (entry: (typeof entries)[number], hint = ': check the spelling, or remove it') =>
    findings.set(entry, { at: entry.at, message: `"${entry.glob.source}" in ${entry.owner} matches no file in the repository${hint}.` });
  const complex: typeof entries = [];
  const kinds = await Promise.all(entries.map((entry) => (entry.glob.negated ? undefined : files.kind(entry.glob.base))));
  for (const [index, entry] of entries.entries()) {
    const { glob } = entry;
    const kind = kinds[index];
    if (kind === undefined) continue;
    if (!glob.isGlob) {
      if (kind === 'directory') unmatched(entry, `; ${glob.pattern} is a directory, so write "${glob.pattern}/**" to match the files in it`);
      else if (kind === 'none') unmatched(entry);
    } else if (kind !== 'directory') unmatched(entry);
    else if (glob.pattern !== `${glob.base}/**` && glob.pattern !== `${glob.base}/**/*`) complex.push(entry);
  }
  if (complex.length) {
    const bases = complex.some(({ glob }) => glob.base === '') ? [] : [...new Set(complex.map(({ glob }) => glob.base))];
    const tracked = await git.filesIn(files.commit, bases);
    for (const entry of complex) if (!tracked.some((file) => entry.glob.test(file))) unmatched(entry);
  }
  return entries.filter((entry) => findings.has(entry)).map((entry) => findings.get(entry)!);
}
