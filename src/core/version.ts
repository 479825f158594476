/** The version of modelcar itself. */
import * as fs from 'fs';
import * as path from 'path';

let found: string | undefined;

/**
 * The version in modelcar's package.json, found above this file (from src/core/ or lib/src/core/). An in-cluster
 * build runs this version: another version of modelcar may build another image from the same config.
 */
export function modelcarVersion(): string {
  if (found) return found;
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const json = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (json.name === 'modelcar') return (found = String(json.version));
    }
  }
  throw new Error(`cannot find modelcar's package.json above ${__dirname}`);
}
