/**
 * s3:// sources: the presigned URLs are AWS Signature Version 4 as AWS documents it and as botocore (the AWS SDK for
 * Python) signs, and `modelcar stage` downloads from S3-compatible storage (moto's S3 server on 127.0.0.1) with the
 * endpoint and credentials of the environment, checking sha256 and size, never showing a signature.
 */
import { execFileSync, spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, UserError } from '../../src/core/errors';
import { presignGet, s3AccessFromEnv, s3ObjectUrl } from '../../src/pipeline/s3';
import { stage } from '../../src/pipeline/stage';
import { synthesizeConfigFile } from '../../src/pipeline/synthesize';
import { S3Server, startS3Server } from '../support/s3-server';
import { tempDir } from '../support/temp';
import { requireTool } from '../support/tools';
import { sha256 } from '../support/digest';

/** botocore's presigned URL of a GET at a fixed time (its clock replaced), as the AWS CLI and boto3 make it. */
function botocorePresign(args: { time: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string; url: string; region: string; expires: number }): string {
  const python = requireTool('python3', 'apt-get install -y python3 python3-botocore');
  const script = [
    'import sys, json, datetime',
    'import botocore.auth',
    'from botocore.credentials import Credentials',
    'from botocore.awsrequest import AWSRequest',
    'a = json.load(sys.stdin)',
    "botocore.auth.get_current_datetime = lambda: datetime.datetime.strptime(a['time'], '%Y%m%dT%H%M%SZ')",
    "r = AWSRequest(method='GET', url=a['url'])",
    "botocore.auth.S3SigV4QueryAuth(Credentials(a['accessKeyId'], a['secretAccessKey'], a.get('sessionToken')), 's3', a['region'], expires=a['expires']).add_auth(r)",
    'print(r.url)',
  ].join('\n');
  return execFileSync(python, ['-c', script], { input: JSON.stringify(args), encoding: 'utf8' }).trim();
}

/** The query of a URL as a sorted list, so that two URLs with their parameters in another order compare equal. */
const params = (url: string) => [...new URL(url).searchParams.entries()].sort();

describe('presigned URLs (AWS Signature Version 4, query string)', () => {
  test('GIVEN the example of the AWS documentation THEN its signature (sigv4-query-string-auth.html)', () => {
    const url = presignGet(new URL('https://examplebucket.s3.amazonaws.com/test.txt'), { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, 'us-east-1', new Date('2013-05-24T00:00:00Z'), 86400);
    expect(new URL(url).searchParams.get('X-Amz-Signature')).toBe('aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
  });

  test.each([
    ['a plain key', 's3://models/granite/model.safetensors', undefined, 'https://s3.eu-west-1.amazonaws.com'],
    ['a key with spaces, + and non-ASCII, and a session token', 's3://models/dir/a b+c ü.onnx', 'tok/en+=', 'http://127.0.0.1:9000'],
    ['an endpoint with a path-style bucket and a port', 's3://my.bucket/x/y/z.bin', undefined, 'https://minio.example.com:9443'],
  ])('GIVEN %s THEN the same URL as botocore signs', (_what, source, sessionToken, endpoint) => {
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken };
    const object = s3ObjectUrl(source, endpoint);
    const ours = presignGet(object, credentials, 'eu-west-1', new Date('2026-11-30T01:02:03Z'), 43200);
    const theirs = botocorePresign({ time: '20261130T010203Z', ...credentials, url: object.href, region: 'eu-west-1', expires: 43200 });
    expect(ours.split('?')[0]).toBe(theirs.split('?')[0]);
    expect(params(ours)).toStrictEqual(params(theirs));
  });

  test('GIVEN the environment THEN the endpoint, region and credentials, under the names of an OpenShift AI data connection or of AWS tools', () => {
    expect(s3AccessFromEnv({})).toBe('no credentials for S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_S3_ENDPOINT for storage other than AWS S3), as an OpenShift AI data connection names them');
    expect(s3AccessFromEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's' })).toStrictEqual({ credentials: { accessKeyId: 'a', secretAccessKey: 's', sessionToken: undefined }, endpoint: 'https://s3.us-east-1.amazonaws.com', region: 'us-east-1' });
    expect(s3AccessFromEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', AWS_S3_ENDPOINT: 'minio.example.com:9000/', AWS_DEFAULT_REGION: 'eu-central-1' })).toMatchObject({ endpoint: 'https://minio.example.com:9000', region: 'eu-central-1' });
    expect(s3AccessFromEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', AWS_ENDPOINT_URL: 'http://127.0.0.1:9000', AWS_REGION: 'x' })).toMatchObject({ endpoint: 'http://127.0.0.1:9000', region: 'x' });
  });
});

describe('modelcar stage from S3-compatible storage', () => {
  let s3: S3Server;
  const WEIGHTS = randomBytes(200 * 1024 + 1);
  const LABELS = Buffer.from('cat\ndog\n');
  const SECRET = `secret-${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    s3 = await startS3Server();
    await s3.put('models', 'vision/model weights.onnx', WEIGHTS);
    await s3.put('models', 'vision/labels.txt', LABELS);
  });
  afterAll(() => s3?.stop());

  function project(files: string): { config: string; outdir: string } {
    const dir = tempDir('modelcar-s3-');
    const config = path.join(dir, 'modelcar.yaml');
    fs.writeFileSync(config, `version: 1\nmodels:\n  - name: mobilenet\n    namespace: vision\n    runtime: kserve-ovms\n    format: onnx\n    image: quay.io/team/mobilenet:1\n    files:\n${files}`);
    const outdir = path.join(dir, 'dist');
    synthesizeConfigFile({ config, outdir });
    return { config, outdir };
  }

  const env = () => ({ AWS_ACCESS_KEY_ID: 'builder', AWS_SECRET_ACCESS_KEY: SECRET, AWS_S3_ENDPOINT: s3.endpoint });

  test('GIVEN s3:// sources and credentials in the environment THEN the files are downloaded and checked', async () => {
    const { config, outdir } = project(
      `      - source: s3://models/vision/model%20weights.onnx\n        path: model.onnx\n        sha256: ${sha256(WEIGHTS)}\n        size: ${WEIGHTS.length}\n      - source: s3://models/vision/labels.txt\n        sha256: ${sha256(LABELS)}\n`,
    );
    let text = '';
    const staged = await stage({ config, outdir, env: env(), output: { write: (t) => void (text += t) } });
    expect(staged[0].files.map((f) => [f.target, f.sha256, f.action])).toStrictEqual([
      ['models/1/model.onnx', sha256(WEIGHTS), 'downloaded'],
      ['models/1/labels.txt', sha256(LABELS), 'downloaded'],
    ]);
    expect(fs.readFileSync(path.join(outdir, 'images', 'vision', 'mobilenet', 'models', '1', 'model.onnx'))).toStrictEqual(WEIGHTS);
    expect(text).toContain('  models/1/model.onnx: downloading s3://models/vision/model%20weights.onnx\n');
    expect(text).not.toMatch(/X-Amz-|127\.0\.0\.1/);
    expect(text).not.toContain(SECRET);
  });

  test('GIVEN a missing object, a wrong size or no credentials THEN each is a problem at its file, with the s3:// URL and no signature', async () => {
    const { config, outdir } = project(
      `      - source: s3://models/vision/missing.onnx\n      - source: s3://models/vision/labels.txt\n        size: 9\n`,
    );
    const failure = await stage({ config, outdir, env: env() }).catch((e) => e);
    expect(failure).toBeInstanceOf(UserError);
    expect(failure).not.toBeInstanceOf(ConfigError);
    expect(failure.message).toBe(
      [
        `${config}:9:17: models[0].files[0].source: s3://models/vision/missing.onnx: HTTP 404 NOT FOUND`,
        `${config}:11:15: models[0].files[1].size: s3://models/vision/labels.txt has 8 bytes, but the config expects 9; it was not staged (check the source, or fix the size)`,
        `2 files could not be staged; ${path.relative(process.cwd(), outdir)} holds no unverified file.`,
      ].join('\n'),
    );
    const none = await stage({ config, outdir, env: {} }).catch((e) => e);
    expect(none.message.split('\n')[0]).toBe(
      `${config}:9:17: models[0].files[0].source: s3://models/vision/missing.onnx: no credentials for S3: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_S3_ENDPOINT for storage other than AWS S3), as an OpenShift AI data connection names them`,
    );
  });
});

describe("build.sh from S3-compatible storage, signed by curl and checked by moto's S3", () => {
  let s3: S3Server;
  const WEIGHTS = randomBytes(64 * 1024 + 5);

  beforeAll(async () => {
    requireTool('curl', 'apt-get install -y curl');
    s3 = await startS3Server({ objects: { 'models/vision/model.onnx': WEIGHTS }, authenticate: true });
  });
  afterAll(() => s3?.stop());

  /** Runs the build.sh of a config with an s3:// source, with a stand-in builder that records its arguments. */
  function buildSh(secretAccessKey: string) {
    const dir = tempDir('modelcar-s3-build-');
    const config = path.join(dir, 'modelcar.yaml');
    fs.writeFileSync(config, `version: 1\nmodels:\n  - name: mobilenet\n    namespace: vision\n    runtime: kserve-ovms\n    format: onnx\n    image: quay.io/team/mobilenet:1\n    files:\n      - source: s3://models/vision/model.onnx\n        sha256: ${sha256(WEIGHTS)}\n`);
    synthesizeConfigFile({ config, outdir: path.join(dir, 'dist') });
    const builder = path.join(dir, 'builder');
    fs.writeFileSync(builder, `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(path.join(dir, 'builder-args'))}\n`, { mode: 0o755 });
    const context = path.join(dir, 'dist', 'images', 'vision', 'mobilenet');
    const env = { ...process.env, BUILDER: builder, AWS_ACCESS_KEY_ID: s3.credentials!.accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_S3_ENDPOINT: s3.endpoint };
    const result = spawnSync(path.join(context, 'build.sh'), ['--no-push'], { env, encoding: 'utf8' });
    return { result, context, args: path.join(dir, 'builder-args') };
  }

  test('GIVEN the access key of the storage THEN build.sh downloads and checks the file, and builds', () => {
    const { result, context, args } = buildSh(s3.credentials!.secretAccessKey);
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toStrictEqual({ status: 0, stderr: '' });
    expect(result.stderr).not.toContain(s3.credentials!.secretAccessKey);
    expect(result.stdout).toBe('fetching s3://models/vision/model.onnx\n');
    expect(fs.readFileSync(path.join(context, 'models', '1', 'model.onnx'))).toStrictEqual(WEIGHTS);
    expect(fs.readFileSync(args, 'utf8')).not.toContain(s3.credentials!.secretAccessKey);
  });

  test('GIVEN a wrong secret THEN the storage refuses the signature and build.sh stops, leaving no file', () => {
    const { result, context } = buildSh('not-the-secret');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('The requested URL returned error: 403');
    expect(result.stderr).not.toContain('not-the-secret');
    expect(fs.existsSync(path.join(context, 'models', '1', 'model.onnx'))).toBe(false);
  });
});
