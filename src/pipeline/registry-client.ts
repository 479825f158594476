/**
 * A reader of OCI registries (the distribution API, https://github.com/opencontainers/distribution-spec/blob/main/spec.md):
 * manifests by tag or digest, and blobs, for `modelcar pin`. It authenticates as podman and skopeo do
 * (containers/image, docker/docker_client.go): an anonymous request first, then what the registry's
 * `WWW-Authenticate` challenge asks for: Basic with the credentials, or a Bearer token from the challenge's realm
 * (asked with the credentials, for `repository:<name>:pull`). The credentials come from the same auth files as for
 * the push (see {@link registryCredentials}); they are sent to the registry and its token realm only, never to the
 * host a blob redirect leads to, and never shown.
 */
import { createHash } from 'crypto';
import { HttpClient, HttpResponse, describeNetworkError, httpClient, readBody, statusText } from './http-client';
import { prepareAuthFile } from './registry-auth';
import { Credentials, FoundCredentials, findCredentials } from './image/credentials';
import { RegistryError, parseChallenge } from './image/registry';

export { RegistryError };

/** Docker Hub's API host, for references without a registry or with docker.io. */
const DOCKER_HUB = 'registry-1.docker.io';

/** The host the API of a reference's registry is on (`docker.io` and none: Docker Hub's). */
export function registryApiHost(domain: string | undefined): string {
  return domain === undefined || domain === 'docker.io' || domain === 'index.docker.io' ? DOCKER_HUB : domain;
}

/** The repository path on the registry (`library/` for Docker Hub's official images). */
export function registryRepository(domain: string | undefined, path: string): string {
  return registryApiHost(domain) === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
}

/**
 * The credentials for a repository, looked up as podman does (see {@link findCredentials}), in `--authfile` (a Docker
 * config JSON, or a pull secret) or the standard auth files, running the file's credential helper when it names one.
 */
export function registryCredentials(domain: string | undefined, repository: string, authfile: string | undefined, env: NodeJS.ProcessEnv = process.env): FoundCredentials {
  const prepared = authfile !== undefined ? prepareAuthFile(authfile, env) : undefined;
  try {
    return findCredentials(domain ?? 'docker.io', repository, prepared?.path, env, { runHelpers: true, shown: prepared ? `--authfile ${authfile}` : undefined });
  } finally {
    prepared?.cleanup();
  }
}

/** The media types of manifests the client accepts: OCI and Docker, images and indexes. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/** A manifest as fetched: its digest (of the bytes the registry serves), media type and content. */
export interface FetchedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly json: any;
}

/** Options of a {@link RegistryClient}. */
export interface RegistryClientOptions {
  /** Verify TLS certificates, and refuse plain http. @default true */
  readonly tlsVerify?: boolean;
  readonly credentials?: Credentials;
  /** Where the proxy variables are read. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
}

/** Manifests and blobs are small; anything larger is not what a registry should send for them. */
const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** A reader of one registry. */
export class RegistryClient {
  private readonly client: HttpClient;
  private scheme: 'https' | 'http' = 'https';
  private authorization?: string;

  constructor(
    /** `host[:port]` of the registry's API. */
    public readonly host: string,
    private readonly options: RegistryClientOptions = {},
  ) {
    this.client = httpClient({ env: options.env, insecure: options.tlsVerify === false });
  }

  /** A manifest by tag or digest; its digest is computed from the bytes served (and must match a digest asked for). */
  public async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const { body, headers } = await this.get(repository, `/v2/${repository}/manifests/${reference}`, { accept: MANIFEST_TYPES.join(', ') });
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (reference.startsWith('sha256:') && reference !== digest) throw new RegistryError(`${this.host}/${repository}@${reference}: the registry served a manifest whose digest is ${digest}`);
    let json: any;
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryError(`${this.host}/${repository}:${reference}: the manifest is not JSON`);
    }
    const mediaType = json?.mediaType ?? String(headers['content-type'] ?? '').split(';')[0];
    return { digest, mediaType, json };
  }

  /** A blob (an image config) by digest, checked against it. */
  public async getBlob(repository: string, digest: string): Promise<Buffer> {
    const { body } = await this.get(repository, `/v2/${repository}/blobs/${digest}`, {});
    const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (actual !== digest) throw new RegistryError(`${this.host}/${repository}: the blob ${digest} the registry served has digest ${actual}`);
    return body;
  }

  public async close(): Promise<void> {
    await this.client.close();
  }

  /** A GET on the registry: authenticated as its challenge asks, following redirects (without credentials elsewhere). */
  private async get(repository: string, apiPath: string, headers: Record<string, string>): Promise<{ body: Buffer; headers: Record<string, string | string[] | undefined> }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await this.send(`${this.scheme}://${this.host}${apiPath}`, headers, true);
      if (response.status === 401 && attempt === 0) {
        await this.authenticate(response.headers['www-authenticate'], repository);
        continue;
      }
      if (response.status === 200) return response;
      throw new RegistryError(this.describe(response.status, response.body, `${this.host}/${repository}`, apiPath), response.status);
    }
    throw new RegistryError(`${this.host}: the registry refused the credentials (HTTP 401)`, 401);
  }

  private async send(url: string, headers: Record<string, string>, withAuth: boolean, redirects = 0): Promise<{ status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }> {
    const target = new URL(url);
    const own = target.host === this.host;
    const all: Record<string, string> = { 'user-agent': 'modelcar', ...headers, ...(own && withAuth && this.authorization ? { authorization: this.authorization } : {}) };
    let response: HttpResponse;
    try {
      response = await this.client.request({ url: target.href, headers: all, signal: this.options.signal, idleTimeoutMs: 60_000 });
    } catch (e) {
      // Without TLS verification, a registry that speaks plain http is asked again over http (as podman does).
      if (own && this.scheme === 'https' && this.options.tlsVerify === false && !this.options.signal?.aborted) {
        this.scheme = 'http';
        return this.send(url.replace(/^https:/, 'http:'), headers, withAuth, redirects);
      }
      const hint = this.options.tlsVerify === false ? '' : ' (for a registry over plain http, or with a self-signed certificate: --tls-verify=false)';
      throw new RegistryError(`${target.host}: ${describeNetworkError(e)}${hint}`);
    }
    const location = response.headers.location;
    if ([301, 302, 303, 307, 308].includes(response.statusCode) && typeof location === 'string') {
      response.body.resume();
      if (redirects >= 5) throw new RegistryError(`${url}: more than 5 redirects`);
      return this.send(new URL(location, url).href, headers, withAuth, redirects + 1);
    }
    let body: Buffer;
    try {
      body = await readBody(response.body, MAX_DOCUMENT_BYTES, `${url} (a manifest or config)`);
    } catch (e) {
      throw new RegistryError(`${target.host}: ${describeNetworkError(e)}`);
    }
    return { status: response.statusCode, body, headers: response.headers };
  }

  /** Answers a `WWW-Authenticate` challenge: Basic with the credentials, or a Bearer token from the realm. */
  private async authenticate(header: string | string[] | undefined, repository: string): Promise<void> {
    const challenge = parseChallenge(Array.isArray(header) ? header[0] : header);
    const credentials = this.options.credentials;
    const basic = credentials ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` : undefined;
    if (!challenge || challenge.scheme === 'basic') {
      if (!basic) throw new RegistryError(`${this.host}/${repository}: the registry needs credentials (HTTP 401), and no auth file has any for ${this.host}; run \`podman login ${this.host}\`, or give --authfile`, 401);
      this.authorization = basic;
      return;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) throw new RegistryError(`${this.host}: the registry asks for ${challenge.scheme} authentication, which modelcar does not speak`);
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', `repository:${repository}:pull`);
    let response: HttpResponse;
    let text: string;
    try {
      response = await this.client.request({ url: realm.href, headers: { 'user-agent': 'modelcar', ...(basic ? { authorization: basic } : {}) }, signal: this.options.signal, idleTimeoutMs: 60_000 });
      text = (await readBody(response.body, MAX_DOCUMENT_BYTES, realm.href)).toString('utf8');
    } catch (e) {
      throw new RegistryError(`${realm.host}: ${describeNetworkError(e)} (asking for a token for ${this.host})`);
    }
    if (response.statusCode !== 200) throw new RegistryError(`${this.host}/${repository}: the token service ${realm.origin} refused ${basic ? 'the credentials' : 'an anonymous token'} (HTTP ${response.statusCode} ${statusText(response.statusCode)})`, response.statusCode);
    let token: unknown;
    try {
      const data = JSON.parse(text);
      token = data.token ?? data.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || !token) throw new RegistryError(`${this.host}: the token service ${realm.origin} answered without a token`);
    this.authorization = `Bearer ${token}`;
  }

  /** An error answer in words, with the registry's error codes (distribution spec: `{"errors": [{code, message}]}`). */
  private describe(status: number, body: Buffer, repository: string, apiPath: string): string {
    let codes = '';
    try {
      const errors = JSON.parse(body.toString('utf8')).errors;
      if (Array.isArray(errors)) codes = errors.map((e: any) => `${e.code}${e.message ? `: ${e.message}` : ''}`).join('; ');
    } catch {
      codes = '';
    }
    const what = apiPath.includes('/manifests/') ? `manifest ${apiPath.split('/manifests/')[1]}` : `blob ${apiPath.split('/blobs/')[1]}`;
    const said = `HTTP ${status} ${statusText(status)}${codes ? `: ${codes}` : ''}`;
    if (status === 404) return `${repository}: no ${what} (${said}); was the image pushed?`;
    if (status === 403 || status === 401) return `${repository}: access to ${what} denied (${said}); check the credentials`;
    return `${repository}: ${what}: ${said}`;
  }
}
