import { afterEach, describe, expect, it } from '@jest/globals';
import * as input from '../../shared/inputs.js';
import { readAwsInputs } from '../../shared/aws/inputs.js';
import { parseDuration, formatDuration } from '../../shared/time.js';
import { userErrorOf } from '../harness/errors.js';

const set = (name: string, value: string) => (process.env[`INPUT_${name.toUpperCase()}`] = value);

afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
});

describe('input readers (read from INPUT_* variables as on a runner)', () => {
  it('names a missing required input and shows how to set it', () => {
    const error = userErrorOf(() => input.required('service', 'api'));
    expect(error.message).toBe('Input "service" is required but was not given.');
    expect(error.hint).toContain('service: api');
  });

  it('trims values and treats blank optional inputs as absent', () => {
    set('cluster', '  prod  ');
    expect(input.required('cluster')).toBe('prod');
    set('cluster', '   ');
    expect(input.optional('cluster')).toBeUndefined();
  });

  it('splits lists on newlines and commas and drops comments and blanks', () => {
    set('services', 'api, landing\n# not this one\n\nadmin,');
    expect(input.list('services')).toEqual(['api', 'landing', 'admin']);
    expect(input.list('absent')).toEqual([]);
  });

  it('reads booleans and rejects anything else with the accepted form', () => {
    set('rollback', 'TRUE');
    expect(input.boolean('rollback', false)).toBe(true);
    set('rollback', 'no');
    expect(input.boolean('rollback', true)).toBe(false);
    expect(input.boolean('absent', true)).toBe(true);
    set('rollback', 'maybe');
    expect(userErrorOf(() => input.boolean('rollback', true)).message).toBe('Input "rollback" is "maybe", which is not a boolean (true or false).');
  });

  it('reads integers within a range', () => {
    set('threshold', '5');
    expect(input.integer('threshold', 3, { min: 1, max: 10 })).toBe(5);
    set('threshold', '0');
    expect(userErrorOf(() => input.integer('threshold', 3, { min: 1, max: 10 })).message).toContain('a whole number from 1 to 10');
    set('threshold', '2.5');
    expect(userErrorOf(() => input.integer('threshold', 3)).message).toContain('"2.5", which is not a whole number');
  });

  it('reads durations in the forms people write', () => {
    expect(input.duration('timeout', '15m')).toBe(15 * 60_000);
    set('timeout', '1h30m');
    expect(input.duration('timeout', '15m')).toBe(90 * 60_000);
    set('timeout', '45');
    expect(input.duration('timeout', '15m')).toBe(45_000);
    set('timeout', '10 minutes');
    expect(userErrorOf(() => input.duration('timeout', '15m')).message).toContain('not a duration such as 90s, 15m or 1h30m');
    set('timeout', '1s');
    expect(userErrorOf(() => input.duration('timeout', '15m', { minMs: 5000 })).message).toContain('at least 5s');
  });

  it('matches enumerations case-insensitively and lists the choices when wrong', () => {
    set('cache', 'GHA');
    expect(input.oneOf('cache', ['registry', 'gha', 'none'], 'registry')).toBe('gha');
    set('cache', 's3');
    expect(userErrorOf(() => input.oneOf('cache', ['registry', 'gha', 'none'], 'registry')).message).toContain('one of: registry, gha, none');
  });

  it('parses JSON and reports where it broke', () => {
    set('outputs', '{"api":{"image":"x"}}');
    expect(input.json('outputs', 'an object')).toEqual({ api: { image: 'x' } });
    set('outputs', '{"api":');
    const error = userErrorOf(() => input.json('outputs', 'the JSON output of deploy-ecs'));
    expect(error.message).toMatch(/^Input "outputs" is not valid JSON \(.+\); it should be the JSON output of deploy-ecs\.$/);
  });
});

describe('AWS inputs', () => {
  it('takes a role-session-name that STS accepts and names the input, the value and the rule otherwise', () => {
    set('role-session-name', 'deploy@acme,shop=prod.1_+-');
    expect(readAwsInputs().roleSessionName).toBe('deploy@acme,shop=prod.1_+-');
    set('role-session-name', 'x'.repeat(64));
    expect(readAwsInputs().roleSessionName).toBe('x'.repeat(64));
    for (const bad of ['deploy api', 'a', 'x'.repeat(65), 'deploy/api', 'déploiement']) {
      set('role-session-name', bad);
      const error = userErrorOf(() => readAwsInputs());
      expect(error.message).toMatch(/^Input "role-session-name" is ".+", which is not an STS session name: 2 to 64 characters from letters, digits and _ \+ = , \. @ -\.$/);
      expect(error.message).toContain(`"${bad.length > 80 ? bad.slice(0, 77) : bad}`);
      expect(error.hint).toContain('Set "role-session-name" in the step\'s "with:" block');
    }
  });

  it('uses a sanitised default session name when role-session-name is blank', () => {
    const saved = { repository: process.env.GITHUB_REPOSITORY, runId: process.env.GITHUB_RUN_ID };
    process.env.GITHUB_REPOSITORY = 'acme/shop';
    process.env.GITHUB_RUN_ID = '4242';
    try {
      set('role-session-name', '   ');
      expect(readAwsInputs().roleSessionName).toMatch(/^GitHubActions-acme@shop-4242(-\d+)?$/);
    } finally {
      for (const [key, value] of [
        ['GITHUB_REPOSITORY', saved.repository],
        ['GITHUB_RUN_ID', saved.runId],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('durations', () => {
  it('parses and formats', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m30s')).toBe(150_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(formatDuration(950)).toBe('950ms');
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(187_000)).toBe('3m 07s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
  });
});
