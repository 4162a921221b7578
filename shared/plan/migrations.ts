/** The Prisma migrations a change adds: `<anything>/prisma/migrations/<name>/migration.sql` at the head and not at the base. */
import type { Git } from '../changes/git.js';
import type { ChangePlan } from '../changes/detect.js';
import { short } from '../changes/git.js';
import type { MigrationFolder, MigrationPlan } from './types.js';

const MIGRATION_FILES = ':(glob)**/prisma/migrations/*/migration.sql';

export async function addedMigrations(git: Git, change: ChangePlan): Promise<MigrationPlan> {
  const migrating = change.services.filter((service) => service.changed && service.service.migrate);
  const services = migrating.map((service) => service.service.name);
  // Since last-deployed compares each service with its own commit: the migrations are those new since any of them.
  const bases = change.base ? [change.base] : [...new Set(migrating.map((service) => service.base).filter((base): base is string => Boolean(base)))];
  if (bases.length === 0) {
    const why = change.baseNote || 'nothing to compare with';
    return { services, added: [], unknown: `no base commit to compare with (${why}), so new migrations cannot be told from old ones` };
  }
  const files = new Set<string>();
  for (const base of bases) for (const file of await added(git, base, change.head)) files.add(file);
  return { services, added: [...files].sort().map(folderOf) };
}

async function added(git: Git, base: string, head: string): Promise<string[]> {
  const { code, stdout, stderr } = await git.run(['-c', 'diff.relative=false', 'diff', '--name-only', '-z', '--no-renames', '--diff-filter=A', '--no-ext-diff', base, head, '--', MIGRATION_FILES]);
  if (code !== 0) throw new Error(`git diff ${short(base)} ${short(head)} failed: ${stderr.trim()}`);
  return stdout.split('\0').filter(Boolean);
}

function folderOf(file: string): MigrationFolder {
  const parts = file.split('/');
  return { name: parts.at(-2)!, file };
}
