import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { REPO_ROOT, runAction } from '../../standins/run-action.js';

const actions = readdirSync(join(REPO_ROOT, 'actions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe.each(actions)('actions/%s', (action) => {
  const metadata = parse(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
    runs: { using: string; main: string };
    inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
    outputs?: Record<string, { description?: string }>;
    branding?: { icon?: string; color?: string };
  };

  it('declares node24, its bundle, branding and a description for every input and output', () => {
    expect(metadata.runs).toMatchObject({ using: 'node24', main: 'dist/index.js' });
    expect(metadata.branding?.icon).toBeTruthy();
    for (const [name, spec] of Object.entries({ ...metadata.inputs, ...metadata.outputs })) {
      expect([name, (spec.description ?? '').length > 10]).toEqual([name, true]);
    }
    for (const [name, spec] of Object.entries(metadata.inputs ?? {})) {
      if (!spec.required) expect([name, spec.default !== undefined]).toEqual([name, true]);
    }
  });

  // Start-up cost: the SDK clients (and their engines) load only once inputs are valid.
  it('keeps the AWS SDK out of its entry bundle', () => {
    const entry = readFileSync(join(REPO_ROOT, 'actions', action, 'dist', 'index.js'), 'utf8');
    expect(entry).not.toMatch(/emitWarningIfUnsupportedVersion|AssumeRoleWithWebIdentityCommand/);
    expect(entry.length).toBeLessThan(200_000);
  });

  it('exits 1 naming the missing input when run with none', async () => {
    const result = await runAction(action, { env: { GITHUB_WORKSPACE: undefined } });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/::error::.*Input "[a-z-]+"/);
  });
});
