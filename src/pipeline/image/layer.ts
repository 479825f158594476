/**
 * Model layers written directly as tar streams: each model byte is read once, hashed into the layer's diff_id as it
 * goes, compressed (or not) and hashed again into the blob digest, and handed to a sink (a registry upload, a file)
 * without ever being held whole in memory or copied to a temporary file.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { UserError } from '../../core/errors';
import { READ_NOFOLLOW } from '../../core/safe-fs';
import { checkAborted } from '../../core/interrupts';
import { CHUNK_BYTES } from '../file-hash';
import { Compression, LAYER_MEDIA_TYPES } from '../../core/compression';
import { startCompressor, tap } from './compression';
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
 * Where a layer goes: it opens a destination (a registry upload, a file), hands it to `write`, which writes the whole
 * blob into it and ends it, and resolves once the blob is stored. It may ask for the blob's digest once `write` has
 * resolved.
 */
export type LayerSink = (write: (destination: NodeJS.WritableStream) => Promise<void>, digest: () => string) => Promise<void>;

/**
 * Streams a layer of `files` into `sink`. Returns the digests and sizes, computed on the way. Throws when a file
 * changes size while it is read.
 *
 * Memory stays flat: the model bytes are read into two reused 4 MiB buffers, each written with a callback, and a
 * buffer is read into again only once its write has called back (the destination is done with it). Fresh buffers
 * per chunk would leave dead ones to V8's garbage collector, which frees memory outside its heap only after it has
 * grown by 64 MB: peak RSS went up by ~60 MB that way, and to 150 MB with zstd.
 */
export async function writeLayer(files: readonly LayerFile[], sink: LayerSink, options: WriteLayerOptions): Promise<LayerResult> {
  const sized = files.map((f) => ({ ...f, size: fileSize(f.source) }));
  const sources = new Map(sized.map((f) => [f.target, f.source]));
  const entries = layerEntries(sized);
  const diff = createHash('sha256');
  let tarSize = 0;
  /** Writes the tar into `destination`, chunk by chunk, each write waited for; then ends it. */
  const writeTar = async (destination: NodeJS.WritableStream) => {
    for await (const chunk of tarStream(entries, sources, options.signal, options.onProgress)) {
      diff.update(chunk);
      tarSize += chunk.length;
      await writeChunk(destination, chunk);
    }
    await endStream(destination);
  };
  let diffId: string | undefined;
  const diffDigest = () => (diffId ??= `sha256:${diff.digest('hex')}`);
  if (options.compression === 'none') {
    await sink(writeTar, diffDigest);
    const digest = diffDigest();
    return { diffId: digest, digest, size: tarSize, mediaType: LAYER_MEDIA_TYPES.none, tarSize };
  }
  const blob = createHash('sha256');
  let size = 0;
  let blobId: string | undefined;
  const blobDigest = () => (blobId ??= `sha256:${blob.digest('hex')}`);
  await sink(async (destination) => {
    const compressor = startCompressor(options.compression as Exclude<typeof options.compression, 'none'>, options.env);
    const counted = tap((chunk) => {
      blob.update(chunk);
      size += chunk.length;
    });
    try {
      await Promise.all([writeTar(compressor.input), pipeline(compressor.output, counted, destination as NodeJS.WritableStream & Writable), compressor.done]);
    } catch (e) {
      compressor.destroy();
      counted.destroy();
      throw e;
    }
  }, blobDigest);
  return { diffId: diffDigest(), digest: blobDigest(), size, mediaType: LAYER_MEDIA_TYPES[options.compression], tarSize };
}

/** Writes a chunk and waits until the stream is done with it (its callback: flushed, or consumed). */
function writeChunk(stream: NodeJS.WritableStream, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(chunk, (error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

/** Ends a stream and waits until it has finished (its callback: everything flushed, or an error). */
function endStream(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    (stream as Writable).end((error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

/**
 * The bytes of the tar: headers, each file read in chunks, padding, the end blocks. File chunks are read into two
 * buffers in turn, the next read running while the consumer handles the current chunk: a chunk is valid until the
 * consumer asks for the next one (see {@link writeLayer}: it waits for each write before asking).
 */
async function* tarStream(entries: readonly TarEntry[], sources: ReadonlyMap<string, string>, signal: AbortSignal | undefined, onProgress: ((bytes: number) => void) | undefined): AsyncGenerator<Buffer> {
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let next = 0;
  let done = 0;
  for (const entry of entries) {
    checkAborted(signal);
    yield tarHeader(entry);
    if (entry.type !== 'file') continue;
    const source = sources.get(entry.name)!;
    const handle = await fs.promises.open(source, READ_NOFOLLOW);
    let pending: Promise<Buffer> | undefined;
    try {
      let left = entry.size;
      const read = () => {
        const buffer = buffers[next];
        next ^= 1;
        return handle.read(buffer, 0, Math.min(buffer.length, Math.max(left, 1)), null).then(({ bytesRead }) => buffer.subarray(0, bytesRead));
      };
      pending = left > 0 ? read() : undefined;
      while (pending) {
        const chunk = await pending;
        if (chunk.length === 0) throw new Error(`${source} became shorter while it was read (${entry.size - left} of ${entry.size} bytes); stage it again`);
        left -= chunk.length;
        checkAborted(signal);
        pending = left > 0 ? read() : undefined;
        done += chunk.length;
        onProgress?.(done);
        yield chunk;
      }
      const { bytesRead } = await handle.read(Buffer.alloc(1), 0, 1, null);
      if (bytesRead !== 0) throw new Error(`${source} became longer while it was read (more than ${entry.size} bytes); stage it again`);
    } finally {
      await pending?.catch(() => undefined);
      await handle.close();
    }
    const padding = tarPadding(entry.size);
    if (padding.length) yield padding;
  }
  yield TAR_END;
}

/**
 * The size of a staged file, never through a symbolic link: a link (or anything but a regular file) in place of it is
 * refused, and opening it later with {@link READ_NOFOLLOW} refuses one put there since.
 */
export function fileSize(source: string): number {
  const stat = fs.lstatSync(source);
  if (!stat.isFile()) throw new UserError(`${source} is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}, not a staged file; modelcar never reads through links in its output folder: stage the model again`);
  return stat.size;
}
