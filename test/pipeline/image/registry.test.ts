/**
 * modelcar's registry client against a real registry (Debian's docker-registry, distribution 2.x, htpasswd auth on
 * 127.0.0.1): Basic auth as the registry's 401 asks, refusals said without the credentials, uploads streamed and
 * checked by the registry, mounts, manifests; and what skopeo then reads back.
 */
import { randomBytes } from 'crypto';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { dockerConfigJson } from '../../../src/core/docker-config';
import { parseImageReference } from '../../../src/core/image-ref';
import { MAX_DOCUMENT_BYTES, RegistryClient, RegistryError, parseChallenge, repositoryAddress } from '../../../src/pipeline/image/registry';
import { startServer } from '../../support/http-server';
import { pushTinyBase } from '../../support/oci-base';
import { startProxy } from '../../support/proxy';
import { IMAGE_TOOLS_INSTALL, Registry, startRegistry } from '../../support/registry';
import { TokenRegistry, startTokenRegistry } from '../../support/token-registry';
import { requireTool } from '../../support/tools';
import { tempDir } from '../../support/temp';
import { ociDigest } from '../../support/digest';

jest.setTimeout(60_000);

const USERNAME = 'robot';
const PASSWORD = `pw<&>"${randomBytes(4).toString('hex')}`;

let dir: string;
let registry: Registry;
const clients: RegistryClient[] = [];

/** A client with the test's credentials, other ones, or (null) none. */
function client(credentials: { username: string; password: string } | null = { username: USERNAME, password: PASSWORD }, tlsVerify = false): RegistryClient {
  const c = new RegistryClient(registry.host, { credentials: credentials ?? undefined, tlsVerify });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dir = tempDir('modelcar-registry-');
  registry = await startRegistry({ dir: path.join(dir, 'registry'), username: USERNAME, password: PASSWORD });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await registry?.stop();
});

describe('parseChallenge', () => {
  test('GIVEN Bearer and Basic challenges THEN scheme and parameters, quoted or not', () => {
    expect(parseChallenge('Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"')).toStrictEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example.com/token', service: 'registry.example.com', scope: 'repository:a/b:pull' },
    });
    expect(parseChallenge('Basic realm="modelcar \\"e2e\\""')).toStrictEqual({ scheme: 'basic', params: { realm: 'modelcar "e2e"' } });
    expect(parseChallenge(undefined)).toBeUndefined();
  });
});

describe('repositoryAddress', () => {
  // containers/image v5 docker/reference/normalize.go splitDockerDomain: no domain, docker.io and index.docker.io are
  // Docker Hub, and a one-part path there is under library/.
  test.each([
    ['busybox:1', { host: 'registry-1.docker.io', repository: 'library/busybox', registry: 'docker.io' }],
    ['docker.io/team/model:1', { host: 'registry-1.docker.io', repository: 'team/model', registry: 'docker.io' }],
    ['index.docker.io/busybox:1', { host: 'registry-1.docker.io', repository: 'library/busybox', registry: 'docker.io' }],
    ['quay.io/team/model@sha256:' + 'a'.repeat(64), { host: 'quay.io', repository: 'team/model', registry: 'quay.io' }],
    ['127.0.0.1:5000/model:1', { host: '127.0.0.1:5000', repository: 'model', registry: '127.0.0.1:5000' }],
  ])('GIVEN %s THEN the API host, the repository there and the registry the credentials are under', (ref, address) => {
    expect(repositoryAddress(parseImageReference(ref))).toStrictEqual(address);
  });
});

describe('RegistryClient against a registry that serves other bytes for a digest', () => {
  // opencontainers/image-spec descriptor.md: content retrieved by digest SHOULD be verified against it. The image
  // writer reads a base image by digest (pinned, or the platform's manifest an index names), and pin an image.
  test('GIVEN a manifest asked for by digest THEN one with another digest is refused, naming both', async () => {
    const served = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: {}, layers: [] }));
    const asked = ociDigest(Buffer.from('the pinned manifest'));
    const server = await startServer({ '/v2/': { kind: 'file', body: Buffer.from('{}') }, [`/v2/team/base/manifests/${asked}`]: { kind: 'file', body: served }, '/v2/team/base/manifests/1': { kind: 'file', body: served } });
    try {
      const host = new URL(server.url).host;
      const c = new RegistryClient(host, { tlsVerify: false });
      clients.push(c);
      await c.login([]);
      await expect(c.getManifest('team/base', asked)).rejects.toThrow(new RegistryError(`${host}/team/base@${asked}: the registry served a manifest whose digest is ${ociDigest(served)}`));
      expect((await c.getManifest('team/base', '1')).digest).toBe(ociDigest(served));
    } finally {
      await server.close();
    }
  });
});

describe('RegistryClient and blob redirects', () => {
  test('GIVEN a blob redirected to a URL that is not http(s) THEN a RegistryError that names the scheme', async () => {
    const digest = ociDigest(Buffer.from('config'));
    const server = await startServer({ '/v2/': { kind: 'file', body: Buffer.from('{}') }, [`/v2/team/base/blobs/${digest}`]: { kind: 'redirect', to: 'file:///etc/passwd' } });
    try {
      const host = new URL(server.url).host;
      const c = new RegistryClient(host, { tlsVerify: false });
      clients.push(c);
      await c.login([]);
      await expect(c.getBlob('team/base', digest)).rejects.toThrow(new RegistryError(`${host}: GET /v2/team/base/blobs/${digest}: redirected to a file: URL, which is not http(s)`));
    } finally {
      await server.close();
    }
  });
});

describe('RegistryClient on docker-registry with htpasswd', () => {
  beforeAll(() => {
    for (const tool of ['docker-registry', 'htpasswd', 'skopeo']) requireTool(tool, IMAGE_TOOLS_INSTALL);
  });

  test('GIVEN the right credentials THEN a streamed upload, a mount, a manifest; skopeo reads the image back', async () => {
    const c = client();
    const digest = await pushTinyBase(c, 'team/base', '1');
    const data = randomBytes(200_000);
    expect(await c.hasBlob('team/model', ociDigest(data))).toBe(false);
    await c.upload('team/model', (body) => pipeline(Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), body as NodeJS.WritableStream & Writable), () => ociDigest(data));
    expect(await c.hasBlob('team/model', ociDigest(data))).toBe(true);
    const base = JSON.parse((await c.getManifest('team/base', '1')).body.toString('utf8'));
    expect(await c.mountBlob('team/model', base.layers[0].digest, 'team/base')).toBe(true);
    expect(await c.hasBlob('team/model', base.layers[0].digest)).toBe(true);
    const auth = path.join(dir, 'auth.json');
    fs.writeFileSync(auth, dockerConfigJson({ server: registry.host, username: USERNAME, password: PASSWORD }), { mode: 0o600 });
    const inspected = JSON.parse(execFileSync('skopeo', ['inspect', '--authfile', auth, '--tls-verify=false', `docker://${registry.host}/team/base:1`], { encoding: 'utf8' }));
    expect({ digest: inspected.Digest, labels: inspected.Labels }).toStrictEqual({ digest, labels: { 'base.label': 'kept' } });
  });

  test('GIVEN HTTPS_PROXY and HTTP_PROXY in the environment THEN the client connects through the proxy (as podman does, and as downloads do): a streamed upload arrives whole', async () => {
    const proxy = await startProxy();
    try {
      const env = { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url };
      const c = new RegistryClient(registry.host, { credentials: { username: USERNAME, password: PASSWORD }, tlsVerify: false, env });
      clients.push(c);
      const data = randomBytes(100_000);
      await c.upload('team/proxied', (body) => pipeline(Readable.from([data.subarray(0, 40_000), data.subarray(40_000)]), body as NodeJS.WritableStream & Writable), () => ociDigest(data));
      expect(await c.hasBlob('team/proxied', ociDigest(data))).toBe(true);
      // https first (a CONNECT tunnel, refused by the plain-http registry), then plain http as absolute-form requests.
      expect(proxy.log[0]).toBe(`CONNECT ${registry.host}`);
      expect(proxy.log.filter((l) => l.startsWith('PATCH ')).map((l) => l.replace(/uploads\/[^?]+\?.*$/, 'uploads/SESSION'))).toStrictEqual([`PATCH http://${registry.host}/v2/team/proxied/blobs/uploads/SESSION`]);
      expect(proxy.log.filter((l) => l.startsWith('HEAD ')).map((l) => l.replace(/sha256:[a-f0-9]+/, 'DIGEST'))).toStrictEqual([`HEAD http://${registry.host}/v2/team/proxied/blobs/DIGEST`]);
    } finally {
      await proxy.close();
    }
  });

  test('GIVEN a digest that is not the content THEN the registry refuses the upload, and the client says so', async () => {
    const c = client();
    await c.login(['repository:team/bad:pull,push']);
    const data = randomBytes(1000);
    const error = await c.upload('team/bad', (body) => pipeline(Readable.from([data]), body as NodeJS.WritableStream & Writable), () => ociDigest(Buffer.from('other'))).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toMatch(new RegExp(`^${registry.host.replace(/\./g, '\\.')}: PUT /v2/team/bad/blobs/uploads/[0-9a-f-]{36}: HTTP 400: DIGEST_INVALID provided digest did not match uploaded content$`));
    expect(await c.hasBlob('team/bad', ociDigest(data))).toBe(false);
  });

  test('GIVEN a wrong password THEN "refused the credentials", without them in the message', async () => {
    const c = client({ username: USERNAME, password: `${PASSWORD}x` });
    const error = await c.login(['repository:team/base:pull']).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(`${registry.host}: the registry refused the credentials (HTTP 401)`);
  });

  test('GIVEN no credentials THEN the client says which registry needs them and how to give them', async () => {
    const error = await client(null).login(['repository:team/base:pull']).catch((e) => e);
    expect(error.message).toBe(`${registry.host}: the registry needs credentials (HTTP 401), and no auth file has any for ${registry.host}; run \`podman login ${registry.host}\`, or give --authfile`);
  });

  test('GIVEN a plain-http registry and TLS verified THEN an error that says --tls-verify=false allows plain http', async () => {
    const error = await client(null, true).login([]).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(`${registry.host}: GET /v2/: wrong version number (the server does not speak TLS: is it plain http?); --tls-verify=false allows plain http`);
  });

  test('GIVEN a blob larger than the limit asked for THEN a RegistryError that names it and the limit; the client still works', async () => {
    const c = client();
    await c.login(['repository:team/large:pull,push']);
    const data = randomBytes(300_000);
    await c.upload('team/large', (body) => pipeline(Readable.from([data]), body as NodeJS.WritableStream & Writable), () => ociDigest(data));
    const error = await c.getBlob('team/large', ociDigest(data), 100_000).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(`${registry.host}: the blob ${ociDigest(data)} of team/large: more than 100000 bytes`);
    expect(await c.getBlob('team/large', ociDigest(data))).toStrictEqual(data);
  });

  test('GIVEN a blob read whole without a limit asked for THEN one larger than MAX_DOCUMENT_BYTES is refused, not held in memory', async () => {
    const c = client();
    await c.login(['repository:team/large:pull,push']);
    const data = randomBytes(MAX_DOCUMENT_BYTES + 1);
    await c.upload('team/large', (body) => pipeline(Readable.from([data]), body as NodeJS.WritableStream & Writable), () => ociDigest(data));
    await expect(c.getBlob('team/large', ociDigest(data))).rejects.toThrow(new RegistryError(`${registry.host}: the blob ${ociDigest(data)} of team/large: more than ${16 * 1024 * 1024} bytes`));
  });

  test('GIVEN a manifest that does not exist THEN HTTP 404 with the registry\'s error code', async () => {
    const c = client();
    await c.login(['repository:team/base:pull']);
    await expect(c.getManifest('team/base', 'nope')).rejects.toThrow(`${registry.host}: GET /v2/team/base/manifests/nope: HTTP 404: MANIFEST_UNKNOWN manifest unknown`);
  });
});

describe('RegistryClient on docker-registry with bearer tokens', () => {
  let tokens: TokenRegistry;
  beforeAll(async () => {
    requireTool('openssl', 'apt-get install -y openssl');
    tokens = await startTokenRegistry({ dir: path.join(dir, 'token-registry'), username: USERNAME, password: PASSWORD });
  });
  afterAll(() => tokens?.stop());

  const tokenClient = (password = PASSWORD) => {
    const c = new RegistryClient(tokens.host, { credentials: { username: USERNAME, password }, tlsVerify: false });
    clients.push(c);
    return c;
  };

  test('GIVEN the 401 names a token service THEN a token for the scopes, renewed for other repositories; uploads, mounts and manifests work', async () => {
    const c = tokenClient();
    await pushTinyBase(c, 'team/base', '1');
    const base = JSON.parse((await c.getManifest('team/base', '1')).body.toString('utf8'));
    // Another repository: the token of team/base does not cover it, the client asks for one that does.
    await c.login(['repository:team/model:pull,push']);
    const data = randomBytes(100_000);
    await c.upload('team/model', (body) => pipeline(Readable.from([data]), body as NodeJS.WritableStream & Writable), () => ociDigest(data));
    expect(await c.hasBlob('team/model', ociDigest(data))).toBe(true);
    expect(await c.mountBlob('team/model', base.layers[0].digest, 'team/base')).toBe(true);
    expect(tokens.scopes).toContainEqual(['repository:team/base:pull,push']);
    expect(tokens.scopes).toContainEqual(['repository:team/model:pull,push']);
    expect(tokens.scopes.some((s) => s.includes('repository:team/model:pull,push') && s.includes('repository:team/base:pull'))).toBe(true);
  });

  test('GIVEN a wrong password THEN the token service refuses it, and the message says so without it', async () => {
    const error = await tokenClient(`${PASSWORD}x`).login(['repository:team/base:pull']).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toMatch(new RegExp(`^${tokens.host.replace(/\./g, '\\.')}: the token service http://127\\.0\\.0\\.1:\\d+/token answered HTTP 401 \\(the credentials were refused\\)$`));
    expect(error.message).not.toContain(PASSWORD);
  });
});
