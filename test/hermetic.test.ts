/**
 * The tests ignore the developer's machine (test/support/hermetic.ts): what a developer has logged in to, their
 * proxies, colours or CI variables change no result, and every test file works in a temporary folder of its own.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { prepareAuthFile, standardAuthFiles } from '../src/pipeline/registry-auth';
import { hermeticEnv, leftovers, RUN_VARIABLE } from './support/hermetic';
import { IMAGE_TOOLS_INSTALL } from './support/registry';
import { tempDir } from './support/temp';
import { requireTool } from './support/tools';

const REGISTRY = '127.0.0.1:5000';
const ANONYMOUS = 'no auth file found (podman login / REGISTRY_AUTH_FILE): pushing anonymously';

/** Who skopeo (containers/image, as podman and buildah) is logged in as at REGISTRY in `env`, or its error. */
function login(env: NodeJS.ProcessEnv): string {
  const r = spawnSync(requireTool('skopeo', IMAGE_TOOLS_INSTALL), ['login', '--get-login', REGISTRY], { env, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : `exit ${r.status}: ${r.stderr.trim().split('\n').pop()}`;
}

/** A Docker config JSON logging `user` in at REGISTRY. */
function authJson(user: string): string {
  return JSON.stringify({ auths: { [REGISTRY]: { auth: Buffer.from(`${user}:secret`).toString('base64') } } });
}

function write(file: string, content: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
}

describe('the environment of the tests', () => {
  const run = process.env[RUN_VARIABLE]!;

  test("HOME, XDG_RUNTIME_DIR and the temporary folder are the run's own; the test file has a temporary folder of its own", () => {
    expect(path.basename(run)).toMatch(/^modelcar-test-\w{6}$/);
    expect({ home: os.homedir(), runtime: process.env.XDG_RUNTIME_DIR, tmp: path.dirname(os.tmpdir()), file: path.basename(os.tmpdir()) }).toStrictEqual({
      home: path.join(run, 'home'),
      runtime: path.join(run, 'run'),
      tmp: path.join(run, 'tmp'),
      file: expect.stringMatching(/^hermetic-\w{6}$/),
    });
    expect((fs.statSync(process.env.XDG_RUNTIME_DIR!).mode & 0o777).toString(8)).toBe('700');
  });

  test('no variable of the developer that would change a result is set', () => {
    const names = ['REGISTRY_AUTH_FILE', 'DOCKER_CONFIG', 'XDG_CONFIG_HOME', 'KUBECONFIG', 'HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'NO_PROXY', 'NO_COLOR', 'FORCE_COLOR', 'CI', 'GIT_DIR', 'npm_config_userconfig', 'BUILDAH_ISOLATION', 'CONTAINERS_STORAGE_CONF', 'HF_TOKEN', 'HUGGING_FACE_HUB_TOKEN', 'HF_HOME', 'HF_ENDPOINT', 'HF_TOKEN_PATH'];
    expect(names.filter((n) => process.env[n] !== undefined)).toStrictEqual([]);
    expect({ LC_ALL: process.env.LC_ALL, TZ: process.env.TZ }).toStrictEqual({ LC_ALL: 'C.UTF-8', TZ: 'UTC' });
  });

  test('GIVEN the tests as they run THEN neither modelcar nor the container tools find any credentials', () => {
    expect(prepareAuthFile(undefined).describe).toBe(ANONYMOUS);
    expect(standardAuthFiles().filter((f) => !f.startsWith(run + path.sep))).toStrictEqual([]);
    expect(login(process.env)).toMatch(/^exit 1: .*not logged into 127\.0\.0\.1:5000/);
  });
});

describe("a developer's credentials", () => {
  const dev = tempDir('modelcar-developer-');
  const runtime = path.join(dev, 'run');
  /** A machine with no credentials anywhere. */
  const empty = { ...process.env, HOME: path.join(dev, 'empty'), XDG_RUNTIME_DIR: path.join(dev, 'empty-run') };
  fs.mkdirSync(empty.XDG_RUNTIME_DIR, { mode: 0o700 });
  /** Each place podman, buildah, skopeo and docker read credentials from, each logging in as another user. */
  const poisons: [string, NodeJS.ProcessEnv, string, string][] = [
    ['podman login', { XDG_RUNTIME_DIR: runtime }, path.join(runtime, 'containers', 'auth.json'), 'podman-login'],
    ['~/.config/containers/auth.json', { HOME: path.join(dev, 'podman') }, path.join(dev, 'podman', '.config', 'containers', 'auth.json'), 'config-home'],
    ['XDG_CONFIG_HOME', { XDG_CONFIG_HOME: path.join(dev, 'config') }, path.join(dev, 'config', 'containers', 'auth.json'), 'xdg-config'],
    ['~/.docker/config.json', { HOME: path.join(dev, 'docker-home') }, path.join(dev, 'docker-home', '.docker', 'config.json'), 'docker-login'],
    ['DOCKER_CONFIG', { DOCKER_CONFIG: path.join(dev, 'docker') }, path.join(dev, 'docker', 'config.json'), 'docker-config'],
    ['REGISTRY_AUTH_FILE', { REGISTRY_AUTH_FILE: path.join(dev, 'auth.json') }, path.join(dev, 'auth.json'), 'registry-auth-file'],
  ];
  for (const [, , file, user] of poisons) write(file, authJson(user));

  test.each(poisons)('GIVEN %s THEN skopeo logs in with it and modelcar names it (the poison works)', (_name, vars, file, user) => {
    const env = { ...empty, ...vars };
    expect({ login: login(env), describe: prepareAuthFile(undefined, env).describe }).toStrictEqual({
      login: user,
      describe: `credentials from ${file}${vars.REGISTRY_AUTH_FILE ? ' (REGISTRY_AUTH_FILE)' : ''}`,
    });
  });

  test("GIVEN all of them at once THEN the tests' environment finds none of them: not modelcar, not skopeo", () => {
    const developer: NodeJS.ProcessEnv = { ...process.env };
    for (const [, vars] of poisons) Object.assign(developer, vars);
    // One HOME holding both files that live in a home.
    fs.cpSync(path.join(dev, 'docker-home', '.docker'), path.join(dev, 'podman', '.docker'), { recursive: true });
    developer.HOME = path.join(dev, 'podman');
    expect(login(developer)).toBe('registry-auth-file');
    const run = tempDir('modelcar-run-');
    for (const folder of ['home', 'run', 'tmp']) fs.mkdirSync(path.join(run, folder), { mode: 0o700 });
    const tests = hermeticEnv({ ...developer, HTTPS_PROXY: 'http://127.0.0.1:9', NO_COLOR: '1', CI: 'true' }, run);
    expect(standardAuthFiles(tests)).toStrictEqual([
      path.join(run, 'run', 'containers', 'auth.json'),
      path.join(run, 'home', '.config', 'containers', 'auth.json'),
      path.join(run, 'home', '.docker', 'config.json'),
    ]);
    expect(prepareAuthFile(undefined, tests).describe).toBe(ANONYMOUS);
    expect(login(tests)).toMatch(/^exit 1: .*not logged into 127\.0\.0\.1:5000/);
    expect([tests.HTTPS_PROXY, tests.NO_COLOR, tests.CI]).toStrictEqual([undefined, undefined, undefined]);
  });
});

describe('temporary files', () => {
  test('GIVEN test files that left files in their temporary folders THEN the run names each, by test file', () => {
    const run = tempDir('modelcar-run-');
    fs.mkdirSync(path.join(run, 'tmp', 'stage-AbC123', 'modelcar-stage-x1y2z3'), { recursive: true });
    write(path.join(run, 'tmp', 'stage-AbC123', 'stray.txt'), '');
    fs.mkdirSync(path.join(run, 'tmp', 'writer-DeF456'));
    expect(leftovers(run)).toStrictEqual(['stage-AbC123/modelcar-stage-x1y2z3', 'stage-AbC123/stray.txt']);
  });

  test("a folder made with tempDir() is in the test file's own temporary folder", () => {
    expect(path.dirname(tempDir('modelcar-x-'))).toBe(os.tmpdir());
  });
});
