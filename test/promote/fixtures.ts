/**
 * Set-up for the promotion tests: images pushed through the registry API as a build would push
 * them, and ECS environments seeded in moto, each in its own account (moto acts in the account of
 * the role the credentials were assumed into).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { motoUrl, TEST_REGION } from '../../standins/moto.js';
import type { Registry } from '../../standins/docker.js';

export const sha = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** Pushes blobs and a manifest through the registry API, as a build would; returns the manifest's digest. */
export async function push(registry: Registry, auth: string, repository: string, reference: string, manifest: object, mediaType: string, blobs: Buffer[] = []): Promise<string> {
  const authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
  for (const blob of blobs) {
    const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST', headers: { authorization } });
    const location = new URL(start.headers.get('location')!, registry.url);
    location.searchParams.set('digest', sha(blob));
    const done = await fetch(location, { method: 'PUT', headers: { authorization, 'content-type': 'application/octet-stream' }, body: blob });
    if (!done.ok) throw new Error(`blob upload failed: ${done.status}`);
  }
  const body = JSON.stringify(manifest);
  const put = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, { method: 'PUT', headers: { authorization, 'content-type': mediaType }, body });
  if (!put.ok) throw new Error(`manifest put failed: ${put.status} ${await put.text()}`);
  return sha(body);
}

/** A one-layer image for a platform: its manifest, blobs and manifest size. */
export function image(platform: string): { manifest: object; blobs: Buffer[]; size: number } {
  const layer = Buffer.from(`layer for ${platform} ${Math.random()}`);
  const config = Buffer.from(JSON.stringify({ architecture: platform.split('/')[1], os: 'linux', rootfs: { type: 'layers', diff_ids: [sha(layer)] } }));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  };
  return { manifest, blobs: [config, layer], size: JSON.stringify(manifest).length };
}

/** Builds and pushes `repository:tag` for `platforms` (an index when there are several); returns its digest and its children's. */
export async function pushBuild(registry: Registry, auth: string, repository: string, tag: string, platforms: string[]): Promise<{ digest: string; children: string[] }> {
  if (platforms.length === 1) {
    const { manifest, blobs } = image(platforms[0]!);
    return { digest: await push(registry, auth, repository, tag, manifest, 'application/vnd.oci.image.manifest.v1+json', blobs), children: [] };
  }
  const children = [];
  for (const platform of platforms) {
    const { manifest, blobs, size } = image(platform);
    const digest = await push(registry, auth, repository, sha(JSON.stringify(manifest)), manifest, 'application/vnd.oci.image.manifest.v1+json', blobs);
    children.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size, platform: { os: 'linux', architecture: platform.split('/')[1] } });
  }
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: children };
  return { digest: await push(registry, auth, repository, tag, index, 'application/vnd.oci.image.index.v1+json'), children: children.map((child) => child.digest) };
}

/** Credentials that act in `account` at moto. */
async function accountCredentials(account: string): Promise<AwsCredentialIdentity> {
  const sts = new STSClient({ region: TEST_REGION, endpoint: motoUrl(), credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const { Credentials: c } = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/platform-admin`, RoleSessionName: 'seed' }));
  sts.destroy();
  return { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! };
}

async function clientsIn(account: string): Promise<{ ecs: ECSClient; ecr: ECRClient }> {
  const credentials = await accountCredentials(account);
  const config = { region: TEST_REGION, endpoint: motoUrl(), credentials };
  return { ecs: new ECSClient(config), ecr: new ECRClient(config) };
}

export interface SeedService {
  name: string;
  container: string;
  image: string;
}

/** A cluster whose services run `image` each, with the account's task execution role; and ECR repositories. */
export async function seedEnvironment(account: string, cluster: string, services: SeedService[], repositories: string[] = []): Promise<string> {
  const { ecs, ecr } = await clientsIn(account);
  const executionRole = `arn:aws:iam::${account}:role/ecsTaskExecutionRole`;
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    for (const service of services) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: service.name,
          executionRoleArn: executionRole,
          containerDefinitions: [{ name: service.container, image: service.image, essential: true, memory: 256 }],
        }),
      );
      await ecs.send(new CreateServiceCommand({ cluster, serviceName: service.name, taskDefinition: service.name, desiredCount: 1 }));
    }
    for (const repository of repositories) await ecr.send(new CreateRepositoryCommand({ repositoryName: repository }));
  } finally {
    ecs.destroy();
    ecr.destroy();
  }
  return executionRole;
}

export async function setRepositoryPolicy(account: string, repository: string, policy: object): Promise<void> {
  const { ecr, ecs } = await clientsIn(account);
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository })).catch((error: Error) => {
      if (error.name !== 'RepositoryAlreadyExistsException') throw error;
    });
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: repository, policyText: JSON.stringify(policy) }));
  } finally {
    ecr.destroy();
    ecs.destroy();
  }
}

const workspaces: string[] = [];

/** A checked-out repository with a services manifest. */
export function workspace(manifest: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'promote-ws-'));
  workspaces.push(dir);
  mkdirSync(join(dir, '.github'));
  writeFileSync(join(dir, '.github', 'services.yml'), manifest);
  return dir;
}

export function removeWorkspaces(): void {
  for (const dir of workspaces.splice(0)) rmSync(dir, { recursive: true, force: true });
}
