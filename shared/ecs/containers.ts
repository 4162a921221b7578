/** The containers of a task definition: which there are, which one is which, whether one is essential. Types only from the SDK. */
import type { ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';

export function containerNames(definition: TaskDefinition): string[] {
  return (definition.containerDefinitions ?? []).map((container) => container.name ?? '');
}

export function containerDefinition(definition: TaskDefinition, container: string | undefined): ContainerDefinition | undefined {
  return definition.containerDefinitions?.find((candidate) => candidate.name === container);
}

export function containerImage(definition: TaskDefinition, container: string): string | undefined {
  return containerDefinition(definition, container)?.image;
}

/** ECS treats a container without the flag as essential: when it stops, the task stops. */
export function isEssential(definition: TaskDefinition, container: string | undefined): boolean {
  return containerDefinition(definition, container)?.essential !== false;
}

export function essentialContainerNames(definition: TaskDefinition): string[] {
  return containerNames(definition).filter((name) => isEssential(definition, name));
}
