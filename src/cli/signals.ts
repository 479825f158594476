import * as fs from 'fs';
import { INTERRUPTED_EXIT_CODE, runInterruptCleanups } from '../core/interrupts';

/** The signals that stop a command: Ctrl-C, `kill`, a closed terminal or SSH session. */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Turns SIGINT, SIGTERM and SIGHUP into an AbortSignal for the duration of a command that writes, so that it can stop
 * cleanly at its next step (remove its partial files, put the output folder back, stop the builder, release the
 * lock). A second signal does not wait: the cleanups registered with `onInterrupt` run at once (partial files and
 * credential files removed, the lock released), and the process exits.
 */
export async function withInterrupts<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      runInterruptCleanups();
      fs.writeSync(2, `modelcar: ${name} again: stopped at once; partial and credential files were removed\n`);
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    controller.abort(name);
  };
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  try {
    return await run(controller.signal);
  } finally {
    // Once stopped, the process is on its way out: a further signal still cleans up and exits (were the handler
    // removed, it would kill the process the default way).
    if (!controller.signal.aborted) for (const s of STOP_SIGNALS) process.off(s, onSignal);
  }
}
