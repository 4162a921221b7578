/**
 * The local stand-ins the demo runs against, each stopped by its own handle: moto for AWS, the
 * OIDC token endpoint, the ECS rollout simulator, the Slack receiver, and — when installed — a
 * private Docker engine and registry. Missing programs are reported with what to install.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { isInstalled, startDocker, startRegistry, type DockerEngine, type Registry } from '../standins/docker.js';
import { freePort, waitFor } from '../standins/ports.js';

const run = promisify(execFile);

/** Things to stop, last started first; each runs once even when cleanup is asked twice (Ctrl-C during cleanup). */
export class Cleanup {
  private readonly tasks: { what: string; stop: () => Promise<void> | void }[] = [];
  private running: Promise<string[]> | undefined;

  add(what: string, stop: () => Promise<void> | void): void {
    this.tasks.push({ what, stop });
  }

  /** Stops everything; returns what could not be stopped cleanly. */
  run(): Promise<string[]> {
    this.running ??= (async () => {
      const problems: string[] = [];
      for (const task of this.tasks.splice(0).reverse()) {
        try {
          await task.stop();
        } catch (error) {
          problems.push(`${task.what}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      return problems;
    })();
    return this.running;
  }
}

export class MissingComponent extends Error {
  constructor(
    message: string,
    readonly install: string,
  ) {
    super(message);
  }
}

export interface Moto {
  url: string;
  pid: number;
}

/** moto_server on a free loopback port, stopped by its PID at cleanup. */
export async function startMoto(cleanup: Cleanup): Promise<Moto> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new MissingComponent('moto_server is not installed (the demo plays AWS with moto).', 'pip install "moto[server]"') : new Error(`moto_server could not start: ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`moto_server exited with code ${code} while starting: ${stderr}`)));
  });
  failed.catch(() => {});
  cleanup.add('moto_server', () => stopChild(child));
  await Promise.race([waitFor(async () => (await fetch(`${url}/moto-api/`)).ok, 'moto_server to answer', 30_000), failed]);
  return { url, pid: child.pid! };
}

function stopChild(child: ReturnType<typeof spawn>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** What is missing for real builds, each with what installs it; empty when everything is there. */
export async function missingForBuilds(): Promise<{ what: string; install: string }[]> {
  const missing: { what: string; install: string }[] = [];
  const apt = (pkg: string) => `apt-get install ${pkg} (or scripts/install-components.sh)`;
  if (!(await isInstalled('dockerd'))) missing.push({ what: 'dockerd (the Docker engine)', install: apt('docker.io') });
  if (!(await isInstalled('docker'))) missing.push({ what: 'the docker CLI', install: apt('docker.io') });
  else if (
    !(await run('docker', ['buildx', 'version']).then(
      () => true,
      () => false,
    ))
  ) {
    missing.push({ what: 'docker buildx', install: "Debian trixie's docker-buildx as a docker CLI plugin: scripts/install-components.sh installs it" });
  }
  if (!(await isInstalled('docker-registry'))) missing.push({ what: 'docker-registry (a local registry to push to)', install: apt('docker-registry') });
  if (!(await isInstalled('htpasswd'))) missing.push({ what: 'htpasswd (the registry login)', install: apt('apache2-utils') });
  return missing;
}

export interface Builds {
  docker: DockerEngine;
  registry: Registry;
}

/** A private Docker engine and a registry that accepts ECR's login (user AWS and moto's password). */
export async function startBuilds(cleanup: Cleanup, ecrPassword: string): Promise<Builds> {
  const docker = await startDocker();
  cleanup.add('dockerd', () => docker.stop());
  const registry = await startRegistry('AWS', ecrPassword);
  cleanup.add('docker-registry', () => registry.stop());
  return { docker, registry };
}
