/**
 * The difference between the live task definition and the one a deploy would register, beyond the
 * main container's image, in words a reviewer reads: variables, secrets, CPU and memory, ports, the
 * health check, then any other field by name. A secret's value never appears (task definitions hold
 * only where it comes from), and a variable whose name or value looks secret is shown without it.
 */
import type { ContainerDefinition, HealthCheck, PortMapping, RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import type { DefinitionChange } from './types.js';

const SECRET_NAME = /pass(word|wd|phrase)?|pwd|secret|token|credential|private|api[_-]?key|access[_-]?key|(^|_)key($|_)|auth|cookie|session|salt|signing|signature|dsn|database_url|connection[_-]?string/i;
/** A URL with a password in it: scheme://user:password@host. */
const CREDENTIALS_IN_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Whether a variable's value is shown: never for a secret-looking name or a URL that carries a password. */
export function looksSecret(name: string, value = ''): boolean {
  return SECRET_NAME.test(name) || CREDENTIALS_IN_URL.test(value);
}

/** `shop-api/database-url` from a Secrets Manager ARN, `/shop/api/token` from an SSM parameter ARN; a plain name as it is. */
export function secretSourceName(valueFrom: string): string {
  const secretsManager = /^arn:[^:]+:secretsmanager:[^:]*:\d*:secret:(.+?)(?:-[A-Za-z0-9]{6})?(?::[^:]*:[^:]*:[^:]*)?$/.exec(valueFrom);
  if (secretsManager) return secretsManager[1]!;
  const ssm = /^arn:[^:]+:ssm:[^:]*:\d*:parameter(\/.+)$/.exec(valueFrom);
  if (ssm) return ssm[1]!;
  return valueFrom;
}

/** Fields compared one by one; everything else is compared as a whole and named when it differs. */
const CONTAINER_FIELDS = new Set(['name', 'image', 'environment', 'secrets', 'cpu', 'memory', 'memoryReservation', 'portMappings', 'healthCheck']);
const TASK_FIELDS = new Set(['containerDefinitions', 'cpu', 'memory', 'tags']);

export function diffTaskDefinitions(live: RegisterTaskDefinitionCommandInput, next: RegisterTaskDefinitionCommandInput, mainContainer: string): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  scalar(changes, 'task CPU', live.cpu, next.cpu);
  scalar(changes, 'task memory', live.memory, next.memory);
  const before = byName(live.containerDefinitions);
  const after = byName(next.containerDefinitions);
  for (const [name, container] of after) {
    const old = before.get(name);
    if (!old) changes.push({ what: `container ${name}`, change: 'added', to: container.image });
    else changes.push(...diffContainer(name, old, container, name === mainContainer));
  }
  for (const name of before.keys()) if (!after.has(name)) changes.push({ what: `container ${name}`, change: 'removed' });
  for (const key of otherKeys(live, next, TASK_FIELDS)) changes.push({ what: key, change: 'changed' });
  return changes;
}

function diffContainer(name: string, live: ContainerDefinition, next: ContainerDefinition, main: boolean): DefinitionChange[] {
  const changes: DefinitionChange[] = [];
  const where = (what: string) => (main ? what : `container ${name}: ${what}`);
  if (!main && live.image !== next.image) changes.push({ what: where('image'), change: 'changed', from: live.image, to: next.image });
  changes.push(...diffVariables(live, next, where));
  changes.push(...diffSecrets(live, next, where));
  // ECS reports a container's CPU units as 0 when they were never set.
  scalar(changes, where('CPU units'), live.cpu || undefined, next.cpu || undefined);
  scalar(changes, where('memory (MiB)'), live.memory, next.memory);
  scalar(changes, where('memory reservation (MiB)'), live.memoryReservation, next.memoryReservation);
  const ports = (mappings: PortMapping[] | undefined) => (mappings ?? []).map(portText).sort().join(', ') || 'none';
  if (ports(live.portMappings) !== ports(next.portMappings)) changes.push({ what: where('ports'), change: 'changed', from: ports(live.portMappings), to: ports(next.portMappings) });
  const health = (check: HealthCheck | undefined) => (check ? healthText(check) : 'none');
  if (health(live.healthCheck) !== health(next.healthCheck)) changes.push({ what: where('health check'), change: 'changed', from: health(live.healthCheck), to: health(next.healthCheck) });
  for (const key of otherKeys(live, next, CONTAINER_FIELDS)) changes.push({ what: where(key), change: 'changed' });
  return changes;
}

function diffVariables(live: ContainerDefinition, next: ContainerDefinition, where: (what: string) => string): DefinitionChange[] {
  const before = pairs(live.environment);
  const after = pairs(next.environment);
  const changes: DefinitionChange[] = [];
  for (const [name, value] of after) {
    const old = before.get(name);
    const hidden = looksSecret(name, value) || (old !== undefined && looksSecret(name, old));
    const what = where(`environment ${name}`);
    if (old === undefined) changes.push(hidden ? { what, change: 'added', note: 'value hidden' } : { what, change: 'added', to: value });
    else if (old !== value) changes.push(hidden ? { what, change: 'changed', note: 'value hidden' } : { what, change: 'changed', from: old, to: value });
  }
  for (const name of before.keys()) if (!after.has(name)) changes.push({ what: where(`environment ${name}`), change: 'removed' });
  return changes;
}

function diffSecrets(live: ContainerDefinition, next: ContainerDefinition, where: (what: string) => string): DefinitionChange[] {
  const source = (secrets: ContainerDefinition['secrets']) => new Map((secrets ?? []).map((secret) => [secret.name ?? '', secretSourceName(secret.valueFrom ?? '')]));
  const before = source(live.secrets);
  const after = source(next.secrets);
  const changes: DefinitionChange[] = [];
  for (const [name, from] of after) {
    const old = before.get(name);
    if (old === undefined) changes.push({ what: where(`secret ${name}`), change: 'added', to: `from ${from}` });
    else if (old !== from) changes.push({ what: where(`secret ${name}`), change: 'changed', from: `from ${old}`, to: `from ${from}` });
  }
  for (const [name, from] of before) if (!after.has(name)) changes.push({ what: where(`secret ${name}`), change: 'removed', from: `from ${from}` });
  return changes;
}

function scalar(changes: DefinitionChange[], what: string, from: unknown, to: unknown): void {
  if (String(from ?? '') === String(to ?? '')) return;
  if (from === undefined || from === null || from === '') changes.push({ what, change: 'added', to: String(to) });
  else if (to === undefined || to === null || to === '') changes.push({ what, change: 'removed', from: String(from) });
  else changes.push({ what, change: 'changed', from: String(from), to: String(to) });
}

const byName = (containers: ContainerDefinition[] | undefined) => new Map((containers ?? []).map((container) => [container.name ?? '', container]));
const pairs = (list: { name?: string; value?: string }[] | undefined) => new Map((list ?? []).map((pair) => [pair.name ?? '', pair.value ?? '']));

function portText(mapping: PortMapping): string {
  const port = mapping.containerPortRange ?? String(mapping.containerPort ?? '');
  const host = mapping.hostPort !== undefined && mapping.hostPort !== mapping.containerPort ? ` (host ${mapping.hostPort})` : '';
  return `${port}/${mapping.protocol ?? 'tcp'}${host}${mapping.name ? ` ${mapping.name}` : ''}`;
}

function healthText(check: HealthCheck): string {
  const command = (check.command ?? []).filter((part, i) => i > 0 || (part !== 'CMD-SHELL' && part !== 'CMD')).join(' ');
  const timing = [
    check.interval !== undefined ? `every ${check.interval}s` : '',
    check.timeout !== undefined ? `timeout ${check.timeout}s` : '',
    check.retries !== undefined ? `${check.retries} retries` : '',
    check.startPeriod !== undefined ? `start period ${check.startPeriod}s` : '',
  ].filter(Boolean);
  return `${command}${timing.length ? ` (${timing.join(', ')})` : ''}`;
}

/** Keys outside `compared` whose values differ, sorted. */
function otherKeys(live: object, next: object, compared: Set<string>): string[] {
  const a = live as Record<string, unknown>;
  const b = next as Record<string, unknown>;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((key) => !compared.has(key)));
  return [...keys].filter((key) => canonical(a[key]) !== canonical(b[key])).sort();
}

/** JSON with object keys sorted, so the order ECS returns fields in does not count as a change; empty lists count as absent. */
function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, item: unknown) => {
      if (Array.isArray(item) && item.length === 0) return undefined;
      if (item && typeof item === 'object' && !Array.isArray(item)) {
        return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([x], [y]) => x.localeCompare(y)));
      }
      return item;
    }) ?? ''
  );
}
