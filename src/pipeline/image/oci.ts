/**
 * OCI image manifests and configs (https://github.com/opencontainers/image-spec, manifest.md and config.md):
 * reading a base image's, and writing a model image's from it the way buildah does for the Containerfile modelcar
 * writes: the base's layers and settings kept, the model layers added, `USER`, no `ENTRYPOINT` (which, as in
 * Docker, also drops a `CMD` inherited from the base), the labels, history entries, and the base named in the
 * manifest's annotations. JSON keys come in the order of the image-spec's Go structs (as buildah writes them),
 * labels sorted, so that the same inputs give the same bytes.
 */
import { createHash } from 'crypto';
import { LAYER_MEDIA_TYPES, compressionOf } from '../../core/compression';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';

/** A content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: { readonly os?: string; readonly architecture?: string; readonly variant?: string };
}

/** An image manifest (OCI, or Docker schema 2 read the same way). */
export interface ImageManifest {
  readonly schemaVersion: number;
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A history entry of an image config. */
export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly author?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** An image config, as far as modelcar reads and writes it. */
export interface ImageConfig {
  readonly created?: string;
  readonly author?: string;
  readonly architecture: string;
  readonly os: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
  readonly variant?: string;
  readonly config?: Record<string, unknown>;
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly string[] };
  readonly history?: readonly HistoryEntry[];
}

/** The time every build of a model image says it was made: the epoch, as `buildah build --timestamp=0` writes it. */
export const EPOCH = '1970-01-01T00:00:00Z';

/** The keys of an image config's `config`, in the order of the image-spec's `ImageConfig` struct. */
const RUN_CONFIG_KEYS = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'ArgsEscaped'] as const;

/**
 * A base layer's descriptor in the OCI manifest: its media type the OCI one of its compression (Docker schema 2's
 * gzip layer becomes OCI's, as containers/image converts it for `--format oci`), annotations and URLs dropped.
 */
export function ociLayer(layer: Descriptor, base: string): Descriptor {
  const compression = compressionOf(layer.mediaType);
  if (!compression) throw new Error(`the base image ${base} has a layer of type ${layer.mediaType}, which modelcar's image writer does not copy; use --builder podman or buildah`);
  return { mediaType: LAYER_MEDIA_TYPES[compression], digest: layer.digest, size: layer.size };
}

/** How a model layer's history entry names the key of its inputs ({@link layerKey}). */
export const LAYER_KEY_PREFIX = 'modelcar layer ';

/**
 * The key of a model layer's inputs: its files (paths and SHA-256) and its compression, with the version of the
 * way modelcar writes layers. The same key, the same layer: a push finds a layer it would write again in the image
 * the tag points to (its history says each layer's key), and reuses it instead of reading and uploading the bytes.
 */
export function layerKey(compression: string, files: readonly { readonly target: string; readonly sha256: string }[]): string {
  const text = JSON.stringify(['modelcar-layer/1', compression, files.map((f) => [f.target, f.sha256])]);
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * The model layers of an image by key: each layer whose history entry carries a key, with its descriptor and diff_id.
 * History entries that are not empty layers stand for the layers, in order.
 */
export function layersByKey(manifest: ImageManifest, config: ImageConfig): Map<string, { descriptor: Descriptor; diffId: string }> {
  const found = new Map<string, { descriptor: Descriptor; diffId: string }>();
  const entries = (config.history ?? []).filter((h) => !h.empty_layer);
  if (entries.length !== manifest.layers.length || config.rootfs.diff_ids.length !== manifest.layers.length) return found;
  entries.forEach((h, i) => {
    if (h.comment?.startsWith(LAYER_KEY_PREFIX)) found.set(h.comment.slice(LAYER_KEY_PREFIX.length), { descriptor: manifest.layers[i], diffId: config.rootfs.diff_ids[i] });
  });
  return found;
}

/** What the model image adds to its base. */
export interface ImageAdditions {
  /** The model layers: each one's diff_id, the Containerfile instruction that stands for it, and its inputs' key. */
  readonly layers: readonly { readonly diffId: string; readonly createdBy: string; readonly key: string }[];
  readonly user: string;
  /** All labels the Containerfile and the build set (merged over the base's). */
  readonly labels: Readonly<Record<string, string>>;
  /** The instructions that change only the config, in order (for the history). */
  readonly configSteps: readonly string[];
}

/** The model image's config: the base's, with the additions. */
export function modelImageConfig(base: ImageConfig, additions: ImageAdditions): ImageConfig {
  const run: Record<string, unknown> = {};
  const baseRun = base.config ?? {};
  for (const key of RUN_CONFIG_KEYS) {
    if (key === 'Entrypoint' || key === 'Cmd') continue; // ENTRYPOINT []: no entrypoint, and no command inherited
    if (key === 'User') run.User = additions.user;
    else if (key === 'Labels') run.Labels = sortedRecord({ ...((baseRun.Labels as Record<string, string>) ?? {}), ...additions.labels });
    else if (!isEmpty(baseRun[key])) run[key] = baseRun[key];
  }
  const history: HistoryEntry[] = [
    ...(base.history ?? []),
    ...additions.layers.map((l) => ({ created: EPOCH, created_by: l.createdBy, comment: `${LAYER_KEY_PREFIX}${l.key}` })),
    ...additions.configSteps.map((step) => ({ created: EPOCH, created_by: step, empty_layer: true })),
  ];
  const config: Record<string, unknown> = { created: EPOCH };
  if (base.author) config.author = base.author;
  config.architecture = base.architecture;
  config.os = base.os;
  if (base['os.version']) config['os.version'] = base['os.version'];
  if (base['os.features']?.length) config['os.features'] = base['os.features'];
  if (base.variant) config.variant = base.variant;
  config.config = run;
  config.rootfs = { type: 'layers', diff_ids: [...base.rootfs.diff_ids, ...additions.layers.map((l) => l.diffId)] };
  config.history = history;
  return config as unknown as ImageConfig;
}

/** The manifest of the model image. */
export function modelImageManifest(config: Descriptor, layers: readonly Descriptor[], baseName: string, baseDigest: string): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config,
    layers,
    annotations: { 'org.opencontainers.image.base.digest': baseDigest, 'org.opencontainers.image.base.name': baseName },
  };
}

/** JSON bytes and their descriptor. */
export function jsonBlob(value: unknown, mediaType: string): { bytes: Buffer; descriptor: Descriptor } {
  const bytes = Buffer.from(JSON.stringify(value), 'utf8');
  return { bytes, descriptor: { mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`, size: bytes.length } };
}

/** The platform of this machine in OCI terms (the platform buildah builds for by default). */
export function hostPlatform(): { os: string; architecture: string } {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x', arm: 'arm', ia32: '386' };
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch };
}

/** The manifest of an index that fits a platform. */
export function pickPlatform(index: { manifests?: readonly Descriptor[] }, platform: { os: string; architecture: string }, base: string): Descriptor {
  const found = (index.manifests ?? []).find((m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture);
  if (!found) {
    const have = (index.manifests ?? []).map((m) => `${m.platform?.os}/${m.platform?.architecture}`).join(', ');
    throw new Error(`the base image ${base} has no ${platform.os}/${platform.architecture} image (it has ${have || 'none'})`);
  }
  return found;
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) out[key] = record[key];
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value as object).length === 0;
  return false;
}
