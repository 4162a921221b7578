import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseManifest, loadManifest, findService, ManifestError } from '../../shared/manifest/load.js';
import { UserError } from '../../shared/errors.js';
import { REPO_ROOT } from '../../standins/run-action.js';

const FILE = '.github/services.yml';

const VALID = `
region: ap-southeast-5
role: arn:aws:iam::123456789012:role/github-actions-deployer
cluster: cashsouk-prod
always: [pnpm-lock.yaml, .github/services.yml]
services:
  api:
    paths: [apps/api/**, "!apps/api/**/*.md"]
    dependsOn: ["@cashsouk/types"]
    build: { context: ., dockerfile: docker/api.Dockerfile, args: { NODE_VERSION: 20 } }
    repository: cashsouk-api
    ecs: { service: cashsouk-api, container: api }
    migrate: { command: ["sh", "-c", "cd apps/api && npx prisma migrate deploy"] }
    health: https://api.example.com/healthz
  landing:
    paths: [apps/landing/**]
    migrate: { command: "npx prisma migrate deploy" }
`;

async function problemsOf(text: string) {
  try {
    await parseManifest(text, FILE);
  } catch (error) {
    if (error instanceof ManifestError) return error.problems.map((p) => `${p.line}:${p.column} ${p.message}`);
    throw error;
  }
  throw new Error('expected the manifest to be rejected');
}

describe('services manifest', () => {
  it('fills in every default', async () => {
    const manifest = await parseManifest(VALID, FILE);
    expect(manifest.region).toBe('ap-southeast-5');
    expect(manifest.always).toEqual(['pnpm-lock.yaml', '.github/services.yml']);
    expect(manifest.services.map((s) => s.name)).toEqual(['api', 'landing']);
    const [api, landing] = manifest.services;
    expect(api).toMatchObject({
      build: { context: '.', dockerfile: 'docker/api.Dockerfile', args: { NODE_VERSION: '20' }, platforms: [] },
      ecs: { cluster: 'cashsouk-prod', service: 'cashsouk-api', container: 'api' },
      migrate: { command: ['sh', '-c', 'cd apps/api && npx prisma migrate deploy'], container: 'api' },
    });
    expect(landing).toMatchObject({
      repository: 'landing',
      build: { context: '.', dockerfile: 'Dockerfile' },
      ecs: { cluster: 'cashsouk-prod', service: 'landing', container: 'landing' },
      migrate: { command: ['sh', '-c', 'npx prisma migrate deploy'] },
    });
  });

  it('names the line, the unknown key and the key that was probably meant', async () => {
    const problems = await problemsOf(VALID.replace('dockerfile: docker/api.Dockerfile', 'dockerFile: docker/api.Dockerfile'));
    expect(problems).toEqual(['10:26 Unknown key "dockerFile" in services.api.build. Did you mean "dockerfile"? Allowed keys: context, dockerfile, args, target, platforms.']);
  });

  it('reports every problem at once, each with what is allowed', async () => {
    const text = `
region: Asia
cluster: prod
services:
  API:
    paths: [a/**]
  web:
    paths: apps/web/**
    repository: Web_App
    health: ftp://x
  worker: {}
`;
    expect(await problemsOf(text)).toEqual([
      '2:9 region is "Asia", which is not an AWS region code such as us-east-1 or ap-southeast-5.',
      '5:3 "API" in services is not allowed: use a service name of lowercase letters, digits, - and _ (at most 63 characters), since it becomes a job and output name.',
      '8:12 services.web.paths should be a list, not "apps/web/**".',
      '9:17 services.web.repository is "Web_App", which is not an ECR repository name: lowercase letters, digits and . _ - / separators, such as shop-api.',
      '10:13 services.web.health is "ftp://x", which is not an http:// or https:// URL.',
      '11:3 services.worker is missing "paths".',
    ]);
  });

  it('catches duplicate service names and YAML syntax errors with their lines', async () => {
    expect(await problemsOf('services:\n  api:\n    paths: [a]\n  api:\n    paths: [b]\n')).toEqual(['4:3 Service "api" is defined twice (first on line 2): each service needs its own name.']);
    expect((await problemsOf('services:\n  api:\n    paths: [a\n'))[0]).toMatch(/^\d+:\d+ YAML error:/);
  });

  it('names a key that appears twice in any other mapping, with the line of the first', async () => {
    const text = 'region: us-east-1\ncluster: prod\nregion: us-east-2\nservices:\n  api:\n    paths: [a/**]\n    repository: shop\n    paths: [b/**]\n  web: { paths: [c/**], paths: [d/**] }\n';
    expect(await problemsOf(text)).toEqual([
      '3:1 Key "region" appears twice in .github/services.yml (first on line 1); keep one.',
      '8:5 Key "paths" appears twice in services.api (first on line 6); keep one.',
      '9:25 Key "paths" appears twice in services.web (first on line 9); keep one.',
    ]);
    const error = await parseManifest(text, FILE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toContain('.github/services.yml:3:1: Key "region" appears twice');
    expect((error as ManifestError).problems[0]).toEqual({ file: FILE, line: 3, column: 1, message: expect.stringContaining('Key "region"') });
  });

  it('catches services that would overwrite each other and services without a cluster', async () => {
    const text = `
services:
  api:
    paths: [a/**]
    repository: shop
    ecs: { cluster: prod, service: shop }
  web:
    paths: [b/**]
    repository: shop
    ecs: { cluster: prod, service: shop }
  worker:
    paths: [c/**]
`;
    expect(await problemsOf(text)).toEqual([
      '9:5 Service "web" pushes to the same ECR repository "shop" (images are tagged by commit, so they would overwrite each other) as service "api"; give each service its own.',
      '10:5 Service "web" deploys the same ECS service "shop" in cluster "prod" as service "api"; give each service its own.',
      '11:3 Service "worker" has no ECS cluster: set "cluster" at the top of the manifest or "ecs.cluster" for this service.',
    ]);
  });

  it('a malformed glob is an error on its line naming the key, not a glob that matches no file', async () => {
    const text =
      'cluster: prod\nalways: [package-lock.json, "docker/{base,api.Dockerfile"]\nservices:\n  web:\n    paths: [apps/web/**, "apps/[web/**", "!apps/web/**/*.md"]\n  api:\n    paths: ["apps/api]/**"]\n  ok:\n    paths: ["apps/[ab]/**", "apps/**/*.{ts,tsx}", "apps/\\\\[x/**"]\n';
    expect(await problemsOf(text)).toEqual([
      '5:26 services.web.paths[1] is "apps/[web/**", which is not a valid glob: its "[" is never closed. Close it with "]" ("[ab]" matches a or b), or write "\\[" to match the character "[" itself.',
      '7:13 services.api.paths[0] is "apps/api]/**", which is not a valid glob: its "]" closes nothing. Remove it, open it with "[" ("[ab]" matches a or b), or write "\\]" to match the character "]" itself.',
      '2:29 always[1] is "docker/{base,api.Dockerfile", which is not a valid glob: its "{" is never closed. Close it with "}" ("{a,b}" matches a or b), or write "\\{" to match the character "{" itself.',
    ]);
    const error = await parseManifest(text, FILE).catch((e: unknown) => e);
    expect((error as ManifestError).message).toContain('.github/services.yml:5:26: services.web.paths[1] is "apps/[web/**"');
  });

  it('refuses a file too large to be a manifest, and aliases that expand without bound, without reading on', async () => {
    const huge = `services:\n${Array.from({ length: 40000 }, (_, i) => `  s${i}:\n    paths: [apps/s${i}/**]\n`).join('')}`;
    const error = await parseManifest(huge, FILE).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ManifestError);
    expect((error as ManifestError).message).toMatch(/^The services manifest \.github\/services\.yml is 1\.\d MiB; a manifest is at most 1 MiB/);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`), 'services: { api: { paths: [*h] } }'].join('\n');
    const started = Date.now();
    expect((await problemsOf(laughs))[0]).toMatch(/^1:1 YAML error: Excessive alias count .*a manifest needs no aliases/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('lists the services there are when a name is wrong', async () => {
    const manifest = await parseManifest(VALID, FILE);
    expect(findService(manifest, 'api').repository).toBe('cashsouk-api');
    expect(() => findService(manifest, 'apy')).toThrow('Service "apy" is not in .github/services.yml. Did you mean "api"?');
  });

  it('says how to fix a missing manifest file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'manifest-'));
    const error = await loadManifest(FILE, root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).hint).toContain('actions/checkout');
    mkdirSync(join(root, '.github'));
    writeFileSync(join(root, FILE), VALID);
    expect((await loadManifest(FILE, root)).file).toBe(FILE);
  });

  it('validates with code generated from the published schema', async () => {
    // @ts-expect-error -- a plain JavaScript build script
    const { generate } = await import('../../scripts/generate-manifest-validator.mjs');
    const committed = readFileSync(join(REPO_ROOT, 'shared/manifest/validate.generated.ts'), 'utf8');
    expect(committed === generate()).toBe(true);
  });
});
