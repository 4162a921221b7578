/**
 * Renders a Report as standard markdown, in the words of wording.ts: the text of the generic webhook
 * payload (Mattermost, Rocket.Chat, Discord, Teams workflows, custom receivers) and the job summary.
 */
import { formatDuration } from '../time.js';
import type { Report, ServiceLine } from './report.js';
import { SERVICE_EMOJI, SERVICE_LABEL, headerText, migrationEmoji, migrationSummary, reasonsTitle, serviceSummary } from './wording.js';
import { plainMentions } from './mention.js';
import { andMore, escapeMarkdown, markdownLink, packLines, truncate } from './text.js';

const link = (url: string | undefined, label: string) => (url ? markdownLink(url, label) : escapeMarkdown(label));

export function factLines(report: Report): string[] {
  const where = [
    `**Repository** ${link(report.repository.url, report.repository.name)}`,
    report.environment ? `**Environment** ${escapeMarkdown(report.environment)}` : undefined,
    report.branch ? `**Branch** ${link(report.branch.url, report.branch.name)}` : undefined,
  ];
  const commit = report.commit;
  const pull = commit?.pullRequest;
  const what = [
    commit
      ? `**Commit** ${link(commit.url, commit.shortSha)}${pull ? ` ${link(pull.url, `#${pull.number}`)} ${escapeMarkdown(truncate(pull.title, 150))}` : commit.title ? ` ${escapeMarkdown(truncate(commit.title, 150))}` : ''}${commit.compareUrl ? ` (${markdownLink(commit.compareUrl, 'changes')})` : ''}`
      : undefined,
    report.actor ? `**Triggered by** ${link(report.actor.url, report.actor.login)}${report.eventName ? ` (${escapeMarkdown(report.eventName)})` : ''}` : undefined,
  ];
  return [where, what].map((parts) => parts.filter(Boolean).join(' · ')).filter(Boolean);
}

function serviceBullet(service: ServiceLine): string {
  return `- ${SERVICE_EMOJI[service.state]} **${link(service.consoleUrl, service.name)}** ${serviceSummary(service)}`;
}

export function migrationText(report: Report): string | undefined {
  const migration = report.migration;
  if (!migration) return undefined;
  const logs = migration.consoleUrl ? ` · ${markdownLink(migration.consoleUrl, 'task')}` : '';
  return `${migrationEmoji(migration.status)} **Migration**${migration.service ? ` (${escapeMarkdown(migration.service)})` : ''} ${escapeMarkdown(migrationSummary(migration))}${logs}`;
}

export function reasonLines(report: Report): string[] {
  return report.reasons.map((reason) => `- ${escapeMarkdown(truncate(reason, 500))}`);
}

/** The whole message as markdown in at most `maxChars`, the service list shortened first ("and N more"). */
export function markdownMessage(report: Report, maxChars: number): string {
  const head = [`**${escapeMarkdown(headerText(report))}**`, ...(report.mentions ? [plainMentions(report.mentions)] : []), ...factLines(report)];
  const tail = [migrationText(report), ...(report.reasons.length ? [`**${reasonsTitle(report)}**`, ...reasonLines(report)] : []), report.runUrl ? markdownLink(report.runUrl, 'View run') : undefined].filter(
    (line): line is string => line !== undefined,
  );
  const fixed = [...head, ...tail].join('\n').length;
  const lines = [`**Services (${report.services.length})**`, ...report.services.map(serviceBullet)];
  const room = maxChars - fixed - 60;
  const { chunks, omitted } = report.services.length && room > 0 ? packLines(lines, { maxChars: room, maxChunks: 1, totalChars: room }, 'markdown') : { chunks: [], omitted: 0 };
  const services = [...chunks, ...(omitted ? [`- …${andMore(omitted, 'service')}`] : [])];
  return truncate([...head, ...services, ...tail].join('\n'), maxChars, 'markdown');
}

/** A GitHub markdown table row per service, for the job summary; every cell is escaped text, so a "|" never splits one. */
export function serviceTable(report: Report): string {
  const rows = report.services.map((service) => {
    const revision =
      service.revision !== undefined
        ? `${service.revision}${service.rolledBackToRevision !== undefined ? ` → ${service.rolledBackToRevision}` : ''}`
        : service.rolledBackToRevision !== undefined
          ? `→ ${service.rolledBackToRevision}`
          : '';
    return [
      link(service.consoleUrl, service.name),
      `${SERVICE_EMOJI[service.state]} ${SERVICE_LABEL[service.state]}`,
      service.imageTag ? `\`${service.imageTag.replace(/[^\w.:@-]/g, '')}\`` : '',
      revision,
      service.durationSeconds !== undefined ? formatDuration(service.durationSeconds * 1000) : '',
    ].join(' | ');
  });
  return ['| Service | Outcome | Image | Revision | Duration |', '|---|---|---|---|---|', ...rows.map((row) => `| ${row} |`)].join('\n');
}
