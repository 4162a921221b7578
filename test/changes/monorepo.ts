/**
 * A synthetic npm-workspaces monorepo, the same on every run: `services` apps under apps/sNN, each a
 * workspace package with its own glob in the manifest, and a second commit that modifies, adds,
 * deletes and renames files in the first `changedServices` of them.
 */
import { fastImport, type TestRepo } from './repo.js';

export interface MonorepoShape {
  services: number;
  filesPerService: number;
  changedServices: number;
  /** Per changed service. */
  modify: number;
  add: number;
  remove: number;
  rename: number;
}

/** 50 services, 20,003 files; 5,190 changed paths in 30 services (a rename counts as two paths). */
export const BENCH_SHAPE: MonorepoShape = { services: 50, filesPerService: 400, changedServices: 30, modify: 143, add: 10, remove: 10, rename: 5 };

export interface Monorepo {
  before: string;
  after: string;
  files: number;
  changedPaths: number;
  changedServices: string[];
}

const name = (index: number) => `s${String(index).padStart(2, '0')}`;
const source = (service: number, file: number) => `apps/${name(service)}/src/m${Math.floor(file / 20)}/f${file % 20}.ts`;

export function manifestFor(services: number): string {
  const lines = ['region: us-east-1', 'cluster: bench', 'always: [package-lock.json, .github/services.yml]', 'services:'];
  for (let i = 0; i < services; i++) lines.push(`  ${name(i)}:`, `    paths: [apps/${name(i)}/**]`, `    repository: bench-${name(i)}`);
  return `${lines.join('\n')}\n`;
}

export function buildMonorepo(repo: TestRepo, shape: MonorepoShape): Monorepo {
  const base = new Map<string, string>([
    ['package.json', `${JSON.stringify({ name: 'bench', private: true, workspaces: ['apps/*'] }, null, 2)}\n`],
    ['package-lock.json', '{}\n'],
    ['.github/services.yml', manifestFor(shape.services)],
  ]);
  for (let s = 0; s < shape.services; s++) {
    base.set(`apps/${name(s)}/package.json`, `${JSON.stringify({ name: `@bench/${name(s)}`, version: '1.0.0' }, null, 2)}\n`);
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
  const [before, after] = fastImport(repo, [
    { message: 'Monorepo', files: base },
    { message: 'Change many services', files: change, renames },
  ]);
  return {
    before: before!,
    after: after!,
    files: base.size,
    changedPaths: shape.changedServices * (shape.modify + shape.add + shape.remove + 2 * shape.rename),
    changedServices: Array.from({ length: shape.changedServices }, (_, i) => name(i)),
  };
}
