/**
 * The repository's cdk8s app under the real cdk8s CLI (node_modules/.bin/cdk8s, the cdk8s-cli devDependency), on a
 * copy of the repository: `npx cdk8s synth` runs cdk8s.yaml's `app` (`npx tsc && node lib/src/cli/app.js`).
 *
 * cdk8s-cli deletes its output folder before it runs the app (cdk8s-team/cdk8s-cli src/cli/cmds/synth.ts:
 * `fs.rmSync(outdir, { recursive: true, force: true })`); cdk8s.yaml therefore gives it a folder of its own
 * (`output: cdk8s.out`), and the app writes dist/ with modelcar's writer: staged model files and files added by hand
 * stay. `-o DIR` writes modelcar's output into DIR.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { readModes, readTree } from '../support/tree';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');
const CDK8S = path.join(ROOT, 'node_modules', '.bin', 'cdk8s');
const STAGED = 'images/oci-model-example/sample-isvc-using-oci/models/1/mobilenetv2-7.onnx';
const MODEL = 'model bytes, staged by modelcar stage\n';
const NOTES = 'notes the user keeps beside the output\n';

let work: string;

beforeAll(() => {
  if (!fs.existsSync(CDK8S)) throw new Error(`${CDK8S} is missing: run npm ci (cdk8s-cli is a devDependency)`);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-cdk8s-cli-'));
  // What the app needs to build and run: the sources, the generated code, and the example it synthesizes.
  for (const entry of ['src', 'imports', 'tools', 'examples', 'tsconfig.json', 'package.json', 'cdk8s.yaml']) {
    fs.cpSync(path.join(ROOT, entry), path.join(work, entry), { recursive: true, filter: (src) => !src.split(path.sep).includes('dist') });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
  // dist/ as `npm start` writes it, then what a user adds: a staged model file and a file of their own.
  fs.cpSync(path.join(ROOT, 'dist'), path.join(work, 'dist'), { recursive: true });
  fs.mkdirSync(path.dirname(path.join(work, 'dist', STAGED)), { recursive: true });
  fs.writeFileSync(path.join(work, 'dist', STAGED), MODEL);
  fs.writeFileSync(path.join(work, 'dist', 'NOTES.md'), NOTES);
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Runs `cdk8s synth` in the copy, offline: no upgrade check, no npm update notice, a home of its own, no CDK8S_* settings. */
function cdk8sSynth(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CDK8S_') && !k.startsWith('npm_')));
  const home = path.join(work, 'home');
  fs.mkdirSync(home, { recursive: true });
  return spawnSync(CDK8S, ['synth', '--no-check-upgrade', ...args], {
    cwd: work,
    env: { ...env, HOME: home, npm_config_update_notifier: 'false', npm_config_offline: 'true' },
    encoding: 'utf8',
  });
}

/** The committed dist/ with the files the user added. */
function expectedDist(): Record<string, string> {
  return { ...readTree(path.join(ROOT, 'dist')), [STAGED]: MODEL, 'NOTES.md': NOTES };
}

describe('npx cdk8s synth', () => {
  test('GIVEN dist/ with a staged model file and a file of the user THEN cdk8s synth writes dist/ with modelcar\'s writer and both stay; cdk8s.out/ gets the objects', () => {
    const run = cdk8sSynth();
    if (run.status !== 0) throw new Error(`cdk8s synth failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    expect(run.stdout).toBe('Synthesizing application\n  - cdk8s.out/modelcar.k8s.yaml\n');
    expect(run.stderr).toContain(
      'synthesized examples/mobilenet/modelcar.yaml into dist/\n  objects: 1 Namespace, 2 ServiceAccount, 2 Secret, 2 Role, 2 RoleBinding, 2 ServingRuntime, 2 InferenceService\n  image build contexts: 2\n  files: 0 added, 0 changed, 0 removed, 23 unchanged\n',
    );
    expect(readTree(path.join(work, 'dist'))).toStrictEqual(expectedDist());
    expect(readModes(path.join(work, 'dist'))).toMatchObject(readModes(path.join(ROOT, 'dist')));
    // cdk8s-cli's folder: the same objects, in one file, for its listing and validation plugins.
    const objects = YAML.parseAllDocuments(fs.readFileSync(path.join(work, 'cdk8s.out', 'modelcar.k8s.yaml'), 'utf8')).map((d) => d.toJS());
    const manifests = Object.entries(readTree(path.join(ROOT, 'dist')))
      .filter(([f]) => f.startsWith('manifests/') && !f.endsWith('kustomization.yaml'))
      .map(([, content]) => YAML.parse(content));
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toStrictEqual(manifests.map((o) => `${o.kind}/${o.metadata.name}`).sort());
    expect(objects).toStrictEqual(expect.arrayContaining(manifests));
  });

  test('GIVEN -o other THEN modelcar\'s output goes to other/ (as npm start writes dist/), and dist/ is left alone', () => {
    const run = cdk8sSynth('-o', 'other');
    if (run.status !== 0) throw new Error(`cdk8s synth -o other failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    expect(run.stdout).toContain('Synthesizing application\n  - other/manifests/kustomization.yaml\n');
    expect(readTree(path.join(work, 'other'))).toStrictEqual(readTree(path.join(ROOT, 'dist')));
    expect(readModes(path.join(work, 'other'))).toStrictEqual(readModes(path.join(ROOT, 'dist')));
    expect(readTree(path.join(work, 'dist'))).toStrictEqual(expectedDist());
  });

  test('GIVEN -o dist, modelcar\'s own folder THEN cdk8s-cli deletes it before the app runs (why cdk8s.yaml has its own output), and the app says so', () => {
    const run = cdk8sSynth('-o', 'dist');
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(
      "modelcar: warning: cdk8s synth deleted dist/ before it ran this app (its -o, or the output of cdk8s.yaml, is modelcar's output folder), with the model files `modelcar stage` put there and any files you added; give cdk8s-cli a folder of its own (`output: cdk8s.out` in cdk8s.yaml, and no -o) and modelcar writes dist/ itself, keeping what it did not write\n",
    );
    // Written anew: the user's files are gone, by cdk8s-cli's doing.
    expect(readTree(path.join(work, 'dist'))).toStrictEqual(readTree(path.join(ROOT, 'dist')));
  });
});
