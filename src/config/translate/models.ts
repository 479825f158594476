/** The models of a config: an {@link OciModel} each, with its runtime, layout and serving options resolved. */
import * as fs from 'fs';
import * as path from 'path';
import { admissionProblems } from '../admission';
import { Construct } from 'constructs';
import { Diagnostic, PropProblem, didYouMean } from '../../core/errors';
import { ModelLayout } from '../../core/model-layout';
import { IImageLock } from '../../constructs/image-lock';
import { ISourcePins } from '../../core/source-pins';
import { OciModel } from '../../constructs/oci-model';
import { missingRuntime, runtimeCatalogue } from '../../constructs/runtimes/catalogue';
import { LoadedConfig } from '../load';
import { addBuild, buildMode } from './builds';
import { ConfigField, construct } from './diagnostics';
import { checkModelFiles, modelImageFiles, warnFloatingImage } from './images';
import { modelPullSecret } from './pull-secrets';
import { ConfigRuntime, modelLayout } from './runtimes';
import { ServingContext, servingField, servingOptions } from './serving';
import { own } from '../../core/records';
import { ModelPlan } from './plan';



/**
 * Resolves what every model of the config takes from elsewhere in it (its namespace and runtime, its own or the
 * default one; the runtime's layout) and checks what only the config knows (duplicates, how files are named, the
 * hub repositories that `sources`, the lock file, records). Returns the models that can be made; problems are added
 * to `problems`, at their fields. Models with schema problems (`loaded.invalidModels`) are skipped, since those are
 * reported already.
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
    const namespace = model.namespace ?? defaults.namespace;
    if (namespace === undefined) problems.push(at(['models', index], `model "${model.name}" has no namespace: set namespace here or in defaults`));
    const key = `${namespace}/${model.name}`;
    const twice = seen.get(key);
    if (twice !== undefined) {
      problems.push(at(['models', index, 'name'], `model "${model.name}" is defined twice in namespace ${namespace} (also models[${twice}]); names must be unique per namespace`));
    }
    seen.set(key, index);
    const runtime = modelRuntime(loaded, index, runtimes, context, problems);
    let layout: ModelLayout | undefined;
    if (runtime) {
      const found = modelLayout(model, runtime);
      if (typeof found === 'string') problems.push(at(['models', index], found));
      else layout = found;
    }
    warnFloatingImage(loaded, index, warn);
    const filesUsable = checkModelFiles(loaded, index, problems, warn, sources);
    if (namespace !== undefined && twice === undefined && runtime !== undefined && layout && filesUsable) {
      plans.push({ model, index, namespace, namespaceField: model.namespace !== undefined ? ['models', index, 'namespace'] : ['defaults', 'namespace'], runtime, layout });
    }
  });
  return plans;
}

/**
 * Adds an {@link OciModel} for each planned model; with a lock, storageUri is pinned unless the model says
 * `pinDigest: false`. The OciModel checks its props (names, format, image, files, serving options): each problem is
 * added to `problems` at the config field its value came from.
 */
export function addModels(
  scope: Construct,
  loaded: LoadedConfig,
  plans: readonly ModelPlan[],
  context: ServingContext & { readonly lock?: IImageLock; readonly sources?: ISourcePins; readonly environment?: string },
  problems: Diagnostic[],
): OciModel[] {
  const { config } = loaded;
  const defaults = config.defaults ?? {};
  const made: OciModel[] = [];
  for (const plan of plans) {
    const { model, index, namespace, runtime, layout } = plan;
    const pullSecret = modelPullSecret(scope, loaded, index, { name: namespace, field: plan.namespaceField }, problems);
    const serving = servingOptions(loaded, index, context);
    const before = problems.length;
    const ociModel = construct(loaded, problems, ['models', index], (p) => modelField(loaded, plan, p), () =>
      new OciModel(scope, `Model:${namespace}:${model.name}`, {
        name: model.name,
        namespace,
        runtime: runtime.kind === 'emitted' ? runtime.definition : runtime.reference,
        layout,
        modelFormat: { name: model.format, version: model.formatVersion },
        image: model.image,
        files: modelImageFiles(loaded, model, context.sources),
        sourceDir: loaded.dir,
        allowCredentialsInUrls: loaded.config.allowCredentialsInUrls === true,
        pullSecret,
        baseImage: model.baseImage ?? defaults.baseImage,
        compression: model.compression ?? defaults.compression,
        lock: (model.pinDigest ?? defaults.pinDigest ?? true) ? context.lock : undefined,
        environment: context.environment,
        displayName: model.displayName,
        labels: model.labels,
        annotations: model.annotations,
        ...serving,
      }),
    );
    if (ociModel) made.push(ociModel);
    // What KServe's webhook (and controller) would refuse in the InferenceService, by KServe's own rules. A config field
    // whose value the OciModel refused is reported once, by it: KServe's rule for the same value is left out.
    const refused = new Set(problems.slice(before).map((d) => d.field));
    const modeField = model.deploymentMode !== undefined ? ['models', index, 'deploymentMode'] : defaults.deploymentMode !== undefined ? ['defaults', 'deploymentMode'] : ['models', index];
    const admission: Diagnostic[] = [];
    admissionProblems(loaded, index, serving, { field: modeField }, admission);
    problems.push(...admission.filter((d) => !refused.has(d.field)));
    if (ociModel && buildMode(loaded, index).mode === 'in-cluster') addBuild(scope, loaded, plan, ociModel, context.release, problems);
  }
  return made;
}

/** The config field an OciModel prop of `models[index]` came from: the model's own, or the one it inherits. */
function modelField(loaded: LoadedConfig, plan: ModelPlan, problem: PropProblem): ConfigField | undefined {
  const { model, index } = plan;
  const [prop, ...rest] = problem.path;
  switch (prop) {
    case 'files': {
      // The repository's files and commit come from the lock file, as do a folder's digests: the config names them by
      // repo and by source.
      const [i, key] = rest;
      if (key === 'hub') return { field: ['models', index, 'files', i!, 'repo'] };
      if (key === 'digests') return { field: ['models', index, 'files', i!, 'source'] };
      const source = typeof i === 'number' ? model.files[i]?.source : undefined;
      if (key === 'sha256' && source !== undefined && isFolder(path.resolve(loaded.dir, source))) {
        // A config names no digests of a folder: the lock file records them.
        return { field: ['models', index, 'files', i!, 'sha256'], message: `"${source}" is a folder; sha256 pins a single file (the lock file pins each file of a folder)` };
      }
      return { field: ['models', index, ...problem.path] };
    }
    case 'name':
    case 'image':
    case 'labels':
    case 'annotations':
    case 'displayName':
      return { field: ['models', index, ...problem.path] };
    case 'namespace':
      return { field: plan.namespaceField };
    case 'modelFormat':
      return { field: ['models', index, rest[0] === 'version' ? 'formatVersion' : 'format'] };
    case 'baseImage':
    case 'compression':
    case 'runtime':
      return { field: model[prop] !== undefined ? ['models', index, prop] : ['defaults', prop] };
    default:
      return servingField(loaded, index, plan.runtime, problem);
  }
}

/** Whether a path is a folder (a path that is not there is not). */
function isFolder(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** The runtime `models[index]` names (its own or the default one), or undefined with a problem. */
function modelRuntime(loaded: LoadedConfig, index: number, runtimes: ReadonlyMap<string, ConfigRuntime>, context: ServingContext, problems: Diagnostic[]): ConfigRuntime | undefined {
  const { config, at } = loaded;
  const model = config.models[index];
  const runtimeName = model.runtime ?? config.defaults?.runtime;
  const catalogue = runtimeCatalogue(context.release);
  const builtin = `${Object.keys(catalogue).join(', ')} (${context.release.title})`;
  if (runtimeName === undefined) {
    problems.push(at(['models', index], `model "${model.name}" has no runtime: set runtime here or in defaults (built-in: ${builtin})`));
    return undefined;
  }
  const runtime = runtimes.get(runtimeName);
  // A runtime declared under runtimes but refused has its problems reported at its entry.
  if (runtime === undefined && own(config.runtimes, runtimeName) === undefined) {
    const where = model.runtime !== undefined ? ['models', index, 'runtime'] : ['defaults', 'runtime'];
    const elsewhere = missingRuntime(context.release, runtimeName);
    if (elsewhere) {
      problems.push(at(where, `${elsewhere}; built-in here: ${builtin}`));
      return undefined;
    }
    const hint = didYouMean(runtimeName, runtimes.keys());
    const declared = Object.keys(config.runtimes ?? {}).filter((n) => !catalogue[n]);
    problems.push(
      at(
        where,
        `"${runtimeName}" is not a runtime${hint ? ` (did you mean "${hint}"?)` : ''}; built-in: ${builtin}` +
          (declared.length ? `; declared under runtimes: ${declared.join(', ')}` : '; declare others under runtimes'),
      ),
    );
  }
  return runtime;
}
