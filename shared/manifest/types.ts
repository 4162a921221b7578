/** The services manifest after validation, with every default filled in. */
export interface Manifest {
  /** Path of the manifest, relative to the repository root (used for annotations). */
  file: string;
  region?: string;
  role?: string;
  registry?: string;
  /** Globs whose change means every service changed. */
  always: string[];
  /** `precise`: the root lockfile is judged by the dependencies each service resolves, not as a file. */
  lockfiles: 'precise' | 'paths';
  /** In the order the file lists them. */
  services: ServiceSpec[];
  /** The manifest's `environments`, in the order the file lists them (empty without that section). */
  environments: EnvironmentSpec[];
  /** Set when the manifest was resolved for one environment (`forEnvironment`). */
  environment?: EnvironmentInfo;
}

/** How an environment gets its images: from the registry they were built in, or copied by digest to its own. */
export type ImagesMode = 'pull' | 'copy';

/** An environment as the manifest gives it: every value unset is inherited from the top level. */
export interface EnvironmentSpec {
  name: string;
  /** The GitHub environment whose approvals and secrets guard it (its name, unless given). */
  githubEnvironment: string;
  /** The 12-digit account id the credentials must be in. */
  account?: string;
  role?: string;
  region?: string;
  cluster?: string;
  registry?: string;
  images: ImagesMode;
  /** Values of services in this environment, by service name. */
  services: Record<string, EnvironmentServiceSpec>;
}

interface EnvironmentServiceSpec {
  ecs?: { cluster?: string; service?: string };
  health?: string;
  migrate?: { command: string[] };
}

/** Which environment a resolved manifest is for. */
type EnvironmentInfo = Pick<EnvironmentSpec, 'name' | 'githubEnvironment' | 'account' | 'images'>;

export interface ServiceSpec {
  name: string;
  /** Globs; a leading `!` excludes matches of the globs before it. */
  paths: string[];
  /** The service's workspace package, when given explicitly. */
  package?: string;
  /** Workspace packages the service depends on besides those its package.json names. */
  dependsOn: string[];
  /** Whether the manifest lists dependsOn for it (even empty: "it uses no workspace package"). */
  dependsOnListed: boolean;
  build: BuildSpec;
  repository: string;
  ecs: EcsSpec;
  migrate?: MigrateSpec;
  health?: string;
}

interface BuildSpec {
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
  platforms: string[];
}

interface EcsSpec {
  cluster: string;
  service: string;
  container: string;
  /** Blue/green, linear and canary: `full`, `none` or a duration (checked by the schema). */
  bakeWait?: string;
  codedeploy?: CodeDeploySpec;
}

/** The lifecycle events of an ECS deployment's AppSpec that run a Lambda function. */
type AppSpecHook = 'BeforeInstall' | 'AfterInstall' | 'AfterAllowTestTraffic' | 'BeforeAllowTraffic' | 'AfterAllowTraffic';

export interface CodeDeploySpec {
  application?: string;
  deploymentGroup?: string;
  hooks?: Partial<Record<AppSpecHook, string>>;
}

interface MigrateSpec {
  command: string[];
  container: string;
}
