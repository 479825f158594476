/**
 * Helpers of the image build e2e test: running commands with their output captured (shown only in the error of a
 * failing command), and a buildah storage of the test's own (vfs driver, chroot isolation: what works as root
 * without a container engine) that is removed afterwards.
 */
import { SpawnSyncOptions, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface RunResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** stdout as bytes, for binary output. */
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
  /** The command, its exit and its output, for failure messages. */
  readonly report: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** @default 180000 */
  readonly timeoutMs?: number;
  /** More to show when the command fails, e.g. the registry's log. */
  readonly context?: () => string;
}

/** Runs a command; returns its exit and captured output whatever the exit. */
export function tryRun(command: string, args: readonly string[], options: RunOptions = {}): RunResult {
  const spawnOptions: SpawnSyncOptions = {
    env: options.env ?? process.env,
    cwd: options.cwd,
    timeout: options.timeoutMs ?? 180000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  };
  const r = spawnSync(command, args, spawnOptions);
  const stdoutBytes = Buffer.isBuffer(r.stdout) ? r.stdout : Buffer.alloc(0);
  const stdout = stdoutBytes.toString('utf8');
  const stderr = r.stderr?.toString('utf8') ?? '';
  const exit = r.error ? `failed: ${r.error.message}` : r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  const extra = options.context ? `\n--- context ---\n${options.context()}` : '';
  const shown = stdoutBytes.includes(0) ? `(${stdoutBytes.length} bytes of binary output)` : stdout;
  const report = `$ ${[command, ...args].join(' ')}\n(${exit})\n--- stdout ---\n${shown}\n--- stderr ---\n${stderr}${extra}`;
  return { status: r.error ? null : r.status, signal: r.signal, stdout, stdoutBytes, stderr, report };
}

/** Runs a command that must succeed; throws with its output otherwise. Returns stdout. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): string {
  return mustSucceed(tryRun(command, args, options)).stdout;
}

/** Returns a result when its command succeeded; throws with its report otherwise. */
export function mustSucceed(r: RunResult): RunResult {
  if (r.status !== 0) throw new Error(`command failed:\n${r.report}`);
  return r;
}

/** Environment variables that would make buildah, skopeo or the build script use something else than the test's own setup. */
const FOREIGN_ENV = /^(BUILDER|BUILDAH_.*|STORAGE_DRIVER|STORAGE_OPTS|CONTAINERS_.*|REGISTRY_AUTH_FILE|DOCKER_CONFIG|TMPDIR)$/;

/**
 * A containers storage (images, containers) in a folder of the test, selected with CONTAINERS_STORAGE_CONF so that
 * the build script needs no extra flags. `env` holds what every buildah invocation of the test gets.
 */
export class TestStorage {
  public readonly env: NodeJS.ProcessEnv;
  private readonly root: string;

  constructor(
    private readonly dir: string,
    extraEnv: NodeJS.ProcessEnv = {},
  ) {
    this.root = path.join(dir, 'root');
    const runroot = path.join(dir, 'runroot');
    const tmp = path.join(dir, 'tmp');
    fs.mkdirSync(tmp, { recursive: true });
    const conf = path.join(dir, 'storage.conf');
    fs.writeFileSync(conf, `[storage]\ndriver = "vfs"\ngraphroot = ${JSON.stringify(this.root)}\nrunroot = ${JSON.stringify(runroot)}\n`);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!FOREIGN_ENV.test(k)) env[k] = v;
    this.env = { ...env, CONTAINERS_STORAGE_CONF: conf, BUILDAH_ISOLATION: 'chroot', TMPDIR: tmp, ...extraEnv };
  }

  /** Runs buildah on this storage; must succeed. */
  buildah(args: readonly string[], options: Omit<RunOptions, 'env'> = {}): string {
    return run('buildah', args, { ...options, env: this.env });
  }

  /** Runs buildah on this storage, whatever the exit. */
  tryBuildah(args: readonly string[], options: Omit<RunOptions, 'env'> = {}): RunResult {
    return tryRun('buildah', args, { ...options, env: this.env });
  }

  /** The `name:tag` of every image in the storage. */
  imageNames(): string[] {
    return this.buildah(['images', '--format', '{{.Name}}:{{.Tag}}'])
      .split('\n')
      .filter((l) => l.trim() !== '');
  }

  /**
   * Removes every container and image, then the folder, after checking that nothing is still mounted under it (a
   * leftover bind mount of a `buildah run` must stop the removal rather than have it recurse into the host).
   */
  destroy(): void {
    if (fs.existsSync(this.root)) {
      this.buildah(['rm', '--all']);
      this.buildah(['rmi', '--all', '--force']);
    }
    const mounts = fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m): m is string => m !== undefined && (m === this.dir || m.startsWith(this.dir + '/')));
    if (mounts.length) throw new Error(`not removing ${this.dir}: still mounted under it: ${mounts.join(', ')}`);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** busybox applets the base image links: what KServe's modelcar commands use, and chmod for the Containerfile's RUN. */
export const BASE_APPLETS = ['sh', 'ln', 'sleep', 'ls', 'echo', '[', 'chmod'] as const;

/**
 * Builds the tiny local base image the tests use instead of a pulled one: busybox (static) and links for
 * {@link BASE_APPLETS}, no ENTRYPOINT, no CMD. Returns the image's name.
 */
export function buildBaseImage(storage: TestStorage, busybox: string, name: string): string {
  const container = storage.buildah(['from', '--pull-never', 'scratch']).trim();
  try {
    storage.buildah(['copy', '--chmod', '0755', container, busybox, '/bin/busybox']);
    const links = BASE_APPLETS.map((a) => `/bin/busybox ln -s busybox '/bin/${a}'`).join(' && ');
    storage.buildah(['run', container, '--', '/bin/busybox', 'sh', '-c', links]);
    storage.buildah(['config', '--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', container]);
    storage.buildah(['commit', '--format', 'oci', container, name]);
  } finally {
    storage.buildah(['rm', container]);
  }
  return name;
}
