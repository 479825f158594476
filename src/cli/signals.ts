import { INTERRUPTED_EXIT_CODE } from '../pipeline/stage';

/**
 * Turns SIGINT and SIGTERM into an AbortSignal for the duration of a long command, so that it can stop cleanly
 * (remove its partial file, stop the builder). A second signal exits at once.
 */
export async function withInterrupts<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(INTERRUPTED_EXIT_CODE);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
