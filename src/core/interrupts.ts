/**
 * What must be undone when modelcar is stopped by a signal: partial files, temporary credential files, the lock of
 * the output folder. A command registers each such thing while it exists; the first SIGINT, SIGTERM or SIGHUP makes
 * the command stop at its next step and clean up on its own way out, a second one runs these cleanups at once and
 * exits (see the CLI's signal handling).
 *
 * And the test hook that holds a command at a named point, so that a test can signal or kill it exactly there.
 */
import * as fs from 'fs';

const cleanups = new Set<() => void>();

/** Registers a cleanup to run if the process is made to exit at once; returns the function that unregisters it. */
export function onInterrupt(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

/** Runs every registered cleanup (newest first), each on its own: one that fails does not stop the others. */
export function runInterruptCleanups(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // best effort: the process is exiting
    }
  }
}

/** The variable that names the point where {@link testPause} holds the process. */
export const TEST_PAUSE_VARIABLE = 'MODELCAR_TEST_PAUSE';

/** How long a test pause lasts at most. */
const PAUSE_MS = 60_000;

function pausesAt(point: string): boolean {
  return process.env[TEST_PAUSE_VARIABLE] === point;
}

/**
 * Test-only: when MODELCAR_TEST_PAUSE names this point, says so on stderr and blocks (signals wait until it ends),
 * so that a test can kill the process exactly here. Without that variable it does nothing.
 */
export function testPause(point: string): void {
  if (!pausesAt(point)) return;
  fs.writeSync(2, `modelcar: test pause at ${point}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, PAUSE_MS);
}

/**
 * {@link testPause} for async commands: waits without blocking, so that a signal is handled during the pause (it
 * ends the pause when it aborts `signal`).
 */
export async function testPauseAsync(point: string, signal?: AbortSignal): Promise<void> {
  if (!pausesAt(point)) return;
  fs.writeSync(2, `modelcar: test pause at ${point}\n`);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, PAUSE_MS);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}

/** Why a command stopped: its AbortSignal fired (a signal, the user's Ctrl-C). */
export class AbortedError extends Error {
  constructor(public readonly reason: unknown) {
    super(`aborted (${String(reason)})`);
    this.name = 'AbortedError';
  }
}

/** Throws an {@link AbortedError} when `signal` has fired. */
export function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError(signal.reason);
}

/**
 * One step of a long synchronous job (writing an output folder, the secrets folder), yielded between its file
 * operations: where a signal may stop it, and where a test may hold it.
 */
export interface Step {
  /** A test pause point here (see {@link testPause}). */
  readonly pause?: string;
  /**
   * Whether the job may be stopped here. A job is never stopped between the two renames of a swap, say: its
   * state there is only whole once the next rename is done. @default true
   */
  readonly interruptible?: boolean;
}

/** A job as a generator of {@link Step}s, returning its result; its `finally` blocks undo what it leaves half-done. */
export type Steps<T> = Generator<Step | undefined, T, void>;

/** Runs a job to its end, synchronously (test pauses block). */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (next.value?.pause) testPause(next.value.pause);
  }
}

/** Handing the event loop a turn costs little, but not nothing: at most this often. */
const YIELD_EVERY_MS = 10;

/**
 * Runs a job, giving the event loop a turn between steps (every {@link YIELD_EVERY_MS}), so that a signal handler
 * can abort `signal`. At the first interruptible step after that, the job is ended (its `finally` blocks run, and
 * clean up) and an {@link AbortedError} is thrown.
 */
export async function runStepsAsync<T>(steps: Steps<T>, signal?: AbortSignal): Promise<T> {
  let last = Date.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    const step = next.value;
    if (step?.pause) {
      await testPauseAsync(step.pause, step.interruptible === false ? undefined : signal);
      last = 0;
    }
    if (Date.now() - last >= YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      last = Date.now();
    }
    if (signal?.aborted && step?.interruptible !== false) {
      steps.return(undefined as never);
      throw new AbortedError(signal.reason);
    }
  }
}

/** The exit code of a command stopped by SIGINT, SIGTERM or SIGHUP (128 + SIGINT's number, as shells report it). */
export const INTERRUPTED_EXIT_CODE = 130;
