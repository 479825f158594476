/**
 * A real OCI registry for tests: Debian's `docker-registry` (distribution 2.x) on 127.0.0.1, with its storage in a
 * folder of the test and htpasswd authentication, started as its own process group so that stopping it leaves
 * nothing behind.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { requireTool } from './tools';

/** The apt command that installs everything the image build tests drive. */
export const IMAGE_TOOLS_INSTALL = 'apt-get install -y --no-install-recommends buildah podman skopeo docker-registry apache2-utils busybox-static';

export interface RegistryOptions {
  /** A folder of the test's own; the registry's config, password file, data and log go there. */
  readonly dir: string;
  readonly username: string;
  readonly password: string;
  /** How long to wait for the registry to answer. @default 20000 */
  readonly startTimeoutMs?: number;
}

export interface Registry {
  /** `127.0.0.1:<port>`: the registry part of image references, and the key of its credentials. */
  readonly host: string;
  readonly port: number;
  /** The registry's log so far (for failure messages). */
  log(): string;
  /** GET on the registry API (path starting with `/v2/`), with the test's credentials unless `anonymous`. */
  get(apiPath: string, anonymous?: boolean): Promise<{ status: number; body: string }>;
  /** Stops the registry (its whole process group) and waits until it is gone. Safe to call twice. */
  stop(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts `docker-registry serve` with filesystem storage and htpasswd auth on a free port of 127.0.0.1 and waits
 * until it answers `/v2/` with 401 (auth on). Retries on another port when the chosen one was taken meanwhile.
 * Throws (with the registry's log) when it does not come up.
 */
export async function startRegistry(options: RegistryOptions): Promise<Registry> {
  const htpasswdTool = requireTool('htpasswd', IMAGE_TOOLS_INSTALL);
  fs.mkdirSync(options.dir, { recursive: true });
  const htpasswd = path.join(options.dir, 'htpasswd');
  fs.writeFileSync(htpasswd, execFileSync(htpasswdTool, ['-Bbn', options.username, options.password], { encoding: 'utf8' }));
  const started = await startDockerRegistry({
    dir: options.dir,
    auth: ['  htpasswd:', '    realm: modelcar-e2e', `    path: ${JSON.stringify(htpasswd)}`],
    startTimeoutMs: options.startTimeoutMs,
  });
  const basic = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
  const get = async (apiPath: string, anonymous = false) => {
    const response = await fetch(`http://${started.host}${apiPath}`, { headers: anonymous ? {} : { Authorization: basic } });
    return { status: response.status, body: await response.text() };
  };
  return { ...started, get };
}

/** A docker-registry running, without the test's credentials (see {@link startDockerRegistry}). */
export type DockerRegistry = Omit<Registry, 'get'>;

/**
 * Starts `docker-registry serve` with filesystem storage under `dir` and the given `auth:` section (its lines,
 * indented under `auth:`) on a free port of 127.0.0.1, and waits until it answers an anonymous `/v2/` with 401
 * (auth on). Retries on another port when the chosen one was taken meanwhile; throws with the log when it does not
 * come up.
 */
export async function startDockerRegistry(options: { dir: string; auth: readonly string[]; startTimeoutMs?: number }): Promise<DockerRegistry> {
  const binary = requireTool('docker-registry', IMAGE_TOOLS_INSTALL);
  fs.mkdirSync(options.dir, { recursive: true });
  const failures: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const registry = await tryStart(binary, options, port);
    if (typeof registry !== 'string') return registry;
    failures.push(`port ${port}:\n${registry}`);
  }
  throw new Error(`docker-registry did not start:\n${failures.join('\n')}`);
}

async function tryStart(binary: string, options: { dir: string; auth: readonly string[]; startTimeoutMs?: number }, port: number): Promise<DockerRegistry | string> {
  const host = `127.0.0.1:${port}`;
  const config = path.join(options.dir, `config-${port}.yml`);
  const logFile = path.join(options.dir, `registry-${port}.log`);
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: info',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${JSON.stringify(path.join(options.dir, 'data'))}`,
      'http:',
      `  addr: ${host}`,
      // A fixed secret silences the "No HTTP secret provided" warning; it only signs upload state.
      '  secret: modelcar-e2e-not-a-secret',
      'auth:',
      ...options.auth,
      '',
    ].join('\n'),
  );
  const out = fs.openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    // docker-registry reads REGISTRY_* variables as configuration (REGISTRY_AUTH would replace `auth`): none of them.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
    // detached: the registry leads its own process group, which stop() kills as a whole.
    child = spawn(binary, ['serve', config], { detached: true, stdio: ['ignore', out, out], env });
  } finally {
    fs.closeSync(out);
  }
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolve();
    });
    child.once('error', (e) => {
      exited = `failed to start: ${e.message}`;
      resolve();
    });
  });
  const stop = async () => {
    if (exited === undefined && child.pid !== undefined) {
      killGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), 5000);
      await exit;
      clearTimeout(timer);
    }
    // The group may hold other processes than the leader: make sure none is left.
    if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 20000);
  while (Date.now() < deadline) {
    if (exited !== undefined) return `docker-registry ${exited}\n${log()}`;
    try {
      const status = (await fetch(`http://${host}/v2/`)).status;
      if (status === 401) return { host, port, log, stop };
      await stop();
      return `unexpected answer to an anonymous GET /v2/: HTTP ${status} (auth should be on)\n${log()}`;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  return `no answer on ${host} within ${options.startTimeoutMs ?? 20000} ms\n${log()}`;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e: any) {
    if (e.code !== 'ESRCH') throw e;
  }
}
