/** The AWS inputs every action that talks to AWS shares. */
import * as input from '../inputs.js';
import { UserError } from '../errors.js';
import { githubContext } from '../github.js';
import { requireKnownRegion } from './regions.js';

export interface AwsInputs {
  region?: string;
  roleToAssume?: string;
  roleSessionName: string;
  roleDurationSeconds: number;
  audience: string;
  allowedAccountIds: string[];
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** STS's rule for RoleSessionName. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const SESSION_NAME_FORM = 'an STS session name: 2 to 64 characters from letters, digits and _ + = , . @ -';

export function readAwsInputs(): AwsInputs {
  const region = input.optional('aws-region');
  if (region !== undefined) requireKnownRegion(region, 'Input "aws-region"', 'the step\'s "with:" block');
  const roleToAssume = input.optional('role-to-assume');
  if (roleToAssume !== undefined && !ROLE_ARN.test(roleToAssume)) {
    throw new UserError(`Input "role-to-assume" is "${roleToAssume}", which is not an IAM role ARN.`, 'Use the full ARN, for example arn:aws:iam::123456789012:role/github-actions-deployer.');
  }
  const allowedAccountIds = input.list('allowed-account-ids');
  const badAccount = allowedAccountIds.find((id) => !/^\d{12}$/.test(id));
  if (badAccount !== undefined) {
    throw new UserError(`Input "allowed-account-ids" contains "${badAccount}", which is not a 12-digit AWS account id.`, 'List account ids separated by commas or newlines.');
  }
  const roleSessionName = input.matching('role-session-name', SESSION_NAME, SESSION_NAME_FORM);
  return {
    region,
    roleToAssume,
    roleSessionName: roleSessionName ?? defaultSessionName(),
    roleDurationSeconds: input.integer('role-duration-seconds', 3600, { min: 900, max: 43200 }),
    audience: input.optional('audience') ?? 'sts.amazonaws.com',
    allowedAccountIds,
  };
}

/** STS allows 2 to 64 characters from [A-Za-z0-9_+=,.@-]. */
function sanitizeSessionName(name: string): string {
  const cleaned = name
    .replace(/[^\w+=,.@-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, 64)
    .replace(/-+$/, '');
  return cleaned.length >= 2 ? cleaned : 'GitHubActions';
}

function defaultSessionName(): string {
  const { repository, runId, runAttempt } = githubContext();
  const suffix = [runId, runAttempt !== '1' ? runAttempt : '']
    .filter(Boolean)
    .map((part) => `-${part}`)
    .join('');
  const prefix = 'GitHubActions-';
  const repo = repository.replace('/', '@').slice(0, 64 - prefix.length - suffix.length);
  return sanitizeSessionName(`${prefix}${repo}${suffix}`);
}
