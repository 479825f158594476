/**
 * What KServe admits but its controller then fails on, or ignores: reported as warnings, each naming what fails
 * and when. Checked only for InferenceServices that pass admission.
 *
 * Source: kserve/kserve at v0.15.2 and v0.20.0: `pkg/controller/v1beta1/inferenceservice/utils/utils.go`
 * (`GetDeploymentMode`, `ValidateStorageURI`, `SupportedStorageURIPrefixList`),
 * `pkg/controller/v1beta1/inferenceservice/components/predictor.go` (`addStorageInitializerAnnotations`),
 * `pkg/constants/constants.go` (`PredictorServiceName`, `TransformerServiceName`, `ExplainerServiceName`).
 */
import { DNS1035_LABEL_MAX_LENGTH } from '../../core/names';
import { Component, KSERVE_CONTAINER } from './components';
import { DEPLOYMENT_MODE, InferenceServiceView } from './inference-service';
import { isLater } from './release';
import { RuleContext, RulePath, envVar, failLater, list, obj, str } from './rule-problem';

/** SupportedStorageURIPrefixList: the schemes KServe's storage initializer downloads from. */
const STORAGE_PREFIXES_0_15 = ['gs://', 's3://', 'pvc://', 'file://', 'https://', 'http://', 'hdfs://', 'webhdfs://', 'oci://', 'hf://'];
const STORAGE_PREFIXES_0_20 = ['gs://', 's3://', 'pvc://', 'file://', 'https://', 'http://', 'hdfs://', 'webhdfs://', 'oci://', 'oci+native://', 'hf://'];
const AZURE_BLOB = /https:\/\/(.+?).blob.core.windows.net\/(.+)/;

/** The deployment modes the controller knows (GetDeploymentMode); others fall back to the cluster default. */
function knownModes(ctx: RuleContext): readonly string[] {
  return isLater(ctx.release) ? ['Standard', 'Knative', 'ModelMesh'] : ['Serverless', 'RawDeployment', 'ModelMesh'];
}

/** The reconcile-time rules of one InferenceService that passed admission. */
export function reconcileInferenceService(ctx: RuleContext, isvc: InferenceServiceView): void {
  const modes = knownModes(ctx);
  if (isvc.mode !== undefined && !modes.includes(isvc.mode)) {
    const accepted = isLater(ctx.release) ? 'Standard, Knative, ModelMesh (or the legacy RawDeployment, Serverless)' : 'Serverless, RawDeployment, ModelMesh';
    const hint = !isLater(ctx.release) && (isvc.mode === 'Standard' || isvc.mode === 'Knative') ? ` ("${isvc.mode}" is a KServe 0.16 name: on 0.15 write ${isvc.mode === 'Standard' ? 'RawDeployment' : 'Serverless'})` : '';
    failLater(
      ctx,
      'GetDeploymentMode',
      ['metadata', 'annotations', DEPLOYMENT_MODE],
      `"${isvc.mode}" is not a deployment mode KServe knows, so it is ignored and the model is deployed in the cluster's default mode (Serverless unless configured otherwise)${hint}; use one of ${accepted}`,
    );
  }
  if (isvc.mode !== 'ModelMesh') storage(ctx, isvc.predictor);
  if (isvc.transformer) storage(ctx, isvc.transformer);
  if (isvc.explainer) storage(ctx, isvc.explainer);
  derivedNames(ctx, isvc);
}

/** Where a component's storage URI is (GetStorageUri of its implementation), or undefined. */
function storageUri(c: Component): { uri: string; path: RulePath } | undefined {
  const impl = c.implementations[0];
  if (!impl) return undefined;
  if (impl.key !== 'containers') {
    const uri = str(impl.spec.storageUri);
    return uri ? { uri, path: [...impl.path, 'storageUri'] } : undefined;
  }
  const i = c.name === 'predictor' ? c.containerNames.indexOf(KSERVE_CONTAINER) : 0;
  const env = i < 0 ? undefined : envVar(obj(list(c.spec.containers)[i]), 'STORAGE_URI');
  return env ? { uri: env.value, path: [...c.path, 'containers', i, 'env', env.index, 'value'] } : undefined;
}

/** ValidateStorageURI and addStorageInitializerAnnotations: the storage initializer must know the URI's scheme. */
function storage(ctx: RuleContext, c: Component): void {
  const found = storageUri(c);
  if (!found) return;
  const { uri, path } = found;
  const impl = c.implementations[0]!;
  if (c.name === 'predictor' && impl.key !== 'containers' && str(obj(impl.spec.storage)?.path) !== undefined) {
    failLater(ctx, 'addStorageInitializerAnnotations', path, `must provide only one of storageUri and storage.path: the ${c.name} is never deployed; remove one`);
    return;
  }
  // A local path (no scheme) is taken as it is.
  if (!/\w+?:\/\//.test(uri)) return;
  const prefixes = isLater(ctx.release) ? STORAGE_PREFIXES_0_20 : STORAGE_PREFIXES_0_15;
  const ok = uri.includes('blob.core.windows.net') ? AZURE_BLOB.test(uri) : prefixes.some((p) => uri.startsWith(p));
  if (ok) return;
  failLater(
    ctx,
    'ValidateStorageURI',
    path,
    `storageUri, must be one of: [${prefixes.join(', ')}] or match https://{}.blob.core.windows.net/{}/{} or be an absolute or relative local path. StorageUri [${uri}] is not supported: ` +
      `the ${c.name} is never deployed, unless a ClusterStorageContainer in the cluster supports this URI`,
  );
}

/**
 * The names KServe derives: each component's Service (and Knative Service) `<name>-<component>` must be a DNS-1035
 * label of at most 63 characters. KServe's webhook does not check the length: the InferenceService is admitted and
 * its component's Service is then refused by the API server.
 */
function derivedNames(ctx: RuleContext, isvc: InferenceServiceView): void {
  const predictorName = isLater(ctx.release) ? str(isvc.predictor.spec.name) : undefined;
  const components: [Component | undefined, string, string][] = [
    [isvc.predictor, predictorName ? `${isvc.name}-${predictorName}-predictor` : `${isvc.name}-predictor`, 'PredictorServiceName'],
    [isvc.transformer, `${isvc.name}-transformer`, 'TransformerServiceName'],
    [isvc.explainer, `${isvc.name}-explainer`, 'ExplainerServiceName'],
  ];
  for (const [c, derived, rule] of components) {
    if (!c || derived.length <= DNS1035_LABEL_MAX_LENGTH) continue;
    failLater(
      ctx,
      rule,
      ['metadata', 'name'],
      `"${isvc.name}" is too long for the ${c.name}: KServe names its Service "${derived}", ${derived.length} characters, and a Service name is a DNS-1035 label of at most ${DNS1035_LABEL_MAX_LENGTH}; ` +
        `the API server refuses that Service when KServe creates it, so the ${c.name} never runs; shorten the name by ${derived.length - DNS1035_LABEL_MAX_LENGTH}`,
    );
  }
}
