/**
 * The payload for generic JSON receivers: markdown as `text` (Mattermost, Rocket.Chat, Teams
 * workflows) and `content` (Discord, at most 2,000 characters), and the facts as data.
 */
import { OUTCOME_LABEL, type Report } from './report.js';
import { headerText } from './wording.js';
import { markdownMessage } from './markdown.js';

export const GENERIC_LIMITS = { text: 4000, content: 2000 } as const;

export interface GenericPayload {
  text: string;
  content: string;
  deployment: {
    outcome: Report['outcome'];
    outcomeLabel: string;
    title: string;
    repository: string;
    environment?: string;
    branch?: string;
    commit?: { sha: string; url?: string; title?: string };
    actor?: string;
    runUrl?: string;
    services: Array<{
      name: string;
      state: string;
      image?: string;
      imageTag?: string;
      revision?: number;
      rolledBackToRevision?: number;
      durationSeconds?: number;
      reason?: string;
      consoleUrl?: string;
    }>;
    migration?: Report['migration'];
    reasons: string[];
  };
}

export function genericPayload(report: Report): GenericPayload {
  return {
    text: markdownMessage(report, GENERIC_LIMITS.text),
    content: markdownMessage(report, GENERIC_LIMITS.content),
    deployment: {
      outcome: report.outcome,
      outcomeLabel: OUTCOME_LABEL[report.outcome],
      title: headerText(report),
      repository: report.repository.name,
      environment: report.environment,
      branch: report.branch?.name,
      commit: report.commit ? { sha: report.commit.sha, url: report.commit.url, title: report.commit.title } : undefined,
      actor: report.actor?.login,
      runUrl: report.runUrl,
      services: report.services.map(({ name, state, image, imageTag, revision, rolledBackToRevision, durationSeconds, reason, consoleUrl }) => ({
        name,
        state,
        image,
        imageTag,
        revision,
        rolledBackToRevision,
        durationSeconds,
        reason,
        consoleUrl,
      })),
      migration: report.migration,
      reasons: report.reasons,
    },
  };
}
