/**
 * KServe's admission rules where the webhook's view differs from the YAML: after the defaulter, per deployment mode,
 * per release. Sources: kserve/kserve at v0.15.2 and v0.20.0, `pkg/apis/serving/v1beta1/inference_service_defaults.go`
 * (DefaultInferenceService, setPredictorModelDefaults), `inference_service_validation.go`, `component.go`,
 * `predictor.go` (GetImplementations), `predictor_onnxruntime.go`, `predictor_tfserving.go`, `explainer.go`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { validateObject } from '../../src/validation/validate-object';
import { formatReport, validatePaths } from '../../src/validation/validate-yaml';
import { tempDir } from '../support/temp';

function isvc(spec: object, annotations?: Record<string, string>): object {
  return { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService', metadata: { name: 'm', namespace: 'demo', ...(annotations ? { annotations } : {}) }, spec };
}

/** The rule and path of each problem; `~` marks a warning. */
function found(obj: object, kserve: 'v0.15.2' | 'v0.20.0' = 'v0.15.2'): string[] {
  return validateObject(obj, { kserve }).problems.map((p) => `${p.warning ? '~' : ''}${p.rule} ${p.path.join('.')}`);
}

const MODEL = { modelFormat: { name: 'sklearn' }, storageUri: 'gs://a/b' };

describe('the defaulter runs before the validator (setPredictorModelDefaults)', () => {
  test('GIVEN sklearn and model THEN the defaulter replaces model with sklearn: one implementation, admitted', () => {
    expect(found(isvc({ predictor: { sklearn: { storageUri: 'gs://a/b' }, model: MODEL } }))).toStrictEqual([]);
  });

  test('GIVEN deploymentMode ModelMesh THEN the predictor is not defaulted: sklearn and model are two implementations', () => {
    expect(found(isvc({ predictor: { sklearn: { storageUri: 'gs://a/b' }, model: MODEL } }, { 'serving.kserve.io/deploymentMode': 'ModelMesh' }))).toStrictEqual([
      'validateExactlyOneImplementation spec.predictor',
    ]);
  });

  test('GIVEN ModelMesh THEN the framework fields keep their own rules: onnx file extension, tensorflow GPU runtime version', () => {
    const mm = { 'serving.kserve.io/deploymentMode': 'ModelMesh' };
    expect(found(isvc({ predictor: { onnx: { storageUri: 's3://a/model.pt' } } }, mm))).toStrictEqual(['ONNXRuntimeSpec.Validate spec.predictor.onnx.storageUri']);
    expect(found(isvc({ predictor: { onnx: { storageUri: 's3://a/model.onnx' } } }, mm))).toStrictEqual([]);
    expect(found(isvc({ predictor: { tensorflow: { storageUri: 's3://a/m', runtimeVersion: '2.6.2-gpu' } } }, mm))).toStrictEqual(['validateGPU spec.predictor.tensorflow.runtimeVersion']);
    // Outside ModelMesh the same field becomes model, whose Validate checks nothing.
    expect(found(isvc({ predictor: { tensorflow: { storageUri: 's3://a/m', runtimeVersion: '2.6.2-gpu' } } }))).toStrictEqual([]);
  });

  test('GIVEN model and containers not named kserve-container (a collocated transformer) THEN one implementation', () => {
    expect(found(isvc({ predictor: { model: MODEL, containers: [{ name: 'transformer-container', image: 'quay.io/a/t:1' }] } }))).toStrictEqual([]);
  });

  test('GIVEN a lone custom container with another name THEN it is the custom predictor (named kserve-container by the defaulter)', () => {
    expect(found(isvc({ predictor: { containers: [{ name: 'server', image: 'quay.io/a/s:1' }] } }))).toStrictEqual([]);
  });
});

describe('the deployment mode decides which autoscaler rules apply (validateAutoScalingCompExtension)', () => {
  test('GIVEN RawDeployment without an autoscaler class THEN the webhook checks no metric; KServe\'s HPA then drops rps (a warning)', () => {
    expect(found(isvc({ predictor: { model: MODEL, scaleMetric: 'rps' } }, { 'serving.kserve.io/deploymentMode': 'RawDeployment' }))).toStrictEqual(['~getHPAMetrics spec.predictor.scaleMetric']);
  });

  test('GIVEN RawDeployment with the external or none class THEN nothing is checked or dropped', () => {
    for (const klass of ['external', 'none']) {
      expect(found(isvc({ predictor: { model: MODEL, scaleMetric: 'rps' } }, { 'serving.kserve.io/deploymentMode': 'RawDeployment', 'serving.kserve.io/autoscalerClass': klass }))).toStrictEqual([]);
    }
  });

  test('GIVEN Serverless with the KPA THEN concurrency and rps pass, cpu and memory are refused', () => {
    expect(found(isvc({ predictor: { model: MODEL, scaleMetric: 'concurrency', scaleTarget: 5 } }))).toStrictEqual([]);
    expect(found(isvc({ predictor: { model: MODEL, scaleMetric: 'memory' } }))).toStrictEqual(['validateKPAMetrics spec.predictor.scaleMetric']);
  });

  test('GIVEN the rules apply to each component THEN a transformer\'s scaleMetric is judged too', () => {
    expect(found(isvc({ predictor: { model: MODEL }, transformer: { scaleMetric: 'cpu', containers: [{ name: 'kserve-container', image: 'quay.io/a/t:1' }] } }))).toStrictEqual([
      'validateKPAMetrics spec.transformer.scaleMetric',
    ]);
  });

  test('GIVEN "Standard" on v0.20.0 THEN the plain mode\'s HPA rules apply; on v0.15.2 it is an unknown mode judged as Serverless', () => {
    const obj = isvc({ predictor: { model: MODEL, scaleMetric: 'cpu', scaleTarget: 80 } }, { 'serving.kserve.io/deploymentMode': 'Standard', 'serving.kserve.io/autoscalerClass': 'hpa' });
    expect(found(obj, 'v0.20.0')).toStrictEqual([]);
    expect(found(obj, 'v0.15.2')).toStrictEqual(['validateKPAMetrics spec.predictor.scaleMetric']);
  });
});

describe('GPU resource types of multi-node predictors (HasUnknownGpuResourceType)', () => {
  const multiNode = (resources: object, annotations: Record<string, string> = {}) =>
    isvc(
      { predictor: { model: { modelFormat: { name: 'huggingface' }, storageUri: 'pvc://models/llama', resources }, workerSpec: { containers: [{ name: 'worker-container', image: 'quay.io/a/r:1' }] } } },
      { 'serving.kserve.io/autoscalerClass': 'none', ...annotations },
    );

  test('GIVEN a known GPU type THEN admitted; GIVEN another extended resource THEN refused unless the annotation names it', () => {
    expect(found(multiNode({ limits: { 'nvidia.com/gpu': '1' }, requests: { 'nvidia.com/gpu': '1' } }))).toStrictEqual([]);
    expect(found(multiNode({ limits: { 'example.com/tpu': '1' }, requests: { 'example.com/tpu': '1' } }))).toStrictEqual(['validateMultiNodeVariables spec.predictor.model.resources']);
    expect(found(multiNode({ limits: { 'example.com/tpu': '1' }, requests: { 'example.com/tpu': '1' } }, { 'serving.kserve.io/gpu-resource-types': '["example.com/tpu"]' }))).toStrictEqual([]);
    expect(found(multiNode({}, { 'serving.kserve.io/gpu-resource-types': 'example.com/tpu' }))).toStrictEqual([
      'validateMultiNodeVariables metadata.annotations.serving.kserve.io/gpu-resource-types',
    ]);
  });
});

describe('storage specs (validateStorageSpec) and URIs (ValidateStorageURI)', () => {
  test('GIVEN an ART explainer with a storage spec THEN its storageUri must be s3, hdfs or webhdfs', () => {
    const explainer = (storageUri: string) => isvc({ predictor: { model: MODEL }, explainer: { art: { type: 'SquareAttack', storageUri, storage: { key: 'k' } } } });
    expect(found(explainer('gs://a/b'))).toStrictEqual(['validateStorageSpec spec.explainer.art.storageUri']);
    expect(found(explainer('s3://a/b'))).toStrictEqual([]);
  });

  test('GIVEN a local path or an Azure blob URL THEN the storage initializer takes it; a malformed Azure URL is a warning', () => {
    expect(found(isvc({ predictor: { model: { ...MODEL, storageUri: '/mnt/pvc/model' } } }))).toStrictEqual([]);
    expect(found(isvc({ predictor: { model: { ...MODEL, storageUri: 'https://acct.blob.core.windows.net/c/m' } } }))).toStrictEqual([]);
    expect(found(isvc({ predictor: { model: { ...MODEL, storageUri: 'abfs://blob.core.windows.net' } } }))).toStrictEqual(['~ValidateStorageURI spec.predictor.model.storageUri']);
  });

  test('GIVEN storageUri and storage.path THEN the controller refuses to deploy (a warning)', () => {
    expect(found(isvc({ predictor: { model: { ...MODEL, storage: { path: 'models/m', key: 'k' } } } }))).toStrictEqual(['~addStorageInitializerAnnotations spec.predictor.model.storageUri']);
  });

  test('GIVEN an object the webhook refuses THEN the reconcile-time checks are not reported: the controller never sees it', () => {
    expect(found(isvc({ predictor: { minReplicas: 2, maxReplicas: 1, model: { ...MODEL, storageUri: 'ms://a/b' } } }))).toStrictEqual(['validateReplicas spec.predictor.maxReplicas']);
  });
});

describe('runtimes across files (validateServingRuntimePriority)', () => {
  test('GIVEN two files, each valid alone, whose runtimes auto-select one format at one priority THEN the later one is refused', () => {
    const dir = tempDir('modelcar-runtimes-');
    const runtime = (name: string, formats: string) =>
      `apiVersion: serving.kserve.io/v1alpha1\nkind: ServingRuntime\nmetadata: { name: ${name}, namespace: demo }\nspec:\n  supportedModelFormats: ${formats}\n  protocolVersions: [v2]\n  containers: [{ name: kserve-container, image: quay.io/a/s:1 }]\n`;
    fs.writeFileSync(path.join(dir, 'a.yaml'), runtime('ovms', '[{ name: onnx, autoSelect: true, priority: 1 }]'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), runtime('triton', '[{ name: onnx, autoSelect: true, priority: 1 }]'));
    fs.writeFileSync(path.join(dir, 'c.yaml'), runtime('other', '[{ name: onnx, autoSelect: true, priority: 2 }]'));
    expect(formatReport(validatePaths([dir]))).toBe(
      `${dir}/b.yaml:5:69: ServingRuntime demo/triton: spec.supportedModelFormats[0].priority: same priority assigned for the model format onnx in the servingruntimes ovms and triton in namespace demo: ` +
        'give one of them another priority, or autoSelect: false (KServe v0.15.2 validateServingRuntimePriority, at admission: refused when ovms is applied first)\n' +
        '1 problem in 3 objects in 3 files\n',
    );
  });
});
