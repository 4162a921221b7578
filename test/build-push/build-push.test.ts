/**
 * build-push end to end, run as a runner runs it: moto serves ECR's API, Debian's docker-registry
 * (with the htpasswd user and password moto's ECR token decodes to) stands in for the registry, and
 * a private dockerd with buildx builds the images.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { awsTestEnv, useMoto, TEST_REGION } from '../../standins/moto.js';
import { runAction, startAction, unmaskedLines, type ActionResult, type RunOptions } from '../../standins/run-action.js';
import { existingPluginDirs, startDocker, startFaultyProxy, startRegistry, type DockerEngine, type Registry } from '../../standins/docker.js';
import { createWorkspace } from './fixture.js';

const execFileAsync = promisify(execFile);

const PASSWORD = '123456789012-auth-token';
const TOKEN = Buffer.from(`AWS:${PASSWORD}`).toString('base64');
const API_ARGS = 'GREETING=hi there, friend';
const sha = (n: number) => `${String(n).repeat(8)}`.padEnd(40, 'a').slice(0, 40);

let engine: DockerEngine;
let registry: Registry;
let workspace: string;
let home: string;
let runnerTemp: string;
let ecr: ECRClient;
let emptyDir: string;

beforeAll(async () => {
  // Keep whichever started, so afterAll stops it even when the other failed.
  const started = await Promise.allSettled([startDocker().then((e) => (engine = e)), startRegistry('AWS', PASSWORD).then((r) => (registry = r))]);
  for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
  workspace = createWorkspace();
  emptyDir = mkdtempSync(join(tmpdir(), 'berth-no-plugins-'));
  home = mkdtempSync(join(tmpdir(), 'berth-home-'));
  mkdirSync(join(home, '.docker'));
  writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'other.example': { auth: Buffer.from('me:other-secret').toString('base64') } } }, null, 2));
}, 90_000);

afterAll(async () => {
  await Promise.all([engine?.stop(), registry?.stop()]);
  for (const dir of [workspace, home, emptyDir]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

useMoto();
beforeEach(() => {
  ecr = new ECRClient({ region: TEST_REGION });
  runnerTemp = mkdtempSync(join(tmpdir(), 'berth-runner-temp-'));
});
afterEach(() => rmSync(runnerTemp, { recursive: true, force: true }));

async function createRepository(name = 'shop-api'): Promise<void> {
  await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
}

function build(inputs: Record<string, string>, options: RunOptions & { sha?: string } = {}): Promise<ActionResult> {
  return runAction('build-push', {
    cwd: workspace,
    ...options,
    inputs: { registry: registry.host, network: 'none', ...inputs },
    env: { ...awsTestEnv(), ...engine.env(), HOME: home, RUNNER_TEMP: runnerTemp, GITHUB_SHA: options.sha ?? sha(1), ...options.env },
  });
}

const homeConfig = () =>
  createHash('sha256')
    .update(readFileSync(join(home, '.docker', 'config.json')))
    .digest('hex');

/** The manifest the registry serves for `repository:reference`, exactly as pushed. */
async function pushedManifest(repository: string, reference: string): Promise<string> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
    headers: { authorization: `Basic ${TOKEN}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
  });
  expect(response.status).toBe(200);
  return response.text();
}

/**
 * The state a fresh runner sees after an earlier commit was built elsewhere: the api image of
 * `commit` pushed (with latest), ECR told of latest the way a push tells it (PutImage with the
 * manifest; moto is reset before each test), and the engine's build cache and images gone.
 */
async function pushThenForget(commit: string): Promise<void> {
  const first = await build({ service: 'api', 'build-args': API_ARGS }, { sha: commit });
  expectSuccess(first);
  expect(await registry.digest('shop-api', 'latest')).toBe(first.outputs.digest);
  await ecr.send(new PutImageCommand({ repositoryName: 'shop-api', imageManifest: await pushedManifest('shop-api', 'latest'), imageTag: 'latest' }));
  const env = { ...process.env, ...engine.env() };
  await execFileAsync('docker', ['builder', 'prune', '-af'], { env });
  await execFileAsync('docker', ['image', 'prune', '-af'], { env });
  expect((await execFileAsync('docker', ['image', 'ls', '-aq'], { env })).stdout.trim()).toBe('');
}

/** "N of M steps came from the cache", as the action reports it. */
function cacheReport(result: ActionResult): { n: number; of: number } {
  const match = /Built and pushed sha256:[0-9a-f]{64} in .*; (\d+) of (\d+) steps came from the cache/.exec(result.log);
  expect(match).not.toBeNull();
  return { n: Number(match![1]), of: Number(match![2]) };
}

/** Titles of the Dockerfile steps buildx reported CACHED (`#9 [runtime 1/1] COPY ...`, then `#9 CACHED`). */
function cachedSteps(result: ActionResult): string[] {
  const titles = new Map<string, string>();
  const cached: string[] = [];
  for (const line of result.log.split('\n')) {
    const step = /^#(\d+) (\[[^\]]*\d+\/\d+\].*)$/.exec(line);
    if (step && !titles.has(step[1]!)) titles.set(step[1]!, step[2]!.trim());
    const hit = /^#(\d+) CACHED\s*$/.exec(line);
    if (hit && titles.has(hit[1]!)) cached.push(titles.get(hit[1]!)!);
  }
  return cached;
}

/** Shows the whole log when the action failed. */
function expectSuccess(result: ActionResult): void {
  expect([result.code, result.code === 0 ? '' : result.log]).toEqual([0, '']);
}

/** Runs the action in its own mount namespace where the system CLI plugin folders (buildx's home) are empty. */
function withoutSystemPlugins(): string[] {
  const hide = existingPluginDirs().map((dir) => `mount --bind ${emptyDir} ${dir}`);
  expect(hide.length).toBeGreaterThan(0);
  // bash, not sh: dash drops the INPUT_* variables whose names hold a hyphen.
  return ['unshare', '--mount', 'bash', '-c', `${hide.join(' && ')} && exec "$@"`, 'bash'];
}

function expectNoDockerConfigLeft(result: ActionResult): void {
  const dir = /Temporary docker config: (\S+?);?\s/.exec(result.log)?.[1];
  expect(dir).toBeDefined();
  expect(existsSync(dir!)).toBe(false);
  expect(readdirSync(runnerTemp)).toEqual([]);
}

describe('build-push with a real Docker engine and registry', () => {
  it('builds a manifest service, pushes the commit and latest tags, and reports the digest the registry serves', async () => {
    await createRepository();
    const before = homeConfig();
    const result = await build({ service: 'api', 'build-args': 'GREETING=hi there, friend' });
    expectSuccess(result);

    const digest = await registry.digest('shop-api', sha(1));
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.outputs).toMatchObject({
      image: `${registry.host}/shop-api:${sha(1)}`,
      digest,
      'image-with-digest': `${registry.host}/shop-api@${digest}`,
      skipped: 'false',
      tags: JSON.stringify([sha(1), 'latest']),
    });
    const summary = JSON.parse(result.outputs.result!);
    expect(summary).toEqual({
      service: 'api',
      repository: 'shop-api',
      image: `${registry.host}/shop-api:${sha(1)}`,
      digest,
      imageWithDigest: `${registry.host}/shop-api@${digest}`,
      tags: [sha(1), 'latest'],
      skipped: false,
      sizeBytes: expect.any(Number),
      durationSeconds: expect.any(Number),
    });
    expect(summary.sizeBytes).toBeGreaterThan(100);
    expect(await registry.tags('shop-api')).toEqual([sha(1), 'latest']);
    expect(await registry.digest('shop-api', 'latest')).toBe(digest);

    const labels = (await registry.config('shop-api', sha(1))).config?.Labels ?? {};
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
      'org.opencontainers.image.revision': sha(1),
      'com.example.greeting': 'hi there, friend',
      'com.example.channel': 'stable',
    });
    expect(Date.now() - Date.parse(labels['org.opencontainers.image.created']!)).toBeLessThan(120_000);

    // The docker driver cannot export a registry cache: said once, and the image carries an inline cache.
    expect(result.log).toContain('::notice::The builder uses the docker driver, which cannot export a registry cache');
    expect(result.log).toContain('--cache-to=type=inline');
    expect(result.summary).toContain('<td>api</td>');
    expect(result.summary).toContain(digest);

    // The ECR password never shows, and the credentials left with the step.
    expect(result.log).toContain(`::add-mask::${PASSWORD}`);
    expect(unmaskedLines(result.log, PASSWORD)).toEqual([]);
    expect(unmaskedLines(result.log, TOKEN)).toEqual([]);
    expectNoDockerConfigLeft(result);
    expect(homeConfig()).toBe(before);
  });

  it('imports the inline cache from latest on the next commit, after the engine lost its own cache', async () => {
    await createRepository();
    await pushThenForget(sha(2));

    const next = await build({ service: 'api', 'build-args': API_ARGS }, { sha: sha(6) });
    expectSuccess(next);
    // The docker driver's fallback: import the inline cache the previous image carries under latest, and export a new one.
    expect(next.log).toContain('::notice::The builder uses the docker driver, which cannot export a registry cache');
    expect(next.log).toContain(`--cache-from=type=registry,ref=${registry.host}/shop-api:latest`);
    expect(next.log).toContain('--cache-to=type=inline');
    expect(next.log).toContain(`importing cache manifest from ${registry.host}/shop-api:latest`);
    // The final stage's layer comes from the registry, so the stages it copies from need not run.
    expect(cachedSteps(next)).toContain('[runtime 1/1] COPY --from=build /built.txt /app/built.txt');
    const { n, of } = cacheReport(next);
    expect(of).toBe(4);
    expect(n).toBeGreaterThan(0);
    expect(await registry.digest('shop-api', sha(6))).toBe(next.outputs.digest);
    expect(await registry.digest('shop-api', 'latest')).toBe(next.outputs.digest);
  });

  it('control: with cache: none the same next commit has no step cached once the engine lost its own cache', async () => {
    await createRepository();
    await pushThenForget(sha(7));

    const next = await build({ service: 'api', 'build-args': API_ARGS, cache: 'none' }, { sha: sha(8) });
    expectSuccess(next);
    expect(next.log).not.toContain('--cache-from');
    expect(next.log).not.toContain('--cache-to');
    expect(cachedSteps(next)).toEqual([]);
    expect(cacheReport(next)).toEqual({ n: 0, of: 4 });
  });

  it("the inline cache holds only the final stage's layers: a changed build stage rebuilds the unchanged toolchain stage too", async () => {
    await createRepository();
    await pushThenForget(sha(9));

    writeFileSync(join(workspace, 'apps/api/message.txt'), 'changed in the next commit\n');
    try {
      const next = await build({ service: 'api', 'build-args': API_ARGS }, { sha: sha(10) });
      expectSuccess(next);
      expect(next.log).toContain(`--cache-from=type=registry,ref=${registry.host}/shop-api:latest`);
      // A docker-container builder's registry cache (mode=max) would hold the toolchain stage; the docker driver cannot export one.
      expect(cachedSteps(next)).not.toContain('[toolchain 1/1] COPY docker/rootfs/ /');
      expect(cacheReport(next)).toEqual({ n: 0, of: 4 });
    } finally {
      writeFileSync(join(workspace, 'apps/api/message.txt'), 'built offline\n');
    }
  });

  it("builds nothing when ECR already has the commit's image, and points latest at it", async () => {
    await createRepository();
    // ECR learns of an image the way a push tells it: the manifest, tagged with the commit.
    const { image } = await ecr.send(new PutImageCommand({ repositoryName: 'shop-api', imageManifest: await pushedManifest('shop-api', sha(1)), imageTag: sha(3) }));
    const tagsBefore = await registry.tags('shop-api');

    // No docker on PATH: the skip path must not need it.
    const result = await build({ service: 'api' }, { sha: sha(3), env: { PATH: '/nonexistent' } });
    expectSuccess(result);
    expect(result.outputs).toMatchObject({ skipped: 'true', digest: image!.imageId!.imageDigest, image: `${registry.host}/shop-api:${sha(3)}` });
    expect(result.log).toContain(`::notice::Skipped the build: ECR already has the image of commit ${sha(3)}`);
    expect(result.log).toContain('Pointed latest at it.');
    expect(result.log).not.toContain('buildx build');
    expect(JSON.parse(result.outputs.result!)).toMatchObject({ skipped: true, sizeBytes: expect.any(Number) });
    expect(result.summary).toContain('skipped: commit already in ECR');

    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'shop-api', imageIds: [{ imageTag: sha(3) }] }));
    expect(imageDetails?.[0]?.imageTags?.sort()).toEqual([sha(3), 'latest']);
    expect(await registry.tags('shop-api')).toEqual(tagsBefore);

    // A re-run finds every tag in place.
    const again = await build({ service: 'api' }, { sha: sha(3), env: { PATH: '/nonexistent' } });
    expect(again.outputs.skipped).toBe('true');
    expect(again.log).toContain('Every tag already points at it.');
  });

  it('names the create-repository command for a missing repository and pushes nothing; create-repository: true creates it', async () => {
    const refused = await build({ service: 'worker' });
    expect(refused.code).toBe(1);
    expect(refused.log).toContain('The ECR repository "shop-worker" does not exist in us-east-1. Nothing was built or pushed.');
    expect(refused.log).toContain('aws ecr create-repository --repository-name shop-worker --region us-east-1 --image-tag-mutability MUTABLE --image-scanning-configuration scanOnPush=false');
    expect(await registry.repositories()).not.toContain('shop-worker');

    const created = await build({ service: 'worker', 'create-repository': 'true', 'scan-on-push': 'true', cache: 'none' });
    expectSuccess(created);
    expect(created.log).toContain('Created the ECR repository shop-worker (tags mutable, scan on push on).');
    const { repositories } = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['shop-worker'] }));
    expect(repositories?.[0]).toMatchObject({ imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: true } });
    expect(await registry.tags('shop-worker')).toEqual([sha(1), 'latest']);
    expect(created.log).not.toContain('--cache-to');
  });

  it('names a missing Dockerfile or context and where the path came from', async () => {
    const noDockerfile = await build({ service: 'api', dockerfile: 'docker/missing.Dockerfile' });
    expect(noDockerfile.code).toBe(1);
    expect(noDockerfile.log).toContain(`The Dockerfile "docker/missing.Dockerfile" (${join(workspace, 'docker/missing.Dockerfile')}, from the "dockerfile" input) does not exist.`);

    const noContext = await build({ repository: 'shop-api', context: 'apps/gone' });
    expect(noContext.code).toBe(1);
    expect(noContext.log).toContain('The build context "apps/gone"');
    expect(noContext.log).toContain('does not exist');
  });

  it('says what to install when docker is missing, before creating anything', async () => {
    const result = await build({ service: 'worker', 'create-repository': 'true' }, { env: { PATH: '/nonexistent' } });
    expect(result.code).toBe(1);
    expect(result.log).toContain('docker is not installed or not on PATH');
    expect(result.log).toContain('apt-get install docker.io docker-buildx');
    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['shop-worker'] }))).rejects.toThrow(/does not exist/);
    expectNoDockerConfigLeft(result);
  });

  it('says what is wrong with the engine or the builder before creating anything', async () => {
    const down = await build({ service: 'worker', 'create-repository': 'true' }, { env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    expect(down.code).toBe(1);
    expect(down.log).toMatch(/The buildx builder "default" cannot be used: Cannot connect to the Docker daemon at unix:\/\/\/nonexistent\/docker.sock/);

    const platforms = await build({ service: 'worker', 'create-repository': 'true', platforms: 'linux/amd64,linux/arm64' });
    expect(platforms.code).toBe(1);
    expect(platforms.log).toContain('uses the docker driver, which builds one platform at a time, but "platforms" asks for linux/amd64, linux/arm64');

    const builder = await build({ service: 'worker', 'create-repository': 'true', builder: 'ci-builder' });
    expect(builder.code).toBe(1);
    expect(builder.log).toMatch(/The buildx builder "ci-builder" cannot be used: .*ci-builder/);
    expect(builder.log).toContain('Check the "builder" input');

    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['shop-worker'] }))).rejects.toThrow(/does not exist/);
  });

  it('says what to install when buildx is missing, before creating anything', async () => {
    const result = await build({ service: 'worker', 'create-repository': 'true' }, { launcher: withoutSystemPlugins() });
    expect(result.code).toBe(1);
    expect(result.log).toMatch(/docker buildx is not available: docker said ".*buildx.*"/);
    expect(result.log).toContain('apt-get install docker-buildx');
    await expect(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['shop-worker'] }))).rejects.toThrow(/does not exist/);
  });

  it("keeps using a buildx plugin that lives in the user's ~/.docker/cli-plugins", async () => {
    await createRepository('shop-worker');
    const userHome = mkdtempSync(join(tmpdir(), 'berth-home-plugins-'));
    const plugins = join(userHome, '.docker', 'cli-plugins');
    mkdirSync(plugins, { recursive: true });
    const system = existingPluginDirs()
      .map((dir) => join(dir, 'docker-buildx'))
      .find((path) => existsSync(path));
    expect(system).toBeDefined();
    copyFileSync(system!, join(plugins, 'docker-buildx'));
    chmodSync(join(plugins, 'docker-buildx'), 0o755);
    try {
      const result = await build({ service: 'worker' }, { launcher: withoutSystemPlugins(), env: { HOME: userHome } });
      expectSuccess(result);
      expect(result.log).toContain(`carried over from ${join(userHome, '.docker')}: cli-plugins`);
      expect(await registry.tags('shop-worker')).toEqual([sha(1), 'latest']);
      expect(readdirSync(join(userHome, '.docker')).sort()).toEqual(['cli-plugins']);
    } finally {
      rmSync(userHome, { recursive: true, force: true });
    }
  });

  it('retries a push the registry fails transiently, saying why each time', async () => {
    await createRepository();
    // The engine retries failed layer uploads itself; a failed manifest upload fails the build.
    const proxy = await startFaultyProxy(registry.host, (req) => req.method === 'PUT' && /\/manifests\//.test(req.url ?? ''), [503, 'reset']);
    try {
      const result = await build({ service: 'api', registry: proxy.host }, { sha: sha(4) });
      expectSuccess(result);
      expect(proxy.injected).toHaveLength(2);
      expect(result.log).toMatch(/::warning::Build and push failed \(attempt 1 of 4\): the registry answered HTTP 503 Service Unavailable/);
      expect(result.log).toMatch(/::warning::Build and push failed \(attempt 2 of 4\): the (connection|registry) /);
      expect(result.log).toMatch(/after 3 attempts/);
      expect(await registry.digest('shop-api', sha(4))).toBe(result.outputs.digest);
    } finally {
      await proxy.close();
    }
  });

  it('removes the temporary docker config when the job is cancelled', async () => {
    await createRepository();
    const running = startAction('build-push', {
      cwd: workspace,
      inputs: { service: 'api', registry: registry.host, network: 'none' },
      env: { ...awsTestEnv(), ...engine.env(), HOME: home, RUNNER_TEMP: runnerTemp, GITHUB_SHA: sha(5) },
    });
    await running.waitForLog('Temporary docker config');
    expect(readdirSync(runnerTemp)).toHaveLength(1);
    running.child.kill('SIGTERM');
    const result = await running.result;
    expect(result.signal).toBe('SIGTERM');
    expect(readdirSync(runnerTemp)).toEqual([]);
  });

  it('fails a broken Dockerfile step once, without retrying, naming the step', async () => {
    await createRepository('shop-broken');
    writeFileSync(join(workspace, 'docker/broken.Dockerfile'), 'FROM scratch\nCOPY docker/rootfs/ /\nRUN exit 3\n');
    const result = await build({ repository: 'shop-broken', dockerfile: 'docker/broken.Dockerfile' });
    expect(result.code).toBe(1);
    expect(result.log).toMatch(/docker buildx build failed at step \[2\/2\] RUN exit 3: .*exit code: 3/);
    expect(result.log).not.toContain('attempt 1 of');
    expect(result.summary).toContain('failed: docker buildx build failed');
    expect(await registry.repositories()).not.toContain('shop-broken');
    expectNoDockerConfigLeft(result);
  });
});
