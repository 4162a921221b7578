/**
 * A small monorepo to build offline: images are FROM scratch, and RUN steps use this machine's own
 * /bin/dash and the libraries it loads, copied into a toolchain stage.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const MANIFEST = `region: us-east-1
cluster: shop-prod
services:
  api:
    paths: [apps/api/**]
    build:
      context: .
      dockerfile: docker/api.Dockerfile
      args: { GREETING: hello, CHANNEL: stable }
    repository: shop-api
  worker:
    paths: [apps/worker/**]
    build: { context: apps/worker }
    repository: shop-worker
`;

/** Three stages; the runtime stage's labels show which build args arrived. */
const API_DOCKERFILE = `FROM scratch AS toolchain
COPY docker/rootfs/ /

FROM toolchain AS build
ARG GREETING
COPY apps/api/message.txt /src/message.txt
RUN read line < /src/message.txt && echo "$GREETING, $line" > /built.txt

FROM scratch AS runtime
ARG GREETING
ARG CHANNEL
LABEL com.example.greeting=$GREETING com.example.channel=$CHANNEL
COPY --from=build /built.txt /app/built.txt
`;

export function createWorkspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'berth-build-ws-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('.github/services.yml', MANIFEST);
  write('docker/api.Dockerfile', API_DOCKERFILE);
  write('apps/api/message.txt', 'built offline\n');
  write('apps/worker/Dockerfile', 'FROM scratch\nCOPY job.txt /job.txt\n');
  write('apps/worker/job.txt', 'work\n');
  copyShell(join(root, 'docker', 'rootfs'));
  return root;
}

/** /bin/sh for a scratch image: dash and the shared libraries ldd says it loads. */
function copyShell(rootfs: string): void {
  const place = (from: string, to: string) => {
    mkdirSync(dirname(join(rootfs, to)), { recursive: true });
    copyFileSync(from, join(rootfs, to));
  };
  place('/bin/dash', 'bin/sh');
  const libraries = execFileSync('ldd', ['/bin/dash'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(\/\S+) \(0x/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
  for (const library of libraries) place(library, library);
}
