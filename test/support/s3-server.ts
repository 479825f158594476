/**
 * A real S3 implementation for tests: moto's server (`python3 -m moto.server`, the S3 API of the moto package) on
 * 127.0.0.1, its own process group, stopped with the test. By default it runs without authentication: it serves what
 * a presigned URL asks for without checking the signature (moto checks only signatures in headers), so presigned URLs
 * are checked against botocore's (test/pipeline/s3.test.ts). With `authenticate`, it holds the given objects and
 * checks every later request's signature (the `Authorization` header) against an access key of its IAM, made with the
 * AWS CLI: what `curl --aws-sigv4` sends is judged by an S3 implementation other than modelcar's.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { freePort } from './registry';
import { requireTool } from './tools';

/** How to get moto's server. */
export const MOTO_INSTALL = 'pip install "moto[server]" (Python 3 with moto and flask)';

/** How to get the AWS CLI, which makes the access key of an authenticating server. */
export const AWS_CLI_INSTALL = 'pip install awscli';

/** Options of {@link startS3Server}. */
export interface S3ServerOptions {
  /** Objects to put before authentication starts, as `bucket/key`. */
  readonly objects?: Readonly<Record<string, Buffer>>;
  /** Check the signature of every request after the objects are put. @default false */
  readonly authenticate?: boolean;
}

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Creates a bucket and puts an object into it. */
  put(bucket: string, key: string, body: Buffer): Promise<void>;
  /** The server's output so far. */
  log(): string;
  /** With `authenticate`: an access key allowed to read and write S3. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  stop(): Promise<void>;
}

/** Starts moto's S3 server on a free port and waits until it answers. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const python = requireTool('python3', MOTO_INSTALL);
  const aws = options.authenticate ? requireTool('aws', AWS_CLI_INSTALL) : undefined;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const objects = Object.entries(options.objects ?? {});
  const buckets = new Set(objects.map(([k]) => k.split('/')[0]));
  // moto's authentication starts after the three requests that make the access key.
  const env = options.authenticate ? { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: '3' } : process.env;
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // gone already
      }
      await exited;
    }
  };
  const deadline = Date.now() + 20_000;
  // Up when its port takes a connection: an HTTP request would count as one of the requests before authentication.
  const listening = () => new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.end(() => resolve(true)));
    socket.on('error', () => resolve(false));
  });
  for (;;) {
    if (await listening()) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`moto's S3 server did not start (${MOTO_INSTALL}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const made = new Set<string>();
  const put = async (bucket: string, key: string, body: Buffer) => {
    if (!made.has(bucket)) {
      const created = await fetch(`${endpoint}/${bucket}`, { method: 'PUT' });
      if (created.status !== 200) throw new Error(`moto: creating bucket ${bucket}: HTTP ${created.status}`);
      made.add(bucket);
    }
    const path = key.split('/').map(encodeURIComponent).join('/');
    const response = await fetch(`${endpoint}/${bucket}/${path}`, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
    if (response.status !== 200) throw new Error(`moto: putting ${bucket}/${key}: HTTP ${response.status}`);
  };
  let credentials: S3Server['credentials'];
  try {
  if (!aws) for (const [name, body] of objects) await put(name.split('/')[0], name.slice(name.indexOf('/') + 1), body);
  else {
    // The AWS CLI signs with any key while authentication has not started.
    const cliEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'setup', AWS_SECRET_ACCESS_KEY: 'setup', AWS_DEFAULT_REGION: 'us-east-1' };
    const run = (args: string[]) => execFileSync(aws, ['--endpoint-url', endpoint, 'iam', ...args], { env: cliEnv, encoding: 'utf8' });
    run(['create-user', '--user-name', 'builder']);
    const key = JSON.parse(run(['create-access-key', '--user-name', 'builder'])).AccessKey;
    run(['put-user-policy', '--user-name', 'builder', '--policy-name', 's3', '--policy-document', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}']);
    credentials = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    // From now on every request is signed: the objects go in through the AWS CLI, with that key.
    const keyEnv = { ...cliEnv, AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'moto-objects-'));
    try {
      for (const bucket of buckets) execFileSync(aws, ['--endpoint-url', endpoint, 's3', 'mb', `s3://${bucket}`], { env: keyEnv });
      for (const [name, body] of objects) {
        const file = path.join(dir, 'object');
        fs.writeFileSync(file, body);
        execFileSync(aws, ['--endpoint-url', endpoint, 's3', 'cp', file, `s3://${name}`], { env: keyEnv });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n--- moto ---\n${output}`, { cause: e });
  }
  return { endpoint, put, log: () => output, credentials, stop };
}
