/**
 * Exit codes, stop codes, stopped reasons and Prisma errors: ECS answers come from a script shaped
 * like real responses (moto cannot produce them); the container log is real, in moto's CloudWatch Logs.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateLogGroupCommand } from '@aws-sdk/client-cloudwatch-logs';
import { awsTestEnv, useMoto } from '../../standins/moto.js';
import { runAction, unmaskedLines, type ActionResult } from '../../standins/run-action.js';
import { COMMIT_IMAGE, LOG_GROUP, NEW_IMAGE, logs, pushImage, putLogLines, workspace } from './fixtures.js';
import { TASK_ARN, exited, service, startScriptedEcs, task, taskDefinition, type EcsScript, type ScriptedEcs } from './scripted-ecs.js';

const P3018_LOG = [
  'Prisma schema loaded from prisma/schema.prisma',
  'Datasource "db": PostgreSQL database "shop", schema "public" at "shop-db.cluster-abc.us-east-1.rds.amazonaws.com:5432"',
  '2 migrations found in prisma/migrations',
  'Applying migration `20260212143000_add_offer_status`',
  'Error: P3018',
  '',
  'A migration failed to apply. New migrations cannot be applied before the error is recovered from. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve',
  '',
  'Migration name: 20260212143000_add_offer_status',
  '',
  'Database error code: 23502',
  '',
  'Database error:',
  'ERROR: column "status" of relation "Offer" contains null values',
];

let scripted: ScriptedEcs | undefined;

async function migrate(script: EcsScript, logLines: string[] = [], inputs: Record<string, string> = {}): Promise<ActionResult> {
  scripted = await startScriptedEcs(script);
  if (logLines.length) await putLogLines(TASK_ARN, logLines);
  return runAction('migrate', {
    inputs: { service: 'api', 'poll-interval': '100ms', ...inputs },
    // Lines written after STOPPED need the log reads to pass through the stub, which forwards them to moto.
    env: { ...awsTestEnv(), AWS_ENDPOINT_URL_ECS: scripted.url, ...(script.linesAfterStopped ? { AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: scripted.url } : {}) },
    cwd: workspace(),
  });
}

function errorOf(result: ActionResult): string {
  const line = result.stdout.split('\n').find((candidate) => candidate.startsWith('::error::')) ?? '';
  return line.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%25/g, '%');
}

describe('migration verdicts', () => {
  useMoto();
  beforeEach(async () => {
    await logs().send(new CreateLogGroupCommand({ logGroupName: LOG_GROUP }));
    // The commit's image, which runs when a test gives no "image" (ECR is moto's; ECS is scripted).
    await pushImage();
  });
  afterEach(async () => {
    await scripted?.close();
    scripted = undefined;
  });

  it('fails on the migration exit code with the evidence, the Prisma error and the exact resolve command', async () => {
    const result = await migrate({ describes: [task('PROVISIONING'), task('PENDING'), task('RUNNING'), exited(1)] }, P3018_LOG, { image: NEW_IMAGE });

    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'failed', 'exit-code': '1', 'task-arn': TASK_ARN, 'duration-seconds': '42' });
    const error = errorOf(result);
    expect(error).toContain('Migration of api failed: Migration `20260212143000_add_offer_status` failed to apply (P3018): ERROR: column "status" of relation "Offer" contains null values (SQLSTATE 23502).');
    expect(error).toContain(`Task ${TASK_ARN.split('/').pop()} stopped (EssentialContainerExited): Essential container in task exited`);
    expect(error).toContain('Container "api" (the migration): exit code 1');
    expect(error).toContain('  | ERROR: column "status" of relation "Offer" contains null values');
    expect(error).toContain('`cd apps/api && npx prisma migrate resolve --rolled-back 20260212143000_add_offer_status`');
    expect(error).toContain('`cd apps/api && npx prisma migrate resolve --applied 20260212143000_add_offer_status`');
    expect(error).not.toMatch(/null\]|\[null/);
    expect(JSON.parse(result.outputs.result!)).toMatchObject({ status: 'failed', exitCode: 1, reason: expect.stringContaining('(P3018)') });
    expect(result.summary).toContain('❌ failed');
    expect(result.summary).toContain('Next step:');
    expect(result.summary).toContain('Database error code: 23502');
    // The revision was registered with the new image and that is what ran.
    expect(scripted!.requests('RunTask')[0]).toMatchObject({ taskDefinition: expect.stringMatching(/shop-api:8$/) });
  });

  it('flushes the log after the task stopped: lines that arrive only then are printed, kept for the summary and judged', async () => {
    // The container got as far as applying the migration; Prisma's error reaches CloudWatch only after ECS reports STOPPED.
    const before = P3018_LOG.slice(0, P3018_LOG.indexOf('Error: P3018'));
    const after = P3018_LOG.slice(before.length);
    const result = await migrate({ describes: [task('PROVISIONING'), task('RUNNING'), exited(1)], linesAfterStopped: after }, before);

    expect(scripted!.wroteLinesAfterStopped()).toBe(true);
    expect(result.code).toBe(1);
    const stoppedAt = result.log.search(/Task \w+ is STOPPED after/);
    expect(stoppedAt).toBeGreaterThan(-1);
    expect(result.log.indexOf('api | Applying migration `20260212143000_add_offer_status`')).toBeLessThan(stoppedAt);
    expect(result.log.indexOf('api | Error: P3018')).toBeGreaterThan(stoppedAt);
    expect(result.log.indexOf('api | ERROR: column "status" of relation "Offer" contains null values')).toBeGreaterThan(stoppedAt);

    // The late lines feed the Prisma verdict...
    const error = errorOf(result);
    expect(error).toContain('Migration of api failed: Migration `20260212143000_add_offer_status` failed to apply (P3018): ERROR: column "status" of relation "Offer" contains null values (SQLSTATE 23502).');
    expect(error).toContain('`cd apps/api && npx prisma migrate resolve --rolled-back 20260212143000_add_offer_status`');
    expect(JSON.parse(result.outputs.result!)).toMatchObject({ status: 'failed', exitCode: 1, reason: expect.stringContaining('(P3018)') });
    // ...and are the last lines of the failure message and of the summary, after the ones written before the stop.
    expect(error).toMatch(/ {2}\| Error: P3018\n[\s\S]* {2}\| ERROR: column "status" of relation "Offer" contains null values\nTask: /);
    expect(result.summary).toContain(`Last ${P3018_LOG.length} log lines of container api`);
    const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    expect(result.summary).toContain(escape(P3018_LOG.join('\n')));
  });

  it('never waits for RUNNING: a task that goes from PROVISIONING straight to STOPPED is judged', async () => {
    const result = await migrate({ describes: [task('PROVISIONING'), exited(0)] }, ['3 migrations found in prisma/migrations', '', 'No pending migrations to apply.']);

    expect(result.code).toBe(0);
    expect(result.log).not.toContain('is RUNNING');
    expect(result.log).toContain('Migration succeeded in 42s: No pending migrations to apply: the database was already up to date.');
    expect(result.outputs).toMatchObject({ status: 'succeeded', 'exit-code': '0', 'duration-seconds': '42' });
  });

  it('judges the migration container alone, not a failing sidecar', async () => {
    const result = await migrate({ describes: [task('RUNNING'), exited(0, { containers: { 'log-router': { lastStatus: 'STOPPED', exitCode: 1 } } })] });

    expect(result.code).toBe(0);
    expect(result.outputs.status).toBe('succeeded');
  });

  it('names an essential sidecar whose exit stopped the migration', async () => {
    const definition = taskDefinition();
    (definition.containerDefinitions as { essential?: boolean }[])[1]!.essential = true;
    const result = await migrate({
      taskDefinition: definition,
      describes: [task('RUNNING'), exited(143, { containers: { 'log-router': { lastStatus: 'STOPPED', exitCode: 1 } } })],
    });

    expect(result.code).toBe(1);
    const error = errorOf(result);
    expect(error).toContain('Migration of api failed: Essential container "log-router" exited with code 1, which stopped the task before the migration finished.');
    expect(error).toContain('Container "log-router" (essential): exit code 1');
    expect(error).toContain('mark it "essential": false');
  });

  it.each([
    [
      'an image that cannot be pulled',
      task('STOPPED', {
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 123456789012.dkr.ecr.us-east-1.amazonaws.com/shop-api:old: not found',
        containers: { api: { lastStatus: 'STOPPED', reason: 'CannotPullContainerError: pull image manifest has been retried 1 time(s)' } },
      }),
      [],
      'ECS could not pull the image of the migration task.',
      'ecr:BatchGetImage',
      '',
    ],
    [
      'secrets that cannot be fetched',
      task('STOPPED', {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException',
      }),
      [],
      "ECS could not fetch the migration task's secrets.",
      'secretsmanager:GetSecretValue',
      '',
    ],
    [
      'registry credentials that cannot be fetched',
      task('STOPPED', {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): ' +
          'AccessDeniedException: not authorized to perform: ecr:GetAuthorizationToken on resource: *',
      }),
      [],
      'ECS could not pull the image of the migration task.',
      'ecr:GetAuthorizationToken (on "*")',
      '',
    ],
    [
      'a subnet with no way out to AWS',
      task('STOPPED', {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: service call has been retried 5 time(s): ' +
          'RequestError: send request failed caused by: Post "https://secretsmanager.us-east-1.amazonaws.com/": dial tcp 10.0.12.40:443: i/o timeout',
      }),
      [],
      'The migration task could not start: it timed out reaching AWS from its subnets.',
      'com.amazonaws.us-east-1.secretsmanager',
      '',
    ],
    [
      'a log group that does not exist',
      task('STOPPED', {
        stopCode: 'TaskFailedToStart',
        stoppedReason:
          'ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.',
      }),
      [],
      'The migration task could not start: ECS could not create its CloudWatch log stream.',
      'logs:CreateLogGroup',
      '',
    ],
    [
      'a task that could not be initialised',
      task('STOPPED', { stopCode: 'TaskFailedToStart', stoppedReason: 'ResourceInitializationError: failed to configure ENI: failed to setup regular eni: netplugin failed with no error message' }),
      [],
      'ECS could not initialise the migration task.',
      'could not be initialised (ECS: "failed to configure ENI',
      '',
    ],
    [
      'a container out of memory',
      exited(137, { containers: { api: { lastStatus: 'STOPPED', exitCode: 137, reason: 'OutOfMemoryError: Container killed due to memory usage' } } }),
      ['Applying migration `20260212143000_add_offer_status`'],
      'The migration container "api" ran out of memory.',
      'raise the task or container memory',
      '137',
    ],
    ['a command missing from the image', exited(127), ['sh: npx: not found'], 'The migration command was not found in the image (exit code 127: sh: npx: not found).', 'the image must contain the Prisma CLI', '127'],
    [
      'a task stopped by someone else',
      task('STOPPED', { stopCode: 'UserInitiated', stoppedReason: 'Stopped by an operator', containers: { api: { lastStatus: 'STOPPED', exitCode: 143 } } }),
      [],
      'The migration container "api" exited with code 143.',
      'its last log lines could not be shown here',
      '143',
    ],
  ])('explains %s', async (_what, stopped, logLines, headline, hint, exitCode) => {
    const result = await migrate({ describes: [task('PROVISIONING'), stopped] }, logLines);

    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ status: 'failed', 'exit-code': exitCode });
    const error = errorOf(result);
    expect(error).toContain(`Migration of api failed: ${headline}`);
    expect(error).toContain((stopped.stoppedReason as string).slice(0, 40));
    expect(error).toContain(hint);
  });

  it('says a container that never started has no log, not that it wrote nothing', async () => {
    const stopped = task('STOPPED', {
      stopCode: 'TaskFailedToStart',
      stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref shop-api:old: not found',
      containers: { api: { lastStatus: 'STOPPED', reason: 'CannotPullContainerError' } },
    });
    const result = await migrate({ describes: [task('PROVISIONING'), stopped] });
    expect(result.summary).toContain('the container never started, so it has no log');
    expect(result.summary).not.toContain('wrote nothing');
  });

  it.each([
    [
      'P1002 (advisory lock)',
      [
        'Error: P1002',
        '',
        'The database server at `shop-db.cluster-abc.us-east-1.rds.amazonaws.com:5432` was reached but timed out. Please try again.',
        '',
        'Context: Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(72707369)). Timeout: 10000ms. See https://pris.ly/d/migrate-advisory-locking for details.',
      ],
      'Prisma gave up waiting for its migration lock (P1002, advisory-lock timeout): another `prisma migrate` holds it on this database.',
      'concurrency group',
    ],
    [
      'P3009',
      [
        'Error: P3009',
        '',
        'migrate found failed migrations in the target database, new migrations will not be applied. Read more about how to resolve migration issues in a production database: https://pris.ly/d/migrate-resolve',
        'The `20260105090000_init` migration started at 2026-11-20 10:55:50.794337 UTC failed',
      ],
      'A failed migration is recorded in the database (P3009): `20260105090000_init`.',
      '`cd apps/api && npx prisma migrate resolve --rolled-back 20260105090000_init`',
    ],
    [
      'P1001',
      ["Error: P1001: Can't reach database server at `shop-db.cluster-abc.us-east-1.rds.amazonaws.com:5432`", '', 'Please make sure your database server is running.'],
      'The migration task cannot reach the database at shop-db.cluster-abc.us-east-1.rds.amazonaws.com:5432 (P1001).',
      "from the task's security groups (sg-0123456789abcdef0)",
    ],
    [
      'P1000',
      ['Error: P1000: Authentication failed against database server at `shop-db`, the provided database credentials for `app` are not valid.'],
      'The database refused the credentials in DATABASE_URL (P1000).',
      'URL-encoded',
    ],
    [
      'P1012 (no DATABASE_URL)',
      ['Error: Prisma schema validation - (get-config wasm)', 'Error code: P1012', 'error: Environment variable not found: DATABASE_URL.'],
      'Prisma could not load its schema (P1012): environment variable DATABASE_URL is not set in the container.',
      'Give the container DATABASE_URL',
    ],
  ])('recognises Prisma %s in the log and says what to do', async (_code, logLines, headline, hint) => {
    const result = await migrate({ describes: [task('RUNNING'), exited(1)] }, ['Prisma schema loaded from prisma/schema.prisma', ...logLines]);

    expect(result.code).toBe(1);
    const error = errorOf(result);
    expect(error).toContain(`Migration of api failed: ${headline}`);
    expect(error).toContain(hint);
  });

  it.each([
    [{ tasks: [], failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:container-instance/shop-prod/abc', reason: 'RESOURCE:MEMORY' }] }, 'RESOURCE:MEMORY for arn:aws:ecs:', 'enough free memory'],
    [{ tasks: [], failures: [{ arn: null, reason: null, detail: null }] }, 'no reason given', 'Check the capacity of cluster shop-prod'],
    [{ tasks: [], failures: [] }, 'RunTask returned neither a task nor a failure', 'Check the capacity'],
  ])('explains a task ECS would not start (%j), never as [null]', async (runTask, message, hint) => {
    const result = await migrate({ runTask, describes: [] });

    expect(result.code).toBe(1);
    const error = errorOf(result);
    expect(error).toContain(`ECS did not start the migration task in cluster shop-prod: ${message}`);
    expect(error).toContain(hint);
    expect(error).not.toContain('null');
    expect(result.outputs.status).toBe('failed');
  });

  it('copies the capacity providers and platform version from the service, with explicit network overrides, and marks the task', async () => {
    const result = await migrate(
      {
        service: service({
          launchType: undefined,
          capacityProviderStrategy: [
            { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
            { capacityProvider: 'FARGATE', weight: 1, base: 1 },
          ],
          platformVersion: 'LATEST',
        }),
        describes: [exited(0)],
      },
      [],
      { 'security-groups': 'sg-0fedcba9876543210', 'assign-public-ip': 'true', environment: 'PRISMA_HIDE_UPDATE_MESSAGE=1' },
    );

    expect(result.code).toBe(0);
    const [run] = scripted!.requests('RunTask');
    expect(run).not.toHaveProperty('launchType');
    expect(run).toMatchObject({
      cluster: 'shop-prod',
      count: 1,
      taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/shop-api:8',
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE_SPOT', weight: 3, base: 0 },
        { capacityProvider: 'FARGATE', weight: 1, base: 1 },
      ],
      platformVersion: 'LATEST',
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0a1b2c3d4e5f60719'], securityGroups: ['sg-0fedcba9876543210'], assignPublicIp: 'ENABLED' } },
      overrides: { containerOverrides: [{ name: 'api', command: ['sh', '-c', 'cd apps/api && npx prisma migrate deploy'], environment: [{ name: 'PRISMA_HIDE_UPDATE_MESSAGE', value: '1' }] }] },
      startedBy: 'berth/migrate/4242-1',
      group: 'migrate:api',
      clientToken: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(scripted!.requests('RegisterTaskDefinition')[0]).toMatchObject({ family: 'shop-api', containerDefinitions: [{ name: 'api', image: COMMIT_IMAGE }, { name: 'log-router' }] });
    expect(result.log).toContain('Capacity providers: FARGATE_SPOT weight 3, FARGATE weight 1 base 1 (from service shop-api)');
    expect(result.log).toContain('Security groups: sg-0fedcba9876543210 (from input)');
    expect(result.log).toContain('DATABASE_URL comes from a secret');
  });

  it('warns about a pooler URL and never prints a database password', async () => {
    const definition = taskDefinition();
    const api = (definition.containerDefinitions as { environment?: unknown; secrets?: unknown }[])[0]!;
    api.secrets = [];
    api.environment = [{ name: 'DATABASE_URL', value: 'postgresql://app:s3cr3t-Pa55@shop.proxy-c0ffee123abc.us-east-1.rds.amazonaws.com:5432/shop' }];
    const result = await migrate({ taskDefinition: definition, describes: [task('RUNNING'), exited(0)] }, [
      'Datasource "db": PostgreSQL database "shop", schema "public" at "shop.proxy-c0ffee123abc.us-east-1.rds.amazonaws.com:5432"',
      'debug: connecting with postgres://app:0ther-Pa55@10.0.3.17:5432/shop?connect_timeout=10',
      'No pending migrations to apply.',
    ]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("::warning::DATABASE_URL points at RDS Proxy. Prisma's migration lock (a Postgres advisory lock) is not reliable through a connection pooler");
    expect(result.log.match(/points at RDS Proxy|which is RDS Proxy/g)).toHaveLength(1);
    expect(result.log).toContain('api | debug: connecting with postgres://app:***@10.0.3.17:5432/shop');
    for (const secret of ['s3cr3t-Pa55', '0ther-Pa55']) {
      expect(unmaskedLines(result.log, secret)).toEqual([]);
      expect(result.log).toContain(`::add-mask::${secret}`);
      expect(result.summary).not.toContain(secret);
    }
  });

  it('stops essential sidecars once a non-essential migration container has exited', async () => {
    const definition = taskDefinition();
    const containers = definition.containerDefinitions as { essential?: boolean }[];
    containers[0]!.essential = false;
    containers[1]!.essential = true;
    const stillRunning = task('RUNNING', { containers: { api: { lastStatus: 'STOPPED', exitCode: 0 } } });
    const result = await migrate({
      taskDefinition: definition,
      describes: [task('RUNNING'), stillRunning],
      afterStop: task('STOPPED', {
        stopCode: 'UserInitiated',
        stoppedReason: 'Berth: migration container "api" exited with code 0',
        containers: { api: { lastStatus: 'STOPPED', exitCode: 0 }, 'log-router': { lastStatus: 'STOPPED', exitCode: 143 } },
      }),
    });

    expect(result.code).toBe(0);
    expect(result.log).toContain('Container "api" exited with code 0; stopping the containers that are still running.');
    expect(scripted!.requests('StopTask')).toEqual([{ cluster: 'shop-prod', task: TASK_ARN, reason: 'Berth: migration container "api" exited with code 0' }]);
  });
});
