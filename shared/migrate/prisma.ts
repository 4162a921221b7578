/**
 * Reads what `prisma migrate deploy` prints and turns it into an outcome ("applied 2 migrations",
 * "nothing to apply") or problems with a concrete next step (P1002 lock timeout, P3009/P3018
 * failed migration, P1001 unreachable database, ...). Lines are fed one at a time as they stream.
 */

export interface PrismaProblem {
  code: string;
  /** What happened, in one sentence. */
  summary: string;
  /** What to do next. */
  hint: string;
}

export interface PrismaFindings {
  problems: PrismaProblem[];
  /** Migrations applied by this run, in order. */
  applied: string[];
  /** Prisma said "No pending migrations to apply". */
  upToDate: boolean;
  /** Prisma said "All migrations have been successfully applied". */
  allApplied: boolean;
  /** `host:port` Prisma reported connecting to. */
  datasource?: string;
  /** The package npx downloaded because the image has no Prisma CLI. */
  downloadedCli?: string;
  /** A shell line saying the command was not found. */
  commandNotFound?: string;
}

export interface FindingContext {
  /** The migration command, used to write the matching `migrate resolve` command. */
  command: string[];
  /** The task's security groups, named in the P1001 hint. */
  securityGroups: string[];
  databaseUrlVariable: string;
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes are control characters
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function stripAnsi(line: string): string {
  return line.replace(ANSI, '');
}

export class PrismaLogReader {
  private readonly codes: string[] = [];
  private readonly applied: string[] = [];
  private upToDate = false;
  private allApplied = false;
  private lockTimeout = false;
  private failedMigration: string | undefined;
  private databaseError: string | undefined;
  private databaseErrorCode: string | undefined;
  private expectDatabaseError = false;
  private unreachable: string | undefined;
  private missingVariable: string | undefined;
  private datasource: string | undefined;
  private downloadedCli: string | undefined;
  private commandNotFound: string | undefined;

  read(raw: string): void {
    const line = stripAnsi(raw).trim();
    if (line === '') return;
    if (this.expectDatabaseError) {
      this.databaseError ??= line;
      this.expectDatabaseError = false;
    }
    let match: RegExpExecArray | null;
    for (const pattern of [/\bError:\s*(P\d{4})\b/, /\bError code:\s*(P\d{4})\b/]) {
      match = pattern.exec(line);
      if (match && !this.codes.includes(match[1]!)) this.codes.push(match[1]!);
    }
    if (/advisory.?lock/i.test(line) && /timed? ?out|timeout/i.test(line)) this.lockTimeout = true;
    if ((match = /The `([^`]+)` migration started at .* failed/.exec(line))) this.failedMigration = match[1];
    if ((match = /^Migration name:\s*(\S+)/.exec(line))) this.failedMigration = match[1];
    if ((match = /^Database error code:\s*(\S+)/.exec(line))) this.databaseErrorCode = match[1];
    if (/^Database error:?$/.test(line)) this.expectDatabaseError = true;
    // "Applying migration `name`" while it runs, and "└─ name/" in the list printed at the end.
    if ((match = /^Applying migration `([^`]+)`/.exec(line) ?? /^└─\s*([^\s/]+)\/$/.exec(line)) && !this.applied.includes(match[1]!)) this.applied.push(match[1]!);
    if (/No pending migrations to apply/.test(line)) this.upToDate = true;
    if (/All migrations have been successfully applied/.test(line)) this.allApplied = true;
    if ((match = /^Datasource "[^"]*":.* at "([^"]+)"/.exec(line))) this.datasource = match[1];
    if ((match = /Can't reach database server at (`[^`]+`(?::`[^`]+`)?)/.exec(line))) this.unreachable = match[1]!.replace(/`/g, '');
    if ((match = /Environment variable not found:\s*([A-Za-z_][A-Za-z0-9_]*)/.exec(line))) this.missingVariable = match[1];
    if ((match = /The following package was not found and will be installed:\s*(\S+)/.exec(line))) this.downloadedCli = match[1];
    if (/^(?:\/bin\/)?(?:sh|bash|ash|dash)(?::\s*\d+)?:.*(?:not found|No such file or directory)/.test(line) || /command not found/.test(line)) {
      this.commandNotFound ??= line;
    }
  }

  findings(context: FindingContext): PrismaFindings {
    return {
      problems: this.codes.map((code) => this.explain(code, context)),
      applied: [...this.applied],
      upToDate: this.upToDate,
      allApplied: this.allApplied,
      datasource: this.datasource,
      downloadedCli: this.downloadedCli,
      commandNotFound: this.commandNotFound,
    };
  }

  private explain(code: string, context: FindingContext): PrismaProblem {
    const where = this.unreachable ?? this.datasource;
    switch (code) {
      case 'P1002':
        if (this.lockTimeout) {
          return {
            code,
            summary: 'Prisma gave up waiting for its migration lock (P1002, advisory-lock timeout): another `prisma migrate` holds it on this database.',
            hint:
              'Let the other migration finish, then re-run this job. Run migrations one at a time by giving the workflow a concurrency group ' +
              '(concurrency: { group: migrate-${{ github.repository }}, cancel-in-progress: false }). If no migration is running, an abandoned session still holds the lock: ' +
              "find it with SELECT pid, state, query_start FROM pg_stat_activity WHERE query LIKE '%pg_advisory_lock%'; and end it with SELECT pg_terminate_backend(<pid>);",
          };
        }
        return {
          code,
          summary: `The database server${where ? ` at ${where}` : ''} was reached but timed out (P1002).`,
          hint: "Check the database's load, connection limit and storage, then re-run the job.",
        };
      case 'P3009':
      case 'P3018': {
        const name = this.failedMigration;
        const summary =
          code === 'P3018'
            ? `Migration ${name ? `\`${name}\` ` : ''}failed to apply (P3018)${this.databaseError ? `: ${this.databaseError}${this.databaseErrorCode ? ` (SQLSTATE ${this.databaseErrorCode})` : ''}` : ''}. Prisma recorded it as failed, so every later deploy stops with P3009 until it is resolved.`
            : `A failed migration is recorded in the database (P3009)${name ? `: \`${name}\`` : ''}. Prisma applies nothing until it is resolved.`;
        const migration = name ?? '<migration_name>';
        return {
          code,
          summary,
          hint:
            `${code === 'P3018' ? 'Fix the migration (or the data it trips over). ' : ''}Check what the failed attempt left in the database, then mark it resolved where the database is reachable ` +
            `(for example with this action and "command"): if its changes are not in the database, run \`${resolveCommand(context.command, '--rolled-back', migration)}\` and deploy again; ` +
            `if you completed it by hand, run \`${resolveCommand(context.command, '--applied', migration)}\`. See https://pris.ly/d/migrate-resolve`,
        };
      }
      case 'P1001':
        return {
          code,
          summary: `The migration task cannot reach the database${where ? ` at ${where}` : ''} (P1001).`,
          hint:
            `Check that the database's security group allows inbound connections on its port from the task's security groups${context.securityGroups.length ? ` (${context.securityGroups.join(', ')})` : ''}, ` +
            "that the task's subnets route to the database (same VPC, or peering), and that the host in the URL is right. " +
            'With RDS Proxy, its security group must allow the task too, and its target must be available.',
        };
      case 'P1000':
        return {
          code,
          summary: `The database refused the credentials in ${context.databaseUrlVariable} (P1000).`,
          hint: `Check the user and password where ${context.databaseUrlVariable} comes from (the task definition's secrets or environment); special characters in the password must be URL-encoded.`,
        };
      case 'P1003':
        return {
          code,
          summary: `The database named in ${context.databaseUrlVariable} does not exist (P1003).`,
          hint: `Create the database, or fix its name in ${context.databaseUrlVariable}.`,
        };
      case 'P3005':
        return {
          code,
          summary: 'The database already has tables but no Prisma migration history (P3005).',
          hint:
            'Baseline it once: mark the migrations that the existing schema already contains as applied with ' +
            `\`${resolveCommand(context.command, '--applied', '<migration_name>')}\` (for each of them), then deploy again. See https://pris.ly/d/migrate-baseline`,
        };
      case 'P1012':
        return {
          code,
          summary: `Prisma could not load its schema (P1012)${this.missingVariable ? `: environment variable ${this.missingVariable} is not set in the container` : ''}.`,
          hint: this.missingVariable
            ? `Give the container ${this.missingVariable}: in the task definition (environment, or secrets from Secrets Manager / SSM), or through this action's "environment" input.`
            : 'Fix the schema error shown in the log above; `npx prisma validate` reproduces it locally.',
        };
      default:
        return {
          code,
          summary: `Prisma failed with ${code}.`,
          hint: `See https://www.prisma.io/docs/orm/reference/error-reference#${code.toLowerCase()} for what ${code} means.`,
        };
    }
  }
}

/** The user's migration command with `migrate deploy` replaced by `migrate resolve <flag> <name>`, as a shell line. */
export function resolveCommand(command: string[], flag: '--rolled-back' | '--applied', name: string): string {
  const replacement = `migrate resolve ${flag} ${name}`;
  if (command.length === 3 && /^(?:\/bin\/)?(?:ba)?sh$/.test(command[0]!) && command[1] === '-c' && /\bmigrate\s+deploy\b/.test(command[2]!)) {
    return command[2]!.replace(/\bmigrate\s+deploy\b/, replacement);
  }
  const at = command.findIndex((part, i) => part === 'migrate' && command[i + 1] === 'deploy');
  if (at >= 0) return [...command.slice(0, at), ...replacement.split(' '), ...command.slice(at + 2)].map(shellWord).join(' ');
  return `npx prisma ${replacement}`;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** One line on what a successful run did, from what Prisma printed. */
export function successOutcome(findings: PrismaFindings): string {
  if (findings.applied.length > 0) {
    const shown = findings.applied.slice(0, 10).join(', ');
    const more = findings.applied.length > 10 ? `, and ${findings.applied.length - 10} more` : '';
    return `Applied ${findings.applied.length} migration${findings.applied.length > 1 ? 's' : ''}: ${shown}${more}.`;
  }
  if (findings.upToDate) return 'No pending migrations to apply: the database was already up to date.';
  if (findings.allApplied) return 'All migrations have been applied.';
  return 'The migration command exited with code 0.';
}
