/**
 * The config layer translates a config into constructs and leaves the rules about a value to the construct that
 * takes it: a problem the construct finds is reported at the config line the value came from, in the construct's
 * own words.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { ConfigError, PropError, formatDiagnostic } from '../../../src/core/errors';
import { loadConfig } from '../../../src/config/load';
import { translateConfig } from '../../../src/config/translate/translate';
import { InferenceService } from '../../../src/constructs/inference-service';
import { ServingRuntime } from '../../../src/constructs/serving-runtime';
import { ModelImage } from '../../../src/constructs/model-image';
import { ModelLayouts } from '../../../src/core/model-layout';

const temp: string[] = [];
afterEach(() => temp.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** The diagnostics of translating a config, as `line:column: field: message` (the file left out). */
function problemsOf(yaml: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-translate-'));
  temp.push(dir);
  const file = path.join(dir, 'modelcar.yaml');
  fs.writeFileSync(file, yaml);
  try {
    translateConfig(new Chart(new App(), 'c', { disableResourceNameHashes: true }), loadConfig(file, { deferModelErrors: true }));
  } catch (e) {
    if (!ConfigError.isConfigError(e)) throw e;
    return e.diagnostics.map((d) => formatDiagnostic(d).slice(file.length + 1));
  }
  return [];
}

/** The messages of the problems a construct finds with its props. */
function propMessages(make: () => unknown): string[] {
  try {
    make();
  } catch (e) {
    if (!PropError.isPropError(e)) throw e;
    return e.problems.map((p) => p.message);
  }
  return [];
}

const MODEL = (extra: string) => `version: 1
defaults:
  namespace: demo
  runtime: kserve-ovms
models:
  - name: m
    format: onnx
    image: quay.io/u/m:1
    files: [{ source: "https://e.com/m.onnx" }]
${extra}`;

describe('config translation: the constructs\' rules, at the config\'s lines', () => {
  test('GIVEN serving values an InferenceService refuses THEN each is reported at its field, in the InferenceService\'s words', () => {
    const isvc = propMessages(
      () =>
        new InferenceService(new Chart(new App(), 'c'), 'i', {
          name: 'm',
          namespace: 'demo',
          runtime: ServingRuntime.fromName('r'),
          modelFormat: { name: 'onnx' },
          storageUri: 'oci://quay.io/u/m:1',
          minReplicas: 2,
          maxReplicas: 1,
          env: { '1_THREADS': '2' },
          nodeSelector: { 'gpu type': 'a100' },
        }),
    );
    const config = problemsOf(MODEL('    minReplicas: 2\n    maxReplicas: 1\n    env: { "1_THREADS": "2" }\n    nodeSelector: { "gpu type": a100 }\n'));
    expect(config).toStrictEqual([
      `11:18: models[0].maxReplicas: ${isvc[0]}`,
      `12:25: models[0].env["1_THREADS"]: ${isvc[1]}`,
      `13:33: models[0].nodeSelector["gpu type"]: ${isvc[2]}`,
    ]);
  });

  test('GIVEN a value inherited from defaults THEN its problem is reported at defaults, once for all the models that inherit it', () => {
    const config = problemsOf(`version: 1
release: "2.35"
defaults:
  namespace: demo
  runtime: kserve-ovms
  deploymentMode: Standard
  baseImage: gcr.io/distroless/static
models:
  - { name: a, format: onnx, image: "quay.io/u/a:1", files: [{ source: "https://e.com/a.onnx" }] }
  - { name: b, format: onnx, image: "quay.io/u/b:1", files: [{ source: "https://e.com/b.onnx" }] }
`);
    const image = propMessages(() => new ModelImage(new Chart(new App(), 'c'), 'i', { image: 'quay.io/u/a:1', files: [{ source: 'https://e.com/a.onnx' }], layout: ModelLayouts.OVMS, contextPath: 'x', baseImage: 'gcr.io/distroless/static' }));
    expect(config).toStrictEqual([
      '6:19: defaults.deploymentMode: "Standard" is a KServe 0.16 name, but OpenDataHub 2.35 runs KServe 0.15, which does not know it; use "RawDeployment"',
      `7:14: defaults.baseImage: ${image[0]}`,
    ]);
  });

  test('GIVEN a value both the InferenceService\'s serving rule and KServe\'s admission rule refuse THEN it is reported once, at its line, in the construct\'s words; KServe\'s rules still report the other fields', () => {
    // Serverless (OpenDataHub 2.25's default) does not scale on cpu: the construct's rule, and KServe's
    // validateKPAMetrics (kserve/kserve v0.15.2 inference_service_validation.go), both refuse it.
    const construct = propMessages(
      () =>
        new InferenceService(new Chart(new App(), 'c'), 'i', {
          name: 'm',
          namespace: 'demo',
          release: 'odh-2.25',
          runtime: ServingRuntime.fromName('r'),
          modelFormat: { name: 'onnx' },
          storageUri: 'oci://quay.io/u/m:1',
          scaleMetric: 'cpu',
        }),
    );
    expect(construct).toHaveLength(1);
    expect(problemsOf(MODEL('    scaleMetric: cpu\n').replace('version: 1\n', 'version: 1\nrelease: "2.25"\n'))).toStrictEqual([`11:18: models[0].scaleMetric: ${construct[0]}`]);
    // KServe 0.20 refuses PYTHONPATH (validateBlockedEnvVars), which no construct rule covers: both fields are reported.
    const both = problemsOf(
      MODEL('    deploymentMode: RawDeployment\n    scaleMetric: rps\n    env: { PYTHONPATH: /opt/lib }\n').replace('version: 1\n', 'version: 1\nplatform: kserve\nrelease: "0.20"\n'),
    );
    expect(both.map((d) => d.split(': ').slice(0, 2).join(': '))).toStrictEqual(['13:18: models[0].scaleMetric', '14:24: models[0].env.PYTHONPATH']);
    expect(both[0]).toContain('"rps" does nothing for a RawDeployment model');
    expect(both[1]).toContain('(KServe v0.20.0 validateBlockedEnvVars, at admission)');
  });

  test('GIVEN resources a runtime entry sets THEN a problem with the merged resources is reported at that entry, naming the key', () => {
    const config = problemsOf(MODEL('') + 'runtimes:\n  kserve-ovms:\n    resources: { requests: { cpu: "4" }, limits: { cpu: "2" } }\n');
    expect(config).toStrictEqual(['12:16: runtimes.kserve-ovms.resources: requests.cpu: Invalid value: "4": must be less than or equal to cpu limit of 2']);
  });

  test('GIVEN problems in several constructs of one model and the config\'s own THEN all are reported at once', () => {
    const config = problemsOf(`version: 1
models:
  - name: 1-model
    namespace: demo
    runtime: kserve-ovms
    format: onxx
    image: quay.io/U/m:1
    files: [{ source: "gs://bucket/m.onnx" }, { source: "https://user:pw@e.com/m.onnx" }]
`);
    expect(config.map((d) => d.split(': ').slice(0, 2).join(': '))).toStrictEqual([
      '3:11: models[0].name',
      '6:13: models[0].format',
      '7:12: models[0].image',
      '8:23: models[0].files[0].source',
      '8:57: models[0].files[1].source',
    ]);
  });
});
