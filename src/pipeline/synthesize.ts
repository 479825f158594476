import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { LoadedConfig, loadConfig, sortDiagnostics } from '../config/load';
import { ModelConfig, PullSecretConfig } from '../config/types.generated';
import { ConfigError, Diagnostic, didYouMean, formatDiagnostic } from '../core/errors';
import { environmentNames, resolveEnvironment } from '../config/environments';
import { argoCdApplications } from '../config/argocd';
import { ImageReferenceError, isFloating, parseImageReference } from '../core/image-ref';
import { Namespace } from '../constructs/namespace';
import { checkName } from '../core/names';
import { DEFAULT_IMAGE_USER, checkModelFilePath, fileNameOf } from '../constructs/model-image';
import { ModelLayout } from '../core/model-layout';
import { resolveBaseImage, shellLessBaseImage } from '../core/base-image';
import { IImageLock } from '../constructs/image-lock';
import { ImageLock } from './lock';
import { OciModel } from '../constructs/oci-model';
import { RenderContext } from '../core/output-file';
import { SynthesizedOutput, synthesizeTree } from '../output/manifests';
import { OutputPlan, WriteResult, planOutput, recoverInterrupted, refuseDangerousOutdir, writeOutput, writeOutputSteps } from '../output/writer';
import { refuseSecretsFolder, writeSecretFiles } from '../output/secrets-folder';
import { lockFolder } from '../core/folder-lock';
import { own } from '../core/records';
import { Steps, runSteps } from '../core/interrupts';
import { checkLocalSource, checkUrl } from '../config/local-paths';
import { annotationProblems, labelProblems } from '../validation/validate-object';
import { validateOutput } from '../validation/validate-output';
import { ExternalPullSecret } from '../constructs/external-pull-secret';
import { IPullSecret, PullSecret } from '../constructs/pull-secret';
import { BUILTIN_RUNTIMES } from '../constructs/runtimes/catalogue';
import { ConfigRuntime, configRuntimes, modelLayout, runtimeFormats } from '../config/runtimes-config';
import { ServingOptions, servingOptions } from '../config/serving-config';
import { DEFAULT_KSERVE_VERSION, DEFAULT_PLATFORM, checkKserveVersion, modelcarUidNote } from '../core/platform';

/** Options of {@link synth}. */
export interface SynthOptions {
  /** The config file. */
  readonly config: string;
  /** The output folder. */
  readonly outdir: string;
  /** Write nothing; report what would change. @default false */
  readonly check?: boolean;
}

/** What {@link synth} produced and changed. */
export interface SynthResult {
  readonly output: SynthesizedOutput;
  /** For `check`, what writing would change. */
  readonly changes: WriteResult;
  /** For `check`, the plan: the current content and modes of the files that would change. */
  readonly plan?: OutputPlan;
  /** Problems that do not stop synth (e.g. an image tag that KServe pulls again at every start). */
  readonly warnings: readonly Diagnostic[];
}

/**
 * Synthesizes a modelcar config into an output folder: Kubernetes manifests and image build contexts.
 * Every problem in the config is reported at once, as a {@link ConfigError}, before anything is written.
 */
export function synth(options: SynthOptions): SynthResult {
  return runSteps(synthSteps(options));
}

/**
 * {@link synth} as steps, which the CLI runs so that a signal stops it cleanly (the output folder as it was, nothing
 * half-written left beside it). The output folder is locked while synth reads or writes it.
 */
export function* synthSteps(options: SynthOptions): Steps<SynthResult> {
  const outdir = path.resolve(options.outdir);
  refuseDangerousOutdir(outdir, { config: options.config });
  const loaded = loadConfig(options.config, { deferModelErrors: true });
  const lock = ImageLock.forConfig(options.config);
  const { warnings: found, ...output } = synthesizeConfig(loaded, { source: sourceName(options.config, outdir), outdir, argocd: loaded.config.argocd?.syncWaves !== false }, { lock });
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
 * Synthesizes a loaded config: once, or with environments once per environment into `<environment>/`,
 * plus the Argo CD Applications the config asks for. Problems of every environment are reported together.
 */
export function synthesizeConfig(loaded: LoadedConfig, context: RenderContext, options: { lock?: IImageLock } = {}): SynthesizedOutput & { warnings: Diagnostic[] } {
  const envs = environmentNames(loaded.config);
  const warnings: Diagnostic[] = [];
  const one = (config: LoadedConfig, ctx: RenderContext) => {
    const chart = new Chart(new App({ outdir: ctx.outdir }), 'modelcar', { disableResourceNameHashes: true });
    warnings.push(...defineModels(chart, config, { ...options, environment: ctx.subdir }));
    return synthesizeTree(chart, ctx);
  };
  const parts: SynthesizedOutput[] = [];
  if (envs.length === 0) {
    parts.push(one(loaded, context));
  } else {
    const problems: Diagnostic[] = [];
    for (const env of envs) {
      try {
        parts.push(one(resolveEnvironment(loaded, env), { ...context, source: `${context.source}, environment ${env}`, subdir: env }));
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        problems.push(...e.diagnostics);
      }
    }
    if (problems.length) throw new ConfigError(uniqueDiagnostics(problems));
  }
  const application = loaded.config.argocd?.application;
  const extra = application ? argoCdApplications(application, envs, context) : [];
  const files = [...parts.flatMap((p) => p.files), ...extra].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    files,
    secretFiles: parts.flatMap((p) => p.secretFiles),
    objects: parts.flatMap((p) => p.objects),
    images: parts.flatMap((p) => p.images),
    warnings: uniqueDiagnostics(warnings),
  };
}

function uniqueDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return sortDiagnostics(diagnostics.filter((d) => !seen.has(formatDiagnostic(d)) && !!seen.add(formatDiagnostic(d))));
}

/**
 * Synthesizes a construct tree written in TypeScript into an output folder, as `modelcar synth` does for
 * a config. Objects that carry credentials (a {@link PullSecret} made from credentials) are written only
 * to `secretsDir`, never to the output folder.
 */
export function synthesize(scope: IConstruct, options: { outdir: string; source: string; secretsDir?: string }): SynthesizedOutput & { changes: WriteResult } {
  const outdir = path.resolve(options.outdir);
  const output = synthesizeTree(scope, { source: options.source, outdir });
  validateOutput(output.files, options.outdir);
  if (output.secretFiles.length && !options.secretsDir) {
    throw new Error('the construct tree has a PullSecret made from credentials: give secretsDir, a folder outside the committed output, to write it to');
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

/**
 * Adds the constructs a config describes to a Chart: a Namespace per namespace, an {@link OciModel} per
 * model. Checks the rules the schema cannot express (names, image references, formats, duplicates) and
 * throws a {@link ConfigError} with all of them. With a lock, storageUri is pinned to the digests it holds for
 * models that do not set `pinDigest: false`. Returns the warnings, at the config's fields.
 */
export function defineModels(chart: Chart, loaded: LoadedConfig, options: { lock?: IImageLock; environment?: string } = {}): Diagnostic[] {
  const { config, at } = loaded;
  const problems: Diagnostic[] = [...loaded.problems];
  const warnings: Diagnostic[] = [];
  const warn = (field: readonly (string | number)[], message: string) => void warnings.push(at(field, message));
  const defaults = config.defaults ?? {};
  const platform = config.platform ?? DEFAULT_PLATFORM;
  const kserveVersion = config.kserveVersion ?? DEFAULT_KSERVE_VERSION;
  const versionProblem = checkKserveVersion(kserveVersion);
  if (versionProblem) problems.push(at(['kserveVersion'], versionProblem));
  const runtimes = configRuntimes(loaded, problems);

  const namespaces = new Map<string, readonly (string | number)[]>();
  for (const [name, ns] of Object.entries(config.namespaces ?? {})) {
    namespaces.set(name, ['namespaces', name]);
    for (const p of checkName('label', name)) problems.push(at(['namespaces', name], `namespace name "${name}" is not valid: ${p}`));
    for (const p of [...labelProblems(ns.labels, ['namespaces', name, 'labels']), ...annotationProblems(ns.annotations, ['namespaces', name, 'annotations'])]) {
      problems.push(at(p.path, p.message));
    }
  }
  if (defaults.namespace !== undefined) {
    for (const p of checkName('label', defaults.namespace)) problems.push(at(['defaults', 'namespace'], `"${defaults.namespace}" is not a valid namespace name: ${p}`));
  }

  for (const [name, entry] of Object.entries(config.pullSecrets ?? {})) {
    for (const p of checkName('subdomain', name)) problems.push(at(['pullSecrets', name], `"${name}" is not a valid Secret name: ${p}`));
    if (entry.fromEnv && entry.externalSecret) {
      problems.push(at(['pullSecrets', name], `give either fromEnv (modelcar pull-secret makes it) or externalSecret (the operator makes it), not both`));
    }
  }

  const seen = new Map<string, number>();
  const models: { model: ModelConfig; index: number; namespace: string; runtime: ConfigRuntime; props: ServingOptions; layout: ModelLayout }[] = [];
  config.models.forEach((model, index) => {
    if (loaded.invalidModels.has(index)) return; // its schema problems are reported already
    const field = (...rest: (string | number)[]) => ['models', index, ...rest];
    const before = problems.length;
    const namespace = model.namespace ?? defaults.namespace;
    if (namespace === undefined) {
      problems.push(at(field(), `model "${model.name}" has no namespace: set namespace here or in defaults`));
    } else if (model.namespace !== undefined) {
      for (const p of checkName('label', namespace)) problems.push(at(field('namespace'), `"${namespace}" is not a valid namespace name: ${p}`));
    }
    for (const p of checkName('inferenceService', model.name)) problems.push(at(field('name'), `"${model.name}" is not a valid InferenceService name: ${p}`));
    const key = `${namespace}/${model.name}`;
    if (seen.has(key)) {
      problems.push(at(field('name'), `model "${model.name}" is defined twice in namespace ${namespace} (also models[${seen.get(key)}]); names must be unique per namespace`));
    }
    seen.set(key, index);

    const runtimeName = model.runtime ?? defaults.runtime;
    const runtimeField = model.runtime !== undefined ? field('runtime') : ['defaults', 'runtime'];
    const runtime = runtimeName === undefined ? undefined : runtimes.get(runtimeName);
    let serving: ServingOptions | undefined;
    let layout: ModelLayout | undefined;
    if (runtimeName === undefined) {
      problems.push(at(field(), `model "${model.name}" has no runtime: set runtime here or in defaults (built-in: ${Object.keys(BUILTIN_RUNTIMES).join(', ')})`));
    } else if (runtime === undefined) {
      // A runtime declared under runtimes but refused has its problems reported at its entry.
      if (own(config.runtimes, runtimeName) === undefined) {
        const hint = didYouMean(runtimeName, runtimes.keys());
        const declared = Object.keys(config.runtimes ?? {}).filter((n) => !BUILTIN_RUNTIMES[n]);
        problems.push(
          at(
            runtimeField,
            `"${runtimeName}" is not a runtime${hint ? ` (did you mean "${hint}"?)` : ''}; built-in: ${Object.keys(BUILTIN_RUNTIMES).join(', ')}` +
              (declared.length ? `; declared under runtimes: ${declared.join(', ')}` : '; declare others under runtimes'),
          ),
        );
      }
    } else {
      const formats = runtimeFormats(runtime);
      const matching = formats?.filter((f) => f.name === model.format);
      if (formats && matching!.length === 0) {
        const names = [...new Set(formats.map((f) => f.name))];
        const hint = didYouMean(model.format, names);
        problems.push(at(field('format'), `"${model.format}" is not served by runtime ${runtimeName}${hint ? ` (did you mean "${hint}"?)` : ''}; it serves: ${names.join(', ')}`));
      } else if (matching && model.formatVersion !== undefined && !matching.some((f) => f.version === model.formatVersion)) {
        problems.push(at(field('formatVersion'), `${model.format} version "${model.formatVersion}" is not served by runtime ${runtimeName}; it serves version: ${matching.map((f) => f.version).join(', ')}`));
      }
      const found = modelLayout(model, runtime);
      if (typeof found === 'string') problems.push(at(field(), found));
      else layout = found;
      serving = servingOptions(loaded, index, runtime, { platform, kserveVersion }, problems);
    }

    checkImage(model.image, field('image'), problems, at, warn);
    const baseImage = model.baseImage ?? defaults.baseImage;
    if (baseImage !== undefined) {
      const where = model.baseImage !== undefined ? field('baseImage') : ['defaults', 'baseImage'];
      const noShell = shellLessBaseImage(resolveBaseImage(baseImage));
      if (noShell) problems.push(at(where, noShell));
      else checkImage(resolveBaseImage(baseImage), where, problems, at);
    }
    const pullSecret = model.pullSecret ?? defaults.pullSecret;
    if (pullSecret !== undefined) {
      for (const p of checkName('subdomain', pullSecret)) {
        problems.push(at(model.pullSecret !== undefined ? field('pullSecret') : ['defaults', 'pullSecret'], `"${pullSecret}" is not a valid Secret name: ${p}`));
      }
    }
    const targets = new Map<string, number>();
    model.files.forEach((f, i) => {
      const isUrl = /^https?:\/\//.test(f.source);
      if (!isUrl && /^[a-z][a-z0-9+.-]*:\/\//i.test(f.source)) {
        problems.push(at(field('files', i, 'source'), `"${f.source}" is neither an http(s) URL nor a local path; use https://... or a path relative to this file`));
        return;
      }
      if (isUrl) {
        const problem = checkUrl(f.source, config.allowCredentialsInUrls === true);
        if (problem) {
          problems.push(at(field('files', i, 'source'), problem));
          return;
        }
      }
      const name = f.path ?? fileNameOf(f.source);
      const local = isUrl ? undefined : path.resolve(loaded.dir, f.source);
      const folder = local !== undefined && fs.existsSync(local) && fs.statSync(local).isDirectory();
      if (folder && f.sha256 !== undefined) {
        problems.push(at(field('files', i, 'sha256'), `"${f.source}" is a folder; sha256 pins a single file (give the folder's files one by one to pin them)`));
        return;
      }
      const problem = folder && name === '.' ? undefined : checkModelFilePath(name);
      if (problem) {
        problems.push(at(field('files', i, f.path !== undefined ? 'path' : 'source'), `${JSON.stringify(name)} ${problem}`));
        return;
      }
      if (targets.has(name)) {
        problems.push(at(field('files', i), `"${name}" is also the path of files[${targets.get(name)}]; give each file its own path`));
      }
      targets.set(name, i);
      if (!isUrl) {
        const problem = checkLocalSource(f.source, loaded.dir, config.allowPathsOutside === true, (m) => warn(field('files', i, 'source'), m));
        if (problem) problems.push(at(field('files', i, 'source'), problem));
      }
    });
    for (const p of [...labelProblems(model.labels, field('labels')), ...annotationProblems(model.annotations, field('annotations'))]) {
      problems.push(at(p.path, p.message));
    }
    if (problems.length === before && namespace !== undefined && runtime !== undefined && serving && layout) {
      models.push({ model, index, namespace, runtime, props: serving, layout });
      if (!namespaces.has(namespace)) namespaces.set(namespace, model.namespace !== undefined ? field('namespace') : ['defaults', 'namespace']);
    }
  });
  if (problems.length) throw new ConfigError(sortDiagnostics(problems));

  for (const [name, field] of [...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ns = own(config.namespaces, name) ?? {};
    construct(problems, at(field, ''), () => new Namespace(chart, `Namespace:${name}`, { name, platform, ...ns }));
  }
  for (const { model, index, namespace, runtime, props, layout } of models) {
    const pullSecret = model.pullSecret ?? defaults.pullSecret;
    construct(problems, at(['models', index], ''), () =>
      new OciModel(chart, `Model:${namespace}:${model.name}`, {
        name: model.name,
        namespace,
        runtime: runtime.kind === 'emitted' ? runtime.definition : runtime.reference,
        layout,
        modelFormat: { name: model.format, version: model.formatVersion },
        image: model.image,
        files: model.files.map((f) => ({ ...f, source: /^https?:\/\//.test(f.source) ? f.source : path.resolve(loaded.dir, f.source) })),
        pullSecret: pullSecret === undefined ? undefined : pullSecretFor(chart, namespace, pullSecret, own(config.pullSecrets, pullSecret)),
        baseImage: model.baseImage ?? defaults.baseImage,
        lock: (model.pinDigest ?? defaults.pinDigest ?? true) ? options.lock : undefined,
        environment: options.environment,
        displayName: model.displayName,
        labels: model.labels,
        annotations: model.annotations,
        ...props,
      }),
    );
  }
  if (problems.length) throw new ConfigError(sortDiagnostics(problems));
  if (platform === 'kserve' && models.length) warnings.push(at(['platform'], modelcarUidNote(Number(DEFAULT_IMAGE_USER))));
  return warnings;
}

/**
 * The pull secret a model uses: an ExternalSecret (emitted once per namespace) when the config says where
 * the credentials are stored, else a reference to a Secret that exists (or that `modelcar pull-secret` makes).
 */
function pullSecretFor(chart: Chart, namespace: string, name: string, entry: PullSecretConfig | undefined): IPullSecret {
  const store = entry?.externalSecret;
  if (!store) return PullSecret.fromSecretName(name);
  const id = `ExternalPullSecret:${namespace}:${name}`;
  const existing = chart.node.tryFindChild(id);
  if (existing) return existing as ExternalPullSecret;
  return new ExternalPullSecret(chart, id, { name, namespace, server: entry.server, ...store });
}

function checkImage(value: string, field: (string | number)[], problems: Diagnostic[], at: LoadedConfig['at'], warn?: LoadedConfig['warn']): void {
  try {
    const ref = parseImageReference(value);
    if (warn && isFloating(ref)) {
      const what = ref.tag === 'latest' ? 'has the tag "latest"' : 'has no tag';
      warn(
        field,
        `"${value}" ${what}: the model is pulled again at every start of the model server (imagePullPolicy Always), which is slow for large models and may serve a different model after a push; give a fixed tag (e.g. ":v1") or a digest ("@sha256:...")`,
      );
    }
  } catch (e) {
    if (!(e instanceof ImageReferenceError)) throw e;
    problems.push(at(field, e.message));
  }
}

/** Runs a construct's constructor; a prop error it throws becomes a diagnostic at the config entry. */
function construct(problems: Diagnostic[], where: Diagnostic, make: () => unknown): void {
  try {
    make();
  } catch (e) {
    if (!(e instanceof Error) || e instanceof ConfigError) throw e;
    problems.push({ ...where, message: e.message });
  }
}
