/**
 * Local files hashed and copied (src/pipeline/file-hash.ts): small files in one synchronous read into a shared
 * buffer, larger ones in chunks; both give the digest of every byte, report progress, and never follow a link.
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AbortedError } from '../../src/core/interrupts';
import { CHUNK_BYTES, SMALL_FILE_BYTES, copyWithHash, hashFile } from '../../src/pipeline/file-hash';
import { tempDir } from '../support/temp';
import { sha256 } from '../support/digest';

const dir = tempDir('modelcar-file-hash-');

/** A file of `size` random bytes; returns its path and content. */
function file(name: string, size: number): { file: string; data: Buffer } {
  const data = randomBytes(size);
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return { file: p, data };
}

describe('hashFile', () => {
  test.each([0, 1, SMALL_FILE_BYTES - 1, SMALL_FILE_BYTES, SMALL_FILE_BYTES + 1, 2 * CHUNK_BYTES + 5])('GIVEN a file of %d bytes THEN the SHA-256 of all of it, its size, and progress up to its size', async (size) => {
    const { file: p, data } = file(`f-${size}`, size);
    const seen: number[] = [];
    const result = await hashFile(p, { onProgress: (b) => seen.push(b) });
    expect(result).toStrictEqual({ sha256: sha256(data), bytes: size });
    expect(seen.length === 0 ? 0 : seen[seen.length - 1]).toBe(size);
  });

  test('GIVEN many small files hashed at once THEN each gets its own digest (the shared buffer is never read by two)', async () => {
    const files = Array.from({ length: 200 }, (_, i) => file(`many-${i}`, 1 + ((i * 7919) % 5000)));
    const results = await Promise.all(files.map((f) => hashFile(f.file)));
    expect(results.map((r) => r.sha256)).toStrictEqual(files.map((f) => sha256(f.data)));
  });

  test.each([10, SMALL_FILE_BYTES + 10])('GIVEN a symbolic link to a file of %d bytes THEN it is refused, not followed', async (size) => {
    const { file: target } = file(`target-${size}`, size);
    const link = path.join(dir, `link-${size}`);
    fs.symlinkSync(target, link);
    await expect(hashFile(link)).rejects.toMatchObject({ code: 'ELOOP' });
  });

  test('GIVEN a FIFO where a file was THEN refused at once as not a regular file (never waiting for a writer)', async () => {
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await expect(hashFile(fifo)).rejects.toMatchObject({ code: 'EINVAL', syscall: 'open', message: `EINVAL: not a regular file, open '${fifo}'` });
  });

  test('GIVEN an aborted signal THEN AbortedError, for a small file and a large one', async () => {
    const controller = new AbortController();
    controller.abort('SIGINT');
    for (const size of [10, SMALL_FILE_BYTES + 10]) {
      const { file: p } = file(`aborted-${size}`, size);
      await expect(hashFile(p, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    }
  });
});

describe('copyWithHash', () => {
  test.each([0, 7, SMALL_FILE_BYTES + 3])('GIVEN a file of %d bytes THEN a byte-identical copy (mode 0644) and the SHA-256 of it', async (size) => {
    const { file: p, data } = file(`copy-src-${size}`, size);
    const to = path.join(dir, `copy-dst-${size}`);
    expect(await copyWithHash(p, to)).toStrictEqual({ sha256: sha256(data), bytes: size });
    expect(fs.readFileSync(to).equals(data)).toBe(true);
    expect((fs.statSync(to).mode & 0o777).toString(8)).toBe((0o644 & ~process.umask()).toString(8));
  });
});
