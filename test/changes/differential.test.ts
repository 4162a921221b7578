/**
 * Differential test: a generated history of 150 commits (workspaces, renames, merges, pull requests,
 * manifest and lockfile changes, amends and a force push) is replayed event by event, and detection
 * must mark exactly the services a small reference implementation marks. The reference is written
 * apart from the engine and the plainest way: whole trees compared blob by blob (no git diff),
 * picomatch on every path, workspaces and lockfile closures recomputed from the files of each commit.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import picomatch from 'picomatch';
import { parse } from 'yaml';
import { detectChanges, type ChangePlan } from '../../shared/changes/detect.js';
import { generate, type HistoryEvent } from './differential/generate.js';
import { TestRepo } from '../../standins/git-repo.js';

const DIR = join(import.meta.dirname, 'differential');
const MANIFEST = '.github/services.yml';
const LOCKFILE = 'package-lock.json';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The reference: what a person would compute by hand from the two commits' files. */
class Reference {
  private readonly trees = new Map<string, Map<string, string>>();
  private readonly blobs = new Map<string, string>();

  constructor(private readonly repo: TestRepo) {}

  tree(commit: string): Map<string, string> {
    let tree = this.trees.get(commit);
    if (!tree) {
      tree = new Map();
      for (const line of this.repo.git('ls-tree', '-r', commit).split('\n')) {
        const [meta, path] = line.split('\t');
        tree.set(path!, meta!.split(' ')[2]!);
      }
      this.trees.set(commit, tree);
    }
    return tree;
  }

  file(commit: string, path: string): string | undefined {
    const id = this.tree(commit).get(path);
    if (id === undefined) return undefined;
    if (!this.blobs.has(id)) this.blobs.set(id, this.repo.git('cat-file', 'blob', id));
    return this.blobs.get(id);
  }

  services(base: string, head: string): string[] {
    const before = this.tree(base);
    const after = this.tree(head);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter((path) => before.get(path) !== after.get(path));
    const manifest = parse(this.file(head, MANIFEST)!) as Json;
    const precise = manifest.lockfiles === 'precise';
    const fileChanges = changed.filter((path) => !(precise && path === LOCKFILE));
    const matches = (globs: string[], path: string) => {
      let included = false;
      for (const glob of globs) if (picomatch.isMatch(path, glob.replace(/^!/, ''), { dot: true })) included = !glob.startsWith('!');
      return included;
    };

    // Workspace packages of the head commit, and the package each path is in.
    const globs = (JSON.parse(this.file(head, 'package.json')!) as Json).workspaces as string[];
    const packages = [...after.keys()]
      .filter((path) => path.endsWith('/package.json') && globs.some((glob) => picomatch.isMatch(posix.dirname(path), glob)))
      .map((path) => {
        const json = JSON.parse(this.file(head, path)!) as Json;
        return { dir: posix.dirname(path), name: json.name as string, deps: Object.keys({ ...json.dependencies, ...json.devDependencies }) };
      });
    const names = new Set(packages.map((pkg) => pkg.name));
    const inPackage = (path: string) => packages.filter((pkg) => path.startsWith(`${pkg.dir}/`)).sort((a, b) => b.dir.length - a.dir.length)[0]?.name;
    const changedPackages = new Set(fileChanges.map(inPackage).filter((name) => name !== undefined));
    const reachable = (start: string[]) => {
      const seen = new Set(start);
      const queue = [...start];
      while (queue.length) {
        const current = queue.shift();
        for (const dep of packages.find((pkg) => pkg.name === current)?.deps ?? []) {
          if (names.has(dep) && !seen.has(dep)) {
            seen.add(dep);
            queue.push(dep);
          }
        }
      }
      return seen;
    };

    // Lockfile: the packages each importer gets, transitively (this history hoists every package).
    const lockChanges = new Set<string>();
    let rootChanged = false;
    if (precise && changed.includes(LOCKFILE)) {
      const closure = (commit: string, dir: string) => {
        const lock = (JSON.parse(this.file(commit, LOCKFILE)!) as Json).packages as Json;
        const found = new Set<string>();
        const visit = (name: string) => {
          const entry = lock[`node_modules/${name}`];
          if (!entry || entry.link) return;
          const id = `${name}@${entry.version}#${entry.integrity}`;
          if (found.has(id)) return;
          found.add(id);
          Object.keys(entry.dependencies ?? {}).forEach(visit);
        };
        const importer = lock[dir] as Json | undefined;
        Object.keys({ ...importer?.dependencies, ...importer?.devDependencies }).forEach(visit);
        return [...found].sort().join(' ');
      };
      rootChanged = closure(base, '') !== closure(head, '');
      for (const pkg of packages) if (closure(base, pkg.dir) !== closure(head, pkg.dir)) lockChanges.add(pkg.name);
    }

    // Definitions, with the manifest's defaults written out.
    const old = changed.includes(MANIFEST) ? (parse(this.file(base, MANIFEST)!) as Json) : manifest;
    const definition = (doc: Json, name: string) => {
      const service = doc.services[name] as Json | undefined;
      if (!service) return undefined;
      const context = service.build?.context ?? '.';
      return JSON.stringify([
        service.paths,
        service.package ?? null,
        service.dependsOn ?? [],
        [context, service.build?.dockerfile ?? posix.join(context, 'Dockerfile'), service.build?.target ?? null, service.build?.platforms ?? []],
        service.repository ?? name,
        [service.ecs?.cluster ?? doc.cluster, service.ecs?.service ?? name, service.ecs?.container ?? name],
      ]);
    };

    const marked: string[] = [];
    for (const [name, service] of Object.entries(manifest.services as Record<string, Json>)) {
      const paths = service.paths as string[];
      const dependsOn = (service.dependsOn ?? []) as string[];
      let own = packages.filter((pkg) => matches(paths, `${pkg.dir}/package.json`)).map((pkg) => pkg.name);
      if (!own.length) {
        own = paths
          .filter((glob) => !glob.startsWith('!'))
          .map((glob) => inPackage(`${picomatch.scan(glob).isGlob ? picomatch.scan(glob).base : posix.dirname(glob)}/x`))
          .filter((found): found is string => found !== undefined);
      }
      const uses = reachable([...own, ...dependsOn]);
      const viaFiles = [...uses].filter((pkg) => (!own.includes(pkg) || dependsOn.includes(pkg)) && changedPackages.has(pkg));
      const isMarked =
        fileChanges.some((path) => matches(paths, path)) ||
        definition(old, name) !== definition(manifest, name) ||
        fileChanges.some((path) => matches(manifest.always ?? [], path)) ||
        viaFiles.length > 0 ||
        rootChanged ||
        [...uses].some((pkg) => lockChanges.has(pkg));
      if (isMarked) marked.push(name);
    }
    return marked;
  }
}

describe('differential: a generated history, event by event', () => {
  let repo: TestRepo;
  let shas: Map<string, string>;
  const events = JSON.parse(readFileSync(join(DIR, 'events.json'), 'utf8')) as HistoryEvent[];
  const stream = readFileSync(join(DIR, 'history.fi'), 'utf8');

  beforeAll(() => {
    repo = TestRepo.create('history');
    const marks = join(repo.dir, '..', 'marks');
    execFileSync('git', ['fast-import', '--quiet', `--export-marks=${marks}`], { cwd: repo.dir, env: repo.env, input: stream, maxBuffer: 64 * 1024 * 1024 });
    shas = new Map(
      readFileSync(marks, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(' ') as [string, string]),
    );
    // The checkout is the last commit: every other commit is evaluated from git's objects alone.
    repo.git('checkout', '--quiet', '--force', shas.get(`:${shas.size}`)!);
  });
  afterAll(() => repo?.remove());

  it('is the history the generator writes, of the size and shape it claims', () => {
    const fresh = generate();
    expect(fresh.stream === stream).toBe(true);
    expect(`${JSON.stringify(fresh.events, null, 1)}\n`).toBe(readFileSync(join(DIR, 'events.json'), 'utf8'));
    expect(shas.size).toBeGreaterThanOrEqual(150);
    expect(events.length).toBeGreaterThanOrEqual(100);
    expect(events.filter((event) => event.label === 'force push')).toHaveLength(1);
    expect(events.filter((event) => event.label.startsWith('merge of')).length).toBeGreaterThanOrEqual(5);
    expect(events.filter((event) => event.name === 'pull_request').length).toBeGreaterThanOrEqual(5);
    expect(stream.match(/^R /gm)?.length).toBeGreaterThanOrEqual(10);
    expect(stream.match(/^merge /gm)?.length).toBeGreaterThanOrEqual(5);
  });

  it('marks exactly the services the reference marks, for every push and pull request', async () => {
    const reference = new Reference(repo);
    const mismatches: string[] = [];
    const tally = { none: 0, some: 0, all: 0 };
    const causes = new Set<string>();
    for (const [index, event] of events.entries()) {
      const before = shas.get(event.before)!;
      const after = shas.get(event.after)!;
      const plan: ChangePlan = await detectChanges({
        directory: repo.dir,
        manifest: MANIFEST,
        head: after,
        since: 'event',
        event: event.name === 'push' ? { name: 'push', before, after, forced: event.forced, ref: event.ref } : { name: 'pull_request', pullRequestBase: before },
        defaultBranch: 'main',
        fetch: false,
        missingBase: 'error',
        log: () => {},
      });
      const base = event.name === 'push' ? before : repo.git('merge-base', before, after);
      const expected = reference.services(base, after);
      const actual = plan.services.filter((change) => change.changed).map((change) => change.service.name);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        mismatches.push(`#${index} ${event.label} ${event.before}..${event.after}: expected [${expected}], got [${actual}] (${plan.services.map((change) => `${change.service.name}: ${change.cause.kind}`).join('; ')})`);
      }
      for (const change of plan.services) causes.add(change.cause.kind);
      tally[expected.length === 0 ? 'none' : expected.length === plan.services.length ? 'all' : 'some']++;
    }
    expect(mismatches).toEqual([]);
    // The history exercises all three answers, most often the partial one.
    expect(tally.some).toBeGreaterThan(tally.all);
    expect(tally.none).toBeGreaterThan(0);
    expect(tally.all).toBeGreaterThan(0);
    // ...and every kind of reason.
    expect([...causes].sort()).toEqual(['always', 'definition', 'dependency', 'files', 'lockfile', 'unchanged']);
    // About 15 s alone; a CI machine busy with the other worker's tests may take several times that.
  }, 240_000);
});
