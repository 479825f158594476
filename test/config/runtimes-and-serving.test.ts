import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { main } from '../../src/cli/main';
import { readTree } from '../support/tree';
import { tempDir } from '../support/temp';

/** Synthesizes a config (YAML text) in a fresh folder; returns the exit code, stdout, stderr and the manifests as objects by path. */
/** The object without its Argo CD annotations (tested in test/environments.test.ts), to keep these tests on their subject. */
function withoutArgoCd(o: any): any {
  const annotations = Object.entries(o.metadata?.annotations ?? {}).filter(([k]) => !k.startsWith('argocd.argoproj.io/'));
  if (o.metadata?.annotations) {
    if (annotations.length) o.metadata.annotations = Object.fromEntries(annotations);
    else delete o.metadata.annotations;
  }
  return o;
}

async function synth(config: string): Promise<{ code: number; out: string; err: string; objects: Record<string, any>; files: string[]; tree: Record<string, string> }> {
  const dir = tempDir('modelcar-config-');
  fs.writeFileSync(path.join(dir, 'modelcar.yaml'), config);
  let out = '';
  let err = '';
  const code = await main(['synth', '-c', path.join(dir, 'modelcar.yaml'), '-o', path.join(dir, 'dist')], (t) => (out += t), (t) => (err += t));
  const tree = fs.existsSync(path.join(dir, 'dist')) ? readTree(path.join(dir, 'dist')) : {};
  const objects = Object.fromEntries(
    Object.entries(tree)
      .filter(([p]) => p.startsWith('manifests/') && !p.endsWith('kustomization.yaml'))
      .map(([p, content]) => [p.slice('manifests/'.length), withoutArgoCd(YAML.parse(content))]),
  );
  return { code, out, err: err.split(dir + path.sep).join(''), objects, files: Object.keys(tree), tree };
}

const MODEL = (extra: string) => `
  - name: mobilenet
    format: onnx
    image: quay.io/user/mobilenet:1
    files:
      - source: https://example.com/model.onnx
${extra}`;

describe('config: runtimes', () => {
  test('GIVEN a built-in runtime pinned by digest, with other default resources THEN its ServingRuntime runs that image, its models get those resources', async () => {
    const digest = `quay.io/opendatahub/openvino_model_server@sha256:${'c'.repeat(64)}`;
    const r = await synth(`version: 1
runtimes:
  kserve-ovms:
    image: ${digest}
    resources:
      limits:
        cpu: null
        memory: 6Gi
defaults:
  namespace: demo
  runtime: kserve-ovms
models:${MODEL('')}`);
    expect(r.err).toBe('');
    expect(r.objects['demo/servingruntime-mobilenet.yaml'].spec.containers[0].image).toBe(digest);
    expect(r.objects['demo/inferenceservice-mobilenet.yaml'].spec.predictor.model.resources).toStrictEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { memory: '6Gi' } });
  });

  test('GIVEN a runtime of your own THEN a ServingRuntime per model, named after it, with its image, args, ports, formats, ODH metadata and the dashboard\'s shm volume; its models use its layout', async () => {
    const r = await synth(`version: 1
runtimes:
  triton:
    displayName: NVIDIA Triton
    apiProtocol: gRPC
    image: nvcr.io/nvidia/tritonserver:24.08-py3
    command: [tritonserver]
    args: [--model-store=/mnt/models, --grpc-port=9000]
    env:
      OMP_NUM_THREADS: "2"
    ports:
      - containerPort: 9000
        name: h2c
        protocol: TCP
    formats:
      - name: onnx
        version: "1"
        autoSelect: true
    layout: flat
    gpus: 1
models:
  - name: a
    namespace: team-a
    runtime: triton
    format: onnx
    image: quay.io/user/a:1
    files:
      - source: https://example.com/model.onnx
  - name: b
    namespace: team-a
    runtime: triton
    format: onnx
    image: quay.io/user/b:1
    files:
      - source: https://example.com/model.onnx
  - name: c
    namespace: team-b
    runtime: triton
    format: onnx
    image: quay.io/user/c:1
    files:
      - source: https://example.com/model.onnx
`);
    expect(r.err).toBe('');
    expect(Object.keys(r.objects).filter((p) => p.includes('servingruntime'))).toStrictEqual(['team-a/servingruntime-a.yaml', 'team-a/servingruntime-b.yaml', 'team-b/servingruntime-c.yaml']);
    expect(r.objects['team-a/inferenceservice-a.yaml'].spec.predictor.model.runtime).toBe('a');
    expect(r.objects['team-a/servingruntime-a.yaml']).toStrictEqual({
      apiVersion: 'serving.kserve.io/v1alpha1',
      kind: 'ServingRuntime',
      metadata: {
        name: 'a',
        namespace: 'team-a',
        labels: { 'opendatahub.io/dashboard': 'true' },
        annotations: { 'openshift.io/display-name': 'NVIDIA Triton', 'opendatahub.io/apiProtocol': 'gRPC' },
      },
      spec: {
        multiModel: false,
        supportedModelFormats: [{ name: 'onnx', version: '1', autoSelect: true }],
        containers: [
          {
            name: 'kserve-container',
            image: 'nvcr.io/nvidia/tritonserver:24.08-py3',
            command: ['tritonserver'],
            args: ['--model-store=/mnt/models', '--grpc-port=9000'],
            env: [{ name: 'OMP_NUM_THREADS', value: '2' }],
            ports: [{ containerPort: 9000, name: 'h2c', protocol: 'TCP' }],
            volumeMounts: [{ mountPath: '/dev/shm', name: 'shm' }],
          },
        ],
        volumes: [{ emptyDir: { medium: 'Memory', sizeLimit: '2Gi' }, name: 'shm' }],
      },
    });
    const predictor = r.objects['team-b/inferenceservice-c.yaml'].spec.predictor;
    expect(predictor.model.resources).toStrictEqual({
      requests: { cpu: '1', memory: '4Gi', 'nvidia.com/gpu': '1' },
      limits: { cpu: '2', memory: '8Gi', 'nvidia.com/gpu': '1' },
    });
    expect(predictor.tolerations).toStrictEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(r.tree['images/team-b/c/Containerfile']).toContain('\nCOPY --chown=0:0 --chmod=0444 models/model.onnx /models/model.onnx\n');
  });

  test('GIVEN sharedRuntime THEN one ServingRuntime per runtime and namespace, and a warning that the dashboard must not delete or edit those models (odh-dashboard v3.4.0 packages/kserve/src/deployments.ts deleteDeployment)', async () => {
    const r = await synth(`version: 1
release: "3.4"
defaults:
  namespace: demo
  runtime: kserve-ovms
  sharedRuntime: true
models:${MODEL('')}
  - name: resnet
    format: onnx
    image: quay.io/user/resnet:1
    files:
      - source: https://example.com/resnet.onnx
`);
    expect(Object.keys(r.objects).filter((p) => p.includes('servingruntime'))).toStrictEqual(['demo/servingruntime-kserve-ovms.yaml']);
    expect(r.objects['demo/servingruntime-kserve-ovms.yaml'].spec.volumes).toBeUndefined();
    expect(r.err).toBe(
      "modelcar: warning: modelcar.yaml:6:18: defaults.sharedRuntime: models share a ServingRuntime: do not delete or edit them in the OpenShift AI dashboard, which assumes one runtime per model: deleting a model there deletes the ServingRuntime its spec.predictor.model.runtime names, which the other models use, and editing one edits the runtime of all; the dashboard also lists a model's tokens by its runtime's name, so it shows none for them\n",
    );
  });

  test('GIVEN runtimes that already exist in the cluster THEN nothing is emitted for them; the layout comes from the runtime entry or the model', async () => {
    const r = await synth(`version: 1
runtimes:
  kserve-tritonserver:
    existing: ClusterServingRuntime
    layout: flat
    formats:
      - name: onnx
    resources:
      requests: { cpu: 2, memory: 2Gi }
  kserve-ovms:
    existing: ServingRuntime
models:
  - name: a
    namespace: demo
    runtime: kserve-tritonserver
    format: onnx
    image: quay.io/user/a:1
    files:
      - source: https://example.com/model.onnx
  - name: b
    namespace: demo
    runtime: kserve-ovms
    format: onnx
    image: quay.io/user/b:1
    files:
      - source: https://example.com/model.onnx
  - name: c
    namespace: demo
    runtime: kserve-tritonserver
    layout: ovms
    format: onnx
    image: quay.io/user/c:1
    files:
      - source: https://example.com/model.onnx
`);
    expect(r.err).toBe('');
    expect(Object.keys(r.objects).filter((p) => /servingruntime/.test(p))).toStrictEqual([]);
    expect(r.objects['demo/inferenceservice-a.yaml'].spec.predictor.model).toStrictEqual({
      runtime: 'kserve-tritonserver',
      modelFormat: { name: 'onnx' },
      storageUri: 'oci://quay.io/user/a:1',
      resources: { requests: { cpu: '2', memory: '2Gi' } },
    });
    // An existing kserve-ovms keeps what modelcar knows of the built-in one: its layout and its default size.
    expect(r.objects['demo/inferenceservice-b.yaml'].spec.predictor.model.resources).toStrictEqual({ requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '8Gi' } });
    const target = (model: string) => /^fetch '\S+' '(\S+)'(?: '[0-9a-f]{64}')?; SHA_\d+=\$actual$/m.exec(r.tree[`images/demo/${model}/build.sh`])![1];
    expect(['a', 'b', 'c'].map(target)).toStrictEqual(['models/model.onnx', 'models/1/model.onnx', 'models/1/model.onnx']);
  });
});

describe('config: platform and serving options', () => {
  test('GIVEN platform kserve THEN no ODH metadata anywhere, the pod runs as the image user, and synth warns why, at the platform key', async () => {
    const r = await synth(`version: 1
platform: kserve
defaults:
  namespace: demo
  runtime: kserve-ovms
models:${MODEL('')}`);
    expect(r.code).toBe(0);
    expect(r.err).toBe(
      "modelcar: warning: modelcar.yaml:2:11: platform: platform kserve: KServe's modelcar sidecar shares the model through /proc/<pid>/root, which the model server can follow only when both containers run as the same UID; modelcar sets spec.predictor.securityContext.runAsUser: 65534 (the model image's USER) on each InferenceService that runs the sidecar. Cluster admins can set uidModelcar in KServe's inferenceservice-config ConfigMap instead\n",
    );
    expect(Object.keys(r.objects)).toStrictEqual(['demo/inferenceservice-mobilenet.yaml', 'demo/namespace-demo.yaml', 'demo/servingruntime-kserve-ovms.yaml']);
    expect(r.objects['demo/namespace-demo.yaml'].metadata).toStrictEqual({ name: 'demo' });
    expect(r.objects['demo/servingruntime-kserve-ovms.yaml'].metadata).toStrictEqual({ name: 'kserve-ovms', namespace: 'demo' });
    const isvc = r.objects['demo/inferenceservice-mobilenet.yaml'];
    expect(JSON.stringify(isvc)).not.toMatch(/opendatahub|openshift|istio/);
    expect(isvc.spec.predictor.securityContext).toStrictEqual({ runAsUser: 65534 });
  });

  test('GIVEN platform rhoai and a built-in runtime whose image the config does not pin THEN synth warns that it carries OpenDataHub\'s community images, not those OpenShift AI\'s operator installs (opendatahub-operator v3.4.0 modelcontroller_support.go RELATED_IMAGE_*)', async () => {
    const text = `version: 1\nplatform: rhoai\nrelease: "3.4"\ndefaults:\n  namespace: demo\n  runtime: kserve-ovms\nmodels:${MODEL('')}`;
    const r = await synth(text);
    expect(r.err).toBe(
      "modelcar: warning: modelcar.yaml:2:11: platform: platform rhoai: built-in runtimes such as kserve-ovms carry OpenDataHub's community images (quay.io/opendatahub, from odh-model-controller's params.env), not the supported images OpenShift AI's operator installs; pin those with runtimes.kserve-ovms.image (the cluster's template has them: oc get template -n redhat-ods-applications -o yaml)\n",
    );
    const pinned = await synth(text.replace('models:', `runtimes:\n  kserve-ovms:\n    image: registry.redhat.io/rhoai/odh-openvino-model-server-rhel9@sha256:${'a'.repeat(64)}\nmodels:`));
    expect(pinned.err).toBe('');
  });

  test('GIVEN --check on platform kserve THEN the warning is printed too', async () => {
    const dir = tempDir('modelcar-config-');
    fs.writeFileSync(path.join(dir, 'm.yaml'), `version: 1\nplatform: kserve\ndefaults:\n  namespace: demo\n  runtime: kserve-ovms\nmodels:${MODEL('')}`);
    let err = '';
    await main(['synth', '--check', '-c', path.join(dir, 'm.yaml'), '-o', path.join(dir, 'dist')], () => undefined, (t) => (err += t));
    expect(err).toMatch(/^modelcar: warning: .*m\.yaml:2:11: platform: platform kserve: /);
  });

  test('GIVEN every serving option in the config THEN the InferenceService carries each, on OpenDataHub 3.4 (KServe 0.17 names)', async () => {
    const r = await synth(`version: 1
release: "3.4"
defaults:
  namespace: llm
  runtime: vllm-cuda-runtime
  deploymentMode: RawDeployment
  expose: true
models:
  - name: granite
    displayName: Granite
    description: A small LLM
    format: vLLM
    image: quay.io/user/granite:1
    minReplicas: 1
    maxReplicas: 2
    scaleMetric: cpu
    scaleTarget: 75
    timeout: 600
    gpus: 2
    resources:
      requests: { memory: 24Gi }
      limits: { memory: 32Gi, cpu: null }
    nodeSelector:
      nvidia.com/gpu.product: NVIDIA-A100-SXM4-80GB
    env:
      VLLM_LOGGING_LEVEL: DEBUG
    args: [--max-model-len=8192, --tensor-parallel-size=2]
    files:
      - source: https://example.com/config.json
`);
    expect(r.err).toBe('');
    expect(r.objects['llm/inferenceservice-granite.yaml']).toStrictEqual({
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: {
        name: 'granite',
        namespace: 'llm',
        labels: { 'networking.kserve.io/visibility': 'exposed', 'opendatahub.io/dashboard': 'true' },
        annotations: {
          'openshift.io/description': 'A small LLM',
          'openshift.io/display-name': 'Granite',
          'security.opendatahub.io/enable-auth': 'true',
          'serving.kserve.io/deploymentMode': 'Standard',
        },
      },
      spec: {
        predictor: {
          maxReplicas: 2,
          minReplicas: 1,
          scaleMetric: 'cpu',
          scaleTarget: 75,
          timeout: 600,
          model: {
            args: ['--max-model-len=8192', '--tensor-parallel-size=2'],
            env: [{ name: 'VLLM_LOGGING_LEVEL', value: 'DEBUG' }],
            modelFormat: { name: 'vLLM' },
            resources: { requests: { cpu: '6', memory: '24Gi', 'nvidia.com/gpu': '2' }, limits: { memory: '32Gi', 'nvidia.com/gpu': '2' } },
            runtime: 'granite',
            storageUri: 'oci://quay.io/user/granite:1',
          },
          nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-80GB' },
          tolerations: [{ effect: 'NoSchedule', key: 'nvidia.com/gpu', operator: 'Exists' }],
        },
      },
    });
    expect(Object.keys(r.objects).sort()).toStrictEqual([
      'llm/inferenceservice-granite.yaml',
      'llm/namespace-llm.yaml',
      'llm/role-granite-view-role.yaml',
      'llm/rolebinding-granite-view.yaml',
      'llm/secret-default-name-granite-sa.yaml',
      'llm/serviceaccount-granite-sa.yaml',
      'llm/servingruntime-granite.yaml',
    ]);
  });

  test('GIVEN auth: false in defaults THEN no token auth and no ServiceAccount, Role or RoleBinding', async () => {
    const r = await synth(`version: 1\ndefaults:\n  namespace: demo\n  runtime: kserve-ovms\n  auth: false\nmodels:${MODEL('')}`);
    expect(Object.keys(r.objects)).toStrictEqual(['demo/inferenceservice-mobilenet.yaml', 'demo/namespace-demo.yaml', 'demo/servingruntime-mobilenet.yaml']);
    expect(r.objects['demo/inferenceservice-mobilenet.yaml'].metadata.annotations).not.toHaveProperty(['security.opendatahub.io/enable-auth']);
  });

  test('GIVEN a caikit model THEN config.yml goes to the top of models/ and the rest under artifacts/', async () => {
    const r = await synth(`version: 1
release: "3.0"
models:
  - name: flan-t5
    namespace: nlp
    runtime: caikit-tgis-runtime
    format: caikit
    image: quay.io/user/flan-t5-small-caikit:1
    files:
      - source: https://example.com/flan-t5-small-caikit/config.yml
      - source: https://example.com/flan-t5-small-caikit/artifacts/model.safetensors
`);
    expect(r.err).toBe('');
    expect(r.tree['images/nlp/flan-t5/Containerfile'].split('\n').filter((l) => l.startsWith('COPY'))).toStrictEqual([
      'COPY --chown=0:0 --chmod=0444 models/config.yml /models/config.yml',
      'COPY --chown=0:0 --chmod=0444 models/artifacts/model.safetensors /models/artifacts/model.safetensors',
    ]);
    expect(r.objects['nlp/servingruntime-flan-t5.yaml'].spec.containers.map((c: any) => c.name)).toStrictEqual(['kserve-container', 'transformer-container']);
  });
});
