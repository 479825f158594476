import * as fs from 'fs';
import { UserError } from '../core/errors';
import { BuildResult, build } from '../pipeline/build';
import { ProgressOutput } from '../pipeline/progress';
import { withInterrupts } from './signals';

/** Arguments of `modelcar build`. */
export interface BuildArgs {
  readonly config: string;
  readonly output: string;
  readonly models: readonly string[];
  readonly push: boolean;
  readonly builder?: string;
  readonly layout?: string;
  readonly authfile?: string;
  readonly tlsVerify: boolean;
  /** With --push of one model: write its pushed digest (`sha256:...`) to this file, as `podman push --digestfile` does. */
  readonly digestfile?: string;
}

/** Runs `modelcar build`; the builder's output goes to `out` as it comes. */
export async function runBuild(args: BuildArgs, out: ProgressOutput): Promise<BuildResult> {
  if (args.digestfile !== undefined && !args.push) throw new UserError('--digestfile writes the digest of the pushed image: give --push too', 2);
  const result = await withInterrupts((signal) =>
    build({
      config: args.config,
      outdir: args.output,
      models: args.models,
      push: args.push,
      builder: args.builder,
      layout: args.layout,
      authfile: args.authfile,
      tlsVerify: args.tlsVerify,
      output: out,
      signal,
    }),
  );
  if (args.digestfile !== undefined) {
    const pushed = result.images.filter((i) => i.digest !== undefined);
    if (pushed.length !== 1) {
      throw new UserError(`--digestfile takes the digest of one image, and ${pushed.length} were pushed (${pushed.map((i) => i.key).join(', ')}); name one model`, 2);
    }
    fs.writeFileSync(args.digestfile, pushed[0].digest!);
  }
  return result;
}
