/**
 * The streams that compress model layers (gzip, zstd). What each compression is and which container runtimes pull
 * it is core/compression.ts.
 */
import { ChildProcess, spawn } from 'child_process';
import { Readable, Transform } from 'stream';
import * as zlib from 'zlib';
import { UserError } from '../../core/errors';
import { Compression } from '../../core/compression';
import { findOnPath } from '../builder';

/** How to install the zstd command, which compresses zstd layers. */
export const ZSTD_INSTALL = 'install zstd (Debian/Ubuntu: apt-get install zstd; Fedora/RHEL: dnf install zstd; macOS: brew install zstd)';

/** The gzip level: zlib's default, as buildah's (Go's compress/gzip DefaultCompression). */
const GZIP_LEVEL = 6;
/** The zstd level: the zstd command's default, as buildah's `--compression-format zstd`. */
const ZSTD_LEVEL = 3;

/** A running compressor: bytes written to `input` come out compressed from `output`. */
export interface Compressor {
  readonly input: NodeJS.WritableStream;
  readonly output: Readable;
  /** Resolves when the compressor is done; rejects when it failed. */
  readonly done: Promise<void>;
  /** Stops it (on an error elsewhere). */
  destroy(): void;
}

/**
 * Starts a compressor. gzip is node's zlib; zstd is the `zstd` command (node 20 has no zstd), multi-threaded on
 * every core: in that mode its output is the same whatever the number of workers (1, 2 or 16 give the same bytes),
 * so the digest does not depend on the machine.
 */
export function startCompressor(compression: Exclude<Compression, 'none'>, env: NodeJS.ProcessEnv = process.env): Compressor {
  if (compression === 'gzip') {
    const gzip = zlib.createGzip({ level: GZIP_LEVEL });
    const done = new Promise<void>((resolve, reject) => {
      gzip.on('end', resolve);
      gzip.on('error', reject);
    });
    return { input: gzip, output: gzip, done, destroy: () => gzip.destroy() };
  }
  const zstd = findOnPath('zstd', env);
  if (!zstd) throw new UserError(`compression zstd needs the zstd command, which is not installed (on PATH): ${ZSTD_INSTALL}`);
  const child: ChildProcess = spawn(zstd, [`-${ZSTD_LEVEL}`, '-T0', '-q', '-c', '-'], { stdio: ['pipe', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  // A write to zstd after it failed (EPIPE) fails its callback; the failure itself is `done`'s.
  child.stdin!.on('error', () => undefined);
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new UserError(`could not run ${zstd}: ${e.message}`)));
    child.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`zstd failed (${signal ?? `exit ${code}`}): ${stderr.trim()}`))));
  });
  return { input: child.stdin!, output: child.stdout!, done, destroy: () => child.kill('SIGKILL') };
}

/** A pass-through stream that reports every chunk to `see` (a hash, a byte count). */
export function tap(see: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      see(chunk);
      callback(null, chunk);
    },
  });
}
