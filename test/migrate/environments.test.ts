/** The built action migrating in one environment of the manifest: its cluster and migration command, in its account. */
import { afterEach, describe, expect, it } from '@jest/globals';
import { awsTestEnv, TEST_ACCOUNT, useMoto } from '../../standins/moto.js';
import { runAction } from '../../standins/run-action.js';
import { CLUSTER, NEW_IMAGE, resetTaskProgress, seedShop, setTaskProgress, tasksOf, workspace } from './fixtures.js';

const MANIFEST = `region: us-east-1
cluster: shop-dev
services:
  api:
    paths: [apps/api/**]
    repository: shop-api
    ecs: { service: shop-api, container: api }
    migrate:
      command: ["sh", "-c", "cd apps/api && npx prisma migrate deploy"]
environments:
  production:
    account: "${TEST_ACCOUNT}"
    cluster: ${CLUSTER}
    services:
      api:
        migrate: { command: [npx, prisma, migrate, deploy, --schema, prisma/production.prisma] }
`;

describe('migrating in a manifest environment', () => {
  useMoto();
  afterEach(resetTaskProgress);

  it("runs the environment's migration command in its cluster", async () => {
    await seedShop();
    await setTaskProgress(1);
    const result = await runAction('migrate', { inputs: { service: 'api', image: NEW_IMAGE, 'manifest-environment': 'production', 'poll-interval': '100ms' }, env: awsTestEnv(), cwd: workspace(MANIFEST) });

    expect(result.code).toBe(0);
    expect(result.log).toContain(`Manifest environment "production": account ${TEST_ACCOUNT}, region us-east-1,`);
    expect(result.log).toContain(`AWS account ${TEST_ACCOUNT} is allowed.`);
    const [task] = await tasksOf(CLUSTER);
    expect(task!.clusterArn).toMatch(new RegExp(`:cluster/${CLUSTER}$`));
    expect(task!.overrides!.containerOverrides![0]!.command).toEqual(['npx', 'prisma', 'migrate', 'deploy', '--schema', 'prisma/production.prisma']);
    expect(result.summary).toContain('Migrations for api in production: ✅ succeeded');
  });
});
