/**
 * End to end: the build context `synth` emits really builds a working model image ("modelcar").
 *
 * With real tools and nothing pulled from the internet: a tiny busybox base image is built locally with buildah,
 * a real registry (docker-registry, htpasswd auth) runs on 127.0.0.1, the emitted build.sh runs unchanged with
 * BUILDER=buildah and pushes with credentials made by the project's own dockerConfigJson(), and the pushed image is
 * checked with skopeo and tar (config, layers, owners, modes, bytes) and by running, in a container of the pulled
 * image, the commands KServe injects into the predictor pod (modelcar-init check, modelcar sidecar).
 *
 * Needs root (buildah with the vfs driver and chroot isolation) and:
 *   apt-get install -y --no-install-recommends buildah skopeo docker-registry apache2-utils busybox-static
 * A missing tool fails the test with that command; nothing is skipped.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { dockerConfigJson } from '../../src/core/docker-config';
import { synthesizeConfigFile } from '../../src/pipeline/synthesize';
import { IMAGE_TOOLS_INSTALL, Registry, startRegistry } from '../support/registry';
import { requireTool } from '../support/tools';
import { buildBaseImage, cleanUpSuite, KSERVE_SIDECAR_LINK, kserveInitCheck, listLayer, mustSucceed, requireBusybox, RunResult, TarEntry, TestStorage, tryRun } from './containers';
import { sha256 } from '../support/digest';

// One base image build, one registry and one build.sh run are shared by all tests; a run takes a few seconds,
// the margin is for slow CI machines.
jest.setTimeout(300_000);

const BASE_IMAGE = 'localhost/modelcar-test-base:1';
const NAMESPACE = 'e2e-models';
const USERNAME = 'modelcar-e2e';
// Characters Go's JSON encoder escapes (\u003c \u003e \u0026) and a quote: the registry client must read
// dockerConfigJson()'s escaping back to the same password.
const PASSWORD = `pw<&>"${randomBytes(6).toString('hex')}`;
const MODEL_FILE = 'mobilenetv2-7.onnx';
const EXTRA_FILE = 'labels.bin';

let work: string | undefined;
let registry: Registry | undefined;
let storage: TestStorage | undefined;
let authFile: string;
let image: string;
let project: string;
let model: Buffer;
let extra: Buffer;
let build: RunResult;

const registryLog = () => `--- registry log ---\n${registry?.log() ?? ''}`;

/** Runs build.sh exactly as emitted: executed directly, from another folder, with buildah and the test's storage. */
function runBuildScript(script: string): RunResult {
  return tryRun(script, [], { cwd: work, env: { ...storage!.env, BUILDER: 'buildah' }, context: registryLog });
}

/** The result of the shared build.sh run; throws with its output when it failed. */
function built(): RunResult {
  if (build === undefined) throw new Error('build.sh did not run: beforeAll failed before it (see the error above)');
  if (build.status !== 0) {
    const tail = build.stderr.trim().split('\n').slice(-3).join('\n');
    throw new Error(`build.sh failed (exit ${build.status}), so this cannot be checked; its full output is in the error of the first test. It ended with:\n${tail}`);
  }
  return build;
}

function writeConfig(file: string, imageRef: string, pins: { model?: string; extra?: string }): void {
  const lines = [
    'version: 1',
    'defaults:',
    `  namespace: ${NAMESPACE}`,
    '  runtime: kserve-ovms',
    'models:',
    '  - name: mobilenet',
    '    format: onnx',
    `    image: ${JSON.stringify(imageRef)}`,
    `    baseImage: ${JSON.stringify(BASE_IMAGE)}`,
    '    files:',
    // A folder name with a space: the build script's quoting of local paths.
    `      - source: ${JSON.stringify(`model files/${MODEL_FILE}`)}`,
    ...(pins.model ? [`        sha256: ${pins.model}`] : []),
    `      - source: ${JSON.stringify('model files/labels-v1.bin')}`,
    `        path: ${EXTRA_FILE}`,
    ...(pins.extra ? [`        sha256: ${pins.extra}`] : []),
    '',
  ];
  fs.writeFileSync(file, lines.join('\n'));
}

/** Synthesizes a config into an output folder; returns the emitted build.sh of the model. */
function synthBuildScript(config: string, outdir: string): string {
  synthesizeConfigFile({ config, outdir });
  const script = path.join(outdir, 'images', NAMESPACE, 'mobilenet', 'build.sh');
  expect(fs.statSync(script).mode & 0o111).toBe(0o111);
  return script;
}

/** `buildah from` an image, runs `use` on the container, removes the container. */
function withContainer<T>(from: string[], use: (container: string) => T): T {
  const container = storage!.buildah(['from', ...from]).trim().split('\n').pop()!;
  try {
    return use(container);
  } finally {
    storage!.buildah(['rm', container]);
  }
}

beforeAll(async () => {
  for (const tool of ['buildah', 'skopeo', 'docker-registry', 'htpasswd']) requireTool(tool, IMAGE_TOOLS_INSTALL);
  const busybox = requireBusybox();
  // build.sh needs sha256sum and cut (coreutils); the layer checks need GNU tar.
  for (const tool of ['sha256sum', 'cut', 'tar']) requireTool(tool, 'apt-get install -y coreutils tar');
  if (process.getuid?.() !== 0) throw new Error('this test runs buildah with the vfs driver and chroot isolation, which needs root');

  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-e2e-'));
  registry = await startRegistry({ dir: path.join(work, 'registry'), username: USERNAME, password: PASSWORD });
  image = `${registry.host}/e2e/mobilenet:1`;

  // What a `kubectl create secret docker-registry` pull secret holds, used as the push credentials.
  authFile = path.join(work, 'auth.json');
  fs.writeFileSync(authFile, dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o600 });
  // build.sh pushes with a plain `"$BUILDER" push "$IMAGE"` (no --tls-verify): buildah talks plain http to a
  // registry only when registries.conf marks it insecure.
  const registriesConf = path.join(work, 'registries.conf');
  fs.writeFileSync(registriesConf, `[[registry]]\nlocation = ${JSON.stringify(registry.host)}\ninsecure = true\n`);
  storage = new TestStorage(path.join(work, 'storage'), { REGISTRY_AUTH_FILE: authFile, CONTAINERS_REGISTRIES_CONF: registriesConf });

  buildBaseImage(storage, busybox, BASE_IMAGE);

  project = path.join(work, 'project');
  fs.mkdirSync(path.join(project, 'model files'), { recursive: true });
  model = randomBytes(256 * 1024 + 7);
  extra = randomBytes(1000);
  // Sources owned by another user and readable by it only (as a download with umask 077 would be): the image
  // must still hold them as 0:0 and world-readable.
  for (const [name, data] of [
    [MODEL_FILE, model],
    ['labels-v1.bin', extra],
  ] as const) {
    const file = path.join(project, 'model files', name);
    fs.writeFileSync(file, data, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    fs.chownSync(file, 12345, 12345);
  }
  writeConfig(path.join(project, 'modelcar.yaml'), image, { model: sha256(model) });
  build = runBuildScript(synthBuildScript(path.join(project, 'modelcar.yaml'), path.join(project, 'dist')));
});

afterAll(() => cleanUpSuite({ services: [() => registry?.stop()], storages: [storage], work }));

/** skopeo with the test's credentials (or others) against the plain-http registry. */
function skopeo(verb: 'inspect' | 'copy', args: string[], authfile: string | null = authFile): RunResult {
  const options =
    verb === 'copy'
      ? ['--src-authfile', authfile!, '--src-tls-verify=false']
      : [...(authfile === null ? ['--no-creds'] : ['--authfile', authfile]), '--tls-verify=false'];
  return tryRun('skopeo', [verb, ...options, ...args], { env: storage!.env, context: registryLog });
}

describe('the emitted build context, built with buildah and pushed to a registry with htpasswd auth', () => {
  test('build.sh copies the files, prints the digest of the unpinned one, builds and pushes', async () => {
    if (build?.status !== 0) throw new Error(`build.sh failed:\n${build?.report ?? 'it did not run: beforeAll failed before it'}`);
    const result = built();
    expect(result.stdout).toContain(`models/1/${EXTRA_FILE}: sha256 ${sha256(extra)} (not pinned`);
    // The pinned file is checked silently.
    expect(result.stdout).not.toContain(`models/1/${MODEL_FILE}: sha256`);
    const tags = await registry!.get('/v2/e2e/mobilenet/tags/list');
    expect({ status: tags.status, tags: tags.status === 200 ? JSON.parse(tags.body).tags : tags.body }).toStrictEqual({ status: 200, tags: ['1'] });
  });

  test('the image config has no ENTRYPOINT and runs as user 65534 (nobody)', () => {
    built();
    const inspect = skopeo('inspect', ['--config', `docker://${image}`]);
    if (inspect.status !== 0) throw new Error(inspect.report);
    const config = JSON.parse(inspect.stdout).config ?? {};
    expect(config.Entrypoint ?? []).toStrictEqual([]);
    expect(config.User).toBe('65534');
  });

  test('the registry refuses anonymous and wrong-password reads (auth is really on)', () => {
    built();
    const anonymous = skopeo('inspect', [`docker://${image}`], null);
    expect(anonymous.status).not.toBe(0);
    expect(anonymous.stderr).toMatch(/unauthorized|authentication required/i);

    const wrong = path.join(work!, 'wrong-auth.json');
    fs.writeFileSync(wrong, dockerConfigJson({ server: registry!.host, username: USERNAME, password: `${PASSWORD}x` }));
    const denied = skopeo('inspect', [`docker://${image}`], wrong);
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toMatch(/unauthorized|authentication required/i);
  });

  test('the pushed layers hold models/1/<file>: owned 0:0, world-readable, not group/world-writable, equal to the sources', () => {
    built();
    const layout = path.join(work!, 'oci-layout');
    const copy = skopeo('copy', [`docker://${image}`, `oci:${layout}:e2e`]);
    if (copy.status !== 0) throw new Error(copy.report);
    const blob = (digest: string) => path.join(layout, 'blobs', ...digest.split(':'));
    const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'));
    const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0].digest), 'utf8'));
    const layers: string[] = manifest.layers.map((l: { digest: string }) => blob(l.digest));

    // The filesystem the image unpacks to, under models/: later layers replace earlier entries.
    const entries = new Map<string, TarEntry>();
    for (const layer of layers) {
      for (const e of listLayer(layer)) {
        if (e.name === 'models' || e.name.startsWith('models/')) entries.set(e.name, e);
        expect(e.name).not.toMatch(/(^|\/)\.wh\.[^/]*$/); // no whiteouts: nothing under /models is removed again
      }
    }
    expect([...entries.keys()].sort()).toStrictEqual(['models', 'models/1', `models/1/${EXTRA_FILE}`, `models/1/${MODEL_FILE}`]);
    const types: Record<string, string> = { models: 'd', 'models/1': 'd', [`models/1/${EXTRA_FILE}`]: '-', [`models/1/${MODEL_FILE}`]: '-' };
    for (const e of entries.values()) {
      // a=r for files, a+rx for folders, and no group/other write (the seed's `chmod -R a=rX`).
      const wanted = e.type === 'd' ? 0o555 : 0o444;
      expect({ name: e.name, type: e.type, owner: `${e.uid}:${e.gid}`, readable: (e.mode & wanted) === wanted, writable: (e.mode & 0o022) !== 0 }).toStrictEqual({
        name: e.name,
        type: types[e.name],
        owner: '0:0',
        readable: true,
        writable: false,
      });
    }
    for (const [file, source] of [
      [MODEL_FILE, model],
      [EXTRA_FILE, extra],
    ] as const) {
      const e = entries.get(`models/1/${file}`)!;
      const bytes = mustSucceed(tryRun('tar', ['-xOf', e.layer, e.member])).stdoutBytes;
      expect({ file, size: bytes.length, sha256: sha256(bytes) }).toStrictEqual({ file, size: source.length, sha256: sha256(source) });
      expect(bytes.equals(source)).toBe(true);
    }
  });

  test("KServe's modelcar-init check passes in a container of the pulled image, and fails in the bare base image", () => {
    built();
    // --pull-always: pull what the registry serves, with the same credentials file (as the kubelet would with the pull secret).
    const ok = withContainer(['--pull-always', `docker://${image}`], (c) => storage!.tryBuildah(['run', c, '--', 'sh', '-c', kserveInitCheck(image)]));
    if (ok.status !== 0) throw new Error(`modelcar-init check failed in the model image:\n${ok.report}`);
    expect(ok.stdout).toContain('OK ... Prefetched and valid (/models exists)');

    // The check is not vacuous: an image without /models fails it.
    const bare = withContainer(['--pull-never', BASE_IMAGE], (c) => storage!.tryBuildah(['run', c, '--', 'sh', '-c', kserveInitCheck(BASE_IMAGE)]));
    expect({ status: bare.status, nok: bare.stdout.includes('NOK ... Prefetched but modelcar is invalid') }).toStrictEqual({ status: 1, nok: true });
  });

  test("KServe's modelcar sidecar command links /mnt/models to the image's /models, readable through /proc as the image user", () => {
    built();
    // KServe mounts an emptyDir (mode 0777) at /mnt of the sidecar and the model server.
    const mnt = fs.mkdtempSync(path.join(work!, 'mnt-'));
    fs.chmodSync(mnt, 0o777);
    // `sleep infinity` replaced by a bounded check: who runs the shell, the files read through the link by another
    // process (as the model server does), and that the image's sleep accepts `infinity` (it is still running after 1 s).
    const check = [
      'ls -ldn /proc/$$',
      `/bin/busybox sha256sum /mnt/models/1/${MODEL_FILE} /mnt/models/1/${EXTRA_FILE}`,
      '{ sleep infinity & s=$!; sleep 1; kill -0 $s && kill $s; }',
    ].join(' && ');
    const result = withContainer(['--pull-never', image], (c) => storage!.tryBuildah(['run', '-v', `${mnt}:/mnt`, c, '--', 'sh', '-c', `${KSERVE_SIDECAR_LINK} && ${check}`]));
    if (result.status !== 0) throw new Error(`modelcar sidecar command failed:\n${result.report}`);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0].split(/\s+/)[2]).toBe('65534');
    expect(lines.slice(1)).toStrictEqual([`${sha256(model)}  /mnt/models/1/${MODEL_FILE}`, `${sha256(extra)}  /mnt/models/1/${EXTRA_FILE}`]);
    expect(fs.readlinkSync(path.join(mnt, 'models'))).toMatch(/^\/proc\/\d+\/root\/models$/);
  });
});

describe('a model file whose sha256 does not match the config', () => {
  test('build.sh exits non-zero naming the file and both digests, and builds and pushes nothing', async () => {
    built();
    const dir = path.join(work!, 'mismatch');
    fs.mkdirSync(dir);
    // A copy: a link to the project's folder would lead out of this config's folder, which synth refuses.
    fs.cpSync(path.join(project, 'model files'), path.join(dir, 'model files'), { recursive: true });
    const wrong = sha256(Buffer.from('not the model'));
    const mismatchImage = `${registry!.host}/e2e/mismatch:1`;
    // The unpinned file comes second: the pinned one fails first.
    writeConfig(path.join(dir, 'modelcar.yaml'), mismatchImage, { model: wrong });
    const result = runBuildScript(synthBuildScript(path.join(dir, 'modelcar.yaml'), path.join(dir, 'dist')));

    expect({ status: result.status, report: result.report }).toStrictEqual({ status: 1, report: result.report });
    expect(result.stderr).toContain(`models/1/${MODEL_FILE}`);
    expect(result.stderr).toContain(sha256(model));
    expect(result.stderr).toContain(wrong);
    expect(result.stdout).not.toMatch(/STEP \d/); // the builder never ran
    expect(storage!.imageNames().filter((n) => n.includes('mismatch'))).toStrictEqual([]);
    const tags = await registry!.get('/v2/e2e/mismatch/tags/list');
    expect(tags.status).toBe(404);
    const catalog = await registry!.get('/v2/_catalog');
    expect(JSON.parse(catalog.body).repositories).toStrictEqual(['e2e/mobilenet']);
  });
});
