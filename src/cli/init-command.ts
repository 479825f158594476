import { InitResult, init } from '../pipeline/init';
import { ProgressOutput } from '../pipeline/progress';

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

/** Runs `modelcar init`: the guesses and what was written go to `out`. */
export function runInit(args: InitArgs, out: ProgressOutput, env: NodeJS.ProcessEnv = process.env): Promise<InitResult> {
  return init({ ...args, env, output: out });
}
