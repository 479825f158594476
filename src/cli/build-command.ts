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
}

/** Runs `modelcar build`; the builder's output goes to `out` as it comes. */
export function runBuild(args: BuildArgs, out: ProgressOutput): Promise<BuildResult> {
  return withInterrupts((signal) =>
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
}
