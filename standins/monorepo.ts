/**
 * A synthetic npm-workspaces monorepo, the same on every run: `services` apps under apps/sNN, each a
 * workspace package with its own glob in the manifest, and a second commit that modifies, adds,
 * deletes and renames files in the first `changedServices` of them. With `lockfile`, the manifest
 * says `lockfiles: precise` and every app depends on registry packages locked in a package-lock.json
 * (v3); with `bump`, the second commit also bumps packages only the changed apps use.
 */
import { fastImport, type TestRepo } from './git-repo.js';

export interface MonorepoShape {
  services: number;
  filesPerService: number;
  changedServices: number;
  /** Per changed service. */
  modify: number;
  add: number;
  remove: number;
  rename: number;
  /** Registry packages in the lockfile, how many each app depends on directly, and whether the change bumps some. */
  lockfile?: { packages: number; perService: number; bump: boolean };
}

/** 50 services, 20,003 files; 5,190 changed paths in 30 services (a rename counts as two paths); `lockfiles: precise`. */
export const BENCH_SHAPE: MonorepoShape = { services: 50, filesPerService: 400, changedServices: 30, modify: 143, add: 10, remove: 10, rename: 5, lockfile: { packages: 600, perService: 12, bump: false } };

export interface Monorepo {
  before: string;
  after: string;
  files: number;
  changedPaths: number;
  changedServices: string[];
}

const name = (index: number) => `s${String(index).padStart(2, '0')}`;
const source = (service: number, file: number) => `apps/${name(service)}/src/m${Math.floor(file / 20)}/f${file % 20}.ts`;

export function manifestFor(services: number, precise = false): string {
  const lines = ['region: us-east-1', 'cluster: bench', ...(precise ? ['lockfiles: precise'] : []), 'always: [package-lock.json, .github/services.yml]', 'services:'];
  for (let i = 0; i < services; i++) {
    lines.push(`  ${name(i)}:`, `    paths: [apps/${name(i)}/**]`, `    repository: bench-${name(i)}`);
    // The first service migrates its database as the README's API does.
    if (i === 0) lines.push(`    migrate: { command: ["sh", "-c", "cd apps/${name(i)} && npx prisma migrate deploy"] }`);
  }
  return `${lines.join('\n')}\n`;
}

export function buildMonorepo(repo: TestRepo, shape: MonorepoShape): Monorepo {
  const lock = shape.lockfile && lockfile(shape);
  const base = new Map<string, string>([
    ['package.json', `${JSON.stringify({ name: 'bench', private: true, workspaces: ['apps/*'] }, null, 2)}\n`],
    ['package-lock.json', lock?.before ?? '{}\n'],
    ['.github/services.yml', manifestFor(shape.services, lock !== undefined)],
  ]);
  for (let s = 0; s < shape.services; s++) {
    const dependencies = lock ? Object.fromEntries(lock.uses(s).map((pkg) => [pkg, '^1.0.0'])) : undefined;
    base.set(`apps/${name(s)}/package.json`, `${JSON.stringify({ name: `@bench/${name(s)}`, version: '1.0.0', dependencies }, null, 2)}\n`);
    for (let f = 0; f < shape.filesPerService - 1; f++) base.set(source(s, f), `export const value${f} = ${s * 1000 + f};\n`);
  }
  const change = new Map<string, string | null>();
  const renames: [string, string][] = [];
  for (let s = 0; s < shape.changedServices; s++) {
    let f = 0;
    for (let i = 0; i < shape.modify; i++, f++) change.set(source(s, f), `export const value${f} = ${s * 1000 + f} + 1;\n`);
    for (let i = 0; i < shape.remove; i++, f++) change.set(source(s, f), null);
    for (let i = 0; i < shape.rename; i++, f++) renames.push([source(s, f), `apps/${name(s)}/src/moved/f${i}.ts`]);
    for (let i = 0; i < shape.add; i++) change.set(`apps/${name(s)}/src/added/a${i}.ts`, `export const added${i} = ${i};\n`);
  }
  if (lock && shape.lockfile!.bump) change.set('package-lock.json', lock.after);
  const [before, after] = fastImport(repo, [
    { message: 'Monorepo', files: base },
    { message: 'Change many services', files: change, renames },
  ]);
  return {
    before: before!,
    after: after!,
    files: base.size,
    changedPaths: shape.changedServices * (shape.modify + shape.add + shape.remove + 2 * shape.rename) + (shape.lockfile?.bump ? 1 : 0),
    changedServices: Array.from({ length: shape.changedServices }, (_, i) => name(i)),
  };
}

/**
 * A package-lock.json v3 for the apps: registry packages r0..rN, each depending on two before it in
 * its half. Changed apps use the first half, the others the second; the bump touches the first half
 * only, so precision marks changed apps alone.
 */
function lockfile(shape: MonorepoShape): { before: string; after: string; uses: (service: number) => string[] } {
  const { packages, perService } = shape.lockfile!;
  const half = Math.floor(packages / 2);
  const pkg = (index: number) => `r${index}`;
  const uses = (service: number) => {
    const offset = service < shape.changedServices ? 0 : half;
    return Array.from({ length: perService }, (_, k) => pkg(offset + ((service * 7 + k * 13) % half)));
  };
  const render = (bumped: Set<number>) => {
    const entries: Record<string, unknown> = { '': { name: 'bench', workspaces: ['apps/*'] } };
    for (let s = 0; s < shape.services; s++) {
      const dir = `apps/${name(s)}`;
      entries[dir] = { name: `@bench/${name(s)}`, version: '1.0.0', dependencies: Object.fromEntries(uses(s).map((dep) => [dep, '^1.0.0'])) };
      entries[`node_modules/@bench/${name(s)}`] = { resolved: dir, link: true };
    }
    for (let i = 0; i < packages; i++) {
      const start = i < half ? 0 : half;
      const deps = [i - 1, i - 2].filter((dep) => dep >= start).map(pkg);
      const version = bumped.has(i) ? '1.0.1' : '1.0.0';
      entries[`node_modules/${pkg(i)}`] = {
        version,
        resolved: `https://registry.npmjs.org/${pkg(i)}/-/${pkg(i)}-${version}.tgz`,
        integrity: `sha512-${Buffer.from(`${pkg(i)}@${version}`).toString('base64')}`,
        ...(deps.length ? { dependencies: Object.fromEntries(deps.map((dep) => [dep, '^1.0.0'])) } : {}),
      };
    }
    return `${JSON.stringify({ name: 'bench', version: '1.0.0', lockfileVersion: 3, requires: true, packages: entries }, null, 2)}\n`;
  };
  return { before: render(new Set()), after: render(new Set([3, Math.floor(half / 2)])), uses };
}
