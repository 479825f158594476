/**
 * KServe's validating webhook for InferenceServices, run offline on an object that passed the CRD schema: what
 * `kubectl apply` (create) would be refused for, after KServe's defaulter has run.
 *
 * Source: kserve/kserve `pkg/apis/serving/v1beta1/inference_service_validation.go`, `validateInferenceService` and the
 * functions it calls, at v0.15.2 and v0.20.0; `inference_service_defaults.go` `DefaultInferenceService` for the
 * defaulter (the mutating webhook runs first). The update-only rules (`validateDeploymentMode`,
 * `validatePredictorNameChange`) need the object in the cluster and are not checked.
 */
import { AUTOSCALER_CLASSES, validateAutoScaling } from './autoscaling';
import { KSERVE_CLASS_ANNOTATION } from '../../core/serving-rules';
import { Component, FRAMEWORKS, KSERVE_CONTAINER, exactlyOneImplementation, otherComponent, predictorComponent, validateExtensions, validateImplementation } from './components';
import { isLater } from './release';
import { Obj, RuleContext, RulePath, envVar, isSet, list, num, obj, refuse, str } from './rule-problem';

/** The deployment mode annotation. */
export const DEPLOYMENT_MODE = 'serving.kserve.io/deploymentMode';
/** constants.CustomGPUResourceTypesAnnotationKey. */
const GPU_TYPES_ANNOTATION = 'serving.kserve.io/gpu-resource-types';
/** constants.DefaultGPUResourceTypeList. */
const GPU_TYPES = ['nvidia.com/gpu', 'amd.com/gpu', 'intel.com/gpu', 'habana.ai/gaudi'];
/** validation.DefaultBlockedEnvVars (v0.18 and later, `pkg/validation/env_policy.go`). */
const BLOCKED_ENV = ['PYTHONPATH'];

/** The InferenceService as the webhook sees it: annotations and deployment mode after the defaulter, and its components. */
export interface InferenceServiceView {
  readonly name: string;
  readonly annotations: Obj;
  /** The deployment mode annotation after the defaulter (v0.20.0 renames RawDeployment to Standard, Serverless to Knative). */
  readonly mode: string | undefined;
  readonly predictor: Component;
  readonly transformer?: Component;
  readonly explainer?: Component;
}

/**
 * DefaultInferenceService, the part that changes what the validator decides: the deployment mode annotation
 * (v0.20.0 renames the legacy names; the cluster default, KServe's `Serverless`, adds none) and the predictor's
 * framework field that becomes `model`.
 */
function inferenceServiceView(o: Obj, ctx: RuleContext): InferenceServiceView {
  const meta = obj(o.metadata) ?? {};
  const annotations = obj(meta.annotations) ?? {};
  let mode = str(annotations[DEPLOYMENT_MODE]);
  if (isLater(ctx.release)) mode = mode === 'RawDeployment' ? 'Standard' : mode === 'Serverless' ? 'Knative' : mode;
  const spec = obj(o.spec) ?? {};
  const transformer = obj(spec.transformer);
  const explainer = obj(spec.explainer);
  return {
    name: str(meta.name) ?? '',
    annotations,
    mode,
    predictor: predictorComponent(obj(spec.predictor) ?? {}, mode === 'ModelMesh'),
    transformer: transformer && otherComponent('transformer', transformer),
    explainer: explainer && otherComponent('explainer', explainer),
  };
}

/** validateInferenceService: every admission rule, in KServe's order (KServe stops at the first; this reports each). */
export function validateInferenceService(o: Obj, ctx: RuleContext): InferenceServiceView {
  const isvc = inferenceServiceView(o, ctx);
  // validateInferenceServiceName: the name rule is checked with the metadata (validate-object.ts nameRule).
  autoscalerClass(ctx, isvc);
  if (isLater(ctx.release)) blockedEnvVars(ctx, isvc);
  multiNode(ctx, isvc);
  collocationStorageUri(ctx, isvc);
  if (isLater(ctx.release)) {
    predictorName(ctx, isvc);
    multipleStorageUris(ctx, isvc);
    confidential(ctx, isvc);
  }
  for (const c of [isvc.predictor, isvc.transformer, isvc.explainer]) {
    if (!c || !exactlyOneImplementation(ctx, c)) continue;
    validateImplementation(ctx, c);
    validateExtensions(ctx, c);
    validateAutoScaling(ctx, isvc.annotations, isvc.mode, c.spec, c.path);
  }
  if (isLater(ctx.release)) canaries(ctx, isvc, obj(o.spec) ?? {});
  return isvc;
}

const ANNOTATIONS: RulePath = ['metadata', 'annotations'];

/** validateInferenceServiceAutoscaler: serving.kserve.io/autoscalerClass must be a class KServe knows. */
function autoscalerClass(ctx: RuleContext, isvc: InferenceServiceView): void {
  const value = isvc.annotations[KSERVE_CLASS_ANNOTATION];
  if (value === undefined || (typeof value === 'string' && AUTOSCALER_CLASSES.includes(value))) return;
  refuse(ctx, 'validateInferenceServiceAutoscaler', [...ANNOTATIONS, KSERVE_CLASS_ANNOTATION], `[${String(value)}] is not a supported autoscaler class type; use one of ${AUTOSCALER_CLASSES.join(', ')}`);
}

/**
 * UpdateGPUResourceTypeListByAnnotation: the GPU resource types KServe knows, with those a
 * `serving.kserve.io/gpu-resource-types` annotation adds (IsValidCustomGPUArray: a non-empty JSON array of non-empty
 * strings); undefined when the annotation is not such an array.
 */
export function gpuResourceTypes(custom: string | undefined): string[] | undefined {
  if (!custom) return GPU_TYPES;
  let parsed: unknown;
  try {
    parsed = JSON.parse(custom);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((t) => typeof t === 'string' && t !== '')) return undefined;
  return [...GPU_TYPES, ...(parsed as string[])];
}

/** The GPU resource types of an InferenceService; refuses an invalid annotation. */
function gpuTypes(ctx: RuleContext, annotations: Obj, rule: string, what: string): string[] | undefined {
  const custom = str(annotations[GPU_TYPES_ANNOTATION]);
  const known = gpuResourceTypes(custom);
  if (!known) {
    refuse(ctx, rule, [...ANNOTATIONS, GPU_TYPES_ANNOTATION], `invalid GPU format(${custom}) for ${GPU_TYPES_ANNOTATION} annotation: must be a valid JSON array of resource names, e.g. ["example.com/gpu"] (${what})`);
  }
  return known;
}

/** HasUnknownGpuResourceType: a resource other than cpu, memory, storage, ephemeral-storage that is no known GPU type. */
export function unknownGpuResources(resources: unknown, known: readonly string[]): string[] {
  const r = obj(resources);
  const basic = new Set(['cpu', 'memory', 'storage', 'ephemeral-storage']);
  const names = new Set([...Object.keys(obj(r?.limits) ?? {}), ...Object.keys(obj(r?.requests) ?? {})]);
  return [...names].filter((n) => !basic.has(n) && !known.includes(n)).sort();
}

/** validateMultiNodeVariables: a predictor with workerSpec (multi-node, Ray). */
function multiNode(ctx: RuleContext, isvc: InferenceServiceView): void {
  const rule = 'validateMultiNodeVariables';
  const p = isvc.predictor;
  const worker = obj(p.spec.workerSpec);
  if (!worker) return;
  const at: RulePath = [...p.path, 'workerSpec'];
  const n = `the InferenceService "${isvc.name}" is invalid`;
  if (list(worker.containers).length > 1) refuse(ctx, rule, [...at, 'containers'], `${n}: setting multiple containers in workerSpec is not allowed; keep one`);
  const model = p.implementations.find((i) => i.key === 'model');
  let known: string[] | undefined = GPU_TYPES;
  if (model) {
    for (const name of ['PIPELINE_PARALLEL_SIZE', 'TENSOR_PARALLEL_SIZE']) {
      const v = envVar(model.spec, name);
      if (v) {
        const size = name === 'PIPELINE_PARALLEL_SIZE' ? 'pipelineParallelSize' : 'tensorParallelSize';
        refuse(ctx, rule, [...model.path, 'env', v.index], `${n}: setting ${name} in environment variables is not allowed; set workerSpec.${size} instead`);
      }
    }
    known = gpuTypes(ctx, isvc.annotations, rule, 'multi-node predictors name their GPU types');
    const unknown = known ? unknownGpuResources(model.spec.resources, known) : [];
    if (unknown.length) {
      refuse(ctx, rule, [...model.path, 'resources'], `${n}: Unknown GPU resource type (${unknown.join(', ')}). Set 'serving.kserve.io/gpu-resource-types' annotation to use custom gpu resource type`);
    }
    const uri = str(model.spec.storageUri);
    const schemes = isLater(ctx.release) ? ['pvc', 'oci'] : ['pvc'];
    if (uri === undefined) {
      refuse(ctx, rule, model.path, `${n}: StorageURI must be set for multinode enabled; add storageUri (${schemes.map((s) => `${s}://`).join(' or ')})`);
    } else {
      const scheme = uri.split('://')[0]!;
      if (!schemes.includes(scheme)) {
        const only = isLater(ctx.release) ? "'pvc' and 'oci' Storage Protocol" : "'pvc' Storage Protocol";
        refuse(ctx, rule, [...model.path, 'storageUri'], `${n}: Multinode only supports ${only}(${scheme}); put the model on a PVC (pvc://<claim>/<path>)${isLater(ctx.release) ? ' or in an OCI image' : ''}`);
      }
    }
    const klass = str(isvc.annotations[KSERVE_CLASS_ANNOTATION]);
    if (klass !== 'none') {
      const where = klass === undefined ? at : [...ANNOTATIONS, KSERVE_CLASS_ANNOTATION];
      refuse(ctx, rule, where, `${n}: Multinode only supports 'none' autoscaler(${klass ?? ''}); ${klass === undefined ? 'add' : 'set'} the annotation ${KSERVE_CLASS_ANNOTATION}: none`);
    }
  }
  // Without a model KServe reads the GPU types annotation only for the worker containers.
  if (!model && list(worker.containers).length > 0) known = gpuTypes(ctx, isvc.annotations, rule, 'multi-node predictors name their GPU types');
  for (const key of ['pipelineParallelSize', 'tensorParallelSize']) {
    const size = num(worker[key]);
    if (size !== undefined && size < 1) refuse(ctx, rule, [...at, key], `${n}: WorkerSpec.${key[0]!.toUpperCase()}${key.slice(1)} cannot be less than 1(${size})`);
  }
  if (!known) return;
  list(worker.containers).forEach((c, i) => {
    const unknown = unknownGpuResources(obj(c)?.resources, known);
    if (unknown.length) {
      refuse(ctx, rule, [...at, 'containers', i, 'resources'], `${n}: Unknown GPU resource type (${unknown.join(', ')}). Set 'serving.kserve.io/gpu-resource-types' annotation to use custom gpu resource type`);
    }
  });
}

/** validateCollocationStorageURI: the collocated transformer container (transformer-container) must not set STORAGE_URI. */
function collocationStorageUri(ctx: RuleContext, isvc: InferenceServiceView): void {
  const p = isvc.predictor;
  const i = p.containerNames.indexOf('transformer-container');
  if (i < 0) return;
  const uri = envVar(obj(list(p.spec.containers)[i]), 'STORAGE_URI');
  if (uri) {
    refuse(ctx, 'validateCollocationStorageURI', [...p.path, 'containers', i, 'env', uri.index], 'storage uri should not be specified in transformer container: give the model its storageUri (or STORAGE_URI on kserve-container)');
  }
}

/** validateBlockedEnvVars (v0.18 and later): no container of the InferenceService may set PYTHONPATH. */
function blockedEnvVars(ctx: RuleContext, isvc: InferenceServiceView): void {
  const check = (container: unknown, at: RulePath) => {
    const c = obj(container);
    list(c?.env).forEach((e, i) => {
      const name = str(obj(e)?.name);
      if (name && BLOCKED_ENV.includes(name)) {
        refuse(ctx, 'validateBlockedEnvVars', [...at, 'env', i, 'name'], `the InferenceService "${isvc.name}" is invalid: setting ${name} in container ${str(c?.name) ? `"${str(c?.name)}"` : '(the model server)'} is not allowed for security reasons`);
      }
    });
  };
  const lists = (spec: Obj, at: RulePath) => {
    for (const key of ['containers', 'initContainers']) list(spec[key]).forEach((c, i) => check(c, [...at, key, i]));
  };
  const p = isvc.predictor;
  lists(p.spec, p.path);
  // predictorFrameworkContainer: the model, or the first framework field, in its switch order.
  const framework = ['model', ...FRAMEWORKS].find((k) => obj(p.spec[k]));
  if (framework) check(p.spec[framework], [...p.path, framework]);
  const worker = obj(p.spec.workerSpec);
  if (worker) lists(worker, [...p.path, 'workerSpec']);
  if (isvc.transformer) lists(isvc.transformer.spec, isvc.transformer.path);
  if (isvc.explainer) {
    lists(isvc.explainer.spec, isvc.explainer.path);
    if (obj(isvc.explainer.spec.art)) check(isvc.explainer.spec.art, [...isvc.explainer.path, 'art']);
  }
}

/** validatePredictor (v0.16 and later): `name` is the container's name, which a model or framework predictor may not set. */
function predictorName(ctx: RuleContext, isvc: InferenceServiceView): void {
  const p = isvc.predictor;
  for (const key of [...FRAMEWORKS, 'model']) {
    const impl = obj(p.spec[key]);
    if (impl && str(impl.name)) {
      return refuse(ctx, 'validatePredictor', [...p.path, key, 'name'], `the 'name' field is not allowed in standard predictor: remove ${key}.name (KServe names the container kserve-container)`);
    }
  }
}

/** The storage URI of a component's implementation (GetStorageUri), for the rules that compare it with storageUris. */
function storageUriOf(c: Component): string | undefined {
  const impl = c.implementations[0];
  if (!impl) return undefined;
  if (impl.key !== 'containers') return str(impl.spec.storageUri) || undefined;
  const containers = list(c.spec.containers);
  const i = c.name === 'predictor' ? c.containerNames.indexOf(KSERVE_CONTAINER) : 0;
  return i < 0 ? undefined : envVar(obj(containers[i]), 'STORAGE_URI')?.value;
}

/** validateMultipleStorageURIs (v0.16 and later): storageUris or storageUri, and mount paths under one parent. */
function multipleStorageUris(ctx: RuleContext, isvc: InferenceServiceView): void {
  const rule = 'validateMultipleStorageURIs';
  for (const c of [isvc.transformer, isvc.explainer, isvc.predictor]) {
    if (!c || !Array.isArray(c.spec.storageUris)) continue;
    const at: RulePath = [...c.path, 'storageUris'];
    if (storageUriOf(c) !== undefined) {
      refuse(ctx, rule, at, 'Setting both StorageURI and StorageURIs is not supported.: keep storageUris, or the one storageUri');
      continue;
    }
    const paths: string[] = [];
    const pvcPaths: string[] = [];
    let bad = false;
    list(c.spec.storageUris).forEach((s, i) => {
      if (bad) return;
      const uri = str(obj(s)?.uri) ?? '';
      const mountPath = str(obj(s)?.mountPath) ?? '/mnt/models';
      const here: RulePath = [...at, i];
      const problem =
        uri === ''
          ? 'storage URI cannot be empty'
          : mountPath === '/'
            ? 'storage path cannot be empty'
            : !mountPath.startsWith('/')
              ? `storage path must be absolute: ${mountPath}`
              : mountPath.includes('..')
                ? `storage path cannot contain '..' for security reasons: ${mountPath}`
                : undefined;
      if (problem) {
        bad = true;
        refuse(ctx, 'validateStorageURISpec', here, problem);
      } else (uri.startsWith('pvc://') ? pvcPaths : paths).push(mountPath);
    });
    if (bad || paths.length <= 1) continue;
    if (pvcPaths.length > 1 && new Set(pvcPaths).size < pvcPaths.length) {
      refuse(ctx, rule, at, 'PVC storage paths must be unique');
    } else if (commonParent(paths) === '/') {
      refuse(ctx, rule, at, `storage paths must have a common parent directory. Current paths: [${paths.join(' ')}] have no common parent beyond root`);
    }
  }
}

/** utils.FindCommonParentPath. */
function commonParent(paths: readonly string[]): string {
  const parts = paths.map((p) => (p.replace(/^\/+|\/+$/g, '') === '' ? [] : p.replace(/^\/+|\/+$/g, '').split('/')));
  const lengths = parts.filter((p) => p.length > 0).map((p) => p.length);
  const min = lengths.length ? Math.min(...lengths) : -1;
  const common: string[] = [];
  for (let i = 0; i < min; i++) {
    const level = new Set(parts.map((p) => p[i]));
    if (level.size !== 1) break;
    common.push(parts[0]![i]!);
  }
  return common.length ? `/${common.join('/')}` : '/';
}

/** validateConfidential (v0.20): confidential serving needs a storageUri and a KBS resource id of the right form. */
function confidential(ctx: RuleContext, isvc: InferenceServiceView): void {
  const p = isvc.predictor;
  // GetConfidentialSpecFromPredictor reads the first framework field in its order, then model.
  const key = [...FRAMEWORKS, 'model'].find((k) => obj(p.spec[k]));
  const spec = key ? obj(obj(p.spec[key])?.confidential) : undefined;
  if (!spec || spec.enabled !== true) return;
  const at: RulePath = [...p.path, key!, 'confidential'];
  const uri = p.implementations.length ? storageUriOf(p) : undefined;
  if (!uri) return refuse(ctx, 'validateConfidential', at, 'confidential model serving requires storageUri to be set');
  const id = str(spec.resourceId);
  if (id && !/^kbs:\/\/\/[a-zA-Z0-9_.-]+\/[a-zA-Z0-9_.-]+\/[a-zA-Z0-9_.-]+$/.test(id)) {
    refuse(ctx, 'ValidateConfidentialSpec', [...at, 'resourceId'], `Invalid value: "${id}": must be in the format kbs:///<repo>/<type>/<tag>`);
  }
}

/** validateCanarySpecs (v0.20): canary predictors, in the Standard mode only. */
function canaries(ctx: RuleContext, isvc: InferenceServiceView, spec: Obj): void {
  const rule = 'validateCanarySpecs';
  const list_ = list(spec.canary);
  if (list_.length === 0) return;
  const at: RulePath = ['spec', 'canary'];
  if (isvc.mode !== 'Standard') return refuse(ctx, rule, at, `canary is only supported in Standard deployment mode; add the annotation ${DEPLOYMENT_MODE}: Standard`);
  if (storageUriOf(isvc.predictor) === undefined && !isvc.predictor.implementations.some((i) => i.key === 'model')) {
    return refuse(ctx, rule, at, 'canary requires a stable predictor with a model (multi-model serving is not supported with canary)');
  }
  const names = new Set<string>();
  let total = 0;
  for (let i = 0; i < list_.length; i++) {
    const canary = obj(list_[i]) ?? {};
    const predictor = obj(canary.predictor) ?? {};
    const here: RulePath = [...at, i];
    const name = str(predictor.name) ?? '';
    if (name === '') return refuse(ctx, rule, [...here, 'predictor'], `canary[${i}] predictor.name is required`);
    if (names.has(name)) return refuse(ctx, rule, [...here, 'predictor', 'name'], `canary predictor.name "${name}" is duplicated`);
    names.add(name);
    if (name === str(isvc.predictor.spec.name)) return refuse(ctx, rule, [...here, 'predictor', 'name'], `canary predictor.name "${name}" conflicts with stable predictor name`);
    const traffic = num(canary.trafficPercent) ?? 0;
    if (traffic < 0 || traffic > 100) return refuse(ctx, rule, [...here, 'trafficPercent'], `canary "${name}" trafficPercent must be between 0 and 100, got ${traffic}`);
    total += traffic;
    // The defaulter leaves canary predictors alone: no framework field becomes model.
    const c = predictorComponent(predictor, true, [...here, 'predictor']);
    const inner: RuleContext = { release: ctx.release, out: [] };
    if (exactlyOneImplementation(inner, c)) {
      validateImplementation(inner, c);
      validateExtensions(inner, c);
    }
    if (inner.out.length) {
      ctx.out.push(...inner.out.map((p) => ({ ...p, message: `canary "${name}" predictor: ${p.message}` })));
      return;
    }
    if (isSet(predictor.workerSpec)) return refuse(ctx, rule, [...here, 'predictor', 'workerSpec'], `canary "${name}" must not set workerSpec (multi-node is not yet supported for canary)`);
    for (const key of ['maxReplicas', 'scaleTarget', 'scaleMetric', 'autoScaling']) {
      if (key === 'maxReplicas' ? (num(predictor.maxReplicas) ?? 0) > 0 : isSet(predictor[key])) {
        return refuse(ctx, rule, [...here, 'predictor', key], `canary "${name}" must not set ${key} (canary uses fixed replicas)`);
      }
    }
    const min = num(predictor.minReplicas);
    const stable = num(isvc.predictor.spec.minReplicas) ?? 1;
    if (min !== undefined && min > stable) {
      return refuse(ctx, rule, [...here, 'predictor', 'minReplicas'], `canary "${name}" minReplicas (${min}) must not exceed stable predictor minReplicas (${stable})`);
    }
  }
  if (total > 100) refuse(ctx, rule, at, `sum of canary trafficPercent values (${total}) must be <= 100`);
}
