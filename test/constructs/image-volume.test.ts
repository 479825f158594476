/**
 * Image volumes: KServe 0.20's `oci+native://` storage URIs mount the model image as a Kubernetes image volume
 * (kserve/kserve v0.20.0 pkg/utils/storage.go ParseOciScheme, ConfigureOciNativeToContainer: the reference after the
 * scheme, mounted at /mnt/models with subPath "models", pullPolicy IfNotPresent), instead of the modelcar sidecar.
 */
import * as fs from 'fs';
import { OciModel } from '../../src/constructs/oci-model';
import { objectsOf, testChart } from '../support/charts';
import { cli, project } from '../support/project';

const FILES = [{ source: 'https://example.com/m.onnx' }];
const DIGEST = `sha256:${'e'.repeat(64)}`;

/** kserve/kserve v0.20.0 pkg/utils/storage.go ParseOciScheme, as KServe reads a storage URI, and the image volume's reference. */
function kserveImageVolume(uri: string): { mode: string; reference: string } | undefined {
  const m = /^oci\+([^:/]+):\/\/(.*)$/.exec(uri);
  if (!m) return undefined;
  return { mode: m[1], reference: m[2] };
}

describe('image volumes', () => {
  test('GIVEN imageVolume on KServe 0.20 THEN storageUri is oci+native://<image>, which KServe mounts as an image volume of that very reference; the pod needs no shared UID', () => {
    const chart = testChart('ml');
    new OciModel(chart, 'm', { name: 'm', runtime: 'kserve-ovms', release: 'kserve-0.20', modelFormat: { name: 'onnx' }, image: 'quay.io/u/m:1', files: FILES, imageVolume: true });
    new OciModel(chart, 'p', {
      name: 'p',
      runtime: 'kserve-ovms',
      release: 'kserve-0.20',
      modelFormat: { name: 'onnx' },
      image: 'quay.io/u/p:1',
      files: FILES,
      imageVolume: true,
      lock: { digestOf: () => DIGEST },
    });
    const isvcs = objectsOf(chart).filter((o) => o.kind === 'InferenceService');
    const uris = isvcs.map((o) => o.spec.predictor.model.storageUri);
    expect(uris).toStrictEqual(['oci+native://quay.io/u/m:1', `oci+native://quay.io/u/p@${DIGEST}`]);
    expect(uris.map(kserveImageVolume)).toStrictEqual([
      { mode: 'native', reference: 'quay.io/u/m:1' },
      { mode: 'native', reference: `quay.io/u/p@${DIGEST}` },
    ]);
    // No modelcar sidecar reading through /proc/<pid>/root: no runAsUser on plain KServe.
    expect(isvcs.map((o) => o.spec.predictor.securityContext)).toStrictEqual([undefined, undefined]);
  });

  test('GIVEN imageVolume on a release without it THEN the construct refuses it, naming the releases that have it', () => {
    expect(() => new OciModel(testChart('ml'), 'm', { name: 'm', runtime: 'kserve-ovms', release: 'odh-3.4', modelFormat: { name: 'onnx' }, image: 'quay.io/u/m:1', files: FILES, imageVolume: true })).toThrow(
      'OciModel imageVolume: OpenDataHub 3.4 runs KServe 0.17, which has no image volumes (oci+native://, added in KServe 0.20: kserve/kserve v0.20.0 pkg/utils/storage.go ConfigureOciNativeToContainer); releases that have them: kserve-0.20; or keep the modelcar sidecar (oci://)',
    );
  });

  test('GIVEN imageVolume in the config THEN per model or by default; refused at its line on other releases; the floating-tag warning says what IfNotPresent means', async () => {
    const config = (release: string, extra = '') => `version: 1
platform: kserve
release: "${release}"
defaults: { namespace: ml, runtime: kserve-ovms, imageVolume: true }
models:
  - { name: a, format: onnx, image: "quay.io/u/a:1", files: [{ source: "https://example.com/a.onnx" }] }
  - { name: b, format: onnx, image: "quay.io/u/b:latest", imageVolume: false, files: [{ source: "https://example.com/b.onnx" }] }
  - { name: c, format: onnx, image: "quay.io/u/c", files: [{ source: "https://example.com/c.onnx" }] }${extra}
`;
    const p = project(config('0.20'), 'modelcar-native-');
    const r = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(r.code).toBe(0);
    const err = r.err.split(p.dir + '/').join('');
    expect(err).toContain(
      'modelcar: warning: modelcar.yaml:7:37: models[1].image: "quay.io/u/b:latest" has the tag "latest": the model is pulled again at every start of the model server (imagePullPolicy Always)',
    );
    expect(err).toContain(
      'modelcar.yaml:8:37: models[2].image: "quay.io/u/c" has no tag: an image volume is pulled once per node (pullPolicy IfNotPresent), so a node that has it keeps serving the old model after a push; give a fixed tag (e.g. ":v1") or a digest ("@sha256:...")\n',
    );
    // b uses the sidecar: the UID note stays.
    expect(err).toContain('modelcar.yaml:2:11: platform: platform kserve: ');
    const uri = (name: string) => /storageUri: (.*)/.exec(fs.readFileSync(`${p.dist}/manifests/ml/inferenceservice-${name}.yaml`, 'utf8'))![1];
    expect(['a', 'b', 'c'].map(uri)).toStrictEqual(['oci+native://quay.io/u/a:1', 'oci://quay.io/u/b:latest', 'oci+native://quay.io/u/c']);

    const q = project(config('0.19'), 'modelcar-native-');
    expect(await cli(['synth', '-c', q.config, '-o', q.dist])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${q.config}:4:63: defaults.imageVolume: KServe 0.19 has no image volumes (oci+native://, added in KServe 0.20: kserve/kserve v0.20.0 pkg/utils/storage.go ConfigureOciNativeToContainer); releases that have them: kserve-0.20; or keep the modelcar sidecar (oci://)\n1 problem found; nothing was written.\n`,
    });
  });
});
