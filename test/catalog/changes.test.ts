/**
 * Bad-input catalog of the changes action: every row is run through the built dist as a runner
 * runs it, on a real repository whose head commit holds the row's files, and must be refused (exit
 * code 1) with a message naming the input, file or line and the fix, before any AWS call that
 * changes anything reaches the recording proxy in front of moto.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { awsTestEnv, motoUrl } from '../../standins/moto.js';
import { runAction } from '../../standins/run-action.js';
import { TestRepo } from '../../standins/git-repo.js';
import { SHOP_MANIFEST, shopFiles } from '../changes/shop.js';
import { expectRefused, failureText, startAwsRecorder, type AwsRecorder, type CatalogCase } from './catalog.js';

interface Row extends CatalogCase {
  /** Fragments the failure must not contain (the content of a file that is not a manifest, a wrong input name). */
  never?: string[];
}

const FILE = '.github/services.yml';
const manifest = (text: string) => ({ [FILE]: text });
const edit = (from: string, to: string) => manifest(SHOP_MANIFEST.replace(from, to));
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((line) => line.includes(needle)) + 1;
const FIX = `Fix ${FILE} and push again`;

const webPaths = (paths: string) => SHOP_MANIFEST.replace('paths: [apps/web/**]', `paths: ${paths}`);
const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`), 'services: { api: { paths: [*h] } }'].join('\n');
const huge = `cluster: shop-prod\nservices:\n${Array.from({ length: 30000 }, (_, i) => `  s${i}:\n    paths: [apps/s${i}/**]\n`).join('')}`;

const CASES: Row[] = [
  // The manifest file itself
  { name: 'manifest that is not valid YAML', inputs: {}, files: manifest('cluster: shop-prod\nservices:\n  api:\n    paths: [apps/api/**\n'), says: [/\.github\/services\.yml:\d+:\d+: YAML error/, FIX] },
  { name: 'manifest that is a list, not a mapping', inputs: {}, files: manifest('- api\n- web\n'), says: [`${FILE}:1:1: The manifest should be a mapping of keys to values, not a list.`, FIX] },
  { name: 'empty manifest', inputs: {}, files: manifest(''), says: [`${FILE}:1:1: The manifest should be a mapping of keys to values, not empty.`, FIX] },
  {
    name: 'manifest larger than any manifest can be',
    inputs: {},
    files: manifest(huge),
    says: [/The services manifest \.github\/services\.yml is 1\.\d MiB; a manifest is at most 1 MiB/, '"manifest" input names the services manifest'],
  },
  { name: 'manifest whose aliases expand without bound', inputs: {}, files: manifest(laughs), says: [`${FILE}:1:1: YAML error: Excessive alias count`, 'a manifest needs no aliases', FIX] },
  // Keys and types
  {
    name: 'unknown top-level key (a typo of services)',
    inputs: {},
    files: manifest(SHOP_MANIFEST.replace('services:', 'servces:')),
    says: [`${FILE}:${lineOf(SHOP_MANIFEST, 'services:')}:1: Unknown key "servces" at the top level. Did you mean "services"?`, FIX],
  },
  {
    name: 'unknown key in a service',
    inputs: {},
    files: edit('repository: shop-web', 'repositry: shop-web'),
    says: [`${FILE}:${lineOf(SHOP_MANIFEST, 'repository: shop-web')}:5: Unknown key "repositry" in services.web. Did you mean "repository"?`, FIX],
  },
  {
    name: 'paths given as a string instead of a list',
    inputs: {},
    files: edit('paths: [apps/web/**]', 'paths: apps/web/**'),
    says: [`${FILE}:${lineOf(SHOP_MANIFEST, 'paths: [apps/web/**]')}:12: services.web.paths should be a list, not "apps/web/**".`, FIX],
  },
  { name: 'build args given as a list', inputs: {}, files: edit('args: { NODE_VERSION: 20 }', 'args: [NODE_VERSION=20]'), says: ['services.api.build.args should be a mapping of keys to values, not a list.', FIX] },
  { name: 'lockfiles setting misspelled', inputs: {}, files: manifest(`lockfiles: precice\n${SHOP_MANIFEST}`), says: [`${FILE}:1:12: lockfiles is "precice", which is not precise or paths.`, FIX] },
  { name: 'region in the manifest that is not a region code', inputs: {}, files: edit('region: us-east-1', 'region: Virginia'), says: [`${FILE}:1:9: region is "Virginia", which is not an AWS region code`, FIX] },
  // Duplicates
  {
    name: 'service defined twice',
    inputs: {},
    files: manifest(`${SHOP_MANIFEST}  web:\n    paths: [apps/web2/**]\n`),
    says: [`Service "web" is defined twice (first on line ${lineOf(SHOP_MANIFEST, '  web:')}): each service needs its own name.`, FIX],
  },
  {
    name: 'key given twice in a service',
    inputs: {},
    files: edit('    repository: shop-web\n', '    repository: shop-web\n    repository: shop-web2\n'),
    says: [`Key "repository" appears twice in services.web (first on line ${lineOf(SHOP_MANIFEST, 'repository: shop-web')}); keep one.`, FIX],
  },
  {
    name: 'two services pushing to one ECR repository',
    inputs: {},
    files: edit('repository: shop-web', 'repository: shop-api'),
    says: ['Service "web" pushes to the same ECR repository "shop-api"', 'give each service its own', FIX],
  },
  // Service names
  {
    name: 'service name with shell metacharacters',
    inputs: {},
    files: manifest(`${SHOP_MANIFEST}  "api; rm -rf /":\n    paths: [apps/api/**]\n`),
    says: ['"api; rm -rf /" in services is not allowed: use a service name of lowercase letters, digits, - and _', FIX],
  },
  { name: 'service name with a newline', inputs: {}, files: manifest(`${SHOP_MANIFEST}  "api\\nweb":\n    paths: [apps/api/**]\n`), says: ['"api\\nweb" in services is not allowed: use a service name of lowercase letters', FIX] },
  { name: 'service name with non-ASCII letters', inputs: {}, files: manifest(`${SHOP_MANIFEST}  ápi:\n    paths: [apps/api/**]\n`), says: ['"ápi" in services is not allowed: use a service name of lowercase letters', FIX] },
  {
    name: "service named like one of the action's outputs",
    inputs: {},
    files: manifest(`${SHOP_MANIFEST}  matrix:\n    paths: [apps/web/**]\n    repository: shop-matrix\n`),
    says: [`${FILE}:${lineOf(`${SHOP_MANIFEST}  matrix:`, '  matrix:')}:3: services.matrix: the service has the name of one of the changes action's own outputs`, 'Rename the service.'],
  },
  // Globs and packages
  {
    name: 'glob with an unbalanced [',
    inputs: {},
    files: manifest(webPaths('["apps/[web/**"]')),
    says: [`${FILE}:${lineOf(SHOP_MANIFEST, 'paths: [apps/web/**]')}:13: services.web.paths[0] is "apps/[web/**", which is not a valid glob: its "[" is never closed.`, 'write "\\[" to match the character "[" itself'],
  },
  {
    name: 'glob with an unbalanced { under always',
    inputs: {},
    files: edit('always: [package-lock.json,', 'always: ["docker/{base,api.Dockerfile", package-lock.json,'),
    says: [`${FILE}:3:10: always[0] is "docker/{base,api.Dockerfile", which is not a valid glob: its "{" is never closed.`, 'Close it with "}"'],
  },
  {
    name: 'dependsOn naming a package that does not exist',
    inputs: {},
    files: edit('dependsOn: ["@shop/types"]', 'dependsOn: ["@shop/typs"]'),
    says: [`services.worker.dependsOn names "@shop/typs", which is not a workspace package. Did you mean "@shop/types"?`, `Fix ${FILE} and push again.`],
  },
  // Where the manifest is
  {
    name: 'manifest path leaving the repository (../../etc/passwd)',
    inputs: { manifest: '../../etc/passwd' },
    says: ['Input "manifest" is "../../etc/passwd", which is outside the repository', 'Set input "manifest" to the manifest\'s path inside the repository'],
    never: ['root:', '/bin/'],
  },
  { name: 'manifest given as an absolute path elsewhere', inputs: { manifest: '/etc/passwd' }, says: ['Input "manifest" is "/etc/passwd", which is outside the repository', 'Set input "manifest"'], never: ['root:', '/bin/'] },
  {
    name: 'manifest path that is not in the head commit',
    inputs: { manifest: 'deploy/services.yml' },
    says: [/Input "manifest" is "deploy\/services\.yml", but in the head commit [0-9a-f]{7} there is no file deploy\/services\.yml\./, 'set input "manifest" to the path of the services manifest'],
  },
  { name: 'manifest path naming a directory', inputs: { manifest: 'apps' }, says: ['apps is a directory, not the manifest file.', 'set input "manifest"'] },
  {
    name: 'working-directory that does not exist',
    inputs: { 'working-directory': 'no/such/checkout' },
    says: ['Input "working-directory" is "no/such/checkout", but', 'does not exist.', 'Set "working-directory" to the directory the repository is checked out in'],
    never: ['"manifest"'],
  },
  // Revisions and modes
  { name: 'base that git would read as an option', inputs: { base: '--output=/tmp/x' }, says: ['Input "base" is "--output=/tmp/x", which is not a git revision.', 'Set "base" to a branch, tag or commit id'] },
  {
    name: 'base that does not exist (a typo)',
    inputs: { base: 'relese/1.2' },
    says: ['Input "base" is "relese/1.2", which is not a branch, tag or commit of this repository.', 'Set input "base" to a branch, tag or commit id that exists'],
  },
  { name: 'head that does not exist', inputs: { head: 'no-such-ref' }, says: ['Input "head" is "no-such-ref", which is not a commit in this repository.', 'Set input "head" to a branch, tag or commit id that exists'] },
  { name: 'head with a space', inputs: { head: 'main branch' }, says: ['Input "head" is "main branch", which is not a git revision.', 'Set "head" to a branch, tag or commit id'] },
  { name: 'since misspelled', inputs: { since: 'last-deploy' }, says: ['Input "since" is "last-deploy", which is not one of: event, last-deployed.', 'Set "since"'] },
  {
    name: 'services input naming a service that is not in the manifest',
    inputs: { services: 'web, wrker' },
    says: [`Input "services" names "wrker", which is not a service in ${FILE}. Did you mean "worker"?`, 'Services in the manifest: api, web, worker.'],
  },
  // AWS inputs (since: last-deployed)
  {
    name: 'role-to-assume that is not a role ARN',
    inputs: { since: 'last-deployed', 'role-to-assume': 'github-actions-deployer' },
    says: ['Input "role-to-assume" is "github-actions-deployer", which is not an IAM role ARN.', 'arn:aws:iam::123456789012:role/'],
  },
  { name: 'aws-region that is not a region', inputs: { since: 'last-deployed', 'aws-region': 'us-east-one' }, says: ['"aws-region"', '"us-east-one"', /us-east-1/] },
  {
    name: 'allowed-account-ids with an id that is not 12 digits',
    inputs: { since: 'last-deployed', 'allowed-account-ids': '123456789012, 1234' },
    says: ['Input "allowed-account-ids" contains "1234", which is not a 12-digit AWS account id.', 'List account ids separated by commas or newlines.'],
  },
  {
    name: 'role-duration-seconds out of range',
    inputs: { since: 'last-deployed', 'role-duration-seconds': '60' },
    says: ['Input "role-duration-seconds" is "60", which is not a whole number from 900 to 43200.', 'Set "role-duration-seconds"'],
  },
  // Manifest environments and the plan
  {
    name: 'manifest-environment in a manifest without environments',
    inputs: { 'manifest-environment': 'production' },
    says: ['Input "manifest-environment" is "production", but .github/services.yml has no "environments" section.', 'Add one to .github/services.yml'],
  },
  {
    name: 'manifest-environment that is not in the manifest',
    inputs: { since: 'last-deployed', 'manifest-environment': 'prodution' },
    files: manifest(`${SHOP_MANIFEST}environments:\n  staging: {}\n  production: {}\n`),
    says: ['Input "manifest-environment" is "prodution", which is not an environment of .github/services.yml. Did you mean "production"?', 'Environments in the manifest: staging, production.'],
  },
  { name: 'plan-environments without plan', inputs: { 'plan-environments': 'staging' }, says: ['Input "plan-environments" is set, but "plan" is false.', 'Set "plan: true"'] },
  { name: 'comment without plan', inputs: { comment: 'true' }, says: ['Input "comment" is true, but "plan" is false', 'Set "plan: true", or remove "comment".'] },
  { name: 'comment with an empty token', inputs: { plan: 'true', comment: 'true', 'github-token': '' }, says: ['Input "comment" is true, but "github-token" is empty', 'pull-requests: write'] },
  { name: 'plan not a boolean', inputs: { plan: 'yes please' }, says: ['"plan"', '"yes please"'] },
  {
    name: 'plan-environments naming an environment the manifest lacks',
    inputs: { plan: 'true', 'plan-environments': 'staging' },
    says: ['Input "plan-environments" is "staging", but .github/services.yml has no "environments" section.', 'Add one to .github/services.yml'],
  },
  {
    name: 'plan-task-definitions line without a service',
    inputs: { plan: 'true', 'plan-task-definitions': 'deploy/api.json' },
    says: ['Input "plan-task-definitions" has the line "deploy/api.json", which is not <service>=<task definition>.', 'api=apps/api/task-definition.json'],
  },
  {
    name: 'plan-task-definitions naming a service the manifest lacks',
    inputs: { plan: 'true', 'plan-task-definitions': 'api=deploy/api.json\nwrker=deploy/worker.json' },
    says: ['Input "plan-task-definitions" names "wrker", which is not a service in .github/services.yml. Did you mean "worker"?', 'Services in the manifest: api, web, worker.'],
  },
  {
    name: 'plan-variables line that is not NAME=value',
    inputs: { plan: 'true', 'plan-variables': 'LOG LEVEL=debug' },
    says: ['Input "plan-variables" has the line "LOG LEVEL=debug", which is not NAME=value.', 'Write one NAME=value per line'],
  },
];

describe('changes: bad-input catalog', () => {
  let recorder: AwsRecorder;
  const repos: TestRepo[] = [];
  beforeAll(async () => {
    recorder = await startAwsRecorder(motoUrl());
  });
  afterAll(() => recorder.close());
  afterEach(() => repos.splice(0).forEach((repo) => repo.remove()));

  it('has the rows the convention asks for', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
    expect(new Set(CASES.map((row) => row.name)).size).toBe(CASES.length);
  });

  it.each(CASES)('$name', async (row) => {
    const repo = TestRepo.create();
    repos.push(repo);
    const before = repo.commit('Shop', shopFiles());
    const head = repo.commit('Change', row.files ?? {});
    const run = await runAction('changes', {
      cwd: repo.dir,
      eventName: 'push',
      event: { before, after: head, forced: false, ref: 'refs/heads/main', repository: { default_branch: 'main' } },
      env: { ...awsTestEnv(), AWS_ENDPOINT_URL: recorder.url, GITHUB_SHA: head, ...row.env },
      inputs: row.inputs,
    });
    expectRefused(run, row.says);
    for (const fragment of row.never ?? []) expect(failureText(run)).not.toContain(fragment);
    expect(recorder.mutating()).toEqual([]);
  });
});
