/** The job summary of build-push: one row per build. */
import { escapeHtml, type SummaryWriter } from '../summary.js';
import { formatDuration } from '../time.js';
import type { BuildPushResult } from './types.js';

export interface SummaryRow {
  service: string;
  /** built / skipped / failed, with a few words of why. */
  outcome: string;
  result?: BuildPushResult;
}

const HEADER = ['Service', 'Result', 'Tags', 'Digest', 'Size', 'Duration'].map((data) => ({ data, header: true }));

export function jobSummary(row: SummaryRow): SummaryWriter {
  return (summary) => {
    const r = row.result;
    summary
      .addHeading('Build and push', 3)
      .addTable([
        HEADER,
        [
          escapeHtml(row.service),
          escapeHtml(row.outcome),
          r ? r.tags.map((tag) => `<code>${escapeHtml(tag)}</code>`).join(' ') : '',
          r ? `<code>${escapeHtml(r.digest)}</code>` : '',
          r?.sizeBytes != null ? formatBytes(r.sizeBytes) : '',
          r ? formatDuration(r.durationSeconds * 1000) : '',
        ],
      ]);
    if (r) summary.addRaw(`Image for task definitions: <code>${escapeHtml(r.imageWithDigest)}</code>`, true);
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
