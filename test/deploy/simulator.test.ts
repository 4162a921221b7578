/** The ECS rollout simulator through the real SDK: response shapes, history, errors, and one-shot tasks for the demo's migration step. */
import { describe, expect, it } from '@jest/globals';
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { useMoto, TEST_REGION } from '../../standins/moto.js';
import { waitFor } from '../../standins/ports.js';
import type { EcsSimulator } from '../../standins/ecs-simulator/index.js';
import { CLUSTER, logLines, shop, simulator, taskDefinition } from './fixtures.js';

const client = (sim: EcsSimulator) => new ECSClient({ region: TEST_REGION, endpoint: sim.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

describe('ECS rollout simulator', () => {
  useMoto();

  it('answers in the shapes of the real API, parsed by the SDK', async () => {
    const sim = await simulator({ ...shop(['shop-api']), taskDefinitions: [taskDefinition('shop-api', 'good'), taskDefinition('shop-api-worker', 'good')] });
    const ecs = client(sim);
    const { services, failures } = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['shop-api', 'ghost'] }));
    const [service] = services!;
    expect(service).toMatchObject({ serviceName: 'shop-api', status: 'ACTIVE', desiredCount: 2, runningCount: 2, launchType: 'FARGATE', deploymentController: { type: 'ECS' } });
    expect(service!.createdAt).toBeInstanceOf(Date);
    expect(service!.deployments).toEqual([expect.objectContaining({ status: 'PRIMARY', rolloutState: 'COMPLETED', runningCount: 2, failedTasks: 0, id: expect.stringMatching(/^ecs-svc\/\d{19}$/) })]);
    expect(failures).toEqual([{ arn: `arn:aws:ecs:${TEST_REGION}:123456789012:service/${CLUSTER}/ghost`, reason: 'MISSING' }]);

    // familyPrefix matches longer families too, as ECS does.
    const { taskDefinitionArns } = await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop-api', sort: 'DESC' }));
    expect(taskDefinitionArns!.map((arn) => arn.split('/')[1])).toEqual(['shop-api-worker:1', 'shop-api:1']);

    const { serviceDeployments } = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: 'shop-api', status: ['SUCCESSFUL'] }));
    expect(serviceDeployments).toHaveLength(1);
    const [described] = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [serviceDeployments![0]!.serviceDeploymentArn!] }))).serviceDeployments!;
    expect(described!.targetServiceRevision!.arn).toBe(serviceDeployments![0]!.targetServiceRevisionArn);
    const { serviceRevisions } = await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [described!.targetServiceRevision!.arn!] }));
    expect(serviceRevisions![0]!.taskDefinition).toMatch(/task-definition\/shop-api:1$/);

    const error = await ecs.send(new DescribeServicesCommand({ cluster: 'nope', services: ['x'] })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ClusterNotFoundException', message: 'Cluster not found.' });
  });

  it('runs one-shot tasks with a scripted exit code and output, and stops them on request', async () => {
    const sim = await simulator(shop(['shop-api']), {
      scenarios: [
        { command: /prisma migrate deploy/, behaviour: 'exits', exitCode: 1, runSeconds: 20, logLines: ['Error: P3009', 'migrate found failed migrations in the target database'] },
        { command: /sleep/, behaviour: 'runs' },
      ],
    });
    const ecs = client(sim);
    const migrate = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: 'shop-api',
        launchType: 'FARGATE',
        startedBy: 'berth-migrate',
        overrides: { containerOverrides: [{ name: 'api', command: ['sh', '-c', 'cd apps/api && npx prisma migrate deploy'] }] },
      }),
    );
    const taskArn = migrate.tasks![0]!.taskArn!;
    expect(migrate.tasks![0]).toMatchObject({ lastStatus: 'PROVISIONING', desiredStatus: 'RUNNING', startedBy: 'berth-migrate' });
    await waitFor(async () => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks![0]!.lastStatus === 'STOPPED', 'the migration task to stop', 10_000);
    const [stopped] = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks!;
    expect(stopped).toMatchObject({ stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [expect.objectContaining({ name: 'api', exitCode: 1 })] });
    expect(await logLines('/ecs/shop-api', `ecs/api/${taskArn.split('/').at(-1)}`)).toEqual(['Error: P3009', 'migrate found failed migrations in the target database']);

    const sleeper = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: 'shop-api', overrides: { containerOverrides: [{ name: 'api', command: ['sleep', '3600'] }] } }));
    const { task } = await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: sleeper.tasks![0]!.taskArn!, reason: 'Cancelled by the workflow' }));
    expect(task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedReason: 'Cancelled by the workflow' });
  });

  /** Every state a task of the new deployment is seen in, from ListTasks (desiredStatus STOPPED) and DescribeTasks, until the first one has STOPPED. */
  async function watchFirstFailure(sim: EcsSimulator, tag: string): Promise<Task[]> {
    const ecs = client(sim);
    const { taskDefinition: next } = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition('shop-api', tag)));
    const { service } = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: 'shop-api', taskDefinition: next!.taskDefinitionArn }));
    const startedBy = service!.deployments!.find((deployment) => deployment.status === 'PRIMARY')!.id!;
    const seen: Task[] = [];
    await waitFor(
      async () => {
        const { taskArns } = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, startedBy, desiredStatus: 'STOPPED' }));
        if (!taskArns?.length) return false;
        const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArns.at(-1)!] }));
        seen.push(tasks![0]!);
        return tasks![0]!.lastStatus === 'STOPPED';
      },
      'the first failed task to stop',
      20_000,
    );
    return seen;
  }

  it('keeps a task whose container exited in DEACTIVATING and STOPPING for `stoppingSeconds`, its exit and stop reason already reported, listed as desiredStatus STOPPED', async () => {
    const sim = await simulator(shop(['shop-api']), { speed: 30, scenarios: [{ image: ':crash', behaviour: 'exits', exitCode: 3, stoppingSeconds: 60 }] });
    const seen = await watchFirstFailure(sim, 'crash');
    const stopping = seen.filter((task) => task.lastStatus !== 'STOPPED');
    expect(new Set(stopping.map((task) => task.lastStatus))).toContain('DEACTIVATING');
    for (const task of stopping) {
      expect(task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', stoppingAt: expect.any(Date) });
      expect(task.stoppedAt).toBeUndefined();
      expect(task.containers).toEqual([expect.objectContaining({ name: 'api', lastStatus: 'STOPPED', exitCode: 3 })]);
    }
    const stopped = seen.at(-1)!;
    // A minute after the container exited, as Fargate takes.
    expect(stopped.stoppedAt!.getTime() - stopped.stoppingAt!.getTime()).toBe(60_000);
    expect(stopped.executionStoppedAt!.getTime()).toBeLessThan(stopped.stoppedAt!.getTime());
    const failure = sim.inspect(CLUSTER, 'shop-api').failures[0]!;
    expect([failure.failedAt, failure.stoppedAt]).toEqual([stopped.stoppingAt!.getTime(), stopped.stoppedAt!.getTime()]);
  });

  it('keeps a task that could not start in STOPPING with its stop code and reason until it stops', async () => {
    const sim = await simulator(shop(['shop-api']), { speed: 30, scenarios: [{ image: ':no-such-tag', behaviour: 'image-pull-failure', stoppingSeconds: 30 }] });
    const seen = await watchFirstFailure(sim, 'no-such-tag');
    const stopping = seen.filter((task) => task.lastStatus !== 'STOPPED');
    expect(new Set(stopping.map((task) => task.lastStatus))).toContain('STOPPING');
    for (const task of stopping) {
      expect(task).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'TaskFailedToStart', stoppedReason: expect.stringMatching(/^CannotPullContainerError: /) });
      expect(task.containers![0]!.exitCode).toBeUndefined();
    }
  });
});
