/**
 * Layer compression of model images: none, gzip or zstd, and which container runtimes can pull each.
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
 *
 * Which runtimes a platform release's nodes run is the release profile's `nodes` (core/releases.ts).
 */
import type { ContainerRuntime, ReleaseProfile } from './releases';

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

/** The oldest release of a container runtime that pulls layers of each compression. */
export interface RuntimeSupport {
  readonly runtime: ContainerRuntime;
  /** The oldest version that pulls it; '*' for every version. */
  readonly none: string;
  readonly gzip: string;
  readonly zstd: string;
  /** Where it was read. */
  readonly source: string;
}

/** The runtimes and the oldest release of each that pulls a compression. */
export const RUNTIME_SUPPORT: readonly RuntimeSupport[] = [
  { runtime: 'containerd', none: '*', gzip: '*', zstd: '1.5.0', source: 'containerd/containerd v1.5.0 archive/compression/compression.go (zstd magic), PR 4809; v1.4.0 has gzip only' },
  { runtime: 'CRI-O', none: '*', gzip: '*', zstd: '1.20.0', source: 'cri-o/cri-o v1.20.0 go.mod: containers/image v5.7.0, whose pkg/compression has Zstd and manifest/oci.go accepts tar, tar+gzip and tar+zstd layers' },
  { runtime: 'Docker Engine', none: '*', gzip: '*', zstd: '23.0.0', source: 'moby/moby PR 41759, released in v23.0.0' },
];

/** Whether version `a` (`1.25.0`) is `b` or later, numerically part by part; `*` is every version. */
export function versionAtLeast(a: string, b: string): boolean {
  if (b === '*') return true;
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}

/**
 * Why the nodes of a release could not pull layers of a compression (the oldest runtime it supports, too old for
 * it), or undefined when every one of them can.
 */
export function compressionProblem(release: ReleaseProfile, compression: Compression): string | undefined {
  const old = release.nodes.runtimes.filter((n) => {
    const support = RUNTIME_SUPPORT.find((s) => s.runtime === n.runtime)!;
    return !versionAtLeast(n.version, support[compression]);
  });
  if (old.length === 0) return undefined;
  const needs = old.map((n) => `${n.runtime} ${RUNTIME_SUPPORT.find((s) => s.runtime === n.runtime)![compression]} or later`).join(' and ');
  const has = old.map((n) => `${n.runtime} ${n.version}`).join(' and ');
  return `${release.title} supports nodes with ${has} (${release.nodes.platform}), which cannot pull ${compression} layers (that needs ${needs}); use none or gzip`;
}
