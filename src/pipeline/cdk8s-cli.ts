/**
 * Running under cdk8s's own CLI (`cdk8s synth`, which runs the `app` of cdk8s.yaml).
 *
 * cdk8s-cli deletes its output folder, whole, before it runs the app: `fs.rmSync(outdir, { recursive: true,
 * force: true })` in the handler of cdk8s-team/cdk8s-cli `src/cli/cmds/synth.ts` (v2.207.x), where the folder is
 * `-o`/`--output`, else `output` in cdk8s.yaml, else `dist`. It then runs the app with the folder in `CDK8S_OUTDIR`
 * (`synthApp` in `src/util.ts`), exits 1 when the app did not create it, and lists the `*.yaml` files in it.
 *
 * So an app that writes modelcar's output into that folder loses, on every run, what modelcar keeps there: the model
 * files `modelcar stage` put into the build contexts, and files the user added. The safe configuration gives
 * cdk8s-cli a folder of its own (`output: cdk8s.out` in cdk8s.yaml), which it may empty at will, and writes
 * modelcar's output with modelcar's writer into the folder it belongs in (`dist`), which cdk8s-cli never touches.
 * `cdk8s synth -o DIR` still writes modelcar's output into DIR, which cdk8s-cli has emptied first.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { UserError } from '../core/errors';
import { readRegularFile } from '../core/safe-fs';
import { generatedNotice } from '../core/output-file';
import { SynthesizedOutput, toYaml } from '../output/manifests';

/** Where a cdk8s app writes, depending on how it was run. */
export interface Cdk8sOutput {
  /** The folder to write modelcar's output into, with modelcar's writer (e.g. `synthesize(scope, { outdir })`). */
  readonly outdir: string;
  /**
   * Under `cdk8s synth` with the `output` of cdk8s.yaml: that folder, which cdk8s-cli empties before every run and
   * expects the app to create. {@link writeCdk8sManifests} puts the objects there, for cdk8s-cli's listing and its
   * validation plugins. @default - none: the app was not run by `cdk8s synth`, or was given `-o`
   */
  readonly cdk8sOutdir?: string;
  /** What is wrong with the setup, to print (e.g. cdk8s.yaml without `output`: cdk8s-cli deleted the output folder). */
  readonly warnings: readonly string[];
}

/** Options of {@link cdk8sOutput}. */
export interface Cdk8sOutputOptions {
  /** The environment the app runs in. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The folder cdk8s-cli runs in, which holds cdk8s.yaml. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * Where a cdk8s app writes modelcar's output. Run on its own (no `CDK8S_OUTDIR`): `outdir`. Run by `cdk8s synth`
 * with the `output` of cdk8s.yaml: still `outdir`, never cdk8s-cli's folder, which it deletes before every run (that
 * folder is returned as `cdk8sOutdir`). Run by `cdk8s synth -o DIR`: DIR. When the folder cdk8s-cli deleted is
 * `outdir` itself (cdk8s.yaml has no `output`, or it is `outdir`), the warning says so and how to set it up.
 * @param outdir modelcar's output folder, e.g. `dist`
 */
export function cdk8sOutput(outdir: string, options: Cdk8sOutputOptions = {}): Cdk8sOutput {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const given = env.CDK8S_OUTDIR;
  if (given === undefined || given === '') return { outdir, warnings: [] };
  const same = (a: string, b: string) => path.resolve(cwd, a) === path.resolve(cwd, b);
  if (same(given, outdir)) {
    return {
      outdir,
      warnings: [
        `cdk8s synth deleted ${given}/ before it ran this app (its -o, or the output of cdk8s.yaml, is modelcar's output folder), with the model files \`modelcar stage\` put there and any files you added; ` +
          `give cdk8s-cli a folder of its own (\`output: cdk8s.out\` in cdk8s.yaml, and no -o) and modelcar writes ${outdir}/ itself, keeping what it did not write`,
      ],
    };
  }
  const configured = cdk8sConfiguredOutput(cwd);
  if (configured !== undefined && same(given, configured)) return { outdir, cdk8sOutdir: given, warnings: [] };
  return { outdir: given, warnings: [] };
}

/** The `output` of the cdk8s.yaml in a folder, as cdk8s-cli reads it (`readConfigSync` of its `src/config.ts`). */
function cdk8sConfiguredOutput(cwd: string): string | undefined {
  let text: string;
  try {
    text = readRegularFile(path.join(cwd, 'cdk8s.yaml')).toString('utf8');
  } catch {
    return undefined;
  }
  const output = YAML.parse(text)?.output;
  return typeof output === 'string' && output !== '' ? output : undefined;
}

/**
 * Writes the objects of a synthesized output into cdk8s-cli's own output folder as one multi-document file,
 * `<name>.k8s.yaml` (cdk8s's own form), for cdk8s-cli's listing and its validation plugins. The folder is created
 * (cdk8s-cli deleted it); a symbolic link there is refused. Credentials are never in `output.objects`.
 * @param source named in the file's header, as in modelcar's output
 * @returns the file written
 */
export function writeCdk8sManifests(dir: string, output: Pick<SynthesizedOutput, 'objects'>, source: string, options: { name?: string; command?: string | null } = {}): string {
  const link = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (link?.isSymbolicLink()) throw new UserError(`${dir} is a symbolic link; cdk8s-cli's output folder must be a folder of its own`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${options.name ?? 'modelcar'}.k8s.yaml`);
  const text = `# ${generatedNotice(source, options.command)}\n` + output.objects.map((o) => toYaml(o.json)).join('---\n');
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, text, { flag: 'wx', mode: 0o644 });
  return file;
}
