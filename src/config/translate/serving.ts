/** How a config's models are served: their serving options, with `defaults` applied. */
import { PropProblem } from '../../core/errors';
import { OciModelProps } from '../../constructs/oci-model';
import { ReleaseProfile } from '../../core/releases';
import { LoadedConfig } from '../load';
import { ConfigRuntime, resourcesOverride } from './runtimes';
import { ModelConfig } from '../types.generated';
import { ConfigField } from './diagnostics';

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
  | 'sharedRuntime'
  | 'imageVolume'
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

/** The options a model inherits from `defaults` unless it sets them. */
const INHERITED = ['deploymentMode', 'expose', 'auth', 'sharedRuntime', 'imageVolume'] as const;

/** The serving options of `models[index]`, with `defaults` applied; its OciModel checks them. */
export function servingOptions(loaded: LoadedConfig, index: number, context: ServingContext): ServingOptions {
  const { config } = loaded;
  const model: ModelConfig = config.models[index];
  const defaults = config.defaults ?? {};
  return {
    description: model.description,
    release: context.release,
    deploymentMode: model.deploymentMode ?? defaults.deploymentMode,
    expose: model.expose ?? defaults.expose,
    auth: model.auth ?? defaults.auth,
    sharedRuntime: model.sharedRuntime ?? defaults.sharedRuntime,
    imageVolume: model.imageVolume ?? defaults.imageVolume,
    minReplicas: model.minReplicas,
    maxReplicas: model.maxReplicas,
    scaleMetric: model.scaleMetric,
    scaleTarget: model.scaleTarget,
    timeout: model.timeout,
    resources: resourcesOverride(model.resources),
    gpus: model.gpus,
    tolerations: model.tolerations,
    nodeSelector: model.nodeSelector,
    env: model.env,
    args: model.args,
  };
}

/**
 * Where the serving option a prop problem names came from: the model's own field, `defaults` for the inherited
 * options, the top-level `kserveVersion` or `platform`. A problem with the resources (the runtime's defaults, the
 * model's changes and GPUs merged) is reported where the model or its runtime sets resources, naming the key.
 */
export function servingField(loaded: LoadedConfig, index: number, runtime: ConfigRuntime, problem: PropProblem): ConfigField | undefined {
  const { config } = loaded;
  const model = config.models[index];
  const [prop, ...rest] = problem.path;
  if ((INHERITED as readonly unknown[]).includes(prop)) {
    const key = prop as (typeof INHERITED)[number];
    if (model[key] !== undefined) return { field: ['models', index, key] };
    if (config.defaults?.[key] !== undefined) return { field: ['defaults', key] };
    // A value neither gives is the release's default: e.g. token auth, refused for the deployment mode the config names.
    if (key === 'auth') return { field: model.deploymentMode !== undefined ? ['models', index, 'deploymentMode'] : config.defaults?.deploymentMode !== undefined ? ['defaults', 'deploymentMode'] : ['models', index] };
    return { field: config.release !== undefined ? ['release'] : config.platform !== undefined ? ['platform'] : ['models', index] };
  }
  if (prop === 'kserveVersion' || prop === 'platform' || prop === 'release') return { field: [prop] };
  if (prop === 'resources') {
    const where =
      model.resources !== undefined
        ? ['models', index, 'resources']
        : runtime.field && config.runtimes?.[runtime.field[1]]?.resources
          ? [...runtime.field, 'resources']
          : ['models', index];
    return { field: where, message: `${rest.join('.')}: ${problem.message}` };
  }
  const own = ['description', 'minReplicas', 'maxReplicas', 'scaleMetric', 'scaleTarget', 'timeout', 'gpus', 'tolerations', 'nodeSelector', 'env', 'args'];
  return typeof prop === 'string' && own.includes(prop) ? { field: ['models', index, ...problem.path] } : undefined;
}
