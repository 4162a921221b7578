import { describe, expect, it } from '@jest/globals';
import { parseManifest, ManifestError } from '../../shared/manifest/load.js';
import { forEnvironment } from '../../shared/manifest/environments.js';
import { UserError } from '../../shared/errors.js';

const FILE = '.github/services.yml';

const MANIFEST = `
region: us-east-1
role: arn:aws:iam::111111111111:role/deployer
cluster: shop-dev
registry: 111111111111.dkr.ecr.us-east-1.amazonaws.com
services:
  api:
    paths: [apps/api/**]
    ecs: { service: shop-api, container: api }
    migrate: { command: npx prisma migrate deploy }
    health: https://api.dev.example.com/healthz
  web:
    paths: [apps/web/**]
  worker:
    paths: [apps/worker/**]
    ecs: { cluster: shop-jobs }
environments:
  staging:
    account: "222222222222"
    role: arn:aws:iam::222222222222:role/deployer
    cluster: shop-staging
  production:
    githubEnvironment: Production
    account: 333333333333
    role: arn:aws:iam::333333333333:role/deployer
    region: eu-west-1
    cluster: shop-prod
    registry: 333333333333.dkr.ecr.eu-west-1.amazonaws.com
    images: copy
    services:
      api:
        ecs: { cluster: shop-prod-api, service: api-live }
        health: https://api.example.com/healthz
        migrate: { command: [npx, prisma, migrate, deploy, --schema, prod.prisma] }
      web:
        migrate: { command: "npm run migrate" }
  preview:
    images: copy
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

const environmentsAt = MANIFEST.split('\n').indexOf('environments:') + 1;
const withEnvironments = (text: string) => MANIFEST.slice(0, MANIFEST.indexOf('environments:')) + text;

describe('manifest environments', () => {
  it('keeps the manifest as it is without an environment name, and lists its environments', async () => {
    const manifest = await parseManifest(MANIFEST, FILE);
    expect(forEnvironment(manifest, undefined)).toBe(manifest);
    expect(manifest.environment).toBeUndefined();
    expect(manifest.environments.map((environment) => [environment.name, environment.githubEnvironment, environment.account, environment.images])).toEqual([
      ['staging', 'staging', '222222222222', 'pull'],
      ['production', 'Production', '333333333333', 'copy'],
      ['preview', 'preview', undefined, 'copy'],
    ]);
    expect(manifest.services.map((service) => `${service.ecs.cluster}/${service.ecs.service}`)).toEqual(['shop-dev/shop-api', 'shop-dev/web', 'shop-jobs/worker']);
  });

  it("resolves an environment: its role, region, cluster and registry, and each service's own values there", async () => {
    const production = forEnvironment(await parseManifest(MANIFEST, FILE), 'production');
    expect(production).toMatchObject({
      role: 'arn:aws:iam::333333333333:role/deployer',
      region: 'eu-west-1',
      registry: '333333333333.dkr.ecr.eu-west-1.amazonaws.com',
      environment: { name: 'production', githubEnvironment: 'Production', account: '333333333333', images: 'copy' },
    });
    const [api, web, worker] = production.services;
    expect(api).toMatchObject({
      ecs: { cluster: 'shop-prod-api', service: 'api-live', container: 'api' },
      health: 'https://api.example.com/healthz',
      migrate: { command: ['npx', 'prisma', 'migrate', 'deploy', '--schema', 'prod.prisma'], container: 'api' },
      repository: 'api',
    });
    // A migration only this environment runs uses the service's container; the environment's cluster wins over the service's own default.
    expect(web).toMatchObject({ ecs: { cluster: 'shop-prod', service: 'web', container: 'web' }, migrate: { command: ['sh', '-c', 'npm run migrate'], container: 'web' } });
    expect(worker!.ecs.cluster).toBe('shop-prod');
  });

  it('inherits every value an environment leaves unset', async () => {
    const manifest = await parseManifest(MANIFEST, FILE);
    const staging = forEnvironment(manifest, 'staging');
    expect(staging).toMatchObject({ region: 'us-east-1', registry: '111111111111.dkr.ecr.us-east-1.amazonaws.com', environment: { name: 'staging', account: '222222222222', images: 'pull' } });
    expect(staging.services[0]).toMatchObject({ ecs: { cluster: 'shop-staging', service: 'shop-api' }, health: 'https://api.dev.example.com/healthz', migrate: { command: ['sh', '-c', 'npx prisma migrate deploy'] } });
    expect(staging.services[1]!.migrate).toBeUndefined();
    // Copied images live in the environment's own registry, never the one they were built in.
    const preview = forEnvironment(manifest, 'preview');
    expect(preview).toMatchObject({ role: manifest.role, region: 'us-east-1', registry: undefined });
    expect(preview.services.map((service) => service.ecs.cluster)).toEqual(['shop-dev', 'shop-dev', 'shop-jobs']);
    // The manifest itself is not changed.
    expect(manifest.services[0]!.ecs.cluster).toBe('shop-dev');
  });

  it('names the input and lists the environments when the name is wrong', async () => {
    const manifest = await parseManifest(MANIFEST, FILE);
    const error = (() => {
      try {
        return forEnvironment(manifest, 'prodution');
      } catch (caught) {
        return caught;
      }
    })() as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe('Input "manifest-environment" is "prodution", which is not an environment of .github/services.yml. Did you mean "production"?');
    expect(error.hint).toBe('Environments in the manifest: staging, production, preview.');
    expect(() => forEnvironment(manifest, 'qa', 'Input "to"')).toThrow('Input "to" is "qa", which is not an environment of .github/services.yml.');
  });

  it('says how to add an environments section when the manifest has none', async () => {
    const manifest = await parseManifest(withEnvironments(''), FILE);
    expect(manifest.environments).toEqual([]);
    expect(forEnvironment(manifest, undefined)).toBe(manifest);
    expect(() => forEnvironment(manifest, 'production')).toThrow(new UserError('Input "manifest-environment" is "production", but .github/services.yml has no "environments" section.', ''));
    try {
      forEnvironment(manifest, 'production');
    } catch (error) {
      expect((error as UserError).hint).toContain('environments: { production: {');
    }
  });

  it('reports bad environment values with their line, key and what is allowed', async () => {
    const text = withEnvironments(`environments:
  Prod:
    cluster: shop-prod
  staging:
    account: 12345
    role: deployer
    region: eu-wets-1
    images: mirror
    registry: https://x
    githubEnvironment: " staging"
    approvals: 2
    services:
      api:
        ecs: { cluster: shop-staging, container: api }
        bakeWait: 5m
        migrate: { container: api }
      apii:
        health: ftp://x
  empty: {}
`);
    const line = (offset: number) => environmentsAt + offset;
    expect(await problemsOf(text)).toEqual([
      `${line(1)}:3 "Prod" in environments is not allowed: use an environment name of lowercase letters, digits, - and _ (at most 63 characters).`,
      `${line(10)}:5 Unknown key "approvals" in environments.staging. Allowed keys: githubEnvironment, account, role, region, cluster, registry, images, services.`,
      `${line(9)}:24 environments.staging.githubEnvironment is " staging", which is not a GitHub environment name (1 to 255 characters, no leading or trailing spaces).`,
      `${line(4)}:14 environments.staging.account is 12345, which is not a 12-digit AWS account id such as "123456789012" (quote an id that starts with 0).`,
      `${line(5)}:11 environments.staging.role is "deployer", which is not an IAM role ARN such as arn:aws:iam::123456789012:role/github-actions-deployer.`,
      `${line(8)}:15 environments.staging.registry is "https://x", which is not a registry host, optionally with a port, such as 123456789012.dkr.ecr.us-east-1.amazonaws.com.`,
      `${line(7)}:13 environments.staging.images is "mirror", which is not pull or copy.`,
      `${line(14)}:9 Unknown key "bakeWait" in environments.staging.services.api. Allowed keys: ecs, health, migrate.`,
      `${line(13)}:39 Unknown key "container" in environments.staging.services.api.ecs. Allowed keys: cluster, service.`,
      `${line(15)}:9 environments.staging.services.api.migrate is missing "command".`,
      `${line(15)}:20 Unknown key "container" in environments.staging.services.api.migrate. Allowed keys: command.`,
      `${line(17)}:17 environments.staging.services.apii.health is "ftp://x", which is not an http:// or https:// URL.`,
    ]);
  });

  it('checks regions, service names and shared ECS services in each environment', async () => {
    const text = withEnvironments(`environments:
  staging:
    region: eu-wets-1
    services:
      apii: { health: https://api.staging.example.com/healthz }
      web: { ecs: { service: shop-api } }
  production:
    cluster: shop-prod
    services:
      worker: { ecs: { cluster: shop-prod, service: web } }
`);
    const line = (offset: number) => environmentsAt + offset;
    expect(await problemsOf(text)).toEqual([
      `${line(2)}:5 environments.staging.region is "eu-wets-1", which is not an AWS region; did you mean "eu-west-1"? Use a region code such as eu-west-1. A region AWS opened after this release of Berth is unknown to it: update Berth to use it.`,
      `${line(4)}:7 Environment "staging" names service "apii", which is not in services. Did you mean "api"? Services in the manifest: api, web, worker.`,
      `${line(5)}:14 In environment "staging", service "web" deploys the same ECS service "shop-api" in cluster "shop-dev" as service "api"; give each its own (environments.staging.services.web.ecs).`,
      `${line(9)}:17 In environment "production", service "worker" deploys the same ECS service "web" in cluster "shop-prod" as service "web"; give each its own (environments.production.services.worker.ecs).`,
    ]);
  });

  it('names an environment defined twice, and a key repeated inside one', async () => {
    const text = withEnvironments('environments:\n  staging:\n    cluster: a\n  production:\n    cluster: b\n    cluster: c\n  staging:\n    cluster: d\n');
    expect(await problemsOf(text)).toEqual([
      `${environmentsAt + 5}:5 Key "cluster" appears twice in environments.production (first on line ${environmentsAt + 4}); keep one.`,
      `${environmentsAt + 6}:3 Environment "staging" is defined twice (first on line ${environmentsAt + 1}): each environment needs its own name.`,
    ]);
  });

  it('refuses an empty environments section and an environment that is not a mapping', async () => {
    expect(await problemsOf(withEnvironments('environments: {}\n'))).toEqual([`${environmentsAt}:15 environments must not be empty.`]);
    expect(await problemsOf(withEnvironments('environments:\n  staging: shop-staging\n'))).toEqual([`${environmentsAt + 1}:12 environments.staging should be a mapping of keys to values, not "shop-staging".`]);
  });
});
