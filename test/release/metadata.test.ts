/**
 * What a user sees of the repository before running anything: each action's listing text, the
 * licence, the generated files GitHub collapses, the AWS SDK clients at one version, and the Node
 * versions the suite says it supports, agreeing wherever they are written.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../standins/run-action.js';

/**
 * AWS SDK clients not published with every SDK release (the newest @aws-sdk/client-codedeploy in the
 * registry is older than the other clients' version): they may stay at their newest release.
 */
const LAGGING_CLIENTS = ['@aws-sdk/client-codedeploy'];

/** What GitHub shows of an action's description in the marketplace and the workflow editor. */
const MARKETPLACE_DESCRIPTION = 125;

const text = (...path: string[]) => readFileSync(join(REPO_ROOT, ...path), 'utf8');
const packageJson = JSON.parse(text('package.json')) as {
  license: string;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const actions = readdirSync(join(REPO_ROOT, 'actions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe.each(actions)('actions/%s', (action) => {
  const metadata = parse(text('actions', action, 'action.yml')) as { name: string; description: string; branding?: { icon?: string; color?: string } };

  it(`has a description of at most ${MARKETPLACE_DESCRIPTION} characters, the details in its README`, () => {
    expect(metadata.description.trim().length).toBeGreaterThan(40);
    expect([metadata.description, metadata.description.length <= MARKETPLACE_DESCRIPTION]).toEqual([metadata.description, true]);
    expect(metadata.name).toMatch(/^Berth: /);
    expect(metadata.branding).toEqual({ icon: expect.any(String), color: expect.any(String) });
    expect(text('actions', action, 'README.md')).toMatch(/^# Berth: .+\n\n\S/);
  });

  it('has its bundle, with its licences file, marked as generated', () => {
    const dist = join('actions', action, 'dist');
    expect(existsSync(join(REPO_ROOT, dist, 'licenses.txt'))).toBe(true);
    const attributes = execFileSync('git', ['check-attr', 'linguist-generated', '--', join(dist, 'index.js'), join(dist, 'licenses.txt'), join('actions', action, 'action.yml')], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    expect(attributes.trim().split('\n')).toEqual([`${dist}/index.js: linguist-generated: true`, `${dist}/licenses.txt: linguist-generated: true`, `actions/${action}/action.yml: linguist-generated: unspecified`]);
  });

  // A bundle in another module format than its package.json declares fails at the first line, in every step.
  it('has a bundle whose every file parses as the CommonJS its dist/package.json declares', () => {
    const dist = join(REPO_ROOT, 'actions', action, 'dist');
    expect(JSON.parse(text('actions', action, 'dist', 'package.json'))).toEqual({ type: 'commonjs' });
    for (const file of readdirSync(dist).filter((name) => name.endsWith('.js'))) {
      const checked = spawnSync(process.execPath, ['--check', join(dist, file)], { encoding: 'utf8' });
      expect([file, checked.status, checked.stderr.split('\n').find((line) => /Error/.test(line)) ?? '']).toEqual([file, 0, '']);
    }
  });
});

describe('the repository', () => {
  it('is licensed as package.json says', () => {
    expect(packageJson.license).toBe('MIT');
    expect(text('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
  });

  it('keeps every AWS SDK client at one version, installed at that version', () => {
    const lock = JSON.parse(text('package-lock.json')) as { packages: Record<string, { version: string }> };
    const all = Object.entries({ ...packageJson.dependencies, ...packageJson.devDependencies }).filter(([name]) => name.startsWith('@aws-sdk/client-'));
    const clients = all.filter(([name]) => !LAGGING_CLIENTS.includes(name));
    expect(clients.length).toBeGreaterThanOrEqual(5);
    const versions = new Set(clients.map(([, version]) => version));
    expect({ versions: [...versions] }).toEqual({ versions: [expect.stringMatching(/^\d+\.\d+\.\d+$/)] });
    for (const [name, version] of all) expect([name, lock.packages[`node_modules/${name}`]?.version]).toEqual([name, version]);
    // A client AWS publishes less often is at the suite's version or an older release, and uses the
    // same @aws-sdk/core and Smithy packages as the others: no copies of its own.
    const [suite] = [...versions];
    const order = (version: string) =>
      version
        .split('.')
        .map(Number)
        .reduce((total, part) => total * 100_000 + part, 0);
    for (const [name, version] of all.filter(([candidate]) => LAGGING_CLIENTS.includes(candidate))) {
      expect([name, order(version) <= order(suite!)]).toEqual([name, true]);
      expect(Object.keys(lock.packages).filter((path) => path.startsWith(`node_modules/${name}/node_modules/`))).toEqual([]);
    }
  });

  it('names one lowest Node everywhere, and tests the bundles on the runtime the actions declare', () => {
    const lowest = text('.node-version').trim();
    expect(lowest).toMatch(/^\d+$/);
    // engines admits that major (">=20.19"), and the types describe that Node, not a newer one.
    expect(packageJson.engines.node).toMatch(new RegExp(`^>=${lowest}\\.\\d+$`));
    expect(packageJson.devDependencies['@types/node']).toMatch(new RegExp(`^${lowest}\\.`));
    expect(text('.npmrc')).toMatch(/^engine-strict=true$/m);
    expect(text('.github', 'workflows', 'ci.yml')).toContain('node-version-file: .node-version');

    const runtimes = [...new Set(actions.map((action) => (parse(text('actions', action, 'action.yml')) as { runs: { using: string } }).runs.using))];
    expect(runtimes).toEqual([expect.stringMatching(/^node\d+$/)]);
    const runtime = runtimes[0]!.slice('node'.length);
    expect(text('.ci', 'run')).toMatch(new RegExp(`^step .*bash scripts/test-on-node\\.sh ${runtime}$`, 'm'));
  });
});
