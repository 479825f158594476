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

/** At most this many files are remembered; the oldest are forgotten first. */
const MAX_ENTRIES = 50_000;

interface Entry {
  readonly size: string;
  readonly mtimeNs: string;
  readonly ino: string;
  readonly dev: string;
  readonly sha256: string;
}

/** The cache file of an environment. */
export function digestCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'modelcar', 'file-digests.json');
}

/** Remembered digests of local files, by real path. */
export class DigestCache {
  /** Reads the cache of an environment (empty when there is none, or it is damaged). */
  public static open(env: NodeJS.ProcessEnv = process.env): DigestCache {
    const file = digestCacheFile(env);
    let entries: Record<string, Entry> = {};
    try {
      const data = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (data?.version === 1 && data.files && typeof data.files === 'object') entries = data.files;
    } catch {
      // none yet, or damaged: start over
    }
    return new DigestCache(file, new Map(Object.entries(entries)));
  }

  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, Entry>,
  ) {}

  /** The remembered SHA-256 of a file, when the file is unchanged since; undefined otherwise. */
  public get(file: string): string | undefined {
    const key = identify(file);
    if (!key) return undefined;
    const entry = this.entries.get(key.real);
    return entry && entry.size === key.size && entry.mtimeNs === key.mtimeNs && entry.ino === key.ino && entry.dev === key.dev ? entry.sha256 : undefined;
  }

  /** Remembers the SHA-256 of a file as it is now. */
  public set(file: string, sha256: string): void {
    const key = identify(file);
    if (!key) return;
    this.entries.delete(key.real);
    this.entries.set(key.real, { size: key.size, mtimeNs: key.mtimeNs, ino: key.ino, dev: key.dev, sha256 });
    this.changed = true;
  }

  /** Writes the cache when it changed (atomically: a temporary file renamed into place); errors are ignored. */
  public save(): void {
    if (!this.changed) return;
    const keys = [...this.entries.keys()];
    for (const k of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) this.entries.delete(k);
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      fs.writeFileSync(temp, JSON.stringify({ version: 1, files: Object.fromEntries(this.entries) }), { mode: 0o600 });
      fs.renameSync(temp, this.file);
      this.changed = false;
    } catch {
      fs.rmSync(temp, { force: true });
    }
  }
}

function identify(file: string): { real: string; size: string; mtimeNs: string; ino: string; dev: string } | undefined {
  try {
    const real = fs.realpathSync(file);
    const s = fs.statSync(real, { bigint: true });
    return { real, size: String(s.size), mtimeNs: String(s.mtimeNs), ino: String(s.ino), dev: String(s.dev) };
  } catch {
    return undefined;
  }
}
