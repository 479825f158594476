/**
 * In-cluster builds from a config: the config the TaskRun carries builds the very image the whole config describes,
 * and the TaskRun's name follows what it runs, so that a config change gives a new run and an unchanged config none.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { loadConfig } from '../../../src/config/load';
import { translateConfig } from '../../../src/config/translate/translate';
import { ModelImage } from '../../../src/constructs/model-image';
import { BuildRun } from '../../../src/constructs/build-run';
import { imageInputsDigest } from '../../../src/constructs/image-lock';
import { renderConfig } from '../../../src/pipeline/synthesize';
import { tempDir } from '../../support/temp';

const SHA = (c: string) => c.repeat(64);

/**
 * A config with three in-cluster models: a built-in runtime, a runtime of the config's own, one that exists. Its
 * release (OpenDataHub 2.35, which still ships caikit-tgis-runtime) goes into the config each TaskRun carries.
 */
const CONFIG = `version: 1
release: "2.35"
defaults:
  namespace: ml
  baseImage: ubi9
  build: in-cluster
inCluster:
  serviceAccount: pipeline
runtimes:
  triton:
    image: nvcr.io/nvidia/tritonserver:24.08-py3
    formats: [{ name: onnx }]
    layout: flat
  kserve-tritonserver:
    existing: ClusterServingRuntime
    layout: flat
models:
  - name: mobilenet
    runtime: kserve-ovms
    format: onnx
    formatVersion: "1"
    image: quay.io/team/mobilenet:v2-7
    files:
      - source: https://example.com/mobilenet/model.onnx
        path: model.onnx
        sha256: ${SHA('a')}
        size: 14246826
  - name: detector
    runtime: triton
    format: onnx
    image: quay.io/team/detector:1
    namespace: vision
    baseImage: registry.example.com/base/ubi9-micro@sha256:${SHA('c')}
    files:
      - source: s3://models/detector/model.onnx
        sha256: ${SHA('b')}
        size: 1000
    sourceSecret: models-bucket
  - name: granite
    runtime: caikit-tgis-runtime
    format: caikit
    image: quay.io/team/granite:1
    files:
      - source: https://example.com/granite/config.yml
        sha256: ${SHA('d')}
        size: 100
      - source: https://example.com/granite/model.safetensors
        sha256: ${SHA('e')}
        size: 5368709120
  - name: resnet
    runtime: kserve-tritonserver
    format: onnx
    image: quay.io/team/resnet:1
    build: local
    files:
      - source: https://example.com/resnet.onnx
`;

function writeConfig(text: string): string {
  const dir = tempDir('modelcar-builds-');
  const file = path.join(dir, 'modelcar.yaml');
  fs.writeFileSync(file, text);
  return file;
}

function imagesOf(file: string): ModelImage[] {
  const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
  translateConfig(chart, loadConfig(file));
  return ModelImage.all(chart);
}

function runsOf(file: string): Record<string, any> {
  const dir = path.dirname(file);
  const output = renderConfig(loadConfig(file), { source: 'modelcar.yaml', outdir: path.join(dir, 'dist') });
  const runs: Record<string, any> = {};
  for (const f of output.files) if (/\/taskrun-/.test(f.path)) runs[f.path] = f.data;
  return runs;
}

/** What of an image reaches the image: its Containerfile's instructions, labels, files and the inputs digest. */
function essence(image: ModelImage) {
  return {
    key: image.key.split('/').slice(-2).join('/'),
    image: image.image,
    containerfile: image.containerfile('').lines.filter((l) => l.kind !== 'comment'),
    labels: image.labels(),
    files: image.files.map((f) => ({ target: f.target, url: f.url, sha256: f.sha256 })),
    inputs: imageInputsDigest(image),
  };
}

describe('in-cluster builds in a config', () => {
  test('GIVEN models with build: in-cluster THEN a TaskRun each, and none for the model built locally', () => {
    const runs = runsOf(writeConfig(CONFIG));
    expect(Object.keys(runs).map((p) => p.replace(/-build-[0-9a-f]{10}\.yaml$/, ''))).toStrictEqual(['builds/ml/taskrun-granite', 'builds/ml/taskrun-mobilenet', 'builds/vision/taskrun-detector']);
  });

  test.each(['mobilenet', 'detector', 'granite'])('GIVEN the config a TaskRun of %s carries THEN it describes the same image as the whole config: Containerfile, labels, files, inputs digest', (name) => {
    const file = writeConfig(CONFIG);
    const whole = imagesOf(file).find((i) => i.key.endsWith(`/${name}`))!;
    const run = Object.values(runsOf(file)).find((r) => r.metadata.labels['dev.modelcar.model.name'] === name);
    const config = run.spec.params.find((p: any) => p.name === 'config').value;
    const alone = imagesOf(writeConfig(config));
    expect(alone).toHaveLength(1);
    expect(essence(alone[0])).toStrictEqual(essence(whole));
    expect(run.spec.params.find((p: any) => p.name === 'model').value).toBe(alone[0].key);
    expect(run.metadata.annotations['dev.modelcar.build.inputs']).toBe(imageInputsDigest(whole));
  });

  test('GIVEN an environment that renames the namespace THEN its TaskRun builds the image of the model in that namespace', () => {
    const file = writeConfig(`${CONFIG}environments:\n  prod:\n    renameNamespaces: { ml: ml-prod }\n`);
    const output = renderConfig(loadConfig(file), { source: 'modelcar.yaml', outdir: path.join(path.dirname(file), 'dist') });
    const run = output.files.find((f) => f.path.startsWith('prod/builds/ml-prod/taskrun-mobilenet-'))!.data as any;
    const config = YAML.parse(run.spec.params[0].value);
    expect(config.models[0].namespace).toBe('ml-prod');
    expect(run.spec.params[1].value).toBe('ml-prod/mobilenet');
    expect(output.files.map((f) => f.path)).toContain('prod/builds/kustomization.yaml');
  });

  test('GIVEN the same config twice THEN the same TaskRuns; GIVEN a serving option changed THEN still the same: the image does not change', () => {
    const before = Object.keys(runsOf(writeConfig(CONFIG)));
    expect(Object.keys(runsOf(writeConfig(CONFIG)))).toStrictEqual(before);
    const serving = CONFIG.replace('    formatVersion: "1"\n', '    formatVersion: "1"\n    minReplicas: 2\n    expose: true\n');
    expect(Object.keys(runsOf(writeConfig(serving)))).toStrictEqual(before);
  });

  test.each([
    ['a file pinned to other bytes', (c: string) => c.replace(SHA('a'), SHA('f')), 'mobilenet'],
    ['another image tag', (c: string) => c.replace('mobilenet:v2-7', 'mobilenet:v2-8'), 'mobilenet'],
    ['another base image', (c: string) => c.replace('  baseImage: ubi9\n', '  baseImage: ubi8\n'), 'mobilenet'],
    ['the layers compressed with zstd (another digest)', (c: string) => c.replace('  baseImage: ubi9\n', '  baseImage: ubi9\n  compression: zstd\n'), 'mobilenet'],
    ['a longer build timeout', (c: string) => c.replace('  serviceAccount: pipeline\n', '  serviceAccount: pipeline\n  timeout: 6h\n'), 'mobilenet'],
    ['another step image', (c: string) => c.replace('  serviceAccount: pipeline\n', '  serviceAccount: pipeline\n  image: registry.example.com/modelcar:0.1.0\n'), 'detector'],
  ])('GIVEN %s THEN the TaskRun of the model gets a new name, so that it runs', (_what, change, model) => {
    const before = runsOf(writeConfig(CONFIG));
    const after = runsOf(writeConfig(change(CONFIG)));
    const name = (runs: Record<string, any>) => Object.values(runs).find((r) => r.metadata.labels['dev.modelcar.model.name'] === model).metadata.name;
    expect(name(after)).not.toBe(name(before));
    expect(name(after)).toMatch(new RegExp(`^${model}-build-[0-9a-f]{10}$`));
  });

  test('GIVEN a compression in the defaults or the model THEN the config the TaskRun carries has it: the cluster pushes the layers `modelcar build` pushes', () => {
    const text = CONFIG.replace('  baseImage: ubi9\n', '  baseImage: ubi9\n  compression: zstd\n').replace('    sourceSecret: models-bucket\n', '    sourceSecret: models-bucket\n    compression: gzip\n');
    const runs = Object.values(runsOf(writeConfig(text)));
    const carried = (model: string) => YAML.parse(runs.find((r) => r.metadata.labels['dev.modelcar.model.name'] === model).spec.params[0].value).models[0].compression;
    expect([carried('mobilenet'), carried('detector'), carried('granite')]).toStrictEqual(['zstd', 'gzip', 'zstd']);
    expect(Object.values(runsOf(writeConfig(CONFIG))).map((r) => YAML.parse(r.spec.params[0].value).models[0].compression)).toStrictEqual([undefined, undefined, undefined]);
  });

  test('GIVEN the model files THEN the workspace is their size plus 10% and 1 GiB, in whole GiB', () => {
    const runs = Object.values(runsOf(writeConfig(CONFIG)));
    const size = (model: string) => runs.find((r) => r.metadata.labels['dev.modelcar.model.name'] === model).spec.workspaces[0].volumeClaimTemplate.spec.resources.requests.storage;
    expect([size('mobilenet'), size('detector'), size('granite')]).toStrictEqual(['2Gi', '2Gi', '7Gi']);
  });

  test('GIVEN a model name of 53 characters THEN the TaskRun name stays within the 63 characters Tekton allows', () => {
    const long = 'm'.repeat(53);
    const chart = new Chart(new App(), 'c', { disableResourceNameHashes: true });
    translateConfig(chart, loadConfig(writeConfig(CONFIG.replace('name: mobilenet', `name: ${long}\n    deploymentMode: RawDeployment`))));
    const run = chart.node.findAll().find((c): c is BuildRun => BuildRun.isBuildRun(c) && c.name.startsWith('m'))!;
    expect(run.name).toMatch(new RegExp(`^${'m'.repeat(46)}-build-[0-9a-f]{10}$`));
    expect(run.name.length).toBe(63);
  });
});

describe('the Argo CD Applications of a config with in-cluster builds', () => {
  test('GIVEN argocd.application THEN an Application of its own for the builds folder of each environment that has builds, next to the manifests one', () => {
    const file = writeConfig(`${CONFIG}argocd:\n  application:\n    repoURL: https://git.example.com/models.git\n    automated: true\nenvironments:\n  dev: {}\n  prod:\n    defaults: { build: local }\n`);
    const output = renderConfig(loadConfig(file), { source: 'modelcar.yaml', outdir: path.join(path.dirname(file), 'dist') });
    const argocd = output.files.filter((f) => f.path.startsWith('argocd/'));
    expect(argocd.map((f) => f.path)).toStrictEqual(['argocd/application-modelcar-dev-builds.yaml', 'argocd/application-modelcar-dev.yaml', 'argocd/application-modelcar-prod.yaml', 'argocd/kustomization.yaml']);
    const builds = YAML.parse(argocd[0].content);
    expect(builds.spec).toStrictEqual({
      destination: { server: 'https://kubernetes.default.svc' },
      project: 'default',
      source: { path: 'dist/dev/builds', repoURL: 'https://git.example.com/models.git', targetRevision: 'HEAD' },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    expect(YAML.parse(argocd[3].content).resources).toStrictEqual(['application-modelcar-dev.yaml', 'application-modelcar-dev-builds.yaml', 'application-modelcar-prod.yaml']);
  });
});
