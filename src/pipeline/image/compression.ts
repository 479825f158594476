/**
 * Layer compression: none, gzip or zstd. What each is, which container runtimes can pull it, and the streams
 * that compress.
 *
 * Which runtimes pull what (read in their source at the tags named):
 * - Uncompressed layers (`application/vnd.oci.image.layer.v1.tar`) are part of the OCI image spec since v1.0 and
 *   pulled by every runtime KServe runs on: containerd (images/mediatypes.go `DiffCompression`, v1.0 on) and
 *   CRI-O through containers/image (manifest/oci.go `SupportedOCI1MediaType`, in CRI-O v1.20.0's vendored
 *   containers/image v5.7.0).
 * - gzip: everywhere.
 * - zstd: containerd >= 1.5.0 (containerd/containerd PR 4809, archive/compression/compression.go at v1.5.0 reads
 *   the zstd magic; v1.4.0 does not), CRI-O >= 1.20 (containers/image v5.7.0 vendored at cri-o v1.20.0:
 *   pkg/compression `Zstd`; the decompressor came with containers/image PR 639), Docker Engine >= 23.0 (moby PR 41759).
 * See {@link RUNTIME_SUPPORT}.
 */
import { ChildProcess, spawn } from 'child_process';
import { Readable, Transform } from 'stream';
import * as zlib from 'zlib';
import { UserError } from '../../core/errors';
import { findOnPath } from '../builder';

/** How a model layer is compressed. */
export type Compression = 'none' | 'gzip' | 'zstd';

/** The compressions, in the order the docs list them. */
export const COMPRESSIONS: readonly Compression[] = ['none', 'zstd', 'gzip'];

/**
 * The compression of model layers unless the config says otherwise: none. Model weights barely compress (random
 * data not at all, bf16 weights by about a fifth), while compression costs the push and, on every node that pulls
 * the image, a decompression; uncompressed layers also give the same digest with any compressor version. The
 * measurements are in BENCHMARKS.md.
 */
export const DEFAULT_COMPRESSION: Compression = 'none';

/** The OCI media type of a layer. */
export const LAYER_MEDIA_TYPES: Readonly<Record<Compression, string>> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
};

/** The compression of a layer media type (OCI or Docker), or undefined for one modelcar does not know. */
export function compressionOf(mediaType: string): Compression | undefined {
  switch (mediaType) {
    case 'application/vnd.oci.image.layer.v1.tar':
      return 'none';
    case 'application/vnd.oci.image.layer.v1.tar+gzip':
    case 'application/vnd.docker.image.rootfs.diff.tar.gzip':
      return 'gzip';
    case 'application/vnd.oci.image.layer.v1.tar+zstd':
      return 'zstd';
    default:
      return undefined;
  }
}

/** The oldest release of a container runtime that pulls layers of a compression. */
export interface RuntimeSupport {
  readonly runtime: 'containerd' | 'CRI-O' | 'Docker Engine';
  /** The oldest version that pulls it; '*' for every version KServe's supported Kubernetes runs. */
  readonly none: string;
  readonly gzip: string;
  readonly zstd: string;
  /** Where it was read. */
  readonly source: string;
}

/**
 * The runtimes and the oldest release of each that pulls a compression. OpenShift 4.x runs CRI-O 1.(x+13): OpenShift
 * 4.12 (the oldest OpenShift AI 2.x supports) has CRI-O 1.25. Managed Kubernetes (EKS, GKE, AKS) ships containerd
 * 1.6 or later since Kubernetes 1.24 removed dockershim.
 */
export const RUNTIME_SUPPORT: readonly RuntimeSupport[] = [
  { runtime: 'containerd', none: '*', gzip: '*', zstd: '1.5.0', source: 'containerd/containerd v1.5.0 archive/compression/compression.go (zstd magic), PR 4809; v1.4.0 has gzip only' },
  { runtime: 'CRI-O', none: '*', gzip: '*', zstd: '1.20.0', source: 'cri-o/cri-o v1.20.0 go.mod: containers/image v5.7.0, whose pkg/compression has Zstd and manifest/oci.go accepts tar, tar+gzip and tar+zstd layers' },
  { runtime: 'Docker Engine', none: '*', gzip: '*', zstd: '23.0.0', source: 'moby/moby PR 41759, released in v23.0.0' },
];

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
