/**
 * Real git repositories in temporary folders, with fixed authors and dates so every run builds the
 * same commits. Large repositories are written with `git fast-import` (no working-tree round trips).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const DATE = '2026-01-01T00:00:00Z';

/** Git that ignores the machine's own configuration and stamps commits deterministically. */
function gitEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: join(home, '.gitconfig'),
    GIT_AUTHOR_NAME: 'Berth Test',
    GIT_AUTHOR_EMAIL: 'test@berth.invalid',
    GIT_COMMITTER_NAME: 'Berth Test',
    GIT_COMMITTER_EMAIL: 'test@berth.invalid',
    GIT_AUTHOR_DATE: DATE,
    GIT_COMMITTER_DATE: DATE,
  };
}

/** Content per path; null deletes the path. */
export type Files = Record<string, string | null>;

export class TestRepo {
  private constructor(
    readonly dir: string,
    private readonly home: string,
  ) {}

  /** A new repository on branch main in its own temporary folder (with a sibling home folder). */
  static create(name = 'repo', options: { bare?: boolean } = {}): TestRepo {
    const parent = mkdtempSync(join(tmpdir(), 'berth-changes-'));
    const home = join(parent, 'home');
    mkdirSync(home);
    const repo = new TestRepo(join(parent, name), home);
    execFileSync('git', ['init', '--quiet', '--initial-branch=main', ...(options.bare ? ['--bare'] : []), repo.dir], { env: gitEnv(home) });
    return repo;
  }

  /** A clone of `source` (a file:// URL, so --depth works) next to it. */
  static clone(source: TestRepo, name: string, args: string[] = []): TestRepo {
    const repo = new TestRepo(join(dirname(source.dir), name), source.home);
    execFileSync('git', ['clone', '--quiet', ...args, `file://${source.dir}`, repo.dir], { env: gitEnv(source.home), stdio: 'pipe' });
    return repo;
  }

  get env(): NodeJS.ProcessEnv {
    return gitEnv(this.home);
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, env: this.env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 }).trim();
  }

  write(files: Files): void {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (content === null) unlinkSync(full);
      else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
  }

  /** Writes `files`, stages everything and commits; returns the new commit id. */
  commit(message: string, files: Files = {}): string {
    this.write(files);
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
    return this.sha();
  }

  sha(ref = 'HEAD'): string {
    return this.git('rev-parse', ref);
  }

  /** Removes the repository, its clones and its home folder. */
  remove(): void {
    rmSync(dirname(this.dir), { recursive: true, force: true });
  }
}

export interface ImportCommit {
  message: string;
  files: Map<string, string | null>;
  /** Renamed paths: [from, to]. */
  renames?: [string, string][];
}

/** Writes commits onto main with git fast-import and checks main out; returns the commit ids in order. */
export function fastImport(repo: TestRepo, commits: ImportCommit[]): string[] {
  const stamp = `${Math.floor(Date.parse(DATE) / 1000)} +0000`;
  const chunks: string[] = [];
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  commits.forEach((commit, index) => {
    chunks.push(`commit refs/heads/main\nmark :${index + 1}\nauthor Berth Test <test@berth.invalid> ${stamp}\ncommitter Berth Test <test@berth.invalid> ${stamp}\n${data(commit.message)}`);
    for (const [from, to] of commit.renames ?? []) chunks.push(`R ${from} ${to}\n`);
    for (const [path, content] of commit.files) chunks.push(content === null ? `D ${path}\n` : `M 100644 inline ${path}\n${data(content)}`);
    chunks.push('\n');
  });
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo.dir, env: repo.env, input: chunks.join(''), maxBuffer: 64 * 1024 * 1024 });
  execFileSync('git', ['checkout', '--quiet', '--force', 'main'], { cwd: repo.dir, env: repo.env });
  return commits.map((_, index) => repo.git('rev-parse', `main~${commits.length - 1 - index}`));
}
