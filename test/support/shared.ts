/**
 * The data other projects publish (KServe's CRDs, ODH's runtime templates, the manifest corpus) is not copied
 * into this repository: tests read it in ../shared, beside the checkout, where every developer and CI have it.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The folder ../shared beside the repository. */
export const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared');

/**
 * A path under ../shared. Throws (so the test fails, never passes or skips silently) when ../shared is missing.
 */
export function sharedPath(...parts: string[]): string {
  const file = path.join(SHARED, ...parts);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} does not exist: this test reads data from other projects in ../shared beside the checkout (KServe CRDs, ODH runtime templates, the manifest corpus), which CI has; clone the project next to it`);
  }
  return file;
}
