/**
 * Downloads on real networks, against servers and a proxy on 127.0.0.1: a cut connection resumed with a Range
 * request (from the start when the server takes none), bounded retries with a growing wait, an overall stall
 * timeout, credentials kept from other hosts, HTTPS_PROXY / HTTP_PROXY / NO_PROXY, and a private CA.
 */
import { spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { httpClient } from '../../src/pipeline/http-client';
import { download } from '../../src/pipeline/transfer';
import { TestServer, startServer } from '../support/http-server';
import { project } from '../support/project';
import { TestProxy, startProxy } from '../support/proxy';
import { TestCertificates, makeCertificates } from '../support/tls';
import { tempDir } from '../support/temp';
import { sha256 } from '../support/digest';
import { CLI } from '../support/spawn';

const BODY = randomBytes(400_000);

let server: TestServer;
let other: TestServer;
let secure: TestServer;
let proxy: TestProxy;
let certs: TestCertificates;
const dir = tempDir('modelcar-transfer-');
const target = (name: string) => path.join(dir, name);

beforeAll(async () => {
  certs = makeCertificates(dir);
  other = await startServer({ '/file': { kind: 'file', body: BODY } });
  server = await startServer({
    '/cut-once': { kind: 'ranged', body: BODY, failures: [{ cutAfter: 150_000 }] },
    '/cut-twice': { kind: 'ranged', body: BODY, failures: [{ cutAfter: 100_000 }, { cutAfter: 250_000 }] },
    '/cut-no-ranges': { kind: 'ranged', body: BODY, ranges: false, failures: [{ cutAfter: 150_000 }] },
    '/busy': { kind: 'ranged', body: BODY, failures: [{ status: 503, retryAfter: 0 }, { status: 429, retryAfter: 0 }] },
    '/always-cut': { kind: 'ranged', body: BODY, failures: Array(20).fill({ cutAfter: 0 }) },
    '/missing': { kind: 'status', status: 404 },
    '/elsewhere': { kind: 'redirect', to: `${other.url}/file` },
    '/stall': { kind: 'stall', size: BODY.length, sent: 1000 },
    '/file': { kind: 'file', body: BODY },
  });
  secure = await startServer({ '/file': { kind: 'file', body: BODY } }, { tls: { key: certs.key, cert: certs.cert } });
  proxy = await startProxy();
});
afterAll(async () => {
  await Promise.all([server, other, secure, proxy].map((s) => s?.close()));
});

/** The requests the server got for a path, as `range if-range`. */
const ranges = (s: TestServer, url: string) => s.log.filter((r) => r.url === url).map((r) => r.headers.range ?? 'whole');

describe('resuming and retrying', () => {
  test('GIVEN a connection cut twice THEN each time the download resumes where it broke (Range, If-Range) and the file is whole', async () => {
    const retries: string[] = [];
    const result = await download(`${server.url}/cut-twice`, target('a'), { backoffMs: 1, onRetry: (m, attempt) => retries.push(`${attempt}: ${m}`) });
    expect(result).toStrictEqual({ sha256: sha256(BODY), bytes: BODY.length, url: `${server.url}/cut-twice` });
    expect(fs.readFileSync(target('a')).equals(BODY)).toBe(true);
    expect(ranges(server, '/cut-twice')).toStrictEqual(['whole', 'bytes=100000-', 'bytes=250000-']);
    expect(server.log.filter((r) => r.url === '/cut-twice').map((r) => r.headers['if-range'])).toStrictEqual([undefined, `"${BODY.length}-v1"`, `"${BODY.length}-v1"`]);
    expect(retries).toStrictEqual([
      `1: ${server.url}/cut-twice: the connection broke after 100000 of 400000 bytes (aborted)`,
      `2: ${server.url}/cut-twice: the connection broke after 250000 of 400000 bytes (aborted)`,
    ]);
  });

  test('GIVEN a server that takes no Range THEN the resumed request gets the whole file, which replaces what came before', async () => {
    const result = await download(`${server.url}/cut-no-ranges`, target('b'), { backoffMs: 1 });
    expect(result.sha256).toBe(sha256(BODY));
    expect(fs.statSync(target('b')).size).toBe(BODY.length);
    expect(ranges(server, '/cut-no-ranges')).toStrictEqual(['whole', 'bytes=150000-']);
  });

  test('GIVEN 503 and 429 with Retry-After THEN the download waits and asks again; a 404 is not asked again', async () => {
    expect((await download(`${server.url}/busy`, target('c'), { backoffMs: 1 })).sha256).toBe(sha256(BODY));
    expect(ranges(server, '/busy')).toStrictEqual(['whole', 'whole', 'whole']);
    await expect(download(`${server.url}/missing`, target('d'), { backoffMs: 1 })).rejects.toThrow(`${server.url}/missing: HTTP 404 Not Found`);
    expect(server.requests.filter((r) => r === '/missing')).toHaveLength(1);
  });

  test('GIVEN cuts that never end THEN the download gives up after its retries', async () => {
    await expect(download(`${server.url}/always-cut`, target('e'), { retries: 3, backoffMs: 1 })).rejects.toThrow(
      `${server.url}/always-cut: the connection broke after 0 of 400000 bytes (aborted); gave up after 4 attempts (run stage again to retry)`,
    );
  });

  test('GIVEN a server that stalls THEN the download gives up when less than 64 KiB arrived in the stall timeout, over its attempts, retries left or not', async () => {
    const started = Date.now();
    await expect(download(`${server.url}/stall`, target('f'), { idleTimeoutMs: 200, stallTimeoutMs: 700, retries: 100, backoffMs: 100 })).rejects.toThrow(
      `${server.url}/stall: the download stalled: less than 64 KiB arrived in 700 ms (1000 of 400000 bytes so far); giving up (run stage again to retry)`,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('credentials stay with their host', () => {
  test('GIVEN a redirect to another host THEN the headers for the first host (an Authorization) are not sent there', async () => {
    await download(`${server.url}/elsewhere`, target('g'), { headers: { authorization: 'Bearer secret-token' } });
    expect(server.log.filter((r) => r.url === '/elsewhere').map((r) => r.headers.authorization)).toStrictEqual(['Bearer secret-token']);
    expect(other.log.map((r) => r.headers.authorization)).toStrictEqual([undefined]);
  });
});

describe('proxies and a private CA', () => {
  test('GIVEN HTTP_PROXY THEN an http download goes through the proxy; with NO_PROXY naming the host, directly', async () => {
    const through = httpClient({ env: { HTTP_PROXY: proxy.url } });
    await download(`${server.url}/file`, target('h'), { client: through });
    await through.close();
    expect(proxy.log).toStrictEqual([`GET ${server.url}/file`]);
    const direct = httpClient({ env: { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
    await download(`${server.url}/file`, target('i'), { client: direct });
    await direct.close();
    expect(proxy.log).toHaveLength(1);
  });

  test('GIVEN an https server with a certificate of a private CA THEN the download is refused until the CA is given, then goes through https_proxy', async () => {
    const untrusted = httpClient({ env: {} });
    await expect(download(`${secure.url}/file`, target('j'), { client: untrusted })).rejects.toThrow(
      `${secure.url}/file: unable to verify the first certificate (the server's TLS certificate is not trusted: for a private CA, set NODE_EXTRA_CA_CERTS to its PEM file)`,
    );
    await untrusted.close();
    proxy.log.length = 0;
    const trusted = httpClient({ env: { https_proxy: proxy.url }, ca: certs.ca });
    expect((await download(`${secure.url}/file`, target('k'), { client: trusted })).sha256).toBe(sha256(BODY));
    await trusted.close();
    expect(proxy.log).toStrictEqual([`CONNECT ${secure.url.replace('https://', '')}`]);
  });

  test('modelcar stage through HTTPS_PROXY to an https server of a private CA given by NODE_EXTRA_CA_CERTS', async () => {
    const p = project(
      ['version: 1', 'models:', '  - name: m', '    namespace: ns', '    runtime: kserve-ovms', '    format: onnx', '    image: quay.io/team/m:1', '    files:', `      - source: ${secure.url}/file`, '        path: model.onnx', `        sha256: ${sha256(BODY)}`, ''].join('\n'),
    );
    proxy.log.length = 0;
    const env = { PATH: process.env.PATH, HOME: dir, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certs.caFile };
    const result = await new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'stage', '-c', p.config, '-o', p.dist], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('exit', (code) => resolve({ code, out, err }));
    });
    expect({ code: result.code, err: result.err }).toStrictEqual({ code: 0, err: '' });
    expect(result.out).toContain(`sha256 ${sha256(BODY)} matches the config`);
    expect(proxy.log).toStrictEqual([`CONNECT ${secure.url.replace('https://', '')}`]);
  });
});
