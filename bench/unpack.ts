/**
 * What a node pays for a layer it pulls, past the network: check the blob's digest, decompress it, and hash the tar
 * into its diff_id (which containerd and CRI-O check against the image config). Run by bench/image.ts as a child
 * process: `node lib/bench/unpack.js none|gzip|zstd BLOB`. gzip with node's zlib, zstd with the zstd command.
 */
import { spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import { Transform } from 'stream';
import { pipeline } from 'stream/promises';
import * as zlib from 'zlib';

async function main(compression: string, blob: string): Promise<void> {
  const digest = createHash('sha256');
  const diffId = createHash('sha256');
  let tarBytes = 0;
  const hashing = (hash: ReturnType<typeof createHash>, count = false) =>
    new Transform({
      transform(chunk: Buffer, _e, done) {
        hash.update(chunk);
        if (count) tarBytes += chunk.length;
        done(null, chunk);
      },
    });
  /** Reads a stream to its end, keeping nothing. */
  const drain = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const _ of source) void _;
  };
  const started = process.hrtime.bigint();
  const input = fs.createReadStream(blob, { highWaterMark: 4 * 1024 * 1024 });
  if (compression === 'none') {
    await pipeline(input, hashing(digest, true), drain);
  } else if (compression === 'gzip') {
    await pipeline(input, hashing(digest), zlib.createGunzip(), hashing(diffId, true), drain);
  } else if (compression === 'zstd') {
    const child = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await Promise.all([
      pipeline(input, hashing(digest), child.stdin),
      pipeline(child.stdout, hashing(diffId, true), drain),
    ]);
    if ((await exited) !== 0) throw new Error('zstd -d failed');
  } else throw new Error(`unknown compression ${compression}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  digest.digest('hex');
  if (compression !== 'none') diffId.digest('hex');
  process.stdout.write(`${(tarBytes / 1024 ** 2 / seconds).toFixed(0)} MiB/s of tar`);
}

main(process.argv[2], process.argv[3]).catch((e) => {
  process.stderr.write(`unpack: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
