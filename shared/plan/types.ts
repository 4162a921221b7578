/** What a change would do, per environment: the deployment plan shown before anything changes. */

/** One difference of the task definition beyond the main image. Values of secret-looking names are never kept. */
export interface DefinitionChange {
  /** `environment DATABASE_HOST`, `secret DATABASE_URL`, `cpu`, `container api: portMappings`... */
  what: string;
  change: 'added' | 'removed' | 'changed';
  /** Shown values; absent when hidden or not summarised. */
  from?: string;
  to?: string;
  /** Why a value is not shown (`value hidden`). */
  note?: string;
}

export interface ImageNow {
  image: string;
  /** Digests the running tasks of the live revision report (`imageDigest`), distinct. */
  digests: string[];
  taskDefinition: string;
}

export interface ImageNext {
  image: string;
  /** The digest of `image` when the registry already has it. */
  digest?: string;
  /** `in the registry`, `built by this run`, `already running`... */
  note: string;
}

export interface ServicePlan {
  service: string;
  cluster: string;
  ecsService: string;
  now?: ImageNow;
  next: ImageNext;
  /** The task definition beyond the image: what deploy-ecs would register against the live revision. Undefined when it could not be read. */
  changes?: DefinitionChange[];
  /** Why part of this service's plan is missing. */
  problem?: string;
}

export interface EnvironmentPlan {
  /** The manifest environment's name; empty for the manifest's top-level values. */
  name: string;
  account?: string;
  region?: string;
  /** Whether AWS was read for this environment, and why not. */
  aws: { read: true } | { read: false; reason: string };
  services: ServicePlan[];
}

export interface MigrationFolder {
  /** The migration's folder name, e.g. 20261201093000_add_orders. */
  name: string;
  /** Its migration.sql, relative to the repository root. */
  file: string;
}

export interface MigrationPlan {
  /** The changed services that run migrations (`migrate` in the manifest). */
  services: string[];
  /** New Prisma migration folders: present at the head and not at the base. */
  added: MigrationFolder[];
  /** Why the new folders are unknown (no base to compare with). */
  unknown?: string;
}

export interface DeployPlan {
  head: string;
  manifest: string;
  /** The services the change marks, in manifest order. */
  services: string[];
  /** The environments the change will reach, in the manifest's order (`''` for the top-level values). */
  reaches: string[];
  migrations: MigrationPlan;
  environments: EnvironmentPlan[];
}
