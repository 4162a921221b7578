/**
 * Region codes checked against the AWS SDK's own partition data before any call: a typo such as
 * us-est-1 would otherwise surface as a DNS failure that looks like a transient network problem.
 */
import { UserError } from '../errors.js';
import { closest } from '../suggest.js';
import { REGIONS } from './regions.generated.js';

export function isKnownRegion(region: string): boolean {
  return REGIONS.has(region);
}

/** Why `region` is not a region, with the closest real one; undefined when it is one. */
export function regionProblem(region: string): { problem: string; fix: string } | undefined {
  if (isKnownRegion(region)) return undefined;
  const codes = [...REGIONS.keys()];
  const guess = closest(region, codes);
  const sameArea = codes.filter((code) => code.split('-')[0] === region.split('-')[0]);
  return {
    problem: `"${region}", which is not an AWS region${guess ? `; did you mean "${guess}"?` : '.'}`,
    fix:
      `Use a region code such as ${guess ?? 'us-east-1'}${sameArea.length && !guess ? ` (regions starting with "${region.split('-')[0]}-": ${sameArea.join(', ')})` : ''}. ` +
      'A region AWS opened after this release of Berth is unknown to it: update Berth to use it.',
  };
}

/** Throws a UserError naming `source` (e.g. `Input "aws-region"`) when `region` is not a region. */
export function requireKnownRegion(region: string, source: string, where: string): string {
  const found = regionProblem(region);
  if (found) throw new UserError(`${source} is ${found.problem}`, `${found.fix} Set it in ${where}.`);
  return region;
}
