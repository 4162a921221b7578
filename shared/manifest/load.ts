/**
 * Reads and validates the services manifest. Every problem names the file, line and key, says what
 * is allowed, and becomes an annotation on that line.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, join, posix, relative } from 'node:path';
import type { ErrorObject } from 'ajv';
import type { Document, Node, Pair, Scalar } from 'yaml';

type Yaml = typeof import('yaml');
import { UserError, type FileProblem } from '../errors.js';
import { closest } from '../suggest.js';
import { regionProblem } from '../aws/regions.js';
import { MISSING_MANIFEST_HINT } from './file.js';
import { globProblem } from './globs.js';
import { quickParse } from './quick-yaml.js';
import { validate } from './validate.generated.js';
import { applyEnvironment } from './environments.js';
import type { CodeDeploySpec, EnvironmentSpec, ImagesMode, Manifest, ServiceSpec } from './types.js';

/** A manifest of hundreds of services is a few dozen kB; anything near this is not a manifest. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

export class ManifestError extends UserError {
  override readonly name = 'ManifestError';
}

/** Reads `file` (relative to `root`, the repository root) and returns the validated manifest. */
export async function loadManifest(file: string, root: string): Promise<Manifest> {
  const path = isAbsolute(file) ? file : join(root, file);
  refuseOutside(file, path, root);
  let text: string;
  try {
    // Read at once: on a busy runner an asynchronous read of a small file waits behind everything else.
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `The services manifest "${file}" does not exist in ${root}.` : `The services manifest "${file}" cannot be read: ${(error as Error).message}`, MISSING_MANIFEST_HINT);
  }
  const shown = isAbsolute(file) ? relative(root, file) || file : posix.normalize(file.replace(/\\/g, '/'));
  return await parseManifest(text, shown);
}

/**
 * The manifest is a file of the checked-out repository: a path (or a symbolic link) that leads out
 * of it is refused before anything is read, so no other file's content can be quoted in an error.
 */
function refuseOutside(file: string, path: string, root: string): void {
  const inside = (candidate: string, base: string) => {
    const rel = relative(base, candidate);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  let real = path;
  let realRoot = root;
  try {
    realRoot = realpathSync(root);
    real = realpathSync(path);
  } catch {
    // A file that does not exist is reported as missing by the read that follows.
  }
  if (inside(path, root) && (real === path || inside(real, realRoot))) return;
  throw new UserError(
    `Input "manifest" is "${file}", which ${inside(path, root) ? 'is a symbolic link to a file' : 'is'} outside the repository (${root}), so it was not read.`,
    'Set "manifest" to the services manifest\'s path inside the checked-out repository, such as .github/services.yml.',
  );
}

/** Validates manifest text; `file` is only used to name where problems are. */
export async function parseManifest(text: string, file: string): Promise<Manifest> {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_MANIFEST_BYTES) {
    throw new ManifestError(
      `The services manifest ${file} is ${(bytes / 1024 / 1024).toFixed(1)} MiB; a manifest is at most ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB (hundreds of services take a few dozen kB), so it was not read.`,
      'Check that the "manifest" input names the services manifest, and keep one entry per deployable service in it.',
      [{ file, line: 1, column: 1, message: `The file is ${bytes} bytes, more than a services manifest can be (at most ${MAX_MANIFEST_BYTES}).` }],
    );
  }
  // Most manifests are valid: read them the fast way, and keep positions for manifests with problems.
  const quick = quickParse(text);
  if (quick !== undefined && validate(quick)) {
    const manifest = normalize(quick as RawManifest, file);
    if (consistencyProblems(manifest, quick as RawManifest, (_, message) => ({ file, line: 0, column: 0, message })).length === 0) return manifest;
  }
  // Only a manifest with problems pays for loading the parser that keeps positions.
  const yaml = await import('yaml');
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, message: string): FileProblem => {
    const { line, col } = lines.linePos(offset);
    return { file, line, column: col, message };
  };

  const duplicates = duplicateKeys(yaml, doc);
  const syntax = doc.errors.map((error) => {
    const duplicate = error.code === 'DUPLICATE_KEY' ? duplicates.find((candidate) => isAt(candidate.key, error.pos[0])) : undefined;
    if (!duplicate) return at(error.pos[0], `YAML error: ${error.message.split('\n')[0]}`);
    const firstLine = lines.linePos(duplicate.first.range?.[0] ?? 0).line;
    const key = String(duplicate.key.value);
    const named = duplicate.segments.length === 1 ? { services: 'Service', environments: 'Environment' }[duplicate.segments[0]!] : undefined;
    const message = named
      ? `${named} "${key}" is defined twice (first on line ${firstLine}): each ${named.toLowerCase()} needs its own name.`
      : `Key "${key}" appears twice in ${dotted(duplicate.segments) || file} (first on line ${firstLine}); keep one.`;
    return at(duplicate.key.range?.[0] ?? error.pos[0], message);
  });
  if (syntax.length) fail(file, syntax);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // The yaml package refuses documents whose aliases expand without bound ("billion laughs").
    fail(file, [at(0, `YAML error: ${(error as Error).message}; a manifest needs no aliases (*name) that expand this far. Write the values out.`)]);
  }
  if (!validate(data)) {
    fail(file, schemaProblems((validate as { errors?: ErrorObject[] }).errors ?? [], yaml, doc, at));
  }
  const manifest = normalize(data as RawManifest, file);
  fail(
    file,
    consistencyProblems(manifest, data as RawManifest, (segments, message) => at(offsetOf(yaml, doc, segments, true), message)),
  );
  return manifest;
}

/** The service called `name`, or an error that lists the names there are. */
export function findService(manifest: Manifest, name: string): ServiceSpec {
  const service = manifest.services.find((candidate) => candidate.name === name);
  if (!service) {
    const names = manifest.services.map((candidate) => candidate.name);
    const guess = closest(name, names);
    throw new UserError(`Service "${name}" is not in ${manifest.file}.${guess ? ` Did you mean "${guess}"?` : ''}`, `Services in the manifest: ${names.join(', ')}.`);
  }
  return service;
}

function fail(file: string, problems: FileProblem[]): void {
  if (problems.length === 0) return;
  const listed = problems.map((problem) => `  ${problem.file}:${problem.line}:${problem.column}: ${problem.message}`).join('\n');
  throw new ManifestError(
    `The services manifest ${file} has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${listed}`,
    `Fix ${file} and push again; the JSON Schema at shared/manifest/services.schema.json lists every key.`,
    problems,
  );
}

interface RawService {
  paths: string[];
  package?: string;
  dependsOn?: string[];
  build?: { context?: string; dockerfile?: string; args?: Record<string, string | number | boolean>; target?: string; platforms?: string[] };
  repository?: string;
  ecs?: { cluster?: string; service?: string; container?: string; bakeWait?: string; codedeploy?: CodeDeploySpec };
  migrate?: { command: string[] | string; container?: string };
  health?: string;
}

interface RawEnvironment {
  githubEnvironment?: string;
  /** YAML reads an unquoted id as a number. */
  account?: string | number;
  role?: string;
  region?: string;
  cluster?: string;
  registry?: string;
  images?: ImagesMode;
  services?: Record<string, { ecs?: { cluster?: string; service?: string }; health?: string; migrate?: { command: string[] | string } }>;
}

interface RawManifest {
  region?: string;
  role?: string;
  cluster?: string;
  registry?: string;
  always?: string[];
  lockfiles?: 'precise' | 'paths';
  services: Record<string, RawService>;
  environments?: Record<string, RawEnvironment>;
}

const commandOf = (command: string[] | string) => (typeof command === 'string' ? ['sh', '-c', command] : command);

function normalize(raw: RawManifest, file: string): Manifest {
  return {
    file,
    region: raw.region,
    role: raw.role,
    registry: raw.registry,
    always: raw.always ?? [],
    lockfiles: raw.lockfiles ?? 'paths',
    services: Object.entries(raw.services).map(([name, service]) => {
      const context = service.build?.context ?? '.';
      const container = service.ecs?.container ?? name;
      return {
        name,
        paths: service.paths,
        package: service.package,
        dependsOn: service.dependsOn ?? [],
        dependsOnListed: service.dependsOn !== undefined,
        build: {
          context,
          dockerfile: service.build?.dockerfile ?? posix.join(context, 'Dockerfile'),
          args: Object.fromEntries(Object.entries(service.build?.args ?? {}).map(([key, value]) => [key, String(value)])),
          target: service.build?.target,
          platforms: service.build?.platforms ?? [],
        },
        repository: service.repository ?? name,
        ecs: { cluster: service.ecs?.cluster ?? raw.cluster ?? '', service: service.ecs?.service ?? name, container, bakeWait: service.ecs?.bakeWait, codedeploy: service.ecs?.codedeploy },
        migrate: service.migrate && {
          command: commandOf(service.migrate.command),
          container: service.migrate.container ?? container,
        },
        health: service.health,
      };
    }),
    environments: Object.entries(raw.environments ?? {}).map(([name, environment]) => normalizeEnvironment(name, environment)),
  };
}

function normalizeEnvironment(name: string, raw: RawEnvironment): EnvironmentSpec {
  return {
    name,
    githubEnvironment: raw.githubEnvironment ?? name,
    account: raw.account === undefined ? undefined : String(raw.account),
    role: raw.role,
    region: raw.region,
    cluster: raw.cluster,
    registry: raw.registry,
    images: raw.images ?? 'pull',
    services: Object.fromEntries(Object.entries(raw.services ?? {}).map(([service, own]) => [service, { ecs: own.ecs, health: own.health, migrate: own.migrate && { command: commandOf(own.migrate.command) } }])),
  };
}

type Locate = (offset: number, message: string) => FileProblem;

function consistencyProblems(manifest: Manifest, raw: RawManifest, at: (segments: string[], message: string) => FileProblem): FileProblem[] {
  const problems: FileProblem[] = [];
  const region = raw.region === undefined ? undefined : regionProblem(raw.region);
  if (region) problems.push(at(['region'], `"region" is ${region.problem} ${region.fix}`));
  const globs = [
    ...manifest.services.flatMap((service) => service.paths.map((glob, index) => ({ glob, segments: ['services', service.name, 'paths', String(index)] }))),
    ...manifest.always.map((glob, index) => ({ glob, segments: ['always', String(index)] })),
  ];
  for (const { glob, segments } of globs) {
    const problem = globProblem(glob);
    if (problem) problems.push(at(segments, `${dotted(segments)} is "${glob}", which is not a valid glob: ${problem}`));
  }
  const place = (service: string, key?: string) => (key && key in raw.services[service]! ? ['services', service, key] : ['services', service]);
  const firstWith = new Map<string, string>();
  for (const service of manifest.services) {
    if (!service.ecs.cluster) {
      problems.push(at(place(service.name), `Service "${service.name}" has no ECS cluster: set "cluster" at the top of the manifest or "ecs.cluster" for this service.`));
    }
    const claims = [
      [`repository ${service.repository}`, `pushes to the same ECR repository "${service.repository}" (images are tagged by commit, so they would overwrite each other)`, 'repository'],
      [`ecs ${service.ecs.cluster}/${service.ecs.service}`, `deploys the same ECS service "${service.ecs.service}" in cluster "${service.ecs.cluster}"`, 'ecs'],
    ] as const;
    for (const [claim, what, key] of claims) {
      const owner = firstWith.get(claim);
      if (owner) problems.push(at(place(service.name, key), `Service "${service.name}" ${what} as service "${owner}"; give each service its own.`));
      else firstWith.set(claim, service.name);
    }
  }
  return [...problems, ...environmentProblems(manifest, at)];
}

/** Regions, service names, and ECS services two services would share, environment by environment. */
function environmentProblems(manifest: Manifest, at: (segments: string[], message: string) => FileProblem): FileProblem[] {
  const problems: FileProblem[] = [];
  const names = manifest.services.map((service) => service.name);
  const claimOf = (service: ServiceSpec) => `${service.ecs.cluster}/${service.ecs.service}`;
  const outside = new Map(manifest.services.map((service) => [service.name, claimOf(service)]));
  for (const environment of manifest.environments) {
    const base = ['environments', environment.name];
    const region = environment.region === undefined ? undefined : regionProblem(environment.region);
    if (region) problems.push(at([...base, 'region'], `${dotted([...base, 'region'])} is ${region.problem} ${region.fix}`));
    for (const service of Object.keys(environment.services).filter((name) => !names.includes(name))) {
      const guess = closest(service, names);
      problems.push(
        at([...base, 'services', service], `Environment "${environment.name}" names service "${service}", which is not in services.${guess ? ` Did you mean "${guess}"?` : ''} Services in the manifest: ${names.join(', ')}.`),
      );
    }
    const owners = new Map<string, string>();
    for (const service of applyEnvironment(manifest, environment).services) {
      const owner = owners.get(claimOf(service));
      // Services that share an ECS service outside environments are reported once, above.
      if (owner && outside.get(owner) !== outside.get(service.name)) {
        problems.push(
          at(
            [...base, 'services', service.name, 'ecs'],
            `In environment "${environment.name}", service "${service.name}" deploys the same ECS service "${service.ecs.service}" in cluster "${service.ecs.cluster}" as service "${owner}"; give each its own (${dotted([...base, 'services', service.name, 'ecs'])}).`,
          ),
        );
      } else if (!owner) owners.set(claimOf(service), service.name);
    }
  }
  return problems;
}

const TYPE_WORDS: Record<string, string> = { array: 'a list', object: 'a mapping of keys to values', string: 'a string', number: 'a number', boolean: 'true or false', integer: 'a whole number' };

function schemaProblems(errors: ErrorObject[], yaml: Yaml, doc: Document, at: Locate): FileProblem[] {
  const oneOfPaths = new Set(errors.filter((error) => error.keyword === 'oneOf').map((error) => error.instancePath));
  const seen = new Set<string>();
  const problems: FileProblem[] = [];
  for (const error of errors) {
    if (error.keyword === 'if' || (error.keyword !== 'oneOf' && [...oneOfPaths].some((path) => error.instancePath.startsWith(path)))) continue;
    if ('propertyName' in error && error.keyword !== 'propertyNames') continue;
    const segments = error.instancePath
      .split('/')
      .slice(1)
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
    const where = dotted(segments);
    const expected = (error.parentSchema as { 'x-expected'?: string } | undefined)?.['x-expected'];
    let message: string;
    let offset = offsetOf(yaml, doc, segments, false);
    switch (error.keyword) {
      case 'additionalProperties': {
        const key = String(error.params.additionalProperty);
        const allowed = Object.keys((error.parentSchema as { properties?: object }).properties ?? {});
        const guess = closest(key, allowed);
        message = `Unknown key "${key}"${where ? ` in ${where}` : ' at the top level'}.${guess ? ` Did you mean "${guess}"?` : ''} Allowed keys: ${allowed.join(', ')}.`;
        offset = offsetOf(yaml, doc, [...segments, key], true);
        break;
      }
      case 'propertyNames': {
        const name = String(error.params.propertyName);
        const rule = (error.schema as { 'x-expected'?: string })['x-expected'] ?? 'a valid name';
        message = `${JSON.stringify(name)} in ${where} is not allowed: use ${rule}.`;
        offset = offsetOf(yaml, doc, [...segments, name], true);
        break;
      }
      case 'required':
        message = `${where || 'The manifest'} is missing "${String(error.params.missingProperty)}".`;
        offset = offsetOf(yaml, doc, segments, true);
        break;
      case 'type':
        message = `${where || 'The manifest'} should be ${typeWords(error.params.type)}, not ${describe(error.data)}.`;
        break;
      case 'minItems':
      case 'minProperties':
      case 'minLength':
        message = `${where} must not be empty.`;
        break;
      case 'const':
        message = `${where} must be ${JSON.stringify(error.params.allowedValue)}.`;
        break;
      default:
        message = `${where || 'The manifest'} is ${describe(error.data)}, which is not ${expected ?? `allowed (${error.message})`}.`;
    }
    const key = `${offset}:${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(at(offset, message));
  }
  return problems;
}

function typeWords(type: unknown): string {
  return (Array.isArray(type) ? type : [type]).map((name) => TYPE_WORDS[String(name)] ?? String(name)).join(' or ');
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

function dotted(segments: string[]): string {
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}

interface DuplicateKey {
  /** Where the map is, as segments from the top of the document. */
  segments: string[];
  first: Scalar;
  key: Scalar;
}

/** Every repeated scalar key in every map of the document, with the key it repeats. */
function duplicateKeys(yaml: Yaml, doc: Document): DuplicateKey[] {
  const { isMap, isSeq, isPair, isScalar } = yaml;
  const found: DuplicateKey[] = [];
  const walk = (node: unknown, segments: string[]): void => {
    if (isMap(node)) {
      const seen = new Map<string, Scalar>();
      for (const item of node.items) {
        if (!isPair(item) || !isScalar(item.key)) continue;
        const name = String(item.key.value);
        const first = seen.get(name);
        if (first) found.push({ segments, first, key: item.key });
        else seen.set(name, item.key);
        walk(item.value, [...segments, name]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => walk(item, [...segments, String(index)]));
    }
  };
  walk(doc.contents, []);
  return found;
}

/** Whether `offset` (where the parser reported a duplicate key) is at `key`. */
function isAt(key: Scalar, offset: number): boolean {
  const [start, end] = key.range ?? [-1, -1];
  return offset >= start && offset <= end;
}

/** Offset of the node at `segments` (or of its key, when `key` is set), falling back to the nearest ancestor. */
export function offsetOf(yaml: Yaml, doc: Document, segments: string[], key: boolean): number {
  const { isMap, isSeq, isPair, isScalar } = yaml;
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  for (const segment of segments) {
    if (isMap(node)) {
      pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment);
      if (!pair) break;
      node = pair.value;
    } else if (isSeq(node)) {
      const next = node.items[Number(segment)];
      if (next === undefined) break;
      pair = undefined;
      node = next;
    } else break;
  }
  const target = key && pair ? (pair.key as Node) : ((node as Node | null) ?? (pair?.key as Node | undefined));
  return target?.range?.[0] ?? 0;
}
