/**
 * The manifest corpus in ../shared/corpus (see its README.md and SOURCE.md): 522 InferenceService, ServingRuntime and
 * ClusterServingRuntime documents written by others (kserve/kserve v0.15.2 and master, the KServe website, OpenDataHub
 * repositories), plus 34 of other KServe kinds, each labelled by what KServe v0.15.2 and the API server do with it.
 * `modelcar validate` must accept every file of expected_valid.txt and refuse every file of expected_invalid.txt, for
 * the reason KServe or the API server has. The corpus is read where it is, never copied: without ../shared this test
 * fails and says so (test/support/shared.ts).
 *
 * Each file is one manifest from its own source, so each is validated on its own (not as one `kubectl apply` of all).
 */
import * as fs from 'fs';
import * as path from 'path';
import { KserveRelease } from '../../src/validation/kserve-admission';
import { ValidationReport, emptyReport, validateYamlText } from '../../src/validation/validate-yaml';
import { sharedPath } from '../support/shared';

const CORPUS = sharedPath('corpus');

function listed(name: string): string[] {
  return fs
    .readFileSync(path.join(CORPUS, name), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function validate(file: string, release: KserveRelease = 'v0.15.2'): ValidationReport {
  return validateYamlText(file, fs.readFileSync(path.join(CORPUS, file), 'utf8'), emptyReport(release));
}

/** The rules a report's problems (or warnings) come from, each once, sorted. */
function rules(list: ValidationReport['problems']): string[] {
  return [...new Set(list.map((p) => p.rule))].sort();
}

const valid = listed('expected_valid.txt');
const invalid = listed('expected_invalid.txt');
const reconcile = listed('expected_invalid_reconcile.txt');
const skew = listed('skew.txt');
const neutral = listed('neutral.txt');

describe('the corpus lists', () => {
  test('GIVEN ../shared/corpus THEN its lists hold the 556 files (522 manifests and 34 of other kinds), each listed once', () => {
    expect([valid.length, invalid.length, reconcile.length, skew.length, neutral.length]).toStrictEqual([502, 33, 1, 14, 6]);
    const all = [...valid, ...invalid, ...reconcile, ...skew, ...neutral];
    expect(new Set(all).size).toBe(556);
    for (const file of all) expect(fs.existsSync(path.join(CORPUS, file))).toBe(true);
  });
});

describe('expected_valid.txt: accepted by kubectl apply against KServe v0.15.2', () => {
  test.each(valid)('%s is accepted', (file) => {
    const report = validate(file);
    expect(report.problems.map((p) => `${p.field}: ${p.message}`)).toStrictEqual([]);
  });

  test('GIVEN the valid files THEN the other KServe kinds are reported as not checked, and the warnings are those expected', () => {
    const skipped = new Map<string, number>();
    const warnings = new Map<string, number>();
    for (const file of valid) {
      const report = validate(file);
      for (const [why, n] of report.skipped) skipped.set(why, (skipped.get(why) ?? 0) + n);
      for (const w of report.warnings) warnings.set(w.rule, (warnings.get(w.rule) ?? 0) + 1);
    }
    expect(Object.fromEntries([...skipped].sort())).toStrictEqual({
      'serving.kserve.io/v1alpha1 ClusterStorageContainer': 5,
      'serving.kserve.io/v1alpha1 InferenceGraph': 6,
      'serving.kserve.io/v1alpha1 LLMInferenceService': 10,
      'serving.kserve.io/v1alpha1 LocalModelCache': 2,
      'serving.kserve.io/v1alpha1 LocalModelNodeGroup': 2,
      'serving.kserve.io/v1alpha1 TrainedModel': 5,
      'serving.kserve.io/v1alpha2 LLMInferenceService': 1,
      'serving.kserve.io/v1alpha2 LLMInferenceServiceConfig': 3,
    });
    // KServe 0.16+ documents written with deploymentMode "Standard", which KServe 0.15 admits and then ignores
    // (kserve/kserve v0.15.2 pkg/controller/v1beta1/inferenceservice/utils/utils.go GetDeploymentMode).
    expect(Object.fromEntries([...warnings].sort())).toStrictEqual({ GetDeploymentMode: 12 });
  });
});

/**
 * Why `kubectl apply` refuses each file of expected_invalid.txt (the corpus lists the files; the reasons are recorded
 * here, from reading each file against the v0.15.2 CRDs and webhook code): `schema` for the CRD schema with strict
 * field validation (unknown fields, a number where an int-or-string quantity needs a string, an enum), else the
 * KServe function (kserve/kserve v0.15.2 `pkg/apis/serving/v1beta1/inference_service_validation.go`, `component.go`).
 */
const REFUSED_BECAUSE: Record<string, string[]> = {
  'manifests/kserve-kserve-master/docs__samples__bentoml__README--iris-classifier.yaml': ['schema'],
  // model and a container named kserve-container: two implementations.
  'manifests/kserve-kserve-master/docs__samples__rollout-strategy__rollout-strategy-example--multinode-example.yaml': ['validateExactlyOneImplementation'],
  'manifests/kserve-kserve-master/docs__samples__rollout-strategy__rollout-strategy-example--rollout-strategy-example.yaml': ['schema'],
  'manifests/kserve-kserve/docs__samples__explanation__alibi__cifar10__cifar10--cifar10.yaml': ['schema'],
  'manifests/kserve-kserve/docs__samples__explanation__alibi__income__income--income.yaml': ['schema'],
  'manifests/kserve-kserve/docs__samples__explanation__alibi__moviesentiment__moviesentiment--moviesentiment.yaml': ['schema'],
  'manifests/kserve-kserve/docs__samples__explanation__alibi__moviesentiment__moviesentiment2--moviesentiment.yaml': ['schema'],
  'manifests/kserve-kserve/docs__samples__storage__azure__README--kserve-simple-string.yaml': ['schema'],
  'manifests/kserve-kserve/docs__samples__v1beta1__torchserve__v1__bloom__bloom-560m--torchserve-bloom-560m.yaml': ['schema'],
  // A dot in the name: a valid subdomain for the API server, not KServe's IsvcNameFmt.
  'manifests/kserve-kserve/python__huggingfaceserver__README--huggingface-llama3.1.yaml': ['validateInferenceServiceName'],
  'manifests/kserve-website-main/docs__model-serving__predictive-inference__explainers__alibi__image-explainer__image-explainer--cifar10.yaml': ['schema'],
  'manifests/kserve-website-main/docs__model-serving__predictive-inference__explainers__alibi__tabular-explainer__tabular-explainer--income.yaml': ['schema'],
  'manifests/kserve-website-main/docs__model-serving__predictive-inference__explainers__alibi__text-explainer__text-explainer--moviesentiment-2.yaml': ['schema'],
  'manifests/kserve-website-main/docs__model-serving__predictive-inference__explainers__alibi__text-explainer__text-explainer--moviesentiment.yaml': ['schema'],
  'manifests/kserve-website-main/docs__model-serving__predictive-inference__logger__blob-storage-logger--sklearn-iris.yaml': ['schema'],
  'manifests/kserve-website-main/docs__model-serving__predictive-inference__rollout-strategies__rollout-strategy-standard--deployment-strategy-example.yaml': ['schema'],
  // A workerSpec without the annotation serving.kserve.io/autoscalerClass: none.
  'manifests/kserve-website/docs__blog__articles__2025-05-27-KServe-0.15-release--huggingface-llama3.yaml': ['validateMultiNodeVariables'],
  'manifests/kserve-website/docs__modelserving__autoscaling__autoscaling--flowers-sample.yaml': ['schema'],
  'manifests/kserve-website/docs__modelserving__explainer__alibi__cifar10__README--cifar10.yaml': ['schema'],
  'manifests/kserve-website/docs__modelserving__explainer__alibi__income__README--income.yaml': ['schema'],
  'manifests/kserve-website/docs__modelserving__explainer__alibi__moviesentiment__README--moviesentiment-2.yaml': ['schema'],
  'manifests/kserve-website/docs__modelserving__explainer__alibi__moviesentiment__README--moviesentiment.yaml': ['schema'],
  'manifests/kserve-website/docs__modelserving__logger__logger--sklearn-iris-2.yaml': ['schema'],
  'manifests/kserve-website/docs__modelserving__v1beta1__torchserve__README--torchserve-mnist-v2.yaml': ['schema'],
  'manifests/kserve-website/docs__modelserving__v1beta1__transformer__torchserve_image_transformer__README--noname.yaml': ['schema'],
  'manifests/kserve-website/docs__modelserving__v1beta1__triton__huggingface__README--noname.yaml': ['schema'],
  // A transformer and an explainer with only a timeout or minReplicas: no implementation (also in ModelMesh mode).
  'manifests/odh-model-controller/internal__controller__serving__testdata__deploy__kserve-openvino-inference-service-custom-timeout--example-onnx-mnist-custom-timeout.yaml': ['validateExactlyOneImplementation'],
  'manifests/odh-model-controller/internal__controller__serving__testdata__deploy__kserve-openvino-inference-service-default-timeout--example-onnx-mnist-default-timeout.yaml': ['validateExactlyOneImplementation'],
  'manifests/odh-model-controller/internal__controller__serving__testdata__deploy__openvino-inference-service-custom-timeout--example-onnx-mnist-custom-timeout.yaml': ['validateExactlyOneImplementation'],
  'manifests/odh-model-controller/internal__controller__serving__testdata__deploy__openvino-inference-service-default-timeout--example-onnx-mnist-default-timeout.yaml': ['validateExactlyOneImplementation'],
  'manifests/ods-ci/ods_ci__tests__Resources__Files__llm__vllm__vllm_servingruntime--kserve-vllm.yaml': ['schema'],
  'manifests/ods-ci/ods_ci__tests__Resources__Files__triton__triton_onnx_gRPC_servingruntime--triton-kserve-grpc.yaml': ['schema'],
  'manifests/ods-ci/ods_ci__tests__Resources__Files__triton__triton_tensorflow_gRPC_servingruntime--triton-tensorflow-grpc.yaml': ['schema'],
};

describe('expected_invalid.txt: refused by kubectl apply against KServe v0.15.2, for the right reason', () => {
  test('every listed file has its reason recorded here, and no other', () => {
    expect(Object.keys(REFUSED_BECAUSE).sort()).toStrictEqual([...invalid].sort());
  });

  test.each(invalid)('%s is refused', (file) => {
    const report = validate(file);
    expect(rules(report.problems)).toStrictEqual(REFUSED_BECAUSE[file]);
  });
});

describe('expected_invalid_reconcile.txt: admitted, but what KServe derives from it can never run', () => {
  // requests["nvidia.com.gpu"] (a dot for the slash) is no container resource: the API server refuses the
  // Knative Service KServe makes of the InferenceService (Kubernetes ValidateResourceRequirements).
  test.each(reconcile)('%s is admitted, with warnings naming what fails later', (file) => {
    const report = validate(file);
    expect(report.problems).toStrictEqual([]);
    expect(rules(report.warnings)).toStrictEqual(['ValidateResourceRequirements']);
  });
});

/** What each release decides about a file: `ok`, or the rules of its problems (and `+warnings` for warnings). */
function verdict(file: string, release: KserveRelease): string {
  const report = validate(file, release);
  const errors = rules(report.problems);
  const warned = rules(report.warnings);
  return [errors.length ? `refused: ${errors.join(', ')}` : 'admitted', ...(warned.length ? [`warnings: ${warned.join(', ')}`] : [])].join('; ');
}

describe('skew.txt and neutral.txt (informational): what KServe v0.15.2 and v0.20.0 decide', () => {
  // skew.txt: documents that use something from a KServe release after 0.15 (kserve master, website main).
  test('GIVEN the skew files THEN v0.15.2 refuses what it does not know and v0.20.0 admits all but one', () => {
    const table = Object.fromEntries(skew.map((f) => [path.basename(f), { 'v0.15.2': verdict(f, 'v0.15.2'), 'v0.20.0': verdict(f, 'v0.20.0') }]));
    expect(table).toStrictEqual(SKEW);
  });

  // neutral.txt: placeholders (a custom storage scheme served by a ClusterStorageContainer) or cluster setup.
  test('GIVEN the neutral files THEN both releases admit them; a scheme only a ClusterStorageContainer knows is a warning', () => {
    const table = Object.fromEntries(neutral.map((f) => [path.basename(f), { 'v0.15.2': verdict(f, 'v0.15.2'), 'v0.20.0': verdict(f, 'v0.20.0') }]));
    expect(table).toStrictEqual(NEUTRAL);
  });
});

/** What each release decides about each skew file (file name within its folder). */
const SKEW: Record<string, Record<KserveRelease, string>> = {
  // spec.schedulerName: in the ServingRuntime CRD from 0.16 on.
  'config__runtimes__vllm__vllm-spyre-ppc64le-template--vllm-spyre-ppc64le-runtime.yaml': { 'v0.15.2': 'refused: schema', 'v0.20.0': 'admitted' },
  'config__runtimes__vllm__vllm-spyre-s390x-template--vllm-spyre-s390x-runtime.yaml': { 'v0.15.2': 'refused: schema', 'v0.20.0': 'admitted' },
  'config__runtimes__vllm__vllm-spyre-x86-template--vllm-spyre-x86-runtime.yaml': { 'v0.15.2': 'refused: schema', 'v0.20.0': 'admitted' },
  // deploymentStrategy with deploymentMode "Standard", which 0.15 judges as Serverless.
  'docs__apis__v1beta1__ROLLOUT_STRATEGY_API--availability-mode-example.yaml': { 'v0.15.2': 'refused: validateScalingKPACompExtension', 'v0.20.0': 'admitted' },
  'docs__apis__v1beta1__ROLLOUT_STRATEGY_API--resource-aware-example.yaml': { 'v0.15.2': 'refused: validateScalingKPACompExtension', 'v0.20.0': 'admitted' },
  // scaleMetric cpu with "Standard" (Serverless to 0.15: Knative scales on concurrency or rps).
  'docs__model-serving__predictive-inference__autoscaling__hpa-autoscaler--sklearn-iris-hpa.yaml': { 'v0.15.2': 'refused: validateKPAMetrics', 'v0.20.0': 'admitted' },
  // authModes and authenticationRef where neither CRD has them (the page is ahead of v0.20.0).
  'docs__model-serving__predictive-inference__autoscaling__keda-autoscaler--huggingface-fbopt.yaml': { 'v0.15.2': 'refused: schema', 'v0.20.0': 'refused: schema' },
  'docs__model-serving__predictive-inference__rollout-strategies__rollout-strategy-standard--availability-mode-model.yaml': { 'v0.15.2': 'refused: validateScalingKPACompExtension', 'v0.20.0': 'admitted' },
  'docs__model-serving__predictive-inference__rollout-strategies__rollout-strategy-standard--resource-aware-model.yaml': { 'v0.15.2': 'refused: validateScalingKPACompExtension', 'v0.20.0': 'admitted' },
  // storageUris: from 0.16 on.
  'docs__model-serving__storage__multiple-storage-uris--multi-storage-example.yaml': { 'v0.15.2': 'refused: schema', 'v0.20.0': 'admitted' },
  // ms://: only with a ClusterStorageContainer for it.
  'docs__model-serving__storage__providers__ms--modelscope-qwen-2.yaml': { 'v0.15.2': 'admitted; warnings: ValidateStorageURI', 'v0.20.0': 'admitted; warnings: ValidateStorageURI' },
  'docs__model-serving__storage__providers__ms--modelscope-qwen.yaml': { 'v0.15.2': 'admitted; warnings: ValidateStorageURI', 'v0.20.0': 'admitted; warnings: ValidateStorageURI' },
  // a scheme neither release's storage initializer knows.
  'docs__samples__storage__oci-fetch__inference_service--sklearn-oci-fetch.yaml': { 'v0.15.2': 'admitted; warnings: ValidateStorageURI', 'v0.20.0': 'admitted; warnings: ValidateStorageURI' },
  // oci+native://: from 0.20 on.
  'docs__samples__storage__oci-image-volume__inference_service--sklearn-oci-native.yaml': { 'v0.15.2': 'admitted; warnings: ValidateStorageURI', 'v0.20.0': 'admitted' },
};
/** What each release decides about each neutral file. */
const NEUTRAL: Record<string, Record<KserveRelease, string>> = {
  // a custom scheme its ClusterStorageContainer serves.
  'docs__modelserving__storage__storagecontainers--iris-model.yaml': { 'v0.15.2': 'admitted; warnings: ValidateStorageURI', 'v0.20.0': 'admitted; warnings: ValidateStorageURI' },
  'docs__modelserving__v1beta1__amd__kserve-amdserver--kserve-amdserver.yaml': { 'v0.15.2': 'admitted', 'v0.20.0': 'admitted' },
  'docs__odh__oci-model-storage--sample-isvc-using-oci-2.yaml': { 'v0.15.2': 'admitted', 'v0.20.0': 'admitted' },
  'docs__odh__oci-model-storage--sample-isvc-using-oci.yaml': { 'v0.15.2': 'admitted', 'v0.20.0': 'admitted' },
  'docs__samples__v1beta1__triton__fastertransformer__README--bloom-560m.yaml': { 'v0.15.2': 'admitted', 'v0.20.0': 'admitted' },
  'docs__samples__v1beta1__triton__fastertransformer__README--tritonserver-ft.yaml': { 'v0.15.2': 'admitted', 'v0.20.0': 'admitted' },
};
