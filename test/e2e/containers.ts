/**
 * Helpers of the image build e2e test: running commands with their output captured (shown only in the error of a
 * failing command), and a buildah storage of the test's own (vfs driver, chroot isolation: what works as root
 * without a container engine) that is removed afterwards.
 */
import { SpawnSyncOptions, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { requireTool } from '../support/tools';

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

/**
 * Runs a command without blocking the event loop (so that servers of the test process, e.g. an HTTP server the
 * command downloads from, keep answering); returns its exit and captured output whatever the exit.
 */
export function runAsync(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 180000);
    let failure: Error | undefined;
    child.on('error', (e) => (failure = e));
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      const stdoutBytes = Buffer.concat(out);
      const stdout = stdoutBytes.toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const exit = failure ? `failed: ${failure.message}` : signal ? `killed by ${signal}` : `exit ${status}`;
      const extra = options.context ? `\n--- context ---\n${options.context()}` : '';
      const report = `$ ${[command, ...args].join(' ')}\n(${exit})\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}${extra}`;
      resolve({ status: failure ? null : status, signal, stdout, stdoutBytes, stderr, report });
    });
  });
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

  /** `buildah from` an image, runs `use` on the container, removes the container. */
  withContainer<T>(from: readonly string[], use: (container: string) => T): T {
    const container = this.buildah(['from', ...from]).trim().split('\n').pop()!;
    try {
      return use(container);
    } finally {
      this.buildah(['rm', container]);
    }
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

export const BUSYBOX_INSTALL = 'apt-get install -y --no-install-recommends busybox-static';

/** Whether an ELF executable has no program interpreter (PT_INTERP), i.e. runs without a dynamic loader. */
export function isStaticElf(file: string): boolean {
  const elf = fs.readFileSync(file);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error(`${file} is not a 64-bit little-endian ELF file`);
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

/** The path of a static busybox, for the base image; throws with the install command when there is none. */
export function requireBusybox(): string {
  const busybox = fs.realpathSync(requireTool('busybox', BUSYBOX_INSTALL));
  if (!isStaticElf(busybox)) throw new Error(`${busybox} is dynamically linked and cannot run alone in a scratch image: ${BUSYBOX_INSTALL}`);
  return busybox;
}

export interface TarEntry {
  readonly type: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** As stored in the archive (for extraction). */
  readonly member: string;
  /** Without `./` and trailing `/`. */
  readonly name: string;
  readonly layer: string;
}

/** Lists a layer tarball (compressed or not) with GNU tar. */
export function listLayer(layer: string): TarEntry[] {
  const out = run('tar', ['--numeric-owner', '--quoting-style=literal', '-tvf', layer], { env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const m = /^(.)(.{9})\s+(\d+)\/(\d+)\s+(\d+)\s+\d{4}-\d\d-\d\d \d\d:\d\d(?::\d\d)? (.*)$/.exec(line);
      if (!m) throw new Error(`cannot parse tar listing line: ${line}`);
      const member = m[1] === 'l' || m[1] === 'h' ? m[6].replace(/ (->|link to) .*$/, '') : m[6];
      const mode = [...m[2]].reduce((bits, c, i) => (c === '-' || c === 'S' || c === 'T' ? bits : bits | (1 << (8 - i))), 0);
      const name = member.replace(/^\.\//, '').replace(/\/$/, '');
      return { type: m[1], mode, uid: +m[3], gid: +m[4], size: +m[5], member, name, layer };
    });
}


/** KServe's modelcar-init container (pkg/webhook/.../utils CreateModelcarInitContainer), after Kubernetes turns `$$` into `$`. */
export const kserveInitCheck = (image: string) =>
  `echo 'Pre-fetching modelcar ${image}: ' && [ -d /models ] && [ "$(ls -A /models)" ] && echo 'OK ... Prefetched and valid (/models exists)' || (echo 'NOK ... Prefetched but modelcar is invalid (/models does not exist or is empty)' && exit 1)`;
/** KServe's modelcar sidecar command up to `sleep infinity`, which the tests replace with a bounded check. */
export const KSERVE_SIDECAR_LINK = 'ln -sf /proc/$$/root/models /mnt/models';


/** An OCI image layout on disk (as `skopeo copy ... oci:DIR` writes it): its manifest, config and layer files. */
export interface OciLayout {
  readonly manifest: { layers: { digest: string; size: number }[]; config: { digest: string } };
  readonly config: { config?: { Entrypoint?: string[]; Cmd?: string[]; User?: string; Labels?: Record<string, string> }; rootfs: { diff_ids: string[] } };
  /** Paths of the layer blobs, in order. */
  readonly layers: string[];
}

/** Reads the single image of an OCI layout folder. */
export function readOciLayout(dir: string): OciLayout {
  const blob = (digest: string) => path.join(dir, 'blobs', ...digest.split(':'));
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'));
  const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0].digest), 'utf8'));
  const config = JSON.parse(fs.readFileSync(blob(manifest.config.digest), 'utf8'));
  return { manifest, config, layers: manifest.layers.map((l: { digest: string }) => blob(l.digest)) };
}

/**
 * Ends what an e2e suite started, in its afterAll: every service (each tried, whatever the others do), then the
 * container storages in order, and the work folder only when every storage was removed safely (a storage that
 * cannot be, something still mounted in it, keeps the folder). Throws every failure together.
 */
export async function cleanUpSuite(parts: { services?: (() => unknown)[]; storages?: ({ destroy(): unknown } | undefined)[]; work?: string }): Promise<void> {
  const errors: unknown[] = [];
  const attempt = async (step: () => unknown) => {
    try {
      await step();
      return true;
    } catch (e) {
      errors.push(e);
      return false;
    }
  };
  for (const stop of parts.services ?? []) await attempt(stop);
  let storagesGone = true;
  for (const storage of parts.storages ?? []) {
    if (!(await attempt(() => storage?.destroy()))) {
      storagesGone = false;
      break;
    }
  }
  if (storagesGone && parts.work) await attempt(() => fs.rmSync(parts.work!, { recursive: true, force: true }));
  if (errors.length) throw new AggregateError(errors, `cleanup failed: ${errors.map(String).join('; ')}`);
}

/** A result of a step run in beforeAll, checked in a test: it ran, and exited 0 (else its output, to see why). */
export function succeeded(result: RunResult | undefined, what: string): RunResult {
  if (result === undefined) throw new Error(`${what} did not run: an earlier step failed (see the error above)`);
  if (result.status !== 0) throw new Error(`${what} failed:\n${result.report}`);
  return result;
}
