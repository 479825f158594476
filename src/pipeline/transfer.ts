/**
 * Moving model files in constant memory: hashing a file, copying it while hashing, downloading over http(s) while
 * hashing. Each reads into one reused buffer (or the response's own chunks) and waits for every write, so memory
 * stays flat whatever the file size. Each honours an AbortSignal between chunks.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AbortedError } from '../core/interrupts';
import { CREATE_NOFOLLOW, READ_NOFOLLOW } from '../core/safe-fs';
import { redactUrl, redactUrls } from '../core/url-credentials';

/** Size of the read buffer, and of the batches a download is written in. */
export const CHUNK_BYTES = 4 * 1024 * 1024;

/** Called with the number of bytes through so far. */
export type OnProgress = (bytes: number) => void;

export { AbortedError } from '../core/interrupts';

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

/** The SHA-256 (hex) of a file, read in chunks (never through a symbolic link: the file itself must be one). */
export async function hashFile(file: string, options: { signal?: AbortSignal; onProgress?: OnProgress } = {}): Promise<{ sha256: string; bytes: number }> {
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
  /**
   * Abort when less than {@link STALL_MIN_BYTES} arrive in this long: a server that sends a byte now and then never
   * trips the idle timeout, and would hold the download for days. @default DEFAULT_STALL_TIMEOUT_MS
   */
  readonly stallTimeoutMs?: number;
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

/** A download must bring at least this much in every stall period ({@link DownloadOptions.stallTimeoutMs}). */
export const STALL_MIN_BYTES = 64 * 1024;

/** The default stall period: two minutes. */
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;

/** `300 ms`, `2 s`, `2.5 s` */
function duration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}

/**
 * Downloads an http(s) URL into `destination` (a new file: it must not exist; never opened through a link),
 * following redirects (at most `maxRedirects`), hashing what it writes, and syncs it to disk. Throws a
 * {@link DownloadError} on an HTTP error status, too many redirects, a response cut short of its Content-Length, a
 * connection with no data for the idle timeout, or one that trickles (the stall timeout). Its messages show URLs
 * without their credentials. The caller removes the destination when this throws.
 */
export async function download(url: string, destination: string, options: DownloadOptions = {}): Promise<{ sha256: string; bytes: number; url: string }> {
  const maxRedirects = options.maxRedirects ?? 10;
  // Messages show URLs without their credentials (a redirect's user:password@, a presigned URL's signature).
  const shown = redactUrl(url);
  let current = url;
  for (let redirects = 0; ; redirects++) {
    checkAborted(options.signal);
    const exchange = await request(current, shown, options);
    const { response } = exchange;
    const status = response.statusCode ?? 0;
    if (REDIRECTS.has(status) && response.headers.location) {
      response.resume();
      if (redirects >= maxRedirects) throw new DownloadError(`${shown}: more than ${maxRedirects} redirects (the last to ${redactUrl(current)}); is there a redirect loop?`);
      let next: URL;
      try {
        next = new URL(response.headers.location, current);
      } catch {
        throw new DownloadError(`${shown}: redirected to a location that is not a URL`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new DownloadError(`${shown}: redirected to ${redactUrl(next.href)}, which is not http(s)`);
      current = next.href;
      continue;
    }
    if (status !== 200) {
      response.resume();
      const via = current === url ? '' : ` (redirected to ${redactUrl(current)})`;
      throw new DownloadError(`${shown}${via}: HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`);
    }
    const length = response.headers['content-length'];
    const total = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
    options.onStart?.(total, current);
    const result = await receive(response, destination, total, shown, exchange, options);
    if (total !== undefined && result.bytes !== total) {
      throw new DownloadError(`${shown}: the response ended after ${result.bytes} of ${total} bytes (truncated); run stage again to retry`);
    }
    return { ...result, url: current };
  }
}

interface Exchange {
  readonly response: http.IncomingMessage;
  /** Why the exchange was cut by modelcar (a stall), if it was. */
  readonly cut: () => DownloadError | undefined;
  /** Cuts the exchange for this reason. */
  readonly stall: (error: DownloadError) => void;
}

function request(url: string, shown: string, options: DownloadOptions): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    const get = parsed.protocol === 'https:' ? https.get : http.get;
    let cut: DownloadError | undefined;
    const idle = options.idleTimeoutMs ?? 60_000;
    const req = get(parsed, { headers: { 'user-agent': options.userAgent ?? 'modelcar', accept: '*/*' }, signal: options.signal }, (response) =>
      resolve({ response, cut: () => cut, stall: (error) => ((cut = error), req.destroy(error)) }),
    );
    req.setTimeout(idle, () => {
      cut = new DownloadError(`${shown}: no data for ${idle >= 1000 ? `${Math.round(idle / 1000)} s` : `${idle} ms`}; giving up (run stage again to retry)`);
      req.destroy(cut);
    });
    req.on('error', (e) => reject(options.signal?.aborted ? new AbortedError(options.signal.reason) : cut ?? new DownloadError(`${shown}: ${redactUrls(e.message)}`)));
  });
}

/**
 * Receives a response's body into `destination` (a new file, not opened through a link), hashing it, in batches.
 * Gives up when less than {@link STALL_MIN_BYTES} arrive in a stall period. The byte counts in its messages are
 * what arrived, including what was received but not yet written when the connection broke.
 */
async function receive(response: http.IncomingMessage, destination: string, total: number | undefined, shown: string, exchange: Exchange, options: DownloadOptions): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  const output = await fs.promises.open(destination, CREATE_NOFOLLOW, 0o644);
  const batch = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  let bytes = 0;
  // A write error is the disk's (full, read-only), not the connection's: it is thrown as it is.
  let writeError: unknown;
  const write = async (data: Buffer) => {
    try {
      await writeAll(output, data);
    } catch (e) {
      writeError = e;
      throw e;
    }
  };
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  let mark = 0;
  const watch = setInterval(() => {
    if (bytes - mark < STALL_MIN_BYTES) {
      exchange.stall(
        new DownloadError(
          `${shown}: the download stalled: less than ${STALL_MIN_BYTES / 1024} KiB arrived in ${duration(stallMs)} (${bytes}${total === undefined ? '' : ` of ${total}`} bytes so far); giving up (run stage again to retry)`,
        ),
      );
    }
    mark = bytes;
  }, stallMs);
  try {
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
        if (filled + chunk.length > batch.length) {
          await write(batch.subarray(0, filled));
          filled = 0;
        }
        if (chunk.length >= batch.length) await write(chunk);
        else {
          chunk.copy(batch, filled);
          filled += chunk.length;
        }
        options.onProgress?.(bytes);
      }
    } catch (e) {
      if (writeError !== undefined) throw writeError;
      if (options.signal?.aborted) throw new AbortedError(options.signal.reason);
      if (exchange.cut()) throw exchange.cut();
      if (e instanceof DownloadError) throw e;
      // What arrived but was not read yet when the connection broke counts too.
      const received = bytes + response.readableLength;
      const of = total === undefined ? '' : ` of ${total}`;
      throw new DownloadError(`${shown}: the connection broke after ${received}${of} bytes (${redactUrls((e as Error).message)}); run stage again to retry`);
    }
    checkAborted(options.signal);
    if (filled) await writeAll(output, batch.subarray(0, filled));
    await output.sync();
  } finally {
    clearInterval(watch);
    await output.close();
  }
  return { sha256: hash.digest('hex'), bytes };
}
