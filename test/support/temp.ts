import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** Where a test file's temporary folders are listed for its test environment (environment.ts) to remove. */
export const TEMP_DIRS = Symbol.for('modelcar.test.tempDirs');

/**
 * A fresh temporary folder, removed after the test file's last test and hook. `parent` defaults to the system
 * temporary folder (which, in a test, is the test file's own); `/dev/shm` gives one on another filesystem.
 */
export function tempDir(prefix: string, parent: string = os.tmpdir()): string {
  const dir = fs.mkdtempSync(path.join(parent, prefix));
  const global = globalThis as unknown as Record<symbol, string[] | undefined>;
  (global[TEMP_DIRS] ??= []).push(dir);
  return dir;
}
