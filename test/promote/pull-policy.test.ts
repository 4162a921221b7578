/** Reading an ECR repository policy for a cross-account pull, as ECS would be judged by it. */
import { describe, expect, it } from '@jest/globals';
import { evaluatePullPolicy, pullStatement } from '../../shared/promote/pull-policy.js';

const ROLE = 'arn:aws:iam::222222222222:role/ecsTaskExecutionRole';
const who = { account: '222222222222', roleArn: ROLE, orgId: 'o-abc123' };
const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];

describe('a repository policy for a pull from another account', () => {
  it.each([
    ['the execution role by ARN', { Effect: 'Allow', Principal: { AWS: ROLE }, Action: PULL }],
    ['the whole account', { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: PULL }],
    ['the account id alone, with ecr:*', { Effect: 'Allow', Principal: { AWS: ['111111111111', '222222222222'] }, Action: 'ecr:*' }],
    ['everyone in the organization', { Effect: 'Allow', Principal: '*', Action: ['ecr:Batch*', 'ecr:GetDownloadUrlForLayer'], Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } }],
    ['roles matched by ARN pattern', { Effect: 'Allow', Principal: { AWS: '*' }, Action: PULL, Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::222222222222:role/ecs*' } } }],
  ])('allows %s', (_, statement) => {
    expect(evaluatePullPolicy(policy(statement), who)).toMatchObject({ verdict: 'allowed' });
  });

  it.each([
    ['another account', policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: PULL }), 'no statement allows ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability'],
    ['push actions only', policy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: ['ecr:PutImage', 'ecr:BatchGetImage'] }), 'no statement allows ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability'],
    ['another organization', policy({ Effect: 'Allow', Principal: '*', Action: PULL, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-other' } } }), 'no statement allows'],
    ['an explicit deny', policy({ Effect: 'Allow', Principal: '*', Action: 'ecr:*' }, { Sid: 'NoProd', Effect: 'Deny', Principal: { AWS: ROLE }, Action: 'ecr:BatchGetImage' }), 'statement "NoProd" denies ecr:BatchGetImage'],
  ])('denies %s, saying which actions are missing', (_, text, why) => {
    const verdict = evaluatePullPolicy(text, who);
    expect(verdict.verdict).toBe('denied');
    expect((verdict as { why: string }).why).toContain(why);
  });

  it('says when it cannot tell instead of guessing', () => {
    expect(evaluatePullPolicy(policy({ Effect: 'Allow', Principal: '*', Action: PULL, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), who)).toEqual({
      verdict: 'unknown',
      why: 'no statement surely allows ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability, and statement 1 has a condition on keys other than aws:PrincipalAccount, aws:PrincipalArn and aws:PrincipalOrgID',
    });
    expect(evaluatePullPolicy('{not json', who)).toEqual({ verdict: 'unknown', why: 'the repository policy is not valid JSON' });
  });

  it('gives the statement to add', () => {
    expect(JSON.parse(pullStatement(who))).toEqual({ Sid: 'BerthPull', Effect: 'Allow', Principal: { AWS: ROLE }, Action: PULL });
    expect(evaluatePullPolicy(policy(JSON.parse(pullStatement(who))), who)).toEqual({ verdict: 'allowed', by: 'statement "BerthPull"' });
  });
});
