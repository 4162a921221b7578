/** The plan in words: Markdown for the job summary and the pull-request comment, plain text for a terminal. */
import { short } from '../changes/git.js';
import { parseImageRef, shortDigest } from '../images.js';
import { escapeHtml } from '../summary.js';
import type { DefinitionChange, DeployPlan, EnvironmentPlan, ImageNext, ImageNow, ServicePlan } from './types.js';

/** `shop-api:0123456789ab`: the repository's last segment and the tag (a commit id cut to 12), or the digest's start. */
function imageLabel(image: string): string {
  const ref = parseImageRef(image);
  const repository = ref.repository.split('/').at(-1) ?? ref.repository;
  if (ref.tag) return `${repository}:${/^[0-9a-f]{40}$/.test(ref.tag) ? ref.tag.slice(0, 12) : ref.tag}`;
  return ref.digest ? `${repository}@${shortDigest(ref.digest)}` : repository;
}

const environmentName = (name: string) => name || 'default (top-level values)';

/** A reason as a sentence: capitalised, ending with one full stop. */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;

function headline(plan: DeployPlan): string {
  const count = plan.services.length;
  if (count === 0) return `Deployment plan for ${short(plan.head)}: no service changes, nothing will be deployed.`;
  const reach = plan.reaches.filter(Boolean);
  return `Deployment plan for ${short(plan.head)}: ${count} service${count === 1 ? '' : 's'} (${plan.services.join(', ')})${reach.length ? `, reaching ${reach.join(' → ')}` : ''}.`;
}

function migrationLine(plan: DeployPlan): string {
  const { migrations } = plan;
  if (migrations.unknown) return `Migrations: unknown, ${migrations.unknown}.`;
  const count = migrations.added.length;
  const runners = migrations.services.length ? `run by the migrate step of ${migrations.services.join(', ')} in each environment before its rollout` : 'no changed service has "migrate" in the manifest, so no step runs them';
  return count === 0 ? 'Migrations: the change adds none.' : `Migrations: the change adds ${count} Prisma migration${count === 1 ? '' : 's'}, ${runners}:`;
}

function changeText(change: DefinitionChange, value: (text: string) => string): string {
  const detail =
    change.note !== undefined
      ? ` (${change.note})`
      : change.change === 'added' && change.to !== undefined
        ? `: ${value(change.to)}`
        : change.change === 'removed' && change.from !== undefined
          ? ` (was ${value(change.from)})`
          : change.change === 'changed' && change.from !== undefined
            ? `: ${value(change.from)} → ${value(change.to ?? '')}`
            : '';
  return `${change.what} ${change.change}${detail}`;
}

function nowText(now: ImageNow | undefined, code: (text: string) => string): string {
  if (!now) return '—';
  const digests = now.digests.length ? now.digests.map((digest) => code(shortDigest(digest))).join(', ') : 'no running task reports a digest';
  return `${code(imageLabel(now.image))} (${digests}; ${now.taskDefinition})`;
}

function nextText(next: ImageNext, code: (text: string) => string): string {
  return `${code(imageLabel(next.image))} (${next.digest ? `${code(shortDigest(next.digest))}, ` : ''}${next.note})`;
}

// ---- Markdown ----

const md = (text: string) => escapeHtml(text).replace(/\|/g, '&#124;');
const mdCode = (text: string) => `<code>${md(text)}</code>`;

function definitionCell(service: ServicePlan): string {
  if (!service.changes) return '—';
  if (service.changes.length === 0) return 'no other change';
  return service.changes.map((change) => md(changeText(change, (text) => `«${text}»`)).replace(/«(.*?)»/g, '<code>$1</code>')).join('<br>');
}

function environmentMarkdown(environment: EnvironmentPlan): string[] {
  const where = [environment.account ? `account ${environment.account}` : '', environment.region ?? ''].filter(Boolean).join(', ');
  const lines = [`#### ${md(environmentName(environment.name))}${where ? ` (${md(where)})` : ''}`, ''];
  if (!environment.aws.read) lines.push(`${environment.services.length ? '⚠️ ' : ''}${md(sentence(environment.aws.reason))}`, '');
  if (environment.services.length === 0) return lines;
  lines.push('| Service | ECS service | Now | Next | Task definition beyond the image |', '|---|---|---|---|---|');
  for (const service of environment.services) {
    const problem = service.problem ? `<br>⚠️ ${md(service.problem)}` : '';
    lines.push(`| ${mdCode(service.service)} | ${md(`${service.cluster}/${service.ecsService}`)} | ${nowText(service.now, mdCode)} | ${nextText(service.next, mdCode)}${problem} | ${definitionCell(service)} |`);
  }
  lines.push('');
  return lines;
}

/**
 * The plan as GitHub-flavoured Markdown (with escaped HTML), for the job summary and the
 * pull-request comment. It starts with a blank line: after an HTML block (the summary's table),
 * Markdown is only read again after one.
 */
export function planMarkdown(plan: DeployPlan): string {
  const lines = ['', `### ${md(headline(plan))}`, ''];
  if (plan.services.length === 0) return lines.join('\n');
  lines.push(md(migrationLine(plan)));
  if (plan.migrations.added.length) lines.push('', ...plan.migrations.added.map((folder) => `- ${mdCode(folder.name)} (${mdCode(folder.file)})`));
  lines.push('');
  for (const environment of plan.environments) lines.push(...environmentMarkdown(environment));
  return lines.join('\n');
}

// ---- Terminal ----

/** The plan as plain text for `npm run plan`. */
export function planText(plan: DeployPlan): string {
  const lines = [headline(plan)];
  if (plan.services.length === 0) return lines.join('\n');
  lines.push(migrationLine(plan), ...plan.migrations.added.map((folder) => `  ${folder.name} (${folder.file})`));
  const plain = (text: string) => text;
  for (const environment of plan.environments) {
    const where = [environment.account ? `account ${environment.account}` : '', environment.region ?? ''].filter(Boolean).join(', ');
    lines.push('', `${environmentName(environment.name)}${where ? ` (${where})` : ''}:`);
    if (!environment.aws.read) lines.push(`  ${sentence(environment.aws.reason)}`);
    for (const service of environment.services) {
      lines.push(`  ${service.service}: ${service.cluster}/${service.ecsService}`);
      if (service.now) lines.push(`    now:  ${nowText(service.now, plain)}`);
      lines.push(`    next: ${nextText(service.next, plain)}`);
      if (service.problem) lines.push(`    problem: ${service.problem}`);
      if (service.changes?.length) lines.push('    task definition beyond the image:', ...service.changes.map((change) => `      ${changeText(change, plain)}`));
      else if (service.changes) lines.push('    task definition beyond the image: no other change');
    }
  }
  return lines.join('\n');
}
