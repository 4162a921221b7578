/** The job summary: the same facts as the message, every service listed, and what became of the message. */
import type { SummaryWriter } from '../summary.js';
import type { Delivery } from './deliver.js';
import { factLines, migrationText, reasonLines, serviceTable } from './markdown.js';
import { reasonsTitle, headerText } from './wording.js';
import type { Report } from './report.js';
import { httpLink } from './links.js';
import { escapeMarkdown, markdownLink } from './text.js';

function deliveryLine(delivery: Delivery): string {
  if (!delivery.sent) {
    return `⚠️ **Notification not sent** to ${escapeMarkdown(delivery.target)}: ${escapeMarkdown(delivery.error?.message ?? 'unknown error')} ${escapeMarkdown(delivery.error?.hint ?? '')}`;
  }
  const verb = delivery.updated ? 'Updated the message in' : 'Sent to';
  // The permalink and ts are the service's answer: shown only in the forms Slack gives them.
  const permalink = httpLink(delivery.permalink);
  const link = permalink ? ` (${markdownLink(permalink, 'open the message')})` : '';
  return `📣 ${verb} ${escapeMarkdown(delivery.target)}${delivery.ts ? `, ts ${escapeMarkdown(delivery.ts)}` : ''}${link}`;
}

export function jobSummary(report: Report, delivery: Delivery): SummaryWriter {
  return (summary) => {
    const parts = [`## ${escapeMarkdown(headerText(report))}`, factLines(report).join('  \n')];
    if (report.services.length) parts.push(serviceTable(report));
    const migration = migrationText(report);
    if (migration) parts.push(migration);
    if (report.reasons.length) parts.push([`**${reasonsTitle(report)}**`, '', ...reasonLines(report)].join('\n'));
    parts.push(deliveryLine(delivery));
    summary.addRaw(parts.join('\n\n'), true);
  };
}
