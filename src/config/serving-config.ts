import { mergeResources, resourceProblems, withGpus } from '../core/compute-resources';
import { Diagnostic } from '../core/errors';
import { checkName } from '../core/names';
import { OciModelProps } from '../constructs/oci-model';
import { Platform, deploymentKind, deploymentModeFor } from '../core/platform';
import { admissionProblems } from './admission';
import { LoadedConfig } from './load';
import { ConfigRuntime, resourcesOverride } from './runtimes-config';
import { ModelConfig } from './types.generated';

/** What every model of a config shares. */
export interface ServingContext {
  readonly platform: Platform;
  readonly kserveVersion: string;
}

/** The serving options of a model, as {@link OciModelProps}. */
export type ServingOptions = Pick<
  OciModelProps,
  | 'description'
  | 'platform'
  | 'kserveVersion'
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
 * version, the runtime, and KServe's admission rules ({@link admissionProblems}). Problems are added to
 * `problems`, at their fields.
 */
export function servingOptions(loaded: LoadedConfig, index: number, runtime: ConfigRuntime, context: ServingContext, problems: Diagnostic[]): ServingOptions {
  const { config, at } = loaded;
  const model: ModelConfig = config.models[index];
  const defaults = config.defaults ?? {};
  const field = (...rest: (string | number)[]) => ['models', index, ...rest];
  const inherited = <K extends 'deploymentMode' | 'expose' | 'auth'>(key: K) =>
    model[key] !== undefined ? { value: model[key], field: field(key) } : { value: defaults[key], field: ['defaults', key] };

  const mode = inherited('deploymentMode');
  if (mode.value !== undefined) {
    try {
      deploymentModeFor(mode.value, context.kserveVersion);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      problems.push(at(mode.field, e.message.replace(/^deploymentMode: /, '')));
    }
  }
  // OpenShift Serverless (the ODH platform) names the predictor's host `<name>-predictor-<namespace>.<domain>`:
  // one DNS label, at most 63 characters, or the route never becomes ready.
  const namespace = model.namespace ?? defaults.namespace;
  const knative = deploymentKind(mode.value ?? 'Serverless') === 'knative';
  const host = `${model.name}-predictor-${namespace}`;
  if (context.platform === 'odh' && knative && namespace !== undefined && host.length > 63 && checkName('inferenceService', model.name).length === 0) {
    problems.push(
      at(
        field('name'),
        `"${model.name}" in namespace ${namespace} is too long for Serverless: OpenShift Serverless names its host "${host}", ` +
          `${host.length} characters, and a DNS label has at most 63; shorten the name or the namespace by ${host.length - 63}, or use deploymentMode RawDeployment`,
      ),
    );
  }
  const auth = inherited('auth');
  if (auth.value === true && context.platform !== 'odh') {
    problems.push(
      at(auth.field, `token auth is an OpenShift AI feature and platform ${context.platform} has none; remove auth and protect the model another way (e.g. a gateway), or use platform odh`),
    );
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

  const options: ServingOptions = {
    description: model.description,
    platform: context.platform,
    kserveVersion: context.kserveVersion,
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
  // Replicas, scaling and the rest of what KServe's webhook (and controller) judge, by KServe's own rules.
  admissionProblems(loaded, index, options, mode, problems);
  return options;
}
