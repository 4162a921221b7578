import { describe, expect, it } from '@jest/globals';
import type { Task } from '@aws-sdk/client-ecs';
import { explainStoppedTask, describeStoppedTask, type StopKind } from '../../shared/ecs/stopped-tasks.js';

const arn = 'arn:aws:ecs:us-east-1:123456789012:task/shop-prod/a1b2c3';
const task = (fields: Partial<Task>): Task => ({ taskArn: arn, lastStatus: 'STOPPED', ...fields });

describe('why a task stopped', () => {
  it('judges only the named container, not sidecars', () => {
    const stopped = explainStoppedTask(
      task({
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        containers: [
          { name: 'log-router', exitCode: 1 },
          { name: 'migrate', exitCode: 0 },
        ],
      }),
      'migrate',
    );
    expect(stopped).toMatchObject({ kind: 'succeeded', failed: false, exitCode: 0, container: 'migrate' });
  });

  it('reports a crash with its exit code', () => {
    const stopped = explainStoppedTask(
      task({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'api', exitCode: 1 }] }),
    );
    expect(stopped).toMatchObject({ kind: 'exited', failed: true, exitCode: 1 });
    expect(describeStoppedTask(stopped)).toBe('task a1b2c3 (api): exited, exit code 1 — Essential container in task exited');
  });

  it.each<[StopKind, Partial<Task>, string]>([
    [
      'image-pull',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:nope: not found',
        containers: [{ name: 'api' }],
      },
      'ecr:BatchGetImage',
    ],
    [
      'secrets',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException',
        containers: [{ name: 'api' }],
      },
      'secretsmanager:GetSecretValue',
    ],
    [
      'out-of-memory',
      { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'api', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }] },
      'memory',
    ],
    [
      'health-check',
      { stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/abc)', containers: [{ name: 'api', exitCode: 143 }] },
      'health-check',
    ],
    ['start-failure', { stopCode: 'TaskFailedToStart', stoppedReason: 'CannotStartContainerError: exec: "node": executable file not found', containers: [{ name: 'api' }] }, 'entry point'],
  ])('recognises %s and says what to check', (kind, fields, hintWords) => {
    const stopped = explainStoppedTask(task(fields));
    expect(stopped.kind).toBe(kind);
    expect(stopped.failed).toBe(true);
    expect(stopped.hint).toContain(hintWords);
    expect(stopped.reason).toContain(fields.stoppedReason!.slice(0, 20));
  });

  it('treats a task stopped from outside as stopped, not crashed', () => {
    expect(explainStoppedTask(task({ stopCode: 'UserInitiated', stoppedReason: 'Deadline reached', containers: [{ name: 'migrate' }] }), 'migrate')).toMatchObject({
      kind: 'stopped',
      failed: true,
    });
  });
});
