/**
 * The example monorepo as a git repository with a history to deploy: the release running in
 * production, then two pushes to main — a healthy one (API route and Prisma migration, admin
 * toggle) and a broken one (an investor-portal change that crash-loops, shipped with a shared UI
 * component every portal depends on). Authors and dates are fixed, so the commit ids are too.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { REPO_ROOT } from '../standins/run-action.js';

const exec = promisify(execFile);

export const EXAMPLE = join(REPO_ROOT, 'examples', 'monorepo');
export const REPOSITORY = 'acme/platform';

interface Author {
  name: string;
  email: string;
  login: string;
}

const DANA: Author = { name: 'Dana Reyes', email: 'dana@acme.example', login: 'dana-reyes' };
const SAM: Author = { name: 'Sam Okafor', email: 'sam@acme.example', login: 'sam-okafor' };

export interface Commit {
  sha: string;
  message: string;
  author: Author;
  date: string;
  added: string[];
  removed: string[];
  modified: string[];
}

/** A push to main, as the webhook payload describes it. */
export interface Push {
  before: Commit;
  after: Commit;
  payload: Record<string, unknown>;
}

/** A file edit: the text to find in the file (it must be there) and what replaces it; no `find` writes a new file. */
interface Edit {
  path: string;
  find?: string;
  replace: string;
}

export const FEATURED_MIGRATION = '20260302101500_add_offer_featured';

const HEALTHY_CHANGE: Edit[] = [
  {
    path: 'apps/api/prisma/schema.prisma',
    find: '  status      String       @default("draft")\n',
    replace: '  status      String       @default("draft")\n  featured    Boolean      @default(false)\n',
  },
  {
    path: `apps/api/prisma/migrations/${FEATURED_MIGRATION}/migration.sql`,
    replace: [
      '-- Expand only: the running image ignores the new column, so a rollback of the API stays safe.',
      'ALTER TABLE "Offer" ADD COLUMN "featured" BOOLEAN NOT NULL DEFAULT false;',
      'CREATE INDEX "Offer_featured_idx" ON "Offer"("featured");',
      '',
    ].join('\n'),
  },
  {
    path: 'apps/api/src/routes/offers.ts',
    find: '  return router;\n',
    replace: [
      "  router.patch('/:id/featured', async (req, res) => {",
      '    const offer = await prisma.offer.update({ where: { id: req.params.id }, data: { featured: req.body?.featured === true } });',
      '    res.json({ id: offer.id, featured: offer.featured });',
      '  });',
      '  return router;',
      '',
    ].join('\n'),
  },
  {
    path: 'apps/admin/app/page.tsx',
    find: '        <OfferCard key={offer.id} offer={offer} />\n',
    replace: [
      '        <section key={offer.id}>',
      '          <OfferCard offer={offer} />',
      '          <form action={feature.bind(null, offer.id)}>',
      '            <button type="submit">Feature on the investor portal</button>',
      '          </form>',
      '        </section>',
      '',
    ].join('\n'),
  },
  {
    path: 'apps/admin/app/page.tsx',
    find: 'export default async function Page() {\n',
    replace: [
      'async function feature(id: string) {',
      "  'use server';",
      "  await fetch(`${process.env.API_URL}/offers/${id}/featured`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ featured: true }) });",
      '}',
      '',
      'export default async function Page() {',
      '',
    ].join('\n'),
  },
];

export const KYC_ERROR = 'KYC_API_URL is not set: the investor portal cannot check KYC status without it.';

const BROKEN_CHANGE: Edit[] = [
  {
    path: 'packages/ui/src/KycBanner.tsx',
    replace: [
      "export type KycStatus = 'pending' | 'verified' | 'rejected';",
      '',
      'export function KycBanner({ status }: { status: KycStatus }) {',
      "  if (status === 'verified') return null;",
      '  return (',
      '    <aside role="status" className={`kyc-banner kyc-banner--${status}`}>',
      "      {status === 'pending' ? 'We are checking your identity documents; you can browse offers meanwhile.' : 'We could not verify your identity. Upload new documents to invest.'}",
      '    </aside>',
      '  );',
      '}',
      '',
    ].join('\n'),
  },
  { path: 'packages/ui/src/index.ts', find: "export { OfferCard } from './OfferCard';\n", replace: "export { OfferCard } from './OfferCard';\nexport { KycBanner, type KycStatus } from './KycBanner';\n" },
  {
    path: 'apps/investor/instrumentation.ts',
    replace: ['// Runs once when the server starts: the KYC client needs its endpoint.', 'export async function register() {', `  if (!process.env.KYC_API_URL) throw new Error('${KYC_ERROR}');`, '}', ''].join('\n'),
  },
  { path: 'apps/investor/app/page.tsx', find: "import { OfferCard } from '@acme/ui';\n", replace: "import { KycBanner, OfferCard, type KycStatus } from '@acme/ui';\n" },
  {
    path: 'apps/investor/app/page.tsx',
    find: 'export default async function Page() {\n',
    replace: [
      'async function kycStatus(): Promise<KycStatus> {',
      "  const response = await fetch(`${process.env.KYC_API_URL}/status`, { cache: 'no-store' });",
      "  return response.ok ? ((await response.json()) as { status: KycStatus }).status : 'pending';",
      '}',
      '',
      'export default async function Page() {',
      '',
    ].join('\n'),
  },
  { path: 'apps/investor/app/page.tsx', find: '      <h1>Investor portal</h1>\n', replace: '      <h1>Investor portal</h1>\n      <KycBanner status={await kycStatus()} />\n' },
];

/**
 * The demo plays one environment, in one account: its copy of the example's manifest leaves out
 * `environments` (staging and production in accounts of their own), so every step acts on the
 * top-level values, as deploy.yml's steps do when the manifest has no environments.
 */
function withoutEnvironments(file: string): void {
  const manifest = parseDocument(readFileSync(file, 'utf8'));
  manifest.delete('environments');
  writeFileSync(file, manifest.toString());
}

export class DemoRepository {
  readonly commits: Commit[] = [];
  private clock = Date.parse('2026-03-02T09:12:00+08:00');

  private constructor(readonly dir: string) {}

  /** Copies the example into `dir` and commits it: the release running in production. */
  static async create(dir: string): Promise<DemoRepository> {
    cpSync(EXAMPLE, dir, { recursive: true, filter: (source) => !source.includes(`${EXAMPLE}/node_modules`) });
    withoutEnvironments(join(dir, '.github/services.yml'));
    const repo = new DemoRepository(dir);
    await repo.git(['init', '-q', '-b', 'main']);
    await repo.commit('Acme platform: portals, API and shared packages', DANA, []);
    return repo;
  }

  /** Push 1: the API gets a route and a migration, the admin portal a button that uses it. */
  healthyChange(): Promise<Push> {
    return this.push('Offers: a featured flag (API route and migration) and a toggle in the admin portal', DANA, HEALTHY_CHANGE);
  }

  /** Push 2: a KYC banner in the shared UI package, used by the investor portal, which now needs a variable its task definition lacks. */
  brokenChange(): Promise<Push> {
    return this.push('Investor portal: KYC status banner (shared KycBanner component)', SAM, BROKEN_CHANGE);
  }

  get head(): Commit {
    return this.commits.at(-1)!;
  }

  /** Migration folders of the API at the working tree's commit, oldest first. */
  migrations(): string[] {
    return readdirSync(join(this.dir, 'apps/api/prisma/migrations'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  }

  async diffStat(before: string, after: string): Promise<string[]> {
    const { stdout } = await this.git(['diff', '--stat=100', before, after]);
    return stdout.trimEnd().split('\n');
  }

  private async push(message: string, author: Author, edits: Edit[]): Promise<Push> {
    const before = this.head;
    for (const edit of edits) this.apply(edit);
    const after = await this.commit(
      message,
      author,
      edits.map((edit) => edit.path),
    );
    return { before, after, payload: this.pushPayload(before, after) };
  }

  private apply(edit: Edit): void {
    const file = join(this.dir, edit.path);
    if (edit.find === undefined) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, edit.replace);
      return;
    }
    const text = readFileSync(file, 'utf8');
    if (!text.includes(edit.find)) throw new Error(`The demo's change to ${edit.path} no longer applies to examples/monorepo: "${edit.find.trim()}" is not in it.`);
    writeFileSync(file, text.replace(edit.find, edit.replace));
  }

  private async commit(message: string, author: Author, paths: string[]): Promise<Commit> {
    const date = new Date(this.clock).toISOString();
    this.clock += 47 * 60_000;
    const env = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: author.name, GIT_COMMITTER_EMAIL: author.email, GIT_COMMITTER_DATE: date };
    await this.git(['add', '-A']);
    await this.git(['commit', '-q', '--no-verify', '--no-gpg-sign', '-m', message], env);
    const sha = (await this.git(['rev-parse', 'HEAD'])).stdout.trim();
    const status = paths.length ? (await this.git(['diff-tree', '--no-commit-id', '--name-status', '-r', 'HEAD~1', 'HEAD'])).stdout : '';
    const changed = (letter: string) =>
      status
        .split('\n')
        .filter((line) => line.startsWith(letter))
        .map((line) => line.split('\t')[1]!);
    const commit = { sha, message, author, date, added: changed('A'), removed: changed('D'), modified: changed('M') };
    this.commits.push(commit);
    return commit;
  }

  private pushPayload(before: Commit, after: Commit): Record<string, unknown> {
    const url = `https://github.com/${REPOSITORY}`;
    const [owner, name] = REPOSITORY.split('/');
    const commitPayload = (commit: Commit) => ({
      id: commit.sha,
      tree_id: commit.sha,
      distinct: true,
      message: commit.message,
      timestamp: commit.date,
      url: `${url}/commit/${commit.sha}`,
      author: { name: commit.author.name, email: commit.author.email, username: commit.author.login },
      committer: { name: commit.author.name, email: commit.author.email, username: commit.author.login },
      added: commit.added,
      removed: commit.removed,
      modified: commit.modified,
    });
    return {
      ref: 'refs/heads/main',
      before: before.sha,
      after: after.sha,
      created: false,
      deleted: false,
      forced: false,
      base_ref: null,
      compare: `${url}/compare/${before.sha.slice(0, 12)}...${after.sha.slice(0, 12)}`,
      commits: [commitPayload(after)],
      head_commit: commitPayload(after),
      pusher: { name: after.author.login, email: after.author.email },
      sender: { login: after.author.login, type: 'User' },
      repository: { name, full_name: REPOSITORY, owner: { login: owner, name: owner }, html_url: url, default_branch: 'main', master_branch: 'main', private: true },
    };
  }

  private git(args: string[], extra: Record<string, string> = {}): Promise<{ stdout: string }> {
    // The user's git configuration (hooks, signing, templates) stays out of the demo's repository.
    const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', ...extra };
    return exec('git', args, { cwd: this.dir, env, maxBuffer: 16 * 1024 * 1024 });
  }
}
