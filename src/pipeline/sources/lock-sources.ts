/**
 * The record of the sources that hold many files, in the lock file next to the config (`sources`): each file of a
 * local folder with its SHA-256, and each file of a hub repository at the commit its revision stands for. `modelcar
 * synth` makes the record before it synthesizes, so that a changed, added or removed file of a folder changes the
 * image's inputs (storageUri then keeps the tag until the image is pushed again), and so that a hub repository's
 * files are known without asking the hub again. `synth --check` compares without writing and without the network,
 * and names each file that no longer matches.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, Diagnostic } from '../../core/errors';
import { checkRepoId, checkRevision, hubSourceKey } from '../../core/hub';
import { listFolder } from '../../core/model-files';
import { LoadedConfig, loadConfig } from '../../config/load';
import { environmentNames, resolveEnvironment } from '../../config/environments';
import { checkLocalSource } from '../../config/local-paths';
import { own, setOwn } from '../../core/records';
import { DigestCache } from '../digest-cache';
import { ImageLock, LockSources, LockedFile, LockedFolder, LockedHubSource, SourcePins, folderKey, recordSources } from '../lock';
import { formatBytes } from '../progress';
import { hashFile } from '../file-hash';
import type { HubClient } from './hub-client';

/** The hub's client, loaded when a config has a hub source (it brings the HTTP client and its proxy agents). */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
const hubClient = (): typeof import('./hub-client') => require('./hub-client') as typeof import('./hub-client');

/** Options of {@link lockSources}. */
export interface LockSourcesOptions {
  /** The config file. */
  readonly config: string;
  /** Compare only: no hub requests, and {@link LockedSources.problems} lists what does not match. @default false */
  readonly check?: boolean;
  /** Where HF_ENDPOINT, HF_TOKEN, the token file, the proxies and the digest cache are found. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where lines about what is recorded go. @default - nowhere */
  readonly output?: { write(text: string): void };
  readonly signal?: AbortSignal;
  /** The hub client (its endpoint, token, retries). @default - one for `env` */
  readonly hub?: HubClient;
  /**
   * How messages name the lock file: `init` checks a temporary config beside the one it writes, whose lock file is
   * the one to name. @default - the config's lock file
   */
  readonly lockName?: string;
}

/** The sources of a config, as they are now, against the lock file. */
export interface LockedSources {
  /** The config as read (with `deferModelErrors`), for synth to use rather than read it again. */
  readonly loaded: LoadedConfig;
  /** The lock file as read (its images too), for synth to pin the images with rather than read it again. */
  readonly lock: ImageLock;
  /** The sources as they are now, for the translation of the config. */
  readonly pins: SourcePins;
  /** What differs from the lock file, one line each (`models/llm/config.json changed: ...`). */
  readonly changes: readonly string[];
  /** With `check`: the sources that do not match the lock file; empty when they all do. */
  readonly problems: readonly string[];
  /** Writes the sources into the lock file, when they changed (keeping its images). */
  write(): void;
}

/** The folder and hub sources a config uses (in any environment), with the config's folder. */
interface UsedSources {
  /** Folder key (relative to the config's folder) -> absolute path. */
  readonly folders: Map<string, string>;
  /** `repo@revision` -> repo and revision, and where the config first names it (for errors). */
  readonly hub: Map<string, { repo: string; revision: string; at: (message: string) => Diagnostic }>;
}

/**
 * Records (or, with `check`, compares) the folder and hub sources of a config against its lock file: hashes each
 * file of each folder (remembering digests between runs, see {@link DigestCache}), and lists each hub repository
 * that is not recorded yet at the commit its revision stands for. Entries the config no longer uses are dropped.
 * Nothing is written until {@link LockedSources.write}: synth writes once the output is written.
 */
export async function lockSources(options: LockSourcesOptions): Promise<LockedSources> {
  const env = options.env ?? process.env;
  const line = (text: string) => options.output?.write(`${text}\n`);
  const loaded = loadConfig(options.config, { deferModelErrors: true });
  const lock = ImageLock.forConfig(options.config);
  const lockName = options.lockName ?? path.basename(lock.file);
  const recorded: LockSources = lock.content.sources ?? { folders: {}, hub: {} };
  const used = usedSources(loaded);
  const changes: string[] = [];
  const problems: string[] = [];
  const folders: Record<string, LockedFolder> = {};
  const hub: Record<string, LockedHubSource> = {};

  const cache = used.folders.size ? DigestCache.open(env) : undefined;
  try {
    for (const [key, absolute] of [...used.folders].sort()) {
      const files = await folderFiles(absolute, cache!, options.signal, (file, size) => line(`hashing ${key}/${file} (${formatBytes(size)})`));
      setOwn(folders, key, { files });
      const before = own(recorded.folders, key);
      if (!before) {
        const message = `${key}: not recorded in ${lockName}`;
        if (options.check) problems.push(`${message}; run \`modelcar synth\` to record its ${Object.keys(files).length} files`);
        else changes.push(`${key}: recorded ${count(Object.keys(files).length, 'file')} in ${lockName}`);
        continue;
      }
      for (const difference of compareFiles(key, before.files, files)) {
        if (options.check) problems.push(`${difference}; run \`modelcar synth\` to record it (and build and push the image again)`);
        else changes.push(`${difference}; recorded in ${lockName}`);
      }
    }
  } finally {
    cache?.save();
  }

  let client: HubClient | undefined;
  const hubProblems: Diagnostic[] = [];
  try {
    for (const [key, { repo, revision, at }] of [...used.hub].sort()) {
      const before = own(recorded.hub, key);
      if (before) {
        setOwn(hub, key, before);
        continue;
      }
      if (options.check) {
        problems.push(`${key}: not recorded in ${lockName}; run \`modelcar synth\`, which lists its files through the hub's API`);
        continue;
      }
      client ??= options.hub ?? new (hubClient().HubClient)({ env, signal: options.signal });
      line(`listing ${key} on ${client.endpoint}${client.token.from ? ` (token from ${client.token.from})` : ''}`);
      let snapshot;
      try {
        snapshot = await client.snapshot(repo, revision, (file) => line(`  hashing ${file} (not in LFS: its SHA-256 is computed from its content)`));
      } catch (e) {
        if (!(e instanceof hubClient().HubError)) throw e;
        // Offline, say: the record is made once, where the hub can be reached, and committed (builds in the cluster carry it).
        const offline = e.unreachable ? `; ${key} is not recorded in ${lockName} yet, and synth records it from the hub's API: run \`modelcar synth\` where ${client.endpoint} can be reached (HF_ENDPOINT names a mirror), and commit ${lockName}` : '';
        hubProblems.push(at(`${e.message}${offline}`));
        continue;
      }
      const files: Record<string, LockedFile> = {};
      for (const f of snapshot.files) setOwn(files, f.path, { sha256: `sha256:${f.sha256}`, size: f.size });
      setOwn(hub, key, { commit: snapshot.commit, files });
      const total = snapshot.files.reduce((n, f) => n + f.size, 0);
      changes.push(`${key}: recorded commit ${snapshot.commit} (${count(snapshot.files.length, 'file')}, ${formatBytes(total)}) in ${lockName}`);
    }
  } finally {
    if (client && client !== options.hub) await client.close();
  }
  if (hubProblems.length) throw new ConfigError(hubProblems);

  for (const key of Object.keys(recorded.folders).filter((k) => !used.folders.has(k)).sort()) {
    (options.check ? problems : changes).push(`${key}: recorded in ${lockName} but no longer a folder of the config${options.check ? '; run `modelcar synth` to drop it' : '; dropped'}`);
  }
  for (const key of Object.keys(recorded.hub).filter((k) => !used.hub.has(k)).sort()) {
    (options.check ? problems : changes).push(`${key}: recorded in ${lockName} but no longer a repository of the config${options.check ? '; run `modelcar synth` to drop it' : '; dropped'}`);
  }

  const sources: LockSources = { folders, hub };
  const configDir = loaded.dir;
  const pins = new SourcePins(configDir, sources, lockName);
  // Outside --check every difference from the record is a line of `changes` (a folder or repository recorded,
  // changed or dropped): none means the lock file would be written as it is.
  const unchanged = changes.length === 0;
  return {
    loaded,
    lock,
    pins,
    changes,
    problems,
    write: () => {
      if (!options.check && !unchanged) recordSources(options.config, sources);
    },
  };
}

/** The folders and hub repositories the config's models use, in the config and in each of its environments. */
function usedSources(loaded: LoadedConfig): UsedSources {
  const folders = new Map<string, string>();
  const hub = new Map<string, { repo: string; revision: string; at: (message: string) => Diagnostic }>();
  const configs: LoadedConfig[] = [loaded];
  for (const env of environmentNames(loaded.config)) {
    try {
      configs.push(resolveEnvironment(loaded, env));
    } catch (e) {
      // An overlay with problems: synth reports them.
      if (!ConfigError.isConfigError(e)) throw e;
    }
  }
  for (const config of configs) {
    config.config.models.forEach((model, index) => {
      if (config.invalidModels.has(index) || !Array.isArray(model.files)) return;
      model.files.forEach((f, i) => {
        if (f.repo !== undefined) {
          const key = f.revision === undefined ? undefined : hubSourceKey(f.repo, f.revision);
          if (key && !hub.has(key) && !checkRepoId(f.repo) && !checkRevision(f.revision!)) {
            hub.set(key, { repo: f.repo, revision: f.revision!, at: (message) => config.at(['models', index, 'files', i, 'repo'], message) });
          }
        } else if (f.source !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(f.source)) {
          const absolute = path.resolve(loaded.dir, f.source);
          const key = folderKey(loaded.dir, absolute);
          // A folder the config may not use (outside its folder, or with a link that leads out) is not read: the
          // translation of the config refuses it. Each folder is walked for that once, not once per environment.
          if (!folders.has(key) && isDirectory(absolute) && !checkLocalSource(f.source, loaded.dir, loaded.config.allowPathsOutside === true)) folders.set(key, absolute);
        }
      });
    });
  }
  return { folders, hub };
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

/** Each file of a folder (as a folder source brings them) with its SHA-256 and size, hashing those not remembered. */
async function folderFiles(folder: string, cache: DigestCache, signal: AbortSignal | undefined, onHash: (file: string, size: number) => void): Promise<Record<string, LockedFile>> {
  let listed;
  try {
    listed = listFolder(folder);
  } catch {
    // A broken link or the like: synth reports it at the config entry.
    return {};
  }
  const files: Record<string, LockedFile> = {};
  for (const f of listed) {
    const found = cache.find(f.absolute);
    let sha256 = found?.sha256;
    if (sha256 === undefined) {
      onHash(f.relative, f.size);
      // The file itself: a file of a Hugging Face cache is a link into its blobs, which is never opened as a link.
      sha256 = (await hashFile(found?.real ?? fs.realpathSync(f.absolute), { signal })).sha256;
      if (found) cache.remember(found, sha256);
    }
    setOwn(files, f.relative, { sha256: `sha256:${sha256}`, size: f.size });
  }
  return files;
}

/** The files of a folder that differ from its record, one line each, naming the file. */
function compareFiles(key: string, before: Readonly<Record<string, LockedFile>>, now: Readonly<Record<string, LockedFile>>): string[] {
  const lines: string[] = [];
  for (const file of [...new Set([...Object.keys(before), ...Object.keys(now)])].sort()) {
    const a = own(before, file);
    const b = own(now, file);
    if (!a) lines.push(`${key}/${file}: added since it was recorded (${b!.sha256})`);
    else if (!b) lines.push(`${key}/${file}: removed since it was recorded`);
    else if (a.sha256 !== b.sha256) lines.push(`${key}/${file}: changed since it was recorded (now ${b.sha256}, recorded ${a.sha256})`);
  }
  return lines;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
