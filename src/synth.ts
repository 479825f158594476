import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { LoadedConfig, loadConfig } from './config/load';
import { ModelConfig } from './config/types.generated';
import { sortDiagnostics } from './config/load';
import { ConfigError, Diagnostic, didYouMean } from './errors';
import { ImageReferenceError, parseImageReference } from './image-ref';
import { Namespace } from './namespace';
import { checkName } from './names';
import { checkModelFilePath, fileNameOf } from './model-image';
import { resolveBaseImage, shellLessBaseImage } from './image-build/base-image';
import { IImageLock, ImageLock } from './lock';
import { OciModel } from './oci-model';
import { RenderContext } from './output/files';
import { SynthesizedOutput, synthesizeTree } from './output/manifests';
import { WriteResult, planOutput, refuseDangerousOutdir, writeOutput, writeSecretFiles } from './output/writer';
import { PullSecret } from './pull-secret';
import { BUILTIN_RUNTIMES } from './runtimes';

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
  /** For `check`, the current content of the files that would change (undefined: missing). */
  readonly current?: Map<string, string | undefined>;
  /** Things worth saying that did not stop synth (e.g. a lock file entry that no longer matches). */
  readonly warnings: string[];
}

/**
 * Synthesizes a modelcar config into an output folder: Kubernetes manifests and image build contexts.
 * Every problem in the config is reported at once, as a {@link ConfigError}, before anything is written.
 */
export function synth(options: SynthOptions): SynthResult {
  const outdir = path.resolve(options.outdir);
  refuseDangerousOutdir(outdir);
  const loaded = loadConfig(options.config);
  const app = new App({ outdir });
  const chart = new Chart(app, 'modelcar', { disableResourceNameHashes: true });
  const lock = ImageLock.forConfig(options.config);
  defineModels(chart, loaded, { lock });
  const context: RenderContext = { source: sourceName(options.config, outdir), outdir };
  const output = synthesizeTree(chart, context);
  const warnings = [...lock.stale];
  if (options.check) {
    const plan = planOutput(outdir, output.files);
    return { output, changes: plan, current: plan.contents, warnings };
  }
  return { output, changes: writeOutput(outdir, output.files), warnings };
}

/**
 * Synthesizes a construct tree written in TypeScript into an output folder, as `modelcar synth` does for
 * a config. Objects that carry credentials (a {@link PullSecret} made from credentials) are written only
 * to `secretsDir`, never to the output folder.
 */
export function synthesize(scope: IConstruct, options: { outdir: string; source: string; secretsDir?: string }): SynthesizedOutput & { changes: WriteResult } {
  const outdir = path.resolve(options.outdir);
  const output = synthesizeTree(scope, { source: options.source, outdir });
  if (output.secretFiles.length && !options.secretsDir) {
    throw new Error('the construct tree has a PullSecret made from credentials: give secretsDir, a folder outside the committed output, to write it to');
  }
  const changes = writeOutput(outdir, output.files);
  if (options.secretsDir) writeSecretFiles(options.secretsDir, output.secretFiles);
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
 * models that do not set `pinDigest: false`.
 */
export function defineModels(chart: Chart, loaded: LoadedConfig, options: { lock?: IImageLock } = {}): void {
  const { config, at } = loaded;
  const problems: Diagnostic[] = [];
  const defaults = config.defaults ?? {};

  const namespaces = new Map<string, readonly (string | number)[]>();
  for (const name of Object.keys(config.namespaces ?? {})) {
    namespaces.set(name, ['namespaces', name]);
    for (const p of checkName('label', name)) problems.push(at(['namespaces', name], `namespace name "${name}" is not valid: ${p}`));
  }
  if (defaults.namespace !== undefined) {
    for (const p of checkName('label', defaults.namespace)) problems.push(at(['defaults', 'namespace'], `"${defaults.namespace}" is not a valid namespace name: ${p}`));
  }

  const seen = new Map<string, number>();
  const models: { model: ModelConfig; index: number; namespace: string; runtime: string }[] = [];
  config.models.forEach((model, index) => {
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

    const runtime = model.runtime ?? defaults.runtime;
    if (runtime === undefined) {
      problems.push(at(field(), `model "${model.name}" has no runtime: set runtime here or in defaults (built-in: ${Object.keys(BUILTIN_RUNTIMES).join(', ')})`));
    } else {
      const definition = BUILTIN_RUNTIMES[runtime];
      const formats = definition.spec.supportedModelFormats ?? [];
      const matching = formats.filter((f) => f.name === model.format);
      if (matching.length === 0) {
        const names = [...new Set(formats.map((f) => f.name))];
        const hint = didYouMean(model.format, names);
        problems.push(at(field('format'), `"${model.format}" is not served by runtime ${runtime}${hint ? ` (did you mean "${hint}"?)` : ''}; it serves: ${names.join(', ')}`));
      } else if (model.formatVersion !== undefined && !matching.some((f) => f.version === model.formatVersion)) {
        problems.push(at(field('formatVersion'), `${model.format} version "${model.formatVersion}" is not served by runtime ${runtime}; it serves version: ${matching.map((f) => f.version).join(', ')}`));
      }
    }

    checkImage(model.image, field('image'), problems, at);
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
      if (local !== undefined && !fs.existsSync(local)) {
        const where = path.relative(process.cwd(), path.resolve(loaded.dir, f.source)) || '.';
        problems.push(at(field('files', i, 'source'), `"${f.source}": no such file (looked for ${where}; local paths are relative to the config file)`));
      }
    });
    for (const [kind, map] of [['labels', model.labels], ['annotations', model.annotations]] as const) {
      for (const [k, v] of Object.entries(map ?? {})) {
        for (const p of checkName(kind === 'labels' ? 'labelKey' : 'annotationKey', k)) problems.push(at(field(kind, k), `key "${k}" is not valid: ${p}`));
        if (kind === 'labels') for (const p of checkName('labelValue', v)) problems.push(at(field(kind, k), `value "${v}" is not valid: ${p}`));
      }
    }
    if (problems.length === before && namespace !== undefined && runtime !== undefined) {
      models.push({ model, index, namespace, runtime });
      if (!namespaces.has(namespace)) namespaces.set(namespace, model.namespace !== undefined ? field('namespace') : ['defaults', 'namespace']);
    }
  });
  if (problems.length) throw new ConfigError(sortDiagnostics(problems));

  for (const [name, field] of [...namespaces].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const ns = config.namespaces?.[name] ?? {};
    construct(problems, at(field, ''), () => new Namespace(chart, `Namespace:${name}`, { name, ...ns }));
  }
  for (const { model, index, namespace, runtime } of models) {
    const pullSecret = model.pullSecret ?? defaults.pullSecret;
    construct(problems, at(['models', index], ''), () =>
      new OciModel(chart, `Model:${namespace}:${model.name}`, {
        name: model.name,
        namespace,
        runtime,
        modelFormat: { name: model.format, version: model.formatVersion },
        image: model.image,
        files: model.files.map((f) => ({ ...f, source: /^https?:\/\//.test(f.source) ? f.source : path.resolve(loaded.dir, f.source) })),
        pullSecret: pullSecret === undefined ? undefined : PullSecret.fromSecretName(pullSecret),
        baseImage: model.baseImage ?? defaults.baseImage,
        lock: (model.pinDigest ?? defaults.pinDigest ?? true) ? options.lock : undefined,
        displayName: model.displayName,
        labels: model.labels,
        annotations: model.annotations,
      }),
    );
  }
  if (problems.length) throw new ConfigError(sortDiagnostics(problems));
}

function checkImage(value: string, field: (string | number)[], problems: Diagnostic[], at: LoadedConfig['at']): void {
  try {
    parseImageReference(value);
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
