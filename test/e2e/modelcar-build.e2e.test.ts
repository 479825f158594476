/**
 * End to end: the whole image pipeline, on real tools, as a user runs it:
 * `modelcar synth` -> `modelcar stage` -> `modelcar build --push` -> `modelcar synth` again, which pins the
 * InferenceService to the pushed digest.
 *
 * Nothing is pulled from the internet: the base image is a tiny busybox image built here, the registry is a real
 * docker-registry on 127.0.0.1 with htpasswd auth, a model file is downloaded from an HTTP server on 127.0.0.1, and
 * the push credentials are a pull secret that modelcar itself generated (a kubernetes.io/dockerconfigjson Secret).
 * The pushed image is then checked with skopeo (config, labels, layers, owners, modes, bytes, digest), rebuilt to
 * the same digest, compared with what build.sh builds, and run with the commands KServe injects into the predictor
 * pod. A last part builds the seed's Containerfile and modelcar's on the same model file and compares their size.
 *
 * Needs root (buildah and podman with the vfs driver and chroot isolation) and:
 *   apt-get install -y --no-install-recommends buildah podman skopeo docker-registry apache2-utils busybox-static curl
 * A missing tool fails the test with that command; nothing is skipped.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { dockerConfigJson } from '../../src/core/docker-config';
import { PullSecret } from '../../src/constructs/pull-secret';
import { synthesizeConfigFile, synthesize } from '../../src/pipeline/synthesize';
import { TestServer, startServer } from '../support/http-server';
import { IMAGE_TOOLS_INSTALL, Registry, startRegistry } from '../support/registry';
import { requireTool } from '../support/tools';
import { buildBaseImage, cleanUpSuite, KSERVE_SIDECAR_LINK, kserveInitCheck, listLayer, mustSucceed, readOciLayout, requireBusybox, runAsync, RunResult, succeeded, TarEntry, TestStorage, tryRun } from './containers';
import { sha256 } from '../support/digest';
import { CLI } from '../support/spawn';

jest.setTimeout(300_000);

const BASE_IMAGE = 'localhost/modelcar-pipeline-base:1';
const NAMESPACE = 'e2e-models';
const SECRET = 'registry-pull';
const USERNAME = 'modelcar-pipeline';
// Characters Go's JSON encoder escapes: the registry client must read the pull secret back to the same password.
const PASSWORD = `pw<&>"${randomBytes(6).toString('hex')}`;

const MODEL = randomBytes(256 * 1024 + 7);
const VOCAB = Buffer.from('hello\nworld\n');
const CONFIG_JSON = Buffer.from('{"vocab_size": 2}\n');
const MERGES = Buffer.from('h e\nl l\n');
const LABELS = Buffer.from('cat\ndog\n');

let work: string;
let registry: Registry | undefined;
let http: TestServer | undefined;
let storage: TestStorage | undefined;
let project: string;
let config: string;
let dist: string;
/** The pull secret modelcar generated: a Secret manifest, given to `modelcar build --authfile`. */
let secretFile: string;
/** The same credentials as a plain Docker config, for skopeo and buildah in the checks. */
let authJson: string;
let image: string;
let repository: string;
let stage: RunResult;
let build: RunResult;

/** Runs the modelcar CLI in a child process, with the test's container storage. */
function modelcar(args: string[]): Promise<RunResult> {
  return runAsync(process.execPath, [CLI, ...args], { cwd: project, env: storage!.env, context: () => `--- registry log ---\n${registry?.log() ?? ''}` });
}

/** Throws with the full report when a step of the pipeline failed, so later checks say why they cannot run. */
/** The local image ID (the config's digest: it covers every uncompressed layer), as modelcar build printed it. */
function imageId(result: RunResult): string {
  const m = /: built \S+ \(image ID (sha256:[a-f0-9]{64})\)/.exec(result.stdout);
  if (!m) throw new Error(`no "built" line in the output of modelcar build:\n${result.report}`);
  return m[1];
}

/** The pushed digest, as modelcar build printed it. */
function pushedDigest(result: RunResult): string {
  const m = new RegExp(`pushed ${image.replace(/[.]/g, '\\.')} as ${repository.replace(/[.]/g, '\\.')}@(sha256:[a-f0-9]{64})`).exec(result.stdout);
  if (!m) throw new Error(`no "pushed" line in the output of modelcar build:\n${result.report}`);
  return m[1];
}

function skopeo(args: string[]): RunResult {
  return mustSucceed(tryRun('skopeo', args, { env: storage!.env }));
}

beforeAll(async () => {
  for (const tool of ['buildah', 'podman', 'skopeo', 'docker-registry', 'htpasswd']) requireTool(tool, IMAGE_TOOLS_INSTALL);
  for (const tool of ['sha256sum', 'cut', 'tar']) requireTool(tool, 'apt-get install -y coreutils tar');
  requireTool('curl', 'apt-get install -y curl');
  const busybox = requireBusybox();
  if (process.getuid?.() !== 0) throw new Error('this test runs buildah with the vfs driver and chroot isolation, which needs root');

  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-pipeline-'));
  registry = await startRegistry({ dir: path.join(work, 'registry'), username: USERNAME, password: PASSWORD });
  http = await startServer({ '/files/labels.txt': { kind: 'file', body: LABELS } });
  repository = `${registry.host}/e2e/mobilenet`;
  image = `${repository}:1`;
  // Pulls in the checks (buildah from docker://...) go over plain http: registries.conf marks the registry insecure.
  const registriesConf = path.join(work, 'registries.conf');
  fs.writeFileSync(registriesConf, `[[registry]]\nlocation = ${JSON.stringify(registry.host)}\ninsecure = true\n`);
  storage = new TestStorage(path.join(work, 'storage'), { CONTAINERS_REGISTRIES_CONF: registriesConf });
  buildBaseImage(storage, busybox, BASE_IMAGE);

  // The pull secret, made by modelcar's PullSecret construct and written outside the committed output.
  const chart = new Chart(new App(), 'secrets', { namespace: NAMESPACE, disableResourceNameHashes: true });
  new PullSecret(chart, 'pull', { name: SECRET, credentials: { server: registry.host, username: USERNAME, password: PASSWORD } });
  // (writeOutput does not create an output folder that gets no file: made here.)
  fs.mkdirSync(path.join(work, 'secrets-dist'));
  synthesize(chart, { outdir: path.join(work, 'secrets-dist'), source: 'e2e', secretsDir: path.join(work, 'secrets') });
  secretFile = path.join(work, 'secrets', NAMESPACE, `secret-${SECRET}.yaml`);
  authJson = path.join(work, 'auth.json');
  fs.writeFileSync(authJson, dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o600 });

  project = path.join(work, 'project');
  const file = (name: string, data: Buffer) => {
    const full = path.join(project, ...name.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data, { mode: 0o600 });
    // Owned by another user and readable by it only: the image must still hold the files as 0:0, world-readable.
    fs.chownSync(full, 12345, 12345);
  };
  file('model files/mobilenetv2-7.onnx', MODEL);
  file('tokenizer/vocab.txt', VOCAB);
  file('tokenizer/config.json', CONFIG_JSON);
  file('tokenizer/sub/merges.txt', MERGES);
  config = path.join(project, 'modelcar.yaml');
  dist = path.join(project, 'dist');
  fs.writeFileSync(
    config,
    [
      'version: 1',
      'defaults:',
      `  namespace: ${NAMESPACE}`,
      '  runtime: kserve-ovms',
      `  pullSecret: ${SECRET}`,
      'models:',
      '  - name: mobilenet',
      '    format: onnx',
      `    image: ${image}`,
      `    baseImage: ${BASE_IMAGE}`,
      '    files:',
      '      - source: model files/mobilenetv2-7.onnx',
      `        sha256: ${sha256(MODEL)}`,
      '      - source: tokenizer',
      `      - source: ${http.url}/files/labels.txt`,
      '',
    ].join('\n'),
  );

  synthesizeConfigFile({ config, outdir: dist });
  stage = await modelcar(['stage', '-c', 'modelcar.yaml', '-o', 'dist']);
  if (stage.status !== 0) return;
  build = await modelcar(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--push', '--builder', 'buildah', '--authfile', secretFile, '--tls-verify=false']);
  if (build.status === 0) synthesizeConfigFile({ config, outdir: dist });
});

afterAll(() => cleanUpSuite({ services: [() => registry?.stop(), () => http?.close()], storages: [storage], work }));

describe('modelcar synth, stage, build --push and synth again', () => {
  test('stage links the local files, downloads the URL and reports the digests it does not pin', () => {
    const out = succeeded(stage, 'modelcar stage').stdout;
    expect(out).toContain(`  models/1/mobilenetv2-7.onnx: hard-linked from model files/mobilenetv2-7.onnx; sha256 ${sha256(MODEL)} matches the config\n`);
    expect(out).toContain(`  models/1/tokenizer/sub/merges.txt: hard-linked from tokenizer/sub/merges.txt; sha256 ${sha256(MERGES)}\n`);
    expect(out).toContain(`  models/1/labels.txt: downloaded `);
    expect(out).toContain(`sha256 ${sha256(LABELS)} (not pinned: add \`sha256: ${sha256(LABELS)}\` to models[0].files[2] at modelcar.yaml:15)\n`);
    expect(out).toContain('staged 1 model: 5 files (1 downloaded, 4 linked, 0 copied, 0 unchanged)\n');
  });

  test('build pushes with the pull secret as credentials, which appear in no output and no file of the project', () => {
    const result = succeeded(build, 'modelcar build --push');
    expect(result.stdout).toContain(`pushing with credentials from the pull secret ${SECRET} in ${secretFile}\n`);
    expect(result.stdout).toMatch(/\n\$ buildah build --format=oci --layers --timestamp=0 --identity-label=false --tls-verify=false --authfile \/\S+\/auth\.json --label 'dev\.modelcar\.model\.files=<5 files>' /);
    expect(result.stdout).toContain(`recorded 1 digest in modelcar.lock.yaml; run \`modelcar synth\` to pin storageUri to them\n`);
    for (const text of [result.stdout, result.stderr, stage.stdout, stage.stderr]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64'));
    }
    const files = (fs.readdirSync(project, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(project, f)).isFile() && !f.includes('models/'));
    for (const f of files) expect({ file: f, leaks: fs.readFileSync(path.join(project, f), 'utf8').includes(PASSWORD) }).toStrictEqual({ file: f, leaks: false });
    // The temporary auth file made from the pull secret is gone.
    const authfile = /--authfile (\S+)/.exec(result.stdout)![1];
    expect(fs.existsSync(authfile)).toBe(false);
  });

  test('the registry serves the digest build pushed; the lock file records it and the re-synthesized InferenceService is pinned to it', () => {
    const digest = pushedDigest(succeeded(build, 'modelcar build --push'));
    const inspected = JSON.parse(skopeo(['inspect', '--authfile', authJson, '--tls-verify=false', `docker://${image}`]).stdout);
    expect(inspected.Digest).toBe(digest);
    const lock = YAML.parse(fs.readFileSync(path.join(project, 'modelcar.lock.yaml'), 'utf8'));
    expect(lock.images[`${NAMESPACE}/mobilenet`]).toMatchObject({ image, digest });
    expect(lock.images[`${NAMESPACE}/mobilenet`].files).toStrictEqual({
      'models/1/labels.txt': `sha256:${sha256(LABELS)}`,
      'models/1/mobilenetv2-7.onnx': `sha256:${sha256(MODEL)}`,
      'models/1/tokenizer/config.json': `sha256:${sha256(CONFIG_JSON)}`,
      'models/1/tokenizer/sub/merges.txt': `sha256:${sha256(MERGES)}`,
      'models/1/tokenizer/vocab.txt': `sha256:${sha256(VOCAB)}`,
    });
    const isvc = YAML.parse(fs.readFileSync(path.join(dist, 'manifests', NAMESPACE, 'inferenceservice-mobilenet.yaml'), 'utf8'));
    expect(isvc.spec.predictor).toStrictEqual({
      imagePullSecrets: [{ name: SECRET }],
      maxReplicas: 1,
      minReplicas: 1,
      model: {
        modelFormat: { name: 'onnx' },
        resources: { limits: { cpu: '2', memory: '8Gi' }, requests: { cpu: '1', memory: '4Gi' } },
        runtime: 'mobilenet', // its own ServingRuntime, named after it, as the dashboard makes them
        storageUri: `oci://${repository}@${digest}`,
      },
    });
  });

  test('the image config: no ENTRYPOINT, non-root USER, OCI and model labels with every file, its digest and its source', () => {
    const digest = pushedDigest(succeeded(build, 'modelcar build --push'));
    const config = JSON.parse(skopeo(['inspect', '--config', '--authfile', authJson, '--tls-verify=false', `docker://${repository}@${digest}`]).stdout).config;
    expect(config.Entrypoint).toBeUndefined();
    expect(config.User).toBe('65534');
    const { 'dev.modelcar.model.files': files, ...labels } = config.Labels;
    expect(labels).toStrictEqual({
      'dev.modelcar.model.format': 'onnx',
      'dev.modelcar.model.layout': 'ovms',
      'dev.modelcar.model.name': 'mobilenet',
      'dev.modelcar.runtime': 'kserve-ovms',
      'io.buildah.version': expect.any(String), // from the base image, built by `buildah commit` here
      'org.opencontainers.image.base.name': BASE_IMAGE,
      // No namespace, environment or tag: the same files give the same image wherever the model is deployed.
      'org.opencontainers.image.description': 'Model files of mobilenet under /models (a KServe modelcar image)',
      'org.opencontainers.image.title': 'mobilenet',
    });
    expect(JSON.parse(files)).toStrictEqual([
      { path: '/models/1/mobilenetv2-7.onnx', sha256: sha256(MODEL), source: 'model files/mobilenetv2-7.onnx' },
      { path: '/models/1/tokenizer/config.json', sha256: sha256(CONFIG_JSON), source: 'tokenizer/config.json' },
      { path: '/models/1/tokenizer/sub/merges.txt', sha256: sha256(MERGES), source: 'tokenizer/sub/merges.txt' },
      { path: '/models/1/tokenizer/vocab.txt', sha256: sha256(VOCAB), source: 'tokenizer/vocab.txt' },
      { path: '/models/1/labels.txt', sha256: sha256(LABELS), source: `${http!.url}/files/labels.txt` },
    ]);
  });

  test('the layers: files at the OVMS layout under /models, 0:0, world-readable, folders traversable, one layer per file or per folder of small files', () => {
    const digest = pushedDigest(succeeded(build, 'modelcar build --push'));
    const dir = path.join(work, 'oci-layout');
    skopeo(['copy', '--src-authfile', authJson, '--src-tls-verify=false', `docker://${repository}@${digest}`, `oci:${dir}:pushed`]);
    const { layers } = readOciLayout(dir);
    // Each layer after the base's: what it adds under models/.
    const added = layers.slice(1).map((layer) =>
      listLayer(layer)
        .filter((e) => e.type !== 'd')
        .map((e) => e.name),
    );
    expect(added).toStrictEqual([
      ['models/1/mobilenetv2-7.onnx'],
      ['models/1/tokenizer/config.json', 'models/1/tokenizer/vocab.txt'],
      ['models/1/tokenizer/sub/merges.txt'],
      ['models/1/labels.txt'],
    ]);
    const entries = new Map<string, TarEntry>();
    for (const layer of layers.slice(1)) for (const e of listLayer(layer)) entries.set(e.name, e);
    const bytes: Record<string, Buffer> = {
      'models/1/mobilenetv2-7.onnx': MODEL,
      'models/1/tokenizer/config.json': CONFIG_JSON,
      'models/1/tokenizer/vocab.txt': VOCAB,
      'models/1/tokenizer/sub/merges.txt': MERGES,
      'models/1/labels.txt': LABELS,
    };
    expect([...entries.keys()].sort()).toStrictEqual(['models', 'models/1', 'models/1/tokenizer', 'models/1/tokenizer/sub', ...Object.keys(bytes)].sort());
    for (const e of entries.values()) {
      const mode = e.type === 'd' ? 0o755 : 0o444;
      expect({ name: e.name, owner: `${e.uid}:${e.gid}`, mode: e.mode.toString(8) }).toStrictEqual({ name: e.name, owner: '0:0', mode: mode.toString(8) });
    }
    for (const [name, data] of Object.entries(bytes)) {
      const e = entries.get(name)!;
      expect({ name, sha256: sha256(mustSucceed(tryRun('tar', ['-xOf', e.layer, e.member])).stdoutBytes) }).toStrictEqual({ name, sha256: sha256(data) });
    }
  });

  test('a rebuild from scratch (no cached layers, files staged anew with new times), with podman this time, pushes the same digest; the lock file does not change', async () => {
    const first = pushedDigest(succeeded(build, 'modelcar build --push'));
    const lock = fs.readFileSync(path.join(project, 'modelcar.lock.yaml'), 'utf8');
    storage!.buildah(['rmi', image]);
    storage!.buildah(['rmi', '--prune']);
    expect(storage!.imageNames()).toStrictEqual([`${BASE_IMAGE}`]);
    const later = new Date(Date.now() + 3600_000);
    for (const f of ['model files/mobilenetv2-7.onnx', 'tokenizer/vocab.txt']) fs.utimesSync(path.join(project, f), later, later);
    fs.rmSync(path.join(dist, 'images', NAMESPACE, 'mobilenet', 'models', '1', 'labels.txt'));
    succeeded(await modelcar(['stage', '-c', 'modelcar.yaml', '-o', 'dist']), 'modelcar stage (again)');
    // podman this time (the default with --push is modelcar's own writer, tested in image-writer.e2e.test.ts).
    const again = succeeded(await modelcar(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--push', '--builder', 'podman', '--authfile', secretFile, '--tls-verify=false']), 'modelcar build (again)');
    expect(again.stdout).toContain('\n$ podman build --format=oci --layers --timestamp=0 --identity-label=false ');
    // The same config and layers (the image ID covers them, uncompressed), and the same pushed manifest.
    expect(imageId(again)).toBe(imageId(build));
    expect(pushedDigest(again)).toBe(first);
    expect(fs.readFileSync(path.join(project, 'modelcar.lock.yaml'), 'utf8')).toBe(lock);
  });

  test('GIVEN the same model in environments dev and prod (other namespaces, another tag for dev) THEN prod keeps the digest pinned before environments, and dev builds and pushes that very digest', async () => {
    const first = pushedDigest(succeeded(build, 'modelcar build --push'));
    const envConfig = fs
      .readFileSync(config, 'utf8')
      .concat(['environments:', '  dev:', `    renameNamespaces: { ${NAMESPACE}: e2e-dev }`, `    models: { mobilenet: { image: "${repository}:dev" } }`, '  prod:', `    renameNamespaces: { ${NAMESPACE}: e2e-prod }`, ''].join('\n'));
    fs.writeFileSync(path.join(project, 'envs.yaml'), envConfig);
    // The lock file of the config before it had environments.
    fs.copyFileSync(path.join(project, 'modelcar.lock.yaml'), path.join(project, 'envs.lock.yaml'));
    const envDist = path.join(project, 'dist-envs');
    const storageUri = (env: string) => YAML.parse(fs.readFileSync(path.join(envDist, env, 'manifests', `e2e-${env}`, 'inferenceservice-mobilenet.yaml'), 'utf8')).spec.predictor.model.storageUri;
    const before = synthesizeConfigFile({ config: path.join(project, 'envs.yaml'), outdir: envDist });
    expect(storageUri('prod')).toBe(`oci://${repository}@${first}`);
    expect(storageUri('dev')).toBe(`oci://${repository}:dev`);
    expect(before.warnings.map((w) => w.message)).toStrictEqual([
      `dev/e2e-dev/mobilenet has no entry of its own, and ${NAMESPACE}/mobilenet (the same model) was pushed as ${image}, but the config now says ${repository}:dev; storageUri keeps the tag until \`modelcar build --push\` records the new image`,
    ]);
    succeeded(await modelcar(['stage', '-c', 'envs.yaml', '-o', 'dist-envs', 'dev/e2e-dev/mobilenet']), 'modelcar stage (dev)');
    const dev = succeeded(await modelcar(['build', '-c', 'envs.yaml', '-o', 'dist-envs', 'dev/e2e-dev/mobilenet', '--push', '--builder', 'buildah', '--authfile', secretFile, '--tls-verify=false']), 'modelcar build (dev)');
    expect(new RegExp(`pushed ${repository.replace(/[.]/g, '\\.')}:dev as ${repository.replace(/[.]/g, '\\.')}@(sha256:[a-f0-9]{64})`).exec(dev.stdout)?.[1]).toBe(first);
    synthesizeConfigFile({ config: path.join(project, 'envs.yaml'), outdir: envDist });
    expect([storageUri('dev'), storageUri('prod')]).toStrictEqual([`oci://${repository}@${first}`, `oci://${repository}@${first}`]);
    // The dev tag names the image the next tests remove and rebuild: untagged here.
    storage!.buildah(['rmi', `${repository}:dev`]);
  });

  test('build.sh, without modelcar, builds the same image (same image ID) from the same build context', () => {
    succeeded(build, 'modelcar build --push');
    const id = () => storage!.buildah(['images', '--no-trunc', '--format', '{{.ID}}', image]).trim();
    const modelcarId = id();
    expect(`sha256:${modelcarId.replace(/^sha256:/, '')}`).toBe(imageId(build));
    storage!.buildah(['rmi', image]);
    storage!.buildah(['rmi', '--prune']);
    const script = path.join(dist, 'images', NAMESPACE, 'mobilenet', 'build.sh');
    const result = tryRun(script, ['--no-push'], { cwd: work, env: { ...storage!.env, BUILDER: 'buildah' } });
    succeeded(result, 'build.sh --no-push');
    expect(id()).toBe(modelcarId);
    expect(modelcarId).toMatch(/^(sha256:)?[a-f0-9]{64}$/);
  });

  test('modelcar pin, as after a push by another tool: it reads the image back from the registry, finds the labels buildah wrote matching the config, and records what build --push recorded', async () => {
    const lockFile = path.join(project, 'modelcar.lock.yaml');
    const recorded = fs.readFileSync(lockFile, 'utf8');
    fs.rmSync(lockFile);
    try {
      const result = succeeded(await modelcar(['pin', '-c', 'modelcar.yaml', '--authfile', secretFile, '--tls-verify=false']), 'modelcar pin');
      expect(result.stdout).toContain(`${NAMESPACE}/mobilenet: ${image} is ${repository}@${pushedDigest(succeeded(build, 'modelcar build --push'))}; its 5 files match the config`);
      expect(result.stdout + result.stderr).not.toContain(PASSWORD);
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(recorded);
    } finally {
      fs.writeFileSync(lockFile, recorded);
    }
  });

  test("KServe's modelcar-init check and sidecar command succeed in a container of the image pulled by its pinned digest", () => {
    const digest = pushedDigest(succeeded(build, 'modelcar build --push'));
    const pinned = `${repository}@${digest}`;
    const from = ['--pull-always', '--authfile', authJson, `docker://${pinned}`];
    const init = storage!.withContainer(from, (c) => storage!.tryBuildah(['run', c, '--', 'sh', '-c', kserveInitCheck(pinned)]));
    if (init.status !== 0) throw new Error(`modelcar-init check failed:\n${init.report}`);
    expect(init.stdout).toContain('OK ... Prefetched and valid (/models exists)');

    const mnt = fs.mkdtempSync(path.join(work, 'mnt-'));
    fs.chmodSync(mnt, 0o777);
    // `sleep infinity` replaced by a bounded check: the user, the files read through the link, sleep accepting `infinity`.
    const check = ['ls -ldn /proc/$$', '/bin/busybox sha256sum /mnt/models/1/mobilenetv2-7.onnx /mnt/models/1/tokenizer/sub/merges.txt', '{ sleep infinity & s=$!; sleep 1; kill -0 $s && kill $s; }'].join(' && ');
    const sidecar = storage!.withContainer(['--pull-never', pinned], (c) => storage!.tryBuildah(['run', '-v', `${mnt}:/mnt`, c, '--', 'sh', '-c', `${KSERVE_SIDECAR_LINK} && ${check}`]));
    if (sidecar.status !== 0) throw new Error(`modelcar sidecar command failed:\n${sidecar.report}`);
    const lines = sidecar.stdout.trim().split('\n');
    expect(lines[0].split(/\s+/)[2]).toBe('65534');
    expect(lines.slice(1)).toStrictEqual([`${sha256(MODEL)}  /mnt/models/1/mobilenetv2-7.onnx`, `${sha256(MERGES)}  /mnt/models/1/tokenizer/sub/merges.txt`]);
  });
});

describe("modelcar's image against the seed's", () => {
  test('GIVEN the same model file THEN the seed form (COPY, then RUN chmod) stores its bytes twice; modelcar stores them once', () => {
    const dir = path.join(work, 'size');
    const model = randomBytes(2 * 1024 * 1024);
    for (const form of ['seed', 'modelcar']) {
      fs.mkdirSync(path.join(dir, form, 'models', '1'), { recursive: true });
      fs.writeFileSync(path.join(dir, form, 'models', '1', 'model.onnx'), model, { mode: 0o600 });
    }
    // The seed's Containerfile, word for word but for the base.
    fs.writeFileSync(path.join(dir, 'seed', 'Containerfile'), `FROM ${BASE_IMAGE}\nCOPY --chown=0:0 models /models\nRUN chmod -R a=rX /models\n\n# nobody user\nUSER 65534 \n`);
    // modelcar's, as synth writes it for this file.
    const generated = fs.readFileSync(path.join(dist, 'images', NAMESPACE, 'mobilenet', 'Containerfile'), 'utf8');
    const copies = generated.split('\n').filter((l) => l.startsWith('COPY'));
    fs.writeFileSync(path.join(dir, 'modelcar', 'Containerfile'), generated.replace(copies.join('\n'), 'COPY --chown=0:0 --chmod=0444 models/1/model.onnx /models/1/model.onnx'));
    const bytes: Record<string, number> = {};
    for (const form of ['seed', 'modelcar']) {
      const tag = `localhost/size-${form}:1`;
      storage!.buildah(['build', '--format=oci', '--layers', '--timestamp=0', '-t', tag, path.join(dir, form)]);
      storage!.buildah(['push', tag, `oci:${path.join(dir, `${form}-layout`)}`]);
      const { manifest } = readOciLayout(path.join(dir, `${form}-layout`));
      // The layers above the base's, as stored and pulled (compressed; random bytes do not compress).
      bytes[form] = manifest.layers.slice(1).reduce((sum, l) => sum + l.size, 0);
    }
    process.stdout.write(`model file ${model.length} B; layers above the base: seed ${bytes.seed} B, modelcar ${bytes.modelcar} B\n`);
    expect(bytes.modelcar).toBeGreaterThan(model.length);
    expect(bytes.modelcar).toBeLessThan(model.length * 1.01);
    expect(bytes.seed).toBeGreaterThan(model.length * 2);
    expect(bytes.seed / bytes.modelcar).toBeGreaterThan(1.95);
  });
});
