/**
 * Model layers as modelcar writes them, read back with GNU tar (a reader that checks every header's checksum):
 * the entries buildah's COPY makes (folders from /models down, 0755; files 0444; owner 0:0; time 0), each file's
 * bytes, the digests of the stream (diff_id of the tar, digest of the blob as compressed), and the headers of names
 * and sizes USTAR cannot hold (PAX). That the bytes are buildah's own is checked against buildah itself in
 * test/e2e/image-writer.e2e.test.ts.
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { ZSTD_INSTALL } from '../../../src/pipeline/image/compression';
import { LayerFile, layerEntries, writeLayer } from '../../../src/pipeline/image/layer';
import { BLOCK, tarHeader } from '../../../src/pipeline/image/tar';
import { requireTool } from '../../support/tools';
import { tempDir } from '../../support/temp';
import { ociDigest } from '../../support/digest';

/** The files of a layer, from a build context: paths in the image and on disk. */
const contextLayerFiles = (contextDir: string, targets: readonly string[]): LayerFile[] => targets.map((target) => ({ target, source: path.join(contextDir, ...target.split('/')) }));

/** A sink into a file (its stream closed whatever happens, so that no late error outlives the test). */
function toFile(file: string) {
  return async (write: (destination: NodeJS.WritableStream) => Promise<void>) => {
    const out = fs.createWriteStream(file);
    out.on('error', () => undefined);
    try {
      await write(out);
    } finally {
      out.destroy();
    }
  };
}

let dir: string;
beforeAll(() => {
  dir = tempDir('modelcar-layer-');
});

/** Writes files into a fresh context folder; returns it. */
function context(files: Record<string, Buffer>): string {
  const root = fs.mkdtempSync(path.join(dir, 'ctx-'));
  for (const [target, data] of Object.entries(files)) {
    const file = path.join(root, ...target.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data, { mode: 0o600 });
  }
  return root;
}

/** Writes a layer of the files into a blob file; returns the result and the blob. */
async function layer(files: Record<string, Buffer>, compression: 'none' | 'gzip' | 'zstd' = 'none') {
  const root = context(files);
  const blobFile = path.join(root, 'blob');
  let asked: string | undefined;
  const result = await writeLayer(
    contextLayerFiles(root, Object.keys(files)),
    async (write, digest) => {
      await toFile(blobFile)(write);
      asked = digest();
    },
    { compression },
  );
  return { result, blob: fs.readFileSync(blobFile), blobFile, asked };
}

describe('layerEntries', () => {
  test('GIVEN files of one folder THEN each folder from models down (0755), then the files (0444) in byte order', () => {
    expect(layerEntries([{ target: 'models/1/tok/vocab.txt', size: 6 }, { target: 'models/1/tok/config.json', size: 3 }, { target: 'models/1/tok/Z.txt', size: 1 }])).toStrictEqual([
      { name: 'models', type: 'dir', mode: 0o755, size: 0 },
      { name: 'models/1', type: 'dir', mode: 0o755, size: 0 },
      { name: 'models/1/tok', type: 'dir', mode: 0o755, size: 0 },
      { name: 'models/1/tok/Z.txt', type: 'file', mode: 0o444, size: 1 },
      { name: 'models/1/tok/config.json', type: 'file', mode: 0o444, size: 3 },
      { name: 'models/1/tok/vocab.txt', type: 'file', mode: 0o444, size: 6 },
    ]);
  });
});

describe('writeLayer', () => {
  const tar = () => requireTool('tar', 'apt-get install -y tar');

  test('GIVEN files owned 0600 by anyone THEN GNU tar lists folders 0755 and files 0444, owner 0:0, time 0, and reads back every byte', async () => {
    tar();
    const model = randomBytes(70_000);
    const { result, blob, blobFile, asked } = await layer({ 'models/1/model.onnx': model });
    expect(result).toStrictEqual({ diffId: ociDigest(blob), digest: ociDigest(blob), size: blob.length, mediaType: 'application/vnd.oci.image.layer.v1.tar', tarSize: blob.length });
    expect(asked).toBe(result.digest);
    // Headers, the data padded to a block, two zero blocks.
    expect(blob.length).toBe(3 * BLOCK + Math.ceil(model.length / BLOCK) * BLOCK + 2 * BLOCK);
    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', blobFile], { encoding: 'utf8', env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } });
    expect(listing.trim().split('\n')).toStrictEqual([
      'drwxr-xr-x 0/0               0 1970-01-01 00:00:00 models/',
      'drwxr-xr-x 0/0               0 1970-01-01 00:00:00 models/1/',
      `-r--r--r-- 0/0           ${model.length} 1970-01-01 00:00:00 models/1/model.onnx`,
    ]);
    expect(execFileSync('tar', ['-xOf', blobFile, 'models/1/model.onnx']).equals(model)).toBe(true);
    // No user or group names, no extended attributes: nothing but the ustar fields.
    expect(blob.subarray(265, 265 + 64).equals(Buffer.alloc(64))).toBe(true);
    expect(blob.includes(Buffer.from('SCHILY'))).toBe(false);
  });

  test('GIVEN the same files twice THEN the same bytes; GIVEN another mode or time on disk THEN still the same', async () => {
    const data = { 'models/1/a.bin': randomBytes(1000), 'models/1/b.bin': randomBytes(513) };
    const first = await layer(data);
    const root = context(data);
    fs.chmodSync(path.join(root, 'models', '1', 'a.bin'), 0o755);
    fs.utimesSync(path.join(root, 'models', '1', 'b.bin'), new Date(2020, 1, 1), new Date(2020, 1, 1));
    const again = await writeLayer(contextLayerFiles(root, Object.keys(data)), toFile(path.join(root, 'blob')), { compression: 'none' });
    expect(again.diffId).toBe(first.result.diffId);
    expect(fs.readFileSync(path.join(root, 'blob')).equals(first.blob)).toBe(true);
  });

  test('GIVEN gzip THEN the blob is the tar gzipped: diff_id of the tar, digest of the blob', async () => {
    const model = randomBytes(300_000);
    const plain = await layer({ 'models/m.bin': model });
    const { result, blob } = await layer({ 'models/m.bin': model }, 'gzip');
    const unpacked = zlib.gunzipSync(blob);
    expect(unpacked.equals(plain.blob)).toBe(true);
    expect(result).toStrictEqual({ diffId: plain.result.diffId, digest: ociDigest(blob), size: blob.length, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', tarSize: plain.blob.length });
  });

  test('GIVEN zstd THEN the blob is the tar compressed by the zstd command, and the same bytes on every run', async () => {
    requireTool('zstd', ZSTD_INSTALL);
    const model = Buffer.concat([randomBytes(100_000), Buffer.alloc(200_000, 7)]);
    const plain = await layer({ 'models/m.bin': model });
    const first = await layer({ 'models/m.bin': model }, 'zstd');
    const second = await layer({ 'models/m.bin': model }, 'zstd');
    expect(execFileSync('zstd', ['-d', '-c', '-q'], { input: first.blob }).equals(plain.blob)).toBe(true);
    expect(first.result).toStrictEqual({ diffId: plain.result.diffId, digest: ociDigest(first.blob), size: first.blob.length, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', tarSize: plain.blob.length });
    expect(first.blob.length).toBeLessThan(model.length * 0.5);
    expect(second.result.digest).toBe(first.result.digest);
  });

  test('GIVEN a name longer than 100 bytes THEN split into prefix and name (USTAR); GIVEN one that cannot be split, or not ASCII THEN a PAX path record', async () => {
    tar();
    const long = `models/1/${'d'.repeat(70)}/${'f'.repeat(60)}.bin`;
    const unsplittable = `models/1/${'n'.repeat(120)}.bin`;
    const accented = 'models/1/modèle-ü.bin';
    const { blob, blobFile } = await layer({ [long]: Buffer.from('a'), [unsplittable]: Buffer.from('b'), [accented]: Buffer.from('c') });
    const names = execFileSync('tar', ['-tf', blobFile], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toStrictEqual(['models/', 'models/1/', `models/1/${'d'.repeat(70)}/`, long, accented, unsplittable].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect(execFileSync('tar', ['-xOf', blobFile, unsplittable], { encoding: 'utf8' })).toBe('b');
    expect(execFileSync('tar', ['-xOf', blobFile, accented], { encoding: 'utf8' })).toBe('c');
    // Go's records: "<length> path=<name>\n" in a file PaxHeaders.0/<name> of type x.
    expect(blob.includes(Buffer.from(`143 path=${unsplittable}\n`))).toBe(true);
    expect(blob.includes(Buffer.from(`models/1/PaxHeaders.0/${'n'.repeat(78)}0000000\0`))).toBe(true);
    expect(blob.includes(Buffer.from(`32 path=${accented}\n`, 'utf8'))).toBe(true);
  });

  test('GIVEN a file of 8 GiB or more THEN a PAX size record, and size 0 in the header (as buildah 1.28 writes it)', () => {
    const size = 9 * 1024 ** 3 + 5;
    const header = tarHeader({ name: 'models/1/big.bin', type: 'file', mode: 0o444, size });
    expect(header.length).toBe(3 * BLOCK);
    expect(header.subarray(0, 30).toString('latin1').replace(/\0+$/, '')).toBe('models/1/PaxHeaders.0/big.bin');
    expect(header[156]).toBe('x'.charCodeAt(0));
    expect(header.subarray(BLOCK, BLOCK + 20).toString('latin1')).toBe(`19 size=${size}\n\0`);
    const main = header.subarray(2 * BLOCK);
    expect(main.subarray(124, 136).toString('latin1')).toBe('00000000000\0');
    // Every block's checksum holds: the unsigned sum of its bytes, the checksum field counted as spaces.
    for (const block of [header.subarray(0, BLOCK), main]) {
      const sum = [...block].reduce((s, b, i) => s + (i >= 148 && i < 156 ? 0x20 : b), 0);
      expect(block.subarray(148, 156).toString('latin1')).toBe(`${sum.toString(8).padStart(6, '0')}\0 `);
    }
  });

  test('GIVEN a file that grows while it is read THEN an error naming it; nothing is written past it', async () => {
    const root = context({ 'models/x.bin': Buffer.alloc(10) });
    const file = path.join(root, 'models', 'x.bin');
    await expect(
      writeLayer(
        contextLayerFiles(root, ['models/x.bin']),
        async (write) => {
          fs.appendFileSync(file, 'more');
          await toFile(path.join(root, 'blob'))(write);
        },
        { compression: 'none' },
      ),
    ).rejects.toThrow(`${file} became longer while it was read (more than 10 bytes); stage it again`);
  });

  test('GIVEN an aborted signal THEN the stream stops with an AbortedError', async () => {
    const root = context({ 'models/x.bin': randomBytes(100) });
    const controller = new AbortController();
    controller.abort('SIGINT');
    await expect(writeLayer(contextLayerFiles(root, ['models/x.bin']), toFile(path.join(root, 'blob')), { compression: 'none', signal: controller.signal })).rejects.toThrow('aborted (SIGINT)');
  });
});
