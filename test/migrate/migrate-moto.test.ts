/** The built action against moto: RunTask, DescribeTasks, StopTask, DescribeServices and CloudWatch Logs. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { DescribeTaskDefinitionCommand, ListTaskDefinitionsCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { awsTestEnv, useMoto } from '../../standins/moto.js';
import { runAction, startAction } from '../../standins/run-action.js';
import { jsonError, startScriptedAws } from '../../standins/scripted-aws.js';
import { CLUSTER, COMMIT_IMAGE, COMMIT_SHA, KEEP_RUNNING, NEW_IMAGE, OLD_IMAGE, ecs, pushImage, putLogLines, resetTaskProgress, runApiTask, seedShop, setTaskProgress, tasksOf, workspace } from './fixtures.js';

const FAST = { 'poll-interval': '100ms' };

describe('migrate against moto', () => {
  useMoto();
  afterEach(resetTaskProgress);

  it('runs the new image with the service network settings, streams the log while the task runs, and reports the applied migrations', async () => {
    const shop = await seedShop();
    await setTaskProgress(KEEP_RUNNING);
    const running = startAction('migrate', { inputs: { service: 'api', image: NEW_IMAGE, ...FAST }, env: awsTestEnv(), cwd: workspace() });

    const arn = await startedTaskArn(running);
    await putLogLines(arn, [
      'Prisma schema loaded from prisma/schema.prisma',
      'Datasource "db": PostgreSQL database "shop", schema "public" at "shop-db.cluster-abc.us-east-1.rds.amazonaws.com:5432"',
      '',
      '2 migrations found in prisma/migrations',
      'Applying migration `20260105090000_init`',
    ]);
    // Printed while the task is still RUNNING: moto only moves it on once told to below.
    await running.waitForLog('api | Applying migration `20260105090000_init`');
    await putLogLines(arn, [
      'Applying migration `20260212143000_add_offer_status`',
      'The following migration(s) have been applied:',
      'migrations/',
      '  └─ 20260105090000_init/',
      '    └─ migration.sql',
      '  └─ 20260212143000_add_offer_status/',
      '    └─ migration.sql',
      'All migrations have been successfully applied.',
    ]);
    await setTaskProgress(1);
    const result = await running.result;

    expect(result.code).toBe(0);
    expect(result.outputs).toMatchObject({ status: 'succeeded', 'exit-code': '0', 'task-arn': arn });
    expect(JSON.parse(result.outputs.result!)).toEqual({
      service: 'api',
      status: 'succeeded',
      exitCode: 0,
      taskArn: arn,
      durationSeconds: expect.any(Number),
      reason: '',
      consoleUrl: `https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/${CLUSTER}/tasks/${arn.split('/').pop()}/configuration?region=us-east-1`,
    });
    expect(result.log).toContain('Migration succeeded in');
    expect(result.log).toContain('Applied 2 migrations: 20260105090000_init, 20260212143000_add_offer_status.');
    expect(result.log.indexOf('api | Applying migration `20260105090000_init`')).toBeLessThan(result.log.indexOf('is STOPPED'));
    expect(result.log).toContain('api | All migrations have been successfully applied.');
    expect(result.log).toContain(`Subnets: ${shop.subnet} (from service shop-api)`);
    expect(result.summary).toContain('Migrations for api: ✅ succeeded');
    expect(result.summary).toContain('All migrations have been successfully applied.');
    expect(result.summary).toContain('shop-api:2 (registered by this run)');

    // The revision: the service's family, only the migration container's image replaced, tagged.
    const { taskDefinition, tags } = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-api:2', include: ['TAGS'] }));
    expect(taskDefinition!.containerDefinitions!.map((container) => container.image)).toEqual([NEW_IMAGE, 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable']);
    expect(tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'payments' },
        { key: 'berth:registered-by', value: 'migrate' },
      ]),
    );
    expect(result.outputs['task-definition-arn']).toBe(taskDefinition!.taskDefinitionArn);

    // The task: that revision, the command override, the service's network, marked as this run's migration.
    const [task] = await tasksOf();
    expect(task).toMatchObject({
      taskArn: arn,
      taskDefinitionArn: taskDefinition!.taskDefinitionArn,
      launchType: 'FARGATE',
      startedBy: 'berth/migrate/4242-1',
      group: 'migrate:api',
      overrides: { containerOverrides: [{ name: 'api', command: ['sh', '-c', 'cd apps/api && npx prisma migrate deploy'] }] },
    });
    expect(task!.attachments![0]!.details).toEqual(expect.arrayContaining([{ name: 'subnetId', value: shop.subnet }]));
    expect(task!.tags).toEqual(
      expect.arrayContaining([
        { key: 'berth:purpose', value: 'migration' },
        { key: 'berth:service', value: 'api' },
        { key: 'berth:run', value: 'https://github.com/acme/shop/actions/runs/4242' },
      ]),
    );
  });

  it("runs the commit's image when no image is given, after checking ECR has it", async () => {
    await seedShop();
    await pushImage();
    await setTaskProgress(1);
    const result = await runAction('migrate', { inputs: { service: 'api', environment: 'LOG_LEVEL=debug\nPRISMA_HIDE_UPDATE_MESSAGE=1', ...FAST }, env: awsTestEnv(), cwd: workspace() });

    expect(result.code).toBe(0);
    expect(result.log).toContain(`Image: ${COMMIT_IMAGE} (the commit's tag (GITHUB_SHA), used when neither "image" nor "image-tag" is given; replaces ${OLD_IMAGE} in a new revision of shop-api)`);
    expect(result.log).toContain(`ECR has ${COMMIT_IMAGE}.`);
    expect(result.log).not.toContain('::warning::');
    expect(result.log).toContain('Environment overrides: LOG_LEVEL, PRISMA_HIDE_UPDATE_MESSAGE');
    expect(result.outputs.status).toBe('succeeded');
    // moto starts no log driver: the stream never appears, and the summary says so rather than "wrote nothing".
    expect(result.summary).toContain('never appeared in /ecs/shop-api: the container wrote nothing, or the log driver could not deliver it');
    const { taskDefinition } = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-api:2' }));
    expect(taskDefinition!.containerDefinitions![0]!.image).toBe(COMMIT_IMAGE);
    const [task] = await tasksOf();
    expect(task!.taskDefinitionArn).toBe(taskDefinition!.taskDefinitionArn);
    expect(task!.overrides!.containerOverrides![0]!.environment).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'PRISMA_HIDE_UPDATE_MESSAGE', value: '1' },
    ]);
  });

  it.each([
    ['the tag was never pushed', () => pushImage('an-older-commit')],
    ['the repository does not exist', async () => undefined],
  ])("fails before registering or running anything when ECR lacks the commit's image (%s)", async (what, seedEcr) => {
    await seedShop();
    await seedEcr();
    const result = await runAction('migrate', { inputs: { service: 'api', ...FAST }, env: awsTestEnv(), cwd: workspace() });

    expect(result.code).toBe(1);
    const error = result.stdout.split('\n').find((line) => line.startsWith('::error::')) ?? '';
    const repository = 'The ECR repository "shop-api" (registry 123456789012, us-east-1)';
    expect(error).toContain(what === 'the tag was never pushed' ? `${repository} has no image tagged "${COMMIT_SHA}"` : `${repository} does not exist, so it has no image tagged "${COMMIT_SHA}"`);
    expect(error).toContain('Nothing was registered or started.');
    expect(error).toContain('run build-push for this commit before migrate');
    expect(error).toContain('"image-tag"');
    expect(result.outputs.status).toBe('failed');
    expect(await tasksOf()).toEqual([]);
    const { taskDefinitionArns } = await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop-api' }));
    expect(taskDefinitionArns).toHaveLength(1);
  });

  it('warns and goes on when the role may not check the image in ECR', async () => {
    await seedShop();
    await setTaskProgress(1);
    const denied = await startScriptedAws(() => jsonError(400, 'AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/deployer/gha is not authorized to perform: ecr:DescribeImages on resource: shop-api'));
    try {
      const result = await runAction('migrate', { inputs: { service: 'api', ...FAST }, env: { ...awsTestEnv(), AWS_ENDPOINT_URL_ECR: denied.url }, cwd: workspace() });

      expect(result.code).toBe(0);
      expect(denied.calls.map((call) => call.operation)).toEqual([expect.stringMatching(/DescribeImages$/)]);
      expect(result.stdout).toContain(`::warning::Could not check that ${COMMIT_IMAGE} exists in ECR before starting the migration`);
      expect(result.stdout).toContain('Allow "ecr:DescribeImages" on the repository shop-api');
      const [task] = await tasksOf();
      expect(task!.taskDefinitionArn).toMatch(/shop-api:2$/);
    } finally {
      await denied.close();
    }
  });

  it('runs the image the service runs now only when asked with "image: current", and warns', async () => {
    await seedShop();
    await setTaskProgress(1);
    // No ECR repository at all: the current image is run as it is, unchecked.
    const result = await runAction('migrate', { inputs: { service: 'api', image: 'current', ...FAST }, env: awsTestEnv(), cwd: workspace() });

    expect(result.code).toBe(0);
    expect(result.log).toContain(`Image: ${OLD_IMAGE} ("image: current": the image shop-api:1 names now, run as it is)`);
    expect(result.stdout).toContain(`::warning::"image: current" runs ${OLD_IMAGE}, the image shop-api:1 names now.`);
    expect(result.stdout).toContain('applying anything');
    expect(result.summary).toContain('&quot;image: current&quot; runs');
    expect(result.outputs.status).toBe('succeeded');
    const { taskDefinitionArns } = await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop-api' }));
    expect(taskDefinitionArns).toHaveLength(1);
    const [task] = await tasksOf();
    expect(task!.taskDefinitionArn).toBe(taskDefinitionArns![0]);
  });

  it.each([
    [{ service: 'api', cluster: 'shop-stage' }, 'ECS cluster "shop-stage" does not exist in this account and region.'],
    [{ service: 'api', 'ecs-service': 'shop-apj' }, 'ECS service "shop-apj" does not exist (or is not active) in cluster "shop-prod". Did you mean "shop-api"?'],
    [{ service: 'api', 'task-definition': 'shop-migrate:3' }, 'Input "task-definition": Task definition "shop-migrate:3" cannot be read'],
    [{ service: 'api', container: 'apl' }, 'Task definition shop-api:1 has no container named "apl". Did you mean "api"?'],
    [{ service: 'apj' }, 'Service "apj" is not in .github/services.yml. Did you mean "api"?'],
    [{ service: 'web' }, 'Service "web" in .github/services.yml has no "migrate" section'],
    [{ 'ecs-service': 'shop-api', cluster: 'nowhere', command: 'true' }, 'ECS cluster "nowhere" does not exist'],
    [{ 'task-definition': 'shop-api', cluster: 'nowhere' }, 'ECS cluster "nowhere" does not exist in this account and region.%0AClusters here: shop-prod.'],
    [{ service: 'api', subnets: 'subnet-zz' }, 'Input "subnets" contains "subnet-zz", which is not a subnet id.'],
    [{ service: 'api', command: '["npx", 3]' }, 'Input "command" must be a non-empty JSON array of strings.'],
    [{ service: 'api', 'launch-type': 'FARGATE', 'capacity-provider-strategy': '[{"capacityProvider": "FARGATE_SPOT"}]' }, 'Inputs "launch-type" and "capacity-provider-strategy" are both set'],
  ])('reports %j by name before RunTask', async (inputs, message) => {
    await seedShop();
    const result = await runAction('migrate', { inputs: { ...inputs, image: NEW_IMAGE, ...FAST }, env: awsTestEnv(), cwd: workspace() });

    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`::error::${message}`);
    expect(result.outputs.status).toBe('failed');
    expect(JSON.parse(result.outputs.result!).reason).toContain(message.slice(0, 40));
    expect(await tasksOf()).toEqual([]);
    const { taskDefinitionArns } = await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: 'shop-api' }));
    expect(taskDefinitionArns).toHaveLength(1);
  });

  it('runs the image the build step pushed when given only its tag', async () => {
    await seedShop();
    const sha = 'feedfacefeedfacefeedfacefeedfacefeedface';
    await pushImage(sha);
    await setTaskProgress(1);
    const result = await runAction('migrate', { inputs: { service: 'api', 'image-tag': sha, ...FAST }, env: awsTestEnv(), cwd: workspace() });

    expect(result.code).toBe(0);
    const { taskDefinition } = await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'shop-api:2' }));
    expect(taskDefinition!.containerDefinitions![0]!.image).toBe(`123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:${sha}`);
  });

  it('stops the task with a reason when the deadline passes, and fails as timed out', async () => {
    await seedShop();
    await pushImage();
    await setTaskProgress(KEEP_RUNNING);
    const result = await runAction('migrate', { inputs: { service: 'api', timeout: '1s', ...FAST }, env: awsTestEnv(), cwd: workspace() });

    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'timed-out', 'exit-code': '' });
    expect(result.stdout).toContain('::error::Migration of api timed out: The migration did not finish within 1s; the task was stopped.');
    const [task] = await tasksOf();
    expect(task).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    expect(task!.stoppedReason).toMatch(/^Berth: the migration did not finish within 1s \(https:\/\/github.com\/acme\/shop\/actions\/runs\/4242\)$/);
    expect(result.summary).toContain('⏱️ timed out');
  });

  it.each(['SIGINT', 'SIGTERM'] as const)('stops the task when the step is cancelled (%s) and exits non-zero', async (signal) => {
    await seedShop();
    await pushImage();
    await setTaskProgress(KEEP_RUNNING);
    const running = startAction('migrate', { inputs: { service: 'api', ...FAST }, env: awsTestEnv(), cwd: workspace() });
    const arn = await startedTaskArn(running);
    await running.waitForLog(`is RUNNING`);
    running.child.kill(signal);
    const result = await running.result;

    expect(result.code).toBe(1);
    expect(result.log).toContain(`Received ${signal}: the workflow run is being cancelled.`);
    expect(result.outputs).toMatchObject({ status: 'cancelled', 'task-arn': arn });
    expect(result.state).toMatchObject({ 'task-arn': arn, cluster: CLUSTER, region: 'us-east-1', 'task-stopped': 'true' });
    const [task] = await tasksOf();
    expect(task).toMatchObject({ taskArn: arn, lastStatus: 'STOPPED', desiredStatus: 'STOPPED' });
    expect(task!.stoppedReason).toContain('Berth: the workflow run was cancelled');
  });

  it('post step of a cancelled run: stops a migration task the main step left running', async () => {
    const shop = await seedShop();
    await setTaskProgress(KEEP_RUNNING);
    const arn = await runApiTask(shop);
    const result = await runAction('migrate', { env: awsTestEnv(), state: { isPost: 'true', 'task-arn': arn, cluster: CLUSTER, region: 'us-east-1' } });

    expect(result.code).toBe(0);
    expect(result.log).toContain(`Stopped migration task ${arn}, which was still RUNNING when the run was cancelled.`);
    const [task] = await tasksOf();
    expect(task).toMatchObject({ lastStatus: 'STOPPED', stoppedReason: 'Berth: the workflow run was cancelled (https://github.com/acme/shop/actions/runs/4242)' });
  });

  it('post step: leaves alone a task the main step saw stop, and does nothing when no task started', async () => {
    const shop = await seedShop();
    await setTaskProgress(KEEP_RUNNING);
    const arn = await runApiTask(shop);
    const stopped = await runAction('migrate', { env: awsTestEnv(), state: { isPost: 'true', 'task-arn': arn, cluster: CLUSTER, region: 'us-east-1', 'task-stopped': 'true' } });
    const none = await runAction('migrate', { env: awsTestEnv(), state: { isPost: 'true' } });

    expect(stopped.code).toBe(0);
    expect(stopped.log).toContain(`Migration task ${arn} had already stopped; nothing to stop.`);
    expect(none.code).toBe(0);
    expect(none.log).toContain('No migration task was started in this job; nothing to stop.');
    const [task] = await tasksOf();
    expect(task!.desiredStatus).toBe('RUNNING');
  });
});

/** The task the action started: ListTasks, which (unlike DescribeTasks) does not move moto's task on. */
async function startedTaskArn(running: ReturnType<typeof startAction>): Promise<string> {
  await running.waitForLog('Started migration task arn:');
  const { taskArns } = await ecs().send(new ListTasksCommand({ cluster: CLUSTER }));
  expect(taskArns).toHaveLength(1);
  return taskArns![0]!;
}
