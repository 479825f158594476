/**
 * End to end: the in-cluster build's steps, exactly as synth writes them into the Task, run here on real tools, give
 * the image `modelcar build --push` gives.
 *
 * There is no cluster here, so the test plays Tekton's part the way Tekton v1.15.0 does it
 * (tektoncd/pipeline pkg/reconciler/taskrun/resources/apply.go: `ApplyParameters`, `ApplyWorkspaces`,
 * `ApplyResults`): it reads the Task and the TaskRun from dist/builds/, replaces `$(params.*)` with the TaskRun's
 * values (the Task's defaults otherwise), `$(workspaces.<name>.path|bound)` with folders of its own (the volume
 * claimed for the build, and the pull secret's keys as files, as a Secret workspace mounts them) and
 * `$(results.<name>.path)` with files, in each step's environment, and runs each step's script as the step's
 * container would (a file run by its `#!/bin/sh`), with `modelcar` on PATH: this checkout's CLI. The one param it
 * sets beyond the TaskRun's is `tls-verify: "false"`, a param the Task declares, since the registry here is plain
 * http.
 *
 * The model files come from an HTTP server on 127.0.0.1, from a bucket of moto's S3 server there, read with the
 * credentials of a data connection Secret mounted as a workspace, and from a gated repository of a fake Hugging Face
 * hub there (test/support/hub-server.ts), whose files the developer's `modelcar synth` records in the lock file and
 * the build fetches with the token of a Secret mounted as a workspace, through the hub's redirect to its CDN; the registry is a real docker-registry on 127.0.0.1 with
 * htpasswd auth, the base image a busybox image built here and pushed there, which both builds pull. Then the developer's way, `modelcar stage` and
 * `modelcar build --push` on the whole config with its own container storage, must push the same digest, which the
 * registry holds for the tag.
 *
 * Needs root (buildah and podman with the vfs driver and chroot isolation) and:
 *   apt-get install -y --no-install-recommends buildah podman skopeo docker-registry apache2-utils busybox-static
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { dockerConfigJson } from '../../src/core/docker-config';
import { TestServer, startServer } from '../support/http-server';
import { HubServer, startHubServer } from '../support/hub-server';
import { GATED, GATED_COMMIT } from '../support/hub-fixtures';
import { S3Server, startS3Server } from '../support/s3-server';
import { IMAGE_TOOLS_INSTALL, Registry, startRegistry } from '../support/registry';
import { requireTool } from '../support/tools';
import { buildBaseImage, cleanUpSuite, mustSucceed, requireBusybox, runAsync, RunResult, succeeded, TestStorage, tryRun } from './containers';
import { substitute, tektonVariables } from './tekton';
import { sha256 } from '../support/digest';
import { CLI } from '../support/spawn';

jest.setTimeout(300_000);

const LOCAL_BASE = 'localhost/modelcar-tekton-base:1';
const NAMESPACE = 'team-llm';
const USERNAME = 'builder';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;

const WEIGHTS = randomBytes(384 * 1024 + 3);
const TOKENIZER = Buffer.from('{"version": "1.0"}\n');
const CONFIG_JSON = Buffer.from('{"model_type": "tiny"}\n');
const S3_SECRET = `s3-${randomBytes(8).toString('hex')}`;
/** The token of an account granted access to the gated repository: the hub token Secret's. */
const HUB_TOKEN = `hf_${randomBytes(12).toString('hex')}`;
const GATED_REPO = { ...GATED, grantedTokens: [HUB_TOKEN] };
const GATED_FILES = GATED.commits[GATED_COMMIT];

let work: string;
let registry: Registry | undefined;
let http: TestServer | undefined;
let s3: S3Server | undefined;
let hub: HubServer | undefined;
let clusterStorage: TestStorage | undefined;
let localStorage: TestStorage | undefined;
let project: string;
let config: string;
let image: string;
let task: any;
let run: any;
/** The steps' results, as Tekton's /tekton/results/ holds them. */
let results: string;
const steps: { name: string; result: RunResult; hubRequests: HubServer['requests'] }[] = [];
const local: { synth?: RunResult; stage?: RunResult; build?: RunResult } = {};
/** The folders of the workspaces of the in-cluster build. */
let volume: string;
let hubTokenSecret: string;

/** A folder with `modelcar` on it: this checkout's CLI, as the step image has it on PATH. */
function modelcarOnPath(dir: string, version?: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const script = version
    ? `#!/bin/sh\nif [ "\${1:-}" = --version ]; then echo ${version}; exit 0; fi\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`
    : `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`;
  fs.writeFileSync(path.join(dir, 'modelcar'), script, { mode: 0o755 });
  return dir;
}

/** The variables Tekton replaces in a step of this TaskRun (see tekton.ts), its results in `results`. */
function replacements(workspaces: Record<string, string>, overrides: Record<string, string>): Map<string, string> {
  return tektonVariables(task, run, workspaces, results, overrides);
}

/** Runs one step of the Task as its container would: its script as an executable file, its env resolved. */
async function runStep(step: any, vars: Map<string, string>, env: NodeJS.ProcessEnv, pathDir: string): Promise<RunResult> {
  const scriptFile = path.join(work, 'scripts', step.name);
  fs.mkdirSync(path.dirname(scriptFile), { recursive: true });
  fs.writeFileSync(scriptFile, step.script, { mode: 0o755 });
  const stepEnv: NodeJS.ProcessEnv = { ...env, PATH: `${pathDir}:${env.PATH}`, HOME: path.join(work, 'home') };
  // The pod has none of the developer's hub settings: the endpoint and the token come from the TaskRun only.
  for (const key of ['HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_TOKEN_PATH', 'HF_HOME', 'HF_ENDPOINT', 'XDG_CACHE_HOME']) delete stepEnv[key];
  for (const e of step.env) stepEnv[e.name] = substitute(e.value, vars);
  return runAsync(scriptFile, [], { env: stepEnv, cwd: '/', context: () => `--- registry log ---\n${registry?.log() ?? ''}` });
}

beforeAll(async () => {
  for (const tool of ['buildah', 'podman', 'skopeo', 'docker-registry', 'htpasswd']) requireTool(tool, IMAGE_TOOLS_INSTALL);
  const busybox = requireBusybox();
  if (process.getuid?.() !== 0) throw new Error('this test runs buildah and podman with the vfs driver and chroot isolation, which needs root');

  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-tekton-'));
  fs.mkdirSync(path.join(work, 'home'));
  registry = await startRegistry({ dir: path.join(work, 'registry'), username: USERNAME, password: PASSWORD });
  http = await startServer({ '/org/model/model.safetensors': { kind: 'file', body: WEIGHTS }, '/org/model/tokenizer.json': { kind: 'file', body: TOKENIZER } });
  s3 = await startS3Server();
  hub = await startHubServer({ repos: [GATED_REPO], validTokens: [HUB_TOKEN] });
  await s3.put('models', 'tiny-llm/config.json', CONFIG_JSON);
  image = `${registry.host}/models/tiny-llm:v1`;
  const registriesConf = path.join(work, 'registries.conf');
  fs.writeFileSync(registriesConf, `[[registry]]\nlocation = ${JSON.stringify(registry.host)}\ninsecure = true\n`);
  // Two container storages: the build pod's, and the developer's, so that neither reuses the other's layers.
  clusterStorage = new TestStorage(path.join(work, 'cluster-storage'), { CONTAINERS_REGISTRIES_CONF: registriesConf });
  localStorage = new TestStorage(path.join(work, 'local-storage'), { CONTAINERS_REGISTRIES_CONF: registriesConf });
  // The base image, built once and pulled from the registry by both builds, as a cluster pulls it.
  buildBaseImage(clusterStorage, busybox, LOCAL_BASE);
  const baseImage = `${registry.host}/base/busybox:1`;
  clusterStorage.buildah(['push', '--tls-verify=false', '--creds', `${USERNAME}:${PASSWORD}`, LOCAL_BASE, `docker://${baseImage}`]);

  project = path.join(work, 'project');
  fs.mkdirSync(project);
  config = path.join(project, 'modelcar.yaml');
  fs.writeFileSync(
    config,
    [
      'version: 1',
      'defaults:',
      `  namespace: ${NAMESPACE}`,
      '  build: in-cluster',
      'inCluster:',
      '  pushSecret: registry-push',
      `  hubEndpoint: ${hub.endpoint}`,
      'models:',
      '  - name: tiny-llm',
      '    runtime: vllm-cuda-runtime',
      '    format: vLLM',
      `    image: ${image}`,
      `    baseImage: ${baseImage}`,
      '    files:',
      `      - source: ${http.url}/org/model/model.safetensors`,
      `        sha256: ${sha256(WEIGHTS)}`,
      `        size: ${WEIGHTS.length}`,
      `      - source: ${http.url}/org/model/tokenizer.json`,
      `        sha256: ${sha256(TOKENIZER)}`,
      `        size: ${TOKENIZER.length}`,
      '      - source: s3://models/tiny-llm/config.json',
      `        sha256: ${sha256(CONFIG_JSON)}`,
      `        size: ${CONFIG_JSON.length}`,
      '      - repo: meta-llama/Llama-tiny',
      '        revision: main',
      '        path: llama',
      '    sourceSecret: models-bucket',
      '    hubTokenSecret: hf-token',
      '',
    ].join('\n'),
  );
  // The developer's synth records the repository at the commit of main, with each file's SHA-256, in the lock file.
  const devEnv = { HF_ENDPOINT: hub.endpoint, HF_TOKEN: HUB_TOKEN, HF_TOKEN_PATH: path.join(work, 'no-token-file') };
  local.synth = await runAsync(process.execPath, [CLI, 'synth', '-c', 'modelcar.yaml', '-o', 'dist'], { cwd: project, env: { ...process.env, ...devEnv } });
  if (local.synth.status !== 0) return;
  const builds = path.join(project, 'dist', 'builds', NAMESPACE);
  const files = fs.readdirSync(builds);
  task = YAML.parse(fs.readFileSync(path.join(builds, 'task-modelcar-build.yaml'), 'utf8'));
  run = YAML.parse(fs.readFileSync(path.join(builds, files.find((f) => f.startsWith('taskrun-'))!), 'utf8'));

  // The workspaces: the volume claimed for the build (empty), and the push secret's keys as files.
  volume = path.join(work, 'workspace-build');
  const secret = path.join(work, 'workspace-registry-credentials');
  fs.mkdirSync(volume);
  fs.mkdirSync(secret);
  fs.writeFileSync(path.join(secret, '.dockerconfigjson'), dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o600 });
  // The data connection Secret of the bucket, as its workspace mounts it: a file per key.
  const connection = path.join(work, 'workspace-source-credentials');
  fs.mkdirSync(connection);
  for (const [key, value] of Object.entries({ AWS_ACCESS_KEY_ID: 'builder', AWS_SECRET_ACCESS_KEY: S3_SECRET, AWS_S3_ENDPOINT: s3.endpoint, AWS_S3_BUCKET: 'models' })) {
    fs.writeFileSync(path.join(connection, key), value, { mode: 0o600 });
  }
  // The hub token Secret, as its workspace mounts it: the key `token`, as `hf auth login` names its file.
  hubTokenSecret = path.join(work, 'workspace-hub-token');
  fs.mkdirSync(hubTokenSecret);
  fs.writeFileSync(path.join(hubTokenSecret, 'token'), `${HUB_TOKEN}\n`, { mode: 0o600 });
  results = path.join(work, 'results');
  fs.mkdirSync(results);
  const vars = replacements({ build: volume, 'registry-credentials': secret, 'source-credentials': connection, 'hub-token': hubTokenSecret }, { 'tls-verify': 'false' });
  const pathDir = modelcarOnPath(path.join(work, 'bin'));
  for (const step of task.spec.steps) {
    const before = hub.requests.length;
    const result = await runStep(step, vars, clusterStorage.env, pathDir);
    steps.push({ name: step.name, result, hubRequests: hub.requests.slice(before) });
    if (result.status !== 0) return;
  }

  // The developer's way, on the whole config.
  const s3Env = { AWS_ACCESS_KEY_ID: 'builder', AWS_SECRET_ACCESS_KEY: S3_SECRET, AWS_S3_ENDPOINT: s3.endpoint };
  const cli = (args: string[]) => runAsync(process.execPath, [CLI, ...args], { cwd: project, env: { ...localStorage!.env, ...s3Env, ...devEnv } });
  const authfile = path.join(work, 'auth.json');
  fs.writeFileSync(authfile, dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o600 });
  local.stage = await cli(['stage', '-c', 'modelcar.yaml', '-o', 'dist']);
  if (local.stage.status === 0) local.build = await cli(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--push', '--authfile', authfile, '--tls-verify=false']);
});

afterAll(() => cleanUpSuite({ services: [() => registry?.stop(), () => http?.close(), () => s3?.stop(), () => hub?.close()], storages: [clusterStorage, localStorage], work }));

describe('the steps of the in-cluster build, run on real tools', () => {
  test('every step of the Task succeeds, in order', () => {
    succeeded(local.synth, 'modelcar synth');
    expect(steps.map((s) => s.name)).toStrictEqual(['prepare', 'stage', 'build']);
    for (const s of steps) succeeded(s.result, `step ${s.name}`);
  });

  test('the stage step downloads each file and checks it against its pinned sha256', () => {
    const out = succeeded(steps[1]?.result, 'step stage').stdout;
    expect(out).toContain(`  models/model.safetensors: downloaded `);
    expect(out).toContain(`sha256 ${sha256(WEIGHTS)} matches the config\n`);
    expect(out).toContain(`sha256 ${sha256(TOKENIZER)} matches the config\n`);
    // From the bucket, with the credentials of the mounted data connection.
    expect(out).toContain('  models/config.json: downloading s3://models/tiny-llm/config.json\n');
    expect(out).toContain(`sha256 ${sha256(CONFIG_JSON)} matches the config\n`);
    // From the gated repository on the TaskRun's hub endpoint, at the commit the lock the run carries records, checked
    // against the SHA-256 it records.
    for (const [file, content] of Object.entries(GATED_FILES)) {
      expect(out).toContain(`  models/llama/${file}: downloading ${hub!.endpoint}/meta-llama/Llama-tiny/resolve/${GATED_COMMIT}/${file}\n`);
      expect(out).toContain(`sha256 ${sha256(content)} matches modelcar.lock.yaml\n`);
    }
    expect(out).toContain('staged 1 model: 5 files (5 downloaded, 0 linked, 0 copied, 0 unchanged)\n');
  });

  test('the TaskRun carries the record of the gated repository at its commit and the hub endpoint; the token Secret by name only', () => {
    const lock = YAML.parse(run.spec.params.find((p: any) => p.name === 'lock').value);
    expect(lock.sources.hub).toStrictEqual({
      [`meta-llama/Llama-tiny@${GATED_COMMIT}`]: {
        commit: GATED_COMMIT,
        files: Object.fromEntries(Object.entries(GATED_FILES).map(([f, c]) => [f, { sha256: `sha256:${sha256(c)}`, size: c.length }])),
      },
    });
    expect(YAML.parse(run.spec.params[0].value).models[0].files[3]).toStrictEqual({ repo: 'meta-llama/Llama-tiny', revision: GATED_COMMIT, path: 'llama' });
    expect(run.spec.params.find((p: any) => p.name === 'hub-endpoint').value).toBe(hub!.endpoint);
    expect(run.spec.workspaces.find((w: any) => w.name === 'hub-token')).toStrictEqual({ name: 'hub-token', secret: { secretName: 'hf-token' } });
  });

  test('the prepare step asks the hub nothing (the record pins the files); the stage step fetches each file with the token of the mounted Secret, sent to the hub only, never to its CDN', () => {
    expect(steps[0]?.hubRequests).toStrictEqual([]);
    const requests = steps[1]!.hubRequests;
    const resolve = (file: string) => `/meta-llama/Llama-tiny/resolve/${GATED_COMMIT}/${file}`;
    expect(requests.filter((r) => r.server === 'hub').map((r) => [r.url, r.authorization])).toStrictEqual(
      Object.keys(GATED_FILES).sort().map((f) => [resolve(f), `Bearer ${HUB_TOKEN}`]),
    );
    const cdn = requests.filter((r) => r.server === 'cdn');
    expect(cdn.map((r) => r.url.split('?')[0])).toStrictEqual([`/repos/${sha256(GATED_FILES['model.safetensors']).slice(0, 2)}/${sha256(GATED_FILES['model.safetensors']).slice(2, 4)}/${sha256(GATED_FILES['model.safetensors'])}`]);
    expect(cdn.map((r) => r.authorization)).toStrictEqual([undefined]);
    expect(steps[2]?.hubRequests).toStrictEqual([]);
  });

  test('the results are the pushed image and its digest, which the registry holds for the tag', () => {
    succeeded(steps[2]?.result, 'step build');
    expect(fs.readFileSync(path.join(results, 'IMAGE_URL'), 'utf8')).toBe(image);
    const digest = fs.readFileSync(path.join(results, 'IMAGE_DIGEST'), 'utf8');
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const inspected = mustSucceed(tryRun('skopeo', ['inspect', '--tls-verify=false', '--creds', `${USERNAME}:${PASSWORD}`, `docker://${image}`], { env: clusterStorage!.env }));
    expect(JSON.parse(inspected.stdout).Digest).toBe(digest);
  });

  test('`modelcar build --push` of the whole config pushes the same digest as the in-cluster steps', () => {
    succeeded(local.stage, 'modelcar stage');
    const out = succeeded(local.build, 'modelcar build --push').stdout;
    const lock = YAML.parse(fs.readFileSync(path.join(project, 'modelcar.lock.yaml'), 'utf8'));
    const entry = lock.images[`${NAMESPACE}/tiny-llm`];
    expect(entry.digest).toBe(fs.readFileSync(path.join(results, 'IMAGE_DIGEST'), 'utf8'));
    // modelcar's image writer (the default with --push) names the image ID on the line that says it pushed.
    expect(out).toContain(`pushed ${image} as ${registry!.host}/models/tiny-llm@${entry.digest} (image ID sha256:`);
    // The TaskRun carries the inputs digest of the lock entry it leads to.
    expect(run.metadata.annotations['dev.modelcar.build.inputs']).toBe(entry.inputs);
  });

  test('`modelcar pin --from-run` of the finished TaskRun records its digest, the entry `build --push` records (the model takes files of a gated repository)', async () => {
    succeeded(local.build, 'modelcar build --push');
    const lockFile = path.join(project, 'modelcar.lock.yaml');
    const lock = YAML.parse(fs.readFileSync(lockFile, 'utf8'));
    const pushed = lock.images[`${NAMESPACE}/tiny-llm`];
    // A checkout of the config and of its lock before any image was recorded: the sources only.
    const checkout = path.join(work, 'checkout');
    fs.mkdirSync(checkout);
    fs.copyFileSync(path.join(project, 'modelcar.yaml'), path.join(checkout, 'modelcar.yaml'));
    fs.writeFileSync(path.join(checkout, 'modelcar.lock.yaml'), YAML.stringify({ ...lock, images: {} }));
    // The TaskRun as `oc get taskrun -o yaml` returns it once finished: Tekton's status with the step's results.
    const finished = {
      ...run,
      metadata: { ...run.metadata, uid: '1b4d3b6e-0000-4000-8000-000000000002' },
      status: {
        conditions: [{ type: 'Succeeded', status: 'True', reason: 'Succeeded', message: 'All Steps have completed executing' }],
        results: ['IMAGE_URL', 'IMAGE_DIGEST'].map((name) => ({ name, type: 'string', value: fs.readFileSync(path.join(results, name), 'utf8') })),
      },
    };
    fs.writeFileSync(path.join(checkout, 'run.yaml'), YAML.stringify(finished));
    const pinned = succeeded(await runAsync(process.execPath, [CLI, 'pin', '--from-run', 'run.yaml', '-c', 'modelcar.yaml'], { cwd: checkout, env: { ...process.env, HF_ENDPOINT: 'http://127.0.0.1:9' } }), 'modelcar pin --from-run');
    expect(pinned.stdout).toContain(`recorded 1 digest in modelcar.lock.yaml`);
    const recorded = YAML.parse(fs.readFileSync(path.join(checkout, 'modelcar.lock.yaml'), 'utf8'));
    expect(recorded.images[`${NAMESPACE}/tiny-llm`]).toStrictEqual(pushed);
    expect(recorded.sources).toStrictEqual(lock.sources);
  });

  test('the credentials appear in no step output and in no file synth wrote; the hub token in no output, no file of the project or the build\'s volume, and in no argument', () => {
    for (const s of steps) {
      expect(s.result.stdout).not.toContain(PASSWORD);
      expect(s.result.stderr).not.toContain(PASSWORD);
      expect(s.result.stdout + s.result.stderr).not.toContain(S3_SECRET);
      expect(s.result.stdout + s.result.stderr).not.toContain(HUB_TOKEN);
    }
    for (const r of [local.synth, local.stage, local.build]) expect(`${r?.stdout}${r?.stderr}`).not.toContain(HUB_TOKEN);
    const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    for (const file of walk(path.join(project, 'dist')).filter((f) => !f.includes(`${path.sep}models${path.sep}`))) expect(fs.readFileSync(file, 'utf8')).not.toContain(PASSWORD);
    for (const file of [...walk(project), ...walk(volume)]) expect(fs.readFileSync(file).includes(HUB_TOKEN)).toBe(false);
    // The TaskRun and the Task name the Secret; the step scripts read its file: no argv or env holds the token.
    expect(JSON.stringify([task, run])).not.toContain(HUB_TOKEN);
  });

  test('the stage step refuses a hub token Secret with neither key HF_TOKEN nor token, naming both', async () => {
    const empty = path.join(work, 'workspace-hub-token-empty');
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, 'hf_token'), HUB_TOKEN);
    const vars = replacements({ build: path.join(work, 'other-volume'), 'registry-credentials': '', 'source-credentials': '', 'hub-token': empty }, {});
    const result = await runStep(task.spec.steps[1], vars, clusterStorage!.env, modelcarOnPath(path.join(work, 'bin')));
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('the Secret of the workspace hub-token has no key HF_TOKEN or token: put the Hugging Face token there\n');
    expect(result.stdout).toBe('');
  });

  test('without a hub token Secret, the stage step stops at the gated repository, telling to give the model hubTokenSecret (not to log in with hf)', async () => {
    const volume = path.join(work, 'volume-without-token');
    fs.mkdirSync(volume);
    const connection = path.join(work, 'workspace-source-credentials');
    // The TaskRun as synth would write it for a model without hubTokenSecret: no hub-token binding.
    const withoutToken = { ...run, spec: { ...run.spec, workspaces: run.spec.workspaces.filter((w: any) => w.name !== 'hub-token') } };
    const vars = tektonVariables(task, withoutToken, { build: volume, 'source-credentials': connection }, path.join(work, 'results-without-token'), { 'tls-verify': 'false' });
    expect(vars.get('workspaces.hub-token.bound')).toBe('false');
    const pathDir = modelcarOnPath(path.join(work, 'bin'));
    succeeded(await runStep(task.spec.steps[0], vars, clusterStorage!.env, pathDir), 'step prepare');
    const result = await runStep(task.spec.steps[1], vars, clusterStorage!.env, pathDir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `meta-llama/Llama-tiny is a gated repository: downloading its files needs a token of an account that was granted access (HTTP 401 Unauthorized: Access to model meta-llama/Llama-tiny is restricted. You must have access to it and be authenticated to access it. Please log in.); ask for access at ${hub!.endpoint}/meta-llama/Llama-tiny, then give the model hubTokenSecret in the config: a Secret of the build's namespace with the key HF_TOKEN or token`,
    );
    expect(result.stderr + result.stdout).not.toContain('hf auth login');
  });

  test('the prepare step refuses a step image whose modelcar is of another version, naming both', async () => {
    const vars = replacements({ build: path.join(work, 'other-volume'), 'registry-credentials': '', 'source-credentials': '', 'hub-token': '' }, {});
    const other = modelcarOnPath(path.join(work, 'bin-other'), '9.9.9');
    const result = await runStep(task.spec.steps[0], vars, clusterStorage!.env, other);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`this build needs modelcar ${task.spec.steps[0].env[0].value} (the version that wrote it); the step image has modelcar 9.9.9\n`);
  });
});
