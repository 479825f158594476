import { PinResult, pin } from '../pipeline/pin';
import { ProgressOutput } from '../pipeline/progress';

/** Arguments of `modelcar pin`. */
export interface PinArgs {
  readonly config: string;
  readonly models: readonly string[];
  readonly authfile?: string;
  readonly tlsVerify: boolean;
}

/** Runs `modelcar pin`: what it finds and records goes to `out`. */
export function runPin(args: PinArgs, out: ProgressOutput, env: NodeJS.ProcessEnv = process.env): Promise<PinResult> {
  return pin({ config: args.config, models: args.models, authfile: args.authfile, tlsVerify: args.tlsVerify, env, output: out });
}
