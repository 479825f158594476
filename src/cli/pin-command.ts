import * as fs from 'fs';
import { UserError } from '../core/errors';
import { describePinned, pinFromRuns } from '../pipeline/pin-run';

/** Arguments of `modelcar pin`. */
export interface PinArgs {
  readonly config: string;
  readonly output: string;
  /** A file with the finished TaskRuns, or `-` for standard input. */
  readonly fromRun: string;
}

/** Runs `modelcar pin --from-run`: records the digests of finished in-cluster builds in the lock file. Returns what it prints. */
export function runPin(args: PinArgs, readStdin: () => string): string {
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
