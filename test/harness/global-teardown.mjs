export default async function globalTeardown() {
  await Promise.all(
    (globalThis.__motoServers ?? []).map(
      ({ child }) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
}
