/** Test access to this worker's moto server (started by the global setup). */
import { beforeAll, beforeEach } from '@jest/globals';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';

export const TEST_REGION = 'us-east-1';
export const TEST_ACCOUNT = '123456789012';

export function motoUrl(): string {
  const urls = (process.env.MOTO_URLS ?? '').split(',').filter(Boolean);
  if (urls.length === 0) throw new Error('MOTO_URLS is not set: run the tests through jest so the global setup starts moto.');
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  return urls[(worker - 1) % urls.length]!;
}

async function resetMoto(): Promise<void> {
  const response = await fetch(`${motoUrl()}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}

/** Environment that points the real AWS SDK at moto with throwaway credentials. */
export function awsTestEnv(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: motoUrl(),
    AWS_REGION: TEST_REGION,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** In-process tests: SDK clients in this process reach moto; state is reset before each test. */
export function useMoto(): void {
  beforeAll(() => {
    Object.assign(process.env, awsTestEnv());
  });
  beforeEach(resetMoto);
}

/** Puts `repository:tag` into moto's ECR as build-push would have (the repository is created when missing). */
export async function pushImageToEcr(repository: string, tag: string): Promise<void> {
  const ecr = new ECRClient({ region: TEST_REGION, endpoint: motoUrl(), credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  try {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: repository })).catch((error: Error) => {
      if (error.name !== 'RepositoryAlreadyExistsException') throw error;
    });
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 464, digest: `sha256:${'a'.repeat(64)}` },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 124, digest: `sha256:${'b'.repeat(64)}` }],
    };
    await ecr.send(new PutImageCommand({ repositoryName: repository, imageTag: tag, imageManifest: JSON.stringify(manifest), imageManifestMediaType: manifest.mediaType }));
  } finally {
    ecr.destroy();
  }
}
