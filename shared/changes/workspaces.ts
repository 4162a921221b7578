/**
 * npm, yarn and pnpm workspaces, read from the package.json files of the head commit alone: which
 * packages exist, where, and which of them each one depends on. Only the package.json files the
 * workspace globs can select are read, so a large repository costs a directory listing (or one
 * `git ls-tree`) and a handful of small reads.
 */
import { quickParse } from '../manifest/quick-yaml.js';
import type { Git } from './git.js';
import type { Snapshot } from './objects.js';
import { PathMatcher } from './patterns.js';

export interface WorkspacePackage {
  name: string;
  /** Directory relative to the repository root. */
  dir: string;
  /** Names of the workspace packages it depends on (any kind of dependency). */
  dependsOn: string[];
  /** Its other dependencies, name to range as its package.json gives them. */
  external: Record<string, string>;
}

export interface Workspaces {
  /** The file that declares the workspaces. */
  source: 'package.json' | 'pnpm-workspace.yaml';
  packages: Map<string, WorkspacePackage>;
  /** Package directories, for finding the package a path is in. */
  byDir: Map<string, WorkspacePackage>;
  /** The root package.json's own dependencies, name to range. */
  rootExternal: Record<string, string>;
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
async function workspaceGlobs(files: Snapshot): Promise<{ source: Workspaces['source']; globs: string[]; root: PackageJson | undefined } | undefined> {
  const [pnpm, text] = await Promise.all([files.text('pnpm-workspace.yaml'), files.text('package.json')]);
  let root: PackageJson | undefined;
  try {
    root = text === undefined ? undefined : (JSON.parse(text) as PackageJson);
  } catch {
    root = undefined;
  }
  if (pnpm !== undefined) {
    const packages = ((quickParse(pnpm) ?? (await import('yaml')).parse(pnpm)) as { packages?: unknown } | null)?.packages;
    return { source: 'pnpm-workspace.yaml', globs: strings(packages), root };
  }
  const workspaces = root?.workspaces;
  const globs = strings(Array.isArray(workspaces) ? workspaces : (workspaces as { packages?: unknown } | undefined)?.packages);
  return globs.length ? { source: 'package.json', globs, root } : undefined;
}

export async function readWorkspaces(files: Snapshot, git: Git): Promise<Workspaces | undefined> {
  const declared = await workspaceGlobs(files);
  if (!declared) return undefined;
  const globs = declared.globs.map((glob) => glob.replace(/^(\.\/)+/, '').replace(/\/+$/, ''));
  const dirs = new PathMatcher([globs]);
  const manifests = (await packageJsonFiles(files, git, globs)).filter((file) => {
    const dir = file.slice(0, -'/package.json'.length);
    return !dir.split('/').includes('node_modules') && dirs.includes(0, dir);
  });
  const skipped: string[] = [];
  const texts = await Promise.all(manifests.map((file) => files.text(file)));
  const read = manifests.map((file, index) => {
    const text = texts[index];
    if (text === undefined) return undefined; // a directory under the workspace globs that is not a package
    try {
      const json = JSON.parse(text) as PackageJson;
      if (typeof json.name !== 'string' || json.name === '') {
        skipped.push(`${file} has no "name"`);
        return undefined;
      }
      return { name: json.name, dir: file.slice(0, -'/package.json'.length), ranges: ranges(json) };
    } catch (error) {
      skipped.push(`${file} is not valid JSON: ${(error as Error).message}`);
      return undefined;
    }
  });
  const packages = new Map<string, WorkspacePackage>();
  for (const entry of read) if (entry) packages.set(entry.name, { name: entry.name, dir: entry.dir, dependsOn: [], external: {} });
  for (const entry of read) {
    if (!entry) continue;
    const pkg = packages.get(entry.name)!;
    for (const [name, range] of Object.entries(entry.ranges)) {
      if (name === entry.name) continue;
      if (packages.has(name)) pkg.dependsOn.push(name);
      else pkg.external[name] = range;
    }
  }
  return {
    source: declared.source,
    packages,
    byDir: new Map([...packages.values()].map((pkg) => [pkg.dir, pkg])),
    rootExternal: declared.root ? Object.fromEntries(Object.entries(ranges(declared.root)).filter(([name]) => !packages.has(name))) : {},
    skipped,
  };
}

/** Every dependency a package.json names, with its range (the first field that names it wins). */
function ranges(json: PackageJson): Record<string, string> {
  const found: Record<string, string> = {};
  for (const field of DEPENDENCY_FIELDS) {
    const value = json[field];
    if (!value || typeof value !== 'object') continue;
    for (const [name, range] of Object.entries(value as Record<string, unknown>)) if (!(name in found)) found[name] = typeof range === 'string' ? range : '';
  }
  return found;
}

/**
 * Candidate package.json files for the workspace globs (some may not exist). The usual globs
 * (`apps/*`, `packages/api`) are answered from the directory listing; any other one by git, with
 * the files of the commit under its literal prefix.
 */
async function packageJsonFiles(files: Snapshot, git: Git, globs: string[]): Promise<string[]> {
  const found: string[] = [];
  const prefixes: string[] = [];
  const listings: Promise<void>[] = [];
  for (const glob of globs) {
    if (glob.startsWith('!')) continue;
    const wildcard = glob.search(/[*?[\]{}()!+@]/);
    if (wildcard === -1) {
      found.push(`${glob}/package.json`);
    } else if (wildcard === glob.length - 1 && (glob === '*' || glob.endsWith('/*'))) {
      const parent = glob.slice(0, -2);
      listings.push(
        files.entries(parent).then((entries) => {
          for (const [name, kind] of entries ?? []) if (kind === 'directory' || kind === 'link') found.push(`${parent ? `${parent}/` : ''}${name}/package.json`);
        }),
      );
    } else {
      prefixes.push(glob.slice(0, wildcard).replace(/\/?[^/]*$/, ''));
    }
  }
  await Promise.all(listings);
  if (prefixes.length) found.push(...(await git.filesIn(files.commit, [...new Set(prefixes)])).filter((file) => file.endsWith('/package.json')));
  return [...new Set(found)].sort();
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

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item.trim() !== '') : [];
}
