/**
 * The built action deploying to one environment of the manifest: the environment's cluster, ECS
 * service names and registry, in the account the environment names.
 */
import { describe, expect, it } from '@jest/globals';
import { TEST_ACCOUNT, TEST_REGION, useMoto } from '../../standins/moto.js';
import { FAST, deploy, resultOf, simulator, taskDefinition, workspace } from './fixtures.js';

const PROD_REGISTRY = 'registry.prod.example.com:5000';

const MANIFEST = `cluster: shop-staging
registry: registry.build.example.com
services:
  api:
    paths: [apps/api/**]
    repository: shop-api
    ecs: { service: shop-api, container: api }
  web:
    paths: [apps/web/**]
    repository: shop-web
    ecs: { service: shop-web, container: web }
environments:
  staging:
    account: "${TEST_ACCOUNT}"
  production:
    githubEnvironment: Production
    account: ${TEST_ACCOUNT}
    region: ${TEST_REGION}
    cluster: shop-prod
    registry: ${PROD_REGISTRY}
    images: copy
    services:
      api:
        ecs: { service: shop-api-live }
`;

describe('deploying to a manifest environment', () => {
  useMoto();

  it("deploys to the environment's cluster and ECS services with images from its registry, leaving the others alone", async () => {
    const sim = await simulator({
      clusters: ['shop-staging', 'shop-prod'],
      taskDefinitions: [taskDefinition('shop-api', 'good'), taskDefinition('shop-web', 'good')],
      services: [
        { cluster: 'shop-staging', name: 'shop-api', taskDefinition: 'shop-api' },
        { cluster: 'shop-prod', name: 'shop-api-live', taskDefinition: 'shop-api' },
        { cluster: 'shop-prod', name: 'shop-web', taskDefinition: 'shop-web' },
      ],
    });
    const run = await deploy({ services: 'api, web', 'image-tag': 'v2', 'manifest-environment': 'production', ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(0);
    const result = resultOf(run);
    expect(result.services.map((service) => [service.service, service.cluster, service.ecsService, service.outcome, service.image])).toEqual([
      ['api', 'shop-prod', 'shop-api-live', 'deployed', `${PROD_REGISTRY}/shop-api:v2`],
      ['web', 'shop-prod', 'shop-web', 'deployed', `${PROD_REGISTRY}/shop-web:v2`],
    ]);
    expect(sim.inspect('shop-prod', 'shop-api-live').taskDefinition).toMatch(/shop-api:2$/);
    expect(sim.inspect('shop-prod', 'shop-web').taskDefinition).toMatch(/shop-web:2$/);
    // The same service of the top-level cluster is not touched.
    expect(sim.inspect('shop-staging', 'shop-api').taskDefinition).toMatch(/shop-api:1$/);
    expect(sim.calls.filter((call) => call.operation === 'UpdateService').map((call) => `${String(call.input.cluster)}/${String(call.input.service)}`)).toEqual(['shop-prod/shop-api-live', 'shop-prod/shop-web']);
    expect(run.log).toContain(`Manifest environment "production": GitHub environment "Production", account ${TEST_ACCOUNT}, region ${TEST_REGION}, images copied to ${PROD_REGISTRY}.`);
    expect(run.log).toContain(`AWS account ${TEST_ACCOUNT} is allowed.`);
    expect(run.summary).toMatch(/<h2>Deploy to ECS \(production\): ✅ deployed<\/h2>/);
  });

  it('deploys with the top-level values when no environment is named', async () => {
    const sim = await simulator({
      clusters: ['shop-staging'],
      taskDefinitions: [taskDefinition('shop-api', 'good')],
      services: [{ cluster: 'shop-staging', name: 'shop-api', taskDefinition: 'shop-api' }],
    });
    const run = await deploy({ services: 'api', 'image-tag': 'v2', ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(0);
    expect(resultOf(run).services.map((service) => [service.cluster, service.ecsService, service.image])).toEqual([['shop-staging', 'shop-api', 'registry.build.example.com/shop-api:v2']]);
    expect(run.log).not.toContain('Manifest environment');
    expect(run.summary).toMatch(/<h2>Deploy to ECS: ✅ deployed<\/h2>/);
  });
});
