/** Copying images by digest between two real registries (Debian's docker-registry), with skopeo. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyByDigest, registryDigest, type RegistryRepository } from '../../shared/promote/copy-image.js';
import { UserError } from '../../shared/errors.js';
import { startRegistry, type Registry } from '../../standins/docker.js';
import { image, push, sha } from './fixtures.js';

describe('copying an image by digest', () => {
  let build: Registry;
  let prod: Registry;
  let temp: string;
  const from = (): RegistryRepository => ({ registry: build.host, repository: 'shop-api', auth: { username: 'AWS', password: 'build-token' } });
  const to = (): RegistryRepository => ({ registry: prod.host, repository: 'shop-api', auth: { username: 'AWS', password: 'prod-token' } });

  beforeAll(async () => {
    [build, prod] = await Promise.all([startRegistry('AWS', 'build-token'), startRegistry('AWS', 'prod-token')]);
    temp = mkdtempSync(join(tmpdir(), 'copy-'));
  });
  afterAll(async () => {
    await Promise.all([build?.stop(), prod?.stop()]);
    rmSync(temp, { recursive: true, force: true });
  });

  it('copies a multi-platform image with its index digest, once', async () => {
    const platforms = ['linux/amd64', 'linux/arm64'].map((platform) => ({ platform, ...image(platform) }));
    const children = [];
    for (const { platform, manifest, blobs, size } of platforms) {
      const digest = await push(build, 'AWS:build-token', 'shop-api', sha(JSON.stringify(manifest)), manifest, 'application/vnd.oci.image.manifest.v1+json', blobs);
      children.push({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size, platform: { os: 'linux', architecture: platform.split('/')[1] } });
    }
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: children };
    const digest = await push(build, 'AWS:build-token', 'shop-api', 'abc123', index, 'application/vnd.oci.image.index.v1+json');

    const lines: string[] = [];
    const first = await copyByDigest({ digest, from: from(), to: to(), tag: 'abc123', tempDir: temp, log: (line) => lines.push(line) });
    expect(first).toEqual({ digest, copied: true });
    expect(await prod.digest('shop-api', 'abc123')).toBe(digest);
    for (const child of children) expect(await prod.digest('shop-api', child.digest)).toBe(child.digest);
    expect(lines.join('\n')).not.toMatch(/build-token|prod-token/);
    // The short-lived credentials file is gone.
    expect(readdirSync(temp)).toEqual([]);

    const again = await copyByDigest({ digest, from: from(), to: to(), tag: 'abc123', tempDir: temp, log: (line) => lines.push(line) });
    expect(again).toEqual({ digest, copied: false });
    expect(lines.at(-1)).toBe(`${prod.host}/shop-api already has ${digest}; nothing to copy.`);
  });

  it('keeps the digest of a single-platform image', async () => {
    const { manifest, blobs } = image('linux/amd64');
    const digest = await push(build, 'AWS:build-token', 'shop-api', 'single', manifest, 'application/vnd.oci.image.manifest.v1+json', blobs);
    expect(await copyByDigest({ digest, from: from(), to: to(), tag: 'single', tempDir: temp })).toEqual({ digest, copied: true });
    expect(await registryDigest(to(), 'single')).toBe(digest);
  });

  it('refuses a digest the source does not have, and credentials a registry refuses, naming them', async () => {
    const missing = `sha256:${'0'.repeat(64)}`;
    const error = await copyByDigest({ digest: missing, from: from(), to: to(), tag: 'x', tempDir: temp }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(`${build.host}/shop-api has no image ${missing} to copy.`);

    const refused = await copyByDigest({ digest: missing, from: from(), to: { ...to(), auth: { username: 'AWS', password: 'wrong' } }, tag: 'x', tempDir: temp }).catch((caught: unknown) => caught);
    expect((refused as UserError).message).toBe(`The registry ${prod.host} refused the credentials for shop-api (HTTP 401).`);
  });
});
