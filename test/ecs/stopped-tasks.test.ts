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
    const stopped = explainStoppedTask(task({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'api', exitCode: 1 }] }));
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
      'secrets',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /shop/prod/DATABASE_URL',
        containers: [{ name: 'api' }],
      },
      'ssm:GetParameters',
    ],
    [
      'image-pull',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): ' +
          'AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/shop-execution/a1b2c3 is not authorized to perform: ecr:GetAuthorizationToken on resource: *',
        containers: [{ name: 'api' }],
      },
      'ecr:GetAuthorizationToken (on "*")',
    ],
    [
      'image-pull',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: pull command failed: : signal: killed; unable to retrieve ecr registry auth: failed to get ECR authorization token: AccessDeniedException',
        containers: [{ name: 'api' }],
      },
      'AmazonECSTaskExecutionRolePolicy',
    ],
    [
      'network',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): ' +
          'failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/db-AbCdEf from secrets manager: RequestError: send request failed caused by: ' +
          'Post "https://secretsmanager.us-east-1.amazonaws.com/": dial tcp 10.0.12.40:443: i/o timeout',
        containers: [{ name: 'api' }],
      },
      'com.amazonaws.us-east-1.secretsmanager',
    ],
    [
      'network',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): ' +
          'RequestError: send request failed caused by: Post "https://api.ecr.us-east-1.amazonaws.com/": dial tcp 52.46.154.72:443: i/o timeout',
        containers: [{ name: 'api' }],
      },
      'com.amazonaws.us-east-1.ecr.dkr',
    ],
    [
      'network',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 5 time(s): ' +
          'RequestCanceled: request context canceled caused by: context deadline exceeded',
        containers: [{ name: 'api' }],
      },
      'assignPublicIp ENABLED',
    ],
    [
      'network',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:v42: ' +
          'failed to do request: Head "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/shop-api/manifests/v42": dial tcp 3.5.1.10:443: i/o timeout',
        containers: [{ name: 'api' }],
      },
      'NAT gateway',
    ],
    [
      'log-config',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. : exit status 1',
        containers: [{ name: 'api' }],
      },
      '"awslogs-create-group": "true" and allow logs:CreateLogGroup',
    ],
    [
      'init-failure',
      {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message',
        containers: [{ name: 'api' }],
      },
      'could not be initialised (ECS: "failed to configure ENI: failed to setup regular eni',
    ],
    [
      'out-of-memory',
      { stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ name: 'api', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' }] },
      'memory',
    ],
    [
      'health-check',
      {
        stopCode: 'ServiceSchedulerInitiated',
        stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/abc)',
        containers: [{ name: 'api', exitCode: 143 }],
      },
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

  it('classifies by the tail, not the prefix secrets and registry auth share', () => {
    const prefixOnly = explainStoppedTask(
      task({ stopCode: 'TaskFailedToStart', stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed', containers: [{ name: 'api' }] }),
    );
    expect(prefixOnly.kind).toBe('init-failure');
    expect(prefixOnly.hint).toContain('unable to pull secrets or registry auth');

    const registry = explainStoppedTask(
      task({
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: AccessDeniedException',
        containers: [{ name: 'api' }],
      }),
    );
    expect(registry.kind).toBe('image-pull');
    expect(registry.hint).not.toContain('secretsmanager');
    expect(registry.hint).not.toContain('tag exists');
  });

  it("names only the services a timed-out task could not reach, with endpoints in the task's region", () => {
    const stopped = explainStoppedTask(
      task({
        taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/shop-prod/a1b2c3',
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): dial tcp 10.0.12.40:443: i/o timeout',
        containers: [{ name: 'api' }],
      }),
    );
    expect(stopped.kind).toBe('network');
    expect(stopped.hint).toContain('connecting to Secrets Manager');
    expect(stopped.hint).toContain('com.amazonaws.eu-west-1.secretsmanager');
    expect(stopped.hint).not.toContain('ecr.api');
    expect(describeStoppedTask(stopped)).toContain('task a1b2c3 (api): network, no exit code — ResourceInitializationError');
  });

  it('tells Secrets Manager from SSM in the secrets hint', () => {
    const ssm = explainStoppedTask(
      task({
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: AccessDeniedException',
        containers: [{ name: 'api' }],
      }),
    );
    expect(ssm).toMatchObject({ kind: 'secrets' });
    expect(ssm.hint).toContain('ssm:GetParameters');
    expect(ssm.hint).not.toContain('secretsmanager:GetSecretValue');
  });

  it('treats a task stopped from outside as stopped, not crashed', () => {
    expect(explainStoppedTask(task({ stopCode: 'UserInitiated', stoppedReason: 'Deadline reached', containers: [{ name: 'migrate' }] }), 'migrate')).toMatchObject({
      kind: 'stopped',
      failed: true,
    });
  });
});
