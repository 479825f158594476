import { ServingRuntime } from '../../src/constructs/serving-runtime';
import { BUILTIN_RUNTIMES, KSERVE_OVMS, RUNTIMES_LEFT_OUT, builtinRuntimeNames, runtimeNamesOf, vllmCudaRuntime } from '../../src/constructs/runtimes/catalogue';
import { withImages } from '../../src/constructs/runtimes/definition';
import { ODH_IMAGES, ODH_RELEASE_IMAGES } from '../../src/constructs/runtimes/odh-images';
import { resolveRelease } from '../../src/core/releases';
import { ODH_TAGS, dashboardServingRuntime as dashboard, odhParams as params, odhServingRuntime as srOf, singleModelTemplates } from '../support/odh-templates';
import { ModelLayouts } from '../../src/core/model-layout';
import { objectsOf, testChart } from '../support/charts';

const TAG = 'odh-v2.25';
const odhParams = () => params(TAG);
const dashboardServingRuntime = (file: string, ns: string) => dashboard(TAG, file, ns);
const odhServingRuntime = (file: string) => srOf(TAG, file);

/** Every KServe runtime template of odh-v2.25, by the ServingRuntime it holds. */
const TEMPLATES: Record<string, string> = {
  'kserve-ovms': 'ovms-kserve-template.yaml',
  'vllm-runtime': 'vllm-template.yaml',
  'caikit-tgis-runtime': 'caikit-tgis-template.yaml',
  'caikit-standalone-runtime': 'caikit-standalone-template.yaml',
  'tgis-grpc-runtime': 'tgis-template.yaml',
};

/** The release profile of each odh-model-controller tag in ../shared. */
const PROFILE_OF_TAG: Record<string, string> = Object.fromEntries(ODH_TAGS.map((t) => [t, `odh-${t.slice('odh-v'.length)}`]));

describe('built-in runtimes of each OpenDataHub release (odh-model-controller config/runtimes/ at the tag)', () => {
  test.each(ODH_TAGS.map((t) => [t]))(
    'GIVEN %s THEN every single-model template it ships is built in, or left out for a stated reason',
    (tag) => {
      const templates = singleModelTemplates(tag);
      const built = runtimeNamesOf(resolveRelease(PROFILE_OF_TAG[tag]));
      const left = Object.keys(templates).filter((n) => !built.includes(n)).sort();
      expect([...built, ...left].sort()).toStrictEqual(Object.keys(templates).sort());
      for (const name of left) expect(RUNTIMES_LEFT_OUT[name]).toEqual(expect.any(String));
    },
  );

  const cases = ODH_TAGS.flatMap((tag) => Object.entries(singleModelTemplates(tag)).filter(([name]) => runtimeNamesOf(resolveRelease(PROFILE_OF_TAG[tag])).includes(name)).map(([name, file]) => [tag, name, file]));
  test.each(cases)(
    'GIVEN %s and its %s on platform odh WHEN synthesized THEN it is the template object (images from params.env) with the annotations the dashboard adds',
    (tag, name, file) => {
      const chart = testChart();
      ServingRuntime.shared(chart, { runtime: name, namespace: 'team-a', release: PROFILE_OF_TAG[tag] });
      // odh-v2.30 keeps the images in config/base/params-cuda.env (not in ../shared), with the values of odh-v2.35's params.env.
      const images = tag === 'odh-v2.30' ? params('odh-v2.35') : params(tag);
      expect(objectsOf(chart)).toStrictEqual([dashboard(tag, file, 'team-a', images)]);
    },
  );

  test.each(ODH_TAGS.map((t) => [t]))('GIVEN %s THEN ODH_RELEASE_IMAGES are the images its templates get from params.env', (tag) => {
    const p = tag === 'odh-v2.30' ? params('odh-v2.35') : params(tag);
    const images = ODH_RELEASE_IMAGES[tag];
    expect(images.ovms).toBe(p['ovms-image']);
    expect(images.vllm).toBe(p['vllm-image'] ?? p['vllm-cuda-image']);
    // tgis and caikit images of the releases that still ship those templates
    if (p['tgis-image']) expect(images.tgis).toBe(p['tgis-image']);
    if (p['caikit-tgis-image']) expect(images.caikitTgis).toBe(p['caikit-tgis-image']);
    if (p['caikit-standalone-image']) expect(images.caikitStandalone).toBe(p['caikit-standalone-image']);
  });

  test('GIVEN the renames and removals of odh-model-controller THEN each release refuses what it no longer ships, naming the releases that have it', () => {
    expect(runtimeNamesOf(resolveRelease('odh-2.26'))).toStrictEqual(['caikit-standalone-runtime', 'caikit-tgis-runtime', 'kserve-ovms', 'tgis-grpc-runtime', 'vllm-runtime']);
    expect(runtimeNamesOf(resolveRelease('odh-2.27'))).toStrictEqual(['caikit-standalone-runtime', 'caikit-tgis-runtime', 'kserve-ovms', 'vllm-cuda-runtime']);
    expect(runtimeNamesOf(resolveRelease('odh-3.0'))).toStrictEqual(['caikit-tgis-runtime', 'kserve-ovms', 'vllm-cuda-runtime']);
    expect(runtimeNamesOf(resolveRelease('rhoai-3.0'))).toStrictEqual(['kserve-ovms', 'vllm-cuda-runtime']);
    expect(runtimeNamesOf(resolveRelease('odh-3.4'))).toStrictEqual(['kserve-ovms', 'vllm-cuda-runtime']);
    expect(() => ServingRuntime.shared(testChart(), { runtime: 'vllm-runtime', namespace: 'ns', release: 'odh-3.4' })).toThrow(
      'ServingRuntime.shared runtime: runtime vllm-runtime is not shipped by OpenDataHub 3.4; OpenDataHub 3.4 ships it as vllm-cuda-runtime; releases that have it: odh-2.25, odh-2.26, rhoai-2.16, kserve-0.15; its built-in runtimes: kserve-ovms, vllm-cuda-runtime',
    );
    expect(() => ServingRuntime.shared(testChart(), { runtime: 'tgis-grpc-runtime', namespace: 'ns', release: 'odh-2.27' })).toThrow(
      'ServingRuntime.shared runtime: runtime tgis-grpc-runtime is not shipped by OpenDataHub 2.27; releases that have it: odh-2.25, odh-2.26, rhoai-2.16, kserve-0.15; its built-in runtimes: kserve-ovms, vllm-cuda-runtime, caikit-tgis-runtime, caikit-standalone-runtime',
    );
  });

  test('GIVEN the default release THEN the built-in runtimes are those of the newest OpenDataHub release', () => {
    const chart = testChart();
    ServingRuntime.shared(chart, { runtime: 'kserve-ovms', namespace: 'team-a' });
    expect(objectsOf(chart)).toStrictEqual([dashboard('odh-v3.4', 'ovms-kserve-template.yaml', 'team-a')]);
  });
});

describe('built-in runtimes of odh-v2.25 (the constants)', () => {
  test('GIVEN the ODH release in ../shared THEN every KServe runtime template it ships is built in (the ModelMesh ovms is not)', () => {
    expect(Object.keys(singleModelTemplates(TAG)).sort()).toStrictEqual(builtinRuntimeNames());
    expect(Object.keys(TEMPLATES).sort()).toStrictEqual(builtinRuntimeNames());
  });

  test.each(Object.entries(TEMPLATES))('GIVEN %s on platform kserve 0.15 WHEN synthesized THEN the same spec, and no OpenDataHub metadata', (name, templateFile) => {
    const chart = testChart();
    ServingRuntime.shared(chart, { runtime: name, namespace: 'team-a', platform: 'kserve', kserveVersion: '0.15' });
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
    expect(vllmCudaRuntime('odh-v3.4').defaults).toStrictEqual({ resources: large, gpus: 1 });
    expect(vllmCudaRuntime('odh-v3.4').layout).toBe(ModelLayouts.FLAT);
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

  test('GIVEN an unknown built-in name THEN it says which exist in the release', () => {
    expect(() => ServingRuntime.shared(testChart(), { runtime: 'kserve-ovm', namespace: 'ns', release: 'odh-2.25' })).toThrow(
      'ServingRuntime.shared runtime: "kserve-ovm" is not a built-in runtime of OpenDataHub 2.25; its built-in runtimes: kserve-ovms, vllm-runtime, caikit-tgis-runtime, caikit-standalone-runtime, tgis-grpc-runtime',
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
