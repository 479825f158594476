/**
 * The one way modelcar reaches the files of a folder it owns (the output folder, a build context, the secrets
 * folder): by path relative to the folder, never following a symbolic link and never crossing into another
 * filesystem.
 *
 * Checkouts are changed by pull requests, so anything in them may be a symbolic link: `dist/images` pointing at the
 * home folder, a build context's `models/` pointing at `.git`. Checking paths as text (`path.resolve`) does not see
 * that. Here every folder on the way from the root to an entry is looked at with `lstat`: a symbolic link or a mount
 * point on the way is refused, with an error that names it; the entry itself is opened with `O_NOFOLLOW`, so a link
 * there is never followed either (it can be replaced: renaming over it, or unlinking it, leaves its target alone).
 *
 * What this cannot do: Node has no `openat`, so a folder swapped for a link between the check and the use (by
 * another process, while modelcar runs) is not seen. The threat is a hostile tree, which is in place before modelcar
 * starts; concurrent runs of modelcar itself are kept apart by {@link lockFolder}.
 *
 * Owners: run as root on a user's checkout (a container with the checkout mounted, `sudo`), the files and folders
 * modelcar makes get the owner of the folder that holds them, so the user can still change and remove them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from './errors';

/** Open flags: read a file, never through a symbolic link. */
export const READ_NOFOLLOW = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;
/** Open flags: create a new file (never an existing one, never through a symbolic link), for writing. */
export const CREATE_NOFOLLOW = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/** Why a path under a safe folder cannot be used: a symbolic link or a mount point on the way, or in place of a file. */
export class UnsafePathError extends UserError {
  constructor(
    message: string,
    /** The path of the link or mount point, as messages show it. */
    public readonly at: string,
  ) {
    super(message);
  }
}

/** Options of {@link SafeFolder.open}. */
export interface SafeFolderOptions {
  /** How messages name the folder (e.g. `dist`, as the user gave it). @default - its real path */
  readonly shown?: string;
  /** What the folder is, for messages: `output folder`, `secrets folder`. @default 'folder' */
  readonly what?: string;
  /** Create the folder (and missing folders above it) when it does not exist, with this mode. @default - not created */
  readonly create?: number;
}

/** The set-group-ID bit of a folder's mode: files made in it get the folder's group. */
const SET_GROUP_ID = 0o2000;

/** Whether this process runs as root, and so must hand new files to the owner of their folder. */
function isRoot(): boolean {
  return process.geteuid?.() === 0;
}

/**
 * A folder whose entries are reached without following symbolic links or crossing mount points. The folder itself
 * may be reached through links (`dist -> /data/dist` is the user's choice): it is resolved once, when opened.
 */
export class SafeFolder {
  /**
   * Opens a folder. Throws a {@link UserError} when it exists and is not a folder, and, unless `create`, returns
   * undefined when it does not exist.
   */
  public static open(dir: string, options: SafeFolderOptions & { create: number }): SafeFolder;
  public static open(dir: string, options?: SafeFolderOptions): SafeFolder | undefined;
  public static open(dir: string, options: SafeFolderOptions = {}): SafeFolder | undefined {
    const resolved = path.resolve(dir);
    let real: string;
    try {
      real = fs.realpathSync(resolved);
    } catch (e: any) {
      if (e.code !== 'ENOENT') throw new UserError(`${options.shown ?? resolved}: ${systemText(e)}`);
      if (options.create === undefined) return undefined;
      real = makeFolders(resolved, options.create);
    }
    const stat = fs.statSync(real);
    if (!stat.isDirectory()) throw new UserError(`${options.shown ?? resolved} exists and is not a folder`, 2);
    return new SafeFolder(real, options.shown ?? real, options.what ?? 'folder', stat);
  }

  /** Folders below the root already checked (relative paths, '' for the root). */
  private readonly verified = new Set<string>(['']);
  /** Owners of folders, for the files made in them (only when running as root). */
  private readonly owners = new Map<string, { uid: number; gid: number; differs: boolean }>();

  private constructor(
    /** The folder's real path (no symbolic link in it). */
    public readonly path: string,
    /** How messages name the folder. */
    public readonly shown: string,
    private readonly what: string,
    private readonly stat: fs.Stats,
  ) {}

  /** The device of the folder: every entry below it must be on it. */
  public get dev(): number {
    return this.stat.dev;
  }

  /** The absolute path of a relative path (`/`-separated) below the folder. Not checked: see {@link check}. */
  public full(rel: string): string {
    return rel === '' ? this.path : path.join(this.path, ...rel.split('/'));
  }

  /** How messages show a relative path: below the folder's shown name. */
  public show(rel: string): string {
    return rel === '' ? this.shown : `${this.shown}/${rel}`;
  }

  /**
   * Checks that every folder on the way to `rel` (not `rel` itself) is a folder on this filesystem, not a symbolic
   * link or a mount point, and returns the absolute path of `rel`. Folders that do not exist yet are fine (returns
   * with `missing` set to the first of them).
   */
  public check(rel: string): { full: string; missing?: string } {
    const parts = split(rel);
    let at = '';
    for (let i = 0; i < parts.length - 1; i++) {
      at = at ? `${at}/${parts[i]}` : parts[i]!;
      if (this.verified.has(at)) continue;
      const stat = this.lstatRaw(at);
      if (stat === undefined) return { full: this.full(rel), missing: at };
      this.refuseUnsafe(at, stat, 'folder');
      if (!stat.isDirectory()) throw new UserError(`${this.show(at)} is a file, where modelcar needs a folder (for ${this.show(rel)})`);
      this.verified.add(at);
    }
    return { full: this.full(rel) };
  }

  /**
   * The entry at `rel` (not followed: a symbolic link is returned as one), or undefined when there is none. Throws
   * an {@link UnsafePathError} for a link or mount point on the way.
   */
  public lstat(rel: string): fs.Stats | undefined {
    if (this.check(rel).missing !== undefined) return undefined;
    return this.lstatRaw(rel);
  }

  /** Whether an entry (its lstat) is on another filesystem than the folder: a mount point, or below one. */
  public isMountPoint(stat: fs.Stats): boolean {
    return stat.dev !== this.stat.dev;
  }

  /**
   * Reads a regular file, never through a symbolic link. Undefined when there is none; `{ link }` when the entry is
   * a symbolic link (its target, as stored in the link, for messages: the target is not read).
   */
  public read(rel: string): { data: Buffer; stat: fs.Stats } | { link: string } | undefined {
    if (this.check(rel).missing !== undefined) return undefined;
    let fd: number;
    try {
      fd = fs.openSync(this.full(rel), READ_NOFOLLOW);
    } catch (e: any) {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
      if (e.code === 'ELOOP' || e.code === 'EMLINK') return { link: this.readlink(rel) };
      throw e;
    }
    try {
      const stat = fs.fstatSync(fd);
      if (stat.isDirectory()) throw new UserError(`${this.show(rel)} is a folder, where modelcar writes a file`);
      if (!stat.isFile()) throw new UserError(`${this.show(rel)} is neither a file nor a folder (a device, socket or pipe); modelcar reads and writes only files here: remove it`);
      if (stat.dev !== this.stat.dev) throw this.mountError(rel);
      return { data: fs.readFileSync(fd), stat };
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The target stored in a symbolic link (for messages; never followed). */
  public readlink(rel: string): string {
    try {
      return fs.readlinkSync(this.full(rel));
    } catch {
      return '?';
    }
  }

  /**
   * The entries of a folder below the root, sorted by name; undefined when it does not exist. The folder itself must
   * not be a link or a mount point.
   */
  public list(rel: string): fs.Dirent[] | undefined {
    const stat = this.lstat(rel);
    if (stat === undefined) return undefined;
    if (rel !== '') this.refuseUnsafe(rel, stat, 'folder');
    if (!stat.isDirectory()) return undefined;
    const entries = fs.readdirSync(this.full(rel), { withFileTypes: true });
    for (const e of entries) refuseUndecodableName(e.name, this.show(rel));
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Makes the folders of `rel` (itself included) that are missing, each with `mode` and the owner of the folder
   * that holds it. Refuses links and mount points on the way, and files where a folder is needed.
   */
  public makeFolders(rel: string, mode = 0o755): void {
    const parts = split(rel);
    let at = '';
    for (const part of parts) {
      const parent = at;
      at = at ? `${at}/${part}` : part;
      if (this.verified.has(at)) continue;
      let stat = this.lstatRaw(at);
      if (stat === undefined) {
        try {
          fs.mkdirSync(this.full(at), { mode });
        } catch (e: any) {
          if (e.code !== 'EEXIST') throw e;
        }
        stat = this.lstatRaw(at)!;
        if (stat.isDirectory() && !stat.isSymbolicLink()) this.adopt(this.full(at), parent, stat);
      }
      this.refuseUnsafe(at, stat, 'folder');
      if (!stat.isDirectory()) throw new UserError(`${this.show(at)} is a file, where modelcar needs a folder`);
      this.verified.add(at);
    }
  }

  /**
   * Creates a new file (failing with EEXIST when there is an entry at `rel`), writes it and gives it `mode` (whatever
   * the umask) and the owner of its folder. Never follows a link: the caller unlinks an old entry first.
   */
  public createFile(rel: string, data: string | Buffer, mode: number): void {
    this.makeFolders(parentOf(rel));
    const full = this.full(rel);
    const fd = fs.openSync(full, CREATE_NOFOLLOW, mode);
    try {
      this.giveModeAndOwner(fd, rel, mode);
      fs.writeFileSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Writes a file in place of whatever entry is at `rel` (a file, a symbolic link: replaced, never followed): a new
   * file beside it (`.<name>.<pid>.tmp`), renamed over it once complete. A folder at `rel` is refused.
   */
  public replaceFile(rel: string, data: string | Buffer, mode: number): void {
    const existing = this.lstat(rel);
    if (existing?.isDirectory()) throw new UserError(`${this.show(rel)} is a folder, where modelcar writes a file`);
    const temp = tempName(rel);
    this.removeEntry(temp);
    try {
      this.createFile(temp, data, mode);
      fs.renameSync(this.full(temp), this.full(rel));
    } catch (e) {
      this.removeEntry(temp);
      throw e;
    }
  }

  /**
   * Gives a just-created file its exact mode (the umask may have taken bits away) and, as root, its folder's owner.
   * Whether the umask takes bits away is found once per mode (on the first file), and whom a new file belongs to
   * is known from the folder: most files cost no extra system call.
   */
  public giveModeAndOwner(fd: number, rel: string, mode: number): void {
    let chmod = this.modeNeedsChmod.get(mode);
    if (chmod === undefined) {
      chmod = (fs.fstatSync(fd).mode & 0o7777) !== mode;
      this.modeNeedsChmod.set(mode, chmod);
    }
    if (chmod) fs.fchmodSync(fd, mode);
    const owner = this.ownerOf(parentOf(rel));
    if (owner?.differs) fs.fchownSync(fd, owner.uid, owner.gid);
  }

  /** Modes the umask takes bits away from (found on the first file of each mode). */
  private readonly modeNeedsChmod = new Map<number, boolean>();

  /** As root: gives an entry just made in folder `parent` (relative) the owner of that folder. */
  public adopt(full: string, parent: string, stat?: fs.Stats): void {
    const owner = this.ownerOf(parent);
    if (!owner) return;
    const s = stat ?? fs.lstatSync(full);
    if (s.uid !== owner.uid || s.gid !== owner.gid) fs.lchownSync(full, owner.uid, owner.gid);
  }

  /**
   * The owner new entries of a folder get, when running as root (undefined otherwise), and whether it differs from
   * the one the system gives them (root, and the folder's group when it is set-group-ID, else root's group).
   */
  private ownerOf(rel: string): { uid: number; gid: number; differs: boolean } | undefined {
    if (!isRoot()) return undefined;
    let owner = this.owners.get(rel);
    if (!owner) {
      const s = rel === '' ? this.stat : fs.lstatSync(this.full(rel));
      const gid = s.mode & SET_GROUP_ID ? s.gid : process.getegid!();
      owner = { uid: s.uid, gid: s.gid, differs: s.uid !== process.geteuid!() || s.gid !== gid };
      this.owners.set(rel, owner);
    }
    return owner;
  }

  /**
   * Removes the entry at `rel` when it is a file or a symbolic link (the link itself: its target is left alone);
   * does nothing when there is none. A folder is refused (see {@link removeTree}).
   */
  public removeEntry(rel: string): void {
    const stat = this.lstat(rel);
    if (stat === undefined) return;
    if (stat.isDirectory()) throw new UserError(`${this.show(rel)} is a folder, where modelcar expected a file of its own`);
    fs.unlinkSync(this.full(rel));
  }

  /** Removes an empty folder; false (and nothing removed) when it is not empty or is not a plain folder. */
  public removeEmptyFolder(rel: string): boolean {
    const stat = this.lstat(rel);
    if (stat === undefined || !stat.isDirectory() || stat.isSymbolicLink() || this.isMountPoint(stat)) return false;
    try {
      fs.rmdirSync(this.full(rel));
      this.verified.delete(rel);
      return true;
    } catch (e: any) {
      if (e.code === 'ENOTEMPTY' || e.code === 'EEXIST') return false;
      throw e;
    }
  }

  /**
   * Removes a folder and everything in it, never following a link (links are removed as links) and never entering
   * a mount point (refused, before anything is removed). Nothing happens when there is nothing at `rel`.
   */
  public removeTree(rel: string): void {
    const stat = this.lstat(rel);
    if (stat === undefined) return;
    if (!stat.isDirectory()) {
      fs.unlinkSync(this.full(rel));
      return;
    }
    this.refuseMounts(rel);
    removeTreeAt(this.full(rel));
    for (const c of [...this.verified]) if (c === rel || c.startsWith(`${rel}/`)) this.verified.delete(c);
  }

  /** Refuses (before anything is done) a folder that holds a mount point, or is one. */
  public refuseMounts(rel: string): void {
    const walk = (at: string): void => {
      const stat = this.lstatRaw(at)!;
      if (this.isMountPoint(stat)) throw this.mountError(at);
      if (!stat.isDirectory()) return;
      for (const e of fs.readdirSync(this.full(at), { withFileTypes: true })) if (e.isDirectory()) walk(at ? `${at}/${e.name}` : e.name);
    };
    walk(rel);
  }

  /** Renames an entry within the folder (the last segment of each path is not followed). */
  public rename(from: string, to: string): void {
    this.check(from);
    this.makeFolders(parentOf(to));
    fs.renameSync(this.full(from), this.full(to));
  }

  /** Raises the error for a link or mount point at `rel` where modelcar needs a `kind` of its own. */
  public refuseUnsafe(rel: string, stat: fs.Stats, kind: 'folder' | 'file'): void {
    if (stat.isSymbolicLink()) throw this.linkError(rel, kind);
    if (this.isMountPoint(stat)) throw this.mountError(rel);
  }

  /** The error for a symbolic link where modelcar needs a folder or file of its own. */
  public linkError(rel: string, kind: 'folder' | 'file'): UnsafePathError {
    return new UnsafePathError(
      `${this.show(rel)} is a symbolic link (to ${this.readlink(rel)}), where modelcar needs a ${kind} of its own in its ${this.what}; ` +
        `modelcar never reads, writes or deletes through links there: replace the link with a ${kind}, or remove it`,
      this.show(rel),
    );
  }

  /** The error for a mount point inside the folder. */
  public mountError(rel: string): UnsafePathError {
    return new UnsafePathError(
      `${this.show(rel)} is a mount point (another filesystem) inside the ${this.what}; modelcar never reads, writes or deletes across one there: unmount it, or choose another ${this.what}`,
      this.show(rel),
    );
  }

  private lstatRaw(rel: string): fs.Stats | undefined {
    try {
      return fs.lstatSync(this.full(rel));
    } catch (e: any) {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return undefined;
      throw e;
    }
  }
}

/** `a/b/c` -> `['a', 'b', 'c']`; refuses `.`, `..` and empty segments, which a relative path of modelcar never has. */
function split(rel: string): string[] {
  if (rel === '') return [];
  const parts = rel.split('/');
  if (rel.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) {
    throw new UserError(`"${rel}" is not a relative path inside the folder (no ".", ".." or empty segments)`);
  }
  return parts;
}

/** The folder part of a relative path ('' for an entry of the root). */
export function parentOf(rel: string): string {
  const slash = rel.lastIndexOf('/');
  return slash === -1 ? '' : rel.slice(0, slash);
}

/** The name of the temporary file written beside `rel` and renamed over it. */
export function tempName(rel: string): string {
  const parent = parentOf(rel);
  const name = `.${rel.slice(parent ? parent.length + 1 : 0)}.${process.pid}.tmp`;
  return parent ? `${parent}/${name}` : name;
}

/**
 * Makes a folder and the missing ones above it (each new one with the owner of the folder that holds it, when
 * running as root); returns its real path.
 */
export function makeFolders(dir: string, mode: number): string {
  const resolved = path.resolve(dir);
  const missing: string[] = [];
  let existing = resolved;
  while (!fs.existsSync(existing)) {
    missing.unshift(existing);
    existing = path.dirname(existing);
  }
  let parent = fs.realpathSync(existing);
  for (const m of missing) {
    const full = path.join(parent, path.basename(m));
    fs.mkdirSync(full, { mode });
    if (isRoot()) {
      const owner = fs.statSync(parent);
      fs.lchownSync(full, owner.uid, owner.gid);
    }
    parent = full;
  }
  return parent;
}

/** Removes a tree by absolute path, lstat-based: links are removed as links, never followed. */
export function removeTreeAt(full: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(full);
  } catch (e: any) {
    if (e.code === 'ENOENT') return;
    throw e;
  }
  if (!stat.isDirectory()) {
    fs.unlinkSync(full);
    return;
  }
  for (const name of fs.readdirSync(full)) {
    refuseUndecodableName(name, full);
    removeTreeAt(path.join(full, name));
  }
  fs.rmdirSync(full);
}

/**
 * Refuses a file name that is not valid UTF-8: Node reads it with replacement characters, so the name it gives
 * names no file (or another one); modelcar would miss the file or touch the wrong one.
 */
export function refuseUndecodableName(name: string, folder: string): void {
  if (name.includes('\uFFFD')) {
    throw new UserError(`${folder} holds a file whose name is not valid UTF-8 (shown as ${JSON.stringify(name)}); modelcar cannot name it safely: rename or remove it`);
  }
}

/** A system error's text without Node's decoration: `EROFS: read-only file system, open '/x'` -> `read-only file system`. */
export function systemText(e: NodeJS.ErrnoException): string {
  const m = /^[A-Z0-9]+: ([^,]+)/.exec(e.message);
  return m ? m[1]! : e.message;
}

/**
 * Reads a whole file that must be a regular file: a FIFO, device or socket at the path (a hostile checkout can put
 * a link to `/dev/zero` or a named pipe where a config or lock file goes) is refused at once, not read forever or
 * waited on. Opened non-blocking, so that opening a FIFO does not wait for a writer. With `noFollow`, a symbolic
 * link at the path is refused too (ELOOP), for files modelcar itself writes. Throws system errors as `fs` does
 * (ENOENT, EACCES, EISDIR for a folder, ELOOP), and {@link NotRegularFileError}.
 */
export function readRegularFile(file: string, options: { noFollow?: boolean } = {}): Buffer {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (options.noFollow ? fs.constants.O_NOFOLLOW : 0));
  try {
    const stat = fs.fstatSync(fd);
    // As fs.readFileSync of a folder says it (no path: the caller names the file).
    if (stat.isDirectory()) throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR', syscall: 'read', errno: -21 });
    if (!stat.isFile()) throw new NotRegularFileError(file, stat);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** What {@link readRegularFile} throws for a path that holds a FIFO, a device or a socket. */
export class NotRegularFileError extends UserError {
  /** What is at the path: `a named pipe (FIFO)`, `a socket`, `a device`. */
  public readonly kind: string;
  constructor(
    public readonly file: string,
    stat: fs.Stats,
  ) {
    const kind = stat.isFIFO() ? 'a named pipe (FIFO)' : stat.isSocket() ? 'a socket' : 'a device';
    super(`${file}: is ${kind}, not a file; modelcar reads only regular files here`);
    this.kind = kind;
  }
}
