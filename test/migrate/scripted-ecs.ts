/**
 * ECS answers moto cannot give (exit codes, stop codes, stopped reasons, RunTask failures), served
 * over HTTP to the real SDK by the loopback harness and shaped like real ECS responses. CloudWatch
 * Logs calls sent to the same endpoint pass through to moto, so a script can add log lines at the
 * moment the task has stopped.
 */
import type { Container, Service, Task, TaskDefinition } from '@aws-sdk/client-ecs';
import { motoUrl } from '../../standins/moto.js';
import { jsonError, startScriptedAws, type AwsCall, type ScriptedAws, type ScriptedReply } from '../../standins/scripted-aws.js';
import { LOG_GROUP, OLD_IMAGE, putLogLines } from './fixtures.js';

const REGION = 'us-east-1';
const TASK_ID = '5f0c1c9b2a7e4d0f8a3b6c1d2e3f4a5b';
export const TASK_ARN = `arn:aws:ecs:${REGION}:123456789012:task/shop-prod/${TASK_ID}`;
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:123456789012:cluster/shop-prod`;
const FAMILY_ARN = `arn:aws:ecs:${REGION}:123456789012:task-definition/shop-api`;

type Json = Record<string, unknown>;

export function taskDefinition(overrides: Partial<TaskDefinition> = {}): Json {
  return {
    taskDefinitionArn: `${FAMILY_ARN}:7`,
    family: 'shop-api',
    revision: 7,
    status: 'ACTIVE',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    compatibilities: ['EC2', 'FARGATE'],
    cpu: '256',
    memory: '512',
    registeredAt: 1_780_000_000,
    containerDefinitions: [
      {
        name: 'api',
        image: OLD_IMAGE,
        essential: true,
        command: ['node', 'apps/api/dist/index.js'],
        environment: [{ name: 'NODE_ENV', value: 'production' }],
        secrets: [{ name: 'DATABASE_URL', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/db-AbCdEf' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': LOG_GROUP, 'awslogs-stream-prefix': 'ecs', 'awslogs-region': REGION } },
      },
      { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable', essential: false, firelensConfiguration: { type: 'fluentbit' } },
    ],
    ...overrides,
  };
}

export function service(overrides: Partial<Service> = {}): Json {
  return {
    serviceArn: `arn:aws:ecs:${REGION}:123456789012:service/shop-prod/shop-api`,
    serviceName: 'shop-api',
    clusterArn: CLUSTER_ARN,
    status: 'ACTIVE',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    taskDefinition: `${FAMILY_ARN}:7`,
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0a1b2c3d4e5f60719'], securityGroups: ['sg-0123456789abcdef0'], assignPublicIp: 'DISABLED' } },
    ...overrides,
  };
}

function container(name: string, fields: Partial<Container>): Json {
  return { containerArn: `arn:aws:ecs:${REGION}:123456789012:container/shop-prod/${TASK_ID}/${name}-0001`, taskArn: TASK_ARN, name, image: OLD_IMAGE, ...fields };
}

/** A task as DescribeTasks shows it; containers are given by name. */
export function task(lastStatus: string, fields: Omit<Partial<Task>, 'containers'> & { containers?: Record<string, Partial<Container>> } = {}): Json {
  const { containers = {}, ...rest } = fields;
  const stopped = lastStatus === 'STOPPED';
  const byName: Record<string, Partial<Container>> = { api: { lastStatus: stopped ? 'STOPPED' : lastStatus === 'RUNNING' ? 'RUNNING' : 'PENDING' }, 'log-router': { lastStatus: stopped ? 'STOPPED' : 'RUNNING' }, ...containers };
  return {
    taskArn: TASK_ARN,
    clusterArn: CLUSTER_ARN,
    taskDefinitionArn: `${FAMILY_ARN}:7`,
    lastStatus,
    desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
    launchType: 'FARGATE',
    platformVersion: '1.4.0',
    group: 'migrate:api',
    startedBy: 'berth/migrate/4242-1',
    cpu: '256',
    memory: '512',
    createdAt: 1_780_000_000,
    ...(stopped ? { stoppingAt: 1_780_000_040, stoppedAt: 1_780_000_042, executionStoppedAt: 1_780_000_041 } : {}),
    ...rest,
    containers: Object.entries(byName).map(([name, value]) => container(name, value)),
  };
}

/** The usual end: the migration container exited with `exitCode`. */
export function exited(exitCode: number, more: Omit<Partial<Task>, 'containers'> & { containers?: Record<string, Partial<Container>> } = {}): Json {
  return task('STOPPED', {
    stopCode: 'EssentialContainerExited',
    stoppedReason: 'Essential container in task exited',
    ...more,
    containers: { api: { lastStatus: 'STOPPED', exitCode }, 'log-router': { lastStatus: 'STOPPED', exitCode: 0 }, ...more.containers },
  });
}

export interface EcsScript {
  service?: Json;
  taskDefinition?: Json;
  /** Replaces RunTask's answer, e.g. `{ tasks: [], failures: [...] }`. */
  runTask?: Json;
  /** DescribeTasks answers in order; the last one repeats. */
  describes: Json[];
  /** What DescribeTasks shows once StopTask was called. */
  afterStop?: Json;
  /**
   * Lines the migration container's log gains only after the action has seen the task STOPPED,
   * as when CloudWatch delivers the last lines late. They are written (PutLogEvents to moto) once a
   * log read that follows the first STOPPED DescribeTasks comes back empty: the read that ends the
   * poll after the stop has missed them, so only the flush that follows the stopped task prints
   * them. Needs AWS_ENDPOINT_URL_CLOUDWATCH_LOGS set to the stub's url.
   */
  linesAfterStopped?: string[];
}

export interface ScriptedEcs extends ScriptedAws {
  /** Parsed request bodies of one operation, e.g. `requests('RunTask')`. */
  requests(operation: string): Json[];
  /** Whether `linesAfterStopped` were written, i.e. the action read the log after it saw STOPPED. */
  wroteLinesAfterStopped(): boolean;
}

const LOGS_TARGET = 'Logs_20140328.';

/** Passes a CloudWatch Logs call on to moto unchanged (moto does not check the signature's host). */
async function toMoto(call: AwsCall): Promise<ScriptedReply> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(call.headers)) {
    if (typeof value === 'string' && !['host', 'connection', 'content-length', 'accept-encoding'].includes(name)) headers[name] = value;
  }
  const response = await fetch(motoUrl(), { method: 'POST', headers, body: call.body });
  const errorType = response.headers.get('x-amzn-errortype');
  return {
    status: response.status,
    headers: { 'content-type': response.headers.get('content-type') ?? 'application/x-amz-json-1.1', ...(errorType ? { 'x-amzn-errortype': errorType } : {}) },
    body: await response.text(),
  };
}

export async function startScriptedEcs(script: EcsScript): Promise<ScriptedEcs> {
  let describes = 0;
  let stopped = false;
  let seenStopped = false;
  let wroteLate = false;
  const ok = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
  const describeAnswer = (answer: Json | undefined) => {
    if (answer?.lastStatus === 'STOPPED') seenStopped = true;
    return ok({ tasks: [answer], failures: [] });
  };
  const logsCall = async (call: AwsCall): Promise<ScriptedReply> => {
    const reply = await toMoto(call);
    if (script.linesAfterStopped?.length && seenStopped && !wroteLate && call.operation === `${LOGS_TARGET}GetLogEvents` && reply.status === 200) {
      const { events } = JSON.parse(reply.body) as { events?: unknown[] };
      if (!events?.length) {
        // moto has answered this read already; the lines land before the action gets the answer.
        wroteLate = true;
        await putLogLines(TASK_ARN, script.linesAfterStopped);
      }
    }
    return reply;
  };
  const aws = await startScriptedAws((call) => {
    if (call.operation.startsWith(LOGS_TARGET)) return logsCall(call);
    const request = JSON.parse(call.body || '{}') as Json;
    switch (call.operation) {
      case 'ECS.DescribeServices':
        return ok({ services: [script.service ?? service()], failures: [] });
      case 'ECS.DescribeTaskDefinition':
        return ok({ taskDefinition: script.taskDefinition ?? taskDefinition(), tags: [] });
      case 'ECS.RegisterTaskDefinition':
        return ok({ taskDefinition: { ...request, taskDefinitionArn: `${FAMILY_ARN}:8`, revision: 8, status: 'ACTIVE' }, tags: request.tags ?? [] });
      case 'ECS.RunTask':
        return ok(script.runTask ?? { tasks: [task('PROVISIONING')], failures: [] });
      case 'ECS.DescribeTasks': {
        if (stopped && script.afterStop) return describeAnswer(script.afterStop);
        return describeAnswer(script.describes[Math.min(describes++, script.describes.length - 1)]);
      }
      case 'ECS.StopTask':
        stopped = true;
        return ok({ task: { ...(script.describes.at(-1) ?? task('RUNNING')), desiredStatus: 'STOPPED', stoppedReason: request.reason } });
      default:
        return jsonError(400, 'UnknownOperationException', `not scripted: ${call.operation}`);
    }
  });
  return {
    ...aws,
    requests: (operation) => aws.calls.filter((call) => call.operation === `ECS.${operation}`).map((call) => JSON.parse(call.body) as Json),
    wroteLinesAfterStopped: () => wroteLate,
  };
}
