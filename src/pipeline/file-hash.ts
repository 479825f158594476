/**
 * Local files hashed as they are read, and copied: in chunks, into two reused buffers, never through a symbolic
 * link. Apart from the downloads (transfer.ts), so that what only hashes files (synth recording a folder's files)
 * does not load the HTTP client and its proxy agents.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { checkAborted } from '../core/interrupts';
import { CREATE_NOFOLLOW, READ_NOFOLLOW } from '../core/safe-fs';

/** Size of the read buffer, and of the batches a download is written in. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** Called with the number of bytes through so far. */
export type OnProgress = (bytes: number) => void;


/**
 * Reads a file in chunks into two reused buffers, the next read running while `use` handles the current chunk.
 * Returns the number of bytes read.
 */
async function readChunks(handle: fs.promises.FileHandle, use: (chunk: Buffer) => Promise<void> | void, signal: AbortSignal | undefined): Promise<number> {
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let current = 0;
  let bytes = 0;
  let pending = handle.read(buffers[current], 0, CHUNK_BYTES, null);
  for (;;) {
    const { bytesRead } = await pending;
    if (bytesRead === 0) return bytes;
    checkAborted(signal);
    const chunk = buffers[current].subarray(0, bytesRead);
    current ^= 1;
    pending = handle.read(buffers[current], 0, CHUNK_BYTES, null);
    try {
      await use(chunk);
    } catch (e) {
      await pending.catch(() => undefined);
      throw e;
    }
    bytes += bytesRead;
  }
}

/**
 * Files up to this size are hashed with synchronous reads into one shared buffer: a folder of thousands of small
 * files (tokenizers, configs, a repository's shards index) then costs no thread-pool round trips per file and no
 * pair of 4 MiB buffers per file, which made the garbage collector the bulk of staging them.
 */
export const SMALL_FILE_BYTES = 1024 * 1024;
let smallBuffer: Buffer | undefined;

/**
 * The SHA-256 of a small file read synchronously from `fd`, to its end (a file that grew since its size was read
 * is read whole all the same).
 */
function hashOpenFile(fd: number): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  const buffer = (smallBuffer ??= Buffer.allocUnsafe(SMALL_FILE_BYTES));
  let bytes = 0;
  for (;;) {
    const read = fs.readSync(fd, buffer, 0, buffer.length, null);
    if (read === 0) return { sha256: hash.digest('hex'), bytes };
    hash.update(buffer.subarray(0, read));
    bytes += read;
  }
}

/** The SHA-256 (hex) of a file, read in chunks (never through a symbolic link: the file itself must be one). */
export async function hashFile(file: string, options: { signal?: AbortSignal; onProgress?: OnProgress } = {}): Promise<{ sha256: string; bytes: number }> {
  checkAborted(options.signal);
  // Non-blocking: a FIFO put where a file was would otherwise hold the open (and Ctrl-C) until a writer comes.
  const fd = fs.openSync(file, READ_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error(`EINVAL: not a regular file, open '${file}'`), { code: 'EINVAL', syscall: 'open', path: file });
    if (stat.size <= SMALL_FILE_BYTES) {
      const result = hashOpenFile(fd);
      options.onProgress?.(result.bytes);
      return result;
    }
  } finally {
    fs.closeSync(fd);
  }
  const hash = createHash('sha256');
  const handle = await fs.promises.open(file, READ_NOFOLLOW);
  let done = 0;
  try {
    checkAborted(options.signal);
    const bytes = await readChunks(
      handle,
      (chunk) => {
        hash.update(chunk);
        done += chunk.length;
        options.onProgress?.(done);
      },
      options.signal,
    );
    return { sha256: hash.digest('hex'), bytes };
  } finally {
    await handle.close();
  }
}

/**
 * Copies a file to `destination` (a new file: it must not exist), hashing what it copies, and syncs it to disk.
 * Neither is opened through a symbolic link. The caller removes the destination when this throws.
 */
export async function copyWithHash(source: string, destination: string, options: { signal?: AbortSignal; onProgress?: OnProgress } = {}): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const input = await fs.promises.open(source, READ_NOFOLLOW);
  let done = 0;
  try {
    const output = await fs.promises.open(destination, CREATE_NOFOLLOW, 0o644);
    try {
      checkAborted(options.signal);
      const bytes = await readChunks(
        input,
        async (chunk) => {
          hash.update(chunk);
          await writeAll(output, chunk);
          done += chunk.length;
          options.onProgress?.(done);
        },
        options.signal,
      );
      await output.sync();
      return { sha256: hash.digest('hex'), bytes };
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}

/** Writes all of a chunk, at `position` or else at the file's current offset. */
export async function writeAll(handle: fs.promises.FileHandle, chunk: Buffer, position: number | null = null): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset, position === null ? null : position + offset);
    offset += bytesWritten;
  }
}

