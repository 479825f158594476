import * as fs from 'fs';
import * as path from 'path';

const HOW_TO_ALLOW = 'keep model files in the config\'s folder or below it, or set `allowPathsOutside: true` at the top level of the config';

/**
 * Checks a local model file given in a config (relative to the config's folder): it must exist, and
 * unless `allowOutside`, it must stay inside the config's folder, through neither `..` nor an absolute
 * path. A config is often run in CI from a checkout; a path that leaves the checkout reads whatever the
 * machine happens to have there. A symbolic link inside the folder is the user's explicit choice (e.g. a
 * folder of large models on another disk) and is followed.
 *
 * @returns the problem, or undefined when the path is fine.
 */
export function checkLocalSource(source: string, configDir: string, allowOutside: boolean): string | undefined {
  const resolved = path.resolve(configDir, source);
  // Relative to the working folder when inside it, else absolute: the same text on every machine.
  const fromCwd = path.relative(process.cwd(), resolved);
  const shown = fromCwd === '' ? '.' : fromCwd.startsWith('..') || path.isAbsolute(fromCwd) ? resolved : fromCwd;
  const inside = (dir: string, p: string) => {
    const rel = path.relative(dir, p);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  if (!allowOutside && !inside(configDir, resolved)) {
    const how = path.isAbsolute(source) ? 'is an absolute path' : 'goes up with ".."';
    return `"${source}" ${how} and leaves the config's folder (it names ${shown}); ${HOW_TO_ALLOW}`;
  }
  if (!fs.existsSync(resolved)) {
    return `"${source}": no such file (looked for ${shown}; local paths are relative to the config file)`;
  }
  return undefined;
}
