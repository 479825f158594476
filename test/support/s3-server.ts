/**
 * A real S3 implementation for tests: moto's server (`python3 -m moto.server`, the S3 API of the moto package) on
 * 127.0.0.1, its own process group, stopped with the test. It runs without authentication: it serves what a presigned
 * URL asks for without checking the signature (moto checks only header signatures), so the signatures themselves are
 * checked against botocore's (test/pipeline/s3.test.ts).
 */
import { ChildProcess, spawn } from 'child_process';
import { freePort } from './registry';
import { requireTool } from './tools';

/** How to get moto's server. */
export const MOTO_INSTALL = 'pip install "moto[server]" (Python 3 with moto and flask)';

export interface S3Server {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Creates a bucket and puts an object into it. */
  put(bucket: string, key: string, body: Buffer): Promise<void>;
  /** The server's output so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts moto's S3 server on a free port and waits until it answers. */
export async function startS3Server(): Promise<S3Server> {
  const python = requireTool('python3', MOTO_INSTALL);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
  for (;;) {
    try {
      if ((await fetch(`${endpoint}/`)).status < 500) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`moto's S3 server did not start (${MOTO_INSTALL}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const buckets = new Set<string>();
  return {
    endpoint,
    async put(bucket, key, body) {
      if (!buckets.has(bucket)) {
        const made = await fetch(`${endpoint}/${bucket}`, { method: 'PUT' });
        if (made.status !== 200) throw new Error(`moto: creating bucket ${bucket}: HTTP ${made.status}`);
        buckets.add(bucket);
      }
      const path = key.split('/').map(encodeURIComponent).join('/');
      const put = await fetch(`${endpoint}/${bucket}/${path}`, { method: 'PUT', body, headers: { 'content-type': 'application/octet-stream' } });
      if (put.status !== 200) throw new Error(`moto: putting ${bucket}/${key}: HTTP ${put.status}`);
    },
    log: () => output,
    stop,
  };
}
