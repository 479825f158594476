import * as fs from 'fs';
import { UserError } from '../core/errors';
import { AbortedError, INTERRUPTED_EXIT_CODE } from '../core/interrupts';
import { PinResult, pin } from '../pipeline/pin';
import { describePinned, pinFromRuns } from '../pipeline/pin-run';
import { ProgressOutput } from '../pipeline/progress';
import { withInterrupts } from './signals';

/** Arguments of `modelcar pin` (from the registry). */
export interface PinArgs {
  readonly config: string;
  readonly models: readonly string[];
  readonly authfile?: string;
  readonly tlsVerify: boolean;
}

/**
 * Runs `modelcar pin`: resolves each model image in its registry; what it finds and records goes to `out`. SIGINT,
 * SIGTERM and SIGHUP stop it cleanly.
 */
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

/** Arguments of `modelcar pin --from-run`. */
export interface PinFromRunArgs {
  readonly config: string;
  readonly output: string;
  /** A file with the finished TaskRuns, or `-` for standard input. */
  readonly fromRun: string;
}

/** Runs `modelcar pin --from-run`: records the digests of finished in-cluster builds in the lock file. Returns what it prints. */
export function runPinFromRun(args: PinFromRunArgs, readStdin: () => string): string {
  let text: string;
  try {
    text = args.fromRun === '-' ? readStdin() : fs.readFileSync(args.fromRun, 'utf8');
  } catch (e: any) {
    throw new UserError(`--from-run ${args.fromRun}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  const source = args.fromRun === '-' ? 'standard input' : args.fromRun;
  const { pinned, lockFile } = pinFromRuns({ config: args.config, outdir: args.output, runs: text, source });
  return `${pinned.map((p) => `pinned ${describePinned(p)}`).join('\n')}\nrecorded ${pinned.length} digest${pinned.length === 1 ? '' : 's'} in ${lockFile}; run \`modelcar synth\` to pin storageUri to them\n`;
}
