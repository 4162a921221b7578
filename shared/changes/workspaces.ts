/**
 * npm, yarn and pnpm workspaces, read from package.json files alone: which packages exist, where,
 * and which of them each one depends on. Only the package.json files the workspace globs can select
 * are read, so a large repository costs a directory listing (or one `git ls-files`) and a handful of
 * small reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { quickParse } from '../manifest/quick-yaml.js';
import type { Git } from './git.js';
import { PathMatcher } from './patterns.js';

export interface WorkspacePackage {
  name: string;
  /** Directory relative to the repository root. */
  dir: string;
  /** Names of the workspace packages it depends on (any kind of dependency). */
  dependsOn: string[];
}

export interface Workspaces {
  /** The file that declares the workspaces. */
  source: 'package.json' | 'pnpm-workspace.yaml';
  packages: Map<string, WorkspacePackage>;
  /** Package directories, for finding the package a path is in. */
  byDir: Map<string, WorkspacePackage>;
  /** Files that could not be read, with why. */
  skipped: string[];
}

const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

interface PackageJson {
  name?: unknown;
  workspaces?: unknown;
  [field: string]: unknown;
}

/** The workspace globs the repository declares, or undefined when it has no workspaces. */
export async function workspaceGlobs(root: string): Promise<{ source: Workspaces['source']; globs: string[] } | undefined> {
  const pnpm = readText(join(root, 'pnpm-workspace.yaml'));
  if (pnpm !== undefined) {
    const packages = ((quickParse(pnpm) ?? (await import('yaml')).parse(pnpm)) as { packages?: unknown } | null)?.packages;
    return { source: 'pnpm-workspace.yaml', globs: strings(packages) };
  }
  const text = readText(join(root, 'package.json'));
  if (text === undefined) return undefined;
  let workspaces: unknown;
  try {
    workspaces = (JSON.parse(text) as PackageJson).workspaces;
  } catch {
    return undefined;
  }
  const globs = strings(Array.isArray(workspaces) ? workspaces : (workspaces as { packages?: unknown } | undefined)?.packages);
  return globs.length ? { source: 'package.json', globs } : undefined;
}

export async function readWorkspaces(root: string, git: Git): Promise<Workspaces | undefined> {
  const declared = await workspaceGlobs(root);
  if (!declared) return undefined;
  const globs = declared.globs.map((glob) => glob.replace(/^(\.\/)+/, '').replace(/\/+$/, ''));
  const dirs = new PathMatcher([globs]);
  const manifests = (await packageJsonFiles(root, git, globs)).filter((file) => {
    const dir = file.slice(0, -'/package.json'.length);
    return !dir.split('/').includes('node_modules') && dirs.includes(0, dir);
  });
  const skipped: string[] = [];
  // A few dozen small files: reading them one after another is quicker than a round of the thread pool each.
  const read = manifests.map((file) => {
    let text: string;
    try {
      text = readFileSync(join(root, file), 'utf8');
    } catch {
      return undefined; // a directory under the workspace globs that is not a package
    }
    try {
      const json = JSON.parse(text) as PackageJson;
      if (typeof json.name !== 'string' || json.name === '') {
        skipped.push(`${file} has no "name"`);
        return undefined;
      }
      const names = DEPENDENCY_FIELDS.flatMap((field) => Object.keys((json[field] as Record<string, unknown> | undefined) ?? {}));
      return { name: json.name, dir: file.slice(0, -'/package.json'.length), names };
    } catch (error) {
      skipped.push(`${file} is not valid JSON: ${(error as Error).message}`);
      return undefined;
    }
  });
  const packages = new Map<string, WorkspacePackage>();
  for (const entry of read) if (entry) packages.set(entry.name, { name: entry.name, dir: entry.dir, dependsOn: [] });
  for (const entry of read) {
    if (!entry) continue;
    packages.get(entry.name)!.dependsOn = [...new Set(entry.names)].filter((name) => name !== entry.name && packages.has(name));
  }
  return { source: declared.source, packages, byDir: new Map([...packages.values()].map((pkg) => [pkg.dir, pkg])), skipped };
}

/**
 * Candidate package.json files for the workspace globs (some may not exist). The usual globs
 * (`apps/*`, `packages/api`) are answered from the directory listing; any other one by git, with a
 * pathspec that lists only the package.json files under its literal prefix.
 */
async function packageJsonFiles(root: string, git: Git, globs: string[]): Promise<string[]> {
  const found: string[] = [];
  const pathspecs: string[] = [];
  for (const glob of globs) {
    if (glob.startsWith('!')) continue;
    const wildcard = glob.search(/[*?[\]{}()!+@]/);
    if (wildcard === -1) {
      found.push(`${glob}/package.json`);
    } else if (wildcard === glob.length - 1 && (glob === '*' || glob.endsWith('/*'))) {
      const parent = glob.slice(0, -2);
      for (const name of subdirectories(join(root, parent))) found.push(`${parent ? `${parent}/` : ''}${name}/package.json`);
    } else {
      pathspecs.push(`:(glob)${glob.slice(0, wildcard).replace(/[^/]*$/, '')}**/package.json`);
    }
  }
  if (pathspecs.length) found.push(...(await git.trackedFiles(pathspecs)));
  return [...new Set(found)];
}

function subdirectories(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/** A function giving the workspace package a directory is in (the innermost one), if any; answers are kept. */
export function packageFinder(workspaces: Workspaces): (dir: string) => WorkspacePackage | undefined {
  const byDirectory = new Map<string, WorkspacePackage | undefined>();
  const inDirectory = (dir: string): WorkspacePackage | undefined => {
    if (dir === '') return undefined;
    if (byDirectory.has(dir)) return byDirectory.get(dir);
    const found = workspaces.byDir.get(dir) ?? inDirectory(dir.slice(0, Math.max(0, dir.lastIndexOf('/'))));
    byDirectory.set(dir, found);
    return found;
  };
  return inDirectory;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.trim() !== '') : [];
}
