/**
 * The digest cache of synth (`$XDG_CACHE_HOME/modelcar/file-digests.json`): a digest is kept with the state its file
 * had before it was read, and the cache is read and written in the user's own folder only, never through a link.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DigestCache, digestCacheFile } from '../../src/pipeline/digest-cache';
import { tempDir } from '../support/temp';
import { sha256 } from '../support/digest';

function setup(): { env: NodeJS.ProcessEnv; file: string; cacheFile: string } {
  const dir = tempDir('modelcar-digests-');
  const file = path.join(dir, 'model.bin');
  fs.writeFileSync(file, 'weights, first');
  const env = { XDG_CACHE_HOME: path.join(dir, 'cache') };
  return { env, file, cacheFile: digestCacheFile(env) };
}

/** Hashes a file through the cache, as synth does: the remembered digest, else the file's, remembered. */
function digestOf(cache: DigestCache, file: string): { sha256: string; hashed: boolean } {
  const found = cache.find(file)!;
  if (found.sha256 !== undefined) return { sha256: found.sha256, hashed: false };
  const digest = sha256(fs.readFileSync(found.real));
  cache.remember(found, digest);
  return { sha256: digest, hashed: true };
}

test('GIVEN a file hashed once THEN the next run takes its digest from the cache, written 0600 in a 0700 folder', () => {
  const { env, file, cacheFile } = setup();
  const first = DigestCache.open(env);
  expect(digestOf(first, file)).toStrictEqual({ sha256: sha256('weights, first'), hashed: true });
  first.save();
  expect(fs.statSync(cacheFile).mode & 0o777).toBe(0o600);
  expect(fs.statSync(path.dirname(cacheFile)).mode & 0o777).toBe(0o700);
  expect(digestOf(DigestCache.open(env), file)).toStrictEqual({ sha256: sha256('weights, first'), hashed: false });
});

test('GIVEN a file written to while it is hashed THEN its digest is kept with the state it had before, and the next run hashes it again', () => {
  const { env, file } = setup();
  const cache = DigestCache.open(env);
  const found = cache.find(file)!;
  const digest = sha256(fs.readFileSync(found.real));
  // The file changes between the read and the record (another process writing it): same size, a new mtime.
  fs.writeFileSync(file, 'weights, other');
  fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
  cache.remember(found, digest);
  cache.save();
  expect(digestOf(DigestCache.open(env), file)).toStrictEqual({ sha256: sha256('weights, other'), hashed: true });
});

test('GIVEN a cache folder others can write to (XDG_CACHE_HOME=/tmp on a shared machine) THEN its digests are not read, and nothing is written there', () => {
  const { env, file, cacheFile } = setup();
  const honest = DigestCache.open(env);
  digestOf(honest, file);
  honest.save();
  // Someone else's digest for the file, in a folder they can write to.
  const planted = fs.readFileSync(cacheFile, 'utf8').replace(sha256('weights, first'), 'e'.repeat(64));
  fs.writeFileSync(cacheFile, planted);
  fs.chmodSync(path.dirname(cacheFile), 0o777);
  const cache = DigestCache.open(env);
  expect(digestOf(cache, file)).toStrictEqual({ sha256: sha256('weights, first'), hashed: true });
  cache.save();
  expect(fs.readFileSync(cacheFile, 'utf8')).toBe(planted);
  expect(fs.readdirSync(path.dirname(cacheFile))).toStrictEqual(['file-digests.json']);
});

test('GIVEN a cache file that is a symbolic link THEN it is not read, and saving replaces the link without writing through it', () => {
  const { env, file, cacheFile } = setup();
  const elsewhere = path.join(path.dirname(file), 'elsewhere.json');
  const found = DigestCache.open(env).find(file)!;
  const text = JSON.stringify({ version: 1, files: { [found.real]: { size: found.size, mtimeNs: found.mtimeNs, ino: found.ino, dev: found.dev, sha256: 'e'.repeat(64) } } });
  fs.writeFileSync(elsewhere, text);
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
  fs.symlinkSync(elsewhere, cacheFile);
  const cache = DigestCache.open(env);
  expect(digestOf(cache, file)).toStrictEqual({ sha256: sha256('weights, first'), hashed: true });
  cache.save();
  expect(fs.readFileSync(elsewhere, 'utf8')).toBe(text);
  expect(fs.lstatSync(cacheFile).isFile()).toBe(true);
});

test('GIVEN a link planted at the temporary name of the cache file THEN saving does not write through it', () => {
  const { env, file, cacheFile } = setup();
  const victim = path.join(path.dirname(file), 'victim.txt');
  fs.writeFileSync(victim, 'not the cache\n');
  fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 });
  fs.symlinkSync(victim, `${cacheFile}.${process.pid}.tmp`);
  const cache = DigestCache.open(env);
  digestOf(cache, file);
  cache.save();
  expect(fs.readFileSync(victim, 'utf8')).toBe('not the cache\n');
  expect(digestOf(DigestCache.open(env), file)).toStrictEqual({ sha256: sha256('weights, first'), hashed: false });
  expect(fs.readdirSync(path.dirname(cacheFile))).toStrictEqual(['file-digests.json']);
});
