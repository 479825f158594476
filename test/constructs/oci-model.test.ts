import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { OciModel } from '../../src/constructs/oci-model';
import { PropError } from '../../src/core/errors';
import { PullSecret } from '../../src/constructs/pull-secret';
import { ServingRuntime } from '../../src/constructs/serving-runtime';
import { ModelLayouts } from '../../src/core/model-layout';
import { synthesize } from '../../src/pipeline/synthesize';
import { objectsOf, testChart } from '../support/charts';
import { dashboardServingRuntime } from '../support/odh-templates';
import { readModes, readTree } from '../support/tree';
import { tempDir } from '../support/temp';
import { imageInputsDigest } from '../../src/constructs/image-lock';
import { resolveRelease } from '../../src/core/releases';

const FILES = [{ source: 'https://example.com/models/mobilenetv2-7.onnx' }];

describe('OciModel', () => {
  test('GIVEN two models in one namespace on kserve-ovms, sharedRuntime THEN one shared ServingRuntime and two InferenceServices', () => {
    const chart = testChart('ml');
    const a = new OciModel(chart, 'a', { name: 'a', runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, image: 'quay.io/u/a:1', files: FILES, sharedRuntime: true });
    const b = new OciModel(chart, 'b', {
      name: 'b',
      runtime: 'kserve-ovms',
      modelFormat: { name: 'onnx' },
      image: 'quay.io/u/b:1',
      files: FILES,
      pullSecret: PullSecret.fromSecretName('quay-pull'),
      sharedRuntime: true,
    });
    expect(a.runtime).toBe(b.runtime);
    const objects = objectsOf(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`).sort()).toStrictEqual([
      'InferenceService/ml/a',
      'InferenceService/ml/b',
      'Role/ml/a-view-role',
      'Role/ml/b-view-role',
      'RoleBinding/ml/a-view',
      'RoleBinding/ml/b-view',
      'Secret/ml/default-name-a-sa',
      'Secret/ml/default-name-b-sa',
      'ServiceAccount/ml/a-sa',
      'ServiceAccount/ml/b-sa',
      'ServingRuntime/ml/kserve-ovms',
    ]);
    // minReplicas 1, maxReplicas 1: the dashboard's deploy form's own (opendatahub-io/odh-dashboard v2.25.0 and v3.4.0
    // frontend/src/pages/modelServing/screens/projects/utils.ts defaultInferenceService, written to spec.predictor by
    // frontend/src/api/k8s/inferenceServices.ts assembleInferenceService).
    expect(objects.find((o) => o.kind === 'InferenceService' && o.metadata.name === 'b').spec).toStrictEqual({
      predictor: {
        minReplicas: 1,
        maxReplicas: 1,
        imagePullSecrets: [{ name: 'quay-pull' }],
        model: {
          modelFormat: { name: 'onnx' },
          runtime: 'kserve-ovms',
          storageUri: 'oci://quay.io/u/b:1',
          resources: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '8Gi' } },
        },
      },
    });
    expect(a.image.contextPath).toBe('images/ml/a');
  });

  test('GIVEN two models on OpenDataHub THEN each has a ServingRuntime of its own, named after it, with the dashboard\'s shm volume, as the dashboard makes them (odh-dashboard v3.4.0 frontend/src/api/k8s/servingRuntimes.ts assembleServingRuntime; ManageKServeModal.tsx names the runtime after the model)', () => {
    const chart = testChart('ml');
    const a = new OciModel(chart, 'a', { name: 'a', runtime: 'kserve-ovms', release: 'odh-2.35', modelFormat: { name: 'onnx' }, image: 'quay.io/u/a:1', files: FILES });
    new OciModel(chart, 'b', { name: 'b', runtime: 'kserve-ovms', release: 'odh-2.35', modelFormat: { name: 'onnx' }, image: 'quay.io/u/b:1', files: FILES });
    expect(a.runtime.name).toBe('a');
    const objects = objectsOf(chart);
    const runtimes = objects.filter((o) => o.kind === 'ServingRuntime');
    expect(runtimes.map((o) => o.metadata.name)).toStrictEqual(['a', 'b']);
    expect(objects.filter((o) => o.kind === 'InferenceService').map((o) => o.spec.predictor.model.runtime)).toStrictEqual(['a', 'b']);
    // The template's ServingRuntime (odh-v2.35 kserve-ovms) under the model's name, plus the shm volume in every container.
    const template = dashboardServingRuntime('odh-v2.35', 'ovms-kserve-template.yaml', 'ml');
    template.metadata.name = 'a';
    template.spec.containers = template.spec.containers.map((c: any) => ({ ...c, volumeMounts: [{ name: 'shm', mountPath: '/dev/shm' }] }));
    template.spec.volumes = [{ name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } }];
    expect(runtimes[0]).toStrictEqual(template);
    // Deleting model a in the dashboard deletes the ServingRuntime its spec.predictor.model.runtime names
    // (packages/kserve/src/deployments.ts deleteDeployment): a's own, which no other model uses.
    const deleted = objects.find((o) => o.kind === 'InferenceService' && o.metadata.name === 'a').spec.predictor.model.runtime;
    expect(objects.filter((o) => o.kind === 'InferenceService' && o.spec.predictor.model.runtime === deleted).map((o) => o.metadata.name)).toStrictEqual(['a']);
    // The image is labelled with the runtime it is for, not the name of the model's own ServingRuntime.
    expect(a.image.labels()['dev.modelcar.runtime']).toBe('kserve-ovms');
  });

  test('GIVEN plain KServe THEN runtimes are shared per namespace by default (no dashboard), and without the shm volume when one per model is asked for', () => {
    const chart = testChart('ml');
    new OciModel(chart, 'a', { name: 'a', runtime: 'kserve-ovms', release: 'kserve-0.20', modelFormat: { name: 'onnx' }, image: 'quay.io/u/a:1', files: FILES });
    new OciModel(chart, 'b', { name: 'b', runtime: 'kserve-ovms', release: 'kserve-0.20', modelFormat: { name: 'onnx' }, image: 'quay.io/u/b:1', files: FILES });
    new OciModel(chart, 'c', { name: 'c', runtime: 'kserve-ovms', release: 'kserve-0.20', modelFormat: { name: 'onnx' }, image: 'quay.io/u/c:1', files: FILES, sharedRuntime: false });
    const runtimes = objectsOf(chart).filter((o) => o.kind === 'ServingRuntime');
    expect(runtimes.map((o) => o.metadata.name)).toStrictEqual(['kserve-ovms', 'c']);
    expect(runtimes[1].spec.volumes).toBeUndefined();
  });

  test('GIVEN an existing ClusterServingRuntime THEN it is only referenced, and the layout must be given', () => {
    const chart = testChart('ml');
    const runtime = ServingRuntime.fromClusterName('my-triton');
    expect(() => new OciModel(chart, 'x', { name: 'x', runtime, modelFormat: { name: 'onnx' }, image: 'quay.io/u/x:1', files: FILES })).toThrow(
      'OciModel layout: runtime my-triton is not one modelcar knows, so the model "x" must say its layout',
    );
    new OciModel(chart, 'y', { name: 'y', runtime, layout: ModelLayouts.FLAT, modelFormat: { name: 'onnx' }, image: 'quay.io/u/y:1', files: FILES, auth: false });
    expect(objectsOf(chart).map((o) => o.kind)).toStrictEqual(['InferenceService']);
    expect(objectsOf(chart)[0].spec.predictor.model).toStrictEqual({ modelFormat: { name: 'onnx' }, runtime: 'my-triton', storageUri: 'oci://quay.io/u/y:1' });
  });

  test('GIVEN vllm-runtime THEN one GPU by default, with the GPU toleration; gpus 0 takes both away; tolerations replace the default', () => {
    const chart = testChart('llm');
    const props = { runtime: 'vllm-runtime', release: 'odh-2.25', modelFormat: { name: 'vLLM' }, files: [{ source: 'https://example.com/config.json' }] };
    const gpu = new OciModel(chart, 'a', { ...props, name: 'a', image: 'quay.io/u/a:1' });
    const cpu = new OciModel(chart, 'b', { ...props, name: 'b', image: 'quay.io/u/b:1', gpus: 0, resources: { limits: { cpu: null, memory: '32Gi' } } });
    const own = new OciModel(chart, 'c', { ...props, name: 'c', image: 'quay.io/u/c:1', gpus: 2, tolerations: [{ key: 'gpu', operator: 'Equal', value: 'a100', effect: 'NoSchedule' }] });
    const predictor = (m: OciModel) => objectsOf(chart).find((o) => o.kind === 'InferenceService' && o.metadata.name === m.inferenceService.name).spec.predictor;
    expect(gpu.resources).toStrictEqual({
      requests: { cpu: '6', memory: '16Gi', 'nvidia.com/gpu': '1' },
      limits: { cpu: '10', memory: '20Gi', 'nvidia.com/gpu': '1' },
    });
    expect(predictor(gpu).tolerations).toStrictEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(cpu.resources).toStrictEqual({ requests: { cpu: '6', memory: '16Gi' }, limits: { memory: '32Gi' } });
    expect(predictor(cpu).tolerations).toBeUndefined();
    expect(predictor(own).model.resources.limits['nvidia.com/gpu']).toBe('2');
    expect(predictor(own).tolerations).toStrictEqual([{ key: 'gpu', operator: 'Equal', value: 'a100', effect: 'NoSchedule' }]);
  });

  test('GIVEN minReplicas above 1 and no maxReplicas THEN maxReplicas follows it', () => {
    const chart = testChart('ml');
    new OciModel(chart, 'a', { name: 'a', runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, image: 'quay.io/u/a:1', files: FILES, minReplicas: 3 });
    const { minReplicas, maxReplicas } = objectsOf(chart).find((o) => o.kind === 'InferenceService').spec.predictor;
    expect([minReplicas, maxReplicas]).toStrictEqual([3, 3]);
  });

  test('GIVEN platform kserve THEN no OpenDataHub metadata, no auth objects, and the pod runs as the model image user', () => {
    const chart = testChart('ml');
    new OciModel(chart, 'a', { name: 'a', runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, image: 'quay.io/u/a:1', files: FILES, platform: 'kserve', kserveVersion: '0.15' });
    const objects = objectsOf(chart);
    expect(objects.map((o) => o.kind).sort()).toStrictEqual(['InferenceService', 'ServingRuntime']);
    const isvc = objects.find((o) => o.kind === 'InferenceService');
    expect(isvc.metadata).toStrictEqual({
      name: 'a',
      namespace: 'ml',
      labels: { 'networking.knative.dev/visibility': 'cluster-local' },
      annotations: { 'serving.kserve.io/deploymentMode': 'Serverless' },
    });
    expect(isvc.spec.predictor.securityContext).toStrictEqual({ runAsUser: 65534 });
    expect(objects.find((o) => o.kind === 'ServingRuntime').metadata).toStrictEqual({ name: 'kserve-ovms', namespace: 'ml' });
  });

  test('GIVEN no namespace anywhere THEN the error names the model', () => {
    expect(() => new OciModel(testChart(), 'x', { name: 'x', runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, image: 'quay.io/u/x:1', files: FILES })).toThrow(
      'OciModel namespace: "x" needs a namespace (set namespace, or the Chart\'s namespace)',
    );
  });
});

describe('OciModel props checks', () => {
  test('GIVEN problems in the props its parts take THEN one PropError lists them all, each named as a prop of the OciModel', () => {
    let error: unknown;
    try {
      new OciModel(testChart('ml'), 'x', {
        name: '1-model',
        runtime: 'kserve-ovms',
        modelFormat: { name: 'onxx' },
        image: 'quay.io/U/x:1',
        files: [...FILES, ...FILES],
        gpus: 0.5,
      });
    } catch (e) {
      error = e;
    }
    expect(PropError.isPropError(error)).toBe(true);
    expect((error as PropError).problems.map((p) => [p.construct, p.path.join('.'), p.value])).toStrictEqual([
      ['OciModel', 'image', 'quay.io/U/x:1'],
      ['OciModel', 'files.1', 'mobilenetv2-7.onnx'],
      ['OciModel', 'gpus', 0.5],
      ['OciModel', 'name', '1-model'],
      ['OciModel', 'modelFormat.name', 'onxx'],
    ]);
    expect((error as PropError).problems[4].allowed).toStrictEqual(['openvino_ir', 'onnx', 'tensorflow', 'paddle', 'pytorch']);
  });

  test('GIVEN a refused OciModel THEN it leaves none of its parts in the tree (the shared runtime, which was fine, stays)', () => {
    const chart = testChart('ml');
    expect(() => new OciModel(chart, 'x', { name: 'x', runtime: 'kserve-ovms', sharedRuntime: true, modelFormat: { name: 'onxx' }, image: 'quay.io/u/x:1', files: FILES })).toThrow(
      /^OciModel modelFormat.name: "onxx" is not served by runtime kserve-ovms/,
    );
    expect(chart.node.findAll().map((c) => c.node.id)).toStrictEqual(['test', 'ServingRuntime:ml:kserve-ovms', 'Resource']);
    // The model's own ServingRuntime is one of its parts: it goes with it.
    const own = testChart('ml');
    expect(() => new OciModel(own, 'x', { name: 'x', runtime: 'kserve-ovms', modelFormat: { name: 'onxx' }, image: 'quay.io/u/x:1', files: FILES })).toThrow(
      /^OciModel modelFormat.name: "onxx" is not served by runtime kserve-ovms/,
    );
    expect(own.node.findAll().map((c) => c.node.id)).toStrictEqual(['test']);
  });

  test('GIVEN sourceDir THEN relative local sources are resolved against it, and named as given in messages', () => {
    const dir = tempDir('modelcar-source-');
    {
      fs.mkdirSync(path.join(dir, 'models', 'ir'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'models', 'ir', 'model.xml'), 'x');
      const model = new OciModel(testChart('ml'), 'm', { name: 'm', runtime: 'kserve-ovms', modelFormat: { name: 'openvino_ir' }, image: 'quay.io/u/m:1', files: [{ source: 'models/ir', path: '.' }], sourceDir: dir });
      expect(model.image.files.map((f) => [f.target, f.localPath])).toStrictEqual([['models/1/model.xml', path.join(dir, 'models', 'ir', 'model.xml')]]);
      expect(
        () => new OciModel(testChart('ml'), 'm', { name: 'm', runtime: 'kserve-ovms', modelFormat: { name: 'openvino_ir' }, image: 'quay.io/u/m:1', files: [{ source: 'models/ir', sha256: 'a'.repeat(64) }], sourceDir: dir }),
      ).toThrow('OciModel files[0].sha256: "models/ir" is a folder; sha256 pins a single file (give the folder\'s files one by one to pin them)');
    }
  });
});

describe('synthesize (TypeScript API)', () => {
  function tree(withSecret: boolean) {
    const app = new App();
    const chart = new Chart(app, 'models', { namespace: 'team-a', disableResourceNameHashes: true });
    const secret = withSecret
      ? new PullSecret(chart, 'pull', { name: 'quay-pull', credentials: { server: 'quay.io', username: 'robot', password: 'hunter2-very-secret' } })
      : PullSecret.fromSecretName('quay-pull');
    new OciModel(chart, 'm', { name: 'mobilenet', runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, image: 'quay.io/u/m:1', files: FILES, pullSecret: secret });
    return chart;
  }

  test('GIVEN a chart written in TypeScript THEN the output has the same layout as a config synth', () => {
    const outdir = tempDir('modelcar-api-');
    const result = synthesize(tree(false), { outdir, source: 'src/models.ts' });
    expect(result.changes.added).toHaveLength(12); // and the file list
    expect(Object.keys(readTree(outdir))).toStrictEqual([
      '.modelcar-files',
      'images/team-a/mobilenet/.containerignore',
      'images/team-a/mobilenet/.gitignore',
      'images/team-a/mobilenet/Containerfile',
      'images/team-a/mobilenet/build.sh',
      'manifests/kustomization.yaml',
      'manifests/team-a/inferenceservice-mobilenet.yaml',
      'manifests/team-a/kustomization.yaml',
      'manifests/team-a/role-mobilenet-view-role.yaml',
      'manifests/team-a/rolebinding-mobilenet-view.yaml',
      'manifests/team-a/secret-default-name-mobilenet-sa.yaml',
      'manifests/team-a/serviceaccount-mobilenet-sa.yaml',
      'manifests/team-a/servingruntime-mobilenet.yaml',
    ]);
    expect(readTree(outdir)['manifests/team-a/kustomization.yaml']).toContain('# Generated by modelcar from src/models.ts.');
  });

  test('GIVEN a PullSecret made from credentials THEN it never lands in the output: only in secretsDir, mode 0600, git-ignored', () => {
    const outdir = tempDir('modelcar-api-');
    expect(() => synthesize(tree(true), { outdir, source: 'src/models.ts' })).toThrow(/give secretsDir/);
    expect(fs.readdirSync(outdir)).toStrictEqual([]);
    const secretsDir = tempDir('modelcar-secrets-');
    synthesize(tree(true), { outdir, source: 'src/models.ts', secretsDir });
    const dist = readTree(outdir);
    for (const content of Object.values(dist)) {
      expect(content).not.toContain('hunter2');
      expect(content).not.toContain(Buffer.from('robot:hunter2-very-secret').toString('base64'));
      expect(content).not.toMatch(/^\s*\.dockerconfigjson:/m);
    }
    expect(readTree(secretsDir)['.gitignore']).toContain('\n*\n');
    expect(readModes(secretsDir)['team-a/secret-quay-pull.yaml']).toBe('600');
    expect(readTree(secretsDir)['team-a/secret-quay-pull.yaml']).toContain('type: kubernetes.io/dockerconfigjson');
  });
});

describe('OciModel compression', () => {
  const model = (props: Record<string, unknown> = {}, chart = testChart('ml')) =>
    new OciModel(chart, 'x', { name: 'x', runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, image: 'quay.io/u/x:1', files: [{ source: FILES[0].source, sha256: 'a'.repeat(64) }], ...props });

  test('GIVEN compression THEN the image has it, and zstd or gzip change the inputs digest (another image) while none leaves it as without one', () => {
    const plain = model();
    expect(plain.image.compression).toBeUndefined();
    expect(model({ compression: 'none' }).image.compression).toBe('none');
    expect(imageInputsDigest(model({ compression: 'none' }).image)).toBe(imageInputsDigest(plain.image));
    const zstd = imageInputsDigest(model({ compression: 'zstd' }).image);
    const gzip = imageInputsDigest(model({ compression: 'gzip' }).image);
    expect(new Set([imageInputsDigest(plain.image), zstd, gzip]).size).toBe(3);
  });

  test('GIVEN a compression modelcar does not know THEN refused, naming the ones it does', () => {
    expect(() => model({ compression: 'lz4' })).toThrow('OciModel compression: "lz4" is not a layer compression; use one of none, zstd, gzip');
  });

  test('GIVEN zstd on a release whose oldest nodes cannot pull it THEN refused with the runtime and what it needs; gzip passes', () => {
    const old = { ...resolveRelease('kserve-0.15'), nodes: { platform: 'Kubernetes 1.20', runtimes: [{ runtime: 'containerd' as const, version: '1.4.13' }], source: 'a test' } };
    expect(() => model({ compression: 'zstd', release: old })).toThrow(
      'OciModel compression: KServe 0.15 supports nodes with containerd 1.4.13 (Kubernetes 1.20), which cannot pull zstd layers (that needs containerd 1.5.0 or later); use none or gzip',
    );
    expect(model({ compression: 'gzip', release: old }).image.compression).toBe('gzip');
  });
});
