/**
 * End to end: the step image the README describes ("Building in the cluster (Tekton)": Node.js 20 or later, the
 * packed modelcar package installed globally, `USER 1001`), built here with buildah, runs the Task's steps as Tekton
 * runs them, and they push the image `modelcar build --push` pushes.
 *
 * Nothing can be pulled here, so the README's base, registry.access.redhat.com/ubi9/nodejs-20-minimal, is stood for
 * by an image made locally with what that image's Containerfile gives a step (sclorg/s2i-nodejs-container,
 * 20-minimal/Dockerfile.rhel9, which builds ubi9/nodejs-20-minimal): busybox (static) for a shell and its tools,
 * this machine's `node` with the shared libraries `ldd` lists, HOME=/opt/app-root/src owned by 1001:0 and
 * group-writable, npm's global prefix (NPM_CONFIG_PREFIX) $HOME/.npm-global with its bin/ on PATH, `WORKDIR $HOME`,
 * `USER 1001`. And npm cannot reach a registry, so where the README's Containerfile runs `npm install --global` in
 * the image, the test installs the packed tarball offline on this machine into a folder laid out as npm lays out a
 * global install (`<prefix>/lib/node_modules/modelcar` with its dependencies at the versions of package-lock.json,
 * and `<prefix>/bin/modelcar` a link to its CLI) and copies that folder to the image's global prefix, owned by
 * 1001:0 as npm running as 1001 there would leave it. The rest of the Containerfile is the README's.
 *
 * Tekton v1.15.0 runs each step in a container of its own, from the step image, with the Task's env, the script
 * Tekton placed in /tekton/scripts (tektoncd/pipeline pkg/pod/script.go), the results under /tekton/results and
 * each workspace at /workspace/<name> (pkg/apis/pipeline/paths.go, pkg/workspace/apply.go). So does the test, with
 * `buildah run` (chroot isolation; podman's OCI runtime cannot start here): a fresh container of the step image
 * for each step, the image's user (1001), the Task's securityContext (no capabilities, no privilege escalation:
 * the kernel's no_new_privs, set by setpriv and inherited by the step), the host's network (the registry and the
 * HTTP server listen on 127.0.0.1), the build volume, the push Secret's keys as files of a read-only mount, and
 * the step's env exactly as the Task gives it (after Tekton's substitutions, see tekton.ts), set by `env` as the
 * container's command since `buildah run` has no option for it (and `buildah config --env` expands `$` in values).
 * The steps run twice: as the image's user, and as OpenShift's restricted SCC runs a pod, as a user of the
 * namespace's range in group 0; the build step once more without the push Secret, with the ServiceAccount's docker
 * secrets, which Tekton copies into the step's HOME.
 *
 * Needs root (buildah with the vfs driver and chroot isolation) and:
 *   apt-get install -y --no-install-recommends buildah skopeo docker-registry apache2-utils busybox-static
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { dockerConfigJson } from '../../src/core/docker-config';
import { TestServer, startServer } from '../support/http-server';
import { npm, npmSucceeded, packModelcar, PKG, TARBALL } from '../support/package';
import { IMAGE_TOOLS_INSTALL, Registry, startRegistry } from '../support/registry';
import { requireTool } from '../support/tools';
import { buildBaseImage, cleanUpSuite, mustSucceed, requireBusybox, run as runCommand, runAsync, RunResult, succeeded, TestStorage, tryRun } from './containers';
import { substitute, tektonVariables } from './tekton';
import { sha256 } from '../support/digest';
import { CLI } from '../support/spawn';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '..', '..');
/** The model image's base, pushed to the registry for both builds to pull. */
const MODEL_BASE = 'localhost/modelcar-step-model-base:1';
/** Stands for registry.access.redhat.com/ubi9/nodejs-20-minimal. */
const NODE_BASE = 'localhost/modelcar-step-nodejs-20-minimal:1';
const STEP_IMAGE = 'localhost/modelcar-step:1';
/** What ubi9/nodejs-20-minimal sets (sclorg/s2i-nodejs-container 20-minimal/Dockerfile.rhel9). */
const APP_HOME = '/opt/app-root/src';
const NPM_PREFIX = `${APP_HOME}/.npm-global`;
const IMAGE_PATH = `${APP_HOME}/node_modules/.bin/:${NPM_PREFIX}/bin/:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
/** The README's Containerfile, line by line: the test builds it with its base and its install stood for. */
const README_LINES = {
  from: 'FROM registry.access.redhat.com/ubi9/nodejs-20-minimal',
  copy: `COPY ${TARBALL} /tmp/`,
  install: `RUN npm install --global /tmp/${TARBALL} && npm cache clean --force`,
  user: 'USER 1001',
} as const;
/** Where Tekton mounts what a step sees. */
const TEKTON = { scripts: '/tekton/scripts', results: '/tekton/results', creds: '/tekton/creds', workspace: (name: string) => `/workspace/${name}` };
const NAMESPACE = 'team-llm';
const USERNAME = 'builder';
const PASSWORD = `pw-${randomBytes(8).toString('hex')}`;
/** A user of the range OpenShift gives a namespace (openshift.io/sa.scc.uid-range), e.g. 1000650000/10000. */
const ARBITRARY_UID = 1000650000;
const SETPRIV_INSTALL = 'apt-get install -y util-linux';
const LDD_INSTALL = 'apt-get install -y libc-bin';

const WEIGHTS = randomBytes(256 * 1024 + 5);
const CONFIG_JSON = Buffer.from('{"model_type": "tiny"}\n');

let work: string;
let registry: Registry | undefined;
let http: TestServer | undefined;
let storage: TestStorage | undefined;
let project: string;
let image: string;
let task: any;
let taskRun: any;
/** The host folders mounted into a step's container: the pod's (its results and build volume) and those every pod shares. */
interface Mounts {
  readonly scripts: string;
  readonly credentials: string;
  readonly results: string;
  readonly volume: string;
  /** What Tekton's creds-init wrote from the ServiceAccount's docker secrets, mounted at /tekton/creds. */
  readonly creds?: string;
}
/** A run of the Task's steps, each in its own container, stopping at the first that fails. */
interface PodRun {
  readonly mounts: Mounts;
  readonly steps: { name: string; result: RunResult }[];
}
let shared: { scripts: string; credentials: string };
/** As the image's user, 1001. */
let asImageUser: PodRun;
/** As OpenShift's restricted SCC runs a pod: a user of the namespace's range, in group 0. */
let asArbitraryUser: PodRun;
/** The build step again in that pod, with the ServiceAccount's credentials in HOME. */
let viaServiceAccount: RunResult | undefined;
const local: { synth?: RunResult; stage?: RunResult; build?: RunResult } = {};

/** The files the dynamic loader maps for an executable, as `ldd` lists them (the loader itself among them). */
function sharedLibraries(executable: string): string[] {
  const out = runCommand(requireTool('ldd', LDD_INSTALL), [executable]);
  return out
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line)?.[1])
    .filter((lib): lib is string => lib !== undefined);
}

/**
 * The stand-in for ubi9/nodejs-20-minimal: busybox with all its applets (a shell, and /usr/bin/env for the `#!`
 * line of an npm bin), this machine's node at /usr/bin/node with its libraries at the paths `ldd` names, /tmp
 * writable by all, and the HOME, npm prefix, PATH, working folder and user of the real image.
 */
function buildNodeBase(busybox: string): void {
  const s = storage!;
  const container = s.buildah(['from', '--pull-never', 'scratch']).trim();
  try {
    s.buildah(['copy', '--chmod', '0755', container, busybox, '/bin/busybox']);
    s.buildah(['run', container, '--', '/bin/busybox', 'sh', '-c', '/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin /tmp && /bin/busybox --install -s && chmod 1777 /tmp']);
    const node = fs.realpathSync(process.execPath);
    s.buildah(['copy', '--chmod', '0755', container, node, '/usr/bin/node']);
    for (const lib of sharedLibraries(node)) s.buildah(['copy', '--chmod', '0755', container, fs.realpathSync(lib), lib]);
    s.buildah(['run', container, '--', 'sh', '-c', `mkdir -p ${APP_HOME} && chown -R 1001:0 /opt/app-root && chmod -R ug+rwx /opt/app-root`]);
    s.buildah(['config', '--env', `HOME=${APP_HOME}`, '--env', `NPM_CONFIG_PREFIX=${NPM_PREFIX}`, '--env', `PATH=${IMAGE_PATH}`, '--workingdir', APP_HOME, '--user', '1001', container]);
    s.buildah(['commit', '--format', 'oci', container, NODE_BASE]);
  } finally {
    s.buildah(['rm', container]);
  }
}

/**
 * `npm install --global <tarball>` into `prefix`, offline: the package unpacked where a global install puts it,
 * its dependencies installed into it at the versions of package-lock.json (npm's cache has those, from `npm ci`,
 * but not the registry's listings a plain install asks for), its bin linked as npm links it.
 */
function installGlobally(tarball: string, prefix: string): void {
  const pkgDir = path.join(prefix, 'lib', 'node_modules', 'modelcar');
  fs.mkdirSync(pkgDir, { recursive: true });
  runCommand('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
  fs.copyFileSync(path.join(ROOT, 'package-lock.json'), path.join(pkgDir, 'package-lock.json'));
  npmSucceeded(npm(['ci', '--omit=dev'], pkgDir), 'npm ci of the packed package');
  fs.rmSync(path.join(pkgDir, 'package-lock.json'));
  // npm's bin-links links the bin and makes its target executable (npm pack writes every file 0644).
  fs.mkdirSync(path.join(prefix, 'bin'));
  fs.symlinkSync(path.posix.join('..', 'lib', 'node_modules', 'modelcar', PKG.bin.modelcar), path.join(prefix, 'bin', 'modelcar'));
  fs.chmodSync(path.join(pkgDir, PKG.bin.modelcar), 0o755);
}

/** The Containerfile of the README's section "Building in the cluster (Tekton)". */
function readmeContainerfile(): string {
  const blocks = [...fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').matchAll(/^```Containerfile\n([\s\S]*?)^```$/gm)];
  if (blocks.length !== 1) throw new Error(`README.md has ${blocks.length} Containerfile blocks; this test builds the step image of the one in "Building in the cluster (Tekton)"`);
  return blocks[0]![1]!;
}

/** The README's Containerfile (lines as in {@link README_LINES}) with the stand-in base and the offline install. */
function standInContainerfile(readme: string): string {
  const lines = readme.split('\n');
  const expected = Object.values(README_LINES);
  if (lines.slice(0, expected.length).join('\n') !== expected.join('\n')) throw new Error(`the README's Containerfile is not the one this test stands in for:\n${readme}`);
  return [
    `FROM ${NODE_BASE}`,
    `# ${README_LINES.copy}; ${README_LINES.install}: installed offline into npm-global/`,
    `COPY --chown=1001:0 npm-global/ ${NPM_PREFIX}/`,
    ...lines.slice(expected.length - 1),
  ].join('\n');
}

/**
 * Runs a command in a fresh container of the step image as Tekton runs a step: the image's user, no capabilities,
 * no privilege escalation, the host's network, Tekton's mounts, `env` added to the image's environment; `user`
 * instead of the image's when given, as a pod's runAsUser.
 */
async function inStepContainer(mounts: Mounts, command: string[], options: { env?: string[]; user?: string } = {}): Promise<RunResult> {
  const s = storage!;
  const container = s.buildah(['from', '--pull-never', STEP_IMAGE]).trim();
  try {
    const volumes = [
      `${mounts.scripts}:${TEKTON.scripts}:ro`,
      `${mounts.results}:${TEKTON.results}`,
      `${mounts.volume}:${TEKTON.workspace('build')}`,
      `${mounts.credentials}:${TEKTON.workspace('registry-credentials')}:ro`,
      ...(mounts.creds ? [`${mounts.creds}:${TEKTON.creds}:ro`] : []),
    ].flatMap((v) => ['--volume', v]);
    const user = options.user ? ['--user', options.user] : [];
    const args = ['--no-new-privs', 'buildah', 'run', ...user, '--cap-drop', 'ALL', '--network', 'host', ...volumes, container, '--', 'env', ...(options.env ?? []), ...command];
    return await runAsync(requireTool('setpriv', SETPRIV_INSTALL), args, { env: s.env, context: () => `--- registry log ---\n${registry?.log() ?? ''}` });
  } finally {
    s.buildah(['rm', container]);
  }
}

/** A pod's own folders (its results and its build volume), under `dir`, as Tekton and the volume give them to it. */
function podMounts(dir: string, volumeOwner: { uid: number; gid: number; mode: number }): Mounts {
  const mounts = { ...shared, results: path.join(dir, 'results'), volume: path.join(dir, 'volume') };
  fs.mkdirSync(mounts.results, { recursive: true, mode: 0o777 });
  fs.chmodSync(mounts.results, 0o777);
  fs.mkdirSync(mounts.volume);
  fs.chownSync(mounts.volume, volumeOwner.uid, volumeOwner.gid);
  fs.chmodSync(mounts.volume, volumeOwner.mode);
  return mounts;
}

/** Runs the Task's steps in order, each in a fresh container of the step image, with the TaskRun's substitutions. */
async function runTask(mounts: Mounts, user?: string): Promise<PodRun> {
  const workspaces = { build: TEKTON.workspace('build'), 'registry-credentials': TEKTON.workspace('registry-credentials') };
  const vars = tektonVariables(task, taskRun, workspaces, TEKTON.results, { 'tls-verify': 'false' });
  const out: PodRun = { mounts, steps: [] };
  for (const step of task.spec.steps) {
    const env = step.env.map((e: { name: string; value: string }) => `${e.name}=${substitute(e.value, vars)}`);
    const result = await inStepContainer(mounts, [`${TEKTON.scripts}/${step.name}`], { env, user });
    out.steps.push({ name: step.name, result });
    if (result.status !== 0) break;
  }
  return out;
}

beforeAll(async () => {
  for (const tool of ['buildah', 'skopeo', 'docker-registry', 'htpasswd']) requireTool(tool, IMAGE_TOOLS_INSTALL);
  requireTool('setpriv', SETPRIV_INSTALL);
  const busybox = requireBusybox();
  if (process.getuid?.() !== 0) throw new Error('this test runs buildah with the vfs driver and chroot isolation, which needs root');

  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-step-image-'));
  registry = await startRegistry({ dir: path.join(work, 'registry'), username: USERNAME, password: PASSWORD });
  http = await startServer({ '/org/model/model.safetensors': { kind: 'file', body: WEIGHTS }, '/org/model/config.json': { kind: 'file', body: CONFIG_JSON } });
  image = `${registry.host}/models/tiny-llm:v1`;
  storage = new TestStorage(path.join(work, 'storage'));
  buildBaseImage(storage, busybox, MODEL_BASE);
  const baseImage = `${registry.host}/base/busybox:1`;
  storage.buildah(['push', '--tls-verify=false', '--creds', `${USERNAME}:${PASSWORD}`, MODEL_BASE, `docker://${baseImage}`]);

  // The step image: the package packed, installed, and the README's Containerfile built on the stand-in base.
  packModelcar(work);
  const context = path.join(work, 'context');
  installGlobally(path.join(work, TARBALL), path.join(context, 'npm-global'));
  buildNodeBase(busybox);
  fs.writeFileSync(path.join(context, 'Containerfile'), standInContainerfile(readmeContainerfile()));
  storage.buildah(['build', '--pull-never', '--layers=false', '-f', path.join(context, 'Containerfile'), '-t', STEP_IMAGE, context]);

  project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(
    path.join(project, 'modelcar.yaml'),
    [
      'version: 1',
      'defaults:',
      `  namespace: ${NAMESPACE}`,
      '  build: in-cluster',
      'inCluster:',
      '  pushSecret: registry-push',
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
      `      - source: ${http.url}/org/model/config.json`,
      `        sha256: ${sha256(CONFIG_JSON)}`,
      `        size: ${CONFIG_JSON.length}`,
      '',
    ].join('\n'),
  );
  local.synth = await runAsync(process.execPath, [CLI, 'synth', '-c', 'modelcar.yaml', '-o', 'dist'], { cwd: project });
  if (local.synth.status !== 0) return;
  const builds = path.join(project, 'dist', 'builds', NAMESPACE);
  task = YAML.parse(fs.readFileSync(path.join(builds, 'task-modelcar-build.yaml'), 'utf8'));
  taskRun = YAML.parse(fs.readFileSync(path.join(builds, fs.readdirSync(builds).find((f) => f.startsWith('taskrun-'))!), 'utf8'));

  // What every pod mounts: the scripts Tekton placed, and the push Secret's key as a file of the mode Kubernetes
  // gives Secret files (defaultMode 0644), read-only.
  shared = { scripts: path.join(work, 'scripts'), credentials: path.join(work, 'registry-credentials') };
  for (const dir of Object.values(shared)) fs.mkdirSync(dir);
  for (const step of task.spec.steps) fs.writeFileSync(path.join(shared.scripts, step.name), step.script, { mode: 0o755 });
  fs.writeFileSync(path.join(shared.credentials, '.dockerconfigjson'), dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o644 });
  // The image's user, the build volume writable by it.
  asImageUser = await runTask(podMounts(path.join(work, 'pod-1001'), { uid: 1001, gid: 0, mode: 0o755 }));
  // OpenShift's restricted SCC runs a pod as a user of the namespace's range (not the image's), in group 0, and
  // gives it the volume through a group; here group 0, writable by the group only.
  asArbitraryUser = await runTask(podMounts(path.join(work, `pod-${ARBITRARY_UID}`), { uid: 0, gid: 0, mode: 0o770 }), `${ARBITRARY_UID}:0`);
  // The ServiceAccount's docker secrets instead of pushSecret, in that pod: no registry-credentials workspace;
  // creds-init wrote them to /tekton/creds, and Tekton's entrypoint copies them into the step's HOME before the
  // script runs (pkg/credentials/writer/writer.go, CopyCredsToHome: folders 0700, files 0600), as the step's user.
  const creds = path.join(work, 'tekton-creds');
  fs.mkdirSync(path.join(creds, '.docker'), { recursive: true });
  fs.writeFileSync(path.join(creds, '.docker', 'config.json'), dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o644 });
  const runWithoutSecret = { ...taskRun, spec: { ...taskRun.spec, workspaces: taskRun.spec.workspaces.filter((w: { name: string }) => w.name !== 'registry-credentials') } };
  const vars = tektonVariables(task, runWithoutSecret, { build: TEKTON.workspace('build') }, TEKTON.results, { 'tls-verify': 'false' });
  const build = task.spec.steps.find((s: { name: string }) => s.name === 'build');
  const copyCreds = `mkdir -m 700 "$HOME/.docker" && cp ${TEKTON.creds}/.docker/config.json "$HOME/.docker/" && chmod 600 "$HOME/.docker/config.json" && exec "$@"`;
  viaServiceAccount = await inStepContainer({ ...asArbitraryUser.mounts, creds }, ['sh', '-c', copyCreds, 'entrypoint', `${TEKTON.scripts}/build`], {
    env: build.env.map((e: { name: string; value: string }) => `${e.name}=${substitute(e.value, vars)}`),
    user: `${ARBITRARY_UID}:0`,
  });
  if (asImageUser.steps.some((s) => s.result.status !== 0)) return;

  // The developer's way, on the whole config, with this checkout's CLI.
  const authfile = path.join(work, 'auth.json');
  fs.writeFileSync(authfile, dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o600 });
  const cli = (args: string[]) => runAsync(process.execPath, [CLI, ...args], { cwd: project });
  local.stage = await cli(['stage', '-c', 'modelcar.yaml', '-o', 'dist']);
  if (local.stage.status === 0) local.build = await cli(['build', '-c', 'modelcar.yaml', '-o', 'dist', '--push', '--authfile', authfile, '--tls-verify=false']);
});

afterAll(() => cleanUpSuite({ services: [() => registry?.stop(), () => http?.close()], storages: [storage], work }));

describe('the step image of the README, built from the packed package, runs the steps of the in-cluster build', () => {
  test("the README's Containerfile is the one built here, but for its base and its install (see the top of this file)", () => {
    expect(readmeContainerfile()).toBe(`${Object.values(README_LINES).join('\n')}\n`);
    expect(standInContainerfile(readmeContainerfile())).toBe(
      [`FROM ${NODE_BASE}`, `# ${README_LINES.copy}; ${README_LINES.install}: installed offline into npm-global/`, `COPY --chown=1001:0 npm-global/ ${NPM_PREFIX}/`, 'USER 1001', ''].join('\n'),
    );
  });

  test('the image runs as user 1001 in group 0 (the Task asks runAsNonRoot), with HOME and modelcar where ubi9/nodejs-20-minimal and `npm install --global` put them; its `modelcar --version` is the package version', async () => {
    const inspected = JSON.parse(storage!.buildah(['inspect', '--type', 'image', STEP_IMAGE]));
    expect(inspected.OCIv1.config.User).toBe('1001');
    const r = await inStepContainer(asImageUser.mounts, ['sh', '-c', 'id -u; id -g; echo "$HOME"; command -v modelcar; modelcar --version; node --version']);
    // PATH names the npm prefix's bin/ with a trailing slash, as ubi9/nodejs-20-minimal's does.
    expect(succeeded(r, 'modelcar --version in the step image').stdout).toBe(['1001', '0', APP_HOME, `${NPM_PREFIX}/bin//modelcar`, PKG.version, process.version, ''].join('\n'));
    expect(r.stderr).toBe('');
  });

  test("a step runs with no capabilities and no privilege escalation, as the Task's securityContext asks", async () => {
    expect(task.spec.stepTemplate.securityContext).toStrictEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const status = succeeded(await inStepContainer(asImageUser.mounts, ['cat', '/proc/self/status']), 'cat /proc/self/status').stdout;
    expect(status).toMatch(/^Uid:\s+1001\s+1001\s+1001\s+1001$/m);
    expect(status).toMatch(/^CapEff:\s+0000000000000000$/m);
    expect(status).toMatch(/^CapPrm:\s+0000000000000000$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
  });

  test('every step of the Task succeeds in it, in order, as user 1001, writing the build volume as that user', () => {
    succeeded(local.synth, 'modelcar synth');
    expect(task.spec.stepTemplate.image).toBe(`ghcr.io/modelcar-dev/modelcar:${PKG.version}`);
    for (const s of asImageUser.steps) succeeded(s.result, `step ${s.name}`);
    expect(asImageUser.steps.map((s) => s.name)).toStrictEqual(['prepare', 'stage', 'build']);
    for (const file of ['build/modelcar.yaml', 'build/dist', 'tmp']) expect(fs.statSync(path.join(asImageUser.mounts.volume, file)).uid).toBe(1001);
  });

  test('the stage step downloads each file from the HTTP server and checks its sha256', () => {
    const out = succeeded(asImageUser.steps[1]?.result, 'step stage').stdout;
    expect(out).toContain(`  models/model.safetensors: downloading ${http!.url}/org/model/model.safetensors\n`);
    expect(out).toContain(`sha256 ${sha256(WEIGHTS)} matches the config\n`);
    expect(out).toContain(`sha256 ${sha256(CONFIG_JSON)} matches the config\n`);
    expect(out).toContain('staged 1 model: 2 files (2 downloaded, 0 linked, 0 copied, 0 unchanged)\n');
  });

  test('the results are the pushed image and its digest, which the registry holds for the tag, and `modelcar build --push` on this machine pushes the same digest', () => {
    succeeded(asImageUser.steps[2]?.result, 'step build');
    expect(fs.readFileSync(path.join(asImageUser.mounts.results, 'IMAGE_URL'), 'utf8')).toBe(image);
    const digest = fs.readFileSync(path.join(asImageUser.mounts.results, 'IMAGE_DIGEST'), 'utf8');
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    const inspected = mustSucceed(tryRun('skopeo', ['inspect', '--tls-verify=false', '--creds', `${USERNAME}:${PASSWORD}`, `docker://${image}`], { env: storage!.env }));
    expect(JSON.parse(inspected.stdout).Digest).toBe(digest);

    succeeded(local.stage, 'modelcar stage');
    const out = succeeded(local.build, 'modelcar build --push').stdout;
    const lock = YAML.parse(fs.readFileSync(path.join(project, 'modelcar.lock.yaml'), 'utf8'));
    expect(lock.images[`${NAMESPACE}/tiny-llm`].digest).toBe(digest);
    expect(out).toContain(`pushed ${image} as ${registry!.host}/models/tiny-llm@${digest} (image ID sha256:`);
  });

  test("as OpenShift's restricted SCC runs a pod (a user of the namespace's range, not the image's, in group 0) the steps succeed too, and push the same digest", async () => {
    const r = await inStepContainer(asArbitraryUser.mounts, ['sh', '-c', 'id -u; id -g; modelcar --version'], { user: `${ARBITRARY_UID}:0` });
    expect(succeeded(r, 'modelcar --version as another user').stdout).toBe(`${ARBITRARY_UID}\n0\n${PKG.version}\n`);
    for (const s of asArbitraryUser.steps) succeeded(s.result, `step ${s.name} as user ${ARBITRARY_UID}`);
    expect(asArbitraryUser.steps.map((s) => s.name)).toStrictEqual(['prepare', 'stage', 'build']);
    expect(fs.statSync(path.join(asArbitraryUser.mounts.volume, 'build', 'modelcar.yaml')).uid).toBe(ARBITRARY_UID);
    expect(fs.readFileSync(path.join(asArbitraryUser.mounts.results, 'IMAGE_DIGEST'), 'utf8')).toBe(fs.readFileSync(path.join(asImageUser.mounts.results, 'IMAGE_DIGEST'), 'utf8'));
  });

  test("with the ServiceAccount's docker secrets (no pushSecret), which Tekton copies into the step's HOME, the build step pushes the same digest as that user", () => {
    const out = succeeded(viaServiceAccount, 'step build with the credentials in HOME').stdout;
    expect(out).toContain(`pushing with credentials from ${APP_HOME}/.docker/config.json\n`);
    const digest = fs.readFileSync(path.join(asImageUser.mounts.results, 'IMAGE_DIGEST'), 'utf8');
    expect(out).toContain(`pushed ${image} as ${registry!.host}/models/tiny-llm@${digest} (image ID sha256:`);
    expect(fs.readFileSync(path.join(asArbitraryUser.mounts.results, 'IMAGE_DIGEST'), 'utf8')).toBe(digest);
  });

  test('the push credentials appear in no step output', () => {
    for (const r of [...asImageUser.steps, ...asArbitraryUser.steps].map((s) => s.result).concat(viaServiceAccount ?? [])) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });
});
