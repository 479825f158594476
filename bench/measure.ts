/**
 * Runs a command as a fresh child process and measures its wall time (high-resolution clock around the
 * spawn), its CPU time and its peak resident set size (GNU time's `%U`, `%S` and `%M`: the child's rusage).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** GNU time, Debian package `time`: it reports the child's peak RSS. */
export const GNU_TIME = '/usr/bin/time';

/** One run of a command. */
export interface Run {
  readonly seconds: number;
  /** Peak resident set size of the child, in MB (10^6 bytes). */
  readonly rssMB: number;
  /** User plus system CPU time of the child, in seconds (10 ms resolution). */
  readonly cpuSeconds: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Fails with the install command when GNU time is missing. */
export function requireGnuTime(): void {
  if (!fs.existsSync(GNU_TIME)) {
    throw new Error(`${GNU_TIME} not found: the benchmark reads peak RSS from GNU time; install it with \`apt-get install time\``);
  }
}

let counter = 0;

/** Runs `command args...` in `cwd` and measures it. Never throws for a non-zero exit: see `code`. */
export function measure(command: string, args: readonly string[], cwd: string): Run {
  const rssFile = path.join(os.tmpdir(), `modelcar-bench-rss-${process.pid}-${counter++}`);
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const start = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ['-f', '%M %U %S', '-o', rssFile, command, ...args], { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.error) throw result.error;
  let values: number[];
  try {
    // GNU time writes "Command exited with non-zero status N" before the values when the child fails.
    const lines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
    values = lines[lines.length - 1].split(' ').map(Number);
  } finally {
    fs.rmSync(rssFile, { force: true });
  }
  const [rssKB, user, system] = values;
  return { seconds, rssMB: (rssKB * 1024) / 1e6, cpuSeconds: user + system, code: result.status ?? 128, stdout: result.stdout, stderr: result.stderr };
}

/** The smallest of some numbers: the best run, the least disturbed by other work on the machine. */
export function best(values: readonly number[]): number {
  return Math.min(...values);
}
