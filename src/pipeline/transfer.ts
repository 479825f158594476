/**
 * Moving model files in constant memory: hashing a file, copying it while hashing, downloading over http(s) while
 * hashing. Each reads into one reused buffer (or the response's own chunks) and waits for every write, so memory
 * stays flat whatever the file size. Each honours an AbortSignal between chunks.
 *
 * Downloads survive real networks: a cut or stalled connection is resumed where it broke (an HTTP Range request,
 * guarded by If-Range), errors that may pass (a reset, a timeout, 5xx, 429) are retried a bounded number of times
 * with a growing wait, and the whole gives up when no byte has arrived for a while. They go through the proxies the
 * environment names (see {@link httpClient}).
 */
import { createHash, Hash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { HttpClient, IDLE_TIMEOUT_CODE, describeNetworkError, httpClient, isTransient, statusText } from './http-client';

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

/** Writes all of a chunk, at `position` or else at the file's current offset. */
async function writeAll(handle: fs.promises.FileHandle, chunk: Buffer, position: number | null = null): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset, position === null ? null : position + offset);
    offset += bytesWritten;
  }
}

/** Options of {@link download}. */
export interface DownloadOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: OnProgress;
  /** Called once the first response's headers arrive, with the file's size when the server gives it. */
  readonly onStart?: (total: number | undefined, url: string) => void;
  /** Called before each retry, with why and when. @default - nothing */
  readonly onRetry?: (message: string, attempt: number, waitMs: number) => void;
  /** @default 10 */
  readonly maxRedirects?: number;
  /** Drop a connection when no data arrives on it for this long (it is then resumed, as after a cut). @default 60000 */
  readonly idleTimeoutMs?: number;
  /** Give up when no byte has arrived for this long, over every attempt and wait. @default 300000 */
  readonly stallTimeoutMs?: number;
  /** Attempts after the first, for errors that may pass: cuts, stalls, resets, HTTP 408, 429 and 5xx. @default 5 */
  readonly retries?: number;
  /** Wait before the first retry; each next wait doubles, up to 30 s (a 429's Retry-After is honoured). @default 1000 */
  readonly backoffMs?: number;
  /**
   * Headers sent to the URL's own origin only (scheme, host and port), e.g. an Authorization; never to the host a
   * redirect leads to (a CDN), so credentials do not leave the server they are for.
   * @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /** Words for an HTTP error status, e.g. from the server's error headers; undefined: `HTTP <status> <reason>`. */
  readonly describeStatus?: (status: number, headers: Readonly<Record<string, string | string[] | undefined>>, url: string) => string | undefined;
  /** The HTTP client (proxies, CA certificates). @default - one for process.env, closed at the end */
  readonly client?: HttpClient;
  /** @default 'modelcar' */
  readonly userAgent?: string;
}

/** A download that failed: HTTP error, redirect loop, cut connection. The message says which and where. */
export class DownloadError extends Error {
  constructor(
    message: string,
    /** Whether another attempt may succeed. */
    public readonly transient = false,
    /** How long the server asked to wait before another attempt (Retry-After), in ms. */
    public readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const MAX_BACKOFF_MS = 30_000;

/**
 * Downloads an http(s) URL into `destination` (created, or truncated), following redirects (at most `maxRedirects`),
 * hashing what it writes, and syncs it to disk. A connection that breaks or stalls is resumed with a Range request
 * (from the start again when the server does not take it); errors that may pass are retried (`retries`, with a
 * wait that doubles). Throws a {@link DownloadError} on an HTTP error status, too many redirects, or when retries
 * are spent or nothing arrived for `stallTimeoutMs`. The caller removes the destination when this throws.
 */
export async function download(url: string, destination: string, options: DownloadOptions = {}): Promise<{ sha256: string; bytes: number; url: string }> {
  const own = options.client === undefined ? httpClient() : undefined;
  const client = options.client ?? own!;
  const output = await fs.promises.open(destination, 'w', 0o644);
  const state: Received = { hash: createHash('sha256'), bytes: 0, written: 0, total: undefined, validator: undefined, started: false };
  const retries = options.retries ?? 5;
  const stallMs = options.stallTimeoutMs ?? 300_000;
  let lastData = Date.now();
  try {
    for (let attempt = 0; ; attempt++) {
      checkAborted(options.signal);
      const before = state.bytes;
      try {
        const final = await attemptDownload(url, output, state, client, options);
        await output.sync();
        return { sha256: state.hash.digest('hex'), bytes: state.bytes, url: final };
      } catch (e) {
        if (state.bytes > before) lastData = Date.now();
        if (options.signal?.aborted) throw new AbortedError(options.signal.reason);
        const failure = e instanceof DownloadError ? e : isTransient(e) ? new DownloadError(`${url}: ${describeNetworkError(e)}`, true) : undefined;
        if (!failure) {
          if (e instanceof AbortedError) throw e;
          throw new DownloadError(`${url}: ${describeNetworkError(e)}`);
        }
        if (!failure.transient) throw failure;
        const wait = Math.min(failure.retryAfterMs ?? (options.backoffMs ?? 1000) * 2 ** attempt, MAX_BACKOFF_MS);
        const stalled = Date.now() + wait - lastData > stallMs;
        if (attempt >= retries || stalled) {
          const why = stalled ? `nothing arrived for ${formatMs(Date.now() - lastData)}` : `${attempt + 1} attempt${attempt ? 's' : ''}`;
          throw new DownloadError(`${failure.message}; gave up after ${why} (run stage again to retry)`);
        }
        options.onRetry?.(failure.message, attempt + 1, wait);
        await sleep(wait, options.signal);
      }
    }
  } finally {
    await output.close();
    if (own) await own.close();
  }
}

/** What a download has received so far, over its attempts. */
interface Received {
  hash: Hash;
  /** Bytes received (and hashed). */
  bytes: number;
  /** Bytes written to the file: all received ones, once a batch is flushed. */
  written: number;
  /** The file's size, when a response gave it. */
  total: number | undefined;
  /** The ETag (or Last-Modified) of the first response: a resumed request must get the same file. */
  validator: string | undefined;
  /** Whether onStart was called. */
  started: boolean;
}

/** One attempt: follows redirects to the file, then receives it from `state.bytes` on. Returns the final URL. */
async function attemptDownload(url: string, output: fs.promises.FileHandle, state: Received, client: HttpClient, options: DownloadOptions): Promise<string> {
  const maxRedirects = options.maxRedirects ?? 10;
  const origin = new URL(url).origin;
  const idle = options.idleTimeoutMs ?? 60_000;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    checkAborted(options.signal);
    const headers: Record<string, string> = { 'user-agent': options.userAgent ?? 'modelcar', accept: '*/*', 'accept-encoding': 'identity' };
    if (new URL(current).origin === origin) Object.assign(headers, options.headers);
    if (state.bytes > 0) {
      headers.range = `bytes=${state.bytes}-`;
      if (state.validator) headers['if-range'] = state.validator;
    }
    let response;
    try {
      response = await client.request({ url: current, headers, signal: options.signal, idleTimeoutMs: idle });
    } catch (e) {
      throw timeoutError(e, url, idle) ?? e;
    }
    const status = response.statusCode;
    const location = header(response.headers, 'location');
    if (REDIRECTS.has(status) && location) {
      response.body.resume();
      if (redirects >= maxRedirects) throw new DownloadError(`${url}: more than ${maxRedirects} redirects (the last to ${current}); is there a redirect loop?`);
      const next = new URL(location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new DownloadError(`${url}: redirected to ${next.href}, which is not http(s)`);
      current = next.href;
      continue;
    }
    if (status === 200 && state.bytes > 0) {
      // The server sent the whole file (it takes no Range, or the file changed): start over.
      await output.truncate(0);
      state.hash = createHash('sha256');
      state.bytes = 0;
      state.written = 0;
      options.onProgress?.(0);
    } else if (status === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header(response.headers, 'content-range') ?? '');
      if (!range || Number(range[1]) !== state.bytes) {
        response.body.resume();
        throw new DownloadError(`${url}: asked for the bytes from ${state.bytes} on, the server sent ${header(response.headers, 'content-range') ?? 'no Content-Range'}`, true);
      }
      if (range[2] !== '*') state.total = Number(range[2]);
    } else if (status !== 200) {
      response.body.resume();
      const via = current === url ? '' : ` (redirected to ${current})`;
      const described = options.describeStatus?.(status, response.headers, url);
      const message = described ?? `${url}${via}: HTTP ${status}${statusText(status) ? ` ${statusText(status)}` : ''}`;
      const retryAfter = Number(header(response.headers, 'retry-after'));
      throw new DownloadError(message, RETRY_STATUS.has(status), Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined);
    }
    if (status === 200) {
      const length = header(response.headers, 'content-length');
      state.total = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
      state.validator = header(response.headers, 'etag') ?? header(response.headers, 'last-modified');
    }
    if (!state.started) {
      state.started = true;
      options.onStart?.(state.total, current);
    }
    await receive(response.body, output, state, url, idle, options);
    if (state.total !== undefined && state.bytes !== state.total) {
      throw new DownloadError(`${url}: the response ended after ${state.bytes} of ${state.total} bytes (truncated)`, true);
    }
    return current;
  }
}

/** Writes a response body at the end of the file, hashing it; what arrived before a break is written too. */
async function receive(body: http.IncomingMessage, output: fs.promises.FileHandle, state: Received, url: string, idle: number, options: DownloadOptions): Promise<void> {
  const batch = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  const write = async (data: Buffer) => {
    await writeAll(output, data, state.written);
    state.written += data.length;
  };
  const flush = async () => {
    if (filled) await write(batch.subarray(0, filled));
    filled = 0;
  };
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      state.hash.update(chunk);
      state.bytes += chunk.length;
      if (filled + chunk.length > batch.length) await flush();
      if (chunk.length >= batch.length) await write(chunk);
      else {
        chunk.copy(batch, filled);
        filled += chunk.length;
      }
      options.onProgress?.(state.bytes);
    }
  } catch (e) {
    await flush();
    if (options.signal?.aborted) throw new AbortedError(options.signal.reason);
    const of = state.total === undefined ? '' : ` of ${state.total}`;
    const why = timeoutError(e, url, idle)?.message.slice(url.length + 2) ?? (e as Error).message;
    throw new DownloadError(`${url}: the connection broke after ${state.bytes}${of} bytes (${why})`, true);
  }
  await flush();
  checkAborted(options.signal);
}

/** A stall as a transient DownloadError, or undefined for other errors. */
function timeoutError(e: unknown, url: string, idle: number): DownloadError | undefined {
  if ((e as NodeJS.ErrnoException).code !== IDLE_TIMEOUT_CODE) return undefined;
  return new DownloadError(`${url}: no data for ${formatMs(idle)}`, true);
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

function header(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError(signal.reason));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(new AbortedError(signal!.reason));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
