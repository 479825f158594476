/** The models of a config: an {@link OciModel} each, with its runtime, layout and serving options resolved. */
import { Construct } from 'constructs';
import { Diagnostic, didYouMean } from '../../core/errors';
import { ModelLayout } from '../../core/model-layout';
import { checkName } from '../../core/names';
import { IImageLock } from '../../constructs/image-lock';
import { ISourcePins } from '../../core/source-pins';
import { OciModel } from '../../constructs/oci-model';
import { BUILTIN_RUNTIMES } from '../../constructs/runtimes/catalogue';
import { annotationProblems, labelProblems } from '../../validation/validate-object';
import { LoadedConfig } from '../load';
import { ModelConfig } from '../types.generated';
import { FieldPath, construct } from './diagnostics';
import { checkModelImage, modelImageFiles } from './images';
import { checkModelPullSecret, pullSecretFor } from './pull-secrets';
import { ConfigRuntime, modelLayout, runtimeFormats } from './runtimes';
import { ServingContext, ServingOptions, servingOptions } from './serving';

/** A model of the config that passed its checks, with what its construct needs. */
export interface ModelPlan {
  readonly model: ModelConfig;
  /** Its index in `models`. */
  readonly index: number;
  readonly namespace: string;
  /** The field that gave the namespace: the model's own, or `defaults.namespace`. */
  readonly namespaceField: FieldPath;
  readonly runtime: ConfigRuntime;
  readonly serving: ServingOptions;
  readonly layout: ModelLayout;
}

/**
 * Checks every model of the config (names, namespace, runtime, format, layout, serving options, image, files,
 * labels, duplicates) and returns those that passed. Problems are added to `problems`, at their fields; models
 * with schema problems (`loaded.invalidModels`) are skipped, since those are reported already.
 */
export function planModels(
  loaded: LoadedConfig,
  runtimes: ReadonlyMap<string, ConfigRuntime>,
  context: ServingContext,
  problems: Diagnostic[],
  warn: LoadedConfig['warn'],
  sources?: ISourcePins,
): ModelPlan[] {
  const { config, at } = loaded;
  const defaults = config.defaults ?? {};
  const seen = new Map<string, number>();
  const plans: ModelPlan[] = [];
  config.models.forEach((model, index) => {
    if (loaded.invalidModels.has(index)) return; // its schema problems are reported already
    const field = (...rest: (string | number)[]) => ['models', index, ...rest];
    const before = problems.length;
    const namespace = model.namespace ?? defaults.namespace;
    if (namespace === undefined) {
      problems.push(at(field(), `model "${model.name}" has no namespace: set namespace here or in defaults`));
    } else if (model.namespace !== undefined) {
      for (const p of checkName('label', namespace)) problems.push(at(field('namespace'), `"${namespace}" is not a valid namespace name: ${p}`));
    }
    for (const p of checkName('inferenceService', model.name)) problems.push(at(field('name'), `"${model.name}" is not a valid InferenceService name: ${p}`));
    const key = `${namespace}/${model.name}`;
    if (seen.has(key)) {
      problems.push(at(field('name'), `model "${model.name}" is defined twice in namespace ${namespace} (also models[${seen.get(key)}]); names must be unique per namespace`));
    }
    seen.set(key, index);

    const runtime = modelRuntime(loaded, index, runtimes, problems);
    let serving: ServingOptions | undefined;
    let layout: ModelLayout | undefined;
    if (runtime) {
      checkFormat(loaded, index, runtime, problems);
      const found = modelLayout(model, runtime);
      if (typeof found === 'string') problems.push(at(field(), found));
      else layout = found;
      serving = servingOptions(loaded, index, runtime, context, problems);
    }
    checkModelImage(loaded, index, problems, warn, sources);
    checkModelPullSecret(loaded, index, problems);
    for (const p of [...labelProblems(model.labels, field('labels')), ...annotationProblems(model.annotations, field('annotations'))]) {
      problems.push(at(p.path, p.message));
    }
    if (problems.length === before && namespace !== undefined && runtime !== undefined && serving && layout) {
      plans.push({ model, index, namespace, namespaceField: model.namespace !== undefined ? field('namespace') : ['defaults', 'namespace'], runtime, serving, layout });
    }
  });
  return plans;
}

/** Adds an {@link OciModel} for each planned model; with a lock, storageUri is pinned unless the model says `pinDigest: false`. */
export function addModels(
  scope: Construct,
  loaded: LoadedConfig,
  plans: readonly ModelPlan[],
  options: { lock?: IImageLock; sources?: ISourcePins; environment?: string },
  problems: Diagnostic[],
): void {
  const { config } = loaded;
  const defaults = config.defaults ?? {};
  for (const { model, index, namespace, runtime, serving, layout } of plans) {
    const pullSecret = model.pullSecret ?? defaults.pullSecret;
    construct(problems, loaded.at(['models', index], ''), () =>
      new OciModel(scope, `Model:${namespace}:${model.name}`, {
        name: model.name,
        namespace,
        runtime: runtime.kind === 'emitted' ? runtime.definition : runtime.reference,
        layout,
        modelFormat: { name: model.format, version: model.formatVersion },
        image: model.image,
        files: modelImageFiles(loaded, model, options.sources),
        pullSecret: pullSecret === undefined ? undefined : pullSecretFor(scope, namespace, pullSecret, config.pullSecrets?.[pullSecret]),
        baseImage: model.baseImage ?? defaults.baseImage,
        lock: (model.pinDigest ?? defaults.pinDigest ?? true) ? options.lock : undefined,
        environment: options.environment,
        displayName: model.displayName,
        labels: model.labels,
        annotations: model.annotations,
        ...serving,
      }),
    );
  }
}

/** The runtime `models[index]` names (its own or the default one), or undefined with a problem. */
function modelRuntime(loaded: LoadedConfig, index: number, runtimes: ReadonlyMap<string, ConfigRuntime>, problems: Diagnostic[]): ConfigRuntime | undefined {
  const { config, at } = loaded;
  const model = config.models[index];
  const runtimeName = model.runtime ?? config.defaults?.runtime;
  const builtin = Object.keys(BUILTIN_RUNTIMES).join(', ');
  if (runtimeName === undefined) {
    problems.push(at(['models', index], `model "${model.name}" has no runtime: set runtime here or in defaults (built-in: ${builtin})`));
    return undefined;
  }
  const runtime = runtimes.get(runtimeName);
  // A runtime declared under runtimes but refused has its problems reported at its entry.
  if (runtime === undefined && config.runtimes?.[runtimeName] === undefined) {
    const hint = didYouMean(runtimeName, runtimes.keys());
    const declared = Object.keys(config.runtimes ?? {}).filter((n) => !BUILTIN_RUNTIMES[n]);
    problems.push(
      at(
        model.runtime !== undefined ? ['models', index, 'runtime'] : ['defaults', 'runtime'],
        `"${runtimeName}" is not a runtime${hint ? ` (did you mean "${hint}"?)` : ''}; built-in: ${builtin}` +
          (declared.length ? `; declared under runtimes: ${declared.join(', ')}` : '; declare others under runtimes'),
      ),
    );
  }
  return runtime;
}

/** Checks the format (and version) of `models[index]` against the formats its runtime serves, when known. */
function checkFormat(loaded: LoadedConfig, index: number, runtime: ConfigRuntime, problems: Diagnostic[]): void {
  const { at } = loaded;
  const model = loaded.config.models[index];
  const runtimeName = runtime.kind === 'emitted' ? runtime.definition.name : runtime.reference.name;
  const formats = runtimeFormats(runtime);
  const matching = formats?.filter((f) => f.name === model.format);
  if (formats && matching!.length === 0) {
    const names = [...new Set(formats.map((f) => f.name))];
    const hint = didYouMean(model.format, names);
    problems.push(at(['models', index, 'format'], `"${model.format}" is not served by runtime ${runtimeName}${hint ? ` (did you mean "${hint}"?)` : ''}; it serves: ${names.join(', ')}`));
  } else if (matching && model.formatVersion !== undefined && !matching.some((f) => f.version === model.formatVersion)) {
    problems.push(
      at(['models', index, 'formatVersion'], `${model.format} version "${model.formatVersion}" is not served by runtime ${runtimeName}; it serves version: ${matching.map((f) => f.version).join(', ')}`),
    );
  }
}
