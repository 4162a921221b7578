/**
 * The second Node the bundles are tested on: which tests run a built bundle (scripts/dist-tests.mjs
 * picks them for the Node 24 pass), and the harness running the bundle on the binary
 * BERTH_TEST_NODE names.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { actionNode, REPO_ROOT, runAction } from '../../standins/run-action.js';

function distTests(...files: string[]): string[] {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'dist-tests.mjs'), ...files], { cwd: REPO_ROOT, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return result.stdout.trim().split('\n').filter(Boolean);
}

describe('the tests that run a built bundle', () => {
  it('are those that call runAction or startAction, directly or through a test helper, and only those', () => {
    const picked = distTests();
    // Directly, through deploy() of the deploy fixtures, and from another area through that helper.
    expect(picked).toEqual(expect.arrayContaining(['test/notify/action.test.ts', 'test/deploy/rollout.test.ts', 'test/foundation/secrets-in-logs.test.ts', 'test/release/bundle-runtime.test.ts']));
    // The simulator's tests import the deploy fixtures without calling deploy(); unit tests run no bundle.
    for (const file of ['test/deploy/simulator.test.ts', 'test/deploy/judge.test.ts', 'test/release/metadata.test.ts']) expect(picked).not.toContain(file);
    expect(distTests('test/deploy/simulator.test.ts', 'test/deploy/render-register.test.ts')).toEqual(['test/deploy/render-register.test.ts']);
  });
});

describe('BERTH_TEST_NODE', () => {
  const saved = process.env.BERTH_TEST_NODE;
  const folders: string[] = [];
  afterEach(() => {
    if (saved === undefined) delete process.env.BERTH_TEST_NODE;
    else process.env.BERTH_TEST_NODE = saved;
    folders.splice(0).forEach((folder) => rmSync(folder, { recursive: true, force: true }));
  });

  it('names the node binary that runs the bundle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-node-'));
    folders.push(dir);
    const calls = join(dir, 'calls');
    const wrapper = join(dir, 'node');
    // A node that records how it was called, then runs the real one.
    writeFileSync(wrapper, `#!/bin/sh\necho "$@" >> '${calls}'\nexec '${actionNode()}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    process.env.BERTH_TEST_NODE = wrapper;

    const result = await runAction('notify', {});
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::/);
    expect(readFileSync(calls, 'utf8')).toBe(`${join(REPO_ROOT, 'actions', 'notify', 'dist', 'index.js')}\n`);
  });

  it('is refused, with how to get one, when the binary does not exist', () => {
    process.env.BERTH_TEST_NODE = join(tmpdir(), 'no-such-node');
    expect(() => runAction('notify', {})).toThrow(/BERTH_TEST_NODE is .*no-such-node, which does not exist: install one with "bash scripts\/install-node\.sh 24"/);
  });
});
