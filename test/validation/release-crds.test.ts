/**
 * Each release profile validates its output with the CRDs of the KServe its platform runs (../shared/kserve/crds:
 * upstream v0.15.2 and v0.20.0, OpenDataHub's fork at odh-v2.25 and odh-v3.4), and its objects pass them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { OciModel } from '../../src/constructs/oci-model';
import { RELEASES } from '../../src/core/releases';
import { loadConfig } from '../../src/config/load';
import { renderConfig, synthesize } from '../../src/pipeline/synthesize';
import { OutputValidationError, validateOutput } from '../../src/validation/validate-output';
import { runtimeNamesOf } from '../../src/constructs/runtimes/catalogue';
import { tempDir } from '../support/temp';

const tmp = () => tempDir('modelcar-crds-');

/** A model on each built-in runtime of a release, in one chart, synthesized as `synthesize` does. */
function synthRelease(release: string) {
  const chart = new Chart(new App(), 'models', { namespace: 'ns', disableResourceNameHashes: true });
  const formats: Record<string, string> = { 'kserve-ovms': 'onnx', 'vllm-runtime': 'vLLM', 'vllm-cuda-runtime': 'vLLM', 'tgis-grpc-runtime': 'pytorch', 'caikit-tgis-runtime': 'caikit', 'caikit-standalone-runtime': 'caikit' };
  for (const runtime of runtimeNamesOf(RELEASES.get(release)!)) {
    const auth = RELEASES.get(release)!.rawAuthMarker !== 'none' && RELEASES.get(release)!.platform === 'odh';
    new OciModel(chart, runtime, { name: `m-${runtime}`.slice(0, 40), runtime, release, auth, modelFormat: { name: formats[runtime] }, image: `quay.io/u/${runtime}:1`, files: [{ source: 'https://example.com/config.json' }] });
  }
  const outdir = path.join(tmp(), 'dist');
  return synthesize(chart, { outdir, source: 'test' });
}

describe('the CRDs of each release validate its output', () => {
  test.each([...RELEASES.keys()].map((id) => [id, RELEASES.get(id)!.crds]))('GIVEN %s THEN a model on each built-in runtime passes the %s CRDs', (id) => {
    const out = synthRelease(id);
    expect(out.objects.filter((o) => o.kind === 'InferenceService').length).toBe(runtimeNamesOf(RELEASES.get(id)!).length);
  });

  test('GIVEN a field that only the newer CRDs have (spec.predictor.storageUris, kserve/kserve v0.20.0 and opendatahub-io/kserve odh-v3.4) THEN those sets accept it and the others refuse it, naming the field and line', () => {
    const isvc = [
      'apiVersion: serving.kserve.io/v1beta1',
      'kind: InferenceService',
      'metadata: { name: m, namespace: ns }',
      'spec:',
      '  predictor:',
      '    storageUris: [{ uri: "oci://quay.io/u/extra:1", mountPath: /mnt/extra }]',
      '    model: { modelFormat: { name: onnx }, storageUri: "oci://quay.io/u/m:1" }',
      '',
    ].join('\n');
    const files = [{ path: 'manifests/ns/inferenceservice-m.yaml', content: isvc }];
    for (const crds of ['v0.20.0', 'odh-v3.4'] as const) expect(() => validateOutput(files, 'dist', { crds })).not.toThrow();
    for (const crds of ['v0.15.2', 'odh-v2.25'] as const) {
      expect(() => validateOutput(files, 'dist', { crds })).toThrow(OutputValidationError);
      expect(() => validateOutput(files, 'dist', { crds })).toThrow(/^dist\/manifests\/ns\/inferenceservice-m\.yaml:6:5: InferenceService ns\/m: spec\.predictor\.storageUris: unknown field "storageUris"/m);
    }
  });

  test('GIVEN a config THEN synth validates its output with the CRDs of its release', () => {
    const dir = tmp();
    const config = path.join(dir, 'modelcar.yaml');
    for (const [release, crds] of [['"2.25"', 'odh-v2.25'], ['"3.3"', 'v0.15.2'], ['"3.4"', 'odh-v3.4']]) {
      fs.writeFileSync(config, `version: 1\nrelease: ${release}\nmodels:\n  - { name: m, namespace: ns, runtime: kserve-ovms, format: onnx, image: "quay.io/u/m:1", files: [{ source: "https://example.com/m.onnx" }] }\n`);
      const out = renderConfig(loadConfig(config, { deferModelErrors: true }), { source: 'modelcar.yaml', outdir: path.join(dir, 'dist') });
      expect(out.release.crds).toBe(crds);
    }
  });
});
