/**
 * Model layers written directly as tar streams: each model byte is read once, hashed into the layer's diff_id as it
 * goes, compressed (or not) and hashed again into the blob digest, and handed to a sink (a registry upload, a file)
 * without ever being held whole in memory or copied to a temporary file.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Readable } from 'stream';
import { pipeline } from 'stream/promises';
import { AbortedError, CHUNK_BYTES } from '../transfer';
import { Compression, LAYER_MEDIA_TYPES, startCompressor, tap } from './compression';
import { TAR_END, TarEntry, tarHeader, tarPadding } from './tar';

/** The mode of model files in the image: world-readable, owned by root (the Containerfile's `COPY --chmod=0444`). */
export const MODEL_FILE_MODE = 0o444;
/** The mode of the folders a COPY creates: 0755 root. */
export const MODEL_DIR_MODE = 0o755;

/** A file of a layer: its path in the image (no leading `/`), and where its bytes are. */
export interface LayerFile {
  readonly target: string;
  readonly source: string;
}

/** A layer written: what the manifest and the image config need. */
export interface LayerResult {
  /** sha256 of the uncompressed tar (the config's `rootfs.diff_ids`). */
  readonly diffId: string;
  /** sha256 of the blob as stored. */
  readonly digest: string;
  /** Bytes of the blob as stored. */
  readonly size: number;
  readonly mediaType: string;
  /** Bytes of the uncompressed tar. */
  readonly tarSize: number;
}

/**
 * The entries of a layer, as buildah's COPY of the same files writes them: each folder from `models` down to the
 * files' (0755, created by the COPY), then the files (0444), in byte order. A layer's files share one folder
 * (model-files.ts `groupLayers`), so its folders are one chain.
 */
export function layerEntries(files: readonly { target: string; size: number }[]): TarEntry[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.target.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
  }
  const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  return [
    ...[...dirs].sort(byBytes).map((name): TarEntry => ({ name, type: 'dir', mode: MODEL_DIR_MODE, size: 0 })),
    ...[...files].sort((a, b) => byBytes(a.target, b.target)).map((f): TarEntry => ({ name: f.target, type: 'file', mode: MODEL_FILE_MODE, size: f.size })),
  ];
}

/** Options of {@link writeLayer}. */
export interface WriteLayerOptions {
  readonly compression: Compression;
  readonly signal?: AbortSignal;
  /** Called with the model bytes read so far in this layer. */
  readonly onProgress?: (bytes: number) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Streams a layer of `files` into `sink`, which consumes the blob's bytes (and resolves once they are stored); it
 * may ask for the blob's digest once the bytes have all passed. Returns the digests and sizes, computed on the way.
 * Throws when a file changes size while it is read.
 */
export async function writeLayer(files: readonly LayerFile[], sink: (blob: Readable, digest: () => string) => Promise<void>, options: WriteLayerOptions): Promise<LayerResult> {
  const sized = files.map((f) => ({ ...f, size: fs.statSync(f.source).size }));
  const sources = new Map(sized.map((f) => [f.target, f.source]));
  const entries = layerEntries(sized);
  const diff = createHash('sha256');
  let tarSize = 0;
  const tar = Readable.from(
    tarStream(entries, sources, options.signal, options.onProgress, (chunk) => {
      diff.update(chunk);
      tarSize += chunk.length;
    }),
    { objectMode: false, highWaterMark: 1 },
  );
  let diffId: string | undefined;
  const diffDigest = () => (diffId ??= `sha256:${diff.digest('hex')}`);
  if (options.compression === 'none') {
    await sink(tar, diffDigest);
    const digest = diffDigest();
    return { diffId: digest, digest, size: tarSize, mediaType: LAYER_MEDIA_TYPES.none, tarSize };
  }
  const blob = createHash('sha256');
  let size = 0;
  const compressor = startCompressor(options.compression, options.env);
  const counted = compressor.output.pipe(
    tap((chunk) => {
      blob.update(chunk);
      size += chunk.length;
    }),
  );
  let blobId: string | undefined;
  const blobDigest = () => (blobId ??= `sha256:${blob.digest('hex')}`);
  const stored = sink(counted, blobDigest);
  try {
    await Promise.all([pipeline(tar, compressor.input), stored, compressor.done]);
  } catch (e) {
    // Stop everything, and let the sink finish its own cleanup (an upload cancels itself) before saying why.
    compressor.destroy();
    tar.destroy();
    counted.destroy(e as Error);
    await stored.catch(() => undefined);
    throw e;
  }
  return { diffId: diffDigest(), digest: blobDigest(), size, mediaType: LAYER_MEDIA_TYPES[options.compression], tarSize };
}

/**
 * The bytes of the tar: headers, each file read in chunks (a fresh buffer each, since the consumer may still hold
 * the last one; the next read starts before the current chunk is handed on), padding, the end blocks.
 */
async function* tarStream(
  entries: readonly TarEntry[],
  sources: ReadonlyMap<string, string>,
  signal: AbortSignal | undefined,
  onProgress: ((bytes: number) => void) | undefined,
  see: (chunk: Buffer) => void,
): AsyncGenerator<Buffer> {
  let done = 0;
  const emit = (chunk: Buffer) => {
    see(chunk);
    return chunk;
  };
  for (const entry of entries) {
    if (signal?.aborted) throw new AbortedError(signal.reason);
    yield emit(tarHeader(entry));
    if (entry.type !== 'file') continue;
    const source = sources.get(entry.name)!;
    const handle = await fs.promises.open(source, 'r');
    try {
      let left = entry.size;
      const read = () => {
        const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(left, 1)));
        return handle.read(buffer, 0, buffer.length, null).then(({ bytesRead }) => buffer.subarray(0, bytesRead));
      };
      let pending = left > 0 ? read() : undefined;
      while (pending) {
        const chunk = await pending;
        if (chunk.length === 0) throw new Error(`${source} became shorter while it was read (${entry.size - left} of ${entry.size} bytes); stage it again`);
        left -= chunk.length;
        pending = left > 0 ? read() : undefined;
        if (signal?.aborted) {
          await pending?.catch(() => undefined);
          throw new AbortedError(signal.reason);
        }
        done += chunk.length;
        onProgress?.(done);
        yield emit(chunk);
      }
      const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, null);
      if (bytesRead !== 0) throw new Error(`${source} became longer while it was read (more than ${entry.size} bytes); stage it again`);
    } finally {
      await handle.close();
    }
    const padding = tarPadding(entry.size);
    if (padding.length) yield emit(padding);
  }
  yield emit(TAR_END);
}

/** The files of a model layer, from a build context: paths in the image and on disk. */
export function contextLayerFiles(contextDir: string, targets: readonly string[]): LayerFile[] {
  return targets.map((target) => ({ target, source: path.join(contextDir, ...target.split('/')) }));
}
