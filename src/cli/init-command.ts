import { UserError } from '../core/errors';
import { AbortedError, INTERRUPTED_EXIT_CODE } from '../core/interrupts';
import { InitResult, init } from '../pipeline/init';
import { ProgressOutput } from '../pipeline/progress';
import { withInterrupts } from './signals';

/** Arguments of `modelcar init`. */
export interface InitArgs {
  readonly folder?: string;
  readonly repo?: string;
  readonly revision: string;
  readonly config: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly image?: string;
  readonly runtime?: string;
  readonly format?: string;
}

/** Runs `modelcar init`: the guesses and what was written go to `out`; SIGINT, SIGTERM and SIGHUP stop it cleanly. */
export function runInit(args: InitArgs, out: ProgressOutput, env: NodeJS.ProcessEnv = process.env): Promise<InitResult> {
  return withInterrupts(async (signal) => {
    try {
      return await init({ ...args, env, output: out, signal });
    } catch (e) {
      if (!(e instanceof AbortedError) && !signal.aborted) throw e;
      throw new UserError(`interrupted; ${args.config} was not written`, INTERRUPTED_EXIT_CODE);
    }
  });
}
