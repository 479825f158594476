/**
 * modelcar's package as a user gets it: `npm pack` of a fresh copy of the sources (its prepack step builds lib/
 * afresh), with npm offline, from the developer's package cache (the only thing of their machine the tests use).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { NPM_CACHE_VARIABLE, NPM_REGISTRY_VARIABLE } from './hermetic';

const ROOT = path.resolve(__dirname, '..', '..');

/** The checkout's package.json. */
export const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** The file name `npm pack` gives the package. */
export const TARBALL = `modelcar-${PKG.version}.tgz`;

/** What the package is built from: package.json's `files` and what tsc compiles (tsconfig.json's include). */
const SOURCES = ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'LICENSE', 'src', 'imports', 'tools', 'examples'];

/** npm, offline, with the developer's package cache. */
export function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const registry = process.env[NPM_REGISTRY_VARIABLE];
  const options = ['--offline', '--no-audit', '--no-fund', '--no-update-notifier', `--cache=${process.env[NPM_CACHE_VARIABLE]}`, ...(registry ? [`--registry=${registry}`] : [])];
  return spawnSync('npm', [...args, ...options], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/** Returns a result of npm when it exited 0; throws with its output otherwise. */
export function npmSucceeded(r: SpawnSyncReturns<string>, what: string): SpawnSyncReturns<string> {
  if (r.status === 0) return r;
  if (/ENOTCACHED/.test(r.stderr)) throw new Error(`npm's cache (${process.env[NPM_CACHE_VARIABLE]}) lacks modelcar's dependencies: run \`npm ci\` in the checkout first\n${r.stderr}`);
  throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/**
 * Copies the sources into `<work>/source` (node_modules linked to the checkout's) and packs them there into
 * `<work>/<TARBALL>`. Returns what `npm pack --json` says of the package (its files among it).
 */
export function packModelcar(work: string): { files: { path: string }[] } {
  const source = path.join(work, 'source');
  for (const entry of SOURCES) fs.cpSync(path.join(ROOT, entry), path.join(source, entry), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(source, 'node_modules'));
  const r = npmSucceeded(npm(['pack', '--json', `--pack-destination=${work}`], source), 'npm pack');
  return JSON.parse(r.stdout)[0];
}
