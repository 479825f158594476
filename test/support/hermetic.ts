/**
 * Tests see a machine of their own, not the developer's: a fresh HOME, XDG_RUNTIME_DIR and temporary folder for
 * each run, and none of the variables that point tools at other credentials, proxies or settings. So a developer's
 * `podman login`, `~/.docker/config.json`, `REGISTRY_AUTH_FILE`, proxy, `NO_COLOR` or `CI` changes no result.
 *
 * globalSetup (run-setup.ts) calls startRun() in jest's main process before any worker starts, so every worker and
 * every process a test starts inherits the environment. Each test file then gets a temporary folder of its own
 * (environment.ts); globalTeardown (run-teardown.ts) calls finishRun(), which fails the run naming what a test file
 * left behind, and removes the run's folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The run's folder, for the test environment and the teardown. */
export const RUN_VARIABLE = 'MODELCAR_TEST_RUN';

/**
 * The developer's npm cache and registry, the one thing of their machine the tests use: the packaging test installs
 * modelcar's package offline, from the packages `npm ci` put into that cache.
 */
export const NPM_CACHE_VARIABLE = 'MODELCAR_TEST_NPM_CACHE';
export const NPM_REGISTRY_VARIABLE = 'MODELCAR_TEST_NPM_REGISTRY';

/**
 * Variables a developer's machine may set that change what modelcar or the tools the tests drive do: registry
 * credentials (podman, buildah, skopeo, docker), the XDG folders they search, kubectl's config, proxies, colours,
 * CI (progress output), git's repository and config, npm's config (which `npm test` passes on to every npm a
 * test runs), the builder and container settings build.sh and the e2e tests choose themselves, a Hugging Face
 * token, token file or mirror (HF_TOKEN, HF_HOME, HF_ENDPOINT, ...), S3 credentials and endpoints (`AWS_*`, which
 * stage reads for s3:// sources), and the locale and time zone of tool messages.
 */
const FOREIGN =
  /^(AWS_.*|REGISTRY_AUTH_FILE|DOCKER_CONFIG|DOCKER_HOST|XDG_.*|KUBECONFIG|HF_.*|HUGGING_FACE_HUB_TOKEN|(HTTPS?|ALL|NO|FTP)_PROXY|(https?|all|no|ftp)_proxy|NO_COLOR|FORCE_COLOR|CI|GIT_.*|npm_config_.*|NPM_CONFIG_.*|BUILDER|BUILDAH_.*|CONTAINERS_.*|CONTAINER_HOST|STORAGE_DRIVER|STORAGE_OPTS|LANG|LANGUAGE|LC_.*|TZ|NODE_EXTRA_CA_CERTS|SSL_CERT_(FILE|DIR))$/;

/** The environment tests run in: `env` without the developer's settings, with the run's own folders. */
export function hermeticEnv(env: NodeJS.ProcessEnv, run: string): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!FOREIGN.test(name)) clean[name] = value;
  return {
    ...clean,
    HOME: path.join(run, 'home'),
    XDG_RUNTIME_DIR: path.join(run, 'run'),
    TMPDIR: path.join(run, 'tmp'),
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    [RUN_VARIABLE]: run,
  };
}

/** Makes the run's folders and puts this process (and so every worker and child) into the hermetic environment. */
export function startRun(): void {
  const run = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-test-'));
  for (const folder of ['home', 'run', 'tmp']) fs.mkdirSync(path.join(run, folder), { mode: 0o700 });
  const env = hermeticEnv(process.env, run);
  env[NPM_CACHE_VARIABLE] = process.env.npm_config_cache ?? path.join(os.homedir(), '.npm');
  if (process.env.npm_config_registry) env[NPM_REGISTRY_VARIABLE] = process.env.npm_config_registry;
  for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
  Object.assign(process.env, env);
}

/** Removes a tree, also where a test took away its own write permission (as a user other than root). */
export function removeTree(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    const allow = (p: string) => {
      const stat = fs.lstatSync(p);
      if (!stat.isDirectory()) return;
      fs.chmodSync(p, 0o700);
      for (const name of fs.readdirSync(p)) allow(path.join(p, name));
    };
    allow(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What the test files left in their temporary folders, as `<test file's folder>/<name>`. Each test file's folder is
 * named after it (environment.ts), and its environment removes it when the file left it empty.
 */
export function leftovers(run: string): string[] {
  const tmp = path.join(run, 'tmp');
  if (!fs.existsSync(tmp)) return [];
  return fs
    .readdirSync(tmp)
    .sort()
    .flatMap((folder) => {
      const full = path.join(tmp, folder);
      return fs.lstatSync(full).isDirectory() ? fs.readdirSync(full).sort().map((name) => `${folder}/${name}`) : [folder];
    });
}

/** Fails when a test file left anything in its temporary folder, naming it; removes the run's folders either way. */
export function finishRun(): void {
  const run = process.env[RUN_VARIABLE];
  if (run === undefined) throw new Error(`${RUN_VARIABLE} is not set: test/support/run-setup.ts did not run`);
  const left = leftovers(run);
  removeTree(run);
  if (left.length > 0) {
    throw new Error(
      `tests left files in the temporary folder (each test file's folder is named after it; make temporary folders with tempDir() from test/support/temp.ts, which removes them):\n  ${left.join('\n  ')}`,
    );
  }
}
