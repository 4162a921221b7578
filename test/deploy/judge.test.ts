import { describe, expect, it } from '@jest/globals';
import type { Deployment, Service, Task } from '@aws-sdk/client-ecs';
import { countsAsFailure, judgeRollout as judge, judgeStoppedServiceTask } from '../../shared/deploy/judge.js';
import { stopReason } from '../../shared/deploy/failed-tasks.js';

const TD = (revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/shop-api:${revision}`;
const OURS = 'ecs-svc/1111111111111111111';
const OLD = 'ecs-svc/2222222222222222222';

function deployment(fields: Partial<Deployment>): Deployment {
  return { id: OURS, status: 'PRIMARY', taskDefinition: TD(13), desiredCount: 2, runningCount: 0, pendingCount: 0, failedTasks: 0, rolloutState: 'IN_PROGRESS', ...fields };
}

function service(deployments: Deployment[], taskDefinition = TD(13)): Service {
  return { serviceName: 'shop-api', taskDefinition, deployments };
}

const verdict = (svc: Service, failedTasks = 0, threshold = 3) => judge({ service: svc, deploymentId: OURS, taskDefinitionArn: TD(13), failedTasks, threshold });

describe('judge', () => {
  it('succeeds only when our deployment is COMPLETED and the service runs our revision', () => {
    expect(verdict(service([deployment({ rolloutState: 'COMPLETED', runningCount: 2 })])).state).toBe('completed');
    expect(verdict(service([deployment({ rolloutState: 'IN_PROGRESS', runningCount: 2 }), deployment({ id: OLD, status: 'ACTIVE', taskDefinition: TD(12) })])).state).toBe('in-progress');
  });

  it('without a rollout state, succeeds when ours is the only deployment at its desired count', () => {
    expect(verdict(service([deployment({ rolloutState: undefined, runningCount: 2 })])).state).toBe('completed');
    expect(verdict(service([deployment({ rolloutState: undefined, runningCount: 1 })])).state).toBe('in-progress');
    expect(verdict(service([deployment({ rolloutState: undefined, runningCount: 2 }), deployment({ id: OLD, status: 'ACTIVE', taskDefinition: TD(12), rolloutState: undefined })])).state).toBe('in-progress');
  });

  it('calls a circuit-breaker rollback a failure, and names where ECS is going', () => {
    const result = verdict(
      service(
        [
          deployment({ id: 'ecs-svc/3333333333333333333', taskDefinition: TD(12), rolloutState: 'IN_PROGRESS' }),
          deployment({ status: 'ACTIVE', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }),
        ],
        TD(12),
      ),
    );
    expect(result).toMatchObject({
      state: 'failed',
      cause: 'circuit-breaker',
      summary: 'ECS failed the deployment (ECS deployment circuit breaker: tasks failed to start.) and is rolling back to shop-api:12',
      ecsRollback: { deploymentId: 'ecs-svc/3333333333333333333', taskDefinitionArn: TD(12) },
    });
  });

  it('fails when our deployment is FAILED without a rollback, replaced, or gone', () => {
    expect(verdict(service([deployment({ rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' })]))).toMatchObject({ cause: 'rollout-failed' });
    expect(verdict(service([deployment({ id: OLD, taskDefinition: TD(14) }), deployment({ status: 'ACTIVE' })], TD(14)))).toMatchObject({
      cause: 'replaced',
      summary: `${OLD} (shop-api:14) replaced deployment ${OURS} before it finished`,
    });
    expect(verdict(service([deployment({ id: OLD, taskDefinition: TD(14), rolloutState: 'COMPLETED' })], TD(14)))).toMatchObject({ cause: 'replaced' });
  });

  it('fails on the count of failed tasks, unless the threshold is 0', () => {
    const running = service([deployment({}), deployment({ id: OLD, status: 'ACTIVE', taskDefinition: TD(12) })]);
    expect(verdict(running, 2).state).toBe('in-progress');
    expect(verdict(running, 3)).toMatchObject({ state: 'failed', cause: 'tasks-failed', summary: '3 tasks of the new deployment failed' });
    expect(verdict(running, 30, 0).state).toBe('in-progress');
  });

  it("names a rollback's own failed tasks as the rollback's", () => {
    const running = service([deployment({}), deployment({ id: OLD, status: 'ACTIVE', taskDefinition: TD(12) })]);
    const result = judge({ service: running, deploymentId: OURS, taskDefinitionArn: TD(13), failedTasks: 3, threshold: 3, subject: 'the rollback deployment' });
    expect(result).toMatchObject({ state: 'failed', cause: 'tasks-failed', summary: '3 tasks of the rollback deployment failed' });
  });
});

describe('stopped service tasks', () => {
  const task = (fields: Partial<Task>, containers: Task['containers']): Task => ({ taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/shop-prod/abc123', lastStatus: 'STOPPED', ...fields, containers });

  it('counts an essential container that exits 0 as a failure: service tasks must keep running', () => {
    const verdict = judgeStoppedServiceTask(task({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' }, [{ name: 'api', exitCode: 0 }]));
    expect(verdict).toMatchObject({ kind: 'exited', failed: true });
    expect(countsAsFailure(verdict)).toBe(true);
  });

  it('does not count tasks ECS stopped to scale in or replace', () => {
    const verdict = judgeStoppedServiceTask(task({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)' }, [{ name: 'api', exitCode: 0 }]));
    expect(countsAsFailure(verdict)).toBe(false);
  });

  it.each([
    ['network', 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: dial tcp 52.46.154.72:443: i/o timeout'],
    ['log-config', 'ResourceInitializationError: failed to validate logger args: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.'],
    ['init-failure', 'ResourceInitializationError: failed to configure ENI: failed to setup regular eni'],
    ['image-pull', 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: AccessDeniedException'],
    ['secrets', 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException'],
  ])('counts a task that could not be initialised (%s) as a failure', (kind, reason) => {
    const verdict = judgeStoppedServiceTask(task({ stopCode: 'TaskFailedToStart', stoppedReason: reason }, [{ name: 'api' }]));
    expect(verdict).toMatchObject({ kind, failed: true });
    expect(countsAsFailure(verdict)).toBe(true);
  });

  it('does not count a task a user or the scheduler stopped, whatever its container exited with, unless its health checks failed', () => {
    const byUser = judgeStoppedServiceTask(task({ stopCode: 'UserInitiated', stoppedReason: 'Stopped by an operator' }, [{ name: 'api', exitCode: 143 }]));
    expect(byUser).toMatchObject({ kind: 'stopped', failed: false });
    expect(countsAsFailure(byUser)).toBe(false);
    const scaledIn = judgeStoppedServiceTask(task({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)' }, [{ name: 'api', exitCode: 137 }]));
    expect(countsAsFailure(scaledIn)).toBe(false);
    const unhealthy = judgeStoppedServiceTask(
      task({ stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api/1)' }, [{ name: 'api', exitCode: 143 }]),
    );
    expect(countsAsFailure(unhealthy)).toBe(true);
  });

  it.each<[string, Partial<Task>, Task['containers'], string]>([
    [
      'its essential container exited non-zero (lastStatus still RUNNING)',
      { lastStatus: 'RUNNING', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' },
      [{ name: 'api', lastStatus: 'STOPPED', exitCode: 1 }],
      'exited',
    ],
    [
      'its essential container exited non-zero (DEACTIVATING)',
      { lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' },
      [{ name: 'api', lastStatus: 'STOPPED', exitCode: 2 }],
      'exited',
    ],
    [
      'it could not pull its image (STOPPING)',
      { lastStatus: 'STOPPING', desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 7 time(s): not found' },
      [{ name: 'api' }],
      'image-pull',
    ],
    [
      'ECS found it unhealthy (DEACTIVATING, container still running)',
      { lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Task failed container health checks' },
      [{ name: 'api', lastStatus: 'RUNNING' }],
      'health-check',
    ],
    [
      'ECS has not said why yet (exit code not reported)',
      { lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited' },
      [{ name: 'api', lastStatus: 'RUNNING' }],
      'not counted (yet)',
    ],
    [
      'it is being scaled in (DEACTIVATING)',
      { lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated', stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1)' },
      [{ name: 'api', lastStatus: 'RUNNING' }],
      'not counted (yet)',
    ],
  ])('judges a task ECS is still stopping, when %s', (_what, fields, containers, kind) => {
    const verdict = judgeStoppedServiceTask(task(fields, containers));
    expect(countsAsFailure(verdict) ? verdict.kind : 'not counted (yet)').toBe(kind);
  });

  it('says a repeated reason once', () => {
    const reason = 'CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref x: not found';
    const stopped = task({ stopCode: 'TaskFailedToStart', stoppedReason: reason }, [{ name: 'api', reason }]);
    expect(stopReason(stopped, judgeStoppedServiceTask(stopped))).toBe(reason);
  });
});
