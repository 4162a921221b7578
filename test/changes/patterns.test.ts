import { describe, expect, it } from '@jest/globals';
import picomatch from 'picomatch';
import { PathMatcher, compileGlob, directoryRuns } from '../../shared/changes/patterns.js';

/** What the globs mean, evaluated the slow and obvious way: every glob against the path, in order. */
function naive(globs: string[], path: string): boolean {
  let included = false;
  for (const source of globs) {
    const negated = source.startsWith('!');
    let pattern = (negated ? source.slice(1) : source).replace(/^(\.\/)+/, '').replace(/^\/+/, '');
    if (pattern.endsWith('/')) pattern += '**';
    if (picomatch(pattern, { dot: true })(path)) included = !negated;
  }
  return included;
}

const PATHS = [
  'README.md',
  'package.json',
  '.github/services.yml',
  '.github/workflows/deploy.yml',
  'apps/api/.env',
  'apps/api/README.md',
  'apps/api/docs/guide.md',
  'apps/api/src/server.ts',
  'apps/api/src/deep/a/b/c.ts',
  'apps/api',
  'apps/apix/src/x.ts',
  'apps/web/src/page.tsx',
  'apps/web/public/logo.svg',
  'apps/legacy/old.ts',
  'apps/legacy/keep/this.ts',
  'docker/api.Dockerfile',
  'docker/nested/base.Dockerfile',
  'packages/ui/button.tsx',
  'packages/ui/button.test.tsx',
  'a[1]/x.ts',
];

const GLOB_SETS = [
  ['apps/api/**', '!apps/api/**/*.md'],
  ['apps/**', '!apps/legacy/**', 'apps/legacy/keep/**'],
  ['apps/{api,web}/**', '!**/*.svg'],
  ['**/*.md'],
  ['*.json'],
  ['docker/*'],
  ['docker/*.Dockerfile', 'docker/**/*.Dockerfile'],
  ['./apps/web/', '/packages/ui/**/*', '!packages/ui/**/*.test.tsx'],
  ['apps/api'],
  ['.github/**'],
  ['**'],
  ['!apps/api/**'],
  ['apps/a?i/src/*.ts', 'a\\[1\\]/*.ts'],
  ['apps/*/src/**', '!apps/web/**', 'apps/web/src/page.tsx'],
];

describe('ordered globs', () => {
  it.each(GLOB_SETS.map((globs) => [globs.join(' '), globs] as const))('%s means the same as every glob tried in order', (_, globs) => {
    const matcher = new PathMatcher([globs]);
    for (const path of PATHS) expect([path, matcher.includes(0, path)]).toEqual([path, naive(globs, path)]);
  });

  it('a later exclusion removes matches of earlier globs, and a later glob brings some back', () => {
    const matcher = new PathMatcher([['apps/**', '!apps/legacy/**', 'apps/legacy/keep/**']]);
    expect(matcher.includes(0, 'apps/web/src/page.tsx')).toBe(true);
    expect(matcher.includes(0, 'apps/legacy/old.ts')).toBe(false);
    expect(matcher.includes(0, 'apps/legacy/keep/this.ts')).toBe(true);
  });

  it('matches dot files and dot directories', () => {
    const matcher = new PathMatcher([['apps/api/**'], ['**/*.yml']]);
    expect(matcher.includes(0, 'apps/api/.env')).toBe(true);
    expect(matcher.includes(1, '.github/workflows/deploy.yml')).toBe(true);
  });

  it('reads "dir/" and "./dir/**" as everything under dir', () => {
    expect(compileGlob('./apps/web/')).toMatchObject({ pattern: 'apps/web/**', base: 'apps/web', negated: false });
    expect(compileGlob('!./apps/web/**')).toMatchObject({ pattern: 'apps/web/**', negated: true });
  });

  it('tallies a sorted list of paths like matching them one by one, with the first files kept', () => {
    const groups = GLOB_SETS;
    const paths = [...PATHS].sort();
    const tallies = new PathMatcher(groups).tally(paths, directoryRuns(paths), 2);
    groups.forEach((globs, group) => {
      const expected = paths.filter((path) => naive(globs, path));
      expect([globs, tallies[group]]).toEqual([globs, { count: expected.length, files: expected.slice(0, 2) }]);
    });
  });

  it('groups sorted paths into runs by directory', () => {
    const paths = ['a.txt', 'b.txt', 'x/a', 'x/b', 'x/y/c', 'x/z', 'xa/b', 'z.txt'];
    expect(directoryRuns(paths).map((run) => [run.dir, run.start, run.end])).toEqual([
      ['', 0, 2],
      ['x', 2, 4],
      ['x/y', 4, 5],
      ['x', 5, 6],
      ['xa', 6, 7],
      ['', 7, 8],
    ]);
  });
});
