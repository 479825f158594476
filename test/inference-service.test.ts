import { InferenceService } from '../src/inference-service';
import { PullSecret } from '../src/pull-secret';
import { ServingRuntime } from '../src/serving-runtime';
import { BUILTIN_RUNTIMES } from '../src/runtimes';
import { objectsOf, testChart } from './support/charts';

const OVMS = () => ServingRuntime.builtin(testChart(), 'kserve-ovms', 'ns');

describe('InferenceService', () => {
  test('GIVEN the seed public model THEN the object is the seed InferenceService plus namespace and dashboard label', () => {
    const chart = testChart('oci-model-example');
    new InferenceService(chart, 'isvc', {
      name: 'sample-isvc-using-oci',
      runtime: OVMS(),
      modelFormat: { name: 'onnx' },
      storageUri: 'oci://quay.io/user/repo:tag',
    });
    expect(objectsOf(chart)).toStrictEqual([
      {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: { name: 'sample-isvc-using-oci', namespace: 'oci-model-example', labels: { 'opendatahub.io/dashboard': 'true' } },
        spec: { predictor: { model: { runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, storageUri: 'oci://quay.io/user/repo:tag' } } },
      },
    ]);
  });

  test('GIVEN a pull secret, a display name and odh off THEN imagePullSecrets and the annotation are set, no dashboard label', () => {
    const chart = testChart('ns');
    new InferenceService(chart, 'isvc', {
      name: 'private',
      runtime: ServingRuntime.fromClusterName('kserve-ovms'),
      modelFormat: { name: 'onnx', version: '1' },
      storageUri: 'oci://quay.io/user/private@sha256:' + 'a'.repeat(64),
      imagePullSecrets: [PullSecret.fromSecretName('quay-pull')],
      displayName: 'Private MobileNet',
      odh: false,
    });
    expect(objectsOf(chart)).toStrictEqual([
      {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: { name: 'private', namespace: 'ns', annotations: { 'openshift.io/display-name': 'Private MobileNet' } },
        spec: {
          predictor: {
            model: { runtime: 'kserve-ovms', modelFormat: { name: 'onnx', version: '1' }, storageUri: 'oci://quay.io/user/private@sha256:' + 'a'.repeat(64) },
            imagePullSecrets: [{ name: 'quay-pull' }],
          },
        },
      },
    ]);
  });

  test('GIVEN a format the runtime does not serve THEN it says which it serves and suggests the closest', () => {
    expect(
      () => new InferenceService(testChart('ns'), 'i', { name: 'm', runtime: OVMS(), modelFormat: { name: 'onxx' }, storageUri: 'oci://q.io/a/b:1' }),
    ).toThrow('InferenceService modelFormat.name: "onxx" is not served by runtime kserve-ovms; it serves openvino_ir, onnx, tensorflow, paddle, pytorch (did you mean "onnx"?)');
    expect(
      () => new InferenceService(testChart('ns'), 'i', { name: 'm', runtime: OVMS(), modelFormat: { name: 'tensorflow', version: '3' }, storageUri: 'oci://q.io/a/b:1' }),
    ).toThrow('InferenceService modelFormat.version: tensorflow version "3" is not served by runtime kserve-ovms; it serves version 1, 2');
  });

  test('GIVEN a runtime reference with unknown formats THEN any format passes', () => {
    const chart = testChart('ns');
    new InferenceService(chart, 'i', { name: 'm', runtime: ServingRuntime.fromName('mine'), modelFormat: { name: 'anything' }, storageUri: 'oci://q.io/a/b:1' });
    expect(objectsOf(chart)[0].spec.predictor.model.runtime).toBe('mine');
  });

  test('GIVEN a name KServe rejects THEN the constructor names the prop and the value', () => {
    expect(() => new InferenceService(testChart('ns'), 'i', { name: '1model', runtime: OVMS(), modelFormat: { name: 'onnx' }, storageUri: 'oci://q.io/a/b:1' })).toThrow(
      /^InferenceService name: "1model" is not a valid/,
    );
  });

  test('the built-in runtime formats are the ODH ones', () => {
    expect(BUILTIN_RUNTIMES['kserve-ovms'].spec.supportedModelFormats!.map((f) => f.name)).toStrictEqual(['openvino_ir', 'onnx', 'tensorflow', 'tensorflow', 'paddle', 'pytorch']);
  });
});
