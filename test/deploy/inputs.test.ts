import { afterEach, describe, expect, it } from '@jest/globals';
import { UserError } from '../../shared/errors.js';
import { getInputs } from '../../actions/deploy-ecs/src/inputs.js';

const set = (inputs: Record<string, string>) => {
  for (const [name, value] of Object.entries(inputs)) process.env[`INPUT_${name.toUpperCase()}`] = value;
};

afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  delete process.env.GITHUB_SHA;
});

function failure(inputs: Record<string, string>): UserError {
  for (const key of Object.keys(process.env)) if (key.startsWith('INPUT_')) delete process.env[key];
  set(inputs);
  try {
    getInputs();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('deploy-ecs inputs (read from INPUT_* variables as on a runner)', () => {
  it('has defaults a pipeline can rely on', () => {
    process.env.GITHUB_SHA = 'feedfacefeedfacefeedfacefeedfacefeedface';
    set({ services: '["api","web"]' });
    const inputs = getInputs();
    expect(inputs).toMatchObject({
      selection: { kind: 'manifest', file: '.github/services.yml', names: ['api', 'web'] },
      imageTag: 'feedfacefeedfacefeedfacefeedfacefeedface',
      wait: true,
      waitTimeoutMs: 15 * 60_000,
      pollIntervalMs: 10_000,
      failedTasksThreshold: 3,
      healthTimeoutMs: 120_000,
      rollback: true,
      forceNewDeployment: false,
      images: {},
      environment: {},
    });
    expect(inputs.rollbackTo).toBeUndefined();
  });

  it('names one ECS service directly with its cluster', () => {
    set({ service: 'shop-api', cluster: 'shop-prod', container: 'api', image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:v2' });
    expect(getInputs()).toMatchObject({ selection: { kind: 'explicit', cluster: 'shop-prod', service: 'shop-api', container: 'api' }, image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:v2' });
  });

  it('says what is missing or contradictory', () => {
    expect(failure({}).message).toMatch(/^Input "services" is required/);
    expect(failure({ service: 'shop-api' }).message).toBe('Input "cluster" is required but was not given.');
    expect(failure({ services: 'api', service: 'shop-api' }).message).toBe('Inputs "services" and "service" are both set.');
    expect(failure({ services: 'api', cluster: 'shop-prod' }).message).toBe('Inputs "cluster" and "container" only apply with "service".');
    expect(failure({ services: 'api', image: 'nginx:1' }).message).toBe('Input "image" only applies with "service".');
    expect(failure({ service: 'arn:aws:ecs:us-east-1:1:service/x/y', cluster: 'x' }).message).toContain('which is not an ECS name');
    expect(failure({ services: 'api', 'poll-interval': '10ms' }).message).toBe('Input "poll-interval" is "10ms", which is not a duration of at least 100ms.');
    expect(failure({ services: 'api', 'failed-tasks-threshold': '-1' }).message).toContain('a whole number from 0 to 1000');
    expect(failure({ services: 'api', 'image-tag': 'has space' }).message).toContain('is not an image tag');
    expect(failure({ services: 'api', 'rollback-to': '12', environment: 'A=1' }).message).toBe('Input "rollback-to" puts back an earlier release as it was, so "environment" cannot be set with it.');
  });
});
