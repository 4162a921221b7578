/**
 * What a notification says, in words that are the same in every format: the Slack message, the
 * Markdown of generic webhooks and the job summary render these over the Report (report.ts).
 */
import { formatDuration } from '../time.js';
import type { Outcome } from './outcome.js';
import type { MigrationLine, Report, ServiceLine, ServiceState } from './report.js';

const OUTCOME_EMOJI: Record<Outcome, string> = {
  started: '🚀',
  succeeded: '✅',
  failed: '❌',
  'rolled-back': '↩️',
  cancelled: '⏹️',
  skipped: '⏭️',
};

export const SERVICE_EMOJI: Record<ServiceState, string> = {
  failed: '❌',
  'rolled-back': '↩️',
  deployed: '✅',
  deploying: '⏳',
  built: '📦',
  'image-reused': '📦',
  'not-deployed': '➖',
  changed: '🔸',
};

export const SERVICE_LABEL: Record<ServiceState, string> = {
  failed: 'failed',
  'rolled-back': 'rolled back',
  deployed: 'deployed',
  deploying: 'deploying',
  built: 'image built',
  'image-reused': 'image reused',
  'not-deployed': 'not deployed',
  changed: 'changed',
};

const MIGRATION_EMOJI: Record<string, string> = { succeeded: '✅', failed: '❌', 'timed-out': '⏱️', cancelled: '⏹️', started: '⏳', running: '⏳' };
export const migrationEmoji = (status: string): string => MIGRATION_EMOJI[status] ?? '🗄️';

export function headerText(report: Report): string {
  return `${OUTCOME_EMOJI[report.outcome]} ${report.headline}`;
}

/**
 * What a service line says after the name, the same in every format:
 * "deployed · `0123456` · rev 12 · 1m 35s", "rolled back to rev 11 · rev 12 (`0123456`) failed · 3m 10s".
 */
export function serviceSummary(service: ServiceLine): string {
  const tag = service.imageTag ? `\`${service.imageTag.replace(/[^\w.:@-]/g, '')}\`` : undefined;
  const took = service.durationSeconds !== undefined ? formatDuration(service.durationSeconds * 1000) : undefined;
  const parts: Array<string | undefined> =
    service.state === 'rolled-back' && service.rolledBackToRevision !== undefined
      ? [`rolled back to rev ${service.rolledBackToRevision}`, service.revision !== undefined ? `rev ${service.revision}${tag ? ` (${tag})` : ''} failed` : tag, took]
      : [SERVICE_LABEL[service.state], tag, service.revision !== undefined ? `rev ${service.revision}` : undefined, took];
  if (service.strategy) parts.push(strategyText(service.strategy));
  return parts.filter((part) => part !== undefined).join(' · ');
}

const STRATEGY_NAME: Record<string, string> = { BLUE_GREEN: 'blue/green', LINEAR: 'linear', CANARY: 'canary', CODE_DEPLOY: 'CodeDeploy blue/green' };

/** `canary, reached BAKE_TIME 100%`. */
function strategyText(strategy: NonNullable<ServiceLine['strategy']>): string {
  const name = STRATEGY_NAME[strategy.name] ?? strategy.name.toLowerCase();
  return strategy.reached ? `${name}, reached ${strategy.reached.replace(/[^\w %./-]/g, '')}` : name;
}

export function migrationSummary(migration: MigrationLine): string {
  const label = migration.status.replace(/-/g, ' ');
  const exit = migration.status !== 'succeeded' && migration.exitCode !== undefined && migration.exitCode !== 0 ? ` (exit ${migration.exitCode})` : '';
  const took = migration.durationSeconds !== undefined ? ` in ${formatDuration(migration.durationSeconds * 1000)}` : '';
  return `${label}${exit}${took}`;
}

export function reasonsTitle(report: Report): string {
  return report.outcome === 'cancelled' ? 'What was cancelled' : report.outcome === 'rolled-back' ? 'Why it rolled back' : 'Why it failed';
}
