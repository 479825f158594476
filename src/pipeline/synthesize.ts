/**
 * Synthesis, from a config file or a construct tree to the output folder: load -> translate -> construct tree ->
 * files -> validate -> write. Each step lives in its layer; this module only puts them in order.
 */
import * as path from 'path';
import { IConstruct } from 'constructs';
import { LoadedConfig, loadConfig } from '../config/load';
import { Diagnostic, UserError } from '../core/errors';
import { argoCdApplications } from '../config/argocd';
import { environmentNames } from '../config/environments';
import { IImageLock } from '../constructs/image-lock';
import { ImageLock, SourcePins } from './lock';
import { ISourcePins } from '../core/source-pins';
import { RenderContext } from '../core/output-file';
import { BUILDS_DIR, SynthesizedOutput, renderTree } from '../output/manifests';
import { OutputPlan, WriteResult, planOutput, recoverInterrupted, refuseDangerousOutdir, writeOutput, writeOutputSteps } from '../output/writer';
import { refuseSecretsFolder, writeSecretFiles } from '../output/secrets-folder';
import { lockFolder } from '../core/folder-lock';
import { Steps, runSteps } from '../core/interrupts';
import { validateOutput } from '../validation/validate-output';
import { translateEnvironments } from '../config/translate/translate';
import { uniqueDiagnostics } from '../config/translate/diagnostics';

/** Options of {@link synthesizeConfigFile}. */
export interface SynthesizeConfigFileOptions {
  /** The config file. */
  readonly config: string;
  /** The output folder. */
  readonly outdir: string;
  /** Write nothing; report what would change. @default false */
  readonly check?: boolean;
  /**
   * The files of the config's folders and hub repositories (see `lockSources`), as they are now.
   * @default - as recorded in the lock file
   */
  readonly sources?: ISourcePins;
  /** The config, already loaded (with `deferModelErrors`), so that it is not read twice. @default - read from `config` */
  readonly loaded?: LoadedConfig;
}

/** What {@link synthesizeConfigFile} produced and changed. */
export interface SynthesizeConfigFileResult {
  readonly output: SynthesizedOutput;
  /** For `check`, what writing would change. */
  readonly changes: WriteResult;
  /** For `check`, the plan: the current content and modes of the files that would change. */
  readonly plan?: OutputPlan;
  /** Problems that do not stop synth (e.g. an image tag that KServe pulls again at every start). */
  readonly warnings: readonly Diagnostic[];
}

/**
 * Synthesizes a modelcar config file into an output folder (`modelcar synth`): Kubernetes manifests and image build
 * contexts. Every problem in the config is reported at once, as a {@link ConfigError}, before anything is written.
 */
export function synthesizeConfigFile(options: SynthesizeConfigFileOptions): SynthesizeConfigFileResult {
  return runSteps(synthesizeConfigFileSteps(options));
}

/**
 * {@link synthesizeConfigFile} as steps, which the CLI runs so that a signal stops it cleanly (the output folder as
 * it was, nothing half-written left beside it). The output folder is locked while synth reads or writes it.
 */
export function* synthesizeConfigFileSteps(options: SynthesizeConfigFileOptions): Steps<SynthesizeConfigFileResult> {
  const outdir = path.resolve(options.outdir);
  refuseDangerousOutdir(outdir, { config: options.config });
  const loaded = options.loaded ?? loadConfig(options.config, { deferModelErrors: true });
  const lock = ImageLock.forConfig(options.config);
  const sources = options.sources ?? SourcePins.forConfig(options.config);
  const { warnings: found, ...output } = renderConfig(loaded, { source: sourceName(options.config, outdir), outdir, argocd: loaded.config.argocd?.syncWaves !== false }, { lock, sources });
  validateOutput(output.files, options.outdir);
  const lockFile = path.join(path.dirname(options.config), path.basename(lock.file));
  const stale: Diagnostic[] = lock.stale.map((message) => ({ position: { file: lockFile }, field: '', message }));
  const warnings = uniqueDiagnostics([...loaded.warnings, ...found, ...stale]);
  if (options.check) {
    const folderLock = lockFolder(outdir, { command: 'synth --check', shown: options.outdir, readOnly: true });
    try {
      recoverInterrupted(outdir);
      const plan = planOutput(options.outdir, output.files, { strays: true });
      return { output, changes: plan, plan, warnings };
    } finally {
      folderLock.release();
    }
  }
  // What synth leaves in place for the user to see to (kept ignore rules, hand-edited files), as warnings at the file.
  const notes: Diagnostic[] = [];
  const warn = (file: string, message: string) => void notes.push({ position: { file }, field: '', message });
  const changes = yield* writeOutputSteps(options.outdir, output.files, { config: options.config, warn });
  return { output, changes, warnings: [...warnings, ...notes] };
}

/**
 * Renders a loaded config into files, in memory: once, or with environments once per environment into
 * `<environment>/`, plus the Argo CD Applications the config asks for. Problems of every environment are reported
 * together.
 */
export function renderConfig(loaded: LoadedConfig, context: RenderContext, options: { lock?: IImageLock; sources?: ISourcePins } = {}): SynthesizedOutput & { warnings: Diagnostic[] } {
  const warnings: Diagnostic[] = [];
  /** The environments ('' without environments) with in-cluster builds, for their Argo CD Applications. */
  const builds = new Set<string>();
  const parts = translateEnvironments(loaded, { lock: options.lock, sources: options.sources, outdir: context.outdir }, ({ chart, environment, warnings: found }) => {
    warnings.push(...found);
    const part = renderTree(chart, environment === undefined ? context : { ...context, source: `${context.source}, environment ${environment}`, subdir: environment });
    const folder = `${environment === undefined ? '' : `${environment}/`}${BUILDS_DIR}/`;
    if (part.files.some((f) => f.path.startsWith(folder))) builds.add(environment ?? '');
    return part;
  });
  const application = loaded.config.argocd?.application;
  const extra = application ? argoCdApplications(application, environmentNames(loaded.config), context, builds) : [];
  const files = [...parts.flatMap((p) => p.files), ...extra].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    files,
    secretFiles: parts.flatMap((p) => p.secretFiles),
    objects: parts.flatMap((p) => p.objects),
    images: parts.flatMap((p) => p.images),
    warnings: uniqueDiagnostics(warnings),
  };
}

/** Options of {@link synthesize}. */
export interface SynthesizeOptions {
  /** The output folder. */
  readonly outdir: string;
  /** The source named in the files' "Generated by modelcar from ..." header, e.g. `src/main.ts`. */
  readonly source: string;
  /**
   * A folder outside the committed output, for the objects that carry credentials (a {@link PullSecret} made from
   * credentials). Without it, such a tree is refused.
   * @default - none
   */
  readonly secretsDir?: string;
  /**
   * The command the files' header says to run to write them again.
   * @default - run `source` again
   */
  readonly command?: string;
}

/**
 * Synthesizes a construct tree written in TypeScript into an output folder, as `modelcar synth` does for
 * a config. Objects that carry credentials (a {@link PullSecret} made from credentials) are written only
 * to `secretsDir`, never to the output folder. File headers name `source` (e.g. `main.ts`) and say to run it
 * again, or to run `command` when given.
 */
export function synthesize(scope: IConstruct, options: SynthesizeOptions): SynthesizedOutput & { changes: WriteResult } {
  const outdir = path.resolve(options.outdir);
  const output = renderTree(scope, { source: options.source, outdir, command: options.command ?? null });
  validateOutput(output.files, options.outdir);
  if (output.secretFiles.length && !options.secretsDir) {
    throw new UserError('the construct tree has a PullSecret made from credentials: give secretsDir, a folder outside the committed output, to write it to');
  }
  // Before anything is written: a secrets folder inside the output (or holding it) would put credentials in git.
  if (options.secretsDir) refuseSecretsFolder(options.secretsDir, { outdir });
  const changes = writeOutput(outdir, output.files);
  if (options.secretsDir) writeSecretFiles(options.secretsDir, output.secretFiles, { outdir });
  return { ...output, changes };
}

/** The config's path as named in file headers: relative to the folder that holds the output folder. @internal */
export function sourceName(config: string, outdir: string): string {
  return path.relative(path.dirname(outdir), path.resolve(config)).split(path.sep).join('/');
}
