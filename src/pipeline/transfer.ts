/**
 * Moving model files in constant memory: hashing a file, copying it while hashing, downloading over http(s) while
 * hashing. Each reads into one reused buffer (or the response's own chunks) and waits for every write, so memory
 * stays flat whatever the file size. Each honours an AbortSignal between chunks.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';

/** Size of the read buffer, and of the batches a download is written in. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** Called with the number of bytes through so far. */
export type OnProgress = (bytes: number) => void;

/** A transfer stopped by its AbortSignal. */
export class AbortedError extends Error {
  constructor(public readonly reason: unknown) {
    super(`aborted (${String(reason)})`);
    this.name = 'AbortedError';
  }
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(signal.reason);
}

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

/** The SHA-256 (hex) of a file, read in chunks. */
export async function hashFile(file: string, options: { signal?: AbortSignal; onProgress?: OnProgress } = {}): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const handle = await fs.promises.open(file, 'r');
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
 * Copies a file to `destination` (created, or truncated), hashing what it copies, and syncs it to disk. The caller
 * removes the destination when this throws.
 */
export async function copyWithHash(source: string, destination: string, options: { signal?: AbortSignal; onProgress?: OnProgress } = {}): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const input = await fs.promises.open(source, 'r');
  let done = 0;
  try {
    const output = await fs.promises.open(destination, 'w', 0o644);
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

async function writeAll(handle: fs.promises.FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset, null);
    offset += bytesWritten;
  }
}

/** Options of {@link download}. */
export interface DownloadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: OnProgress;
  /** Called once the final response's headers arrive, with its Content-Length when it has one. */
  readonly onStart?: (total: number | undefined, url: string) => void;
  /** @default 10 */
  readonly maxRedirects?: number;
  /** Abort when no data arrives for this long. @default 60000 */
  readonly idleTimeoutMs?: number;
  /** @default 'modelcar' */
  readonly userAgent?: string;
}

/** A download that failed: HTTP error, redirect loop, cut connection. The message says which and where. */
export class DownloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DownloadError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads an http(s) URL into `destination` (created, or truncated), following redirects (at most
 * `maxRedirects`), hashing what it writes, and syncs it to disk. Throws a {@link DownloadError} on an HTTP error
 * status, too many redirects, a response cut short of its Content-Length, or a stalled connection. The caller
 * removes the destination when this throws.
 */
export async function download(url: string, destination: string, options: DownloadOptions = {}): Promise<{ sha256: string; bytes: number; url: string }> {
  const maxRedirects = options.maxRedirects ?? 10;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    checkAborted(options.signal);
    const { response, cut } = await request(current, options);
    const status = response.statusCode ?? 0;
    if (REDIRECTS.has(status) && response.headers.location) {
      response.resume();
      if (redirects >= maxRedirects) throw new DownloadError(`${url}: more than ${maxRedirects} redirects (the last to ${current}); is there a redirect loop?`);
      const next = new URL(response.headers.location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new DownloadError(`${url}: redirected to ${next.href}, which is not http(s)`);
      current = next.href;
      continue;
    }
    if (status !== 200) {
      response.resume();
      const via = current === url ? '' : ` (redirected to ${current})`;
      throw new DownloadError(`${url}${via}: HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`);
    }
    const length = response.headers['content-length'];
    const total = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
    options.onStart?.(total, current);
    const result = await receive(response, destination, total, url, cut, options);
    if (total !== undefined && result.bytes !== total) {
      throw new DownloadError(`${url}: the response ended after ${result.bytes} of ${total} bytes (truncated); run stage again to retry`);
    }
    return { ...result, url: current };
  }
}

interface Exchange {
  readonly response: http.IncomingMessage;
  /** Why the exchange was cut by modelcar (a stall), if it was. */
  readonly cut: () => DownloadError | undefined;
}

function request(url: string, options: DownloadOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const get = parsed.protocol === 'https:' ? https.get : http.get;
    let cut: DownloadError | undefined;
    const idle = options.idleTimeoutMs ?? 60_000;
    const req = get(parsed, { headers: { 'user-agent': options.userAgent ?? 'modelcar', accept: '*/*' }, signal: options.signal }, (response) => resolve({ response, cut: () => cut }));
    req.setTimeout(idle, () => {
      cut = new DownloadError(`${url}: no data for ${idle >= 1000 ? `${Math.round(idle / 1000)} s` : `${idle} ms`}; giving up (run stage again to retry)`);
      req.destroy(cut);
    });
    req.on('error', (e) => reject(options.signal?.aborted ? new AbortedError(options.signal.reason) : cut ?? new DownloadError(`${url}: ${e.message}`)));
  });
}

async function receive(response: http.IncomingMessage, destination: string, total: number | undefined, url: string, cut: () => DownloadError | undefined, options: DownloadOptions): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const output = await fs.promises.open(destination, 'w', 0o644);
  const batch = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  let bytes = 0;
  try {
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
        if (filled + chunk.length > batch.length) {
          await writeAll(output, batch.subarray(0, filled));
          filled = 0;
        }
        if (chunk.length >= batch.length) await writeAll(output, chunk);
        else {
          chunk.copy(batch, filled);
          filled += chunk.length;
        }
        options.onProgress?.(bytes);
      }
    } catch (e) {
      if (options.signal?.aborted) throw new AbortedError(options.signal.reason);
      if (cut()) throw cut();
      if (e instanceof DownloadError) throw e;
      const of = total === undefined ? '' : ` of ${total}`;
      throw new DownloadError(`${url}: the connection broke after ${bytes}${of} bytes (${(e as Error).message}); run stage again to retry`);
    }
    checkAborted(options.signal);
    if (filled) await writeAll(output, batch.subarray(0, filled));
    await output.sync();
  } finally {
    await output.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}
