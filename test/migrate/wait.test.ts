/**
 * The wait loop in-process, for answers the SDK would otherwise retry for many seconds (throttling)
 * and states moto never reaches (a task ECS forgets). ECS answers come from aws-sdk-client-mock.
 */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeTasksCommand, ECSClient, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { waitForTask, type WaitOptions } from '../../shared/migrate/wait.js';

const TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/shop-prod/5f0c1c9b2a7e4d0f8a3b6c1d2e3f4a5b';
const stopped: Task = {
  taskArn: TASK_ARN,
  lastStatus: 'STOPPED',
  desiredStatus: 'STOPPED',
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  containers: [{ name: 'api', lastStatus: 'STOPPED', exitCode: 0 }],
};
const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });

let printed: string[];
beforeEach(() => {
  printed = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (printed.push(String(chunk)), true));
});
afterEach(() => {
  jest.restoreAllMocks();
});

function options(ecs: ECSClient, more: Partial<WaitOptions> = {}): WaitOptions {
  return { ecs, cluster: 'shop-prod', taskArn: TASK_ARN, container: 'api', essential: true, pollIntervalMs: 1, timeoutMs: 60_000, sleep: async () => {}, ...more };
}

describe('waiting for the migration task', () => {
  it('keeps polling through throttling and judges the task once it stops', async () => {
    const ecs = new ECSClient({ region: 'us-east-1' });
    const mock = mockClient(ecs);
    mock
      .on(DescribeTasksCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves({ tasks: [stopped], failures: [] });

    const end = await waitForTask(options(ecs));

    expect(end).toEqual({ ended: 'stopped', task: stopped });
    expect(mock.commandCalls(DescribeTasksCommand)).toHaveLength(4);
    expect(printed.filter((line) => line.includes('DescribeTasks failed (throttled (ThrottlingException)); trying again at the next poll.'))).toHaveLength(3);
  });

  it('gives up on a task ECS no longer knows, naming it', async () => {
    const ecs = new ECSClient({ region: 'us-east-1' });
    mockClient(ecs)
      .on(DescribeTasksCommand)
      .resolves({ tasks: [], failures: [{ arn: TASK_ARN, reason: 'MISSING' }] });

    await expect(waitForTask(options(ecs))).rejects.toThrow(`ECS no longer knows task ${TASK_ARN} in cluster shop-prod (DescribeTasks reported it MISSING 5 times in a row).`);
  });

  it('stops the task with a reason once cancelled, without waiting for it to stop', async () => {
    const ecs = new ECSClient({ region: 'us-east-1' });
    const mock = mockClient(ecs);
    const running: Task = { taskArn: TASK_ARN, lastStatus: 'RUNNING', desiredStatus: 'RUNNING', containers: [{ name: 'api', lastStatus: 'RUNNING' }] };
    mock.on(DescribeTasksCommand).resolves({ tasks: [running] });
    mock.on(StopTaskCommand).resolves({ task: { ...running, desiredStatus: 'STOPPED' } });
    const cancel = new AbortController();
    let polls = 0;

    const end = await waitForTask(options(ecs, { signal: cancel.signal, runUrl: 'https://github.com/acme/shop/actions/runs/4242', onPoll: async () => void (++polls === 3 && cancel.abort()) }));

    expect(end).toMatchObject({ ended: 'cancelled', task: { desiredStatus: 'STOPPED' } });
    expect(mock.commandCalls(StopTaskCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'shop-prod', task: TASK_ARN, reason: 'Berth: the workflow run was cancelled (https://github.com/acme/shop/actions/runs/4242)' },
    ]);
  });
});
