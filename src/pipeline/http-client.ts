/**
 * The HTTP client of downloads, the hub API and registries: undici's agents, through the proxies the environment
 * names (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, or their lower-case forms, as curl and most tools read them),
 * trusting Node's CA certificates (with `NODE_EXTRA_CA_CERTS`) and any given here.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as tls from 'tls';
import { Agent, Dispatcher, EnvHttpProxyAgent } from 'undici';

/** Options of {@link httpClient}. */
export interface HttpClientOptions {
  /** Where the proxy variables are read from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * More CA certificates to trust (PEM text, one or many), besides Node's own and those of `NODE_EXTRA_CA_CERTS`,
   * for the servers and for an https proxy.
   * @default - none
   */
  readonly ca?: string;
  /** Accept any TLS certificate (a registry with `--tls-verify=false`). @default false */
  readonly insecure?: boolean;
}

/**
 * A dispatcher (undici's client) for the options: through the environment's proxy for the URLs NO_PROXY does not
 * exempt, directly for the others. Close it when done.
 */
export function httpClient(options: HttpClientOptions = {}): Dispatcher {
  const env = options.env ?? process.env;
  const connect: tls.ConnectionOptions = {};
  if (options.ca !== undefined) connect.ca = [...tls.rootCertificates, ...extraCertificates(env), options.ca];
  if (options.insecure) connect.rejectUnauthorized = false;
  const pick = (name: string) => env[name.toLowerCase()] ?? env[name.toUpperCase()];
  const httpProxy = pick('http_proxy');
  const httpsProxy = pick('https_proxy');
  if (!httpProxy && !httpsProxy) return new Agent({ connect });
  // Empty strings, not undefined: undici would otherwise read process.env itself, not the environment given here.
  return new EnvHttpProxyAgent({ httpProxy: httpProxy ?? '', httpsProxy: httpsProxy ?? '', noProxy: pick('no_proxy') ?? '', connect, requestTls: connect, proxyTls: connect });
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

/** The reason phrase of an HTTP status (`404` -> `Not Found`); undici does not hand over the server's. */
export function statusText(status: number): string {
  return http.STATUS_CODES[status] ?? '';
}

/** Network errors worth another attempt: connections refused, reset or cut, timeouts, closed sockets. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

/** Whether a network error may go away on its own (a cut, a reset, a timeout), rather than a wrong host or certificate. */
export function isTransient(e: unknown): boolean {
  const codes = [(e as NodeJS.ErrnoException)?.code, ((e as Error)?.cause as NodeJS.ErrnoException | undefined)?.code];
  return codes.some((c) => c !== undefined && TRANSIENT_CODES.has(c));
}

/** A network error in words, with what to do for the ones a user can fix (an unknown CA, a wrong host). */
export function describeNetworkError(e: unknown): string {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException & { reason?: string }; reason?: string };
  const code = err.cause?.code ?? err.code;
  // OpenSSL's own text is a line of codes and source paths; its reason says it in words.
  const message = err.cause?.reason ?? err.reason ?? err.cause?.message ?? err.message;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return `${message} (the server does not speak TLS: is it plain http?)`;
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return `${message} (the server's TLS certificate is not trusted: for a private CA, set NODE_EXTRA_CA_CERTS to its PEM file)`;
  }
  if (code === 'ENOTFOUND') return `${message} (no such host; behind a proxy, set HTTPS_PROXY)`;
  return message;
}
