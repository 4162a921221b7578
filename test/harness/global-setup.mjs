// Starts one moto server per jest worker on free loopback ports, so parallel test files never
// reset each other's state. Fails, never skips, when moto is missing. (Plain JavaScript: jest loads
// global setup outside its transform.)
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startMoto() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const failed = new Promise((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(error.code === 'ENOENT' ? 'moto_server is not on PATH. Install it with: pip install "moto[server]" (the integration tests need it and are never skipped).' : `moto_server failed to start: ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`moto_server exited with code ${code}: ${stderr}`)));
  });
  const ready = (async () => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`${url}/moto-api/`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`moto_server on ${url} did not answer within 30 s: ${stderr}`);
  })();
  await Promise.race([ready, failed]);
  failed.catch(() => {});
  return { url, child };
}

export default async function globalSetup(globalConfig) {
  const count = Math.max(1, globalConfig.maxWorkers ?? 1);
  const servers = await Promise.all(Array.from({ length: count }, startMoto));
  globalThis.__motoServers = servers;
  process.env.MOTO_URLS = servers.map((server) => server.url).join(',');
}
