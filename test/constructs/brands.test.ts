/**
 * Two copies of modelcar in one program (a chart library built on one version, an app on another, or npm not
 * deduplicating them) must still recognize each other's constructs and errors: modelcar marks them with global
 * symbols, as cdk8s marks its Charts and ApiObjects (cdk8s-core src/chart.ts `Chart.isChart`), instead of relying
 * on `instanceof`, which is false across copies.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as modelcar from '../../src';
import { readTree } from '../support/tree';

/** A second copy of the package: every module loaded again, cdk8s and constructs included. */
function secondCopy(): typeof modelcar {
  let copy: typeof modelcar | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a second copy of the modules needs require() inside isolateModules
    copy = require('../../src');
  });
  return copy!;
}

const other = secondCopy();
const FILES = [{ source: 'https://example.com/model.onnx' }];
const temp: string[] = [];
afterEach(() => temp.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-brands-'));
  temp.push(dir);
  return dir;
}

describe('brands: two copies of modelcar interoperate', () => {
  test('GIVEN the second copy THEN its classes are others (instanceof fails) but each copy recognizes the other\'s objects', () => {
    expect(other.PullSecret).not.toBe(modelcar.PullSecret);
    const chart = new Chart(new App(), 'c', { namespace: 'ns' });
    const objects: [unknown, (x: unknown) => boolean, unknown][] = [
      [new other.PullSecret(chart, 'p', { name: 'p', credentials: { username: 'u', password: 'p' } }), modelcar.PullSecret.isPullSecret, modelcar.PullSecret],
      [new other.ExternalPullSecret(chart, 'e', { name: 'e', store: 's', key: 'k' }), modelcar.ExternalPullSecret.isExternalPullSecret, modelcar.ExternalPullSecret],
      [new other.Namespace(chart, 'n', { name: 'ns' }), modelcar.Namespace.isNamespace, modelcar.Namespace],
      [other.ServingRuntime.shared(chart, { runtime: 'kserve-ovms' }), modelcar.ServingRuntime.isServingRuntime, modelcar.ServingRuntime],
      [new other.OciModel(chart, 'm', { name: 'm', runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, image: 'quay.io/u/m:1', files: FILES }), modelcar.OciModel.isOciModel, modelcar.OciModel],
    ];
    for (const [object, is, cls] of objects) {
      expect(object instanceof (cls as new () => unknown)).toBe(false);
      expect(is(object)).toBe(true);
    }
    const model = objects[4][0] as InstanceType<typeof other.OciModel>;
    expect(modelcar.InferenceService.isInferenceService(model.inferenceService)).toBe(true);
    expect(modelcar.ModelImage.isModelImage(model.image)).toBe(true);
    expect(modelcar.ModelAuth.isModelAuth(model.auth)).toBe(true);
    expect(modelcar.PullSecret.isPullSecret(chart)).toBe(false);
    expect(modelcar.ModelImage.isModelImage(undefined)).toBe(false);
  });

  test('GIVEN a runtime shared by a model of the other copy THEN this copy reuses it, one ServingRuntime per namespace', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'ns' });
    const shared = { runtime: 'kserve-ovms', sharedRuntime: true, modelFormat: { name: 'onnx' }, files: FILES };
    const theirs = new other.OciModel(chart, 'a', { name: 'a', image: 'quay.io/u/a:1', ...shared });
    const ours = new modelcar.OciModel(chart, 'b', { name: 'b', image: 'quay.io/u/b:1', ...shared });
    // Compared as identity: a failing toBe would print two whole construct trees.
    expect(ours.runtime === theirs.runtime).toBe(true);
  });

  test('GIVEN a tree of the other copy\'s constructs THEN this copy\'s synthesize finds its model images and keeps its credentials out of the output', () => {
    const chart = new Chart(new App(), 'c', { namespace: 'ns' });
    const secret = new other.PullSecret(chart, 'p', { name: 'quay-pull', credentials: { username: 'robot', password: 'hunter2-very-secret' } });
    new other.OciModel(chart, 'm', { name: 'm', runtime: 'kserve-ovms', modelFormat: { name: 'onnx' }, image: 'quay.io/u/m:1', files: FILES, pullSecret: secret });
    const outdir = tmp();
    const secretsDir = tmp();
    const result = modelcar.synthesize(chart, { outdir, source: 'src/main.ts', secretsDir });
    expect(result.images.map((i) => i.key)).toStrictEqual(['ns/m']);
    expect(Object.keys(readTree(outdir)).filter((f) => f.startsWith('images/'))).toStrictEqual([
      'images/ns/m/.containerignore',
      'images/ns/m/.gitignore',
      'images/ns/m/Containerfile',
      'images/ns/m/build.sh',
    ]);
    expect(Object.values(readTree(outdir)).filter((c) => c.includes('hunter2'))).toStrictEqual([]);
    expect(Object.keys(readTree(secretsDir))).toStrictEqual(['.gitignore', 'ns/secret-quay-pull.yaml']);
    // And the other copy's construct still refuses plain cdk8s synth, from this copy's App too.
    expect(() => (chart.node.root as App).synth()).toThrow(/PullSecret quay-pull holds registry credentials/);
  });

  test('GIVEN errors of the other copy THEN this copy recognizes them by kind', () => {
    let error: unknown;
    try {
      new other.InferenceService(new Chart(new App(), 'c'), 'i', { name: '1x', runtime: other.ServingRuntime.fromName('r'), modelFormat: { name: 'onnx' }, storageUri: 'oci://q.io/a/b:1' });
    } catch (e) {
      error = e;
    }
    expect(error instanceof modelcar.PropError).toBe(false);
    expect(modelcar.PropError.isPropError(error)).toBe(true);
    expect(modelcar.UserError.isUserError(error)).toBe(true);
    expect(modelcar.ConfigError.isConfigError(error)).toBe(false);
    const config = new other.ConfigError([{ position: { file: 'm.yaml', line: 1 }, field: 'models', message: 'x' }]);
    expect([modelcar.ConfigError.isConfigError(config), modelcar.UserError.isUserError(config), modelcar.PropError.isPropError(config)]).toStrictEqual([true, true, false]);
  });
});
