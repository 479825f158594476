import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../src/cli/main';
import { tempDir } from './temp';

/** A project folder of a test: a config, its files, and dist/ beside them. */
export interface Project {
  readonly dir: string;
  readonly config: string;
  readonly dist: string;
  /** Writes a file of the project (folders created); returns its path. */
  file(name: string, content: string | Buffer): string;
}

/** A fresh project folder holding `modelcar.yaml` with the given text. */
export function project(config: string, prefix = 'modelcar-project-'): Project {
  const dir = tempDir(prefix);
  const file = (name: string, content: string | Buffer) => {
    const full = path.join(dir, ...name.split('/'));
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
    return full;
  };
  return { dir, config: file('modelcar.yaml', config), dist: path.join(dir, 'dist'), file };
}

/** Runs the CLI in-process; returns its exit code and what it wrote. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, (t) => (out += t), (t) => (err += t));
  return { code, out, err };
}
