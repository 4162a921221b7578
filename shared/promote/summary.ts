/**
 * What a promotion tells later jobs and people: the outputs (named and shaped as the changes
 * action's where they overlap, plus `images` for deploy-ecs) and the job summary.
 */
import { escapeHtml, type SummaryWriter } from '../summary.js';
import { shortDigest } from '../images.js';
import { matrixEntry } from '../manifest/matrix.js';
import type { PromoteReport } from './index.js';
import type { PromoteAction, ServicePromotion } from './types.js';

export function actionOutputs({ result, manifest }: PromoteReport): Record<string, string> {
  const changed = result.services.filter((service) => service.changed);
  const specs = changed.map((service) => manifest.services.find((spec) => spec.name === service.name)!);
  const migrating = specs.filter((spec) => spec.migrate !== undefined).map((spec) => spec.name);
  const outputs: Record<string, string> = {
    services: JSON.stringify(changed.map((service) => service.name)),
    'any-changed': String(changed.length > 0),
    matrix: JSON.stringify({ include: specs.map((spec) => matrixEntry(manifest, spec)) }),
    migrate: String(migrating.length > 0),
    'migrate-services': JSON.stringify(migrating),
    images: JSON.stringify(Object.fromEntries(changed.map((service) => [service.name, service.target!.image]))),
    result: JSON.stringify(result),
  };
  for (const service of result.services) outputs[service.name] = String(service.changed);
  return outputs;
}

const ACTION_WORDS: Record<PromoteAction, string> = {
  copied: '📦 copied',
  'already-present': '✔ already in the registry',
  'pull-allowed': '⬇ pulled from the source',
  'pull-unchecked': '⚠ pulled from the source (permission not verified)',
  unchanged: '— unchanged',
  'not-in-source': '— not in the source',
};

const code = (text: string) => `<code>${escapeHtml(text)}</code>`;

function digests(service: ServicePromotion): string {
  const now = service.running?.digest ? code(shortDigest(service.running.digest)) : service.running ? 'unknown' : '—';
  if (!service.source?.digest) return now;
  if (!service.changed) return code(shortDigest(service.source.digest));
  return `${now} → ${code(shortDigest(service.source.digest))}`;
}

export function jobSummary({ result }: PromoteReport): SummaryWriter {
  return (summary) => {
    const changed = result.services.filter((service) => service.changed).length;
    const source = result.commit ? `commit ${result.commit.slice(0, 12)}` : `"${result.from}"`;
    summary.addHeading(escapeHtml(`Promote to "${result.to}" from ${source}: ${changed} of ${result.services.length} service${result.services.length === 1 ? '' : 's'} to deploy`), 3);
    summary.addRaw(
      `<p>${escapeHtml(result.images === 'copy' ? `Images are copied by digest into the registry of "${result.to}".` : `"${result.to}" pulls the images from the source registry by digest.`)} Nothing was built.</p>`,
      true,
    );
    summary.addTable([
      ['Service', `Digest (now → next)`, 'Action', 'Why'].map((data) => ({ data, header: true })),
      ...result.services.map((service) => [code(service.name), digests(service), escapeHtml(ACTION_WORDS[service.action]), escapeHtml(service.reason)]),
    ]);
  };
}
