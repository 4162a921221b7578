/** The parts of build-push that decide things: inputs, cache plans, retry verdicts, buildx arguments, ECR tags. */
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BatchGetImageCommand, CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getInputs } from '../../actions/build-push/src/inputs.js';
import { buildxArgs, finalError, StepCounter, transientReason, type BuildPlan } from '../../shared/build-push/buildx.js';
import { planCache, type CacheContext } from '../../shared/build-push/cache.js';
import { createDockerConfig, parseInspect } from '../../shared/build-push/docker.js';
import { formatBytes } from '../../shared/build-push/summary.js';
import { UserError } from '../../shared/errors.js';
import { useMoto, TEST_REGION } from '../../standins/moto.js';
import { unmaskedLines } from '../../standins/run-action.js';
import { jsonError, startScriptedAws } from '../../standins/scripted-aws.js';
import { registryHost, registryLogin } from '../../shared/ecr/registry.js';
import { createRepository, findImage, pointTags } from '../../shared/ecr/repository.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';

function withInputs(inputs: Record<string, string>, body: () => void, workspace = '/work/repo'): void {
  const names = Object.keys(inputs).map((name) => `INPUT_${name.toUpperCase()}`);
  const saved = { GITHUB_SHA: process.env.GITHUB_SHA, GITHUB_WORKSPACE: process.env.GITHUB_WORKSPACE };
  Object.assign(process.env, { GITHUB_SHA: SHA, GITHUB_WORKSPACE: workspace });
  Object.entries(inputs).forEach(([name, value]) => (process.env[`INPUT_${name.toUpperCase()}`] = value));
  try {
    body();
  } finally {
    for (const name of names) delete process.env[name];
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  }
}

function inputError(inputs: Record<string, string>): UserError {
  let error: unknown;
  withInputs(inputs, () => {
    try {
      getInputs();
    } catch (caught) {
      error = caught;
    }
  });
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}

describe('inputs', () => {
  it('defaults to the full commit SHA and latest, adds extra tags once, and reads build args with commas and =', () => {
    withInputs({ service: 'api', 'extra-tags': 'v1.2.0, latest', 'build-args': 'NODE_ENV=production\n# a comment\nLIST=a,b=c\n' }, () => {
      const inputs = getInputs();
      expect(inputs).toMatchObject({
        service: 'api',
        manifest: '.github/services.yml',
        workingDirectory: '/work/repo',
        commitSha: SHA,
        tags: [SHA, 'latest', 'v1.2.0'],
        buildArgs: { NODE_ENV: 'production', LIST: 'a,b=c' },
        cache: 'registry',
        network: undefined,
        pushRetries: 3,
        createRepository: false,
        imageTagMutability: 'MUTABLE',
        scanOnPush: false,
        rebuild: false,
        provenance: false,
      });
    });
  });

  it('resolves working-directory against the workspace and takes explicit tags as given', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'build-inputs-'));
    mkdirSync(join(workspace, 'services'));
    try {
      withInputs(
        { repository: 'shop/api', 'working-directory': 'services', tags: 'edge', network: 'none', cache: 'GHA' },
        () => {
          expect(getInputs()).toMatchObject({ workingDirectory: join(workspace, 'services'), tags: ['edge'], network: 'none', cache: 'gha', repository: 'shop/api' });
        },
        workspace,
      );
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('names the input and the fix for each mistake', () => {
    expect(inputError({}).message).toBe('Input "service" is required (or "repository", to build without the services manifest).');
    expect(inputError({ repository: 'Shop_API' }).message).toContain('Input "repository" is "Shop_API", which is not an ECR repository name.');
    expect(inputError({ service: 'api', 'build-args': 'GOOD=1\nnot a pair' }).message).toContain('Line 2 of input "build-args" ("not a pair") is not KEY=VALUE.');
    expect(inputError({ service: 'api', 'extra-tags': '-bad' }).message).toContain('The tag "-bad"');
    expect(inputError({ service: 'api', registry: 'https://127.0.0.1:5000' }).hint).toContain('without https://');
    expect(inputError({ service: 'api', platforms: 'linux/amd64, arm64' }).message).toContain('"arm64"');
    expect(inputError({ service: 'api', 'push-retries': '50' }).message).toContain('a whole number from 0 to 10');
    expect(inputError({ service: 'api', cache: 's3' }).message).toContain('one of: registry, gha, inline, none');
  });
});

describe('transient failures', () => {
  it.each([
    ['received unexpected HTTP status: 503 Service Unavailable', 'the registry answered HTTP 503 Service Unavailable'],
    ['failed to push x: unexpected status from PUT request to https://1.dkr.ecr.us-east-1.amazonaws.com/v2/a/manifests/b: 500 Internal Server Error', 'HTTP 500 Internal Server Error'],
    ['Put "http://127.0.0.1:5000/v2/shop-api/manifests/abc": EOF', 'the registry closed the connection (EOF)'],
    ['failed to copy: read tcp 10.1.0.4:41262->52.1.1.1:443: read: connection reset by peer', 'connection reset by peer'],
    ['failed to do request: Head "https://1.dkr.ecr.us-east-1.amazonaws.com/v2/": net/http: TLS handshake timeout', 'TLS handshake timeout'],
    ['failed to copy: httpReadSeeker: failed open: unexpected EOF', 'unexpected EOF'],
    ['toomanyrequests: Rate exceeded', '429 Too Many Requests'],
    ['dial tcp 52.1.1.1:443: i/o timeout', 'timeout'],
  ])('%s is worth another try', (error, reason) => {
    expect(transientReason(error)).toContain(reason);
  });

  it.each([
    'process "/bin/sh -c npm ci" did not complete successfully: exit code: 1',
    'executor failed running [/bin/sh -c exit 3]: exit code: 3',
    'failed to compute cache key: failed to calculate checksum of ref: "/package.json": not found',
    'denied: User: arn:aws:sts::123456789012:assumed-role/x is not authorized to perform: ecr:InitiateLayerUpload',
    'unexpected status: 401 Unauthorized',
    'dockerfile parse error line 3: unknown instruction: RUNN',
  ])('%s is not', (error) => {
    expect(transientReason(error)).toBeUndefined();
  });

  it('judges the last top-level ERROR line, not a step that failed to import a cache', () => {
    const output = ['#3 ERROR: 127.0.0.1:5000/a:latest: not found', '#7 ERROR: received unexpected HTTP status: 503 Service Unavailable', '------', 'ERROR: received unexpected HTTP status: 503 Service Unavailable', ''].join('\n');
    expect(finalError(output)).toBe('received unexpected HTTP status: 503 Service Unavailable');
  });
});

describe('build steps', () => {
  it('counts Dockerfile steps, the cached ones, and names the one that failed', () => {
    const counter = new StepCounter();
    for (const line of [
      '#1 [internal] load build definition from Dockerfile',
      '#4 [toolchain 1/1] COPY docker/rootfs/ /',
      '#4 CACHED',
      '#5 [linux/amd64 build 2/2] RUN make',
      '#5 0.120 make: *** [all] Error 2',
      '#5 ERROR: process "/bin/sh -c make" did not complete successfully: exit code: 2',
    ])
      counter.see(line);
    expect([counter.steps.size, counter.cached.size, counter.failed]).toEqual([2, 1, '[linux/amd64 build 2/2] RUN make']);
  });

  it('passes every option to buildx, the context last', () => {
    const plan: BuildPlan = {
      context: '/repo',
      dockerfile: '/repo/docker/api.Dockerfile',
      refs: ['r/shop-api:abc', 'r/shop-api:latest'],
      labels: { 'org.opencontainers.image.revision': 'abc' },
      buildArgs: { NODE_ENV: 'production' },
      target: 'runtime',
      platforms: ['linux/amd64', 'linux/arm64'],
      network: 'none',
      builder: 'ci',
      cache: { mode: 'registry', from: ['type=registry,ref=r/shop-api:buildcache'], to: ['type=registry,ref=r/shop-api:buildcache,mode=max'] },
      provenance: false,
      metadataFile: '/tmp/meta.json',
    };
    expect(buildxArgs(plan)).toEqual([
      'buildx',
      'build',
      '--push',
      '--progress=plain',
      '--metadata-file=/tmp/meta.json',
      '--file=/repo/docker/api.Dockerfile',
      '--builder=ci',
      '--tag',
      'r/shop-api:abc',
      '--tag',
      'r/shop-api:latest',
      '--label',
      'org.opencontainers.image.revision=abc',
      '--build-arg',
      'NODE_ENV=production',
      '--target=runtime',
      '--platform=linux/amd64,linux/arm64',
      '--network=none',
      '--cache-from=type=registry,ref=r/shop-api:buildcache',
      '--cache-to=type=registry,ref=r/shop-api:buildcache,mode=max',
      '--provenance=false',
      '/repo',
    ]);
  });

  it('reads the builder from docker buildx inspect', () => {
    const text = [
      'Name:          ci',
      'Driver:        docker-container',
      'Last Activity: 2026-01-01',
      '',
      'Nodes:',
      'Name:      ci0',
      'Endpoint:  unix:///var/run/docker.sock',
      'Status:    running',
      'Platforms: linux/amd64, linux/amd64/v2*, linux/arm64*',
    ].join('\n');
    expect(parseInspect(text)).toEqual({ name: 'ci', driver: 'docker-container', error: undefined, platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/arm64'] });
    expect(parseInspect('Name:   default\nDriver: \nError:  Cannot connect to the Docker daemon\n').error).toBe('Cannot connect to the Docker daemon');
  });
});

describe('cache plans', () => {
  const context = (overrides: Partial<CacheContext> = {}): CacheContext => ({
    image: 'r/shop-api',
    repository: 'shop-api',
    driver: 'docker-container',
    movingTag: 'latest',
    existingTags: new Set(['latest', 'buildcache']),
    immutableTags: false,
    env: {},
    ...overrides,
  });

  it('exports a registry cache in the same repository as an OCI image manifest, as ECR needs', () => {
    expect(planCache('registry', context())).toEqual({
      mode: 'registry',
      from: ['type=registry,ref=r/shop-api:buildcache'],
      to: ['type=registry,ref=r/shop-api:buildcache,mode=max,image-manifest=true,oci-mediatypes=true'],
    });
    expect(planCache('registry', context({ existingTags: new Set() })).from).toEqual([]);
  });

  it('falls back to an inline cache, saying why, when the builder or repository cannot take the one asked for', () => {
    const docker = planCache('registry', context({ driver: 'docker' }));
    expect(docker).toMatchObject({ mode: 'inline', from: ['type=registry,ref=r/shop-api:latest'], to: ['type=inline'] });
    expect(docker.fallback).toContain('docker driver');
    expect(planCache('registry', context({ immutableTags: true })).fallback).toContain('immutable tags');
    expect(planCache('gha', context()).fallback).toContain('ACTIONS_RUNTIME_TOKEN');
    expect(planCache('gha', context({ driver: 'docker' })).fallback).toContain('GitHub Actions cache');
  });

  it('uses the GitHub Actions cache scoped to the repository when the runner offers it', () => {
    const env = { ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://results' };
    expect(planCache('gha', context({ env }))).toEqual({ mode: 'gha', from: ['type=gha,scope=shop-api'], to: ['type=gha,scope=shop-api,mode=max'] });
    expect(planCache('none', context())).toEqual({ mode: 'none', from: [], to: [] });
  });
});

describe('temporary docker config', () => {
  let home: string;
  let temp: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'berth-home-'));
    temp = mkdtempSync(join(tmpdir(), 'berth-temp-'));
  });
  afterEach(() => {
    rmSync(home, { recursive: true, force: true });
    rmSync(temp, { recursive: true, force: true });
  });

  it("carries the user's logins, proxies and builders over without their credential store, and leaves nothing behind", () => {
    const userDir = join(home, '.docker');
    mkdirSync(join(userDir, 'buildx'), { recursive: true });
    mkdirSync(join(userDir, 'cli-plugins'));
    const user = { auths: { 'ghcr.io': { auth: 'eDp5' } }, credsStore: 'desktop', proxies: { default: { httpProxy: 'http://proxy:3128' } }, currentContext: 'ci' };
    writeFileSync(join(userDir, 'config.json'), JSON.stringify(user));
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const config = createDockerConfig({ HOME: home, RUNNER_TEMP: temp, PATH: process.env.PATH });
      expect(config.dir.startsWith(temp)).toBe(true);
      expect(config.env.DOCKER_CONFIG).toBe(config.dir);
      expect(JSON.parse(readFileSync(join(config.dir, 'config.json'), 'utf8'))).toEqual({ auths: user.auths, proxies: user.proxies, currentContext: 'ci' });
      expect(lstatSync(join(config.dir, 'buildx')).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(config.dir, 'cli-plugins'))).toBe(join(userDir, 'cli-plugins'));
      config.dispose();
      config.dispose();
      expect(existsSync(config.dir)).toBe(false);
      expect(existsSync(join(userDir, 'buildx'))).toBe(true);
      expect(JSON.parse(readFileSync(join(userDir, 'config.json'), 'utf8'))).toEqual(user);
    } finally {
      stdout.mockRestore();
    }
  });
});

describe('ECR tags and credentials against moto', () => {
  useMoto();
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 464, digest: `sha256:${'a'.repeat(64)}` },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 124, digest: `sha256:${'b'.repeat(64)}` }],
  });

  async function seed() {
    const ecr = new ECRClient({ region: TEST_REGION });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shop-api' }));
    await ecr.send(new PutImageCommand({ repositoryName: 'shop-api', imageManifest: manifest, imageTag: SHA }));
    return ecr;
  }

  it('points more tags at an existing image with its own manifest, and leaves tags already there alone', async () => {
    const ecr = await seed();
    const image = (await findImage(ecr, 'shop-api', { tag: SHA }))!;
    expect(await pointTags(ecr, 'shop-api', image, [SHA, 'latest', 'v1'])).toEqual(['latest', 'v1']);
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'shop-api', imageIds: [{ imageDigest: image.imageDigest }] }));
    expect(imageDetails?.[0]?.imageTags?.sort()).toEqual([SHA, 'latest', 'v1'].sort());
    const { images } = await ecr.send(new BatchGetImageCommand({ repositoryName: 'shop-api', imageIds: [{ imageTag: 'latest' }] }));
    expect(images?.[0]?.imageManifest).toBe(manifest);
    expect(await pointTags(ecr, 'shop-api', (await findImage(ecr, 'shop-api', { tag: SHA }))!, [SHA, 'latest'])).toEqual([]);
    expect(await findImage(ecr, 'shop-api', { tag: 'nope' })).toBeUndefined();
  });

  it('explains an immutable tag that points elsewhere', async () => {
    // moto moves immutable tags anyway; ECR's refusal comes from a scripted endpoint.
    const digest = `sha256:${'d'.repeat(64)}`;
    const aws = await startScriptedAws(({ headers }) => {
      const operation = String(headers['x-amz-target']).split('.').pop();
      if (operation === 'BatchGetImage') {
        const image = { repositoryName: 'shop-api', imageId: { imageDigest: digest }, imageManifest: manifest, imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json' };
        return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ images: [image], failures: [] }) };
      }
      return jsonError(400, 'ImageTagAlreadyExistsException', "The image tag 'latest' already exists in the 'shop-api' repository and cannot be overwritten because the repository is immutable.");
    });
    try {
      const ecr = new ECRClient({ region: TEST_REGION, endpoint: aws.url, maxAttempts: 1 });
      const error = await pointTags(ecr, 'shop-api', { imageDigest: digest, imageTags: [SHA] }, ['latest']).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).message).toContain('The tag "latest" already points at another image in the ECR repository "shop-api", whose tags are immutable');
      expect(aws.calls.map((call) => String(call.headers['x-amz-target']).split('.').pop())).toEqual(['BatchGetImage', 'PutImage']);
    } finally {
      await aws.close();
    }
  });

  it('takes a repository another job created a moment ago, and names its registry host', async () => {
    const ecr = await seed();
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const repository = await createRepository(ecr, 'shop-api', { mutability: 'MUTABLE', scanOnPush: false });
      expect(registryHost(repository)).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com');
    } finally {
      stdout.mockRestore();
    }
  });

  it('masks the registry password and token before returning them', async () => {
    const chunks: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
    try {
      const login = await registryLogin(new ECRClient({ region: TEST_REGION }));
      expect(login).toEqual({ username: 'AWS', password: '123456789012-auth-token' });
      const log = chunks.join('');
      expect(log).toContain('::add-mask::123456789012-auth-token');
      expect(unmaskedLines(log, '123456789012-auth-token')).toEqual([]);
    } finally {
      stdout.mockRestore();
    }
  });
});

describe('summary', () => {
  it('shows sizes as a person reads them', () => {
    expect([formatBytes(512), formatBytes(2048), formatBytes(52_428_800), formatBytes(3 * 1024 ** 3)]).toEqual(['512 B', '2.0 KiB', '50 MiB', '3.0 GiB']);
  });
});
