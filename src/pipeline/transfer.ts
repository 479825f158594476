/**
 * Moving model files in constant memory: hashing a file, copying it while hashing, downloading over http(s) while
 * hashing. Each reads into one reused buffer (or the response's own chunks) and waits for every write, so memory
 * stays flat whatever the file size. Each honours an AbortSignal between chunks.
 *
 * Downloads survive real networks: a cut or stalled connection is resumed where it broke (an HTTP Range request,
 * guarded by If-Range), errors that may pass (a reset, a timeout, 5xx, 429) are retried a bounded number of times
 * with a growing wait, and the whole gives up when it stalls: less than {@link STALL_MIN_BYTES} in a stall period, be
 * it a server that sends nothing or one that trickles a byte now and then. They go through the proxies the
 * environment names (see {@link httpClient}). No file is opened through a symbolic link, and messages show URLs
 * without their credentials.
 */
import { createHash, Hash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AbortedError, checkAborted } from '../core/interrupts';
import { CREATE_NOFOLLOW } from '../core/safe-fs';
import { redactUrl, redactUrls } from '../core/url-credentials';
import { HttpClient, RETRY_STATUSES, RedirectError, describeNetworkError, getFollowingRedirects, headerValue, httpClient, isTransient, retryAfterMs, retryWait, sleep, statusText } from './http-client';

import { CHUNK_BYTES, OnProgress, writeAll } from './file-hash';


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
  /**
   * Give up when less than {@link STALL_MIN_BYTES} arrive in this long, over every attempt and wait: a server that
   * sends nothing, and one that sends a byte now and then (which never trips the idle timeout and would hold the
   * download for days). @default DEFAULT_STALL_TIMEOUT_MS
   */
  readonly stallTimeoutMs?: number;
  /**
   * How messages name the URL: e.g. the s3:// URL of an object fetched through a presigned https URL, whose query is
   * its signature. @default the URL without its credentials
   */
  readonly shownAs?: string;
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

/** A download must bring at least this much in every stall period ({@link DownloadOptions.stallTimeoutMs}). */
export const STALL_MIN_BYTES = 64 * 1024;

/** The default stall period: two minutes. */
export const DEFAULT_STALL_TIMEOUT_MS = 120_000;

/**
 * Downloads an http(s) URL into `destination` (a new file: it must not exist; never opened through a link),
 * following redirects (at most `maxRedirects`), hashing what it writes, and syncs it to disk. A connection that
 * breaks or goes idle is resumed with a Range request (from the start again when the server does not take it);
 * errors that may pass are retried (`retries`, with a wait that doubles). Throws a {@link DownloadError} on an HTTP
 * error status, too many redirects, when retries are spent, or when the download stalls (less than
 * {@link STALL_MIN_BYTES} in `stallTimeoutMs`, over attempts and waits). A write error (a full or read-only disk) is
 * thrown as it is. Messages show URLs without their credentials. The caller removes the destination when this throws.
 */
export async function download(url: string, destination: string, options: DownloadOptions = {}): Promise<{ sha256: string; bytes: number; url: string }> {
  const own = options.client === undefined ? httpClient() : undefined;
  const client = options.client ?? own!;
  // Messages show URLs without their credentials (a redirect's user:password@, a presigned URL's signature).
  const shown = options.shownAs ?? redactUrl(url);
  const state: Received = { hash: createHash('sha256'), bytes: 0, written: 0, arrived: 0, total: undefined, validator: undefined, started: false };
  const retries = options.retries ?? 5;
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  // The stall watch cuts the attempt in progress, or the wait before the next, through a signal of its own.
  const cut = new AbortController();
  const onAbort = () => cut.abort(options.signal!.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let stalled: DownloadError | undefined;
  let mark = 0;
  const watch = setInterval(() => {
    if (state.arrived - mark < STALL_MIN_BYTES) {
      const of = state.total === undefined ? '' : ` of ${state.total}`;
      stalled = new DownloadError(`${shown}: the download stalled: less than ${STALL_MIN_BYTES / 1024} KiB arrived in ${duration(stallMs)} (${state.bytes}${of} bytes so far); giving up (run stage again to retry)`);
      cut.abort(stalled);
    }
    mark = state.arrived;
  }, stallMs);
  const attemptOptions: DownloadOptions = { ...options, signal: cut.signal };
  let output: fs.promises.FileHandle | undefined;
  try {
    output = await fs.promises.open(destination, CREATE_NOFOLLOW, 0o644);
    for (let attempt = 0; ; attempt++) {
      checkAborted(options.signal);
      try {
        const final = await attemptDownload(url, shown, output, state, client, attemptOptions);
        await output.sync();
        return { sha256: state.hash.digest('hex'), bytes: state.bytes, url: final };
      } catch (e) {
        checkAborted(options.signal);
        if (stalled) throw stalled;
        if (e instanceof WriteError) throw e.cause;
        const failure = e instanceof DownloadError ? e : isTransient(e) ? new DownloadError(`${shown}: ${redactUrls(describeNetworkError(e))}`, true) : undefined;
        if (!failure) {
          if (e instanceof AbortedError) throw e;
          throw new DownloadError(`${shown}: ${redactUrls(describeNetworkError(e))}`);
        }
        if (!failure.transient) throw failure;
        if (attempt >= retries) throw new DownloadError(`${failure.message}; gave up after ${attempt + 1} attempt${attempt ? 's' : ''} (run stage again to retry)`);
        const wait = retryWait(attempt, options.backoffMs ?? 1000, failure.retryAfterMs);
        options.onRetry?.(failure.message, attempt + 1, wait);
        try {
          await sleep(wait, cut.signal);
        } catch (waitError) {
          checkAborted(options.signal);
          throw stalled ?? waitError;
        }
      }
    }
  } finally {
    clearInterval(watch);
    options.signal?.removeEventListener('abort', onAbort);
    await output?.close();
    if (own) await own.close();
  }
}

/** A write to the destination that failed (a full or read-only disk): the disk's error, not the connection's. */
class WriteError extends Error {
  constructor(public readonly cause: unknown) {
    super('write failed');
  }
}

/** What a download has received so far, over its attempts. */
interface Received {
  hash: Hash;
  /** Bytes received (and hashed). */
  bytes: number;
  /** Bytes written to the file: all received ones, once a batch is flushed. */
  written: number;
  /** Bytes received over every attempt, those of attempts started over included: what the stall watch counts. */
  arrived: number;
  /** The file's size, when a response gave it. */
  total: number | undefined;
  /** The ETag (or Last-Modified) of the first response: a resumed request must get the same file. */
  validator: string | undefined;
  /** Whether onStart was called. */
  started: boolean;
}

/**
 * One attempt: follows redirects to the file, then receives it from `state.bytes` on. Returns the final URL.
 * `shown` is the URL as messages show it.
 */
async function attemptDownload(url: string, shown: string, output: fs.promises.FileHandle, state: Received, client: HttpClient, options: DownloadOptions): Promise<string> {
  const idle = options.idleTimeoutMs ?? 60_000;
  const headers: Record<string, string> = { 'user-agent': options.userAgent ?? 'modelcar', accept: '*/*', 'accept-encoding': 'identity' };
  if (state.bytes > 0) {
    headers.range = `bytes=${state.bytes}-`;
    if (state.validator) headers['if-range'] = state.validator;
  }
  let followed;
  try {
    followed = await getFollowingRedirects(client, url, { headers, originHeaders: options.headers, signal: options.signal, idleTimeoutMs: idle, maxRedirects: options.maxRedirects });
  } catch (e) {
    if (e instanceof RedirectError) throw new DownloadError(`${shown}: ${e.message}`);
    // An idle connection (ETIMEDOUT, "no data for N s") is transient: the caller retries it.
    throw e;
  }
  const { response, url: current } = followed;
  const status = response.statusCode;
  if (status === 200 && state.bytes > 0) {
    // The server sent the whole file (it takes no Range, or the file changed): start over.
    await output.truncate(0);
    state.hash = createHash('sha256');
    state.bytes = 0;
    state.written = 0;
    options.onProgress?.(0);
  } else if (status === 206) {
    const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(headerValue(response.headers, 'content-range') ?? '');
    if (!range || Number(range[1]) !== state.bytes) {
      response.body.resume();
      throw new DownloadError(`${shown}: asked for the bytes from ${state.bytes} on, the server sent ${headerValue(response.headers, 'content-range') ?? 'no Content-Range'}`, true);
    }
    if (range[2] !== '*') state.total = Number(range[2]);
  } else if (status !== 200) {
    response.body.resume();
    const via = current === url ? '' : ` (redirected to ${redactUrl(current)})`;
    const described = options.describeStatus?.(status, response.headers, url);
    // The server's own reason phrase, as it sent it; else the standard one.
    const reason = response.body.statusMessage || statusText(status);
    const message = described ?? `${shown}${via}: HTTP ${status}${reason ? ` ${reason}` : ''}`;
    throw new DownloadError(message, RETRY_STATUSES.has(status), retryAfterMs(response.headers));
  }
  if (status === 200) {
    const length = headerValue(response.headers, 'content-length');
    state.total = length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined;
    state.validator = headerValue(response.headers, 'etag') ?? headerValue(response.headers, 'last-modified');
  }
  if (!state.started) {
    state.started = true;
    options.onStart?.(state.total, current);
  }
  await receive(response.body, output, state, shown, options);
  if (state.total !== undefined && state.bytes !== state.total) {
    throw new DownloadError(`${shown}: the response ended after ${state.bytes} of ${state.total} bytes (truncated)`, true);
  }
  return current;
}

/**
 * Writes a response body at the end of the file, hashing it; what arrived before a break is written too. The byte
 * count of a break's message is what arrived, including what was received but not yet read when it broke. A write
 * error is thrown as a {@link WriteError}.
 */
async function receive(body: http.IncomingMessage, output: fs.promises.FileHandle, state: Received, shown: string, options: DownloadOptions): Promise<void> {
  const batch = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  const write = async (data: Buffer) => {
    try {
      await writeAll(output, data, state.written);
    } catch (e) {
      throw new WriteError(e);
    }
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
      state.arrived += chunk.length;
      if (filled + chunk.length > batch.length) await flush();
      if (chunk.length >= batch.length) await write(chunk);
      else {
        chunk.copy(batch, filled);
        filled += chunk.length;
      }
      options.onProgress?.(state.bytes);
    }
  } catch (e) {
    if (e instanceof WriteError) throw e;
    await flush();
    checkAborted(options.signal);
    const of = state.total === undefined ? '' : ` of ${state.total}`;
    const why = redactUrls((e as Error).message);
    // What arrived but was not read yet when the connection broke counts too.
    const received = state.bytes + body.readableLength;
    throw new DownloadError(`${shown}: the connection broke after ${received}${of} bytes (${why})`, true);
  }
  await flush();
  checkAborted(options.signal);
}

/** `300 ms`, `2 s`, `2.5 s` */
function duration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`;
}
