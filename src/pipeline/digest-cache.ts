/**
 * The SHA-256 of local files, remembered between runs, so that `modelcar synth` does not read every GB of a model
 * folder each time it checks the folder against the lock file. A file's digest is trusted while its real path, size,
 * modification time (ns), inode and device are unchanged, as `modelcar stage` trusts its staged files; any ordinary
 * change moves the modification time. The cache is the user's (`$XDG_CACHE_HOME/modelcar`, else
 * `~/.cache/modelcar`), never the project's: nothing of it is committed. It is best effort: a cache that cannot be
 * read or written only costs hashing again.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CREATE_NOFOLLOW, readRegularFile } from '../core/safe-fs';

/** At most this many files are remembered; the oldest are forgotten first. */
const MAX_ENTRIES = 50_000;

interface Entry {
  readonly size: string;
  readonly mtimeNs: string;
  readonly ino: string;
  readonly dev: string;
  readonly sha256: string;
}

/** The user's cache folder (XDG base directories): `XDG_CACHE_HOME`, else `~/.cache`. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
}

/** The cache file of an environment. */
export function digestCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userCacheDir(env), 'modelcar', 'file-digests.json');
}

/** Remembered digests of local files, by real path. */
export class DigestCache {
  /**
   * Reads the cache of an environment (empty when there is none, or it is damaged). A cache folder that another user
   * could write to (not the user's own, writable by group or others, a link: `XDG_CACHE_HOME=/tmp` on a shared
   * machine) is not used at all: its digests could be anyone's, and a link planted there would be written through.
   */
  public static open(env: NodeJS.ProcessEnv = process.env): DigestCache {
    const file = digestCacheFile(env);
    let entries: Record<string, Entry> = {};
    if (ownFolder(path.dirname(file))) {
      try {
        const data = JSON.parse(readRegularFile(file, { noFollow: true }).toString('utf8'));
        if (data?.version === 1 && data.files && typeof data.files === 'object') entries = data.files;
      } catch {
        // none yet, or damaged: start over
      }
    }
    return new DigestCache(file, new Map(Object.entries(entries)));
  }

  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  /**
   * A file as it is now (its real path and state), with its remembered SHA-256 when it is unchanged since; undefined
   * when it cannot be found. Give it to {@link remember} once hashed: the digest is then kept with the state the file
   * had before it was read, so that a file written to while it was hashed is hashed again next time.
   */
  public find(file: string): CachedFile | undefined {
    const key = identify(file);
    if (!key) return undefined;
    const entry = this.entries.get(key.real);
    const known = entry && entry.size === key.size && entry.mtimeNs === key.mtimeNs && entry.ino === key.ino && entry.dev === key.dev;
    return known ? { ...key, sha256: entry.sha256 } : key;
  }

  /** Remembers the SHA-256 of a file found by {@link find}, with the state it had then. */
  public remember(found: CachedFile, sha256: string): void {
    this.entries.delete(found.real);
    this.entries.set(found.real, { size: found.size, mtimeNs: found.mtimeNs, ino: found.ino, dev: found.dev, sha256 });
    this.changed = true;
  }

  /**
   * Writes the cache when it changed (atomically: a new temporary file, never opened through a link, renamed into
   * place), into the user's own folder only (see {@link open}); errors are ignored.
   */
  public save(): void {
    if (!this.changed) return;
    const keys = [...this.entries.keys()];
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) this.entries.delete(k);
    const dir = path.dirname(this.file);
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!ownFolder(dir)) return;
      fs.rmSync(temp, { force: true });
      const fd = fs.openSync(temp, CREATE_NOFOLLOW, 0o600);
      try {
        fs.writeFileSync(fd, JSON.stringify({ version: 1, files: Object.fromEntries(this.entries) }));
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temp, this.file);
      this.changed = false;
    } catch {
      fs.rmSync(temp, { force: true });
    }
  }
}

/** A file as {@link DigestCache.find} found it: its real path and state, and its remembered digest if unchanged. */
export interface CachedFile {
  readonly real: string;
  readonly size: string;
  readonly mtimeNs: string;
  readonly ino: string;
  readonly dev: string;
  /** The remembered SHA-256 (hex), when the file is unchanged since it was hashed. */
  readonly sha256?: string;
}

/** Whether a folder is the user's alone: a folder (not a link), owned by the user, not writable by group or others. */
function ownFolder(dir: string): boolean {
  try {
    const s = fs.lstatSync(dir);
    const uid = process.getuid?.();
    return s.isDirectory() && (uid === undefined || s.uid === uid) && (s.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function identify(file: string): CachedFile | undefined {
  try {
    const real = fs.realpathSync.native(file);
    const s = fs.statSync(real, { bigint: true });
    return { real, size: String(s.size), mtimeNs: String(s.mtimeNs), ino: String(s.ino), dev: String(s.dev) };
  } catch {
    return undefined;
  }
}
