import { mergeResources, resourceProblems, withGpus } from '../../core/compute-resources';
import { Diagnostic } from '../../core/errors';
import { checkName } from '../../core/names';
import { OciModelProps, imageVolumeRefusal } from '../../constructs/oci-model';
import { deploymentKind } from '../../core/platform';
import { ReleaseProfile, deploymentModeOn } from '../../core/releases';
import { LoadedConfig } from '../load';
import { ConfigRuntime, resourcesOverride } from './runtimes';
import { checkServingRules } from './serving-rules';
import { ModelConfig } from '../types.generated';

/** What every model of a config shares. */
export interface ServingContext {
  /** The platform release the models are deployed to. */
  readonly release: ReleaseProfile;
}

/** The serving options of a model, as {@link OciModelProps}. */
export type ServingOptions = Pick<
  OciModelProps,
  | 'description'
  | 'release'
  | 'deploymentMode'
  | 'expose'
  | 'auth'
  | 'minReplicas'
  | 'maxReplicas'
  | 'scaleMetric'
  | 'scaleTarget'
  | 'timeout'
  | 'resources'
  | 'gpus'
  | 'tolerations'
  | 'nodeSelector'
  | 'env'
  | 'args'
>;

/**
 * The serving options of `models[index]`, with `defaults` applied, checked against the platform, the KServe
 * version and the runtime. Problems are added to `problems`, at their fields.
 */
export function servingOptions(loaded: LoadedConfig, index: number, runtime: ConfigRuntime, context: ServingContext, problems: Diagnostic[]): ServingOptions {
  const { config, at } = loaded;
  const model: ModelConfig = config.models[index];
  const defaults = config.defaults ?? {};
  const field = (...rest: (string | number)[]) => ['models', index, ...rest];
  const inherited = <K extends 'deploymentMode' | 'expose' | 'auth'>(key: K) =>
    model[key] !== undefined ? { value: model[key], field: field(key) } : { value: defaults[key], field: ['defaults', key] };

  const { release } = context;
  const mode = inherited('deploymentMode');
  let written = mode.value;
  try {
    written = deploymentModeOn(release, mode.value);
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    problems.push(at(mode.value !== undefined ? mode.field : ['release'], e.message.replace(/^deploymentMode: /, '')));
  }
  // OpenShift Serverless (the ODH platform) names the predictor's host `<name>-predictor-<namespace>.<domain>`:
  // one DNS label, at most 63 characters, or the route never becomes ready.
  const namespace = model.namespace ?? defaults.namespace;
  const knative = written !== undefined && deploymentKind(written) === 'knative';
  const host = `${model.name}-predictor-${namespace}`;
  if (release.platform === 'odh' && knative && namespace !== undefined && host.length > 63 && checkName('inferenceService', model.name).length === 0) {
    problems.push(
      at(
        field('name'),
        `"${model.name}" in namespace ${namespace} is too long for Serverless: OpenShift Serverless names its host "${host}", ` +
          `${host.length} characters, and a DNS label has at most 63; shorten the name or the namespace by ${host.length - 63}, or use deploymentMode RawDeployment`,
      ),
    );
  }
  const auth = inherited('auth');
  if (auth.value === true && release.platform !== 'odh') {
    problems.push(
      at(auth.field, `token auth is an OpenShift AI feature and platform ${release.platform} has none; remove auth and protect the model another way (e.g. a gateway), or use platform odh`),
    );
  }
  if ((auth.value ?? release.platform === 'odh') && written !== undefined && !knative && release.rawAuthMarker === 'none') {
    problems.push(
      at(
        auth.value !== undefined ? auth.field : mode.value !== undefined ? mode.field : field(),
        `${release.title} has no token auth for RawDeployment models (red-hat-data-services/kserve rhoai-2.16 never reads security.opendatahub.io/enable-auth): ` +
          `set auth: false and protect the model another way, or deploy it Serverless`,
      ),
    );
  }
  if (written !== undefined) checkServingRules(loaded, index, deploymentKind(written), problems);
  const imageVolume = model.imageVolume ?? defaults.imageVolume;
  if (imageVolume === true && !release.imageVolumes) {
    problems.push(at(model.imageVolume !== undefined ? field('imageVolume') : ['defaults', 'imageVolume'], imageVolumeRefusal(release)));
  }
  if (model.minReplicas !== undefined && model.maxReplicas !== undefined && model.maxReplicas !== 0 && model.maxReplicas < model.minReplicas) {
    problems.push(at(field('maxReplicas'), `${model.maxReplicas} is less than minReplicas ${model.minReplicas}`));
  }
  for (const name of Object.keys(model.env ?? {})) {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
      problems.push(at(field('env', name), `"${name}" is not a valid environment variable name: use letters, digits, '_', '-' and '.', not starting with a digit`));
    }
  }
  for (const [key, value] of Object.entries(model.nodeSelector ?? {})) {
    for (const p of checkName('labelKey', key)) problems.push(at(field('nodeSelector', key), `key "${key}" is not a valid node label key: ${p}`));
    for (const p of checkName('labelValue', value)) problems.push(at(field('nodeSelector', key), `value "${value}" is not a valid node label value: ${p}`));
  }

  const runtimeDefaults = runtime.kind === 'emitted' ? runtime.definition.defaults : runtime.reference.defaults;
  const resources = resourcesOverride(model.resources);
  const gpus = model.gpus ?? runtimeDefaults?.gpus ?? 0;
  const where = model.resources !== undefined ? field('resources') : runtime.field && config.runtimes?.[runtime.field[1]]?.resources ? [...runtime.field, 'resources'] : field();
  for (const p of resourceProblems(withGpus(mergeResources(runtimeDefaults?.resources, resources), gpus))) {
    problems.push(at(where, `${p.field}: ${p.message}`));
  }

  return {
    description: model.description,
    release,
    deploymentMode: mode.value,
    expose: inherited('expose').value,
    auth: auth.value,
    minReplicas: model.minReplicas,
    maxReplicas: model.maxReplicas,
    scaleMetric: model.scaleMetric,
    scaleTarget: model.scaleTarget,
    timeout: model.timeout,
    resources,
    gpus: model.gpus,
    tolerations: model.tolerations,
    nodeSelector: model.nodeSelector,
    env: model.env,
    args: model.args,
  };
}
