/** Which ECS services one call deploys, and what each gets: from the manifest, or named directly. */
import { UserError } from '../errors.js';
import { closest } from '../suggest.js';
import { findService } from '../manifest/load.js';
import type { CodeDeploySpec, Manifest } from '../manifest/types.js';
import { parseBakeWait } from './parse.js';
import type { BakeWait, DeployInputs } from './types.js';

export interface Target {
  /** The manifest's service name, or the ECS service name when named directly. */
  name: string;
  cluster: string;
  ecsService: string;
  /** The container whose image the deploy sets and whose logs are the evidence; resolved later when not known yet. */
  container?: string;
  /** New images by container name, as given. */
  images: Record<string, string>;
  /** The image for the main container when that container is only known once the task definition is read. */
  mainImage?: string;
  /** The manifest's ECR repository: the default image is `<registry>/<repository>:<image-tag>`. */
  repository?: string;
  healthUrl?: string;
  bakeWait: BakeWait;
  /** CodeDeploy names and AppSpec hooks, for services CodeDeploy deploys. */
  codeDeploy: CodeDeploySpec;
}

export function resolveTargets(inputs: DeployInputs, manifest: Manifest | undefined): Target[] {
  const { selection } = inputs;
  if (selection.kind === 'explicit') {
    const images = { ...inputs.images };
    for (const key of Object.keys(images)) {
      if (key.includes('.')) {
        throw new UserError(`Input "images" has the key "${key}"; with "service", keys are container names.`, 'Write container=image lines, e.g. api=<image>.');
      }
    }
    if (inputs.image !== undefined) {
      if (selection.container && images[selection.container] && images[selection.container] !== inputs.image) {
        throw new UserError(`Inputs "image" and "images" give container "${selection.container}" different images.`, 'Set the image once.');
      }
      if (selection.container) images[selection.container] = inputs.image;
    }
    const mainImage = selection.container ? undefined : inputs.image;
    const healthUrl = inputs.healthUrls.byService[selection.service] ?? inputs.healthUrls.all;
    unknownHealthKeys(inputs, [selection.service]);
    return [{ name: selection.service, cluster: selection.cluster, ecsService: selection.service, container: selection.container, images, mainImage, healthUrl, bakeWait: inputs.bakeWait, codeDeploy: inputs.codeDeploy }];
  }

  if (!manifest) throw new Error('a manifest is needed to deploy services by name');
  const specs = selection.names === 'all' ? manifest.services : selection.names.map((name) => findService(manifest, name));
  const all = manifest.services.map((service) => service.name);
  for (const key of Object.keys(inputs.images)) {
    const service = key.split('.')[0]!;
    if (!all.includes(service)) {
      const guess = closest(service, all);
      throw new UserError(
        `Input "images" names "${service}", which is not a service in ${manifest.file}.${guess ? ` Did you mean "${guess}"?` : ''}`,
        `Keys are service names of the manifest (${all.join(', ')}), or <service>.<container>.`,
      );
    }
  }
  unknownHealthKeys(
    inputs,
    specs.map((spec) => spec.name),
  );
  if ((inputs.codeDeploy.application || inputs.codeDeploy.deploymentGroup) && specs.length > 1) {
    throw new UserError(
      'Inputs "codedeploy-application" and "codedeploy-deployment-group" name one CodeDeploy group, but several services are deployed.',
      'Set ecs.codedeploy.application and ecs.codedeploy.deploymentGroup for each service in the manifest, or deploy one service per step.',
    );
  }
  if (inputs.healthUrls.all !== undefined && specs.length > 1) {
    throw new UserError('Input "health-url" gives one URL, but several services are deployed.', 'Write one service=https://... line per service, or set "health" for each service in the manifest.');
  }
  return specs.map((spec) => {
    const images: Record<string, string> = {};
    for (const [key, image] of Object.entries(inputs.images)) {
      const [service, container] = key.split('.');
      if (service === spec.name) images[container ?? spec.ecs.container] = image;
    }
    return {
      name: spec.name,
      cluster: spec.ecs.cluster,
      ecsService: spec.ecs.service,
      container: spec.ecs.container,
      images,
      repository: spec.repository,
      healthUrl: inputs.healthUrls.byService[spec.name] ?? inputs.healthUrls.all ?? spec.health,
      bakeWait: spec.ecs.bakeWait === undefined ? inputs.bakeWait : parseBakeWait(spec.ecs.bakeWait, `ecs.bakeWait of ${spec.name} in ${manifest.file}`),
      codeDeploy: { ...spec.ecs.codedeploy, application: inputs.codeDeploy.application ?? spec.ecs.codedeploy?.application, deploymentGroup: inputs.codeDeploy.deploymentGroup ?? spec.ecs.codedeploy?.deploymentGroup },
    };
  });
}

function unknownHealthKeys(inputs: DeployInputs, names: string[]): void {
  for (const key of Object.keys(inputs.healthUrls.byService)) {
    if (!names.includes(key)) {
      throw new UserError(`Input "health-url" names "${key}", which is not among the services deployed (${names.join(', ')}).`, 'Name the services as the "services" input does.');
    }
  }
}
