/**
 * The HTTP client of downloads, the hub's API and registries: Node's own http and https, through the proxy the
 * environment names for each URL (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, or their lower-case forms, read as curl
 * reads them), with the proxy agents of the proxy-agents project (`https-proxy-agent` tunnels with CONNECT,
 * `http-proxy-agent` forwards plain http), trusting Node's CA certificates (with `NODE_EXTRA_CA_CERTS`) and any given
 * here. Node's own client keeps memory low (undici's compiled HTTP parser costs ~50 MB of it); these agents plug into
 * it.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as tls from 'tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { AbortedError } from '../core/interrupts';
import { redactUrl } from '../core/url-credentials';

/** Options of {@link httpClient}. */
export interface HttpClientOptions {
  /** Where the proxy variables are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * More CA certificates to trust (PEM text, one or many), besides Node's own and those of `NODE_EXTRA_CA_CERTS`.
   * @default - none
   */
  readonly ca?: string;
  /** Accept any TLS certificate (a registry with `--tls-verify=false`). @default false */
  readonly insecure?: boolean;
}

/** One request. */
export interface HttpRequest {
  readonly url: string;
  /** @default 'GET' */
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** Drop the connection when no data comes on it for this long: the request (or the body) fails with ETIMEDOUT. */
  readonly idleTimeoutMs?: number;
}

/** A response: its status, headers and body (a stream: read it, or `resume()` it to let the connection go). */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: http.IncomingMessage;
}

/** An HTTP client for one set of options: requests, and `close()` when done (it frees kept-alive connections). */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  /**
   * How to connect to a URL, for a caller that makes its own requests (a streamed upload): the agent (through the
   * environment's proxy, or direct) and the TLS options.
   */
  connection(url: URL): http.RequestOptions;
  close(): Promise<void>;
}

/** The code of the error a request or body fails with when its connection was idle too long. */
const IDLE_TIMEOUT_CODE = 'ETIMEDOUT';

/** A client for the options: through the environment's proxy for the URLs NO_PROXY does not exempt, directly for the others. */
export function httpClient(options: HttpClientOptions = {}): HttpClient {
  const env = options.env ?? process.env;
  const tlsOptions: tls.ConnectionOptions = {};
  if (options.ca !== undefined) tlsOptions.ca = [...tls.rootCertificates, ...extraCertificates(env), options.ca];
  if (options.insecure) tlsOptions.rejectUnauthorized = false;
  const agents = new Map<string, http.Agent>();
  const agentFor = (url: URL): http.Agent => {
    const proxy = proxyFor(url, env);
    const key = `${url.protocol}${proxy ?? ''}`;
    let agent = agents.get(key);
    if (!agent) {
      if (proxy === undefined) agent = url.protocol === 'https:' ? new https.Agent({ keepAlive: true, ...tlsOptions }) : new http.Agent({ keepAlive: true });
      else if (url.protocol === 'https:') agent = new HttpsProxyAgent(proxy, { keepAlive: true, ...(new URL(proxy).protocol === 'https:' ? tlsOptions : {}) });
      else agent = new HttpProxyAgent(proxy, { keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
  const connection = (url: URL): http.RequestOptions => {
    // The server's certificate is checked against the URL's host: through a tunnel, https-proxy-agent 7 leaves the
    // host out of the TLS options, and an IP address would then be checked as "localhost".
    const secure = url.protocol === 'https:' ? { ...tlsOptions, checkServerIdentity: (_: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(url.hostname.replace(/^\[|\]$/g, ''), cert) } : {};
    return { agent: agentFor(url), ...secure };
  };
  return {
    connection,
    request: (request) =>
      new Promise((resolve, reject) => {
        const url = new URL(request.url);
        const get = url.protocol === 'https:' ? https.request : http.request;
        let res: http.IncomingMessage | undefined;
        const req = get(url, { method: request.method ?? 'GET', headers: request.headers, signal: request.signal, ...connection(url) }, (response) => {
          res = response;
          resolve({ statusCode: response.statusCode ?? 0, headers: response.headers, body: response });
        });
        if (request.idleTimeoutMs !== undefined) {
          const idle = request.idleTimeoutMs;
          req.setTimeout(idle, () => {
            const error = Object.assign(new Error(`no data for ${idle >= 1000 ? `${Math.round(idle / 1000)} s` : `${idle} ms`}`), { code: IDLE_TIMEOUT_CODE });
            // The body, when it has begun, fails with this error too (not as a mere cut).
            res?.destroy(error);
            req.destroy(error);
          });
        }
        req.on('error', reject);
        req.end();
      }),
    close: async () => {
      for (const agent of agents.values()) agent.destroy();
      agents.clear();
    },
  };
}

/**
 * The proxy for a URL, as curl picks it: `https_proxy` for https, `http_proxy` for http (either case; `all_proxy`
 * else), unless `no_proxy` names the host: `*`, a host name or domain suffix (`example.com`, `.example.com`), an
 * IP address, each optionally with `:port`. Undefined: no proxy.
 */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const pick = (name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const proxy = pick(url.protocol === 'https:' ? 'https_proxy' : 'http_proxy') ?? pick('all_proxy');
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
  const exempt = (pick('no_proxy') ?? '')
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const lower = entry.toLowerCase();
      // `[v6]:port`, a bare IPv6 address (several colons), or `host:port`.
      const m = lower.startsWith('[') ? /^\[([^\]]*)\](?::(\d+))?$/.exec(lower) : lower.split(':').length > 2 ? [lower, lower] : /^([^:]*)(?::(\d+))?$/.exec(lower);
      if (!m) return false;
      const name = m[1].replace(/^\*/, '');
      if (m[2] !== undefined && Number(m[2]) !== port) return false;
      if (name.startsWith('.')) return host.endsWith(name) || host === name.slice(1);
      return host === name || host.endsWith(`.${name}`);
    });
  return exempt ? undefined : proxy.includes('://') ? proxy : `http://${proxy}`;
}

/** The certificates of `NODE_EXTRA_CA_CERTS`: Node trusts them by default, and so must a list that replaces the default. */
function extraCertificates(env: NodeJS.ProcessEnv): string[] {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return [];
  try {
    return [fs.readFileSync(file, 'utf8')];
  } catch {
    return [];
  }
}

/** Reads a body whole (small documents: JSON, manifests), refusing more than `max` bytes. */
export async function readBody(body: http.IncomingMessage, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new Error(`${what}: more than ${max} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The reason phrase of an HTTP status (`404` -> `Not Found`), as Node knows it. */
export function statusText(status: number): string {
  return http.STATUS_CODES[status] ?? '';
}

/** The statuses that send a client on to their `Location`. */
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** HTTP statuses worth another attempt: a request timeout, too many requests, a server error or its gateway's. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** The longest wait between two attempts, whatever the backoff or the server's Retry-After. */
const MAX_BACKOFF_MS = 30_000;

/** Why the redirects of a request could not be followed: a loop, a Location that is not a URL or not http(s). */
export class RedirectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedirectError';
  }
}

/** Options of {@link getFollowingRedirects}. */
export interface FollowOptions {
  /** Headers sent to every host. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Headers sent to the first URL's origin (scheme, host and port) only, e.g. an Authorization: never to the host a
   * redirect leads to (a CDN, a storage), so that credentials do not leave the server they are for.
   * @default - none
   */
  readonly originHeaders?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  /** See {@link HttpRequest.idleTimeoutMs}. */
  readonly idleTimeoutMs?: number;
  /** @default 10 */
  readonly maxRedirects?: number;
  /** Told of each URL a redirect leads to, before it is requested (for messages about it). @default - nothing */
  readonly onRedirect?: (url: string) => void;
}

/**
 * A GET that follows redirects, at most `maxRedirects` of them and to http(s) URLs only. Returns the first response
 * that is not a redirect, with its URL. Throws a {@link RedirectError} (its message without the URL: the caller names
 * it as it shows it), an AbortedError when the signal is aborted, and the request's own errors as they are.
 */
export async function getFollowingRedirects(client: HttpClient, url: string, options: FollowOptions): Promise<{ response: HttpResponse; url: string }> {
  const origin = new URL(url).origin;
  const maxRedirects = options.maxRedirects ?? 10;
  let current = url;
  for (let redirects = 0; ; redirects++) {
    if (options.signal?.aborted) throw new AbortedError(options.signal.reason);
    const headers = new URL(current).origin === origin ? { ...options.headers, ...options.originHeaders } : options.headers;
    const response = await client.request({ url: current, headers, signal: options.signal, idleTimeoutMs: options.idleTimeoutMs });
    const location = headerValue(response.headers, 'location');
    if (!REDIRECT_STATUSES.has(response.statusCode) || !location) return { response, url: current };
    response.body.resume();
    if (redirects >= maxRedirects) throw new RedirectError(`more than ${maxRedirects} redirects (the last to ${redactUrl(current)}); is there a redirect loop?`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new RedirectError('redirected to a location that is not a URL');
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RedirectError(`redirected to ${redactUrl(next.href)}, which is not http(s)`);
    current = next.href;
    options.onRedirect?.(current);
  }
}

/** A header's value (the first, when it is given more than once). */
export function headerValue(headers: Readonly<Record<string, string | string[] | undefined>>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** How long a response's `Retry-After` (in seconds) asks to wait, in ms; undefined when it asks nothing usable. */
export function retryAfterMs(headers: Readonly<Record<string, string | string[] | undefined>>): number | undefined {
  const seconds = Number(headerValue(headers, 'retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * The wait before retry number `attempt` (0 for the first): the server's Retry-After when it gave one, else
 * `backoffMs` doubled for each attempt before; at most 30 s either way.
 */
export function retryWait(attempt: number, backoffMs: number, retryAfter?: number): number {
  return Math.min(retryAfter ?? backoffMs * 2 ** attempt, MAX_BACKOFF_MS);
}

/** Waits `ms`; rejects with an AbortedError as soon as the signal is aborted. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
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

/** Network errors worth another attempt: connections refused, reset or cut, timeouts. */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', IDLE_TIMEOUT_CODE, 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Whether a network error may go away on its own (a cut, a reset, a timeout), rather than a wrong host or certificate. */
export function isTransient(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code !== undefined && TRANSIENT_CODES.has(code);
}

/** A network error in words, with what to do for the ones a user can fix (an unknown CA, a wrong host, plain http). */
export function describeNetworkError(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { reason?: string };
  const code = err.code;
  // OpenSSL's own text is a line of codes and source paths; its reason says it in words.
  const message = err.reason ?? /SSL routines:[^:]*:([^:]+):/.exec(err.message)?.[1] ?? err.message;
  if (message === 'wrong version number') return `${message} (the server does not speak TLS: is it plain http?)`;
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return `${message} (the server's TLS certificate is not trusted: for a private CA, set NODE_EXTRA_CA_CERTS to its PEM file)`;
  }
  if (code === 'ENOTFOUND') return `${message} (no such host; behind a proxy, set HTTPS_PROXY)`;
  return message;
}
