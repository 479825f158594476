/**
 * Synthesis, from a config file or a construct tree to the output folder: load -> translate -> construct tree ->
 * files -> validate -> write. Each step lives in its layer; this module only puts them in order.
 */
import * as path from 'path';
import * as YAML from 'yaml';
import { IConstruct } from 'constructs';
import { LoadedConfig, loadConfig } from '../config/load';
import { ConfigError, Diagnostic, UserError } from '../core/errors';
import { SafeFolder } from '../core/safe-fs';
import { argoCdApplications } from '../config/argocd';
import { IImageLock } from '../constructs/image-lock';
import { ImageLock, SourcePins, inputsDigest } from './lock';
import { ISourcePins } from '../core/source-pins';
import { ModelImage } from '../constructs/model-image';
import { RenderContext } from '../core/output-file';
import { BUILDS_DIR, ManifestObject, SynthesizedOutput, renderTree } from '../output/manifests';
import { DEPLOYMENT_MODES, DeploymentMode, deploymentKind } from '../core/platform';
import { OutputPlan, WriteResult, planOutput, recoverInterrupted, refuseDangerousOutdir, writeOutput, writeOutputSteps } from '../output/writer';
import { refuseSecretsFolder, writeSecretFiles } from '../output/secrets-folder';
import { lockFolder } from '../core/folder-lock';
import { Steps, runSteps } from '../core/interrupts';
import { ValidateOutputOptions, validateOutput } from '../validation/validate-output';
import { releaseForVersion } from '../validation/kserve-admission';
import { translateEnvironments } from '../config/translate/translate';
import { uniqueDiagnostics } from '../config/translate/diagnostics';
import { configRelease } from '../config/translate/release';
import { ReleaseProfile } from '../core/releases';
import { InferenceService } from '../constructs/inference-service';

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
  /** The config's lock file, already read (see `lockSources`), so that it is not read twice. @default - read next to `config` */
  readonly lock?: ImageLock;
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
  const lock = options.lock ?? ImageLock.forConfig(options.config);
  const sources = options.sources ?? SourcePins.ofLock(options.config, lock);
  const { warnings: found, release, modes, ...output } = renderConfig(loaded, { source: sourceName(options.config, outdir), outdir, argocd: loaded.config.argocd?.syncWaves !== false }, { lock, sources });
  validateOutput(output.files, options.outdir, outputChecks(release));
  found.push(...modeChangeWarnings(outdir, modes, release));
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
export function renderConfig(
  loaded: LoadedConfig,
  context: RenderContext,
  options: { lock?: IImageLock; sources?: ISourcePins } = {},
): SynthesizedOutput & { warnings: Diagnostic[]; release: ReleaseProfile; modes: ModelMode[] } {
  const warnings: Diagnostic[] = [];
  const pushes: ImagePush[] = [];
  const modes: ModelMode[] = [];
  /** The environments ('' without environments) with in-cluster builds, for their Argo CD Applications. */
  const builds = new Set<string>();
  const parts = translateEnvironments(loaded, { lock: options.lock, sources: options.sources, outdir: context.outdir }, ({ chart, environment, warnings: found, loaded: seen }) => {
    warnings.push(...found);
    const rendered = renderTree(chart, environment === undefined ? context : { ...context, source: `${context.source}, environment ${environment}`, subdir: environment });
    const folder = `${environment === undefined ? '' : `${environment}/`}${BUILDS_DIR}/`;
    if (rendered.files.some((f) => f.path.startsWith(folder))) builds.add(environment ?? '');
    const indexes = modelIndexes(seen, environment);
    pushes.push(...rendered.images.map((image) => imagePush(image, seen, environment, indexes)));
    modes.push(...rendered.objects.filter((o) => o.kind === 'InferenceService').map((o) => modelMode(o, seen, environment, indexes)));
    return { ...rendered, environment };
  });
  refuseTagReuse(pushes);
  const application = loaded.config.argocd?.application;
  const extra = application ? argoCdApplications(application, parts.map((p) => ({ environment: p.environment, objects: p.objects })), context, builds) : [];
  const files = [...parts.flatMap((p) => p.files), ...extra].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    files,
    secretFiles: parts.flatMap((p) => p.secretFiles),
    objects: parts.flatMap((p) => p.objects),
    images: parts.flatMap((p) => p.images),
    warnings: uniqueDiagnostics(warnings),
    // The translation above has refused a config whose release is unknown.
    release: configRelease(loaded, [])!,
    modes,
  };
}

/** The deployment mode an InferenceService file is written with, and the config field that decides it. */
export interface ModelMode {
  /** The file, within the output. */
  readonly path: string;
  /** `namespace/name`. */
  readonly model: string;
  readonly mode: string;
  /** Where the config decides the mode (found when it is needed: most models get no warning). */
  where(): Diagnostic;
}

/** The index of each model of a config as one environment sees it, by its key (`[environment/]namespace/name`). */
function modelIndexes(loaded: LoadedConfig, environment: string | undefined): Map<string, number> {
  const { config } = loaded;
  return new Map(config.models.map((m, i) => [`${environment ? `${environment}/` : ''}${m.namespace ?? config.defaults?.namespace}/${m.name}`, i]));
}

function modelMode(object: ManifestObject, loaded: LoadedConfig, environment: string | undefined, indexes: ReadonlyMap<string, number>): ModelMode {
  const index = indexes.get(`${environment ? `${environment}/` : ''}${object.namespace}/${object.name}`) ?? -1;
  const where = () => {
    const { config } = loaded;
    const field =
      index < 0 ? ['models'] : config.models[index].deploymentMode !== undefined ? ['models', index, 'deploymentMode'] : config.defaults?.deploymentMode !== undefined ? ['defaults', 'deploymentMode'] : ['models', index];
    return loaded.at(field, '');
  };
  return { path: object.path, model: `${object.namespace}/${object.name}`, mode: object.json.metadata.annotations['serving.kserve.io/deploymentMode'], where };
}

/**
 * Warnings for models whose deployment mode differs from the one in the output folder, which is what the cluster
 * runs when it follows git. KServe's validating webhook refuses to change the mode of an existing InferenceService
 * (pkg/apis/serving/v1beta1/inference_service_validation.go validateDeploymentMode: "update rejected: deploymentMode
 * cannot be changed"); from 0.16.0 to 0.18.x (and in OpenDataHub 3.4's fork) it compares the annotation with
 * status.deploymentMode as recorded, so a model created as RawDeployment refuses Standard, the same mode's new name.
 */
export function modeChangeWarnings(outdir: string, modes: readonly ModelMode[], release: ReleaseProfile): Diagnostic[] {
  const warnings: Diagnostic[] = [];
  let folder: SafeFolder | undefined;
  try {
    folder = SafeFolder.open(outdir);
  } catch {
    folder = undefined; // not a folder: writing refuses it
  }
  if (!folder) return warnings;
  for (const m of modes) {
    let before: unknown;
    try {
      // Only a file of the output folder itself: never through a symbolic link or into another filesystem.
      const found = folder.read(m.path);
      if (!found || 'link' in found) continue;
      before = (YAML.parse(found.data.toString('utf8')) as any)?.metadata?.annotations?.['serving.kserve.io/deploymentMode'];
    } catch {
      continue; // no previous output (or not one modelcar can read): a new model
    }
    if (typeof before !== 'string' || before === m.mode || !DEPLOYMENT_MODES.includes(before as DeploymentMode)) continue;
    if (deploymentKind(before as DeploymentMode) !== deploymentKind(m.mode as DeploymentMode)) {
      warnings.push({
        ...m.where(),
        message:
          `the deployment mode of ${m.model} changes from ${before} to ${m.mode}, but KServe refuses to change the mode of an existing InferenceService ` +
          `("update rejected: deploymentMode cannot be changed", validateDeploymentMode): delete it before the sync (or give the model another name), or keep ${before}`,
      });
    } else if (release.modeCheck === 'raw') {
      warnings.push({
        ...m.where(),
        message:
          `${m.model} is now written ${m.mode}, the new name of ${before}: ${release.title} (KServe ${release.kserveVersion}) compares the annotation with the mode recorded ` +
          `in status.deploymentMode when the model was created (validateDeploymentMode, KServe 0.16.0 to 0.18.x), so a model created as ${before} refuses the update; ` +
          `delete it before the sync, or move to a release that compares the modes by meaning (KServe 0.19 or later)`,
      });
    }
  }
  return warnings;
}

/** A model image a config pushes: the image, and where the config names it (found when it is needed). */
interface ImagePush {
  readonly image: ModelImage;
  where(): Diagnostic;
  /** `environment ` + name, or `the config`. */
  readonly scope: string;
}

function imagePush(image: ModelImage, loaded: LoadedConfig, environment: string | undefined, indexes: ReadonlyMap<string, number>): ImagePush {
  const index = indexes.get(image.key) ?? -1;
  return {
    image,
    where: () => loaded.at(index < 0 ? ['models'] : ['models', index, 'image'], ''),
    scope: environment === undefined ? 'the config' : `environment ${environment}`,
  };
}

/**
 * One tag holds one image: two models (in one environment or in two) that push the same reference from different
 * inputs (files, base image, layout) would overwrite each other in the registry, and a model would serve the other's
 * files. The same inputs under one tag are fine: they give the same image, and the same digest. (Only references
 * pushed more than once are digested.)
 */
function refuseTagReuse(pushes: readonly ImagePush[]): void {
  const byImage = new Map<string, ImagePush[]>();
  for (const push of pushes) byImage.set(push.image.image, [...(byImage.get(push.image.image) ?? []), push]);
  const problems: Diagnostic[] = [];
  for (const [reference, same] of byImage) {
    if (same.length < 2) continue;
    const first = same[0];
    const inputs = inputsDigest(first.image);
    for (const push of same.slice(1)) {
      if (inputsDigest(push.image) === inputs) continue;
      problems.push({
        ...push.where(),
        message:
          `"${reference}" is pushed by ${push.image.key} (${push.scope}) and by ${first.image.key} (${first.scope}) from different files or base image: ` +
          `one tag holds one image, so each push would replace the other's; give each its own tag, or the same files and base image`,
      });
    }
  }
  if (problems.length) throw new ConfigError(uniqueDiagnostics(problems));
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
  const releases = releasesOf(scope);
  if (releases.length === 0) validateOutput(output.files, options.outdir);
  for (const release of releases) validateOutput(output.files, options.outdir, outputChecks(release));
  if (output.secretFiles.length && !options.secretsDir) {
    throw new UserError('the construct tree has a PullSecret made from credentials: give secretsDir, a folder outside the committed output, to write it to');
  }
  // Before anything is written: a secrets folder inside the output (or holding it) would put credentials in git.
  if (options.secretsDir) refuseSecretsFolder(options.secretsDir, { outdir });
  const changes = writeOutput(outdir, output.files);
  if (options.secretsDir) writeSecretFiles(options.secretsDir, output.secretFiles, { outdir });
  return { ...output, changes };
}

/** The platform releases a construct tree's InferenceServices are for, by id. */
function releasesOf(scope: IConstruct): ReleaseProfile[] {
  const found = new Map(scope.node.findAll().flatMap((c) => (InferenceService.isInferenceService(c) ? [[c.release.id, c.release] as const] : [])));
  return [...found.keys()].sort().map((id) => found.get(id)!);
}

/** How the output for a platform release is checked: its KServe's admission rules, its own CRDs. @internal */
export function outputChecks(release: ReleaseProfile): ValidateOutputOptions {
  return { kserve: releaseForVersion(release.kserveVersion), crds: release.crds };
}

/** The config's path as named in file headers: relative to the folder that holds the output folder. @internal */
export function sourceName(config: string, outdir: string): string {
  return path.relative(path.dirname(outdir), path.resolve(config)).split(path.sep).join('/');
}
