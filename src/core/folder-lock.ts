/**
 * One modelcar at a time per output folder. Two runs of synth into one folder would each build a new tree from the
 * old one and swap it in: the second swap loses what the first wrote (and a file the user added in between). stage
 * and build read and write the build contexts synth swaps. So each takes the folder's lock: a file beside the folder
 * (`.dist.modelcar-lock`; beside, because synth replaces the folder itself), created exclusively (`O_EXCL`), holding
 * the process ID and the command. A second run fails at once with a message naming the holder; a lock left by a
 * process that no longer runs (killed with SIGKILL, a machine that went down) is taken over.
 */
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from './errors';
import { onInterrupt } from './interrupts';
import { CREATE_NOFOLLOW, READ_NOFOLLOW, makeFolders, systemText } from './safe-fs';

/** A lock held on a folder; {@link release} it when done (also on errors). */
export interface FolderLock {
  /** The lock file. */
  readonly file: string;
  /** Removes the lock file (if it is still this process's). */
  release(): void;
}

/** The lock file of a folder: `.<name>.modelcar-lock` beside it. */
export function lockFileOf(dir: string): string {
  const real = realOrResolved(dir);
  return path.join(path.dirname(real), `.${path.basename(real)}.modelcar-lock`);
}

/** A folder's real path, or for one that does not exist yet, its nearest existing folder's real path and the rest. */
export function realOrResolved(dir: string): string {
  const resolved = path.resolve(dir);
  const rest: string[] = [];
  let at = resolved;
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest);
    } catch (e: any) {
      if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') return resolved;
      if (at === path.dirname(at)) return resolved;
      rest.unshift(path.basename(at));
      at = path.dirname(at);
    }
  }
}

/** Options of {@link lockFolder}. */
export interface LockOptions {
  /** The command, named in the lock file and in the message another run gives. */
  readonly command: string;
  /** How messages name the folder. @default - its path */
  readonly shown?: string;
  /**
   * A command that only reads (`synth --check`): where the lock cannot be written (a read-only checkout), it runs
   * without one instead of failing. @default false
   */
  readonly readOnly?: boolean;
}

/**
 * Takes the lock of a folder (which need not exist yet; the folder that holds it must, or is made). Throws a
 * {@link UserError} naming the process that holds it.
 */
export function lockFolder(dir: string, options: LockOptions): FolderLock {
  const file = lockFileOf(dir);
  const shown = options.shown ?? dir;
  const content = `${process.pid}\n${options.command}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      // The folder that holds the output folder: made (with its owner's owner, as root) when missing.
      if (!fs.existsSync(path.dirname(file))) makeFolders(path.dirname(file), 0o755);
      fd = fs.openSync(file, CREATE_NOFOLLOW, 0o644);
    } catch (e: any) {
      if (e.code === 'EEXIST') {
        takeOverIfStale(file, shown);
        continue;
      }
      if (options.readOnly && ['EROFS', 'EACCES', 'EPERM'].includes(e.code)) return { file, release: () => undefined };
      throw new UserError(`cannot lock ${shown} (${file}): ${systemText(e)}`);
    }
    let stat: fs.Stats;
    try {
      fs.writeFileSync(fd, content);
      stat = fs.fstatSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      unregister();
      try {
        // Only our own lock: the same file as created (an inode number can be reused), with our content.
        const now = readLock(file);
        if (now.stat.ino === stat.ino && now.stat.dev === stat.dev && now.text === content) fs.unlinkSync(file);
      } catch {
        // already gone
      }
    };
    const unregister = onInterrupt(release);
    return { file, release };
  }
  throw new UserError(`cannot lock ${shown}: ${file} keeps coming back; is another modelcar starting in a loop?`);
}

/** Removes a lock whose process no longer runs; throws the "in use" error when it runs. */
function takeOverIfStale(file: string, shown: string): void {
  let stat: fs.Stats;
  let text: string;
  try {
    ({ stat, text } = readLock(file));
  } catch (e: any) {
    if (e.code === 'ENOENT') return; // released meanwhile: try again
    if (e.code === 'ELOOP' || e.code === 'EISDIR' || e.code === 'NOT_A_FILE') throw new UserError(`${file} (the lock of ${shown}) is not a file modelcar wrote; remove it`);
    throw e;
  }
  const [pidText, command] = text.split('\n');
  const pid = Number(pidText);
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
    throw new UserError(
      `${shown} is in use by another modelcar (process ${pid}, \`modelcar ${command || '?'}\`); wait for it to finish and run again. ` +
        `If no modelcar runs, remove ${file}`,
    );
  }
  // Stale (or unreadable): remove it, if it is still the same file.
  try {
    const now = fs.lstatSync(file);
    if (now.ino === stat.ino && now.dev === stat.dev) fs.unlinkSync(file);
  } catch {
    // gone meanwhile
  }
}

/**
 * A lock file's content and identity, read from the file itself: opened without following a link (a link, or a
 * folder, in its place is not a lock: `ELOOP`, `EISDIR` or `NOT_A_FILE`), so nothing outside is ever read.
 */
function readLock(file: string): { stat: fs.Stats; text: string } {
  const fd = fs.openSync(file, READ_NOFOLLOW);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error(`${file} is not a file`), { code: 'NOT_A_FILE' });
    return { stat, text: fs.readFileSync(fd, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether a process runs (EPERM: it runs, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e: any) {
    return e.code === 'EPERM';
  }
}
