import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ServingRuntime } from '../src/serving-runtime';
import { BUILTIN_RUNTIMES } from '../src/runtimes';
import { ModelLayouts } from '../src/model-layout';
import { objectsOf, testChart } from './support/charts';

const ODH = path.join(__dirname, 'fixtures', 'odh-runtimes', 'odh-v2.25');

/** The ServingRuntime of an ODH template, with its image placeholder filled in from params.env, as the ODH operator does. */
function odhServingRuntime(templateFile: string): any {
  const params = Object.fromEntries(
    fs.readFileSync(path.join(ODH, 'params.env'), 'utf8').trim().split('\n').map((l) => l.split(/=(.*)/s).slice(0, 2)),
  );
  const template = YAML.parse(fs.readFileSync(path.join(ODH, templateFile), 'utf8'));
  const text = JSON.stringify(template.objects[0]).replace(/\$\(([a-z-]+)\)/g, (_, name) => {
    if (!(name in params)) throw new Error(`params.env has no ${name}`);
    return params[name];
  });
  return JSON.parse(text);
}

describe('ServingRuntime', () => {
  test('GIVEN the built-in kserve-ovms WHEN synthesized THEN it is the ODH kserve-ovms template object, image substituted', () => {
    const chart = testChart();
    ServingRuntime.builtin(chart, 'kserve-ovms', 'oci-model-example');
    const expected = odhServingRuntime('ovms-kserve-template.yaml');
    expected.metadata.namespace = 'oci-model-example';
    expect(objectsOf(chart)).toStrictEqual([expected]);
  });

  test('GIVEN the built-in kserve-ovms THEN its image is the one params.env names and its layout is OVMS', () => {
    const def = BUILTIN_RUNTIMES['kserve-ovms'];
    expect(def.image).toBe('quay.io/opendatahub/openvino_model_server:2024.5-release');
    expect(def.spec.containers[0].image).toBe(def.image);
    expect(def.layout).toBe(ModelLayouts.OVMS);
  });

  test('GIVEN two models of one namespace THEN builtin() returns the same shared ServingRuntime; another namespace gets its own', () => {
    const chart = testChart();
    const a = ServingRuntime.builtin(chart, 'kserve-ovms', 'ns-a');
    expect(ServingRuntime.builtin(chart, 'kserve-ovms', 'ns-a')).toBe(a);
    expect(ServingRuntime.builtin(chart, 'kserve-ovms', 'ns-b')).not.toBe(a);
    expect(objectsOf(chart).map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toStrictEqual(['ns-a/kserve-ovms', 'ns-b/kserve-ovms']);
  });

  test('GIVEN an unknown built-in name THEN it says which exist', () => {
    expect(() => ServingRuntime.builtin(testChart(), 'kserve-ovm', 'ns')).toThrow('runtime: "kserve-ovm" is not a built-in runtime; built-in: kserve-ovms');
  });

  test('GIVEN fromName / fromClusterName THEN a reference is returned and nothing is emitted', () => {
    const chart = testChart();
    expect(ServingRuntime.fromName('my-runtime')).toStrictEqual({ name: 'my-runtime', kind: 'ServingRuntime' });
    expect(ServingRuntime.fromClusterName('kserve-tritonserver')).toStrictEqual({ name: 'kserve-tritonserver', kind: 'ClusterServingRuntime' });
    expect(objectsOf(chart)).toStrictEqual([]);
  });

  test('GIVEN a custom runtime THEN its spec is emitted as given', () => {
    const chart = testChart('ns');
    const sr = new ServingRuntime(chart, 'sr', {
      name: 'custom',
      spec: { containers: [{ name: 'kserve-container', image: 'quay.io/x/server:1' }], supportedModelFormats: [{ name: 'custom-format', autoSelect: true }] },
      layout: ModelLayouts.FLAT,
    });
    expect(sr.supportedModelFormats).toStrictEqual([{ name: 'custom-format', version: undefined, autoSelect: true }]);
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
