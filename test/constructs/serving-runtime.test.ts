import { sharedPath } from '../support/shared';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ServingRuntime } from '../../src/constructs/serving-runtime';
import { BUILTIN_RUNTIMES, KSERVE_OVMS, builtinRuntimeNames } from '../../src/constructs/runtimes/catalogue';
import { withImages } from '../../src/constructs/runtimes/definition';
import { ODH_IMAGES } from '../../src/constructs/runtimes/odh-images';
import { ModelLayouts } from '../../src/core/model-layout';
import { objectsOf, testChart } from '../support/charts';

const ODH = sharedPath('odh', 'runtimes', 'odh-v2.25');

/** params.env of odh-model-controller (../shared/odh/runtimes): image parameter name to image. */
function odhParams(): Record<string, string> {
  return Object.fromEntries(
    fs.readFileSync(path.join(ODH, 'params.env'), 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

/** An ODH template, parsed. */
function odhTemplate(templateFile: string): any {
  return YAML.parse(fs.readFileSync(path.join(ODH, templateFile), 'utf8'));
}

/** The ServingRuntime of an ODH template, with its image placeholders filled in from params.env, as the ODH operator does. */
function odhServingRuntime(templateFile: string): any {
  const params = odhParams();
  const text = JSON.stringify(odhTemplate(templateFile).objects[0]).replace(/\$\(([a-z-]+)\)/g, (_, name) => {
    if (!(name in params)) throw new Error(`params.env has no ${name}`);
    return params[name];
  });
  return JSON.parse(text);
}

/**
 * What the OpenShift AI dashboard makes of a template's ServingRuntime: the object, plus the Template's API
 * protocol, the template it came from and its scope (a global template, of the dashboard's namespace).
 */
function dashboardServingRuntime(templateFile: string, namespace: string): any {
  const template = odhTemplate(templateFile);
  const object = odhServingRuntime(templateFile);
  object.metadata.namespace = namespace;
  object.metadata.annotations = {
    ...object.metadata.annotations,
    'opendatahub.io/apiProtocol': template.metadata.annotations['opendatahub.io/apiProtocol'],
    'opendatahub.io/template-name': object.metadata.name,
    'opendatahub.io/template-display-name': object.metadata.annotations['openshift.io/display-name'],
    'opendatahub.io/serving-runtime-scope': 'global',
  };
  return object;
}

/** Every KServe (single-model) runtime template of the ODH release in ../shared, by the ServingRuntime it holds. */
const TEMPLATES: Record<string, string> = {
  'kserve-ovms': 'ovms-kserve-template.yaml',
  'vllm-runtime': 'vllm-template.yaml',
  'caikit-tgis-runtime': 'caikit-tgis-template.yaml',
  'caikit-standalone-runtime': 'caikit-standalone-template.yaml',
  'tgis-grpc-runtime': 'tgis-template.yaml',
};

describe('built-in runtimes', () => {
  test('GIVEN the ODH release in ../shared THEN every KServe runtime template it ships is built in (the ModelMesh ovms is not)', () => {
    const singleModel = fs
      .readdirSync(ODH)
      .filter((f) => f.endsWith('-template.yaml'))
      .map((f) => odhTemplate(f))
      .filter((t) => JSON.parse(t.metadata.annotations['opendatahub.io/modelServingSupport']).includes('single'))
      .map((t) => t.objects[0].metadata.name)
      .sort();
    expect(singleModel).toStrictEqual(builtinRuntimeNames());
    expect(Object.keys(TEMPLATES).sort()).toStrictEqual(builtinRuntimeNames());
  });

  test.each(Object.entries(TEMPLATES))(
    'GIVEN %s on platform odh WHEN synthesized THEN it is the ODH template object (image from params.env) with the annotations the dashboard adds',
    (name, templateFile) => {
      const chart = testChart();
      ServingRuntime.shared(chart, { runtime: name, namespace: 'team-a' });
      expect(objectsOf(chart)).toStrictEqual([dashboardServingRuntime(templateFile, 'team-a')]);
    },
  );

  test.each(Object.entries(TEMPLATES))('GIVEN %s on platform kserve WHEN synthesized THEN the same spec, and no OpenDataHub metadata', (name, templateFile) => {
    const chart = testChart();
    ServingRuntime.shared(chart, { runtime: name, namespace: 'team-a', platform: 'kserve' });
    const odh = odhServingRuntime(templateFile);
    expect(objectsOf(chart)).toStrictEqual([{ apiVersion: odh.apiVersion, kind: odh.kind, metadata: { name, namespace: 'team-a' }, spec: odh.spec }]);
  });

  test('GIVEN params.env THEN ODH_IMAGES are its model server images', () => {
    const params = odhParams();
    expect(ODH_IMAGES).toStrictEqual({
      ovms: params['ovms-image'],
      vllm: params['vllm-image'],
      tgis: params['tgis-image'],
      caikitTgis: params['caikit-tgis-image'],
      caikitStandalone: params['caikit-standalone-image'],
    });
  });

  test('GIVEN each runtime THEN its layout is the one its server reads, and its defaults are the dashboard sizes', () => {
    const summary = Object.fromEntries(
      Object.values(BUILTIN_RUNTIMES).map((r) => [r.name, { layout: r.layout.name, resources: r.defaults?.resources, gpus: r.defaults?.gpus ?? 0 }]),
    );
    const small = { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '8Gi' } };
    const medium = { requests: { cpu: '4', memory: '8Gi' }, limits: { cpu: '8', memory: '10Gi' } };
    const large = { requests: { cpu: '6', memory: '16Gi' }, limits: { cpu: '10', memory: '20Gi' } };
    expect(summary).toStrictEqual({
      'kserve-ovms': { layout: 'ovms', resources: small, gpus: 0 },
      'vllm-runtime': { layout: 'flat', resources: large, gpus: 1 },
      'caikit-tgis-runtime': { layout: 'caikit', resources: large, gpus: 0 },
      'caikit-standalone-runtime': { layout: 'caikit', resources: medium, gpus: 0 },
      'tgis-grpc-runtime': { layout: 'flat', resources: large, gpus: 0 },
    });
  });

  test("GIVEN the servers' own arguments THEN each layout is where the server reads the model", () => {
    const args = (name: string) => BUILTIN_RUNTIMES[name].spec.containers.flatMap((c) => [...(c.args ?? []), ...(c.env ?? []).map((e) => `${e.name}=${e.value}`)]);
    expect(args('kserve-ovms')).toContain('--model_path=/mnt/models'); // + version folder 1/
    expect(args('vllm-runtime')).toContain('--model=/mnt/models');
    expect(args('tgis-grpc-runtime')).toContain('--model-name=/mnt/models/');
    expect(args('caikit-tgis-runtime')).toStrictEqual(expect.arrayContaining(['--model-name=/mnt/models/artifacts/', 'RUNTIME_LOCAL_MODELS_DIR=/mnt/models']));
    expect(args('caikit-standalone-runtime')).toContain('RUNTIME_LOCAL_MODELS_DIR=/mnt/models');
    expect(ModelLayouts.CAIKIT).toStrictEqual({ name: 'caikit', directory: 'artifacts', topLevelFiles: ['config.yml'] });
  });
});

describe('ServingRuntime', () => {
  test('GIVEN two models of one namespace THEN shared() returns the same ServingRuntime; another namespace gets its own', () => {
    const chart = testChart();
    const a = ServingRuntime.shared(chart, { runtime: 'kserve-ovms', namespace: 'ns-a' });
    expect(ServingRuntime.shared(chart, { runtime: 'kserve-ovms', namespace: 'ns-a' })).toBe(a);
    expect(ServingRuntime.shared(chart, { runtime: 'kserve-ovms', namespace: 'ns-b' })).not.toBe(a);
    expect(objectsOf(chart).map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toStrictEqual(['ns-a/kserve-ovms', 'ns-b/kserve-ovms']);
  });

  test('GIVEN a namespace whose shared runtime was defined with another image THEN a second definition is refused', () => {
    const chart = testChart();
    ServingRuntime.shared(chart, { runtime: 'kserve-ovms', namespace: 'ns' });
    const pinned = withImages(KSERVE_OVMS, { 'kserve-container': `quay.io/opendatahub/openvino_model_server@sha256:${'1'.repeat(64)}` });
    expect(() => ServingRuntime.shared(chart, { runtime: pinned, namespace: 'ns' })).toThrow(
      'runtime: ServingRuntime kserve-ovms in namespace ns is shared by the models there and was already defined differently (another image, spec, layout, defaults or platform); give every model of a namespace the same definition of kserve-ovms',
    );
    expect(() => ServingRuntime.shared(chart, { runtime: 'kserve-ovms', namespace: 'ns', platform: 'kserve' })).toThrow(/already defined differently/);
  });

  test('GIVEN an image pinned by digest THEN the ServingRuntime runs that image and nothing else changes', () => {
    const digest = `quay.io/opendatahub/vllm@sha256:${'a'.repeat(64)}`;
    const chart = testChart();
    ServingRuntime.shared(chart, { runtime: withImages(BUILTIN_RUNTIMES['vllm-runtime'], { 'kserve-container': digest }), namespace: 'ns' });
    const expected = dashboardServingRuntime('vllm-template.yaml', 'ns');
    expected.spec.containers[0].image = digest;
    expect(objectsOf(chart)).toStrictEqual([expected]);
  });

  test('GIVEN images for the two containers of caikit-tgis THEN each container gets its own', () => {
    const def = withImages(BUILTIN_RUNTIMES['caikit-tgis-runtime'], { 'transformer-container': 'registry.example.com/caikit-tgis:1', 'kserve-container': 'registry.example.com/tgis:1' });
    expect(def.spec.containers.map((c) => `${c.name}=${c.image}`)).toStrictEqual(['kserve-container=registry.example.com/tgis:1', 'transformer-container=registry.example.com/caikit-tgis:1']);
    expect(BUILTIN_RUNTIMES['caikit-tgis-runtime'].spec.containers[1].image).toBe(ODH_IMAGES.caikitTgis); // the built-in is untouched
  });

  test('GIVEN images for a container the runtime lacks, or an invalid reference THEN withImages says which', () => {
    expect(() => withImages(KSERVE_OVMS, { transformer: 'quay.io/x/y:1' })).toThrow(
      'images.transformer: runtime kserve-ovms has no container "transformer"; its containers: kserve-container',
    );
    expect(() => withImages(KSERVE_OVMS, { 'kserve-container': 'oci://quay.io/x/y:1' })).toThrow(/drop the "oci:\/\/" prefix/);
  });

  test('GIVEN an unknown built-in name THEN it says which exist', () => {
    expect(() => ServingRuntime.shared(testChart(), { runtime: 'kserve-ovm', namespace: 'ns' })).toThrow(
      'runtime: "kserve-ovm" is not a built-in runtime; built-in: kserve-ovms, vllm-runtime, caikit-tgis-runtime, caikit-standalone-runtime, tgis-grpc-runtime',
    );
  });

  test('GIVEN fromName / fromClusterName THEN a reference is returned, with what is known of it, and nothing is emitted', () => {
    const chart = testChart();
    expect(ServingRuntime.fromName('my-runtime')).toStrictEqual({ name: 'my-runtime', kind: 'ServingRuntime' });
    expect(ServingRuntime.fromClusterName('kserve-tritonserver', { layout: ModelLayouts.FLAT, supportedModelFormats: [{ name: 'onnx' }] })).toStrictEqual({
      name: 'kserve-tritonserver',
      kind: 'ClusterServingRuntime',
      layout: ModelLayouts.FLAT,
      supportedModelFormats: [{ name: 'onnx' }],
    });
    expect(() => ServingRuntime.fromClusterName('Triton')).toThrow(/^ServingRuntime.fromClusterName name: "Triton" is not a valid/);
    expect(objectsOf(chart)).toStrictEqual([]);
  });

  test('GIVEN a custom runtime THEN its spec is emitted as given', () => {
    const chart = testChart('ns');
    const sr = new ServingRuntime(chart, 'sr', {
      name: 'custom',
      spec: { containers: [{ name: 'kserve-container', image: 'quay.io/x/server:1' }], supportedModelFormats: [{ name: 'custom-format', autoSelect: true }] },
      layout: ModelLayouts.FLAT,
      defaults: { gpus: 2 },
    });
    expect(sr.supportedModelFormats).toStrictEqual([{ name: 'custom-format', version: undefined, autoSelect: true }]);
    expect(sr.defaults).toStrictEqual({ gpus: 2 });
    expect(objectsOf(chart)).toStrictEqual([
      {
        apiVersion: 'serving.kserve.io/v1alpha1',
        kind: 'ServingRuntime',
        metadata: { name: 'custom', namespace: 'ns' },
        spec: { containers: [{ name: 'kserve-container', image: 'quay.io/x/server:1' }], supportedModelFormats: [{ name: 'custom-format', autoSelect: true }] },
      },
    ]);
  });

  test('GIVEN no containers or a bad name THEN the constructor names the prop', () => {
    expect(() => new ServingRuntime(testChart('ns'), 'sr', { name: 'x', spec: { containers: [] } })).toThrow('ServingRuntime spec.containers: "x" needs at least one container');
    expect(() => new ServingRuntime(testChart('ns'), 'sr', { name: 'UPPER', spec: { containers: [{ name: 'c' }] } })).toThrow(/^ServingRuntime name: "UPPER" is not a valid/);
  });
});
