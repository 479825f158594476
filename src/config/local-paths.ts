import * as fs from 'fs';
import * as path from 'path';

const HOW_TO_ALLOW = 'keep model files in the config\'s folder or below it, or set `allowPathsOutside: true` at the top level of the config';

/**
 * Checks a local model file given in a config (relative to the config's folder): it must exist, and
 * unless `allowOutside`, it must stay inside the config's folder: through neither `..` nor an absolute
 * path, nor a symbolic link that leads out of it. A config is often run in CI from a checkout; a path that
 * leaves the checkout reads whatever the machine happens to have there (a committed link to `/etc/shadow` would be
 * built into a world-readable image layer). Paths are compared real path to real path: links inside the folder
 * that stay inside it (a Hugging Face cache: `snapshots/<rev>/file -> ../../blobs/<sha>`) are fine.
 *
 * With `allowOutside`, a link that leads out of the folder is followed, and `warn` is told where to: a link is
 * easily committed without meaning it.
 *
 * @returns the problem, or undefined when the path is fine.
 */
export function checkLocalSource(source: string, configDir: string, allowOutside: boolean, warn?: (message: string) => void): string | undefined {
  const resolved = path.resolve(configDir, source);
  const shown = shownPath(resolved);
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
  if (!inside(configDir, resolved)) return undefined; // allowed outside, and said so in the config
  // Inside by name: also inside once the links are followed?
  const realDir = fs.realpathSync(configDir);
  for (const { name, real } of linkedFiles(resolved, source, realDir)) {
    if (inside(realDir, real)) continue;
    const what = name === source ? `"${source}"` : `"${name}" (in ${source})`;
    if (!allowOutside) return `${what} is a symbolic link that leads out of the config's folder, to ${shownPath(real)}; ${HOW_TO_ALLOW}`;
    warn?.(`${what} is a symbolic link that leads out of the config's folder, to ${shownPath(real)}; it is used (allowPathsOutside: true)`);
  }
  return undefined;
}

/** Relative to the working folder when inside it, else absolute: the same text on every machine. */
function shownPath(p: string): string {
  const fromCwd = path.relative(process.cwd(), p);
  return fromCwd === '' ? '.' : fromCwd.startsWith('..') || path.isAbsolute(fromCwd) ? p : fromCwd;
}

/**
 * A file source, or a folder source and the entries below it, with their real paths (links followed) where they
 * lead out of `realDir`; what is out there is not read (a link that leads out is not entered). Entries inside are
 * walked, each real folder once (a link loop ends there).
 */
function linkedFiles(resolved: string, source: string, realDir: string): { name: string; real: string }[] {
  const real = (p: string) => {
    try {
      return fs.realpathSync.native(p);
    } catch {
      return undefined; // a broken link: reported where the folder is read
    }
  };
  const inside = (p: string) => p === realDir || p.startsWith(realDir + path.sep);
  const self = real(resolved) ?? resolved;
  const out = [{ name: source, real: self }];
  if (!inside(self) || !fs.statSync(self).isDirectory()) return out;
  const seen = new Set<string>();
  const walk = (dir: string, name: string): void => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      // Left out of models, as listFolder does; a name that is not UTF-8 is reported by listFolder, at the model.
      if (e.name.startsWith('.') || e.name.includes('\uFFFD')) continue;
      const child = path.join(dir, e.name);
      const childName = `${name}/${e.name}`;
      const target = e.isSymbolicLink() ? real(child) : child;
      if (target === undefined) continue;
      if (!inside(target)) out.push({ name: childName, real: target });
      else if (fs.statSync(target).isDirectory()) walk(target, childName);
    }
  };
  walk(self, source.replace(/\/+$/, ''));
  return out;
}

