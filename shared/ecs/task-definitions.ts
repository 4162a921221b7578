/** Reading, rendering and registering task definitions. */
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, type ECSClient, type KeyValuePair, type RegisterTaskDefinitionCommandInput, type Tag, type TaskDefinition } from '@aws-sdk/client-ecs';
import { UserError, parseJson } from '../errors.js';
import { closest } from '../suggest.js';

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition does not accept. */
const READ_ONLY_FIELDS = ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy', 'deregisteredAt', 'deleteRequestedAt'] as const;

export interface LoadedTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/** A family (latest ACTIVE revision), `family:revision` or an ARN. */
export async function describeTaskDefinition(ecs: ECSClient, reference: string): Promise<LoadedTaskDefinition> {
  try {
    const { taskDefinition, tags } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: reference, include: ['TAGS'] }));
    if (!taskDefinition) throw new Error(`ECS returned no task definition for ${reference}`);
    return { taskDefinition, tags: tags ?? [] };
  } catch (error) {
    if (error instanceof Error && (error.name === 'ClientException' || error.name === 'InvalidParameterException')) {
      throw new UserError(`Task definition "${reference}" cannot be read: ${error.message}`, 'Give a family name, family:revision or a full task-definition ARN that exists in this account and region.');
    }
    throw error;
  }
}

export interface RenderChanges {
  /** New image per container name. */
  images?: Record<string, string>;
  /** Environment variables to set (added or replaced) per container name. */
  environment?: Record<string, Record<string, string>>;
}

/**
 * The input for registering a new revision of `source`: read-only fields dropped, tags kept,
 * images and environment replaced. Throws a UserError naming any container that does not exist.
 */
export function renderTaskDefinition(source: LoadedTaskDefinition, changes: RenderChanges): RegisterTaskDefinitionCommandInput {
  const definition = structuredClone(source.taskDefinition) as TaskDefinition & Record<string, unknown>;
  for (const field of READ_ONLY_FIELDS) delete definition[field];
  const containers = definition.containerDefinitions ?? [];
  const names = containers.map((container) => container.name ?? '');
  const unknown = [...Object.keys(changes.images ?? {}), ...Object.keys(changes.environment ?? {})].filter((name) => !names.includes(name));
  if (unknown.length) {
    const name = unknown[0]!;
    const guess = closest(name, names);
    throw new UserError(
      `Task definition ${source.taskDefinition.family}:${source.taskDefinition.revision} has no container named "${name}".${guess ? ` Did you mean "${guess}"?` : ''}`,
      `Its containers: ${names.join(', ')}. Fix the container name (ecs.container in the manifest, or the input).`,
    );
  }
  for (const container of containers) {
    const image = changes.images?.[container.name!];
    if (image) container.image = image;
    const variables = changes.environment?.[container.name!];
    if (variables) container.environment = mergeEnvironment(container.environment ?? [], variables);
  }
  const input = definition as RegisterTaskDefinitionCommandInput;
  if (source.tags.length) input.tags = source.tags;
  else delete input.tags;
  return input;
}

function mergeEnvironment(current: KeyValuePair[], updates: Record<string, string>): KeyValuePair[] {
  const merged = current.filter((pair) => pair.name === undefined || !(pair.name in updates));
  for (const [name, value] of Object.entries(updates)) merged.push({ name, value });
  return merged;
}

export async function registerTaskDefinition(ecs: ECSClient, input: RegisterTaskDefinitionCommandInput): Promise<TaskDefinition> {
  const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand(input));
  if (!taskDefinition?.taskDefinitionArn) throw new Error(`ECS registered no task definition for family ${input.family}`);
  return taskDefinition;
}

/** Reads a task definition written as JSON (the output of `aws ecs describe-task-definition`, or its inner object). */
export function parseTaskDefinitionJson(text: string, source: string): LoadedTaskDefinition {
  const parsed = parseJson(text, (reason) => new UserError(`${source} is not valid JSON: ${reason}.`, 'Fix the file; `aws ecs describe-task-definition --task-definition <family>` prints a valid one.'));
  const wrapper = parsed as { taskDefinition?: TaskDefinition; tags?: Tag[] };
  const definition = (wrapper.taskDefinition ?? parsed) as TaskDefinition;
  if (typeof definition !== 'object' || definition === null || typeof definition.family !== 'string' || !Array.isArray(definition.containerDefinitions)) {
    throw new UserError(`${source} is not a task definition: it needs a "family" and a "containerDefinitions" list.`, 'Start from the output of `aws ecs describe-task-definition --task-definition <family>`.');
  }
  return { taskDefinition: definition, tags: wrapper.tags ?? (definition as { tags?: Tag[] }).tags ?? [] };
}
