/**
 * Why a task stopped, in words a person can act on. ECS spreads the evidence over the task's
 * stopCode and stoppedReason and each container's exitCode and reason; this puts it together.
 */
import type { Container, Task } from '@aws-sdk/client-ecs';
import { taskIdOf } from './arn.js';

export type StopKind =
  | 'succeeded' // the judged container exited 0
  | 'exited' // the judged (or an essential) container exited non-zero
  | 'out-of-memory'
  | 'image-pull' // the image, or the registry credentials to pull it, could not be fetched
  | 'secrets'
  | 'network' // the task could not reach ECR, Secrets Manager, SSM or CloudWatch Logs while initialising
  | 'log-config' // the awslogs log stream could not be created
  | 'init-failure' // any other ResourceInitializationError
  | 'health-check'
  | 'start-failure'
  | 'stopped' // stopped from outside (a user, a deployment, a scale-in) before finishing
  | 'unknown';

/** What a stopped task says about itself: why it stopped, whether that is a failure, and what to check. */
export interface StopVerdict {
  taskId: string;
  kind: StopKind;
  failed: boolean;
  container?: string;
  exitCode?: number;
  /** The evidence as ECS gave it: stoppedReason and the container's reason. */
  reason: string;
  /** One line on what to check. */
  hint?: string;
}

/** Stops asked for from outside the task: its containers exit because they were told to (SIGTERM, then SIGKILL). */
export const STOPPED_FROM_OUTSIDE: ReadonlySet<string> = new Set(['UserInitiated', 'ServiceSchedulerInitiated', 'SpotInterruption', 'TerminationNotice']);

/** The hint for an application that exited with an error, when none of its output could be shown. */
export const EXITED_WITHOUT_LOGS_HINT =
  'The application exited with an error, and its last log lines could not be shown here (the reason is given above): ' +
  'read its output where the container logs to find out why, and give the container an awslogs log configuration if it has none.';

const HINTS: Record<Exclude<StopKind, 'succeeded' | 'unknown' | 'network' | 'init-failure'>, string> = {
  exited: 'The application exited with an error; its last log lines show why.',
  'out-of-memory': 'The container ran out of memory: raise the task or container memory, or find the leak.',
  'image-pull':
    'ECS could not pull the image: check that the tag exists in ECR, that the task execution role allows ecr:GetAuthorizationToken and ecr:BatchGetImage, and that the subnets reach ECR (NAT gateway, VPC endpoints, or a public IP).',
  secrets:
    'ECS could not fetch the secrets or parameters the task definition names: check that they exist, that the task execution role allows secretsmanager:GetSecretValue / ssm:GetParameters (and kms:Decrypt), and that the subnets reach those services.',
  'log-config':
    'ECS could not create the container\'s CloudWatch log stream: check that the log group in the container\'s "awslogs-group" option exists in its "awslogs-region" ' +
    '(create it, or set "awslogs-create-group": "true" and allow logs:CreateLogGroup on the task execution role), and that the execution role allows logs:CreateLogStream and logs:PutLogEvents.',
  'health-check': 'The container started but failed its health checks: check the health-check command or target-group path and port, and give slow starts a longer startPeriod / health-check grace period.',
  'start-failure': 'The container could not be started: check the entry point, command, user and mounts in the task definition.',
  stopped: 'The task was stopped before it finished.',
};

/** The registry-credentials case of image-pull: ECS never got as far as the image. */
const REGISTRY_AUTH_HINT =
  'ECS could not get the credentials to pull the image from ECR: check that the task execution role allows ecr:GetAuthorizationToken (on "*"), ' +
  'ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (the managed policy AmazonECSTaskExecutionRolePolicy grants all three), ' +
  'and, for a repository in another account, that its repository policy allows this account.';

const SECRETS_HINTS = {
  asm:
    'ECS could not fetch a Secrets Manager secret the task definition names: check that the secret ARN (and any ":json-key::" suffix) exists in that account and region, ' +
    'and that the task execution role allows secretsmanager:GetSecretValue on it (plus kms:Decrypt when the secret uses a customer managed KMS key).',
  ssm:
    'ECS could not fetch an SSM parameter the task definition names: check that the parameter exists under that exact name or ARN in that account and region, ' +
    'and that the task execution role allows ssm:GetParameters on it (plus kms:Decrypt for a SecureString under a customer managed KMS key).',
};

/** ECS's words for a task that cannot be initialised (secrets, registry auth, logging, network interface, volumes). */
const INIT_ERROR = /ResourceInitializationError|unable to pull secrets or registry auth/i;
/** A connection that never got through: no route out of the subnet, or a security group that blocks it. */
const UNREACHABLE = /i\/o timeout|dial tcp|context deadline exceeded|request context canceled/i;
/** The prefix ECS puts before both secrets and registry-auth failures: it says neither, so classification ignores it. */
const SHARED_PREFIX = /unable to pull secrets or registry auth:?/gi;

/** Explains a STOPPED task. `container` names the container whose exit decides; by default the essential one that failed. */
export function explainStoppedTask(task: Task, container?: string): StopVerdict {
  const taskId = taskIdOf(task.taskArn ?? '');
  const containers = task.containers ?? [];
  const judged = container ? containers.find((candidate) => candidate.name === container) : pickContainer(containers);
  const exitCode = judged?.exitCode ?? undefined;
  const reason = [task.stoppedReason, judged?.reason].filter((part) => part && part.trim()).join(' — ') || 'ECS gave no reason';
  const evidence = `${task.stoppedReason ?? ''} ${containers.map((candidate) => candidate.reason ?? '').join(' ')}`;
  const result = (kind: StopKind, failed = true): StopVerdict => ({
    taskId,
    kind,
    failed,
    container: judged?.name,
    exitCode,
    reason,
    hint: hintFor(kind, evidence, task.taskArn),
  });

  if (container && exitCode === 0) return result('succeeded', false);
  const initError = INIT_ERROR.test(evidence);
  const pullError = /CannotPullContainerError|pull image manifest|failed to resolve ref/i.test(evidence);
  if ((initError || pullError) && UNREACHABLE.test(evidence)) return result('network');
  if (pullError) return result('image-pull');
  if (initError) return result(initialisationKind(evidence));
  if (/unable to retrieve secret|AccessDeniedException.*(secretsmanager|ssm)/i.test(evidence)) return result('secrets');
  if (/OutOfMemory/i.test(evidence) || (exitCode === 137 && /memory/i.test(evidence))) return result('out-of-memory');
  if (/health ?check/i.test(evidence)) return result('health-check');
  if (/CannotStartContainerError|CannotCreateContainerError|CannotInspectContainerError/i.test(evidence) || (task.stopCode === 'TaskFailedToStart' && exitCode === undefined)) {
    return result('start-failure');
  }
  if (exitCode !== undefined && exitCode !== 0) return result('exited');
  if (exitCode === 0) return result('succeeded', false);
  if (STOPPED_FROM_OUTSIDE.has(task.stopCode ?? '')) return result('stopped');
  return result('unknown');
}

/** Which part of initialising the task failed, from the specific tail of the reason (never the prefix secrets and registry auth share). */
function initialisationKind(evidence: string): StopKind {
  const tail = evidence.replace(SHARED_PREFIX, ' ');
  if (/logger args|log group|log stream|cloudwatch ?logs?\b/i.test(tail)) return 'log-config';
  if (/ecr registry auth|registry auth.*\becr\b|authorization ?token/i.test(tail)) return 'image-pull';
  if (/\b(asm|ssm|secrets ?manager|secretsmanager|parameter store)\b|\bsecrets?\b|ssm parameters?/i.test(tail)) return 'secrets';
  return 'init-failure';
}

function hintFor(kind: StopKind, evidence: string, taskArn: string | undefined): string | undefined {
  switch (kind) {
    case 'succeeded':
    case 'unknown':
      return undefined;
    case 'network':
      return networkHint(evidence, taskArn);
    case 'init-failure':
      return initFailureHint(evidence);
    case 'image-pull':
      return INIT_ERROR.test(evidence) ? REGISTRY_AUTH_HINT : HINTS[kind];
    case 'secrets': {
      const tail = evidence.replace(SHARED_PREFIX, ' ');
      const asm = /\basm\b|secrets ?manager|secretsmanager/i.test(tail);
      const ssm = /\bssm\b|parameter store/i.test(tail);
      return asm && !ssm ? SECRETS_HINTS.asm : ssm && !asm ? SECRETS_HINTS.ssm : HINTS.secrets;
    }
    default:
      return HINTS[kind];
  }
}

/** The task timed out reaching an AWS service before its container started: name the service and the ways a subnet reaches it. */
function networkHint(evidence: string, taskArn: string | undefined): string {
  const region = /^arn:aws[\w-]*:ecs:([a-z0-9-]+):/.exec(taskArn ?? '')?.[1] ?? '<region>';
  const tail = evidence.replace(SHARED_PREFIX, ' ');
  const services: { name: string; endpoints: string[] }[] = [];
  if (/\becr\b|registry auth|authorization ?token|CannotPullContainerError|pull image manifest/i.test(tail)) {
    services.push({ name: 'ECR', endpoints: ['ecr.api', 'ecr.dkr', 's3 (a gateway endpoint, for the image layers)'] });
  }
  if (/\basm\b|secrets ?manager|secretsmanager/i.test(tail)) services.push({ name: 'Secrets Manager', endpoints: ['secretsmanager'] });
  if (/\bssm\b/i.test(tail)) services.push({ name: 'SSM Parameter Store', endpoints: ['ssm'] });
  if (/logger args|log group|log stream|cloudwatch|\blogs\./i.test(tail)) services.push({ name: 'CloudWatch Logs', endpoints: ['logs'] });
  const what = services.length ? services.map((service) => service.name).join(' and ') : 'the AWS services it needs to start (ECR, Secrets Manager, SSM, CloudWatch Logs)';
  const endpoints = (services.length ? services.flatMap((service) => service.endpoints) : ['ecr.api', 'ecr.dkr', 's3', 'secretsmanager', 'ssm', 'logs']).map((endpoint) => `com.amazonaws.${region}.${endpoint}`);
  return (
    `The task timed out connecting to ${what} before its container started, so its subnets have no way out to it: ` +
    `in a private subnet, route 0.0.0.0/0 to a NAT gateway or add VPC endpoints (${endpoints.join(', ')}) whose security group allows HTTPS (443) from the task; ` +
    "in a public subnet, run the task with assignPublicIp ENABLED. Also check that the task's security group and the subnet's network ACL allow outbound 443."
  );
}

/** Any other ResourceInitializationError: quote ECS's words, since they name the resource. */
function initFailureHint(evidence: string): string {
  const match = /ResourceInitializationError:?\s*([^\n]*)/i.exec(evidence);
  const words = (match?.[1] ?? evidence).trim();
  const quoted = words.length > 240 ? `${words.slice(0, 239)}…` : words;
  return (
    `The task could not be initialised (ECS: "${quoted}"), so its container never started and there are no application logs. ` +
    'Check the resource that message names: for "failed to configure ENI", the subnets (free IP addresses) and security groups in the network configuration; ' +
    'for EFS volumes, the mount targets and port 2049 in their security group; for environment files, that the S3 objects exist and the task execution role allows s3:GetObject.'
  );
}

/** The container that explains the stop: a non-zero exit first, then one with a reason, then the first. */
function pickContainer(containers: Container[]): Container | undefined {
  return containers.find((container) => container.exitCode !== undefined && container.exitCode !== null && container.exitCode !== 0) ?? containers.find((container) => container.reason) ?? containers[0];
}

/** One line for a log: `task 1a2b (api): exited with code 1 — Essential container in task exited`. */
export function describeStoppedTask(stopped: StopVerdict): string {
  const who = stopped.container ? `task ${stopped.taskId} (${stopped.container})` : `task ${stopped.taskId}`;
  const code = stopped.exitCode !== undefined ? `exit code ${stopped.exitCode}` : 'no exit code';
  return `${who}: ${stopped.kind}, ${code} — ${stopped.reason}`;
}
