import * as fs from 'fs';
import * as path from 'path';

/** Every file below a folder as `{relative/path: content}`, sorted by path. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else out[child] = fs.readFileSync(path.join(dir, child), 'utf8');
    }
  };
  walk('');
  return out;
}

/** File modes (permission bits, octal) below a folder, as `{relative/path: '644'}`. */
export function readModes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of Object.keys(readTree(dir))) out[file] = (fs.statSync(path.join(dir, file)).mode & 0o777).toString(8);
  return out;
}
