/** The manual rollback workflow: `rollback-to` puts an earlier release back without building anything. */
import { describe, expect, it } from '@jest/globals';
import { pushImageToEcr, useMoto } from '../../standins/moto.js';
import type { Seed } from '../../standins/ecs-simulator/index.js';
import { CLUSTER, FAST, deploy, errors, image, resultOf, simulator, taskDefinition, workspace } from './fixtures.js';

const MANIFEST = `cluster: ${CLUSTER}\nservices:\n  api:\n    paths: [apps/api/**]\n    repository: shop-api\n    ecs: { service: shop-api, container: api }\n`;
const OLD_SHA = '1111111111111111111111111111111111111111';
const BAD_SHA = '2222222222222222222222222222222222222222';

/** Revision 1 ran successfully, revision 2 (a new build) is running now. */
const released: Seed = {
  clusters: [CLUSTER],
  taskDefinitions: [taskDefinition('shop-api', OLD_SHA), taskDefinition('shop-api', BAD_SHA)],
  services: [{ cluster: CLUSTER, name: 'shop-api', taskDefinition: 'shop-api:2', history: [{ taskDefinition: 'shop-api:1', status: 'SUCCESSFUL' }] }],
};

const registered = (sim: Awaited<ReturnType<typeof simulator>>) => sim.calls.filter((call) => call.operation === 'RegisterTaskDefinition').length;

describe('rollback-to', () => {
  useMoto();

  it('previous: the last revision ECS deployed successfully, deployed as it is', async () => {
    const sim = await simulator(released);
    const run = await deploy({ services: 'api', 'rollback-to': 'previous', ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(0);
    expect(resultOf(run).services[0]).toMatchObject({ outcome: 'deployed', revision: 1, image: image('shop-api', OLD_SHA) });
    expect(run.log).toContain('deploy:  shop-api:1 as it is: the last revision that ran successfully');
    expect(registered(sim)).toBe(0);
    expect(sim.inspect(CLUSTER, 'shop-api').taskDefinition).toMatch(/shop-api:1$/);
    expect(run.summary).toContain('<h2>Roll back on ECS: ✅ deployed</h2>');
  });

  it('a revision number, and an image tag given as a short git SHA', async () => {
    const sim = await simulator(released);
    const byNumber = await deploy({ services: 'api', 'rollback-to': '1', wait: 'false' }, { sim, cwd: workspace(MANIFEST) });
    expect(resultOf(byNumber).services[0]!.taskDefinitionArn).toMatch(/shop-api:1$/);
    const bySha = await deploy({ services: 'api', 'rollback-to': BAD_SHA.slice(0, 7), ...FAST }, { sim, cwd: workspace(MANIFEST) });
    // Seven digits: a short SHA, not a revision number.
    expect(bySha.code).toBe(0);
    expect(resultOf(bySha).services[0]).toMatchObject({ revision: 2, image: image('shop-api', BAD_SHA) });
    expect(bySha.log).toContain('the newest revision running image 2222222');
    expect(registered(sim)).toBe(0);
  });

  it('an image tag no registered revision runs: a new revision of the live one with that image', async () => {
    const sim = await simulator(released);
    const tag = '3333333333333333333333333333333333333333';
    await pushImageToEcr('shop-api', tag);
    const run = await deploy({ services: 'api', 'rollback-to': tag, ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(0);
    expect(resultOf(run).services[0]).toMatchObject({ revision: 3, image: image('shop-api', tag), outcome: 'deployed' });
    expect(registered(sim)).toBe(1);
  });

  it('an image tag ECR does not have is refused before anything is registered', async () => {
    const sim = await simulator(released);
    await pushImageToEcr('shop-api', OLD_SHA);
    const run = await deploy({ services: 'api', 'rollback-to': 'v9.9.9', ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(1);
    expect(errors(run).join('\n')).toMatch(
      /The ECR repository "shop-api" \(registry 123456789012, us-east-1\) has no image tagged "v9\.9\.9" \("rollback-to", which no registered revision of shop-api runs[\s\S]*Newest revisions: 2 \(2{40}\), 1 \(1{40}\)/,
    );
    expect(sim.calls.filter((call) => call.operation === 'UpdateService' || call.operation === 'RegisterTaskDefinition')).toEqual([]);
  });

  it('refuses what it cannot find, listing the newest revisions, before changing anything', async () => {
    const sim = await simulator(released);
    const shortSha = await deploy({ services: 'api', 'rollback-to': 'abcdef1' }, { sim, cwd: workspace(MANIFEST) });
    expect(shortSha.code).toBe(1);
    expect(errors(shortSha).join('\n')).toMatch(/No revision of shop-api \(newest 50 searched\) runs an image tagged with the short SHA "abcdef1"[\s\S]*Newest revisions: 2 \(2{40}\), 1 \(1{40}\)\./);

    const fresh = await simulator({ clusters: [CLUSTER], taskDefinitions: [taskDefinition('shop-api', OLD_SHA)], services: [{ cluster: CLUSTER, name: 'shop-api', taskDefinition: 'shop-api' }] });
    const previous = await deploy({ services: 'api', 'rollback-to': 'previous' }, { sim: fresh, cwd: workspace(MANIFEST) });
    expect(previous.code).toBe(1);
    expect(errors(previous).join('\n')).toMatch(/There is no previous release of shop-api to roll back to: ECS keeps no successful deployment of another revision in its history/);
    expect(sim.calls.concat(fresh.calls).filter((call) => call.operation === 'UpdateService' || call.operation === 'RegisterTaskDefinition')).toEqual([]);
  });

  it('a rollback that fails is rolled back to what ran before it', async () => {
    const sim = await simulator({ ...released, taskDefinitions: [taskDefinition('shop-api', 'crash'), taskDefinition('shop-api', BAD_SHA)], services: [{ cluster: CLUSTER, name: 'shop-api', taskDefinition: 'shop-api:2' }] });
    const run = await deploy({ services: 'api', 'rollback-to': '1', ...FAST }, { sim, cwd: workspace(MANIFEST) });
    expect(run.code).toBe(1);
    expect(resultOf(run).services[0]).toMatchObject({ outcome: 'rolled-back', revision: 1, rolledBackTo: expect.stringMatching(/shop-api:2$/) });
  });

  describe('a target must belong to the service', () => {
    const otherApp: Seed = {
      ...released,
      taskDefinitions: [...released.taskDefinitions!, taskDefinition('shop-web', OLD_SHA, { container: 'api' })],
    };
    const changed = (sim: Awaited<ReturnType<typeof simulator>>) => sim.calls.filter((call) => call.operation === 'UpdateService' || call.operation === 'RegisterTaskDefinition');

    it.each([
      ['family:revision', 'shop-web:3'],
      ['its ARN', `arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:3`],
    ])("another app's revision (%s) is refused, naming both families", async (_, target) => {
      const sim = await simulator(otherApp);
      const run = await deploy({ services: 'api', 'rollback-to': target }, { sim, cwd: workspace(MANIFEST) });
      expect(run.code).toBe(1);
      expect(errors(run).join('\n')).toContain(`a revision of task-definition family "shop-web", but ECS service "shop-api" runs family "shop-api"`);
      expect(errors(run).join('\n')).toContain('allow-other-family: true');
      expect(run.log).not.toContain('Everything checks out');
      expect(changed(sim)).toEqual([]);
      expect(sim.inspect(CLUSTER, 'shop-api').taskDefinition).toMatch(/shop-api:2$/);
    });

    it('a revision of another account or region is refused before it is read', async () => {
      const sim = await simulator(otherApp);
      for (const arn of ['arn:aws:ecs:us-east-1:999999999999:task-definition/shop-api:1', 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-api:1']) {
        const run = await deploy({ services: 'api', 'rollback-to': arn }, { sim, cwd: workspace(MANIFEST) });
        expect(run.code).toBe(1);
        expect(errors(run).join('\n')).toMatch(/Input "rollback-to" is a task definition of account \d{12} in [a-z0-9-]+, but ECS service "shop-api" runs in account 123456789012 in us-east-1/);
      }
      expect(sim.calls.filter((call) => call.operation === 'DescribeTaskDefinition' && JSON.stringify(call.input).includes(':task-definition/shop-api:1'))).toEqual([]);
      expect(changed(sim)).toEqual([]);
    });

    it('"previous" from the history of another family is refused too', async () => {
      const sim = await simulator({ ...otherApp, services: [{ cluster: CLUSTER, name: 'shop-api', taskDefinition: 'shop-api:2', history: [{ taskDefinition: 'shop-web:1', status: 'SUCCESSFUL' }] }] });
      const run = await deploy({ services: 'api', 'rollback-to': 'previous' }, { sim, cwd: workspace(MANIFEST) });
      expect(run.code).toBe(1);
      expect(errors(run).join('\n')).toContain('"shop-web:1", a revision of task-definition family "shop-web"');
      expect(changed(sim)).toEqual([]);
    });

    it("a revision without the service's container is refused", async () => {
      const sim = await simulator({ ...released, taskDefinitions: [taskDefinition('shop-api', OLD_SHA, { container: 'web' }), taskDefinition('shop-api', BAD_SHA)] });
      const run = await deploy({ services: 'api', 'rollback-to': '1' }, { sim, cwd: workspace(MANIFEST) });
      expect(run.code).toBe(1);
      expect(errors(run).join('\n')).toContain('shop-api:1 (from "rollback-to") has no container "api"');
      expect(changed(sim)).toEqual([]);
    });

    it('allow-other-family: true moves it, and says so in a warning and the summary', async () => {
      const sim = await simulator(otherApp);
      const run = await deploy({ services: 'api', 'rollback-to': 'shop-web:1', 'allow-other-family': 'true', ...FAST }, { sim, cwd: workspace(MANIFEST) });
      expect(run.code).toBe(0);
      expect(sim.inspect(CLUSTER, 'shop-api').taskDefinition).toMatch(/shop-web:1$/);
      const loud = 'api: ECS service shop-api ran task-definition family shop-api and is rolled back to family shop-web (allow-other-family: true).';
      expect(run.stdout).toContain(`::warning title=Rollback to another task-definition family::${loud}`);
      expect(run.summary).toContain(`<p><strong>⚠️ ${loud}</strong></p>`);
    });
  });

  describe('mode: rollback', () => {
    it.each([[''], ['   ']])('an empty target (%j) is an error, never a deploy of the commit', async (target) => {
      const sim = await simulator(released);
      const run = await deploy({ services: 'api', mode: 'rollback', 'rollback-to': target }, { sim, cwd: workspace(MANIFEST) });
      expect(run.code).toBe(1);
      expect(errors(run).join('\n')).toContain('Input "rollback-to" is empty, but "mode" is rollback');
      expect(sim.calls).toEqual([]);
    });

    it('mode: deploy refuses a rollback target', async () => {
      const run = await deploy({ services: 'api', mode: 'deploy', 'rollback-to': 'previous' }, { cwd: workspace(MANIFEST) });
      expect(run.code).toBe(1);
      expect(errors(run).join('\n')).toContain('Input "rollback-to" is "previous", but "mode" is deploy.');
    });
  });
});
