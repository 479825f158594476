/**
 * `modelcar pin` against a real registry (Debian's docker-registry with htpasswd, on 127.0.0.1): the digest of an
 * image pushed elsewhere is read with the credentials of an auth file (a Docker config JSON, a pull secret, or
 * REGISTRY_AUTH_FILE), its labels checked against the config's files, and recorded in the lock file; synth then pins
 * storageUri to it. A file whose digest differs, a missing or extra file, another base image, an image without
 * modelcar's labels, no credentials and a missing tag are errors that say which and where.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { FILES_LABEL } from '../../src/core/model-files';
import { loadConfigImages } from '../../src/pipeline/config-images';
import { inputsDigest, readLock } from '../../src/pipeline/lock';
import { useEnv } from '../support/env';
import { pushImage } from '../support/oci-push';
import { Project, cli, project } from '../support/project';
import { Registry, startRegistry } from '../support/registry';
import { tempDir } from '../support/temp';
import { sha256 } from '../support/digest';

jest.setTimeout(60_000);

const MODEL = Buffer.from('onnx model bytes');
const LABELS = Buffer.from('cat\ndog\n');
const USERNAME = 'pinner';
const PASSWORD = 'pin-secret-0';
const dir = tempDir('modelcar-pin-');
let registry: Registry;
let authJson: string;

beforeAll(async () => {
  registry = await startRegistry({ dir: path.join(dir, 'registry'), username: USERNAME, password: PASSWORD });
  authJson = path.join(dir, 'auth.json');
  fs.writeFileSync(authJson, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64') } } }));
});
afterAll(async () => {
  await registry?.stop();
});
useEnv(() => ({ HOME: dir }));

function config(image: string, extra: string[] = []): string {
  return [
    'version: 1',
    'defaults: { namespace: team-a, runtime: kserve-ovms }',
    'models:',
    '  - name: mobilenet',
    '    format: onnx',
    `    image: ${image}`,
    '    files:',
    '      - source: https://models.example.com/mobilenet/model.onnx',
    `        sha256: ${sha256(MODEL)}`,
    '      - source: models/labels.txt',
    ...extra,
    '',
  ].join('\n');
}

/** The labels `modelcar build` gives the image of the config's model, with these file digests (in file order). */
function labelsFor(p: Project, digests: string[], files?: string): Record<string, string> {
  const { images } = loadConfigImages(p.config, p.dist);
  const image = images[0].image;
  const labels: Record<string, string> = { [FILES_LABEL]: files ?? image.filesLabel(path.resolve(p.dist), digests), 'org.opencontainers.image.base.name': image.baseImage, 'dev.modelcar.model.name': 'mobilenet' };
  return labels;
}

/** A project whose model image is `team-a/<repo>:1` on the test registry, pushed with the labels `labels(p)` gives. */
async function pushed(repo: string, labels: (p: Project) => Record<string, string>, extra: string[] = []): Promise<{ p: Project; digest: string; image: string }> {
  const image = `${registry.host}/team-a/${repo}:1`;
  const p = project(config(image, extra));
  p.file('models/labels.txt', LABELS);
  const { digest } = await pushImage(registry.host, { username: USERNAME, password: PASSWORD }, `team-a/${repo}`, '1', labels(p));
  return { p, digest, image };
}

const pin = (p: Project, ...args: string[]) => cli(['pin', '-c', p.config, '--tls-verify=false', ...args]);

describe('pinning an image built elsewhere', () => {
  test('GIVEN an image with the config\'s files THEN pin records its digest, the inputs and its files; synth pins storageUri to it', async () => {
    const { p, digest, image } = await pushed('good', (q) => labelsFor(q, [sha256(MODEL), sha256(LABELS)]));
    const result = await pin(p, '--authfile', authJson);
    expect(result).toStrictEqual({
      code: 0,
      out: [
        `team-a/mobilenet: ${image} is ${registry.host}/team-a/good@${digest}; its 2 files match the config (1 not pinned there: its digest is the image's); credentials from --authfile ${authJson} (${registry.host})`,
        `recorded 1 digest in ${path.relative(process.cwd(), path.join(p.dir, 'modelcar.lock.yaml'))}; run \`modelcar synth\` to pin storageUri to them`,
        '',
      ].join('\n'),
      err: '',
    });
    const { images } = loadConfigImages(p.config, p.dist);
    expect(readLock(path.join(p.dir, 'modelcar.lock.yaml')).images).toStrictEqual({
      'team-a/mobilenet': { image, digest, inputs: inputsDigest(images[0].image), files: { 'models/1/model.onnx': `sha256:${sha256(MODEL)}`, 'models/1/labels.txt': `sha256:${sha256(LABELS)}` } },
    });
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    expect(fs.readFileSync(path.join(p.dist, 'manifests/team-a/inferenceservice-mobilenet.yaml'), 'utf8')).toContain(`storageUri: oci://${registry.host}/team-a/good@${digest}\n`);
  });

  test('GIVEN the credentials as a pull secret, or in REGISTRY_AUTH_FILE THEN pin reads them there', async () => {
    const { p, digest } = await pushed('secret', (q) => labelsFor(q, [sha256(MODEL), sha256(LABELS)]));
    const secret = path.join(dir, 'pull-secret.yaml');
    const dockerconfig = fs.readFileSync(authJson);
    fs.writeFileSync(secret, YAML.stringify({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'registry-pull' }, data: { '.dockerconfigjson': dockerconfig.toString('base64') } }));
    expect((await pin(p, '--authfile', secret)).code).toBe(0);
    process.env.REGISTRY_AUTH_FILE = authJson;
    try {
      const result = await pin(p);
      expect(result.out.split('\n')[0]).toContain(`@${digest}; its 2 files match the config (1 not pinned there: its digest is the image's); credentials from ${authJson} (${registry.host})`);
    } finally {
      delete process.env.REGISTRY_AUTH_FILE;
    }
  });
});

describe('images that do not match the config', () => {
  test('GIVEN an image whose model file has another digest THEN pin names the file at its sha256 line and records nothing', async () => {
    const other = sha256('another model');
    const { p, image } = await pushed('mismatch', (q) => labelsFor(q, [other, sha256(LABELS)]));
    expect(await pin(p, '--authfile', authJson)).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${p.config}:9:17: models[0].files[0].sha256: models/1/model.onnx in ${image} has sha256 ${other}, but the config pins ${sha256(MODEL)}\n1 problem found; nothing was written.\n`,
    });
    expect(fs.existsSync(path.join(p.dir, 'modelcar.lock.yaml'))).toBe(false);
  });

  test('GIVEN an image with a file missing, one too many and another base image THEN each is said', async () => {
    const files = JSON.stringify([
      { path: '/models/1/model.onnx', sha256: sha256(MODEL), source: 'x' },
      { path: '/models/1/extra.bin', sha256: sha256('x'), source: 'x' },
    ]);
    const { p, image } = await pushed('different', (q) => ({ ...labelsFor(q, [], files), 'org.opencontainers.image.base.name': 'registry.access.redhat.com/ubi9/ubi-micro:latest' }));
    const result = await pin(p, '--authfile', authJson);
    expect(result.err).toBe(
      [
        `modelcar: ${p.config}:4:5: models[0]: ${image} was built on registry.access.redhat.com/ubi9/ubi-micro:latest, but the config's base image is registry.access.redhat.com/ubi8/ubi-micro:latest; build and push the image again, or give baseImage: registry.access.redhat.com/ubi9/ubi-micro:latest`,
        `${p.config}:8:7: models[0].files: ${image} holds models/1/extra.bin, which the config does not have; build and push the image again`,
        `${p.config}:10:9: models[0].files[1]: models/1/labels.txt is not in ${image} (it has: models/1/model.onnx, models/1/extra.bin); build and push the image again`,
        '3 problems found; nothing was written.',
        '',
      ].join('\n'),
    );
  });

  test('GIVEN an image without modelcar\'s labels THEN its files cannot be checked, and pin says so', async () => {
    const { p, image } = await pushed('unlabelled', () => ({ 'org.opencontainers.image.title': 'x' }));
    expect((await pin(p, '--authfile', authJson)).err).toBe(
      `modelcar: ${p.config}:6:12: models[0].image: ${image} has no ${FILES_LABEL} label: it was not built by \`modelcar build\` or the build.sh modelcar writes, so its files cannot be checked\n1 problem found; nothing was written.\n`,
    );
  });
});

describe('registry errors', () => {
  test('GIVEN no credentials THEN pin says the registry needs them and how to give them', async () => {
    const { p } = await pushed('anonymous', (q) => labelsFor(q, [sha256(MODEL), sha256(LABELS)]));
    expect(await pin(p)).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: team-a/mobilenet: ${registry.host}: the registry needs credentials (HTTP 401), and no auth file has any for ${registry.host}; run \`podman login ${registry.host}\`, or give --authfile\n`,
    });
  });

  test('GIVEN a tag that was not pushed THEN pin names it', async () => {
    const p = project(config(`${registry.host}/team-a/never:1`));
    p.file('models/labels.txt', LABELS);
    const result = await pin(p, '--authfile', authJson);
    expect(result.err).toBe(
      `modelcar: team-a/mobilenet: ${registry.host}/team-a/never: no manifest 1 (HTTP 404 Not Found: MANIFEST_UNKNOWN: manifest unknown); was the image pushed? (credentials from --authfile ${authJson} (${registry.host}))\n`,
    );
  });

  test('GIVEN the registry over plain http and TLS verification on THEN pin says to use --tls-verify=false', async () => {
    const p = project(config(`${registry.host}/team-a/good:1`));
    p.file('models/labels.txt', LABELS);
    const result = await cli(['pin', '-c', p.config, '--authfile', authJson]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `modelcar: team-a/mobilenet: ${registry.host}: GET /v2/team-a/good/manifests/1: wrong version number (the server does not speak TLS: is it plain http?); --tls-verify=false allows plain http (credentials from --authfile ${authJson} (${registry.host}))\n`,
    );
  });
});

/** A token service and a gate in front of the test registry that takes only its token, as a token-auth registry does. */
async function tokenGate(): Promise<{ host: string; tokens: string[]; close: () => Promise<unknown> }> {
  const http = await import('http');
  const tokens: string[] = [];
  const basic = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
  const gate = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      tokens.push(`${req.headers.authorization === basic ? 'with credentials' : 'anonymous'} ${url.searchParams.get('service')} ${url.searchParams.get('scope')}`);
      if (req.headers.authorization !== basic) return void res.writeHead(401).end();
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'pull-token-1', expires_in: 300 }));
    }
    if (req.headers.authorization !== 'Bearer pull-token-1') {
      const realm = `http://${req.headers.host}/token`;
      return void res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}",service="registry.test",scope="repository:team-a/tokens:pull"` }).end('{"errors":[{"code":"UNAUTHORIZED"}]}');
    }
    const upstream = http.request({ host: '127.0.0.1', port: registry.port, path: req.url, method: req.method, headers: { ...req.headers, host: registry.host, authorization: basic } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => gate.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(gate.address() as import('net').AddressInfo).port}`;
  const auth = path.join(dir, 'gate-auth.json');
  fs.writeFileSync(auth, JSON.stringify({ auths: { [host]: { username: USERNAME, password: PASSWORD } } }));
  return { host, tokens, close: () => new Promise((resolve) => gate.close(resolve)) };
}

describe('registries that hand out tokens', () => {
  test('GIVEN a registry whose challenge is Bearer (as quay.io and Docker Hub) THEN pin asks the realm for a pull token with the credentials, and uses it', async () => {
    const { host, tokens, close } = await tokenGate();
    try {
      const p = project(config(`${host}/team-a/tokens:1`));
      p.file('models/labels.txt', LABELS);
      const { digest } = await pushImage(registry.host, { username: USERNAME, password: PASSWORD }, 'team-a/tokens', '1', labelsFor(p, [sha256(MODEL), sha256(LABELS)]));
      const result = await pin(p, '--authfile', path.join(dir, 'gate-auth.json'));
      expect(result.err).toBe('');
      expect(result.out.split('\n')[0]).toContain(`is ${host}/team-a/tokens@${digest}`);
      expect(tokens).toStrictEqual(['with credentials registry.test repository:team-a/tokens:pull']);
    } finally {
      await close();
    }
  });

  test('GIVEN two models of one repository THEN pin logs in once: one reader, one pull token for both', async () => {
    const { host, tokens, close } = await tokenGate();
    try {
      const second = ['  - name: mobilenet-v2', '    format: onnx', `    image: ${host}/team-a/tokens:2`, '    files:', '      - source: https://models.example.com/mobilenet/model.onnx', `        sha256: ${sha256(MODEL)}`, '      - source: models/labels.txt'];
      const p = project(config(`${host}/team-a/tokens:1`, second));
      p.file('models/labels.txt', LABELS);
      const labels = labelsFor(p, [sha256(MODEL), sha256(LABELS)]);
      const one = await pushImage(registry.host, { username: USERNAME, password: PASSWORD }, 'team-a/tokens', '1', labels);
      const two = await pushImage(registry.host, { username: USERNAME, password: PASSWORD }, 'team-a/tokens', '2', { ...labels, 'dev.modelcar.model.name': 'mobilenet-v2' });
      const result = await pin(p, '--authfile', path.join(dir, 'gate-auth.json'));
      expect(result.err).toBe('');
      expect(result.out).toContain(`is ${host}/team-a/tokens@${one.digest}`);
      expect(result.out).toContain(`is ${host}/team-a/tokens@${two.digest}`);
      expect(tokens).toStrictEqual(['with credentials registry.test repository:team-a/tokens:pull']);
    } finally {
      await close();
    }
  });
});
