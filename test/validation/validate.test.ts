import { sharedPath } from '../support/shared';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { cli as run } from '../support/project';
import { synthesize } from '../../src/pipeline/synthesize';
import { validateObject } from '../../src/validation/validate-object';
import { OutputValidationError, validateOutput } from '../../src/validation/validate-output';
import { validateYamlText } from '../../src/validation/validate-yaml';
import { testChart } from '../support/charts';
import { tempDir } from '../support/temp';

const MANIFESTS = path.join('test', 'fixtures', 'manifests');
const ODH = sharedPath('odh', 'runtimes', 'odh-v2.25');

/** Each object of an ODH runtime template, its image placeholders filled in from params.env as the ODH operator does. */
function odhTemplateObjects(file: string): unknown[] {
  const params = Object.fromEntries(fs.readFileSync(path.join(ODH, 'params.env'), 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)));
  const template = YAML.parse(fs.readFileSync(path.join(ODH, file), 'utf8'));
  return JSON.parse(JSON.stringify(template.objects).replace(/\$\(([a-z-]+)\)/g, (_, name) => params[name]));
}

describe('validating the OpenDataHub runtime templates', () => {
  const templates = fs.readdirSync(ODH).filter((f) => f.endsWith('-template.yaml')).sort();

  test('there are the six ODH v2.25 templates', () => {
    expect(templates).toStrictEqual([
      'caikit-standalone-template.yaml',
      'caikit-tgis-template.yaml',
      'ovms-kserve-template.yaml',
      'ovms-mm-template.yaml',
      'tgis-template.yaml',
      'vllm-template.yaml',
    ]);
  });

  test.each(templates)('GIVEN %s WHEN its ServingRuntime is validated THEN it is valid', (file) => {
    const [object] = odhTemplateObjects(file);
    expect(validateObject(object)).toStrictEqual({
      apiVersion: 'serving.kserve.io/v1alpha1',
      kind: 'ServingRuntime',
      name: (object as any).metadata.name,
      namespace: undefined,
      problems: [],
    });
  });

  test('GIVEN a template ServingRuntime with a typo in a container field THEN the field and the fix are named', () => {
    const [object] = odhTemplateObjects('vllm-template.yaml') as any[];
    object.spec.containers[0].ports[0].containerPort = '8080';
    object.spec.containers[0].volumeMount = [];
    expect(validateObject(object).problems).toStrictEqual([
      {
        path: ['spec', 'containers', 0, 'volumeMount'],
        atKey: true,
        rule: 'schema',
        message: 'unknown field "volumeMount" (did you mean "volumeMounts"?); it is none of the 24 fields known here',
      },
      { path: ['spec', 'containers', 0, 'ports', 0, 'containerPort'], rule: 'schema', message: '"8080" is not allowed; must be an integer' },
    ]);
  });
});

describe('modelcar validate on hand-written manifests', () => {
  const cases = ['valid', 'invalid'].flatMap((kind) =>
    fs
      .readdirSync(path.join(MANIFESTS, kind))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => [kind, f] as const),
  );

  test('there are valid and invalid InferenceServices, core kinds, lists and broken YAML', () => {
    expect(cases.filter(([k]) => k === 'valid').length).toBeGreaterThanOrEqual(4);
    expect(cases.filter(([k]) => k === 'invalid').length).toBeGreaterThanOrEqual(6);
  });

  // Fixtures named *-v0.20.yaml are judged by KServe v0.20.0 (--kserve-version 0.20), the others by v0.15.2.
  test.each(cases)('%s/%s: the exact report and exit code', async (kind, file) => {
    const fixture = path.join(MANIFESTS, kind, file);
    const result = await run(['validate', ...(file.includes('-v0.20') ? ['--kserve-version', '0.20'] : []), fixture]);
    expect(result).toStrictEqual({ code: kind === 'valid' ? 0 : 1, out: fs.readFileSync(fixture.replace(/\.yaml$/, '.expected'), 'utf8'), err: '' });
  });

  test('GIVEN a Secret whose data is not base64 THEN the message never shows the value', async () => {
    const result = await run(['validate', path.join(MANIFESTS, 'invalid', 'core-kinds.yaml')]);
    expect(result.out).toContain('data[".dockerconfigjson"]: the value (not shown: secret data) is not base64');
    expect(result.out).not.toContain('c2VjcmV0');
    expect(result.out).not.toContain('auths');
  });

  test('GIVEN a folder THEN every YAML file below it is validated, in order, and the summary counts them', async () => {
    const result = await run(['validate', path.join(MANIFESTS, 'valid')]);
    const warnings = fs.readFileSync(path.join(MANIFESTS, 'valid', 'isvc-warnings.expected'), 'utf8').split('\n').slice(0, -2);
    expect(result).toStrictEqual({
      code: 0,
      out: [
        ...warnings,
        '15 objects in 5 files: all valid, 8 warnings; not checked (no schema): 1 serving.kserve.io/v1alpha1 InferenceGraph, 1 serving.kserve.io/v1alpha1 LLMInferenceService, 1 serving.kserve.io/v1alpha1 ServingRuntimes',
        '',
      ].join('\n'),
      err: '',
    });
  });

  test('GIVEN the committed dist/ THEN it is valid, kustomization files are counted as not checked', async () => {
    expect(await run(['validate', 'dist'])).toStrictEqual({ code: 0, out: '13 objects in 15 files: all valid; not checked (no schema): 2 Kustomization\n', err: '' });
  });

  test('GIVEN --kserve-version THEN 0.15 and 0.20 are the releases validate knows; another is bad usage (exit 2)', async () => {
    expect(await run(['validate', '--kserve-version', '0.20', 'dist'])).toStrictEqual({ code: 0, out: '13 objects in 15 files: all valid; not checked (no schema): 2 Kustomization\n', err: '' });
    expect(await run(['validate', '--kserve-version', '0.16', 'dist'])).toStrictEqual({
      code: 2,
      out: '',
      err: 'modelcar: Invalid values:\n  Argument: kserve-version, Given: "0.16", Choices: "0.15", "0.20"\nRun `modelcar --help` for usage.\n',
    });
  });

  test('GIVEN a path that does not exist, or a folder without YAML THEN a clear error, exit 1', async () => {
    expect(await run(['validate', 'nope.yaml'])).toStrictEqual({ code: 1, out: '', err: 'modelcar: nope.yaml: no such file or folder\n' });
    const empty = tempDir('modelcar-validate-');
    expect(await run(['validate', empty])).toStrictEqual({ code: 1, out: '', err: `modelcar: ${empty}: no YAML files (*.yaml, *.yml) in this folder\n` });
  });

  test('GIVEN a file that is not UTF-8 THEN it is reported, not thrown', () => {
    const dir = tempDir('modelcar-validate-');
    fs.writeFileSync(path.join(dir, 'latin1.yaml'), Buffer.from([0x6b, 0x69, 0x6e, 0x64, 0x3a, 0x20, 0xe9, 0x0a]));
    return run(['validate', dir]).then((r) =>
      expect(r).toStrictEqual({ code: 1, out: `${dir}/latin1.yaml: is not UTF-8 text; save it as UTF-8\n1 problem in 0 objects in 1 file\n`, err: '' }),
    );
  });
});

describe('validation rules beyond the schema', () => {
  const isvc = (metadata: object, model: object = {}) => ({
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata,
    spec: { predictor: { model: { modelFormat: { name: 'onnx' }, storageUri: 'oci://quay.io/a/b:1', ...model } } },
  });

  // kserve/kserve v0.15.2 pkg/constants/constants.go PredictorServiceName: KServe's webhook admits any length; the
  // API server refuses the `<name>-predictor` Service (a DNS-1035 label) when KServe creates it.
  test('GIVEN an InferenceService name longer than KServe can derive a Service name from THEN it is admitted, with a warning naming the Service', () => {
    const name = `m${'x'.repeat(53)}`;
    expect(validateObject(isvc({ name, namespace: 'demo' })).problems).toStrictEqual([
      {
        path: ['metadata', 'name'],
        rule: 'PredictorServiceName',
        warning: true,
        message:
          `"${name}" is too long for the predictor: KServe names its Service "${name}-predictor", 64 characters, and a Service name is a DNS-1035 label of at most 63; ` +
          'the API server refuses that Service when KServe creates it, so the predictor never runs; shorten the name by 1 (KServe v0.15.2 PredictorServiceName, at reconcile: the object is admitted)',
      },
    ]);
  });

  test('GIVEN an InferenceService name longer than the API server takes (253) THEN it is refused', () => {
    const name = `m${'x'.repeat(253)}`;
    expect(validateObject(isvc({ name, namespace: 'demo' })).problems).toStrictEqual([
      { path: ['metadata', 'name'], rule: 'metadata', message: `"${name}" is not a valid InferenceService name: must be no more than 253 characters` },
    ]);
  });

  test('GIVEN no name THEN the name is required; generateName is accepted instead', () => {
    expect(validateObject(isvc({ namespace: 'demo' })).problems).toStrictEqual([{ path: ['metadata'], rule: 'metadata', message: 'missing required field "name"' }]);
    expect(validateObject(isvc({ generateName: 'm-', namespace: 'demo' })).problems).toStrictEqual([]);
    expect(validateObject({ ...isvc({}), metadata: undefined }).problems).toStrictEqual([{ path: [], rule: 'metadata', message: 'missing required field "metadata" (with at least metadata.name)' }]);
  });

  test('GIVEN annotations over 256 KiB in total THEN they are too long', () => {
    const annotations = { 'example.com/a': 'x'.repeat(200 * 1024), 'example.com/b': 'y'.repeat(60 * 1024) };
    expect(validateObject(isvc({ name: 'm', namespace: 'demo', annotations })).problems).toStrictEqual([
      { path: ['metadata', 'annotations'], rule: 'metadata', message: 'Too long: must have at most 262144 bytes (these annotations have 266266)' },
    ]);
  });

  // The CRDs do not check container resources; the API server does when KServe creates the workload (Kubernetes
  // pkg/apis/core/validation ValidateResourceRequirements): admitted, with a warning.
  test('GIVEN container resources in a ServingRuntime THEN they are checked like a pod, as a warning', () => {
    const [sr] = odhTemplateObjects('ovms-kserve-template.yaml') as any[];
    sr.spec.containers[0].resources = { requests: { cpu: '2', memory: '8Gi' }, limits: { cpu: '1', memory: '8Gi' } };
    expect(validateObject(sr).problems).toStrictEqual([
      {
        path: ['spec', 'containers', 0, 'resources', 'requests', 'cpu'],
        rule: 'ValidateResourceRequirements',
        warning: true,
        message:
          'Invalid value: "2": must be less than or equal to cpu limit of 1 (Kubernetes ValidateResourceRequirements, at reconcile: the ServingRuntime is admitted, and the API server refuses the workloads of the models that use it)',
      },
    ]);
  });

  test('GIVEN a YAML text THEN problems point at the line of the field, or of the key for an unknown field', () => {
    const text = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: demo\nautomountServiceAccountToken: "no"\nsecret: []\n';
    expect(validateYamlText('sa.yaml', text).problems).toStrictEqual([
      { position: { file: 'sa.yaml', line: 6, column: 31 }, field: 'ServiceAccount demo/sa: automountServiceAccountToken', message: '"no" is not allowed; must be a boolean', rule: 'schema' },
      {
        position: { file: 'sa.yaml', line: 7, column: 1 },
        field: 'ServiceAccount demo/sa: secret',
        message: 'unknown field "secret" (did you mean "secrets"?); known fields here: apiVersion, kind, metadata, secrets, imagePullSecrets, automountServiceAccountToken',
        rule: 'schema',
      },
    ]);
  });
});

describe('synth validates what it emits before writing', () => {
  test('GIVEN constructs that emit an invalid InferenceService WHEN synthesized THEN nothing is written and the problem is named', () => {
    const chart: Chart = testChart();
    new ApiObject(chart, 'bad', {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'bad', namespace: 'demo' },
      spec: { predictor: { model: { modelFormat: { name: 'onnx' }, storageUri: 5 } } },
    });
    const outdir = path.join(tempDir('modelcar-out-'), 'dist');
    let error: unknown;
    try {
      synthesize(chart, { outdir, source: 'models.ts' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OutputValidationError);
    expect((error as Error).message).toBe(
      [
        "the synthesized objects do not pass the KServe / Kubernetes schemas and KServe's admission rules:",
        `${outdir}/manifests/demo/inferenceservice-bad.yaml:15:19: InferenceService demo/bad: spec.predictor.model.storageUri: number 5 is not allowed; must be a string (quote it: "5")`,
        '1 problem found; nothing was written.',
      ].join('\n'),
    );
    expect(fs.existsSync(outdir)).toBe(false);
  });

  // kserve/kserve v0.15.2 component.go validateReplicas (refused at admission) and hpa_reconciler.go getHPAMetrics
  // (admitted, then ignored): synth writes neither.
  test('GIVEN constructs that emit an InferenceService KServe refuses, or admits and then ignores in part THEN synth names both and writes nothing', () => {
    const chart: Chart = testChart();
    const isvc = (name: string, annotations: Record<string, string>, predictor: object) =>
      new ApiObject(chart, name, {
        apiVersion: 'serving.kserve.io/v1beta1',
        kind: 'InferenceService',
        metadata: { name, namespace: 'demo', annotations },
        spec: { predictor: { ...predictor, model: { modelFormat: { name: 'onnx' }, storageUri: 'oci://quay.io/a/b:1' } } },
      });
    isvc('replicas', { 'serving.kserve.io/deploymentMode': 'Serverless' }, { minReplicas: 3, maxReplicas: 2 });
    isvc('raw', { 'serving.kserve.io/deploymentMode': 'RawDeployment' }, { scaleMetric: 'concurrency' });
    const outdir = path.join(tempDir('modelcar-out-'), 'dist');
    expect(() => synthesize(chart, { outdir, source: 'models.ts' })).toThrow(
      new OutputValidationError(
        [
          "the synthesized objects do not pass the KServe / Kubernetes schemas and KServe's admission rules:",
          `${outdir}/manifests/demo/inferenceservice-replicas.yaml:13:18: InferenceService demo/replicas: spec.predictor.maxReplicas: 'MinReplicas' cannot be greater than MaxReplicas: minReplicas 3 > maxReplicas 2; raise maxReplicas or lower minReplicas (KServe v0.15.2 validateReplicas, at admission)`,
          `${outdir}/manifests/demo/inferenceservice-raw.yaml:17:18: warning: InferenceService demo/raw: spec.predictor.scaleMetric: is ignored: in deploymentMode RawDeployment KServe's HPA scales on cpu, or memory with a scaleTarget, and drops concurrency, which only Knative's autoscaler knows; use cpu or memory with a scaleTarget, or the Serverless mode to scale on concurrency or rps (KServe v0.15.2 getHPAMetrics, at reconcile: the object is admitted)`,
          '2 problems found; nothing was written.',
        ].join('\n'),
      ),
    );
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('GIVEN an InferenceService written for KServe 0.16+ (deployment mode Standard) THEN synth judges it by v0.20.0, where Standard is the plain mode', () => {
    const chart: Chart = testChart();
    new ApiObject(chart, 'standard', {
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'standard', namespace: 'demo', annotations: { 'serving.kserve.io/deploymentMode': 'Standard', 'serving.kserve.io/autoscalerClass': 'hpa' } },
      spec: { predictor: { scaleMetric: 'cpu', scaleTarget: 70, model: { modelFormat: { name: 'onnx' }, storageUri: 'oci://quay.io/a/b:1' } } },
    });
    const outdir = path.join(tempDir('modelcar-out-'), 'dist');
    expect(synthesize(chart, { outdir, source: 'models.ts' }).changes.added).toContain('manifests/demo/inferenceservice-standard.yaml');
    // v0.15.2 does not know Standard: it would judge the object as Serverless, where cpu is not a Knative metric.
    expect(() => validateOutput([{ path: 'manifests/demo/x.yaml', content: fs.readFileSync(path.join(outdir, 'manifests/demo/inferenceservice-standard.yaml'), 'utf8') }], 'dist', { kserve: 'v0.15.2' })).toThrow(
      /validateKPAMetrics/,
    );
  });

  test('GIVEN synthesized runtimes as data, one clashing with a valid one before it in another file THEN the check names the clash at its file and line (KServe v0.15.2 validateServingRuntimePriority); without the clash it passes', () => {
    const runtime = (name: string, format: string) => ({
      apiVersion: 'serving.kserve.io/v1alpha1',
      kind: 'ServingRuntime',
      metadata: { name, namespace: 'demo' },
      spec: { supportedModelFormats: [{ name: format, autoSelect: true, priority: 1 }], protocolVersions: ['v2'], containers: [{ name: 'kserve-container', image: 'quay.io/a/server:1' }] },
    });
    const file = (data: ReturnType<typeof runtime>) => ({ path: `manifests/demo/servingruntime-${data.metadata.name}.yaml`, content: YAML.stringify(data), data });
    expect(() => validateOutput([file(runtime('first', 'onnx')), file(runtime('second', 'pytorch'))], 'dist', { kserve: 'v0.15.2' })).not.toThrow();
    expect(() => validateOutput([file(runtime('first', 'onnx')), file(runtime('second', 'ONNX'))], 'dist', { kserve: 'v0.15.2' })).toThrow(
      [
        'the synthesized objects do not pass the KServe / Kubernetes schemas and KServe\'s admission rules:',
        'dist/manifests/demo/servingruntime-second.yaml:10:17: ServingRuntime demo/second: spec.supportedModelFormats[0].priority: same priority assigned for the model format ONNX in the servingruntimes first and second in namespace demo: give one of them another priority, or autoSelect: false (KServe v0.15.2 validateServingRuntimePriority, at admission: refused when first is applied first)',
        '1 problem found; nothing was written.',
      ].join('\n'),
    );
  });
});
