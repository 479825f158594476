/**
 * End to end, from TypeScript: the chart of examples/typescript, as a TypeScript user runs the pipeline on it,
 * `synthesize()` -> `stage()` -> `build({ push: true })` -> `synthesize()` again with `ImageLock.fromFile`, which pins
 * the InferenceService to the pushed digest. No YAML config anywhere; the lock file is the one `modelcar build --push`
 * writes, and a config describing the same model is pinned from it by `modelcar synth`.
 *
 * Nothing is pulled from the internet: the base image is a tiny busybox image built here, the registry a real
 * docker-registry on 127.0.0.1 with htpasswd auth. Needs root (buildah with the vfs driver and chroot isolation) and:
 *   apt-get install -y --no-install-recommends buildah podman skopeo docker-registry apache2-utils busybox-static
 * A missing tool fails the test with that command; nothing is skipped.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import * as YAML from 'yaml';
import { VisionModels } from '../../examples/typescript/main';
import { dockerConfigJson } from '../../src/core/docker-config';
import { BuildResult, build } from '../../src/pipeline/build';
import { ImageLock, readLock } from '../../src/pipeline/lock';
import { StagedImage, stage } from '../../src/pipeline/stage';
import { synthesize } from '../../src/pipeline/synthesize';
import { IMAGE_TOOLS_INSTALL, Registry, startRegistry } from '../support/registry';
import { requireTool } from '../support/tools';
import { cli } from '../support/project';
import { buildBaseImage, cleanUpSuite, mustSucceed, requireBusybox, TestStorage, tryRun } from './containers';
import { sha256 } from '../support/digest';

jest.setTimeout(300_000);

const BASE_IMAGE = 'localhost/modelcar-ts-base:1';
const USERNAME = 'modelcar-ts';
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const MODEL = randomBytes(64 * 1024 + 3);

let work: string;
let registry: Registry | undefined;
let storage: TestStorage | undefined;
let project: string;
let modelFile: string;
let dist: string;
let authJson: string;
let image: string;
let staged: StagedImage[] | undefined;
let built: BuildResult | undefined;
let stageOut = '';
let buildOut = '';

/** The example's chart, with the test's registry, base image and model file; the tree options the pipeline takes. */
function exampleApp(lock?: ImageLock) {
  const app = new App();
  new VisionModels(app, 'vision', { image, baseImage: BASE_IMAGE, files: [{ source: modelFile }], lock });
  return { app, tree: { scope: app, outdir: dist, source: 'main.ts' } };
}

const manifest = (outdir: string, file: string) => YAML.parse(fs.readFileSync(path.join(outdir, 'manifests', 'vision', file), 'utf8'));

beforeAll(async () => {
  for (const tool of ['buildah', 'skopeo', 'docker-registry', 'htpasswd']) requireTool(tool, IMAGE_TOOLS_INSTALL);
  const busybox = requireBusybox();
  if (process.getuid?.() !== 0) throw new Error('this test runs buildah with the vfs driver and chroot isolation, which needs root');

  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-ts-pipeline-'));
  registry = await startRegistry({ dir: path.join(work, 'registry'), username: USERNAME, password: PASSWORD });
  image = `${registry.host}/vision/mobilenet:1`;
  storage = new TestStorage(path.join(work, 'storage'));
  buildBaseImage(storage, busybox, BASE_IMAGE);
  authJson = path.join(work, 'auth.json');
  fs.writeFileSync(authJson, dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o600 });

  project = path.join(work, 'project');
  modelFile = path.join(project, 'models', 'mobilenetv2-7.onnx');
  fs.mkdirSync(path.dirname(modelFile), { recursive: true });
  fs.writeFileSync(modelFile, MODEL);
  dist = path.join(project, 'dist');

  const { app, tree } = exampleApp();
  synthesize(app, tree);
  staged = await stage({ ...tree, output: { write: (t) => void (stageOut += t) }, progress: 'plain' });
  built = await build({ ...tree, push: true, builder: 'buildah', authfile: authJson, tlsVerify: false, env: storage.env, output: { write: (t) => void (buildOut += t) } });
});

afterAll(() => cleanUpSuite({ services: [() => registry?.stop()], storages: [storage], work }));

describe('the pipeline from TypeScript: synthesize, stage, build --push, pin', () => {
  test('stage() put the model file into the build context synthesize() wrote', () => {
    expect(staged?.map((s) => [s.key, s.contextDir, s.files.map((f) => [f.target, f.sha256, f.action])])).toStrictEqual([
      ['vision/mobilenet', path.join(dist, 'images', 'vision', 'mobilenet'), [['models/1/mobilenetv2-7.onnx', sha256(MODEL), 'linked']]],
    ]);
    expect(stageOut).toContain('staged 1 model: 1 files (0 downloaded, 1 linked, 0 copied, 0 unchanged)\n');
  });

  test('build() pushed the image to the registry and recorded its digest in modelcar.lock.yaml beside the output folder, keyed namespace/name', () => {
    if (!built) throw new Error(`build() did not finish:\n${buildOut}`);
    const lockFile = path.join(project, 'modelcar.lock.yaml');
    expect(built.lockFile).toBe(lockFile);
    const digest = built.images[0].digest!;
    const inspected = JSON.parse(mustSucceed(tryRun('skopeo', ['inspect', '--authfile', authJson, '--tls-verify=false', `docker://${image}`], { env: storage!.env })).stdout);
    expect(inspected.Digest).toBe(digest);
    expect(readLock(lockFile).images).toStrictEqual({
      'vision/mobilenet': { image, digest, inputs: expect.stringMatching(/^sha256:[a-f0-9]{64}$/), files: { 'models/1/mobilenetv2-7.onnx': `sha256:${sha256(MODEL)}` } },
    });
    expect(fs.readFileSync(lockFile, 'utf8').split('\n')[0]).toBe('# Written by `build({ push: true })`: the digests of the model images pushed for main.ts.');
    expect(buildOut).toContain(
      `recorded 1 digest in ${path.relative(process.cwd(), lockFile)}; give each OciModel \`lock: ImageLock.fromFile(...)\` of it and synthesize again to pin storageUri to them\n`,
    );
    expect(buildOut).not.toContain(PASSWORD);
  });

  test('synthesize() again with ImageLock.fromFile pins the InferenceService to the pushed digest; the build context stays the same', () => {
    const digest = built!.images[0].digest!;
    const containerfile = fs.readFileSync(path.join(dist, 'images', 'vision', 'mobilenet', 'Containerfile'), 'utf8');
    const lock = ImageLock.fromFile(path.join(project, 'modelcar.lock.yaml'));
    const { app, tree } = exampleApp(lock);
    const result = synthesize(app, tree);
    expect(lock.stale).toStrictEqual([]);
    expect(result.changes.changed).toStrictEqual(['manifests/vision/inferenceservice-mobilenet.yaml']);
    expect(manifest(dist, 'inferenceservice-mobilenet.yaml').spec.predictor.model.storageUri).toBe(`oci://${registry!.host}/vision/mobilenet@${digest}`);
    expect(fs.readFileSync(path.join(dist, 'images', 'vision', 'mobilenet', 'Containerfile'), 'utf8')).toBe(containerfile);
    // The staged model file is still there: synthesize() keeps what it did not write.
    expect(fs.readFileSync(path.join(dist, 'images', 'vision', 'mobilenet', 'models', '1', 'mobilenetv2-7.onnx'))).toStrictEqual(MODEL);
  });

  test('the same lock file pins a YAML config that describes the same model: one format, the same inputs', async () => {
    const digest = built!.images[0].digest!;
    const config = path.join(project, 'modelcar.yaml');
    fs.writeFileSync(
      config,
      [
        'version: 1',
        'models:',
        '  - name: mobilenet',
        '    namespace: vision',
        '    runtime: kserve-ovms',
        '    format: onnx',
        `    image: ${image}`,
        `    baseImage: ${BASE_IMAGE}`,
        '    pullSecret: registry-pull',
        '    files:',
        '      - source: models/mobilenetv2-7.onnx',
        '',
      ].join('\n'),
    );
    const outdir = path.join(project, 'config-dist');
    expect(await cli(['synth', '-c', config, '-o', outdir])).toMatchObject({ code: 0, err: '' });
    expect(manifest(outdir, 'inferenceservice-mobilenet.yaml').spec.predictor.model.storageUri).toBe(`oci://${registry!.host}/vision/mobilenet@${digest}`);
  });
});
