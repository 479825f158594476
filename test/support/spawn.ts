/**
 * The compiled CLI (`node lib/src/cli/main.js`, built by `npm test` before jest runs) as a child process, for what
 * only a real process shows: signals, SIGKILL, two runs at once. Test pauses (MODELCAR_TEST_PAUSE) hold it at a
 * named point.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const CLI = path.resolve(__dirname, '..', '..', 'lib', 'src', 'cli', 'main.js');

/** A running CLI: its output so far, and its end. */
export interface Running {
  readonly child: ChildProcess;
  out(): string;
  err(): string;
  /** Resolves once `text` is on stderr (or stdout); rejects after `ms`. */
  waitFor(text: string, ms?: number): Promise<void>;
  /** Resolves with the exit code and signal, and all output. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
}

/** Starts the CLI with `args`, in `cwd`, with the environment `env` (MODELCAR_TEST_PAUSE: `pause`). */
export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; pause?: string } = {}): Running {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm test runs tsc before jest)`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env };
  if (options.pause) env.MODELCAR_TEST_PAUSE = options.pause;
  const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (err.includes(w.text) || out.includes(w.text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (d) => ((out += d), check()));
  child.stderr!.on('data', (d) => ((err += d), check()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
  return {
    child,
    out: () => out,
    err: () => err,
    waitFor: (text, ms = 20_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${text}" from modelcar ${args.join(' ')} within ${ms} ms; stderr so far: ${err}`)), ms);
        waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
        check();
        void done.then(() => {
          if (waiters.some((w) => w.text === text)) setTimeout(() => reject(new Error(`modelcar ${args.join(' ')} ended without "${text}"; stderr: ${err}`)), 50);
        });
      }),
    done,
  };
}

/** Runs the CLI to its end. */
export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; pause?: string } = {}) {
  return startCli(args, options).done;
}
