import { describe, expect, it } from '@jest/globals';
import { PrismaLogReader, resolveCommand, successOutcome } from '../../shared/migrate/prisma.js';
import { passwordsIn, poolerOf, redactCredentials } from '../../shared/migrate/database-url.js';
import { parseCapacityProviderStrategy, parseCommand, parseEnvironment } from '../../shared/migrate/parse.js';

const context = { command: ['sh', '-c', 'cd apps/api && npx prisma migrate deploy'], securityGroups: ['sg-0123456789abcdef0'], databaseUrlVariable: 'DATABASE_URL' };

function read(lines: string[]) {
  const reader = new PrismaLogReader();
  lines.forEach((line) => reader.read(line));
  return reader.findings(context);
}

describe("reading Prisma's output", () => {
  it('tells "applied" from "nothing to apply"', () => {
    const applied = read([
      '\u001b[1mPrisma schema loaded from prisma/schema.prisma\u001b[22m',
      '2 migrations found in prisma/migrations',
      'Applying migration `20260105090000_init`',
      'Applying migration `20260212143000_add_offer_status`',
      'The following migration(s) have been applied:',
      'migrations/',
      '  └─ 20260105090000_init/',
      '    └─ migration.sql',
      '  └─ 20260212143000_add_offer_status/',
      '    └─ migration.sql',
      '\u001b[32mAll migrations have been successfully applied.\u001b[39m',
    ]);
    expect(successOutcome(applied)).toBe('Applied 2 migrations: 20260105090000_init, 20260212143000_add_offer_status.');
    expect(successOutcome(read(['2 migrations found in prisma/migrations', '\u001b[32mNo pending migrations to apply.\u001b[39m']))).toBe('No pending migrations to apply: the database was already up to date.');
    // Only the final list, as when the engine's progress lines go elsewhere.
    expect(successOutcome(read(['The following migration(s) have been applied:', 'migrations/', '  └─ 20260105090000_init/', '    └─ migration.sql']))).toBe('Applied 1 migration: 20260105090000_init.');
    expect(successOutcome(read(['done']))).toBe('The migration command exited with code 0.');
  });

  it('tells an advisory-lock timeout from a slow database (both P1002)', () => {
    const lock = read(['Error: P1002', 'Context: Timed out trying to acquire a postgres advisory lock (SELECT pg_advisory_lock(72707369)). Timeout: 10000ms.']);
    expect(lock.problems[0]!.summary).toContain('migration lock');
    expect(lock.problems[0]!.hint).toContain('concurrency');
    const slow = read(['Error: P1002', 'The database server at `db:5432` was reached but timed out.']);
    expect(slow.problems[0]!.summary).toBe('The database server was reached but timed out (P1002).');
  });

  it('points any other code at its reference entry', () => {
    expect(read(['Error: P3006']).problems[0]).toEqual({
      code: 'P3006',
      summary: 'Prisma failed with P3006.',
      hint: 'See https://www.prisma.io/docs/orm/reference/error-reference#p3006 for what P3006 means.',
    });
  });

  it('notices an npx download of the CLI and the datasource host', () => {
    const findings = read(['npm warn exec The following package was not found and will be installed: prisma@6.2.1', 'Datasource "db": PostgreSQL database "shop", schema "public" at "shop-pgbouncer.internal:6432"']);
    expect(findings.downloadedCli).toBe('prisma@6.2.1');
    expect(findings.datasource).toBe('shop-pgbouncer.internal:6432');
  });

  it.each([
    [['sh', '-c', 'cd apps/api && npx prisma migrate deploy'], 'cd apps/api && npx prisma migrate resolve --rolled-back 2026_init'],
    [['npx', 'prisma', 'migrate', 'deploy', '--schema', 'apps/api/prisma/schema.prisma'], 'npx prisma migrate resolve --rolled-back 2026_init --schema apps/api/prisma/schema.prisma'],
    [['pnpm', '--filter', '@acme/api', 'run', 'migrate'], 'npx prisma migrate resolve --rolled-back 2026_init'],
  ])('writes the resolve command matching %j', (command, expected) => {
    expect(resolveCommand(command, '--rolled-back', '2026_init')).toBe(expected);
  });
});

describe('database URLs', () => {
  it.each([
    ['postgresql://app:pw@shop.proxy-c0ffee123abc.us-east-1.rds.amazonaws.com:5432/shop', 'RDS Proxy'],
    ['postgresql://app:pw@db.internal:5432/shop?pgbouncer=true&connection_limit=1', 'PgBouncer (pgbouncer=true in the URL)'],
    ['postgresql://app:pw@10.0.0.5:6432/shop', 'PgBouncer (port 6432)'],
    ['postgresql://postgres.abc:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres', 'the Supabase connection pooler'],
    ['postgresql://app:pw@ep-cool-name-123456-pooler.us-east-2.aws.neon.tech/shop', "Neon's connection pooler"],
    ['prisma://accelerate.prisma-data.net/?api_key=abc', 'Prisma Accelerate (a prisma:// URL)'],
    ['shop.proxy-c0ffee123abc.us-east-1.rds.amazonaws.com:5432', 'RDS Proxy'],
    ['postgresql://app:pw@shop.cluster-c0ffee123abc.us-east-1.rds.amazonaws.com:5432/shop', undefined],
    ['shop-db.internal:5432', undefined],
  ])('%s is %s', (url, pooler) => {
    expect(poolerOf(url)).toBe(pooler);
  });

  it('finds and hides passwords in connection strings', () => {
    const line = 'retrying postgres://app:s3cr3t@db:5432/shop and mysql://root:r00t@127.0.0.1/x, not https://example.com/a@b';
    expect(passwordsIn(line)).toEqual(['s3cr3t', 'r00t']);
    expect(redactCredentials(line)).toBe('retrying postgres://app:***@db:5432/shop and mysql://root:***@127.0.0.1/x, not https://example.com/a@b');
  });
});

describe('structured inputs', () => {
  it('reads a command as JSON or as a shell line', () => {
    expect(parseCommand('["npx", "prisma", "migrate", "deploy"]', 'command')).toEqual(['npx', 'prisma', 'migrate', 'deploy']);
    expect(parseCommand('cd apps/api && npx prisma migrate deploy', 'command')).toEqual(['sh', '-c', 'cd apps/api && npx prisma migrate deploy']);
    expect(() => parseCommand('["npx",', 'command')).toThrow(/^Input "command" starts with "\[" but is not a valid JSON array/);
    expect(() => parseCommand('[]', 'command')).toThrow('Input "command" must be a non-empty JSON array of strings.');
  });

  it('reads environment lines without ever echoing a value', () => {
    expect(parseEnvironment('# tuning\nLOG_LEVEL=debug\n\nOPTS=a=b', 'environment')).toEqual({ LOG_LEVEL: 'debug', OPTS: 'a=b' });
    const error = (() => {
      try {
        parseEnvironment('LOG_LEVEL=debug\npostgres://u:hunter2@db/x', 'environment');
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.message).toBe('Line 2 of input "environment" is not NAME=VALUE with a variable name of letters, digits and _ (not starting with a digit).');
    expect(`${error?.message}${(error as { hint?: string }).hint}`).not.toContain('hunter2');
    expect(() => parseEnvironment('A=1\nA=2', 'environment')).toThrow('Input "environment" sets A twice (line 2).');
  });

  it('checks a capacity provider strategy', () => {
    expect(parseCapacityProviderStrategy([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], 'capacity-provider-strategy')).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1, base: undefined }]);
    expect(() => parseCapacityProviderStrategy([{ provider: 'FARGATE' }], 'capacity-provider-strategy')).toThrow('Item 1 of input "capacity-provider-strategy" has no "capacityProvider" name.');
    expect(() => parseCapacityProviderStrategy([{ capacityProvider: 'FARGATE', weight: -1 }], 'capacity-provider-strategy')).toThrow('has "weight": -1, which is not a whole number from 0 to 1000');
  });
});
