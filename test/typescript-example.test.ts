/**
 * examples/typescript: a cdk8s app in TypeScript that imports modelcar by its package name, mixes modelcar's
 * constructs with a cdk8s-plus-28 ConfigMap and writes its output with modelcar's writer. Its output is committed
 * in examples/typescript/dist, like the other examples', and must be what the code produces.
 *
 * The stage and build of its model image, from the construct tree, are in test/pipeline/image-set.test.ts (the
 * checks) and test/e2e/typescript-pipeline.e2e.test.ts (a real build and push).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import * as YAML from 'yaml';
import { validatePaths } from '../src/validation/validate-yaml';
import { readModes, readTree } from './support/tree';
import { requireTool } from './support/tools';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLE = path.join(ROOT, 'examples', 'typescript');
const DIST = path.join(EXAMPLE, 'dist');
const COMPILED = path.join(ROOT, 'lib', 'examples', 'typescript', 'main.js');

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the compiled example as `npm run examples` does, in a folder: `modelcar` resolves by name to this checkout's build (package.json `exports`: a package may require itself by its name). */
function runExample(cwd: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  for (const file of [COMPILED]) if (!fs.existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npx tsc\` first`);
  const { CDK8S_OUTDIR: _ignored, ...rest } = process.env;
  return spawnSync(process.execPath, [COMPILED], { cwd, env: { ...rest, ...env }, encoding: 'utf8' });
}

describe('examples/typescript', () => {
  test('GIVEN main.ts run as `npm run examples` runs it, in a fresh folder THEN it writes the committed dist/, file for file, byte for byte, mode for mode', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-ts-example-'));
    temps.push(dir);
    const result = runExample(dir);
    expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toStrictEqual({
      status: 0,
      stdout: '',
      stderr: 'synthesized main.ts into dist/: 8 objects, 1 image build contexts; files 14 added, 0 changed, 0 removed\n',
    });
    expect(readTree(path.join(dir, 'dist'))).toStrictEqual(readTree(DIST));
    expect(readModes(path.join(dir, 'dist'))).toStrictEqual(readModes(DIST));
    // Run again: nothing changes.
    expect(runExample(dir).stderr).toBe('synthesized main.ts into dist/: 8 objects, 1 image build contexts; files 0 added, 0 changed, 0 removed\n');
  });

  test('GIVEN its output THEN the modelcar objects and the cdk8s-plus ConfigMap are side by side in the namespace folder, listed by its kustomization', () => {
    const tree = readTree(DIST);
    expect(Object.keys(tree)).toStrictEqual([
      '.modelcar-files',
      'images/vision/mobilenet/.containerignore',
      'images/vision/mobilenet/.gitignore',
      'images/vision/mobilenet/Containerfile',
      'images/vision/mobilenet/build.sh',
      'manifests/kustomization.yaml',
      'manifests/vision/configmap-mobilenet-client.yaml',
      'manifests/vision/inferenceservice-mobilenet.yaml',
      'manifests/vision/kustomization.yaml',
      'manifests/vision/namespace-vision.yaml',
      'manifests/vision/role-mobilenet-view-role.yaml',
      'manifests/vision/rolebinding-mobilenet-view.yaml',
      'manifests/vision/secret-default-name-mobilenet-sa.yaml',
      'manifests/vision/serviceaccount-mobilenet-sa.yaml',
      'manifests/vision/servingruntime-mobilenet.yaml',
    ]);
    expect(YAML.parse(tree['manifests/vision/configmap-mobilenet-client.yaml'])).toStrictEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mobilenet-client', namespace: 'vision' },
      data: { INFERENCE_SERVICE: 'mobilenet', INFER_PATH: '/v2/models/mobilenet/infer', TOKEN_SERVICE_ACCOUNT: 'mobilenet-sa' },
      immutable: false,
    });
    const isvc = YAML.parse(tree['manifests/vision/inferenceservice-mobilenet.yaml']);
    expect(isvc.spec.predictor.imagePullSecrets).toStrictEqual([{ name: 'registry-pull' }]);
    expect(isvc.spec.predictor.model.storageUri).toBe('oci://registry.example.com/vision/mobilenet:v2-7');
    expect(YAML.parse(tree['manifests/vision/kustomization.yaml']).resources).toContain('configmap-mobilenet-client.yaml');
    // A reference to the pull secret: no Secret of it, and no credentials, in the output. The one Secret is the model's
    // token Secret, which Kubernetes fills in.
    expect(Object.keys(tree).filter((f) => f.includes('secret-'))).toStrictEqual(['manifests/vision/secret-default-name-mobilenet-sa.yaml']);
    expect(YAML.parse(tree['manifests/vision/secret-default-name-mobilenet-sa.yaml'])).not.toHaveProperty('data');
    // The default release (the newest OpenDataHub) gives the model a ServingRuntime of its own, named after it, as the
    // dashboard does.
    expect(isvc.spec.predictor.model.runtime).toBe('mobilenet');
  });

  test('GIVEN its output THEN every header names main.ts, the TypeScript source, and says to run it again', () => {
    const header = 'Generated by modelcar from main.ts. Do not edit: change the source and run it again.';
    const tree = readTree(DIST);
    for (const [file, content] of Object.entries(tree)) {
      if (file === '.modelcar-files') continue;
      const first = content.split('\n')[file.endsWith('build.sh') ? 1 : 0];
      expect({ file, first }).toStrictEqual({ file, first: `# ${header}` });
    }
  });

  test('GIVEN its output THEN modelcar validate finds every object valid, the ConfigMap passes the Kubernetes schema, and kubectl kustomize builds it', () => {
    // Written for the default release, OpenDataHub 3.4, whose KServe (0.17) names the modes as KServe 0.20 does.
    const report = validatePaths([path.join(DIST, 'manifests')], 'v0.20.0');
    expect({ problems: report.problems, warnings: report.warnings }).toStrictEqual({ problems: [], warnings: [] });
    expect(report.objects).toBe(7); // all but the ConfigMap, which modelcar does not check: kubernetes-models does, below
    const configMap = YAML.parse(fs.readFileSync(path.join(DIST, 'manifests', 'vision', 'configmap-mobilenet-client.yaml'), 'utf8'));
    expect(() => new ConfigMap(configMap).validate()).not.toThrow();
    requireTool('kubectl', 'apt-get install -y kubernetes-client  # or any kubectl client');
    const built = execFileSync('kubectl', ['kustomize', path.join(DIST, 'manifests')], { encoding: 'utf8' });
    // In kustomize's own order of kinds (legacy order: RBAC before ConfigMaps, custom resources last).
    expect([...built.matchAll(/^kind: (\w+)$/gm)].map((m) => m[1])).toStrictEqual([
      'Namespace',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'ConfigMap',
      'Secret',
      'ServingRuntime',
      'InferenceService',
    ]);
  });
});
