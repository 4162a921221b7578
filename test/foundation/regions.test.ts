/** Regions are checked against the AWS SDK's partition data before any call. */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { partition } from '@aws-sdk/core/client';
import { readAwsInputs } from '../../shared/aws/inputs.js';
import { resolveRegion } from '../../shared/aws/session.js';
import { isKnownRegion } from '../../shared/aws/regions.js';
import { REGIONS } from '../../shared/aws/regions.generated.js';
import { userErrorOf } from '../harness/errors.js';
import { REPO_ROOT } from '../../standins/run-action.js';

const AWS = { roleSessionName: 'test', roleDurationSeconds: 3600, audience: 'sts.amazonaws.com', allowedAccountIds: [] };

describe('regions', () => {
  it('are the regions of the installed SDK, as generated', async () => {
    // @ts-expect-error -- a plain JavaScript build script
    const { generate } = await import('../../scripts/generate-regions.mjs');
    expect(readFileSync(join(REPO_ROOT, 'shared/aws/regions.generated.ts'), 'utf8') === (await generate())).toBe(true);
    for (const region of REGIONS.keys()) expect(partition(region)).toHaveProperty('description');
    expect(['us-east-1', 'ap-southeast-5', 'eu-central-2', 'us-gov-west-1', 'cn-north-1'].every(isKnownRegion)).toBe(true);
  });

  it('names the input, the closest real region, and refuses a region that only looks like one', () => {
    process.env['INPUT_AWS-REGION'] = 'us-est-1';
    const typo = userErrorOf(() => readAwsInputs());
    expect(typo.message).toBe('Input "aws-region" is "us-est-1", which is not an AWS region; did you mean "us-east-1"?');
    expect(typo.hint).toContain('"with:" block');
    process.env['INPUT_AWS-REGION'] = 'us-east-99';
    expect(userErrorOf(() => readAwsInputs()).message).toContain('Input "aws-region" is "us-east-99", which is not an AWS region; did you mean "us-east-1"?');
    delete process.env['INPUT_AWS-REGION'];
  });

  it('says where a region from the manifest or the environment came from', () => {
    expect(userErrorOf(() => resolveRegion(AWS, { fallbackRegion: 'ap-southeast-9', env: {} })).message).toMatch(/^The services manifest's "region" is "ap-southeast-9", which is not an AWS region/);
    expect(userErrorOf(() => resolveRegion(AWS, { env: { AWS_REGION: 'eu-wset-1' } })).message).toContain('AWS_REGION is "eu-wset-1", which is not an AWS region; did you mean "eu-west-1"?');
    expect(resolveRegion(AWS, { fallbackRegion: 'eu-west-1', env: { AWS_REGION: 'nowhere' } })).toBe('eu-west-1');
  });
});
