/**
 * The example monorepo as a git repository with a history to deploy: the release running in
 * production, then two pushes to main — a healthy one (API route and Prisma migration, admin
 * toggle) and a broken one (an investor-portal change that crash-loops, shipped with a shared UI
 * component every portal depends on); later the platform team's environments (staging, production)
 * and two pushes through them: an API change with a migration, and an issuer-portal change that
 * crash-loops in staging. The manifest starts without the example's environments: they come with
 * that later commit. Authors and dates are fixed, so the commit ids are too.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
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

export const CURRENCY_MIGRATION = '20260304110000_add_offer_currency';

const CURRENCY_CHANGE: Edit[] = [
  {
    path: 'apps/api/prisma/schema.prisma',
    find: '  featured    Boolean      @default(false)\n',
    replace: '  featured    Boolean      @default(false)\n  currency    String       @default("MYR")\n',
  },
  {
    path: `apps/api/prisma/migrations/${CURRENCY_MIGRATION}/migration.sql`,
    replace: ['-- Expand only: the running image ignores the new column.', 'ALTER TABLE "Offer" ADD COLUMN "currency" TEXT NOT NULL DEFAULT \'MYR\';', ''].join('\n'),
  },
];

export const SIGNING_ERROR = 'ISSUER_SIGNING_KEY is not set: the issuer portal cannot sign term sheets without it.';

const SIGNING_CHANGE: Edit[] = [
  {
    path: 'apps/issuer/instrumentation.ts',
    replace: ['// Runs once when the server starts: term sheets are signed with the issuer key.', 'export async function register() {', `  if (!process.env.ISSUER_SIGNING_KEY) throw new Error('${SIGNING_ERROR}');`, '}', ''].join(
      '\n',
    ),
  },
];

/**
 * The environments the platform team adds once the staging account exists: staging in the build
 * account, production in an account of its own, pulling the very digests staging ran from the
 * build registry (the stand-ins have no registry protocol behind ECR to copy with).
 */
const ENVIRONMENTS = `
# In the order images go through them: staging deploys every push, production promotes what staging runs.
environments:
  staging:
    account: "123456789012" # the build account: staging runs the images where they are built
    role: arn:aws:iam::123456789012:role/github-actions-deployer
    cluster: acme-staging
    images: pull
    services:
      api: { health: https://api.staging.acme.example/healthz }

  production:
    account: "345678901234"
    role: arn:aws:iam::345678901234:role/github-actions-deployer
    cluster: acme-production
    images: pull # by digest from the build registry; its repository policies let production's execution role pull
`;

/** The manifest before the team had environments: everything up to its `environments` section. */
function withoutEnvironments(text: string): string {
  const at = text.search(/^(#[^\n]*\n)*environments:/m);
  return at === -1 ? text : `${text.slice(0, at).trimEnd()}\n`;
}

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

export class DemoRepository {
  readonly commits: Commit[] = [];
  private clock = Date.parse('2026-03-02T09:12:00+08:00');

  private constructor(readonly dir: string) {}

  /** Copies the example into `dir` and commits it: the release running in production. */
  static async create(dir: string): Promise<DemoRepository> {
    cpSync(EXAMPLE, dir, { recursive: true, filter: (source) => !source.includes(`${EXAMPLE}/node_modules`) });
    // The story starts with one environment: the manifest's environments come in a later commit.
    const manifest = join(dir, '.github', 'services.yml');
    writeFileSync(manifest, withoutEnvironments(readFileSync(manifest, 'utf8')));
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

  /** The platform team's commit: staging and production in the manifest. "[skip ci]": GitHub runs no workflow for it. */
  async addEnvironments(): Promise<Commit> {
    const file = join(this.dir, '.github', 'services.yml');
    writeFileSync(file, `${readFileSync(file, 'utf8').trimEnd()}\n${ENVIRONMENTS}`);
    return this.commit('Deploy: staging and production environments, each in its own account [skip ci]', SAM, ['.github/services.yml']);
  }

  /** An API change with a migration: staging first, then production by promotion. */
  currencyChange(): Promise<Push> {
    return this.push('Offers: a currency per offer (API and migration)', DANA, CURRENCY_CHANGE);
  }

  /** An issuer-portal change that needs a secret its task definition lacks: it crash-loops in staging. */
  signingChange(): Promise<Push> {
    return this.push('Issuer portal: sign term sheets with the issuer key', SAM, SIGNING_CHANGE);
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
