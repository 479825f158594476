/**
 * A client of the OCI distribution API (https://github.com/opencontainers/distribution-spec, spec.md): manifests,
 * blobs, and blob uploads streamed as they are produced (POST, then one PATCH whose body is the stream, then
 * PUT `?digest=`: what containers/image does, so what every registry podman pushes to accepts).
 *
 * Authentication as the registry's 401 asks: Basic with the credentials, or a bearer token fetched from the realm
 * it names (the Docker token protocol, with the credentials as Basic auth when there are any), renewed when the
 * registry refuses it again. With `tlsVerify: false`, https without certificate checks, then plain http when the
 * registry does not speak TLS (as `--tls-verify=false` does for podman).
 */
import { createHash } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import { Readable } from 'stream';
import { AbortedError, checkAborted } from '../../core/interrupts';
import { HttpClient, describeNetworkError, httpClient, readBody } from '../http-client';
import { ImageReference } from '../../core/image-ref';
import { Credentials } from './credentials';

/** Docker Hub's API host: where references without a registry, or with `docker.io`, are. */
const DOCKER_HUB = 'registry-1.docker.io';

/** Where an image reference's repository is on the distribution API. */
export interface RepositoryAddress {
  /** host[:port] to connect to (`registry-1.docker.io` for Docker Hub). */
  readonly host: string;
  /** e.g. `user/model` (`library/x` for Docker Hub's official images). */
  readonly repository: string;
  /** The registry as references and auth files name it (`docker.io` for Docker Hub): the credentials' key. */
  readonly registry: string;
}

/**
 * The address of a reference's repository: Docker Hub's for no registry, `docker.io` and `index.docker.io` (the
 * names containers/image's docker/reference normalizes to Docker Hub), with `library/` before a one-part path.
 */
export function repositoryAddress(ref: ImageReference): RepositoryAddress {
  if (ref.domain !== undefined && ref.domain !== 'docker.io' && ref.domain !== 'index.docker.io') return { host: ref.domain, repository: ref.path, registry: ref.domain };
  return { host: DOCKER_HUB, repository: ref.path.includes('/') ? ref.path : `library/${ref.path}`, registry: 'docker.io' };
}

/** An answer of the registry, body read. */
export interface RegistryResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A registry request that failed: the message names the request and the registry's answer, never credentials. */
export class RegistryError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when there was an answer. */
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Options of a {@link RegistryClient}. */
export interface RegistryClientOptions {
  readonly credentials?: Credentials;
  /** Verify TLS certificates and refuse plain http. @default true */
  readonly tlsVerify?: boolean;
  readonly signal?: AbortSignal;
  /** Where the proxy variables (HTTPS_PROXY, NO_PROXY, ...) are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default 'modelcar' */
  readonly userAgent?: string;
}

/** The media types of manifests modelcar reads, for `Accept`. */
export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/**
 * The most an answer read whole may hold. What is read whole (manifests, configs, tokens, error documents) is a few
 * kilobytes; a larger answer is refused rather than held in memory.
 */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** How long a connection may stay without any data before the request is given up. */
const IDLE_TIMEOUT_MS = 120_000;

/** How long a short request that an interrupt does not cut (opening or completing an upload) may take. */
const UNINTERRUPTED_MS = 15_000;

/** A client for one registry host. */
export class RegistryClient {
  private scheme: 'https' | 'http' | undefined;
  private authorization: string | undefined;
  /** The challenge of the last 401, to renew a bearer token. */
  private challenge: { scheme: string; params: Record<string, string> } | undefined;
  /** How requests connect: through the environment's proxy or direct, with the TLS options (see http-client.ts). */
  private readonly http: HttpClient;

  constructor(
    public readonly host: string,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.http = httpClient({ env: options.env, insecure: options.tlsVerify === false });
  }

  /** Closes idle connections. */
  public close(): void {
    void this.http.close();
  }

  /**
   * Makes sure requests are authorized for `scopes` (`repository:user/model:pull,push`): answers a 401 on
   * `/v2/` with Basic auth or a bearer token for them.
   */
  public async login(scopes: readonly string[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const sent = this.authorization;
      const answer = await this.send('GET', '/v2/', {});
      if (answer.status !== 200 && answer.status !== 401) throw new RegistryError(`${this.host}: GET /v2/ answered HTTP ${answer.status}; is this an OCI registry?`, answer.status);
      if (answer.status === 200) {
        // A bearer token is for some scopes: get one for these (an earlier 401 named the realm).
        if (sent?.startsWith('Bearer ') && attempt === 0) await this.authenticate(undefined, scopes);
        return;
      }
      if (attempt > 0 && sent?.startsWith('Bearer ')) throw new RegistryError(`${this.host}: the registry refused the token its token service gave (HTTP 401)`, 401);
      // Answered with credentials (Basic) or a token for the scopes; the next round checks the registry takes them.
      await this.authenticate(answer.headers['www-authenticate'], scopes, sent);
    }
  }

  /** A request whose body (if any) is a buffer, answered in full; a 401 renews the authorization once. */
  public async request(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer, scopes: readonly string[] = []): Promise<RegistryResponse> {
    const sent = this.authorization;
    let answer = await this.send(method, path, headers, body);
    if (answer.status === 401) {
      await this.authenticate(answer.headers['www-authenticate'], scopes, sent);
      answer = await this.send(method, path, headers, body);
    }
    return answer;
  }

  /** A GET whose body is streamed (a blob), following redirects (to storage, without the registry's authorization). */
  public async stream(path: string, scopes: readonly string[] = []): Promise<http.IncomingMessage> {
    const sent = this.authorization;
    let response = await this.open('GET', this.url(path), {}, true);
    if (response.statusCode === 401) {
      response.resume();
      await this.authenticate(response.headers['www-authenticate'], scopes, sent);
      response = await this.open('GET', this.url(path), {}, true);
    }
    for (let hops = 0; [301, 302, 303, 307, 308].includes(response.statusCode ?? 0) && response.headers.location; hops++) {
      response.resume();
      if (hops >= 5) throw new RegistryError(`${this.host}: GET ${path}: too many redirects`);
      const next = new URL(response.headers.location, this.url(path));
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RegistryError(`${this.host}: GET ${path}: redirected to a ${next.protocol} URL, which is not http(s)`);
      // The registry's authorization goes to the registry only (and there over its own scheme: see open), never to
      // the storage a blob redirect leads to.
      response = await this.open('GET', next, {}, next.host === this.host);
    }
    if (response.statusCode !== 200) {
      const body = await readAnswer(response, `${this.host}: GET ${path}`);
      throw new RegistryError(`${this.host}: GET ${path}: HTTP ${response.statusCode}${describeErrors(body)}`, response.statusCode);
    }
    return response;
  }

  /**
   * Uploads a blob as it is produced: POST a session, PATCH with a chunked body that `write` writes (and ends), PUT
   * `?digest=`. `digest` is asked once `write` is done (it is computed on the way). A failure or an abort cancels
   * the session (DELETE), so the registry keeps nothing of it.
   */
  public async upload(repository: string, write: (body: NodeJS.WritableStream) => Promise<void>, digest: () => string): Promise<void> {
    let location = await this.startUpload(repository);
    try {
      checkAborted(this.options.signal);
      const patched = await this.sendStream('PATCH', location, write);
      // Interrupted: the body was ended where it stood (see openOnce); the registry's answer names the session as it
      // is now, which it then lets us DELETE (distribution refuses a DELETE whose state is behind the data it holds).
      if (patched.headers.location && (patched.status === 202 || patched.status === 204)) location = this.url(patched.headers.location);
      checkAborted(this.options.signal);
      if (patched.status !== 202 && patched.status !== 204) throw this.failure('PATCH', location.pathname, patched);
      const done = new URL(location);
      done.searchParams.set('digest', digest());
      // Completed even when interrupted now: a PUT cut in flight may leave the registry's session half committed.
      const put = await this.sendUninterrupted('PUT', done, { 'content-length': '0' });
      if (put.status !== 201) throw this.failure('PUT', done.pathname, put);
    } catch (e) {
      await this.cancel(location);
      throw e;
    }
    checkAborted(this.options.signal);
  }

  /**
   * Opens an upload session (POST) and returns its location. The POST is not cut by an interrupt: a session the
   * registry opened for a request whose answer was never read could not be cancelled, and its file would stay behind;
   * the caller cancels the session it gets when interrupted.
   */
  private async startUpload(repository: string): Promise<URL> {
    const path = `/v2/${repository}/blobs/uploads/`;
    const sent = this.authorization;
    let start = await this.sendUninterrupted('POST', this.url(path), { 'content-length': '0' });
    if (start.status === 401) {
      await this.authenticate(start.headers['www-authenticate'], [`repository:${repository}:pull,push`], sent);
      start = await this.sendUninterrupted('POST', this.url(path), { 'content-length': '0' });
    }
    if (start.status !== 202 || !start.headers.location) throw this.failure('POST', path, start);
    return this.url(start.headers.location);
  }

  /** Sends a short request with no body that an interrupt does not cut (given {@link UNINTERRUPTED_MS} at most). */
  private async sendUninterrupted(method: string, target: URL, headers: Record<string, string>): Promise<RegistryResponse> {
    // The first request of a client settles the scheme (see open), as an interruptible one.
    if (this.scheme === undefined) return this.send(method, target, headers);
    const response = await this.openOnce(method, withScheme(target, this.scheme), headers, true, undefined, { ignoreSignal: true, timeoutMs: UNINTERRUPTED_MS });
    return { status: response.statusCode ?? 0, headers: response.headers, body: await readAnswer(response, `${this.host}: ${method} ${target.pathname}`) };
  }

  /**
   * Cancels an upload session (DELETE), so that the registry drops what it received. Sent even when the signal has
   * aborted (that is when it matters), and given a few seconds at most.
   */
  private async cancel(location: URL): Promise<void> {
    try {
      const response = await this.openOnce('DELETE', location, {}, true, undefined, { ignoreSignal: true, timeoutMs: 10_000 });
      response.resume();
    } catch {
      // The registry drops abandoned uploads itself, later (distribution's upload purging).
    }
  }

  /** Uploads a small blob (a config) in one PUT after the POST. */
  public async uploadBuffer(repository: string, data: Buffer, digest: string): Promise<void> {
    const location = await this.startUpload(repository);
    if (this.options.signal?.aborted) {
      await this.cancel(location);
      throw new AbortedError(this.options.signal.reason);
    }
    const done = new URL(location);
    done.searchParams.set('digest', digest);
    try {
      const put = await this.send('PUT', done, { 'content-type': 'application/octet-stream', 'content-length': String(data.length) }, data);
      if (put.status !== 201) throw this.failure('PUT', done.pathname, put);
    } catch (e) {
      await this.cancel(location);
      throw e;
    }
  }

  /** Whether the repository has a blob. */
  public async hasBlob(repository: string, digest: string): Promise<boolean> {
    const answer = await this.request('HEAD', `/v2/${repository}/blobs/${digest}`, {}, undefined, [`repository:${repository}:pull,push`]);
    if (answer.status === 200) return true;
    if (answer.status === 404) return false;
    throw this.failure('HEAD', `/v2/${repository}/blobs/${digest}`, answer);
  }

  /** Mounts a blob of another repository of this registry; false when the registry declined (it then needs an upload). */
  public async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const path = `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const answer = await this.request('POST', path, { 'content-length': '0' }, undefined, [`repository:${repository}:pull,push`, `repository:${from}:pull`]);
    if (answer.status === 201) return true;
    if (answer.status === 202) {
      // The registry opened an upload instead: cancel it.
      if (answer.headers.location) await this.cancel(this.url(answer.headers.location));
      return false;
    }
    throw this.failure('POST', `/v2/${repository}/blobs/uploads/?mount=...`, answer);
  }

  /** Reads a manifest (an index or an image manifest) by tag or digest. */
  public async getManifest(repository: string, reference: string): Promise<{ mediaType: string; digest: string; body: Buffer }> {
    const path = `/v2/${repository}/manifests/${reference}`;
    const answer = await this.request('GET', path, { accept: MANIFEST_ACCEPT }, undefined, [`repository:${repository}:pull`]);
    if (answer.status !== 200) throw this.failure('GET', path, answer);
    const digest = manifestDigest(answer.body, reference, `${this.host}/${repository}`);
    const mediaType = String(answer.headers['content-type'] ?? '').split(';')[0].trim() || String(JSON.parse(answer.body.toString('utf8')).mediaType ?? '');
    return { mediaType, digest, body: answer.body };
  }

  /** Reads a small blob (a config) whole, checking its digest; one larger than `maxBytes` is refused. */
  public async getBlob(repository: string, digest: string, maxBytes = MAX_DOCUMENT_BYTES): Promise<Buffer> {
    const response = await this.stream(`/v2/${repository}/blobs/${digest}`, [`repository:${repository}:pull`]);
    const body = await readAnswer(response, `${this.host}: the blob ${digest} of ${repository}`, maxBytes);
    const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (actual !== digest) throw new RegistryError(`${this.host}: the blob ${digest} of ${repository} has the digest ${actual}`);
    return body;
  }

  /** Puts a manifest under a tag; returns the digest the registry reports (or the computed one). */
  public async putManifest(repository: string, tag: string, mediaType: string, body: Buffer): Promise<string> {
    const path = `/v2/${repository}/manifests/${tag}`;
    const answer = await this.request('PUT', path, { 'content-type': mediaType, 'content-length': String(body.length) }, body, [`repository:${repository}:pull,push`]);
    if (answer.status !== 201) throw this.failure('PUT', path, answer);
    const computed = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    const reported = answer.headers['docker-content-digest'];
    if (typeof reported === 'string' && reported !== computed) throw new RegistryError(`${this.host}: the registry stored the manifest as ${reported}, not ${computed}`);
    return computed;
  }

  private failure(method: string, path: string, answer: RegistryResponse): RegistryError {
    const why = answer.status === 401 || answer.status === 403 ? ` (${answer.status === 401 ? 'not authorized: check the credentials' : 'forbidden: the credentials may not push to this repository'})` : '';
    return new RegistryError(`${this.host}: ${method} ${path.replace(/\?.*$/, '')}: HTTP ${answer.status}${why}${describeErrors(answer.body)}`, answer.status);
  }

  /**
   * Answers a challenge (`WWW-Authenticate`): Basic, or a bearer token for the scopes. `refused` is the
   * authorization the refused request carried: the same Basic credentials refused again are wrong.
   */
  private async authenticate(header: string | string[] | undefined, scopes: readonly string[], refused?: string): Promise<void> {
    const challenge = parseChallenge(Array.isArray(header) ? header[0] : header) ?? this.challenge;
    if (!challenge) throw new RegistryError(`${this.host}: the registry refused the request (HTTP 401) without saying how to authenticate`, 401);
    this.challenge = challenge;
    const credentials = this.options.credentials;
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    if (challenge.scheme === 'basic') {
      if (!basic) throw new RegistryError(`${this.host}: the registry needs credentials (HTTP 401), and no auth file has any for ${this.host}; run \`podman login ${this.host}\`, or give --authfile`, 401);
      if (refused === basic) throw new RegistryError(`${this.host}: the registry refused the credentials (HTTP 401)`, 401);
      this.authorization = basic;
      return;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) throw new RegistryError(`${this.host}: the registry asks for ${challenge.scheme} authentication, which modelcar does not speak`, 401);
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    const wanted = new Set([...(challenge.params.scope ? challenge.params.scope.split(' ') : []), ...scopes]);
    for (const scope of wanted) realm.searchParams.append('scope', scope);
    const response = await this.open('GET', realm, basic ? { authorization: basic } : {}, false);
    const body = await readAnswer(response, `${this.host}: the token service ${realm.origin}${realm.pathname}`);
    if (response.statusCode !== 200) {
      throw new RegistryError(`${this.host}: the token service ${realm.origin}${realm.pathname} answered HTTP ${response.statusCode}${response.statusCode === 401 ? ' (the credentials were refused)' : ''}`, response.statusCode);
    }
    let token: unknown;
    try {
      const json = JSON.parse(body.toString('utf8'));
      token = json.token ?? json.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || !token) throw new RegistryError(`${this.host}: the token service ${realm.origin}${realm.pathname} gave no token`);
    this.authorization = `Bearer ${token}`;
  }

  private url(path: string): URL {
    return new URL(path, `${this.scheme ?? 'https'}://${this.host}`);
  }

  /** Sends a request with a buffer body (or none) and reads the answer. */
  private async send(method: string, target: string | URL, headers: Record<string, string>, body?: Buffer, authorize = true): Promise<RegistryResponse> {
    const url = typeof target === 'string' ? this.url(target) : target;
    const response = await this.open(method, url, headers, authorize, body);
    return { status: response.statusCode ?? 0, headers: response.headers, body: await readAnswer(response, `${this.host}: ${method} ${url.pathname}`) };
  }

  /** Sends a request whose body is a stream, chunked. */
  private async sendStream(method: string, target: URL, body: (req: NodeJS.WritableStream) => Promise<void>): Promise<RegistryResponse> {
    if (this.scheme === undefined) throw new Error(`${this.host}: ${method} with a stream before login()`);
    const response = await this.openOnce(method, withScheme(target, this.scheme), { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' }, true, body, { endOnAbort: true });
    return { status: response.statusCode ?? 0, headers: response.headers, body: await readAnswer(response, `${this.host}: ${method} ${target.pathname}`) };
  }

  /** Opens a request; settles the scheme (https, or http when TLS is not verified and the registry has none) on the first. */
  private async open(method: string, target: URL, headers: Record<string, string>, authorize: boolean, body?: Buffer | Readable): Promise<http.IncomingMessage> {
    if (target.host === this.host && this.scheme === undefined) {
      // A stream cannot be sent twice: login() (a GET) settles the scheme before any upload.
      if (body instanceof Readable) throw new Error(`${this.host}: ${method} with a stream before login()`);
      try {
        const response = await this.openOnce(method, withScheme(target, 'https'), headers, authorize, body);
        this.scheme = 'https';
        return response;
      } catch (e) {
        if (this.options.tlsVerify !== false || e instanceof AbortedError || !isTlsMismatch(e)) throw e;
        this.scheme = 'http';
      }
      return this.openOnce(method, withScheme(target, this.scheme!), headers, authorize, body);
    }
    return this.openOnce(method, target.host === this.host ? withScheme(target, this.scheme!) : target, headers, authorize, body);
  }

  private openOnce(
    method: string,
    target: URL,
    headers: Record<string, string>,
    authorize: boolean,
    body?: Buffer | Readable | ((req: NodeJS.WritableStream) => Promise<void>),
    options: { ignoreSignal?: boolean; timeoutMs?: number; endOnAbort?: boolean } = {},
  ): Promise<http.IncomingMessage> {
    const signal = options.ignoreSignal ? undefined : this.options.signal;
    const timeout = options.timeoutMs ?? IDLE_TIMEOUT_MS;
    if (signal?.aborted) return Promise.reject(new AbortedError(signal.reason));
    return new Promise((resolve, reject) => {
      const secure = target.protocol === 'https:';
      const all: Record<string, string> = { 'user-agent': this.options.userAgent ?? 'modelcar', ...headers };
      if (authorize && this.authorization && target.host === this.host) all.authorization = this.authorization;
      const req = (secure ? https : http).request(target, { method, headers: all, ...this.http.connection(target) });
      let settled = false;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', abort);
        reject(signal?.aborted ? new AbortedError(signal.reason) : e instanceof RegistryError || e instanceof AbortedError ? e : tlsOrNetwork(e, this.host, method, target));
      };
      // With endOnAbort, an interrupt ends a streamed body where it stands (a well-formed request the registry
      // answers) rather than cutting the connection; a registry that does not answer soon is cut all the same.
      let ending = false;
      const stop = () => {
        if (ending) return;
        if (options.endOnAbort && body !== undefined && !Buffer.isBuffer(body) && !req.destroyed) {
          ending = true;
          // (A body already sent whole is only waiting for its answer.)
          if (!req.writableEnded) {
            if (body instanceof Readable) body.unpipe(req);
            req.end();
          }
          setTimeout(() => req.destroy(new AbortedError(signal?.reason)), 5000).unref();
        } else req.destroy(new AbortedError(signal!.reason));
      };
      const abort = () => stop();
      signal?.addEventListener('abort', abort, { once: true });
      req.setTimeout(timeout, () => req.destroy(new RegistryError(`${this.host}: ${method} ${target.pathname}: no answer for ${timeout / 1000} s`)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        // Once an interrupt has ended the body, the writer may still hand over the chunk it had in hand: the request
        // stands (its answer names the session's state, needed to cancel it), so that late write is not its failure.
        if (ending && e.code === 'ERR_STREAM_WRITE_AFTER_END') return;
        fail(e);
      });
      req.on('response', (response) => {
        if (settled) {
          response.resume();
          return;
        }
        settled = true;
        signal?.removeEventListener('abort', abort);
        resolve(response);
      });
      if (body instanceof Readable) {
        body.on('error', (e) => (signal?.aborted ? stop() : req.destroy(e)));
        body.pipe(req);
      } else if (typeof body === 'function') {
        body(req).catch((e) => (signal?.aborted ? stop() : req.destroy(e)));
      } else req.end(body);
    });
  }
}

function withScheme(target: URL, scheme: 'https' | 'http'): URL {
  const url = new URL(target.href);
  url.protocol = `${scheme}:`;
  return url;
}

/** A TLS handshake with something that does not speak TLS (a plain http registry). */
function isTlsMismatch(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code ?? (e as { cause?: NodeJS.ErrnoException })?.cause?.code;
  const message = String((e as Error)?.message ?? '');
  return code === 'EPROTO' || code === 'ECONNRESET' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(message);
}

function tlsOrNetwork(e: Error, host: string, method: string, target: URL): Error {
  const wrapped = new RegistryError(`${host}: ${method} ${target.pathname}: ${describeNetworkError(e)}${isTlsMismatch(e) ? '; --tls-verify=false allows plain http' : ''}`);
  (wrapped as { cause?: unknown }).cause = e;
  return wrapped;
}

/**
 * An answer read whole with http-client's {@link readBody}; one larger than `maxBytes` is the registry's failure
 * (a RegistryError, as every other), while a cut connection fails as the stream does.
 */
async function readAnswer(response: http.IncomingMessage, what: string, maxBytes = MAX_DOCUMENT_BYTES): Promise<Buffer> {
  try {
    return await readBody(response, maxBytes, what);
  } catch (e) {
    // readBody ends a body that is too large without an error of the stream's own.
    if (!response.errored && !(e instanceof AbortedError)) throw new RegistryError((e as Error).message);
    throw e;
  }
}

/**
 * The digest of a manifest's bytes; for one asked for by digest, checked to be that digest (opencontainers/image-spec
 * descriptor.md: "Retrieved content SHOULD be verified against this digest"): a base image pinned by digest, or the
 * platform's manifest an index names, is the one named, whatever the registry serves. `where` is `host/repository`.
 */
export function manifestDigest(body: Buffer, reference: string, where: string): string {
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  if (reference.startsWith('sha256:') && reference !== digest) throw new RegistryError(`${where}@${reference}: the registry served a manifest whose digest is ${digest}`);
  return digest;
}

/** The registry's error codes and messages (`{"errors":[{"code","message"}]}`), for a failure message. */
function describeErrors(body: Buffer): string {
  const errors = registryErrors(body);
  return errors.length ? `: ${errors.map((e) => [e.code, e.message].filter(Boolean).join(' ')).join('; ')}` : '';
}

/** The errors of an answer's body (`{"errors":[{"code","message"}]}`, distribution spec.md "Error Codes"); none when it has no such list. */
export function registryErrors(body: Buffer): { readonly code?: string; readonly message?: string }[] {
  try {
    const errors = JSON.parse(body.toString('utf8')).errors;
    return Array.isArray(errors) ? errors.filter((e) => typeof e === 'object' && e !== null) : [];
  } catch {
    return []; // not JSON
  }
}

/** Parses `WWW-Authenticate: Bearer realm="...",service="...",scope="..."` (or Basic). */
export function parseChallenge(header: string | undefined): { scheme: string; params: Record<string, string> } | undefined {
  if (!header) return undefined;
  const m = /^\s*(\w+)\s*(.*)$/.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return { scheme: m[1].toLowerCase(), params };
}
