import { InferenceService, InferenceServiceProps } from '../../src/constructs/inference-service';
import { Testing } from 'cdk8s';
import { ExternalPullSecret } from '../../src/constructs/external-pull-secret';
import { PullSecret } from '../../src/constructs/pull-secret';
import { ServingRuntime } from '../../src/constructs/serving-runtime';
import { BUILTIN_RUNTIMES } from '../../src/constructs/runtimes/catalogue';
import { objectsOf, testChart } from '../support/charts';

const OVMS = () => ServingRuntime.shared(testChart(), { runtime: 'kserve-ovms', namespace: 'ns' });
const BASE = { name: 'm', modelFormat: { name: 'onnx' }, storageUri: 'oci://q.io/a/b:1' };

/** The InferenceService object of these props. */
function isvc(props: Partial<InferenceServiceProps>): any {
  const chart = testChart('ns');
  new InferenceService(chart, 'i', { ...BASE, runtime: OVMS(), ...props });
  return objectsOf(chart)[0];
}

describe('InferenceService', () => {
  test('GIVEN the seed public model THEN the seed InferenceService plus what OpenShift AI sets: dashboard label, Serverless mode, token auth, cluster-local', () => {
    const chart = testChart('oci-model-example');
    new InferenceService(chart, 'isvc', {
      name: 'sample-isvc-using-oci',
      runtime: ServingRuntime.shared(testChart(), { runtime: 'kserve-ovms', namespace: 'oci-model-example' }),
      modelFormat: { name: 'onnx' },
      storageUri: 'oci://quay.io/user/repo:tag',
    });
    expect(objectsOf(chart)).toStrictEqual([
      {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: {
          name: 'sample-isvc-using-oci',
          namespace: 'oci-model-example',
          labels: { 'opendatahub.io/dashboard': 'true', 'networking.knative.dev/visibility': 'cluster-local' },
          annotations: {
            'serving.kserve.io/deploymentMode': 'Serverless',
            'serving.knative.openshift.io/enablePassthrough': 'true',
            'sidecar.istio.io/inject': 'true',
            'sidecar.istio.io/rewriteAppHTTPProbers': 'true',
            'security.opendatahub.io/enable-auth': 'true',
          },
        },
        spec: { predictor: { model: { runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, storageUri: 'oci://quay.io/user/repo:tag' } } },
      },
    ]);
  });

  test('GIVEN platform kserve, a pull secret and a display name THEN no OpenDataHub metadata, no auth; imagePullSecrets and the name are set', () => {
    const chart = testChart('ns');
    new InferenceService(chart, 'isvc', {
      name: 'private',
      runtime: ServingRuntime.fromClusterName('kserve-ovms'),
      modelFormat: { name: 'onnx', version: '1' },
      storageUri: 'oci://quay.io/user/private@sha256:' + 'a'.repeat(64),
      imagePullSecrets: [PullSecret.fromSecretName('quay-pull')],
      displayName: 'Private MobileNet',
      description: 'MobileNet v2-7 from a private repository',
      platform: 'kserve',
      runAsUser: 65534,
    });
    expect(objectsOf(chart)).toStrictEqual([
      {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: {
          name: 'private',
          namespace: 'ns',
          labels: { 'networking.knative.dev/visibility': 'cluster-local' },
          annotations: {
            'openshift.io/display-name': 'Private MobileNet',
            'openshift.io/description': 'MobileNet v2-7 from a private repository',
            'serving.kserve.io/deploymentMode': 'Serverless',
          },
        },
        spec: {
          predictor: {
            model: { runtime: 'kserve-ovms', modelFormat: { name: 'onnx', version: '1' }, storageUri: 'oci://quay.io/user/private@sha256:' + 'a'.repeat(64) },
            imagePullSecrets: [{ name: 'quay-pull' }],
            securityContext: { runAsUser: 65534 },
          },
        },
      },
    ]);
  });

  test.each([
    // [mode, kserveVersion, expose, written mode, visibility label]
    ['Serverless', '0.15', false, 'Serverless', { 'networking.knative.dev/visibility': 'cluster-local' }],
    ['Serverless', '0.15', true, 'Serverless', {}],
    ['RawDeployment', '0.15', false, 'RawDeployment', {}],
    ['RawDeployment', '0.15', true, 'RawDeployment', { 'networking.kserve.io/visibility': 'exposed' }],
    ['Knative', '0.16', false, 'Knative', { 'networking.knative.dev/visibility': 'cluster-local' }],
    ['Standard', '0.16', true, 'Standard', { 'networking.kserve.io/visibility': 'exposed' }],
    ['Serverless', '0.20', false, 'Knative', { 'networking.knative.dev/visibility': 'cluster-local' }],
    ['RawDeployment', '0.16', false, 'Standard', {}],
  ] as const)('GIVEN %s on KServe %s, expose %s THEN mode %s and the visibility labels %j', (mode, version, expose, written, visibility) => {
    const o = isvc({ deploymentMode: mode, kserveVersion: version, expose, platform: 'kserve' });
    expect(o.metadata.annotations['serving.kserve.io/deploymentMode']).toBe(written);
    expect(o.metadata.labels ?? {}).toStrictEqual(visibility);
  });

  test('GIVEN RawDeployment on odh THEN no Service Mesh annotations (they are for Serverless)', () => {
    expect(isvc({ deploymentMode: 'RawDeployment' }).metadata).toStrictEqual({
      name: 'm',
      namespace: 'ns',
      labels: { 'opendatahub.io/dashboard': 'true' },
      annotations: { 'serving.kserve.io/deploymentMode': 'RawDeployment', 'security.opendatahub.io/enable-auth': 'true' },
    });
  });

  test('GIVEN no deployment mode on KServe 0.16 THEN Knative, the new name of the default', () => {
    expect(isvc({ kserveVersion: '0.16' }).metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Knative');
  });

  test('GIVEN the KServe 0.16 names on KServe 0.15, or a bad version THEN the error names the old name or the format', () => {
    expect(() => isvc({ deploymentMode: 'Standard' })).toThrow(
      'deploymentMode: "Standard" is a KServe 0.16 name, but kserveVersion is 0.15; use "RawDeployment", or set kserveVersion to "0.16" or later',
    );
    expect(() => isvc({ kserveVersion: 'latest' })).toThrow('kserveVersion: "latest" is not a KServe version; write "<major>.<minor>", e.g. "0.15" or "0.16"');
    expect(() => isvc({ kserveVersion: '0.14' })).toThrow(/KServe 0.14 is older than modelcar supports/);
  });

  test('GIVEN auth off on odh THEN no auth annotation; GIVEN auth on plain KServe THEN it is refused', () => {
    expect(isvc({ auth: false }).metadata.annotations).not.toHaveProperty(['security.opendatahub.io/enable-auth']);
    expect(() => isvc({ platform: 'kserve', auth: true })).toThrow(
      'InferenceService auth: token auth (security.opendatahub.io/enable-auth) is an OpenShift AI feature and platform kserve has none; remove auth and protect the model another way (e.g. a gateway), or use platform odh',
    );
  });

  test('GIVEN every serving option THEN each lands in its predictor field', () => {
    const o = isvc({
      minReplicas: 0,
      maxReplicas: 3,
      scaleMetric: 'concurrency',
      scaleTarget: 4,
      timeout: 600,
      resources: { requests: { cpu: '1', memory: '4Gi', 'nvidia.com/gpu': '1' }, limits: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' } },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      env: { LOG_LEVEL: 'debug', 'OMP.NUM_THREADS': '2' },
      args: ['--log_level=DEBUG'],
      labels: { team: 'ml' },
      annotations: { 'example.com/owner': 'ml' },
    });
    expect(o.spec).toStrictEqual({
      predictor: {
        minReplicas: 0,
        maxReplicas: 3,
        scaleMetric: 'concurrency',
        scaleTarget: 4,
        timeout: 600,
        model: {
          runtime: 'kserve-ovms',
          modelFormat: { name: 'onnx' },
          storageUri: 'oci://q.io/a/b:1',
          args: ['--log_level=DEBUG'],
          env: [
            { name: 'LOG_LEVEL', value: 'debug' },
            { name: 'OMP.NUM_THREADS', value: '2' },
          ],
          resources: { requests: { cpu: '1', memory: '4Gi', 'nvidia.com/gpu': '1' }, limits: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' } },
        },
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
        nodeSelector: { 'nvidia.com/gpu.present': 'true' },
      },
    });
    expect(o.metadata.labels.team).toBe('ml');
    expect(o.metadata.annotations['example.com/owner']).toBe('ml');
  });

  test.each([
    [{ minReplicas: -1 }, 'InferenceService minReplicas: -1 is not valid; give a whole number, 0 or more'],
    [{ maxReplicas: 1.5 }, 'InferenceService maxReplicas: 1.5 is not valid; give a whole number, 0 or more'],
    [{ minReplicas: 3, maxReplicas: 2 }, "InferenceService maxReplicas: 'MinReplicas' cannot be greater than MaxReplicas: minReplicas 3 > maxReplicas 2; raise maxReplicas or lower minReplicas (KServe validateReplicas, at admission)"],
    [{ scaleTarget: 0 }, 'InferenceService scaleTarget: 0 is not valid; give a whole number, 1 or more'],
    [{ timeout: 0 }, 'InferenceService timeout: 0 is not valid; give a whole number, 1 or more'],
    [{ scaleMetric: 'gpu' as never }, 'InferenceService scaleMetric: "gpu" is not one KServe knows; use one of cpu, memory, concurrency, rps'],
    [{ resources: { limits: { memory: '8GB' } } }, `InferenceService resources.limits.memory: Invalid value: "8GB": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'; write e.g. 500m or 2 for cpu, 512Mi or 8Gi for memory`],
    [{ env: { '1BAD': 'x' } }, `InferenceService env["1BAD"]: "1BAD" is not a valid environment variable name: use letters, digits, '_', '-' and '.', not starting with a digit`],
    [{ nodeSelector: { 'gpu type': 'a100' } }, /^InferenceService nodeSelector\["gpu type"\]: key "gpu type" is not a valid node label key: /],
  ] as const)('GIVEN %j THEN the constructor names the prop and the value', (props, message) => {
    expect(() => isvc(props as Partial<InferenceServiceProps>)).toThrow(message);
  });

  test('GIVEN a format the runtime does not serve THEN it says which it serves and suggests the closest', () => {
    expect(() => isvc({ modelFormat: { name: 'onxx' } })).toThrow(
      'InferenceService modelFormat.name: "onxx" is not served by runtime kserve-ovms (did you mean "onnx"?); it serves: openvino_ir, onnx, tensorflow, paddle, pytorch',
    );
    expect(() => isvc({ modelFormat: { name: 'tensorflow', version: '3' } })).toThrow(
      'InferenceService modelFormat.version: tensorflow version "3" is not served by runtime kserve-ovms; it serves version: 1, 2',
    );
  });

  test('GIVEN a runtime reference with unknown formats THEN any format passes', () => {
    expect(isvc({ runtime: ServingRuntime.fromName('mine'), modelFormat: { name: 'anything' } }).spec.predictor.model.runtime).toBe('mine');
  });

  test('GIVEN a name KServe rejects THEN the constructor names the prop and the value', () => {
    expect(() => isvc({ name: '1model' })).toThrow(/^InferenceService name: "1model" is not a valid/);
  });

  test('the built-in runtime formats are the ODH ones', () => {
    expect(BUILTIN_RUNTIMES['kserve-ovms'].spec.supportedModelFormats!.map((f) => f.name)).toStrictEqual(['openvino_ir', 'onnx', 'tensorflow', 'tensorflow', 'paddle', 'pytorch']);
  });

  test('GIVEN a ServingRuntime or a pull secret of another namespace THEN plain cdk8s synth refuses the tree, naming both (KServe would find no runtime, the pod no secret)', () => {
    const chart = testChart('team-a');
    const runtime = ServingRuntime.shared(chart, { runtime: 'kserve-ovms', namespace: 'team-b' });
    const secret = new ExternalPullSecret(chart, 'pull', { name: 'quay-pull', namespace: 'team-b', store: 'vault', key: 'quay' });
    new InferenceService(chart, 'i', { ...BASE, runtime, imagePullSecrets: [secret, PullSecret.fromSecretName('other-pull')] });
    expect(() => Testing.synth(chart)).toThrow(
      'InferenceService m in namespace team-a uses ServingRuntime kserve-ovms of namespace team-b; KServe looks for the ServingRuntime in the ' +
        "InferenceService's own namespace (then for a ClusterServingRuntime), so it would find none: put the ServingRuntime in team-a (ServingRuntime.shared makes one per namespace)",
    );
    expect(() => Testing.synth(chart)).toThrow(
      'InferenceService m in namespace team-a uses pull secret quay-pull of namespace team-b; pods can only use pull secrets of their own namespace: make the Secret in team-a',
    );
  });

  test('GIVEN a ClusterServingRuntime or a reference THEN no namespace to compare: the tree synthesizes', () => {
    const chart = testChart('team-a');
    new InferenceService(chart, 'i', { ...BASE, runtime: ServingRuntime.fromClusterName('triton'), imagePullSecrets: [PullSecret.fromSecretName('quay-pull')] });
    expect(objectsOf(chart)).toHaveLength(1);
  });
});
