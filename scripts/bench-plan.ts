#!/usr/bin/env tsx
// Times the changes action (its built bundle, as a runner runs it) on a two-service change in a
// manifest with two environments: without the plan, with the plan and no AWS credentials, and with
// the plan reading both environments (moto for STS and ECR, the ECS simulator for what runs). The
// three are run in turn, run after run, so a busy machine slows them alike; the first round is a
// warm-up. Usage: npm run bench:plan [-- --runs 15]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { startEcsSimulator } from '../standins/ecs-simulator/index.js';
import { TestRepo } from '../standins/git-repo.js';
import { freePort, waitFor } from '../standins/ports.js';
import { runAction } from '../standins/run-action.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const RUNS = Number(values.runs);
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

const MANIFEST = `region: ${REGION}
cluster: shop-staging
services:
  api: { paths: [apps/api/**], repository: shop-api, ecs: { service: shop-api, container: api } }
  web: { paths: [apps/web/**], repository: shop-web, ecs: { service: shop-web, container: web } }
environments:
  staging: { account: "${ACCOUNT}" }
  production: { account: "${ACCOUNT}", cluster: shop-prod }
`;

const definition = (family: string): RegisterTaskDefinitionCommandInput => ({
  family,
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [{ name: family.replace('shop-', ''), image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${family}:good`, essential: true }],
});

async function pushImage(motoUrl: string, repository: string, tag: string): Promise<void> {
  const ecr = new ECRClient({ region: REGION, endpoint: motoUrl, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 2, digest: `sha256:${'a'.repeat(64)}` },
    layers: [],
  };
  await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
  await ecr.send(new PutImageCommand({ repositoryName: repository, imageTag: tag, imageManifest: JSON.stringify(manifest), imageManifestMediaType: manifest.mediaType }));
  ecr.destroy();
}

async function main(): Promise<void> {
  const port = await freePort();
  const motoUrl = `http://127.0.0.1:${port}`;
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const home = mkdtempSync(join(tmpdir(), 'bench-plan-home-'));
  const repo = TestRepo.create();
  try {
    await waitFor(async () => (await fetch(`${motoUrl}/moto-api/`)).ok, 'moto_server (pip install "moto[server]")');
    const base = repo.commit('Shop', { '.github/services.yml': MANIFEST, 'apps/api/a.ts': '1\n', 'apps/web/a.ts': '1\n' });
    const head = repo.commit('Change', { 'apps/api/a.ts': '2\n', 'apps/web/a.ts': '2\n' });
    const sim = await startEcsSimulator({ speed: 120, motoUrl });
    sim.seed({
      clusters: ['shop-staging', 'shop-prod'],
      taskDefinitions: [definition('shop-api'), definition('shop-web')],
      services: ['shop-staging', 'shop-prod'].flatMap((cluster) => ['shop-api', 'shop-web'].map((name) => ({ cluster, name, taskDefinition: name }))),
    });
    await pushImage(motoUrl, 'shop-api', head);
    const aws = { AWS_ENDPOINT_URL: motoUrl, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_EC2_METADATA_DISABLED: 'true', ...sim.env() };
    const cases: [string, Record<string, string>, Record<string, string>][] = [
      ['without the plan', {}, { HOME: home }],
      ['plan, no AWS credentials', { plan: 'true' }, { HOME: home }],
      ['plan, both environments read', { plan: 'true' }, aws],
    ];
    const times = new Map<string, number[]>(cases.map(([name]) => [name, []]));
    for (let run = 0; run <= RUNS; run++) {
      for (const [name, inputs, env] of run % 2 ? [...cases].reverse() : cases) {
        const started = performance.now();
        const result = await runAction('changes', { cwd: repo.dir, env: { GITHUB_SHA: head, ...env }, inputs: { base, ...inputs } });
        if (result.code !== 0) throw new Error(`${name} failed:\n${result.log}`);
        if (run > 0) times.get(name)!.push(performance.now() - started);
      }
    }
    await sim.close();
    console.log(`changes action, whole process, ${RUNS} runs each (median, min to max):`);
    for (const [name, list] of times) {
      list.sort((a, b) => a - b);
      console.log(`  ${name.padEnd(30)} ${list[Math.floor(list.length / 2)]!.toFixed(0)} ms (${list[0]!.toFixed(0)} to ${list.at(-1)!.toFixed(0)})`);
    }
  } finally {
    moto.kill();
    repo.remove();
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
