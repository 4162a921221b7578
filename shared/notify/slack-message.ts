/** Renders a Report as a Slack Block Kit message within Slack's limits, in the words of wording.ts. */
import type { MigrationLine, Report, ServiceLine } from './report.js';
import { SERVICE_EMOJI, SERVICE_LABEL, headerText, migrationEmoji, migrationSummary, reasonsTitle, serviceSummary } from './wording.js';
import { slackMentions } from './mention.js';
import { andMore, escapeMrkdwn, mrkdwnLink, packLines, truncate } from './text.js';

/** Lengths in UTF-16 units, as JavaScript counts them (never less than Slack's count). */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  headerText: 150,
  contextElements: 10,
  buttonText: 75,
  url: 3000,
  /** The notification text; Slack cuts at 40,000 but shows far less. */
  fallbackText: 3000,
  /** Slack refuses messages whose blocks carry roughly 13,000 characters or more (msg_blocks_too_long). */
  blocksChars: 11_000,
  /** One line of the failure reasons. */
  reasonLine: 500,
} as const;

export type Block = Record<string, unknown>;

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

/**
 * Verbatim: Slack turns no bare URL, #channel or @name of the text into a link or mention; only
 * the links and mentions written in Slack syntax here do, and user text has its < > & escaped.
 */
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });
const section = (text: string): Block => ({ type: 'section', text: mrkdwn(truncate(text, SLACK_LIMITS.sectionText, 'mrkdwn')) });
const context = (text: string): Block => ({ type: 'context', elements: [mrkdwn(truncate(text, SLACK_LIMITS.sectionText, 'mrkdwn'))] });

function link(url: string | undefined, label: string): string {
  return url && url.length <= SLACK_LIMITS.url ? mrkdwnLink(url, label) : escapeMrkdwn(label);
}

function commitField(report: Report): string | undefined {
  const commit = report.commit;
  if (!commit) return undefined;
  const parts = [link(commit.url, commit.shortSha)];
  if (commit.pullRequest) parts.push(`${link(commit.pullRequest.url, `#${commit.pullRequest.number}`)} ${escapeMrkdwn(truncate(commit.pullRequest.title, 150))}`);
  else if (commit.title) parts.push(escapeMrkdwn(truncate(commit.title, 150)));
  if (commit.compareUrl) parts.push(`(${mrkdwnLink(commit.compareUrl, 'changes')})`);
  return `*Commit*\n${parts.join(' ')}`;
}

/** Names people choose are cut short, so the facts never crowd out the services. */
const NAME_MAX = 100;

function fields(report: Report): Block {
  const items = [
    `*Repository*\n${link(report.repository.url, truncate(report.repository.name, NAME_MAX))}`,
    report.environment ? `*Environment*\n${escapeMrkdwn(truncate(report.environment, NAME_MAX))}` : undefined,
    report.branch ? `*Branch*\n${link(report.branch.url, truncate(report.branch.name, NAME_MAX))}` : undefined,
    commitField(report),
    report.actor ? `*Triggered by*\n${link(report.actor.url, report.actor.login)}${report.eventName ? ` (${escapeMrkdwn(report.eventName)})` : ''}` : undefined,
  ].filter((item): item is string => item !== undefined);
  return { type: 'section', fields: items.slice(0, SLACK_LIMITS.fields).map((item) => mrkdwn(truncate(item, SLACK_LIMITS.fieldText, 'mrkdwn'))) };
}

function serviceLine(service: ServiceLine): string {
  return `${SERVICE_EMOJI[service.state]} *${link(service.consoleUrl, service.name)}* ${serviceSummary(service)}`;
}

function migrationLine(migration: MigrationLine): string {
  const title = `*Migration*${migration.service ? ` (${escapeMrkdwn(migration.service)})` : ''}`;
  const logs = migration.consoleUrl && migration.consoleUrl.length <= SLACK_LIMITS.url ? ` · ${mrkdwnLink(migration.consoleUrl, 'task')}` : '';
  return `${migrationEmoji(migration.status)} ${title} ${escapeMrkdwn(migrationSummary(migration))}${logs}`;
}

function reasonsBlock(report: Report): Block | undefined {
  if (report.reasons.length === 0) return undefined;
  const title = `*${reasonsTitle(report)}*`;
  const lines = report.reasons.map((reason) => `• ${escapeMrkdwn(truncate(reason, SLACK_LIMITS.reasonLine))}`);
  const reserve = title.length + 1 + 40; // room for the "and N more" line
  const { chunks, omitted } = packLines(lines, { maxChars: SLACK_LIMITS.sectionText - reserve, maxChunks: 1, totalChars: SLACK_LIMITS.sectionText - reserve }, 'mrkdwn');
  return section([title, ...chunks, ...(omitted ? [`_…${andMore(omitted, 'reason')}_`] : [])].join('\n'));
}

function actions(report: Report): Block | undefined {
  const buttons: Block[] = [];
  const button = (id: string, label: string, url: string | undefined, style?: 'primary' | 'danger') => {
    if (!url || url.length > SLACK_LIMITS.url) return;
    buttons.push({ type: 'button', action_id: id, text: { type: 'plain_text', text: label, emoji: true }, url, ...(style ? { style } : {}) });
  };
  const failing = report.outcome === 'failed' || report.outcome === 'rolled-back';
  button('view-run', 'View run', report.runUrl, failing ? 'danger' : 'primary');
  button('view-commit', 'View commit', report.commit?.url);
  button('compare', 'Compare changes', report.commit?.compareUrl);
  return buttons.length ? { type: 'actions', elements: buttons } : undefined;
}

function footer(report: Report): Block | undefined {
  const parts = [report.workflow ? `Workflow ${link(report.runUrl, report.workflow)}` : undefined, report.runAttempt && report.runAttempt !== '1' ? `attempt ${escapeMrkdwn(report.runAttempt)}` : undefined].filter(
    (part): part is string => part !== undefined,
  );
  return parts.length ? context(parts.join(' · ')) : undefined;
}

/** The characters a block carries, as Slack weighs them against its total. */
export function blockChars(block: Block): number {
  let total = 0;
  const visit = (value: unknown, key?: string) => {
    if (typeof value === 'string') {
      if (key === 'text' || key === 'url') total += value.length;
    } else if (Array.isArray(value)) value.forEach((item) => visit(item));
    else if (value && typeof value === 'object') for (const [name, item] of Object.entries(value)) visit(item, name);
  };
  visit(block);
  return total;
}

function fallbackText(report: Report): string {
  const head = `${report.mentions ? `${slackMentions(report.mentions)} ` : ''}${escapeMrkdwn(headerText(report))}`;
  const commit = report.commit ? escapeMrkdwn(` (${report.commit.shortSha}${report.commit.title ? ` ${report.commit.title}` : ''})`) : '';
  const names = report.services.map((service) => escapeMrkdwn(`${service.name} ${SERVICE_LABEL[service.state]}`));
  const budget = Math.max(200, SLACK_LIMITS.fallbackText - head.length - commit.length - 40);
  const { chunks, omitted } = packLines(names, { maxChars: budget, maxChunks: 1, totalChars: budget }, 'mrkdwn');
  const list = chunks[0]?.split('\n').join(', ');
  const services = list ? `: ${list}${omitted ? `, ${andMore(omitted, 'service')}` : ''}` : '';
  return truncate(`${head}${services}${commit}`, SLACK_LIMITS.fallbackText, 'mrkdwn');
}

/**
 * Header, mention, facts, services (as many sections as the limits allow, then "and N more"),
 * migration, reasons, buttons and footer: at most 50 blocks and about 11,000 characters of text.
 */
export function slackMessage(report: Report): SlackMessage {
  const header: Block = { type: 'header', text: { type: 'plain_text', text: truncate(headerText(report), SLACK_LIMITS.headerText), emoji: true } };
  const before: Block[] = [header, ...(report.mentions ? [section(slackMentions(report.mentions))] : []), fields(report)];
  const after: Block[] = [...(report.migration ? [section(migrationLine(report.migration))] : []), ...[reasonsBlock(report), actions(report), footer(report)].filter((block): block is Block => block !== undefined)];
  const blocks = [...before];
  if (report.services.length) {
    const fixed = [...before, ...after];
    const overflowLine = 80;
    const maxChunks = SLACK_LIMITS.blocks - fixed.length - 2; // the divider and a possible "and N more" line
    const totalChars = SLACK_LIMITS.blocksChars - fixed.reduce((sum, block) => sum + blockChars(block), 0) - overflowLine;
    const lines = [`*Services (${report.services.length})*`, ...report.services.map(serviceLine)];
    const { chunks, omitted } = packLines(lines, { maxChars: SLACK_LIMITS.sectionText, maxChunks, totalChars }, 'mrkdwn');
    const left = Math.min(omitted, report.services.length); // the heading line is never counted as a service
    blocks.push({ type: 'divider' }, ...chunks.map(section));
    if (left) blocks.push(context(`…${andMore(left, 'service')}; the job summary lists every one.`));
  }
  blocks.push(...after);
  return { text: fallbackText(report), blocks };
}
