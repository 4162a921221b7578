/**
 * Real container stand-ins for the build tests: an isolated Docker engine (its own data and exec
 * roots, loopback only, vfs storage), Debian's docker-registry with htpasswd basic auth, and a
 * loopback proxy that can fail requests on purpose. Each fails with the Debian package to install
 * when its program is missing; nothing is ever skipped.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './ports.js';

const run = promisify(execFile);

/** Directories where the docker CLI finds system-wide plugins such as buildx. */
const SYSTEM_PLUGIN_DIRS = ['/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];

const INSTALL = 'Run scripts/install-components.sh (as root) to install it.';

/** Whether `program` is on the PATH. */
export async function isInstalled(program: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${program}`]);
    return true;
  } catch {
    return false;
  }
}

interface Background {
  child: ChildProcess;
  output: () => string;
}

function startBackground(program: string, args: string[], env: NodeJS.ProcessEnv = process.env): Background {
  const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => output };
}

async function stopBackground({ child }: Background, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

function exitedEarly(background: Background, what: string): Promise<never> {
  return new Promise((_, reject) => background.child.once('exit', (code) => reject(new Error(`${what} exited with code ${code} while starting:\n${background.output()}`))));
}

export interface DockerEngine {
  /** unix:// address of the engine's socket. */
  host: string;
  /** Variables that point the docker CLI at this engine. */
  env(): Record<string, string>;
  stop(): Promise<void>;
}

/** Starts a private dockerd; fails naming the Debian package when dockerd or buildx is missing. */
export async function startDocker(): Promise<DockerEngine> {
  if (!(await isInstalled('dockerd'))) throw new Error(`dockerd is not installed: the build tests need Debian's "docker.io" package. ${INSTALL}`);
  if (!(await isInstalled('docker'))) throw new Error(`The docker CLI is not installed: the build tests need Debian's "docker.io" package. ${INSTALL}`);
  try {
    await run('docker', ['buildx', 'version']);
  } catch {
    throw new Error(`docker buildx is not installed: the build tests need Debian's "docker-buildx" package (from the trixie suite) as a docker CLI plugin. ${INSTALL}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'berth-dockerd-'));
  const host = `unix://${join(dir, 'docker.sock')}`;
  const daemon = startBackground('dockerd', [
    '--iptables=false',
    '--ip-masq=false',
    '--bridge=none',
    '--storage-driver=vfs',
    `--data-root=${join(dir, 'root')}`,
    `--exec-root=${join(dir, 'exec')}`,
    `--pidfile=${join(dir, 'dockerd.pid')}`,
    `--host=${host}`,
  ]);
  const env = { ...process.env, DOCKER_HOST: host };
  const early = exitedEarly(daemon, 'dockerd');
  early.catch(() => {});
  try {
    await Promise.race([waitFor(async () => (await run('docker', ['info', '--format', '{{.ServerVersion}}'], { env })).stdout.trim() !== '', 'dockerd to answer', 60_000), early]);
  } catch (error) {
    await stopBackground(daemon);
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}\ndockerd log:\n${daemon.output()}`);
  }
  return {
    host,
    env: () => ({ DOCKER_HOST: host }),
    stop: async () => {
      await stopBackground(daemon);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Registry {
  /** host:port, as docker names it. */
  host: string;
  url: string;
  stop(): Promise<void>;
  /** Tags of `repository`, or [] when it has none. */
  tags(repository: string): Promise<string[]>;
  /** The Docker-Content-Digest of `repository:reference`, or undefined when it does not exist. */
  digest(repository: string, reference: string): Promise<string | undefined>;
  /** The image config (labels included) of `repository:reference`. */
  config(repository: string, reference: string): Promise<{ config?: { Labels?: Record<string, string> } }>;
  repositories(): Promise<string[]>;
  /** The manifest of `repository:reference` as stored (its exact bytes) and its media type. */
  manifest(repository: string, reference: string): Promise<{ body: string; mediaType: string }>;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** Starts Debian's docker-registry on loopback with basic auth for one user. */
export async function startRegistry(user: string, password: string): Promise<Registry> {
  if (!(await isInstalled('docker-registry'))) throw new Error(`docker-registry is not installed: the build tests need Debian's "docker-registry" package. ${INSTALL}`);
  if (!(await isInstalled('htpasswd'))) throw new Error(`htpasswd is not installed: the build tests need Debian's "apache2-utils" package. ${INSTALL}`);
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const htpasswd = (await run('htpasswd', ['-Bbn', user, password])).stdout;
  writeFileSync(join(dir, 'htpasswd'), htpasswd);
  const port = await freePort();
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${join(dir, 'data')} } }`,
      `http: { addr: "127.0.0.1:${port}" }`,
      `auth: { htpasswd: { realm: berth-test, path: ${join(dir, 'htpasswd')} } }`,
      '',
    ].join('\n'),
  );
  const server = startBackground('docker-registry', ['serve', join(dir, 'config.yml')]);
  const url = `http://127.0.0.1:${port}`;
  const early = exitedEarly(server, 'docker-registry');
  early.catch(() => {});
  await Promise.race([waitFor(async () => (await fetch(`${url}/v2/`)).status === 401, 'docker-registry to answer', 30_000), early]);

  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const get = (path: string, method = 'GET') => fetch(`${url}${path}`, { method, headers: { authorization, accept: MANIFEST_TYPES } });
  return {
    host: `127.0.0.1:${port}`,
    url,
    stop: async () => {
      await stopBackground(server);
      rmSync(dir, { recursive: true, force: true });
    },
    tags: async (repository) => {
      const response = await get(`/v2/${repository}/tags/list`);
      if (response.status === 404) return [];
      return (((await response.json()) as { tags?: string[] | null }).tags ?? []).sort();
    },
    digest: async (repository, reference) => {
      const response = await get(`/v2/${repository}/manifests/${reference}`, 'HEAD');
      return response.ok ? (response.headers.get('docker-content-digest') ?? undefined) : undefined;
    },
    config: async (repository, reference) => {
      const manifest = (await (await get(`/v2/${repository}/manifests/${reference}`)).json()) as { config: { digest: string } };
      return (await (await get(`/v2/${repository}/blobs/${manifest.config.digest}`)).json()) as { config?: { Labels?: Record<string, string> } };
    },
    repositories: async () => (((await (await get('/v2/_catalog')).json()) as { repositories?: string[] }).repositories ?? []).sort(),
    manifest: async (repository, reference) => {
      const response = await get(`/v2/${repository}/manifests/${reference}`);
      if (!response.ok) throw new Error(`${repository}:${reference} is not in the registry (HTTP ${response.status})`);
      return { body: await response.text(), mediaType: response.headers.get('content-type') ?? '' };
    },
  };
}

export type ProxyFault = 503 | 'reset';

export interface FaultyProxy {
  host: string;
  /** Faults injected so far, with the request each one hit. */
  injected: string[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of `target` (host:port) that answers the first requests matching
 * `matches` with the given faults (an HTTP 503, or a dropped connection), then passes all through.
 */
export async function startFaultyProxy(target: string, matches: (req: IncomingMessage) => boolean, faults: ProxyFault[]): Promise<FaultyProxy> {
  const [targetHost, targetPort] = target.split(':');
  const pending = [...faults];
  const injected: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (pending.length > 0 && matches(req)) {
      const fault = pending.shift()!;
      injected.push(`${fault} ${req.method} ${req.url}`);
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      req.resume();
      res.writeHead(fault, { 'content-type': 'text/plain' }).end('scripted outage');
      return;
    }
    const upstream = request({ host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** System plugin directories that exist here (to hide buildx from a command run in its own mount namespace). */
export function existingPluginDirs(): string[] {
  return SYSTEM_PLUGIN_DIRS.filter((dir) => existsSync(dir));
}
