/**
 * Ordered path globs. Each group is a list of picomatch globs (dot files included) read in order:
 * a path belongs to the group when the last glob that matches it is not a `!` exclusion, so a later
 * exclusion removes matches of earlier globs and a later glob can bring some back.
 *
 * Every glob is compiled once and filed under its literal directory prefix, so a path is only tested
 * against globs that could match it, and the globs a directory can meet are gathered once per
 * directory. When all of them are decided by the directory alone (`apps/api/**`, the usual case), a
 * path costs a string comparison: the cost grows with changed paths, not paths times globs.
 */
import picomatch from 'picomatch';

const OPTIONS = { dot: true } as const;

export interface Glob {
  /** The glob as written in the manifest. */
  source: string;
  negated: boolean;
  /** The glob without its `!`, normalised. */
  pattern: string;
  /** Directory (or, for a glob without wildcards, file) every match starts with; '' for none. */
  base: string;
  isGlob: boolean;
  test: (path: string) => boolean;
  /** For globs whose answer depends only on the directory a path is in: that answer. */
  coversDirectory?: (dir: string) => boolean;
}

/** `./apps/api/` and `apps/api/` mean everything under apps/api; a leading `!` excludes. */
export function compileGlob(source: string): Glob {
  const negated = source.startsWith('!');
  let pattern = negated ? source.slice(1) : source;
  pattern = pattern.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
  if (pattern.endsWith('/')) pattern += '**';
  const scan = picomatch.scan(pattern);
  if (!scan.isGlob) return { source, negated, pattern, base: pattern, isGlob: false, test: (path) => path === pattern };
  // An escaped character makes the scanned prefix differ from the paths it matches: test every path.
  if (scan.base.includes('\\')) return { source, negated, pattern, base: '', isGlob: true, test: lazyRegex(pattern) };
  return { source, negated, pattern, base: scan.base, isGlob: true, ...(quickGlob(scan.base, scan.glob) ?? { test: lazyRegex(pattern) }) };
}

/**
 * The globs most manifests are made of, without a regular expression. Git never reports `.` or `..`
 * segments and `dot` is on, so `<dir>/**` is exactly "<dir> or anything under it".
 */
function quickGlob(base: string, rest: string): Pick<Glob, 'test' | 'coversDirectory'> | undefined {
  const prefix = base === '' ? '' : `${base}/`;
  const under = (dir: string) => base === '' || dir === base || dir.startsWith(prefix);
  switch (rest) {
    case '**':
      return { test: (path) => base === '' || path === base || path.startsWith(prefix), coversDirectory: under };
    case '**/*':
      return { test: (path) => path.startsWith(prefix) && path.length > prefix.length, coversDirectory: under };
    case '*':
      return { test: (path) => path.startsWith(prefix) && path.length > prefix.length && !path.includes('/', prefix.length), coversDirectory: (dir) => dir === base };
    default:
      return undefined;
  }
}

/** Compiles on first use: globs under directories nothing changed in never are. */
function lazyRegex(pattern: string): (path: string) => boolean {
  let regex: RegExp | undefined;
  return (path) => (regex ??= picomatch.makeRe(pattern, OPTIONS)).test(path);
}

/** A run of consecutive paths in one directory (git lists paths sorted, so runs are long). */
export interface DirectoryRun {
  dir: string;
  start: number;
  end: number;
}

export function directoryRuns(paths: readonly string[]): DirectoryRun[] {
  const runs: DirectoryRun[] = [];
  let run: DirectoryRun | undefined;
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]!;
    const slash = path.lastIndexOf('/');
    if (run && Math.max(slash, 0) === run.dir.length && (slash === -1 || path.startsWith(run.dir))) {
      run.end = i + 1;
      continue;
    }
    runs.push((run = { dir: slash === -1 ? '' : path.slice(0, slash), start: i, end: i + 1 }));
  }
  return runs;
}

/** How many paths a group took, and the first few of them. */
export interface Tally {
  count: number;
  files: string[];
}

interface Entry {
  group: number;
  order: number;
  glob: Glob;
}

interface DirectoryPlan {
  dir: string;
  /** Globs filed under the directory or any of its ancestors. */
  entries: Entry[];
  /** The groups every path in the directory belongs to, when the directory alone decides. */
  groups?: number[];
  /**
   * Whether a path in this directory can be named whole by a glob: one without wildcards, or one
   * such as `libs/sub/**` that also matches `libs/sub` itself (a submodule, say).
   */
  literals: boolean;
}

export class PathMatcher {
  private readonly byBase = new Map<string, Entry[]>();
  /** Globs without wildcards, by the path they name. */
  private readonly literals = new Map<string, Entry[]>();
  private readonly wholePathDirectories = new Set<string>();
  private readonly directories = new Map<string, DirectoryPlan>();
  private last: DirectoryPlan | undefined;
  private readonly stamp: Int32Array;
  private readonly winner: Int32Array;
  private readonly excluded: Uint8Array;
  private readonly touched: number[] = [];
  private generation = 0;
  readonly groups: Glob[][];

  constructor(groups: readonly (readonly string[])[]) {
    this.groups = groups.map((patterns) => patterns.map(compileGlob));
    this.groups.forEach((globs, group) =>
      globs.forEach((glob, order) => {
        const index = glob.isGlob ? this.byBase : this.literals;
        const entries = index.get(glob.base);
        if (entries) entries.push({ group, order, glob });
        else index.set(glob.base, [{ group, order, glob }]);
      }),
    );
    for (const path of [...this.literals.keys(), ...this.byBase.keys()]) this.wholePathDirectories.add(path.slice(0, Math.max(0, path.lastIndexOf('/'))));
    this.stamp = new Int32Array(groups.length);
    this.winner = new Int32Array(groups.length);
    this.excluded = new Uint8Array(groups.length);
  }

  /** Calls `found(group)` for every group that includes `path`. */
  match(path: string, found: (group: number) => void): void {
    const plan = this.directoryOf(path);
    if (plan.groups && !plan.literals) {
      for (const group of plan.groups) found(group);
      return;
    }
    this.begin();
    for (const entry of plan.entries) if (entry.glob.test(path)) this.consider(entry);
    if (plan.literals) {
      for (const entry of this.literals.get(path) ?? []) this.consider(entry);
      for (const entry of this.byBase.get(path) ?? []) if (entry.glob.test(path)) this.consider(entry);
    }
    this.finish(found);
  }

  /** For every group, the paths it includes: counted, and the first `keep` of them listed. */
  tally(paths: readonly string[], runs: readonly DirectoryRun[], keep: number): Tally[] {
    const tallies = this.groups.map((): Tally => ({ count: 0, files: [] }));
    const take = (tally: Tally, from: number, to: number) => {
      for (let i = from; i < to && tally.files.length < keep; i++) tally.files.push(paths[i]!);
      tally.count += to - from;
    };
    for (const run of runs) {
      const plan = this.plan(run.dir);
      if (plan.groups && !plan.literals) {
        for (const group of plan.groups) take(tallies[group]!, run.start, run.end);
        continue;
      }
      for (let i = run.start; i < run.end; i++) this.match(paths[i]!, (group) => take(tallies[group]!, i, i + 1));
    }
    return tallies;
  }

  /** Whether `path` belongs to `group`. */
  includes(group: number, path: string): boolean {
    let included = false;
    this.match(path, (matched) => (included ||= matched === group));
    return included;
  }

  /** Sorted paths (git's order) come in runs from one directory: the last one is checked first. */
  private directoryOf(path: string): DirectoryPlan {
    const last = this.last;
    if (last) {
      const length = last.dir.length;
      const inLast = length === 0 ? !path.includes('/') : path.length > length && path.charCodeAt(length) === 47 && path.startsWith(last.dir) && !path.includes('/', length + 1);
      if (inLast) return last;
    }
    const slash = path.lastIndexOf('/');
    return (this.last = this.plan(slash === -1 ? '' : path.slice(0, slash)));
  }

  private plan(dir: string): DirectoryPlan {
    let plan = this.directories.get(dir);
    if (plan) return plan;
    const entries = dir === '' ? (this.byBase.get('') ?? []) : [...this.plan(dir.slice(0, Math.max(0, dir.lastIndexOf('/')))).entries, ...(this.byBase.get(dir) ?? [])];
    plan = { dir, entries, literals: this.wholePathDirectories.has(dir) };
    if (entries.every((entry) => entry.glob.coversDirectory)) {
      const groups: number[] = [];
      this.begin();
      for (const entry of entries) if (entry.glob.coversDirectory!(dir)) this.consider(entry);
      this.finish((group) => groups.push(group));
      plan.groups = groups;
    }
    this.directories.set(dir, plan);
    return plan;
  }

  private begin(): void {
    this.generation++;
    this.touched.length = 0;
  }

  /** The glob matched: it decides for its group unless a later glob of the group already matched. */
  private consider({ group, order, glob }: Entry): void {
    if (this.stamp[group] !== this.generation) {
      this.stamp[group] = this.generation;
      this.touched.push(group);
    } else if (this.winner[group]! > order) return;
    this.winner[group] = order;
    this.excluded[group] = glob.negated ? 1 : 0;
  }

  private finish(found: (group: number) => void): void {
    for (const group of this.touched) if (!this.excluded[group]) found(group);
  }
}
