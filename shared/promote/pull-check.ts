/**
 * `images: pull`: before anything changes, each source repository's policy is read (with the source
 * account's credentials) and judged for the execution role of the target's task definition, which is
 * what ECS pulls with on Fargate. A repository in the target's own account needs no policy.
 */
import { GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { isAccessDenied } from '../aws/errors.js';
import { UserError } from '../errors.js';
import { evaluatePullPolicy, pullStatement, type PullPrincipal, type PullVerdict } from './pull-policy.js';
import type { Registry } from './registry.js';

export interface PullCheck {
  service: string;
  registry: Registry;
  /** The account of the source registry. */
  sourceAccount: string;
  repository: string;
  /** The target's account and execution role. */
  principal: PullPrincipal;
}

export type PullOutcome = { service: string; allowed: true; why: string } | { service: string; allowed: false; unknown: string };

interface Denial {
  check: PullCheck;
  why: string;
}

/** The outcome per service; every denial at once as one UserError. */
export async function checkPulls(checks: PullCheck[]): Promise<PullOutcome[]> {
  const policies = new Map<string, Promise<string | PullVerdict>>();
  const outcomes: PullOutcome[] = [];
  const denials: Denial[] = [];
  for (const check of checks) {
    if (check.sourceAccount === check.principal.account) {
      outcomes.push({ service: check.service, allowed: true, why: `${check.registry.host}/${check.repository} is in the target's own account ${check.sourceAccount}` });
      continue;
    }
    const key = `${check.registry.host}/${check.repository}`;
    if (!policies.has(key)) policies.set(key, readPolicy(check));
    const policy = await policies.get(key)!;
    const verdict = typeof policy === 'string' ? evaluatePullPolicy(policy, check.principal) : policy;
    if (verdict.verdict === 'allowed') outcomes.push({ service: check.service, allowed: true, why: `the policy of ${key} allows it (${verdict.by})` });
    else if (verdict.verdict === 'unknown')
      outcomes.push({ service: check.service, allowed: false, unknown: `cannot tell whether ${check.principal.roleArn ?? `account ${check.principal.account}`} may pull from ${key}: ${verdict.why}` });
    else denials.push({ check, why: verdict.why });
  }
  if (denials.length) throw denied(denials);
  return outcomes;
}

/** The policy text, or the verdict when there is no text to judge. */
async function readPolicy(check: PullCheck): Promise<string | PullVerdict> {
  const none: PullVerdict = { verdict: 'denied', why: 'the repository has no policy, so no other account may pull from it' };
  try {
    const { policyText } = await check.registry.ecr.send(new GetRepositoryPolicyCommand({ registryId: check.registry.registryId, repositoryName: check.repository }));
    return policyText ?? none;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    if (error.name === 'RepositoryPolicyNotFoundException') return none;
    if (isAccessDenied(error)) return { verdict: 'unknown', why: `ECR GetRepositoryPolicy was denied to the source role (${error.message}); allow it "ecr:GetRepositoryPolicy" on the repository to have this checked` };
    throw error;
  }
}

function denied(denials: Denial[]): UserError {
  const lines = denials.map(({ check, why }) => `  ${check.service}: ${check.principal.roleArn ?? `account ${check.principal.account}`} may not pull from ${check.registry.host}/${check.repository}: ${why}.`);
  const byRepository = new Map<string, Denial>();
  for (const denial of denials) byRepository.set(`${denial.check.repository}|${denial.check.principal.roleArn ?? denial.check.principal.account}`, denial);
  const fixes = [...byRepository.values()].map(
    ({ check }) =>
      `Add to the policy of the repository "${check.repository}" in account ${check.sourceAccount} (ECR console: Repositories > ${check.repository} > Permissions, or aws ecr set-repository-policy --repository-name ${check.repository}) the statement:\n  ${pullStatement(check.principal)}`,
  );
  return new UserError(
    `The target cannot pull ${denials.length === 1 ? 'an image' : `${denials.length} images`} from the source registry, so nothing was changed:\n${lines.join('\n')}`,
    `${fixes.join('\n')}\nThe execution role also needs ecr:GetAuthorizationToken and the three pull actions in its own IAM policy. Or set "images: copy" on the environment to copy the images into its own registry.`,
  );
}
