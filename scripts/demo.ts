#!/usr/bin/env tsx
// The example monorepo's pipeline end to end on this machine, against local stand-ins for AWS,
// ECS rollouts, Docker and Slack. Exits 0 when everything happened as the story says.
import { parseArgs } from 'node:util';
import { runDemo } from '../demo/story.js';
import { wantsColour } from '../demo/terminal.js';

const USAGE = `Usage: npm run demo [-- --no-docker]

Builds a git history for examples/monorepo and runs every Berth action's bundle on it as a GitHub
runner would, wired like .github/workflows/deploy.yml: a release with a Prisma migration, a broken
release that is detected and rolled back, a manual rollback through rollback.yml, blue/green and
canary releases, then staging and production: a release built once, deployed to staging, approved
and promoted to production by digest, and a release that fails in staging and goes no further.

Needs moto_server on PATH (pip install "moto[server]"). Builds images for real when dockerd,
docker buildx and docker-registry are installed (scripts/install-components.sh installs them).

  --no-docker   never build, even when Docker is installed (build-push finds each image in ECR)
  --help

Colours follow the terminal; NO_COLOR=1 turns them off, FORCE_COLOR=1 on.`;

// GitHub's runners run the actions on node24; on an older Node the AWS SDK would print an upgrade warning.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const { values } = parseArgs({ options: { 'no-docker': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } }, strict: true });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

let cancel: (() => void) | undefined;
let interruptedAt: number | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // The first signal stops the run and cleans up. Copies that arrive together (the terminal
    // signals the whole process group, and tsx relays it) are ignored; a second Ctrl-C later leaves at once.
    if (interruptedAt !== undefined) {
      if (Date.now() - interruptedAt > 1000) process.exit(130);
      return;
    }
    interruptedAt = Date.now();
    process.stdout.write('\nStopping: every stand-in and temporary folder is being cleaned up (Ctrl-C again to leave at once)…\n');
    cancel?.();
  });
}

const report = await runDemo({
  write: (text) => process.stdout.write(text),
  colour: wantsColour(process.stdout),
  width: process.stdout.columns,
  docker: !values['no-docker'],
  onCancellable: (stop) => (cancel = stop),
});
process.exitCode = interruptedAt !== undefined ? 130 : report.ok ? 0 : 1;
