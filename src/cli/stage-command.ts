import { ProgressOutput } from '../pipeline/progress';
import { StagedImage, stage } from '../pipeline/stage';
import { withInterrupts } from './signals';

/** Arguments of `modelcar stage`. */
export interface StageArgs {
  readonly config: string;
  readonly output: string;
  readonly models: readonly string[];
  /** Attempts after the first for a download error that may pass. @default 5 */
  readonly retries?: number;
  /** Give up a download when less than 64 KiB come in this long. @default 120000 */
  readonly stallTimeoutMs?: number;
}

/** Runs `modelcar stage`: stages the files, with progress on `out`; SIGINT, SIGTERM and SIGHUP stop it cleanly. */
export function runStage(args: StageArgs, out: ProgressOutput, env: NodeJS.ProcessEnv = process.env): Promise<StagedImage[]> {
  return withInterrupts((signal) => stage({ config: args.config, outdir: args.output, models: args.models, output: out, signal, env, retries: args.retries, stallTimeoutMs: args.stallTimeoutMs }));
}
