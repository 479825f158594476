/**
 * A reader of OCI registries (the distribution API, https://github.com/opencontainers/distribution-spec/blob/main/spec.md):
 * manifests by tag or digest, and configs, for `modelcar pin`. It speaks through the image writer's registry client
 * (image/registry.ts), which authenticates as podman and skopeo do (containers/image, docker/docker_client.go): an
 * anonymous request first, then what the registry's `WWW-Authenticate` challenge asks for: Basic with the
 * credentials, or a Bearer token from the challenge's realm (for `repository:<name>:pull`). The credentials come from
 * the same auth files as for the push (see {@link registryCredentials}); they are sent to the registry and its token
 * realm only, never to the host a blob redirect leads to, and never shown.
 */
import { statusText } from './http-client';
import { AuthConfig } from './registry-auth';
import { Credentials, FoundCredentials, credentialsIn, findCredentials } from './image/credentials';
import { RegistryClient as Client, MANIFEST_ACCEPT, RegistryError, RepositoryAddress, manifestDigest, registryErrors } from './image/registry';

export { RegistryError };

/**
 * The credentials for a repository (its {@link RepositoryAddress}, as the image writer looks them up), looked up as
 * podman does (see {@link findCredentials}), in an `--authfile` as registry-auth.ts reads it (a Docker config JSON,
 * or a pull secret: its credentials are read in memory, never written to a file), or the standard auth files,
 * running the file's credential helper when it names one.
 */
export function registryCredentials(address: RepositoryAddress, authfile: { readonly file: string; readonly config: AuthConfig } | undefined, env: NodeJS.ProcessEnv = process.env): FoundCredentials {
  const options = { runHelpers: true };
  if (authfile === undefined) return findCredentials(address.registry, address.repository, undefined, env, options);
  return credentialsIn(authfile.config.text, `--authfile ${authfile.file}`, address.registry, address.repository, env, options) ?? {};
}

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

/**
 * A reader of one registry: manifests and configs, checked against their digests, with errors in the words of
 * `modelcar pin`. The requests, authentication, TLS and proxies are the image writer's client's ({@link Client}),
 * so that pin reads a registry exactly as `build --push` writes to it.
 */
export class RegistryReader {
  private readonly client: Client;

  constructor(
    /** `host[:port]` of the registry's API. */
    public readonly host: string,
    options: RegistryClientOptions = {},
  ) {
    this.client = new Client(host, { credentials: options.credentials, tlsVerify: options.tlsVerify, signal: options.signal, env: options.env });
  }

  /** A manifest by tag or digest; its digest is computed from the bytes served (and must match a digest asked for). */
  public async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const apiPath = `/v2/${repository}/manifests/${reference}`;
    const answer = await this.client.request('GET', apiPath, { accept: MANIFEST_ACCEPT }, undefined, [`repository:${repository}:pull`]);
    if (answer.status !== 200) throw new RegistryError(this.describe(answer.status, answer.body, `${this.host}/${repository}`, apiPath), answer.status);
    const digest = manifestDigest(answer.body, reference, `${this.host}/${repository}`);
    let json: any;
    try {
      json = JSON.parse(answer.body.toString('utf8'));
    } catch {
      throw new RegistryError(`${this.host}/${repository}:${reference}: the manifest is not JSON`);
    }
    const mediaType = json?.mediaType ?? String(answer.headers['content-type'] ?? '').split(';')[0];
    return { digest, mediaType, json };
  }

  /**
   * A blob (an image config) by digest, checked against it; a redirect to storage is followed without credentials.
   * Like a manifest, one larger than the client's limit of documents (16 MiB) is refused.
   */
  public async getBlob(repository: string, digest: string): Promise<Buffer> {
    return this.client.getBlob(repository, digest);
  }

  public async close(): Promise<void> {
    this.client.close();
  }

  /** An error answer in words, with the registry's error codes (distribution spec: `{"errors": [{code, message}]}`). */
  private describe(status: number, body: Buffer, repository: string, apiPath: string): string {
    const codes = registryErrors(body)
      .map((e) => `${e.code}${e.message ? `: ${e.message}` : ''}`)
      .join('; ');
    const what = `manifest ${apiPath.split('/manifests/')[1]}`;
    const said = `HTTP ${status} ${statusText(status)}${codes ? `: ${codes}` : ''}`;
    if (status === 404) return `${repository}: no ${what} (${said}); was the image pushed?`;
    if (status === 403 || status === 401) return `${repository}: access to ${what} denied (${said}); check the credentials`;
    return `${repository}: ${what}: ${said}`;
  }
}
