import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ECSClient, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { createClient } from '../../shared/aws/client.js';
import { describeAwsError, isAwsError, transientReason } from '../../shared/aws/errors.js';
import { failureMessage } from '../../shared/failure.js';
import { UserError } from '../../shared/errors.js';
import { startScriptedAws, jsonError, type ScriptedAws } from '../../standins/scripted-aws.js';

describe('AWS errors as people read them', () => {
  let ecsEndpoint: ScriptedAws;
  let reply = jsonError(400, 'AccessDeniedException', 'denied');
  beforeAll(async () => {
    ecsEndpoint = await startScriptedAws(() => reply);
  });
  afterAll(() => ecsEndpoint.close());

  const callEcs = async () => {
    const saved = process.env.AWS_ENDPOINT_URL_ECS;
    process.env.AWS_ENDPOINT_URL_ECS = ecsEndpoint.url;
    try {
      const ecs = createClient(ECSClient, { region: 'us-east-1', credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) });
      return await ecs.send(new DescribeServicesCommand({ cluster: 'shop-prod', services: ['api'] })).catch((error: unknown) => error);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_ECS;
      else process.env.AWS_ENDPOINT_URL_ECS = saved;
    }
  };

  it('names the IAM action a refused call needed, from the operation when the message does not say', async () => {
    reply = jsonError(400, 'AccessDeniedException', 'User is not authorized to do that');
    const error = await callEcs();
    expect(isAwsError(error)).toBe(true);
    const { message, hint } = describeAwsError(error as never);
    expect(message).toBe('ECS DescribeServices was denied: User is not authorized to do that');
    expect(hint).toContain('Allow "ecs:DescribeServices" in the policy of the role');
  });

  it('takes the IAM action from the message when AWS names it', async () => {
    reply = jsonError(
      400,
      'AccessDeniedException',
      'User: arn:aws:sts::123456789012:assumed-role/deployer/s is not authorized to perform: ecs:DescribeServices on resource: arn:aws:ecs:us-east-1:123456789012:service/shop-prod/api because no identity-based policy allows the ecs:DescribeServices action',
    );
    expect(failureMessage(await callEcs())).toContain('Allow "ecs:DescribeServices"');
  });

  it('classifies throttling as transient after the SDK has retried it', async () => {
    reply = jsonError(400, 'ThrottlingException', 'Rate exceeded');
    const before = ecsEndpoint.calls.length;
    const error = await callEcs();
    expect(ecsEndpoint.calls.length - before).toBe(5);
    expect(transientReason(error)).toBe('throttled (ThrottlingException)');
  }, 30_000);

  it('keeps user errors as they are written, with their hint on the next line', () => {
    expect(failureMessage(new UserError('Service "api" is not in cluster "prod".', 'Check the manifest.'))).toBe('Service "api" is not in cluster "prod".\nCheck the manifest.');
    const debug = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(failureMessage(new Error('boom'))).toMatch(/^Unexpected error: boom\nRe-run the job with debug logging/);
      expect(String(debug.mock.calls[0]?.[0])).toMatch(/^::debug::Error: boom%0A {4}at /);
    } finally {
      debug.mockRestore();
    }
  });
});
