/**
 * Whether an ECR repository policy lets another account's task execution role pull its images.
 * ECS on Fargate pulls with the execution role; across accounts both the role's own policy and the
 * repository policy must allow it, and only the second can be read from the build account. What
 * cannot be judged from the text (other condition keys, NotPrincipal, NotAction) is said, not guessed.
 */

/** What ECS calls to pull an image. */
const PULL_ACTIONS = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] as const;

export interface PullPrincipal {
  account: string;
  /** The task execution role, when known. */
  roleArn?: string;
  /** The AWS Organizations id of the account, when known (for aws:PrincipalOrgID conditions). */
  orgId?: string;
}

export type PullVerdict = { verdict: 'allowed'; by: string } | { verdict: 'denied'; why: string } | { verdict: 'unknown'; why: string };

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM's wildcards: * any run of characters, ? one; case-insensitive as action names are. */
function wildcard(pattern: string, value: string, caseInsensitive = true): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    caseInsensitive ? 'i' : '',
  );
  return regex.test(value);
}

function principalMatches(principal: unknown, who: PullPrincipal): boolean {
  if (principal === '*') return true;
  const aws = list((principal as { AWS?: string | string[] } | undefined)?.AWS);
  return aws.some((entry) => entry === '*' || entry === who.account || new RegExp(`^arn:aws[a-z-]*:iam::${who.account}:root$`).test(entry) || (who.roleArn !== undefined && entry === who.roleArn));
}

/** True, false, or undefined when a condition uses a key this check cannot know. */
function conditionsHold(conditions: Statement['Condition'], who: PullPrincipal): boolean | undefined {
  for (const [operator, keys] of Object.entries(conditions ?? {})) {
    for (const [key, expected] of Object.entries(keys)) {
      const known: Record<string, string | undefined> = { 'aws:principalaccount': who.account, 'aws:principalarn': who.roleArn, 'aws:principalorgid': who.orgId };
      const actual = known[key.toLowerCase()];
      if (actual === undefined || !/^(StringEquals|StringLike|ArnEquals|ArnLike)$/.test(operator)) return undefined;
      const like = operator.endsWith('Like');
      if (!list(expected).some((value) => (like ? wildcard(value, actual, false) : value === actual))) return false;
    }
  }
  return true;
}

export function evaluatePullPolicy(policyText: string, who: PullPrincipal): PullVerdict {
  let policy: { Statement?: Statement | Statement[] };
  try {
    policy = JSON.parse(policyText) as typeof policy;
  } catch {
    return { verdict: 'unknown', why: 'the repository policy is not valid JSON' };
  }
  const statements = list(policy.Statement);
  const unknowns: string[] = [];
  const allowedBy = new Map<string, string>();
  for (const [index, statement] of statements.entries()) {
    const name = statement.Sid ? `statement "${statement.Sid}"` : `statement ${index + 1}`;
    if (statement.NotPrincipal !== undefined || statement.NotAction !== undefined) {
      unknowns.push(`${name} uses NotPrincipal or NotAction`);
      continue;
    }
    if (!principalMatches(statement.Principal, who)) continue;
    const actions = PULL_ACTIONS.filter((action) => list(statement.Action).some((pattern) => wildcard(pattern, action)));
    if (!actions.length) continue;
    const holds = conditionsHold(statement.Condition, who);
    if (holds === undefined) {
      unknowns.push(`${name} has a condition on keys other than aws:PrincipalAccount, aws:PrincipalArn and aws:PrincipalOrgID`);
      continue;
    }
    if (!holds) continue;
    if (statement.Effect === 'Deny') return { verdict: 'denied', why: `${name} denies ${actions.join(', ')} to ${who.roleArn ?? `account ${who.account}`}` };
    if (statement.Effect === 'Allow') for (const action of actions) if (!allowedBy.has(action)) allowedBy.set(action, name);
  }
  const missing = PULL_ACTIONS.filter((action) => !allowedBy.has(action));
  if (missing.length === 0) return { verdict: 'allowed', by: [...new Set(allowedBy.values())].join(', ') };
  if (unknowns.length) return { verdict: 'unknown', why: `no statement surely allows ${missing.join(', ')}, and ${unknowns.join('; ')}` };
  return { verdict: 'denied', why: `no statement allows ${missing.join(', ')} to ${who.roleArn ?? `account ${who.account}`}` };
}

/** The statement to add to the repository policy, for the error message and the README. */
export function pullStatement(who: PullPrincipal): string {
  return JSON.stringify({
    Sid: 'BerthPull',
    Effect: 'Allow',
    Principal: { AWS: who.roleArn ?? `arn:aws:iam::${who.account}:root` },
    Action: [...PULL_ACTIONS],
  });
}
