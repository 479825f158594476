/**
 * The image builder modelcar drives: podman or buildah, whichever is installed (podman first, as build.sh), and
 * running it with its output passed through.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { UserError } from '../core/errors';

/** The builders modelcar knows; both take the same build and push flags. */
export const BUILDERS = ['podman', 'buildah'] as const;
export type BuilderName = (typeof BUILDERS)[number];

/** The install hint for a missing builder. */
export const BUILDER_INSTALL = 'install podman or buildah (Debian/Ubuntu: apt-get install podman; Fedora/RHEL: dnf install podman; macOS: brew install podman)';

/** The absolute path of a command found on PATH, or undefined. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The builder to use: the one asked for, else podman when installed, else buildah. Throws a UserError when none is. */
export function chooseBuilder(requested: string | undefined, env: NodeJS.ProcessEnv = process.env): { name: BuilderName; path: string } {
  if (requested !== undefined) {
    if (!(BUILDERS as readonly string[]).includes(requested)) throw new UserError(`--builder: "${requested}" is not a builder modelcar knows; use podman or buildah`, 2);
    const found = findOnPath(requested, env);
    if (!found) {
      const other = BUILDERS.find((b) => b !== requested && findOnPath(b, env));
      throw new UserError(`--builder ${requested}: ${requested} is not installed (not on PATH)${other ? `; ${other} is: use --builder ${other}` : `; ${BUILDER_INSTALL}`}`);
    }
    return { name: requested as BuilderName, path: found };
  }
  for (const name of BUILDERS) {
    const found = findOnPath(name, env);
    if (found) return { name, path: found };
  }
  throw new UserError(`building an image needs podman or buildah, and neither is installed (on PATH): ${BUILDER_INSTALL}`);
}

/** Runs a command, passing its output to `write` as it comes. Resolves with its exit code; a signal kills it. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; write?: (text: string) => void; signal?: AbortSignal },
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const write = options.write ?? (() => undefined);
    child.stdout.on('data', (d: Buffer) => write(d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => write(d.toString('utf8')));
    const abort = () => child.kill('SIGTERM');
    options.signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (e) => {
      options.signal?.removeEventListener('abort', abort);
      reject(new UserError(`could not run ${command}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', abort);
      resolve(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1));
    });
  });
}
