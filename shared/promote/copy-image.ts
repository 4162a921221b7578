/**
 * Copies an image from one registry to another by digest, manifest lists and every platform
 * included, without a Docker daemon: skopeo (on GitHub's Ubuntu runners) keeps the digest or fails;
 * an image the target already has is not copied again, and the copy is checked by digest after.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { isLoopbackAddress } from '../net.js';
import { CommandNotFound, runCommand } from '../process.js';

interface RegistryAuth {
  username: string;
  password: string;
}

export interface RegistryRepository {
  /** host[:port], as in an image reference. */
  registry: string;
  repository: string;
  auth: RegistryAuth;
}

export interface CopyRequest {
  /** sha256:… of the image (a manifest or a manifest list). */
  digest: string;
  from: RegistryRepository;
  to: RegistryRepository;
  /** The tag the copy gets in the target (registries take copies by tag). */
  tag: string;
  /** Where a short-lived credentials file may be written (RUNNER_TEMP). */
  tempDir: string;
  log?: (line: string) => void;
}

export interface CopyResult {
  digest: string;
  /** False when the target already had the image. */
  copied: boolean;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** A registry on a loopback address is spoken to over plain http (local rehearsals); every other over https. */
const isLoopback = (registry: string) => isLoopbackAddress(registry.replace(/:\d+$/, ''));

const baseUrl = (registry: string) => `${isLoopback(registry) ? 'http' : 'https'}://${registry}`;

/** The digest the registry has under `reference` (a tag or a digest), or undefined when it has none. */
export async function registryDigest(location: RegistryRepository, reference: string): Promise<string | undefined> {
  const authorization = `Basic ${Buffer.from(`${location.auth.username}:${location.auth.password}`).toString('base64')}`;
  const response = await fetch(`${baseUrl(location.registry)}/v2/${location.repository}/manifests/${reference}`, { method: 'HEAD', headers: { authorization, accept: MANIFEST_TYPES } });
  if (response.status === 404) return undefined;
  if (response.status === 401 || response.status === 403) {
    throw new UserError(
      `The registry ${location.registry} refused the credentials for ${location.repository} (HTTP ${response.status}).`,
      'The role needs ecr:GetAuthorizationToken, and ecr:BatchGetImage on the repository (plus the upload actions to copy into it).',
    );
  }
  if (!response.ok) throw new Error(`${location.registry} answered HTTP ${response.status} for ${location.repository}@${reference}`);
  return response.headers.get('docker-content-digest') ?? undefined;
}

export async function copyByDigest(request: CopyRequest): Promise<CopyResult> {
  const { digest, from, to, tag } = request;
  const target = `${to.registry}/${to.repository}`;
  if ((await registryDigest(to, digest)) === digest) {
    request.log?.(`${target} already has ${digest}; nothing to copy.`);
    return { digest, copied: false };
  }
  if ((await registryDigest(from, digest)) !== digest) {
    throw new UserError(`${from.registry}/${from.repository} has no image ${digest} to copy.`, 'Promote a digest the source environment runs (or the build pushed); it may have been deleted by a lifecycle policy.');
  }
  const dir = mkdtempSync(join(request.tempDir, 'berth-copy-'));
  try {
    const authFile = join(dir, 'auth.json');
    const auths = Object.fromEntries([from, to].map((location) => [location.registry, { auth: Buffer.from(`${location.auth.username}:${location.auth.password}`).toString('base64') }]));
    writeFileSync(authFile, JSON.stringify({ auths }), { mode: 0o600 });
    chmodSync(authFile, 0o600);
    const source = `docker://${from.registry}/${from.repository}@${digest}`;
    const destination = `docker://${target}:${tag}`;
    request.log?.(`Copying ${from.registry}/${from.repository}@${digest} to ${target}:${tag}`);
    const args = ['copy', '--all', '--preserve-digests', '--retry-times', '3', '--authfile', authFile, `--src-tls-verify=${!isLoopback(from.registry)}`, `--dest-tls-verify=${!isLoopback(to.registry)}`, source, destination];
    let result;
    try {
      result = await runCommand('skopeo', args, { onStderrLine: request.log, onStdoutLine: request.log });
    } catch (error) {
      if (error instanceof CommandNotFound) {
        throw new UserError(
          'skopeo is not installed, and promoting by copy needs it: it copies every platform of an image between registries and keeps its digest, with no Docker daemon.',
          'GitHub-hosted Ubuntu runners have it. On a self-hosted runner install it (apt-get install skopeo), or promote with "images: pull" so the target account pulls from the build registry.',
        );
      }
      throw error;
    }
    if (result.code !== 0) {
      const last = result.stderr.trim().split('\n').at(-1) ?? '';
      throw new UserError(
        `Copying ${digest} to ${target} failed: ${last}`,
        'Check that the role may push to the target repository (ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage, ecr:BatchCheckLayerAvailability) and that the repository exists.',
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const copied = await registryDigest(to, tag);
  if (copied !== digest) throw new Error(`after the copy ${target}:${tag} is ${copied ?? 'missing'}, not ${digest}`);
  return { digest, copied: true };
}
