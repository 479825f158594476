/**
 * End to end: modelcar's own image writer (`modelcar build --push`, no builder), on real tools.
 *
 * A busybox base image is built locally with buildah and pushed to a real registry (docker-registry, htpasswd auth,
 * 127.0.0.1); a project is synthesized and staged, and `modelcar build --push` (the modelcar builder, the default
 * when pushing) writes the model image straight to the registry with a pull secret modelcar generated as
 * credentials. The image is then checked as the runtimes see it: skopeo (manifest, config, labels, layers, owners,
 * modes, bytes), the layers against the ones buildah builds from the same build context (the same diff_ids), podman
 * pull, and the commands KServe injects into the predictor pod run in a container of it. Then: the same digest on
 * every run and in an OCI layout pushed with skopeo; zstd and gzip layers; and a push interrupted mid-upload (through a
 * proxy that stalls it), which leaves no tag and no upload behind and is redone cleanly.
 *
 * Needs root (buildah with the vfs driver and chroot isolation) and:
 *   apt-get install -y --no-install-recommends buildah podman skopeo docker-registry apache2-utils busybox-static zstd
 * A missing tool fails the test with that command; nothing is skipped.
 */
import { ChildProcess, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { dockerConfigJson } from '../../src/core/docker-config';
import { PullSecret } from '../../src/constructs/pull-secret';
import { synthesize, synthesizeConfigFile } from '../../src/pipeline/synthesize';
import { OciModel } from '../../src/constructs/oci-model';
import { stage as stageTree } from '../../src/pipeline/stage';
import { build as buildTree } from '../../src/pipeline/build';
import { ZSTD_INSTALL } from '../../src/pipeline/image/compression';
import { IMAGE_TOOLS_INSTALL, Registry, startRegistry } from '../support/registry';
import { requireTool } from '../support/tools';
import { buildBaseImage, cleanUpSuite, KSERVE_SIDECAR_LINK, kserveInitCheck, listLayer, mustSucceed, readOciLayout, requireBusybox, runAsync, RunResult, succeeded, TarEntry, TestStorage, tryRun } from './containers';
import { sha256 } from '../support/digest';
import { CLI } from '../support/spawn';

jest.setTimeout(300_000);

const LOCAL_BASE = 'localhost/modelcar-writer-base:1';
const NAMESPACE = 'e2e-models';
const SECRET = 'registry-pull';
const USERNAME = 'modelcar-writer';
const PASSWORD = `pw<&>"${randomBytes(6).toString('hex')}`;

const MODEL = randomBytes(3 * 1024 * 1024 + 11);
const FILES: Record<string, Buffer> = {
  'tokenizer/vocab.txt': Buffer.from('hello\nworld\n'),
  'tokenizer/config.json': Buffer.from('{"vocab_size": 2}\n'),
  'tokenizer/sub/merges.txt': Buffer.from('h e\n'),
  'tokenizer/vocabulaire-é.txt': Buffer.from('bonjour\n'),
};

let work: string;
let registry: Registry | undefined;
let storage: TestStorage | undefined;
let project: string;
let dist: string;
let secretFile: string;
let authJson: string;
let baseImage: string;
let repository: string;
let image: string;
let build: RunResult | undefined;
let again: RunResult | undefined;

/** Runs the modelcar CLI in a child process, with the test's container storage and temp folder. */
function modelcar(args: string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runAsync(process.execPath, [CLI, ...args], { cwd: project, env: { ...storage!.env, ...env }, context: () => `--- registry log ---\n${registry?.log() ?? ''}` });
}

/** The digest a `modelcar build --push` printed for the image. */
function pushedDigest(result: RunResult, ref = image): string {
  const repo = ref.replace(/:[^:/]+$/, '');
  const m = new RegExp(`pushed ${ref.replace(/[.]/g, '\\.')} as ${repo.replace(/[.]/g, '\\.')}@(sha256:[a-f0-9]{64}) \\(image ID (sha256:[a-f0-9]{64})\\)`).exec(result.stdout);
  if (!m) throw new Error(`no "pushed" line for ${ref} in the output of modelcar build:\n${result.report}`);
  return m[1];
}

function skopeo(args: string[]): RunResult {
  return mustSucceed(tryRun('skopeo', args, { env: storage!.env }));
}

/** The image's manifest and config, as the registry serves them. */
function inspect(ref: string): { manifest: any; config: any; digest: string } {
  const raw = skopeo(['inspect', '--raw', '--authfile', authJson, '--tls-verify=false', `docker://${ref}`]).stdout;
  const config = JSON.parse(skopeo(['inspect', '--config', '--authfile', authJson, '--tls-verify=false', `docker://${ref}`]).stdout);
  return { manifest: JSON.parse(raw), config, digest: `sha256:${sha256(raw)}` };
}

function writeConfig(file: string, ref: string, extra: string[] = []): void {
  fs.writeFileSync(
    file,
    [
      'version: 1',
      'defaults:',
      `  namespace: ${NAMESPACE}`,
      '  runtime: kserve-ovms',
      `  pullSecret: ${SECRET}`,
      ...extra,
      'models:',
      '  - name: mobilenet',
      '    format: onnx',
      `    image: ${ref}`,
      `    baseImage: ${baseImage}`,
      '    files:',
      '      - source: model files/mobilenetv2-7.onnx',
      `        sha256: ${sha256(MODEL)}`,
      '      - source: tokenizer',
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  for (const tool of ['buildah', 'podman', 'skopeo', 'docker-registry', 'htpasswd']) requireTool(tool, IMAGE_TOOLS_INSTALL);
  requireTool('zstd', ZSTD_INSTALL);
  for (const tool of ['sha256sum', 'cut', 'tar']) requireTool(tool, 'apt-get install -y coreutils tar');
  const busybox = requireBusybox();
  if (process.getuid?.() !== 0) throw new Error('this test runs buildah with the vfs driver and chroot isolation, which needs root');

  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-writer-'));
  registry = await startRegistry({ dir: path.join(work, 'registry'), username: USERNAME, password: PASSWORD });
  repository = `${registry.host}/e2e/mobilenet`;
  image = `${repository}:1`;
  baseImage = `${registry.host}/base/busybox:1`;
  const registriesConf = path.join(work, 'registries.conf');
  fs.writeFileSync(registriesConf, `[[registry]]\nlocation = ${JSON.stringify(registry.host)}\ninsecure = true\n`);
  authJson = path.join(work, 'auth.json');
  fs.writeFileSync(authJson, dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o600 });
  storage = new TestStorage(path.join(work, 'storage'), { CONTAINERS_REGISTRIES_CONF: registriesConf });
  // The base image is built here and pushed to the registry, where modelcar's writer reads it.
  buildBaseImage(storage, busybox, LOCAL_BASE);
  storage.buildah(['push', '--authfile', authJson, LOCAL_BASE, `docker://${baseImage}`]);

  // The pull secret modelcar generates, as the push credentials.
  const chart = new Chart(new App(), 'secrets', { namespace: NAMESPACE, disableResourceNameHashes: true });
  new PullSecret(chart, 'pull', { name: SECRET, credentials: { server: registry.host, username: USERNAME, password: PASSWORD } });
  fs.mkdirSync(path.join(work, 'secrets-dist'));
  synthesize(chart, { outdir: path.join(work, 'secrets-dist'), source: 'e2e', secretsDir: path.join(work, 'secrets') });
  secretFile = path.join(work, 'secrets', NAMESPACE, `secret-${SECRET}.yaml`);

  project = path.join(work, 'project');
  const file = (name: string, data: Buffer) => {
    const full = path.join(project, ...name.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, data, { mode: 0o600 });
    fs.chownSync(full, 12345, 12345);
  };
  file('model files/mobilenetv2-7.onnx', MODEL);
  for (const [name, data] of Object.entries(FILES)) file(name, data);
  dist = path.join(project, 'dist');
  writeConfig(path.join(project, 'modelcar.yaml'), image);
  synthesizeConfigFile({ config: path.join(project, 'modelcar.yaml'), outdir: dist });
  const stage = await modelcar(['stage', '-c', 'modelcar.yaml', '-o', 'dist']);
  if (stage.status !== 0) throw new Error(`modelcar stage failed:\n${stage.report}`);
  build = await modelcar(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--push', '--authfile', secretFile, '--tls-verify=false']);
  if (build.status === 0) again = await modelcar(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--push', '--authfile', secretFile, '--tls-verify=false']);
});

afterAll(() => cleanUpSuite({ services: [() => registry?.stop()], storages: [storage], work }));

describe('modelcar build --push with its own image writer', () => {
  test('the writer is the default when pushing; it pushes with the pull secret, which shows in no output, and leaves no auth file behind', () => {
    const result = succeeded(build, 'modelcar build --push');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`pushing with credentials from the pull secret ${SECRET} in ${secretFile}`);
    expect(lines[1]).toBe(`${NAMESPACE}/mobilenet: pushing ${image} (3 model layers, uncompressed) on ${baseImage}`);
    // The base layer is mounted from the base's repository of the same registry, not copied.
    expect(result.stdout).not.toContain('copied');
    expect(lines.filter((l) => / layer \d\/3 /.test(l)).map((l) => l.replace(/ pushed as .*/, ''))).toStrictEqual([
      `${NAMESPACE}/mobilenet: layer 1/3 models/1/mobilenetv2-7.onnx: 3.0 MiB`,
      `${NAMESPACE}/mobilenet: layer 2/3 3 files in models/1/tokenizer/: 38 B`,
      `${NAMESPACE}/mobilenet: layer 3/3 models/1/tokenizer/sub/merges.txt: 4 B`,
    ]);
    // A layer of small files is mostly tar headers: its size (as the manifest has it) is said; a large file's is the file's.
    const sizes = (inspect(image).manifest.layers as { size: number }[]).slice(-3).map((l) => l.size);
    expect(sizes[0]! / 3 / 2 ** 20).toBeCloseTo(1, 2);
    expect(lines.filter((l) => / layer \d\/3 /.test(l)).map((l) => / \((uncompressed[^)]*)\) in /.exec(l)?.[1])).toStrictEqual([
      'uncompressed',
      `uncompressed, a ${(sizes[1]! / 1024).toFixed(1)} KiB layer`,
      `uncompressed, a ${(sizes[2]! / 1024).toFixed(1)} KiB layer`,
    ]);
    expect(result.stdout).toContain('recorded 1 digest in modelcar.lock.yaml; run `modelcar synth` to pin storageUri to them\n');
    for (const text of [result.stdout, result.stderr]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64'));
    }
    expect(fs.readdirSync(storage!.env.TMPDIR!).filter((f) => f.startsWith('modelcar-auth-'))).toStrictEqual([]);
  });

  test('the registry serves the digest it printed; the lock file pins it and synth writes it into storageUri', () => {
    const digest = pushedDigest(succeeded(build, 'modelcar build --push'));
    expect(inspect(image).digest).toBe(digest);
    const lock = YAML.parse(fs.readFileSync(path.join(project, 'modelcar.lock.yaml'), 'utf8'));
    expect(lock.images[`${NAMESPACE}/mobilenet`]).toMatchObject({ image, digest });
    synthesizeConfigFile({ config: path.join(project, 'modelcar.yaml'), outdir: dist });
    const isvc = YAML.parse(fs.readFileSync(path.join(dist, 'manifests', NAMESPACE, 'inferenceservice-mobilenet.yaml'), 'utf8'));
    expect(isvc.spec.predictor.model.storageUri).toBe(`oci://${repository}@${digest}`);
  });

  test('the manifest: OCI, the base layer as the base has it, the model layers uncompressed, the base named with its digest', () => {
    const { manifest } = inspect(image);
    const base = inspect(baseImage);
    expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
    expect(manifest.layers[0]).toStrictEqual(base.manifest.layers[0]);
    expect(manifest.layers.slice(1).map((l: any) => l.mediaType)).toStrictEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar'));
    expect(manifest.annotations).toStrictEqual({ 'org.opencontainers.image.base.digest': base.digest, 'org.opencontainers.image.base.name': baseImage });
  });

  test('the config: no ENTRYPOINT nor CMD, USER 65534, the base environment, the labels the Containerfile sets and the files label', () => {
    const { config } = inspect(image);
    expect(config.created).toBe('1970-01-01T00:00:00Z');
    expect(config.config.Entrypoint).toBeUndefined();
    expect(config.config.Cmd).toBeUndefined();
    expect(config.config.User).toBe('65534');
    expect(config.config.Env).toStrictEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    const { 'dev.modelcar.model.files': files, ...labels } = config.config.Labels;
    // Nothing of where the image is deployed or pushed (no namespace, no tag): the same files give one digest everywhere.
    expect(labels).toStrictEqual({
      'dev.modelcar.model.format': 'onnx',
      'dev.modelcar.model.layout': 'ovms',
      'dev.modelcar.model.name': 'mobilenet',
      'dev.modelcar.runtime': 'kserve-ovms',
      'io.buildah.version': expect.any(String), // the base image's, built by `buildah commit` here
      'org.opencontainers.image.base.name': baseImage,
      'org.opencontainers.image.description': 'Model files of mobilenet under /models (a KServe modelcar image)',
      'org.opencontainers.image.title': 'mobilenet',
    });
    expect(JSON.parse(files)).toStrictEqual([
      { path: '/models/1/mobilenetv2-7.onnx', sha256: sha256(MODEL), source: 'model files/mobilenetv2-7.onnx' },
      ...Object.keys(FILES)
        .sort()
        .map((f) => ({ path: `/models/1/${f}`, sha256: sha256(FILES[f]), source: f })),
    ]);
    // Each model layer's history entry: the Containerfile's COPY, and the key of its inputs (files, digests, compression).
    expect(config.history.slice(-8).map((h: any) => [h.created_by.replace(/ .*/, ''), h.empty_layer ?? false, /^modelcar layer sha256:[a-f0-9]{64}$/.test(h.comment ?? '')])).toStrictEqual([
      ['COPY', false, true],
      ['COPY', false, true],
      ['COPY', false, true],
      ['ARG', true, false],
      ['LABEL', true, false],
      ['ENTRYPOINT', true, false],
      ['USER', true, false],
      ['LABEL', true, false],
    ]);
    expect(config.history.slice(-8, -5).map((h: any) => h.created_by)).toStrictEqual([
      'COPY --chown=0:0 --chmod=0444 models/1/mobilenetv2-7.onnx /models/1/mobilenetv2-7.onnx',
      'COPY --chown=0:0 --chmod=0444 models/1/tokenizer/config.json models/1/tokenizer/vocab.txt models/1/tokenizer/vocabulaire-é.txt /models/1/tokenizer/',
      'COPY --chown=0:0 --chmod=0444 models/1/tokenizer/sub/merges.txt /models/1/tokenizer/sub/merges.txt',
    ]);
  });

  test('the layers: the files at the OVMS layout under /models, 0:0, files 0444, folders 0755, bytes equal to the sources', () => {
    const dir = path.join(work, 'oci-layout');
    skopeo(['copy', '--src-authfile', authJson, '--src-tls-verify=false', `docker://${image}`, `oci:${dir}:pushed`]);
    const { layers } = readOciLayout(dir);
    const entries = new Map<string, TarEntry>();
    for (const layer of layers.slice(1)) for (const e of listLayer(layer)) entries.set(e.name, e);
    const bytes: Record<string, Buffer> = { 'models/1/mobilenetv2-7.onnx': MODEL };
    for (const [f, data] of Object.entries(FILES)) bytes[`models/1/${f}`] = data;
    expect([...entries.keys()].sort()).toStrictEqual(['models', 'models/1', 'models/1/tokenizer', 'models/1/tokenizer/sub', ...Object.keys(bytes)].sort());
    for (const e of entries.values()) {
      expect({ name: e.name, owner: `${e.uid}:${e.gid}`, mode: e.mode.toString(8) }).toStrictEqual({ name: e.name, owner: '0:0', mode: e.type === 'd' ? '755' : '444' });
    }
    for (const [name, data] of Object.entries(bytes)) {
      const e = entries.get(name)!;
      expect({ name, sha256: sha256(mustSucceed(tryRun('tar', ['-xOf', e.layer, e.member])).stdoutBytes) }).toStrictEqual({ name, sha256: sha256(data) });
    }
  });

  test("the layers are buildah's: build.sh builds the same build context with buildah to the same diff_ids", () => {
    const { config } = inspect(image);
    const script = path.join(dist, 'images', NAMESPACE, 'mobilenet', 'build.sh');
    succeeded(tryRun(script, ['--no-push', '--tls-verify=false'], { cwd: work, env: { ...storage!.env, BUILDER: 'buildah', REGISTRY_AUTH_FILE: authJson } }), 'build.sh --no-push');
    const built = JSON.parse(storage!.buildah(['inspect', '--type', 'image', image]));
    expect(built.OCIv1.rootfs.diff_ids).toStrictEqual(config.rootfs.diff_ids);
    expect(built.OCIv1.config.Labels).toStrictEqual(config.config.Labels);
    expect({ User: built.OCIv1.config.User, Entrypoint: built.OCIv1.config.Entrypoint, Cmd: built.OCIv1.config.Cmd }).toStrictEqual({ User: '65534', Entrypoint: undefined, Cmd: undefined });
    storage!.buildah(['rmi', image]);
  });

  test('a second run finds every layer it would write in the image at the tag (by its inputs, in the history), uploads none, and pushes the same digest', () => {
    const first = pushedDigest(succeeded(build, 'modelcar build --push'));
    const second = succeeded(again, 'modelcar build --push (again)');
    expect(pushedDigest(second)).toBe(first);
    expect(second.stdout.split('\n').filter((l) => / layer \d\/3 /.test(l)).map((l) => l.replace(/ as sha256:.*/, ''))).toStrictEqual([
      `${NAMESPACE}/mobilenet: layer 1/3 models/1/mobilenetv2-7.onnx: 3.0 MiB unchanged, already in the registry`,
      `${NAMESPACE}/mobilenet: layer 2/3 3 files in models/1/tokenizer/: 38 B unchanged, already in the registry`,
      `${NAMESPACE}/mobilenet: layer 3/3 models/1/tokenizer/sub/merges.txt: 4 B unchanged, already in the registry`,
    ]);
  });

  test('podman pulls it with the pull secret; its image ID is the config digest modelcar printed', () => {
    const result = succeeded(build, 'modelcar build --push');
    const id = /\(image ID sha256:([a-f0-9]{64})\)/.exec(result.stdout)![1];
    const pinned = `${repository}@${pushedDigest(result)}`;
    const pull = tryRun('podman', ['pull', '--authfile', authJson, '--tls-verify=false', pinned], { env: storage!.env });
    if (pull.status !== 0) throw new Error(pull.report);
    expect(pull.stdout.trim().split('\n').pop()).toBe(id);
  });

  test("KServe's modelcar-init check and sidecar command succeed in a container of the image pulled by its digest", () => {
    const pinned = `${repository}@${pushedDigest(succeeded(build, 'modelcar build --push'))}`;
    const init = storage!.withContainer(['--pull-always', '--authfile', authJson, `docker://${pinned}`], (c) => storage!.tryBuildah(['run', c, '--', 'sh', '-c', kserveInitCheck(pinned)]));
    if (init.status !== 0) throw new Error(`modelcar-init check failed:\n${init.report}`);
    expect(init.stdout).toContain('OK ... Prefetched and valid (/models exists)');
    const mnt = fs.mkdtempSync(path.join(work, 'mnt-'));
    fs.chmodSync(mnt, 0o777);
    const check = ['ls -ldn /proc/$$', '/bin/busybox sha256sum /mnt/models/1/mobilenetv2-7.onnx /mnt/models/1/tokenizer/sub/merges.txt', '{ sleep infinity & s=$!; sleep 1; kill -0 $s && kill $s; }'].join(' && ');
    const sidecar = storage!.withContainer(['--pull-never', pinned], (c) => storage!.tryBuildah(['run', '-v', `${mnt}:/mnt`, c, '--', 'sh', '-c', `${KSERVE_SIDECAR_LINK} && ${check}`]));
    if (sidecar.status !== 0) throw new Error(`modelcar sidecar command failed:\n${sidecar.report}`);
    const lines = sidecar.stdout.trim().split('\n');
    expect(lines[0].split(/\s+/)[2]).toBe('65534');
    expect(lines.slice(1)).toStrictEqual([`${sha256(MODEL)}  /mnt/models/1/mobilenetv2-7.onnx`, `${sha256(FILES['tokenizer/sub/merges.txt'])}  /mnt/models/1/tokenizer/sub/merges.txt`]);
  });

  test('--layout writes the same image as an OCI layout (the same digest); skopeo copies it to the registry unchanged', async () => {
    const digest = pushedDigest(succeeded(build, 'modelcar build --push'));
    const layout = path.join(work, 'layouts');
    const result = succeeded(await modelcar(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--layout', layout, '--authfile', authJson, '--tls-verify=false']), 'modelcar build --layout');
    const dir = path.join(layout, NAMESPACE, 'mobilenet');
    expect(result.stdout).toContain(`${NAMESPACE}/mobilenet: wrote ${image} as ${digest} (image ID `);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')).manifests[0]).toMatchObject({ digest, annotations: { 'org.opencontainers.image.ref.name': '1' } });
    skopeo(['copy', '--dest-authfile', authJson, '--dest-tls-verify=false', `oci:${dir}:1`, `docker://${repository}:from-layout`]);
    expect(inspect(`${repository}:from-layout`).digest).toBe(digest);
    // A second layout into the same folder is refused rather than mixed with the first.
    const twice = await modelcar(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--layout', layout, '--authfile', authJson, '--tls-verify=false']);
    expect({ status: twice.status, stderr: twice.stderr.trim() }).toStrictEqual({
      status: 1,
      stderr: `modelcar: ${NAMESPACE}/mobilenet: ${dir} exists and is not empty; an OCI layout is written into a new folder (remove it, or name another)`,
    });
  });

  test('--layout never writes through a symbolic link: one in place of the image folder is refused, its target left empty', async () => {
    const layout = path.join(work, 'linked-layouts');
    const target = path.join(work, 'link-target');
    fs.mkdirSync(path.join(layout, NAMESPACE), { recursive: true });
    fs.mkdirSync(target);
    fs.symlinkSync(target, path.join(layout, NAMESPACE, 'mobilenet'));
    const result = await modelcar(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--layout', layout, '--authfile', authJson, '--tls-verify=false']);
    const shown = `${path.relative(project, path.join(layout, NAMESPACE))}/mobilenet`;
    expect({ status: result.status, stderr: result.stderr.trim() }).toStrictEqual({
      status: 1,
      stderr:
        `modelcar: ${NAMESPACE}/mobilenet: ${shown} is a symbolic link (to ${target}), where modelcar needs a folder of its own in its layout folder; ` +
        'modelcar never reads, writes or deletes through links there: replace the link with a folder, or remove it',
    });
    expect(fs.readdirSync(target)).toStrictEqual([]);
    // Nothing half-written beside it either.
    expect(fs.readdirSync(path.join(layout, NAMESPACE))).toStrictEqual(['mobilenet']);
  });

  test('--layout never writes through a symbolic link on the way: one in place of the namespace folder is refused, its target left empty', async () => {
    const layout = path.join(work, 'linked-namespaces');
    const target = path.join(work, 'namespace-target');
    fs.mkdirSync(layout);
    fs.mkdirSync(target);
    fs.symlinkSync(target, path.join(layout, NAMESPACE));
    const result = await modelcar(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--layout', layout, '--authfile', authJson, '--tls-verify=false']);
    expect({ status: result.status, stderr: result.stderr.trim() }).toStrictEqual({
      status: 1,
      stderr:
        `modelcar: ${NAMESPACE}/mobilenet: ${path.relative(project, layout)}/${NAMESPACE} is a symbolic link (to ${target}), where modelcar needs a folder of its own in its layout folder; ` +
        'modelcar never reads, writes or deletes through links there: replace the link with a folder, or remove it',
    });
    expect(fs.readdirSync(target)).toStrictEqual([]);
    expect(fs.readdirSync(layout)).toStrictEqual([NAMESPACE]);
  });
});

describe('compressed layers', () => {
  for (const [compression, mediaType] of [
    ['zstd', 'application/vnd.oci.image.layer.v1.tar+zstd'],
    ['gzip', 'application/vnd.oci.image.layer.v1.tar+gzip'],
  ] as const) {
    test(`GIVEN compression: ${compression} THEN ${mediaType} layers of the same diff_ids, the same blobs when written anew for another repository, and podman pulls them`, async () => {
      const ref = `${repository}:${compression}`;
      const other = `${registry!.host}/e2e/other-${compression}:1`;
      const out = path.join(project, `dist-${compression}`);
      const push = async (name: string, image: string) => {
        writeConfig(path.join(project, name), image, [`  compression: ${compression}`]);
        synthesizeConfigFile({ config: path.join(project, name), outdir: out });
        succeeded(await modelcar(['stage', '-c', name, '-o', out]), 'modelcar stage');
        return succeeded(await modelcar(['build', '-c', name, '-o', out, '--push', '--authfile', authJson, '--tls-verify=false']), `modelcar build (${compression}, ${image})`);
      };
      const first = await push(`${compression}.yaml`, ref);
      expect(first.stdout).toContain(`pushing ${ref} (3 model layers, ${compression}) on ${baseImage}`);
      expect(pushedDigest(first, ref)).toMatch(/^sha256:/);
      // Another repository: nothing to reuse there, every layer compressed again, to the same bytes.
      const again = await push(`${compression}-other.yaml`, other);
      expect(again.stdout).not.toContain('unchanged');
      const { manifest, config } = inspect(ref);
      expect(inspect(other).manifest.layers).toStrictEqual(manifest.layers);
      expect(manifest.layers.slice(1).map((l: any) => l.mediaType)).toStrictEqual(Array(3).fill(mediaType));
      expect(config.rootfs.diff_ids).toStrictEqual(inspect(image).config.rootfs.diff_ids);
      // The model file is random: compressed it is not smaller; the layer is stored once all the same.
      expect(manifest.layers[1].size).toBeGreaterThan(MODEL.length);
      expect(manifest.layers[1].size).toBeLessThan(MODEL.length * 1.01);
      const pull = tryRun('podman', ['pull', '--authfile', authJson, '--tls-verify=false', ref], { env: storage!.env });
      if (pull.status !== 0) throw new Error(pull.report);
      const init = storage!.withContainer(['--pull-never', ref], (c) => storage!.tryBuildah(['run', c, '--', 'sh', '-c', kserveInitCheck(ref)]));
      expect(init.stdout).toContain('OK ... Prefetched and valid (/models exists)');
    });
  }
});

describe('compression from TypeScript', () => {
  test('GIVEN an OciModel with compression: zstd THEN build() of the construct tree pushes the image a config with compression: zstd pushes, digest for digest', async () => {
    const ref = `${repository}:ts-zstd`;
    const viaConfig = `${repository}:config-zstd`;
    const out = path.join(project, 'dist-ts');
    // The config's image, pushed by the CLI.
    writeConfig(path.join(project, 'ts-zstd.yaml'), viaConfig, ['  compression: zstd']);
    synthesizeConfigFile({ config: path.join(project, 'ts-zstd.yaml'), outdir: path.join(project, 'dist-config-zstd') });
    succeeded(await modelcar(['stage', '-c', 'ts-zstd.yaml', '-o', 'dist-config-zstd']), 'modelcar stage');
    const cli = succeeded(await modelcar(['build', '-c', 'ts-zstd.yaml', '-o', 'dist-config-zstd', '--push', '--authfile', authJson, '--tls-verify=false']), 'modelcar build (zstd)');
    // The same model as constructs.
    const app = new App();
    const chart = new Chart(app, 'models', { namespace: NAMESPACE, disableResourceNameHashes: true });
    const model = new OciModel(chart, 'mobilenet', {
      name: 'mobilenet',
      runtime: 'kserve-ovms',
      modelFormat: { name: 'onnx' },
      image: ref,
      baseImage,
      compression: 'zstd',
      sourceDir: project,
      files: [
        { source: 'model files/mobilenetv2-7.onnx', sha256: sha256(MODEL) },
        { source: 'tokenizer' },
      ],
    });
    expect(model.image.compression).toBe('zstd');
    const tree = { scope: app, outdir: out, source: 'models.ts', lockFile: path.join(project, 'models.lock.yaml') };
    synthesize(app, tree);
    const quiet = { write: () => undefined };
    await stageTree({ ...tree, output: quiet });
    const built = await buildTree({ ...tree, push: true, authfile: authJson, tlsVerify: false, env: { ...process.env, ...storage!.env }, output: quiet });
    const { manifest } = inspect(ref);
    expect(manifest.layers.slice(1).map((l: any) => l.mediaType)).toStrictEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+zstd'));
    expect(built.images.map((i) => i.digest)).toStrictEqual([pushedDigest(cli, viaConfig)]);
  });
});

/**
 * A proxy in front of the registry that passes everything, except that it holds an upload (PATCH) once 1.5 MiB of
 * it went through (the model layer, not the 1 MiB base layer before it) until `release()`: an upload in progress,
 * for as long as the test needs. The registry names its upload locations with its own address; the proxy makes them
 * relative, so that modelcar keeps talking to the proxy.
 */
async function holdingProxy(upstream: string): Promise<{ host: string; held: Promise<void>; release: () => void; close: () => Promise<void> }> {
  let onHold: () => void;
  const held = new Promise<void>((resolve) => (onHold = resolve));
  const paused: http.IncomingMessage[] = [];
  let released = false;
  const sockets = new Set<import('net').Socket>();
  const server = http.createServer((req, res) => {
    const [host, port] = upstream.split(':');
    const forward = http.request({ host, port: Number(port), method: req.method, path: req.url, headers: { ...req.headers, host: upstream } }, (answer) => {
      const headers = { ...answer.headers };
      if (typeof headers.location === 'string') headers.location = headers.location.replace(`http://${upstream}`, '');
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    // modelcar gone before the answer: the registry's request goes too (one listener per request, not per socket).
    res.on('close', () => {
      if (!res.writableFinished) forward.destroy();
    });
    if (req.method !== 'PATCH') return void req.pipe(forward);
    let through = 0;
    req.on('data', (chunk: Buffer) => {
      through += chunk.length;
      forward.write(chunk);
      if (through >= 1.5 * 1024 * 1024 && !released && !paused.includes(req)) {
        req.pause();
        paused.push(req);
        onHold();
      }
    });
    req.on('end', () => forward.end());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    release: () => {
      released = true;
      for (const req of paused) req.resume();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('an interrupted push', () => {
  test('GIVEN SIGINT while a layer uploads THEN the upload is ended and cancelled: exit 130, no tag, the registry keeps none of its bytes; a new run pushes the image', async () => {
    succeeded(build, 'modelcar build --push');
    const proxy = await holdingProxy(registry!.host);
    try {
      const ref = `${proxy.host}/e2e/interrupted:1`;
      const auth = path.join(work, 'auth-proxy.json');
      const entries = { auths: { ...JSON.parse(fs.readFileSync(authJson, 'utf8')).auths, [proxy.host]: JSON.parse(fs.readFileSync(authJson, 'utf8')).auths[registry!.host] } };
      fs.writeFileSync(auth, JSON.stringify(entries), { mode: 0o600 });
      writeConfig(path.join(project, 'interrupted.yaml'), ref);
      const out = path.join(project, 'dist-interrupted');
      synthesizeConfigFile({ config: path.join(project, 'interrupted.yaml'), outdir: out });
      succeeded(await modelcar(['stage', '-c', 'interrupted.yaml', '-o', out]), 'modelcar stage');
      const args = [CLI, 'build', '-c', 'interrupted.yaml', '-o', out, '--push', '--authfile', auth, '--tls-verify=false'];
      const child: ChildProcess = spawn(process.execPath, args, { cwd: project, env: storage!.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await Promise.race([proxy.held, exited.then(() => Promise.reject(new Error(`modelcar exited before the upload was held:\n${stdout}\n${stderr}`)))]);
      // The base layer came from another registry (the proxy is one to modelcar): copied blob by blob.
      expect(stdout).toContain(`copied 1 base layer from ${registry!.host}/base/busybox\n`);
      child.kill('SIGINT');
      // modelcar ends the upload's body where it stands; the registry answers once the proxy lets it through.
      await new Promise((r) => setTimeout(r, 300));
      proxy.release();
      expect({ code: await exited, stderr: stderr.trim() }).toStrictEqual({
        code: 130,
        stderr: `modelcar: interrupted while pushing ${NAMESPACE}/mobilenet; its upload was cancelled and the tag left as it was`,
      });
      expect(fs.existsSync(path.join(project, 'interrupted.lock.yaml'))).toBe(false);
      expect((await registry!.get('/v2/e2e/interrupted/tags/list')).status).toBe(404);
      // The upload was cancelled (DELETE): the registry dropped the bytes it had received. (distribution 2.8 still
      // writes back the 108-byte hash state of the session as it closes it; its upload purger removes that later.)
      const uploads = path.join(work, 'registry', 'data', 'docker', 'registry', 'v2', 'repositories', 'e2e', 'interrupted', '_uploads');
      const left = fs.existsSync(uploads) ? (fs.readdirSync(uploads, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(uploads, f)).isFile()) : [];
      expect(left.filter((f) => path.basename(f) === 'data')).toStrictEqual([]);
      expect(left.reduce((sum, f) => sum + fs.statSync(path.join(uploads, f)).size, 0)).toBeLessThan(1024);
      expect(registry!.log()).toMatch(/http\.request\.method=DELETE .*http\.response\.status=204/);

      // Restarted straight to the registry: the whole image, the digest of the same image pushed elsewhere.
      const direct = `${registry!.host}/e2e/interrupted:1`;
      writeConfig(path.join(project, 'interrupted.yaml'), direct);
      synthesizeConfigFile({ config: path.join(project, 'interrupted.yaml'), outdir: out });
      const redo = succeeded(await modelcar(['build', '-c', 'interrupted.yaml', '-o', out, '--push', '--authfile', authJson, '--tls-verify=false']), 'modelcar build (after the interruption)');
      const { config } = inspect(direct);
      expect(config.rootfs.diff_ids).toStrictEqual(inspect(image).config.rootfs.diff_ids);
      expect(pushedDigest(redo, direct)).toMatch(/^sha256:/);
    } finally {
      await proxy.close();
    }
  });
});
