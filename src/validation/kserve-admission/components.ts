/**
 * The components of an InferenceService (predictor, transformer, explainer) as KServe's webhooks see them: after
 * the mutating webhook (the defaulter) and through each component's implementations.
 *
 * Source: kserve/kserve at v0.15.2 and v0.20.0, `pkg/apis/serving/v1beta1/`: `inference_service_defaults.go`
 * (`DefaultInferenceService`, `setPredictorModelDefaults`: the first framework field, in its order, becomes `model`),
 * `predictor.go`, `transformer.go`, `explainer.go` (`GetImplementations`), `component.go`
 * (`validateExactlyOneImplementation`, `ExactlyOneErrorFor`, `ComponentExtensionSpec.Validate`, `validateReplicas`,
 * `validateContainerConcurrency`, `validateLogger`, `validateStorageSpec`), `predictor_custom.go`
 * (`validateCustomProtocol`), `predictor_tfserving.go` / `predictor_torchserve.go` (`validateGPU`) and
 * `predictor_onnxruntime.go` (`Validate`).
 */
import { isLater } from './release';
import { Obj, RuleContext, RulePath, envVar, isSet, list, num, obj, refuse, str } from './rule-problem';

/** The predictor's framework fields, in the order the defaulter tries them (`setPredictorModelDefaults`). */
export const FRAMEWORKS = ['sklearn', 'tensorflow', 'xgboost', 'pytorch', 'triton', 'onnx', 'huggingface', 'pmml', 'lightgbm', 'paddle'] as const;

/** The order of `PredictorSpec.GetImplementations`, which decides which implementation `GetImplementation` returns. */
const IMPLEMENTATION_ORDER = ['xgboost', 'pytorch', 'triton', 'sklearn', 'tensorflow', 'onnx', 'pmml', 'lightgbm', 'paddle', 'huggingface', 'model'] as const;

/** constants.InferenceServiceContainerName: the container a custom predictor runs the model in. */
export const KSERVE_CONTAINER = 'kserve-container';

/** One implementation of a component. */
export interface Implementation {
  /** `model`, a framework field, `art`, or `containers` (a custom implementation). */
  readonly key: string;
  readonly path: RulePath;
  readonly spec: Obj;
  /** For `model` made by the defaulter from a framework field: that field. */
  readonly from?: string;
}

/** One component, as the validating webhook sees it. */
export interface Component {
  readonly name: 'predictor' | 'transformer' | 'explainer';
  readonly path: RulePath;
  readonly spec: Obj;
  readonly implementations: readonly Implementation[];
  /** The container names after the defaulter (a lone custom predictor container becomes `kserve-container`). */
  readonly containerNames: readonly (string | undefined)[];
}

/**
 * The predictor after KServe's defaulter: the first framework field (sklearn, tensorflow, ...) becomes `model`
 * (replacing a `model` given too), unless the deployment mode is ModelMesh, whose predictor the defaulter leaves alone.
 */
export function predictorComponent(spec: Obj, modelMesh: boolean, at: RulePath = ['spec', 'predictor']): Component {
  const fields = new Map<string, Implementation>();
  for (const key of IMPLEMENTATION_ORDER) {
    const value = obj(spec[key]);
    if (value) fields.set(key, { key, path: [...at, key], spec: value });
  }
  if (!modelMesh) {
    const first = FRAMEWORKS.find((f) => fields.has(f));
    if (first) {
      fields.set('model', { key: 'model', path: [...at, first], spec: fields.get(first)!.spec, from: first });
      fields.delete(first);
    }
  }
  const implementations = IMPLEMENTATION_ORDER.filter((k) => fields.has(k)).map((k) => fields.get(k)!);
  const containers = list(spec.containers);
  const names = containers.map((c) => str(obj(c)?.name));
  const custom: Implementation = { key: 'containers', path: [...at, 'containers'], spec };
  names.forEach((n) => n === KSERVE_CONTAINER && implementations.push(custom));
  if (implementations.length === 0 && containers.length > 0) implementations.push(custom);
  // CustomPredictor.Default: a lone container, or a first one without a name, is named kserve-container.
  const defaulted = implementations.length === 1 && implementations[0] === custom && (names.length === 1 || !names[0]) ? [KSERVE_CONTAINER, ...names.slice(1)] : names;
  return { name: 'predictor', path: at, spec, implementations, containerNames: defaulted };
}

/** A transformer or explainer: its containers are one custom implementation; an explainer may use `art` instead. */
export function otherComponent(name: 'transformer' | 'explainer', spec: Obj): Component {
  const at: RulePath = ['spec', name];
  const implementations: Implementation[] = [];
  const art = name === 'explainer' ? obj(spec.art) : undefined;
  if (art) implementations.push({ key: 'art', path: [...at, 'art'], spec: art });
  const containers = list(spec.containers);
  if (containers.length > 0) implementations.push({ key: 'containers', path: [...at, 'containers'], spec });
  return { name, path: at, spec, implementations, containerNames: containers.map((c) => str(obj(c)?.name)) };
}

/** The Go fields `ExactlyOneErrorFor` lists (all fields of the spec type but the last), per release. */
function goFields(component: Component, later: boolean): string {
  switch (component.name) {
    case 'predictor':
      return [
        ...(later ? ['Name'] : []),
        'SKLearn', 'XGBoost', 'Tensorflow', 'PyTorch', 'Triton', 'ONNX', 'HuggingFace', 'PMML', 'LightGBM', 'Paddle', 'Model',
        ...(later ? ['StorageUris', 'StorageContainerName'] : []),
        'WorkerSpec', 'PodSpec',
      ].join(', ');
    case 'transformer':
      return later ? 'PodSpec, ComponentExtensionSpec' : 'PodSpec';
    case 'explainer':
      return later ? 'ART, PodSpec, ComponentExtensionSpec' : 'ART, PodSpec';
  }
}

const SPEC_TYPES = { predictor: 'PredictorSpec', transformer: 'TransformerSpec', explainer: 'ExplainerSpec' } as const;

/** validateExactlyOneImplementation. Returns false when the component has none or several. */
export function exactlyOneImplementation(ctx: RuleContext, c: Component): boolean {
  const n = c.implementations.length;
  if (n === 1) return true;
  const kserve = `exactly one of [${goFields(c, isLater(ctx.release))}] must be specified in ${SPEC_TYPES[c.name]}`;
  const fix =
    c.name === 'predictor'
      ? 'give either model (modelFormat, storageUri) or containers (a container named kserve-container runs the model)'
      : c.name === 'transformer'
        ? 'give containers (the transformer container)'
        : 'give either art or containers';
  if (n === 0) {
    refuse(ctx, 'validateExactlyOneImplementation', c.path, `${kserve}; it has none: ${fix}`);
    return false;
  }
  const found = c.implementations.map((i) =>
    i.from ? `model (KServe's defaulter makes ${i.from} the model)` : i.key === 'containers' ? `containers (a container named ${KSERVE_CONTAINER})` : i.key,
  );
  refuse(ctx, 'validateExactlyOneImplementation', c.path, `${kserve}; it has ${n}: ${found.join(', ')}; ${fix}`);
  return false;
}

/** `GetImplementation().Validate()` of the component's one implementation. */
export function validateImplementation(ctx: RuleContext, c: Component): void {
  const impl = c.implementations[0]!;
  if (impl.key === 'containers') {
    if (c.name === 'predictor') customProtocol(ctx, c);
    return;
  }
  if (impl.key === 'art') return storageSpec(ctx, impl);
  // A framework field left as it is: only in ModelMesh mode, or a second framework (refused as two implementations).
  switch (impl.key) {
    case 'tensorflow':
      gpuRuntime(ctx, impl, 'Tensorflow');
      return storageSpec(ctx, impl);
    case 'pytorch':
      gpuRuntime(ctx, impl, 'PyTorch');
      return storageSpec(ctx, impl);
    case 'onnx': {
      const uri = str(impl.spec.storageUri);
      const ext = uri === undefined ? '' : goPathExt(uri);
      if (ext !== '' && ext !== '.onnx') refuse(ctx, 'ONNXRuntimeSpec.Validate', [...impl.path, 'storageUri'], `expected storageUri file extension: '.onnx' but got '${ext}'`);
      return storageSpec(ctx, impl);
    }
    case 'huggingface':
    case 'pmml':
      return storageSpec(ctx, impl);
  }
}

/** Go's path.Ext: the suffix from the last dot of the last path element. */
function goPathExt(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== '/'; i--) if (p[i] === '.') return p.slice(i);
  return '';
}

/** validateCustomProtocol: a PROTOCOL variable on the first container must be v1 or v2. */
function customProtocol(ctx: RuleContext, c: Component): void {
  const first = obj(list(c.spec.containers)[0]);
  const protocol = envVar(first, 'PROTOCOL');
  if (protocol && protocol.value !== 'v1' && protocol.value !== 'v2') {
    // KServe's message swaps its two arguments ("invalid protocol v1, v2. Must be one of [<value>]"); this says it the right way round.
    refuse(ctx, 'validateCustomProtocol', [...c.path, 'containers', 0, 'env', protocol.index, 'value'], `invalid protocol ${protocol.value}. Must be one of [v1, v2]`);
  }
}

/** TFServingSpec / TorchServeSpec validateGPU: a `-gpu` runtimeVersion exactly when an nvidia.com/gpu limit is set. */
function gpuRuntime(ctx: RuleContext, impl: Implementation, what: 'Tensorflow' | 'PyTorch'): void {
  const version = str(impl.spec.runtimeVersion);
  if (version === undefined) return;
  const gpu = obj(obj(impl.spec.resources)?.limits)?.['nvidia.com/gpu'] !== undefined;
  const gpuVersion = version.includes('-gpu');
  if (gpu && !gpuVersion) refuse(ctx, 'validateGPU', [...impl.path, 'runtimeVersion'], `${what} RuntimeVersion is not GPU enabled but GPU resources are requested: use a "-gpu" runtimeVersion`);
  if (!gpu && gpuVersion) refuse(ctx, 'validateGPU', [...impl.path, 'runtimeVersion'], `${what} RuntimeVersion is GPU enabled but GPU resources are not requested: add an nvidia.com/gpu limit or drop "-gpu"`);
}

/** component.go SupportedStorageSpecURIPrefixList. */
const STORAGE_SPEC_PREFIXES = ['s3://', 'hdfs://', 'webhdfs://'];

/** validateStorageSpec: with a `storage` spec, the storageUri (or `storage.parameters.type`) must be s3, hdfs or webhdfs. */
function storageSpec(ctx: RuleContext, impl: Implementation): void {
  const storage = obj(impl.spec.storage);
  if (!storage) return;
  const uri = str(impl.spec.storageUri);
  const allowed = STORAGE_SPEC_PREFIXES.join(', ');
  if (uri !== undefined && uri !== '') {
    if (!STORAGE_SPEC_PREFIXES.some((p) => uri.startsWith(p))) {
      refuse(ctx, 'validateStorageSpec', [...impl.path, 'storageUri'], `storageUri, must be one of: [${allowed}] when a storage spec is given; StorageUri [${uri}] is not supported`);
    }
    return;
  }
  const type = obj(storage.parameters)?.type;
  if (typeof type === 'string' && !STORAGE_SPEC_PREFIXES.some((p) => `${type}://`.startsWith(p))) {
    refuse(ctx, 'validateStorageSpec', [...impl.path, 'storage', 'parameters', 'type'], `storage.spec.type, must be one of: [${allowed}]. storage.spec.type [${type}] is not supported`);
  }
}

/** `ComponentExtensionSpec.Validate`: containerConcurrency, replicas, logger. */
export function validateExtensions(ctx: RuleContext, c: Component): void {
  const ext = c.spec;
  const cc = num(ext.containerConcurrency);
  if (cc !== undefined && cc < 0) refuse(ctx, 'validateContainerConcurrency', [...c.path, 'containerConcurrency'], `parallelism cannot be less than 0: containerConcurrency ${cc}; use 0 (no limit) or more`);
  // validateReplicas: minReplicas defaults to 1; maxReplicas 0 means no maximum.
  const min = num(ext.minReplicas) ?? 1;
  const max = num(ext.maxReplicas) ?? 0;
  if (min < 0) refuse(ctx, 'validateReplicas', [...c.path, 'minReplicas'], `'MinReplicas' cannot be less than 0: ${min}`);
  else if (max < 0) refuse(ctx, 'validateReplicas', [...c.path, 'maxReplicas'], `'MaxReplicas' cannot be less than 0: ${max}`);
  else if (min > max && max !== 0) {
    const where = isSet(ext.minReplicas) ? `minReplicas ${min}` : `minReplicas (default ${min})`;
    refuse(ctx, 'validateReplicas', [...c.path, 'maxReplicas'], `'MinReplicas' cannot be greater than MaxReplicas: ${where} > maxReplicas ${max}; raise maxReplicas or lower minReplicas`);
  }
  const logger = obj(ext.logger);
  if (logger) {
    const mode = str(logger.mode) ?? '';
    if (mode !== 'all' && mode !== 'request' && mode !== 'response') {
      refuse(ctx, 'validateLogger', [...c.path, 'logger', ...(mode ? ['mode'] : [])], `invalid logger type: logger.mode ${mode ? `"${mode}"` : 'is missing'}; set mode: all, request or response`);
    }
    const storage = obj(logger.storage);
    if (isLater(ctx.release) && storage && (!isSet(storage.path) || !isSet(storage.parameters) || !isSet(storage.key))) {
      refuse(ctx, 'validateLogger', [...c.path, 'logger', 'storage'], 'invalid logger storage configuration: logger.storage needs path, parameters and key');
    }
  }
}
