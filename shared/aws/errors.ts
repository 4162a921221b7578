/**
 * Classifies errors thrown by AWS SDK clients without importing the SDK. Clients made by
 * createClient() tag their errors with the service and operation, so messages can name the IAM
 * action that was refused.
 */

export interface AwsError extends Error {
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $service?: string;
  $operation?: string;
  code?: string;
}

const IAM_PREFIX: Record<string, string> = {
  ECSClient: 'ecs',
  ECRClient: 'ecr',
  STSClient: 'sts',
  CloudWatchLogsClient: 'logs',
};

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ProvisionedThroughputExceededException',
]);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError']);
const BAD_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'CredentialsProviderError']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

export function isAwsError(error: unknown): error is AwsError {
  return error instanceof Error && ('$metadata' in error || '$fault' in error || '$service' in error);
}

function isThrottling(error: unknown): boolean {
  return error instanceof Error && (THROTTLING.has(error.name) || (error as AwsError).$metadata?.httpStatusCode === 429);
}

export function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && ACCESS_DENIED.has(error.name);
}

/** Why a call may succeed when repeated (throttling, a 5xx, a network failure), or undefined. */
export function transientReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const err = error as AwsError;
  if (isThrottling(err)) return `throttled (${err.name})`;
  const status = err.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return `AWS answered HTTP ${status} (${err.name})`;
  if (err.$fault === 'server') return `AWS server error (${err.name})`;
  if (err.code && NETWORK_CODES.has(err.code)) return `network error (${err.code})`;
  if (err.name === 'TimeoutError' || err.name === 'RequestTimeout' || /socket hang up/i.test(err.message)) return `network error (${err.message})`;
  return undefined;
}

/** The IAM action a refused call needed, from the error message or from the operation it came from. */
function deniedIamAction(error: AwsError): string | undefined {
  const fromMessage = /perform:\s*([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(error.message)?.[1];
  if (fromMessage) return fromMessage;
  const prefix = error.$service ? IAM_PREFIX[error.$service] : undefined;
  const operation = error.$operation?.replace(/Command$/, '');
  return prefix && operation ? `${prefix}:${operation}` : undefined;
}

function callName(error: AwsError): string {
  const service = error.$service?.replace(/Client$/, '');
  const operation = error.$operation?.replace(/Command$/, '');
  return service && operation ? `${service} ${operation}` : 'An AWS call';
}

/** A message that says which call failed and why, and a hint on what to do about it. */
export function describeAwsError(error: AwsError): { message: string; hint: string } {
  const call = callName(error);
  if (isAccessDenied(error)) {
    const action = deniedIamAction(error);
    return {
      message: `${call} was denied: ${error.message}`,
      hint: action
        ? `Allow "${action}" in the policy of the role this workflow assumes (role-to-assume), then re-run the job.`
        : 'Grant the missing permission to the role this workflow assumes (role-to-assume), then re-run the job.',
    };
  }
  if (BAD_CREDENTIALS.has(error.name)) {
    return {
      message: `${call} was rejected because the AWS credentials are not valid: ${error.name}: ${error.message}`,
      hint: 'Set role-to-assume so the action gets fresh credentials through GitHub OIDC, or check the credentials given to the job.',
    };
  }
  const transient = transientReason(error);
  if (transient) {
    return {
      message: `${call} failed after retries: ${transient}: ${error.message}`,
      hint: 'AWS or the network had a transient problem; re-run the job. If it keeps happening, check the AWS Health Dashboard for the region.',
    };
  }
  return {
    message: `${call} failed: ${error.name}: ${error.message}`,
    hint: 'Check the named resource and the inputs of this step; the AWS request id is in the debug log.',
  };
}
