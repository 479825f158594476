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
  test('GIVEN the seed public model on OpenDataHub 2.25 THEN the seed InferenceService plus what OpenShift AI sets: dashboard label, Serverless mode, token auth, cluster-local', () => {
    const chart = testChart('oci-model-example');
    new InferenceService(chart, 'isvc', {
      name: 'sample-isvc-using-oci',
      runtime: ServingRuntime.shared(testChart(), { runtime: 'kserve-ovms', namespace: 'oci-model-example' }),
      modelFormat: { name: 'onnx' },
      storageUri: 'oci://quay.io/user/repo:tag',
      release: 'odh-2.25',
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
      kserveVersion: '0.15',
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

  test('GIVEN RawDeployment on OpenDataHub 2.26 THEN no Service Mesh annotations (they are for Serverless), and the auth annotation', () => {
    expect(isvc({ deploymentMode: 'RawDeployment', release: 'odh-2.26' }).metadata).toStrictEqual({
      name: 'm',
      namespace: 'ns',
      labels: { 'opendatahub.io/dashboard': 'true' },
      annotations: { 'serving.kserve.io/deploymentMode': 'RawDeployment', 'security.opendatahub.io/enable-auth': 'true' },
    });
  });

  test('GIVEN RawDeployment on OpenDataHub 2.25 THEN the auth marker is also a label: its KServe reads a label (opendatahub-io/kserve odh-v2.25 deployment_reconciler.go componentMeta.Labels[ODHKserveRawAuth]; odh-model-controller odh-v2.25 kserve_raw_route_reconciler.go isvc.Labels)', () => {
    expect(isvc({ deploymentMode: 'RawDeployment', release: 'odh-2.25' }).metadata).toStrictEqual({
      name: 'm',
      namespace: 'ns',
      labels: { 'opendatahub.io/dashboard': 'true', 'security.opendatahub.io/enable-auth': 'true' },
      annotations: { 'serving.kserve.io/deploymentMode': 'RawDeployment', 'security.opendatahub.io/enable-auth': 'true' },
    });
    // Serverless on 2.25: odh-model-controller's AuthConfig reads the annotation (internal/controller/resources/authconfig.go Detect(isvc.GetAnnotations())).
    expect(isvc({ release: 'odh-2.25' }).metadata.labels).not.toHaveProperty(['security.opendatahub.io/enable-auth']);
    // rhoai-2.16 matches odh-2.25's templates, but its KServe has no RawDeployment token auth at all.
    expect(() => isvc({ deploymentMode: 'RawDeployment', release: 'rhoai-2.16' })).toThrow(
      'InferenceService auth: OpenShift AI 2.16 has no token auth for RawDeployment models (its KServe never reads security.opendatahub.io/enable-auth); set auth to false and protect the model another way, or deploy it Serverless',
    );
    expect(isvc({ deploymentMode: 'RawDeployment', release: 'rhoai-2.16', auth: false }).metadata.annotations['serving.kserve.io/deploymentMode']).toBe('RawDeployment');
  });

  test('GIVEN the default release (OpenDataHub 3.4) THEN Standard (RawDeployment, its only mode, by the name its KServe 0.17 keeps) with the auth annotation', () => {
    expect(isvc({}).metadata).toStrictEqual({
      name: 'm',
      namespace: 'ns',
      labels: { 'opendatahub.io/dashboard': 'true' },
      annotations: { 'serving.kserve.io/deploymentMode': 'Standard', 'security.opendatahub.io/enable-auth': 'true' },
    });
    expect(() => isvc({ deploymentMode: 'Serverless' })).toThrow(
      'InferenceService deploymentMode: "Serverless" is not supported by OpenDataHub 3.4: Serverless (Knative) is not one of its deployment modes (opendatahub-operator v3.0.0 kserve_support.go: "RawDeployment mode is the only supported mode"); use "Standard"',
    );
    expect(isvc({ release: 'odh-3.3' }).metadata.annotations['serving.kserve.io/deploymentMode']).toBe('RawDeployment');
  });

  test('GIVEN no deployment mode on KServe 0.16 THEN Knative, the new name of the default', () => {
    expect(isvc({ platform: 'kserve', kserveVersion: '0.16' }).metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Knative');
  });

  test('GIVEN the KServe 0.16 names on a release without them, or an unknown release THEN the error names the old name or the known releases', () => {
    expect(() => isvc({ deploymentMode: 'Standard', release: 'odh-2.35' })).toThrow(
      'InferenceService deploymentMode: "Standard" is a KServe 0.16 name, but OpenDataHub 2.35 runs KServe 0.15, which does not know it; use "RawDeployment"',
    );
    expect(() => isvc({ platform: 'kserve', kserveVersion: 'latest' })).toThrow(
      'InferenceService kserveVersion: "latest" is not a KServe release modelcar knows (write "<major>.<minor>", quoted); known: 0.15, 0.16, 0.17, 0.18, 0.19, 0.20',
    );
    expect(() => isvc({ platform: 'kserve', kserveVersion: '0.14' })).toThrow('InferenceService kserveVersion: "0.14" is not a KServe release modelcar knows; known: 0.15, 0.16, 0.17, 0.18, 0.19, 0.20');
    expect(() => isvc({ release: 'odh-2.28' })).toThrow(/^InferenceService release: "odh-2.28" is not a release modelcar knows; known: odh-2.25, odh-2.26, /);
    expect(() => isvc({ release: 'odh-3.4', platform: 'kserve' })).toThrow('InferenceService platform: "kserve" does not match release odh-3.4, whose platform is odh; drop platform');
  });

  test('GIVEN auth off on odh THEN no auth annotation; GIVEN auth on plain KServe THEN it is refused', () => {
    expect(isvc({ auth: false }).metadata.annotations).not.toHaveProperty(['security.opendatahub.io/enable-auth']);
    expect(isvc({ auth: false, deploymentMode: 'RawDeployment', release: 'odh-2.25' }).metadata.labels).not.toHaveProperty(['security.opendatahub.io/enable-auth']);
    expect(() => isvc({ platform: 'kserve', auth: true })).toThrow(
      'InferenceService auth: token auth (security.opendatahub.io/enable-auth) is an OpenShift AI feature and platform kserve has none; remove auth and protect the model another way (e.g. a gateway), or use platform odh',
    );
  });

  test('GIVEN every serving option (Serverless, on OpenDataHub 2.35) THEN each lands in its predictor field', () => {
    const o = isvc({
      release: 'odh-2.35',
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

  // kserve/kserve v0.15.2 and v0.20.0: pkg/apis/serving/v1beta1/inference_service_validation.go validateScalingKPACompExtension,
  // validateScalingHPACompExtension; pkg/controller/v1beta1/inferenceservice/reconcilers/hpa/hpa_reconciler.go getHPAMetrics, createHPA.
  test.each([
    [{ release: 'odh-2.35', scaleMetric: 'cpu' }, /^InferenceService scaleMetric: "cpu" is refused for a Serverless model: Knative's autoscaler \(KPA\) scales on concurrency or rps/],
    [{ release: 'odh-3.4', scaleMetric: 'concurrency' }, /^InferenceService scaleMetric: "concurrency" does nothing for a RawDeployment model: KServe's HPA scales on cpu or memory only/],
    [{ release: 'odh-3.4', scaleMetric: 'cpu', scaleTarget: 150 }, 'InferenceService scaleTarget: 150 is not a cpu utilization percentage: the HPA\'s target is 1 to 100 (% of the cpu request) (KServe validateScalingHPACompExtension)'],
    // validateScalingHPACompExtension's condition `metric == MetricCPU && target < 1 || target > 100` refuses a memory
    // target above 100 too, where an annotation names the HPA class (v0.15.2 inference_service_validation.go).
    [{ release: 'odh-2.35', scaleMetric: 'memory', scaleTarget: 200, annotations: { 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev' } }, "InferenceService scaleTarget: 200 is refused for memory with the HPA class named by annotation: KServe's webhook checks every HPA target against 1 to 100 (validateScalingHPACompExtension), memory too"],
    [{ release: 'odh-3.4', scaleMetric: 'memory', scaleTarget: 200, annotations: { 'serving.kserve.io/autoscalerClass': 'hpa' } }, "InferenceService scaleTarget: 200 is refused for memory with the HPA class named by annotation: KServe's webhook checks every HPA target against 1 to 100 (validateScalingHPACompExtension), memory too"],
    [{ release: 'odh-3.4', minReplicas: 0 }, /^InferenceService minReplicas: 0 does not scale a RawDeployment model to zero: KServe's HPA takes 1 instead/],
    [{ release: 'odh-3.4', minReplicas: 1, maxReplicas: 0 }, /^InferenceService maxReplicas: 0 means no limit only for Serverless models/],
  ] as const)('GIVEN %j THEN KServe would refuse or ignore it, and the constructor says so', (props, message) => {
    expect(() => isvc(props as Partial<InferenceServiceProps>)).toThrow(message);
  });

  test('GIVEN the autoscaler classes THEN the metric of their autoscaler passes: cpu with Knative\'s HPA, anything with KServe\'s KEDA or external class', () => {
    expect(isvc({ release: 'odh-2.35', scaleMetric: 'cpu', annotations: { 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev' } }).spec.predictor.scaleMetric).toBe('cpu');
    expect(() => isvc({ release: 'odh-2.35', scaleMetric: 'rps', annotations: { 'autoscaling.knative.dev/class': 'hpa.autoscaling.knative.dev' } })).toThrow(/is refused with Knative's HPA/);
    expect(isvc({ release: 'odh-3.4', scaleMetric: 'concurrency', annotations: { 'serving.kserve.io/autoscalerClass': 'keda' } }).spec.predictor.scaleMetric).toBe('concurrency');
    // No class named: the webhook checks nothing, and the HPA KServe makes takes a memory target in MiB (getHPAMetrics).
    expect(isvc({ release: 'odh-3.4', scaleMetric: 'memory', scaleTarget: 2048 }).spec.predictor.scaleTarget).toBe(2048);
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
