import { UserError } from '../core/errors';
import { AbortedError } from '../core/interrupts';
import { PinResult, pin } from '../pipeline/pin';
import { ProgressOutput } from '../pipeline/progress';
import { INTERRUPTED_EXIT_CODE } from '../pipeline/stage';
import { withInterrupts } from './signals';

/** Arguments of `modelcar pin`. */
export interface PinArgs {
  readonly config: string;
  readonly models: readonly string[];
  readonly authfile?: string;
  readonly tlsVerify: boolean;
}

/** Runs `modelcar pin`: what it finds and records goes to `out`; SIGINT, SIGTERM and SIGHUP stop it cleanly. */
export function runPin(args: PinArgs, out: ProgressOutput, env: NodeJS.ProcessEnv = process.env): Promise<PinResult> {
  return withInterrupts(async (signal) => {
    try {
      return await pin({ config: args.config, models: args.models, authfile: args.authfile, tlsVerify: args.tlsVerify, env, output: out, signal });
    } catch (e) {
      if (!(e instanceof AbortedError) && !signal.aborted) throw e;
      throw new UserError('interrupted; nothing was recorded in the lock file', INTERRUPTED_EXIT_CODE);
    }
  });
}
