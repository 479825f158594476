/**
 * Real mount points for tests of what modelcar does at a filesystem boundary (a tmpfs mounted inside dist/, a
 * read-only bind mount, a full disk). Mounting needs root (CAP_SYS_ADMIN), as in the CI container; elsewhere the
 * test fails and says so, it never skips.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';

/** Mounted folders, unmounted by {@link unmountAll} (call it in afterAll/afterEach). */
const mounted: string[] = [];

function mount(args: string[], dir: string): void {
  try {
    execFileSync('mount', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`this test mounts a filesystem (mount ${args.join(' ')}), which needs root (CAP_SYS_ADMIN): run the tests as root, as the CI container does (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
  mounted.push(dir);
}

/** Mounts a tmpfs at `dir` (created), e.g. with `size=64k` (a small disk that fills up) or `ro`. */
export function mountTmpfs(dir: string, options = 'size=4m'): void {
  fs.mkdirSync(dir, { recursive: true });
  mount(['-t', 'tmpfs', '-o', options, 'tmpfs', dir], dir);
}

/** Mounts `source` again at `dir` (created), read-only: the same files, which nothing can change there. */
export function bindReadOnly(source: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  mount(['--bind', source, dir], dir);
  // A bind mount takes its options on a remount.
  try {
    execFileSync('mount', ['-o', 'remount,bind,ro', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    throw new Error(`could not make the bind mount at ${dir} read-only: ${(e as Error).message.split('\n')[0]}`, { cause: e });
  }
}

/** Unmounts everything mounted here, newest first. */
export function unmountAll(): void {
  for (const dir of mounted.splice(0).reverse()) {
    try {
      execFileSync('umount', [dir], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    }
  }
}

/** Unmounts one folder mounted here. */
export function unmount(dir: string): void {
  const i = mounted.indexOf(dir);
  if (i !== -1) mounted.splice(i, 1);
  try {
    execFileSync('umount', [dir], { stdio: 'ignore' });
  } catch {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}
