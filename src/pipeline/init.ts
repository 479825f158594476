/**
 * `modelcar init`: a starter config for one model, from a local folder of model files or a Hugging Face repository.
 * The model format and the runtime are guessed from the file names, and so are the name and, for a repository,
 * which copies of the weights to leave out; every guess is said, on the terminal and in a comment of the config. The
 * config is checked as synth checks it (and its folder or repository recorded in the lock file, as synth records
 * it) before it is written, and an existing config is never overwritten.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, UserError } from '../core/errors';
import { matchesPattern } from '../core/hub';
import { listFolder } from '../core/model-files';
import { releasesWithRuntime, runtimeCatalogue } from '../constructs/runtimes/catalogue';
import { DEFAULT_RELEASE, RELEASES, ReleaseProfile, productTitle } from '../core/releases';
import { validateOutput } from '../validation/validate-output';
import { folderKey, lockFileOf, recordSources } from './lock';
import { ProgressOutput } from './progress';
import { HubClient, HubError } from './sources/hub-client';
import { AbortedError, onInterrupt } from '../core/interrupts';
import { lockSources } from './sources/lock-sources';
import { outputChecks, renderConfig, sourceName } from './synthesize';

/** Options of {@link init}. */
export interface InitOptions {
  /** The config file to write; it must not exist. */
  readonly config: string;
  /** A folder of model files (relative to the working folder). Give this or `repo`. */
  readonly folder?: string;
  /** A Hugging Face repository, `namespace/name`. Give this or `folder`. */
  readonly repo?: string;
  /** The revision of `repo`. @default 'main' */
  readonly revision?: string;
  /** @default - from the folder or repository name */
  readonly name?: string;
  /** @default 'models' */
  readonly namespace?: string;
  /** @default - a placeholder to change */
  readonly image?: string;
  /** @default - guessed */
  readonly runtime?: string;
  /** @default - guessed */
  readonly format?: string;
  /** Where HF_ENDPOINT, HF_TOKEN, the proxies and the digest cache are found. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the guesses and what was written are said. @default - nowhere */
  readonly output?: ProgressOutput;
  /** Stops init: nothing is written then. */
  readonly signal?: AbortSignal;
}

/** What {@link init} wrote. */
export interface InitResult {
  readonly config: string;
  /** The config's text. */
  readonly text: string;
  /** Each guess, as said. */
  readonly guesses: readonly string[];
}

/** A guess about the model, with why. */
interface Guess<T> {
  readonly value: T;
  readonly why: string;
}

/** What the file names say about the model: its format and the runtime that serves it. */
export interface ModelGuess {
  readonly format: string;
  readonly runtime: string;
  /** Why, in words, naming the files it is guessed from. */
  readonly why: string;
}

const count = (n: number, what: string) => `${n} ${what}`;

/**
 * Guesses the format and runtime of a model from its file paths: a Hugging Face checkpoint (`config.json` and
 * `.safetensors` or `pytorch_model*.bin`) is served by vLLM; `.onnx`, OpenVINO IR (`.xml` + `.bin`), a TensorFlow
 * SavedModel (`saved_model.pb`) and PaddlePaddle (`.pdmodel`) by OpenVINO Model Server; a caikit model (`config.yml`
 * and `artifacts/`) by caikit. The runtimes are named as the release names them (vLLM: `vllm-cuda-runtime` from
 * OpenDataHub 2.27, `vllm-runtime` before). Undefined when the files say none of these.
 */
export function guessModel(files: readonly string[], release: ReleaseProfile = DEFAULT_RELEASE): ModelGuess | undefined {
  const named = (re: RegExp) => files.filter((f) => re.test(f));
  const top = new Set(files.filter((f) => !f.includes('/')));
  const safetensors = named(/\.safetensors$/);
  const torchBins = named(/(^|\/)pytorch_model[^/]*\.bin$/);
  if (top.has('config.yml') && files.some((f) => f.startsWith('artifacts/'))) {
    return { format: 'caikit', runtime: 'caikit-standalone-runtime', why: 'config.yml with an artifacts/ folder is a caikit model; caikit-standalone serves it (caikit-tgis-runtime does too, for text generation with TGIS)' };
  }
  if (top.has('config.json') && (safetensors.length || torchBins.length)) {
    const weights = safetensors.length ? count(safetensors.length, `.safetensors file${safetensors.length === 1 ? '' : 's'}`) : count(torchBins.length, `pytorch_model .bin file${torchBins.length === 1 ? '' : 's'}`);
    const vllm = runtimeCatalogue(release)['vllm-cuda-runtime'] ? 'vllm-cuda-runtime' : 'vllm-runtime';
    return { format: 'vLLM', runtime: vllm, why: `config.json and ${weights} are a Hugging Face transformers checkpoint, which vLLM serves` };
  }
  const onnx = named(/\.onnx$/);
  if (onnx.length) return { format: 'onnx', runtime: 'kserve-ovms', why: `${onnx.join(', ')} ${onnx.length === 1 ? 'is' : 'are'} ONNX, which OpenVINO Model Server serves` };
  const ir = named(/\.xml$/).filter((x) => files.includes(x.replace(/\.xml$/, '.bin')));
  if (ir.length) return { format: 'openvino_ir', runtime: 'kserve-ovms', why: `${ir[0]} with ${ir[0].replace(/\.xml$/, '.bin')} is OpenVINO IR, which OpenVINO Model Server serves` };
  const savedModel = named(/(^|\/)saved_model\.pbt?x?t?$/);
  if (savedModel.length) return { format: 'tensorflow', runtime: 'kserve-ovms', why: `${savedModel[0]} is a TensorFlow SavedModel, which OpenVINO Model Server serves` };
  const paddle = named(/\.pdmodel$/);
  if (paddle.length) return { format: 'paddle', runtime: 'kserve-ovms', why: `${paddle[0]} is PaddlePaddle, which OpenVINO Model Server serves` };
  return undefined;
}

/**
 * Copies of a checkpoint's weights that vLLM does not read when it has the .safetensors: each pattern that matches a
 * file of the repository, with the files it leaves out.
 */
const OTHER_WEIGHTS: readonly { pattern: string; what: string }[] = [
  { pattern: 'original/', what: 'the original checkpoint' },
  { pattern: 'onnx/', what: 'ONNX exports' },
  { pattern: 'openvino/', what: 'OpenVINO exports' },
  { pattern: '*.bin', what: 'PyTorch .bin weights' },
  { pattern: '*.pth', what: 'PyTorch .pth weights' },
  { pattern: '*.pt', what: 'PyTorch .pt weights' },
  { pattern: '*.h5', what: 'TensorFlow weights' },
  { pattern: '*.msgpack', what: 'Flax weights' },
  { pattern: '*.ot', what: 'Rust weights' },
  { pattern: '*.gguf', what: 'GGUF files' },
];

/** The exclude patterns for a vLLM repository with .safetensors, each with why. */
function guessExcludes(files: readonly string[]): Guess<string>[] {
  if (!files.some((f) => f.endsWith('.safetensors'))) return [];
  const left = [...files];
  const guesses: Guess<string>[] = [];
  for (const { pattern, what } of OTHER_WEIGHTS) {
    const matched = left.filter((f) => matchesPattern(f, pattern));
    if (matched.length === 0) continue;
    for (const m of matched) left.splice(left.indexOf(m), 1);
    const shown = matched.length > 3 ? `${matched.slice(0, 3).join(', ')}, ...` : matched.join(', ');
    guesses.push({ value: pattern, why: `${what} (${count(matched.length, matched.length === 1 ? 'file' : 'files')}: ${shown}): vLLM reads the .safetensors` });
  }
  return guesses;
}

/** A DNS-1035 label (an InferenceService name, at most 53 characters) made from a folder or repository name. */
export function modelName(from: string): string {
  let name = from
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(name)) name = `model-${name}`;
  return name.slice(0, 53).replace(/-+$/, '') || 'model';
}

/** A YAML scalar: plain when that reads back as the same string, else double-quoted. */
function scalar(value: string): string {
  return /^[A-Za-z_./@][A-Za-z0-9_./@:-]*$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) && !/:\s|:$/.test(value) ? value : JSON.stringify(value);
}

/**
 * Writes a starter config for one model. Throws a {@link UserError} when the config exists, when neither or both of
 * a folder and a repository are given, when the folder or repository cannot be read, or when nothing can be guessed
 * and `format`/`runtime` are not given.
 */
export async function init(options: InitOptions): Promise<InitResult> {
  // One hub client lists the repository and then records it: the hub is asked once for its commit and its files.
  let hub: HubClient | undefined;
  try {
    return await writeConfig(options, () => (hub ??= new HubClient({ env: options.env ?? process.env, signal: options.signal })));
  } finally {
    await hub?.close();
  }
}

async function writeConfig(options: InitOptions, hubClient: () => HubClient): Promise<InitResult> {
  const env = options.env ?? process.env;
  const config = options.config;
  const line = (text: string) => options.output?.write(`${text}\n`);
  if (fs.existsSync(config)) throw new UserError(`${config} exists; init writes a new config and never overwrites one: remove it, or give another file with -c`);
  if ((options.folder === undefined) === (options.repo === undefined)) {
    throw new UserError('give a folder of model files (modelcar init models/my-model) or a Hugging Face repository (modelcar init --repo namespace/name), one of them', 2);
  }
  const configDir = path.dirname(path.resolve(config));
  const revision = options.revision ?? 'main';
  let files: string[];
  let from: string;
  let sourceLines: string[];
  let allowOutside = false;
  const guesses: string[] = [];
  const say = (field: string, value: string, why: string) => {
    guesses.push(`${field}: ${value} (${why})`);
    line(`  ${field}: ${value} (${why})`);
  };

  if (options.folder !== undefined) {
    const folder = path.resolve(options.folder);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(folder);
    } catch {
      stat = undefined;
    }
    if (!stat?.isDirectory()) throw new UserError(`${options.folder}: no such folder; give the folder that holds the model files`);
    try {
      files = listFolder(folder).map((f) => f.relative);
    } catch (e) {
      throw new UserError(`${options.folder}: ${(e as Error).message}`);
    }
    if (files.length === 0) throw new UserError(`${options.folder}: the folder has no files (names starting with "." are left out)`);
    const relative = folderKey(configDir, folder);
    allowOutside = relative.startsWith('..') || path.isAbsolute(relative);
    from = `the folder ${relative}`;
    line(`init: ${count(files.length, files.length === 1 ? 'file' : 'files')} in ${relative}`);
    sourceLines = [`      - source: ${scalar(allowOutside ? folder : relative)}`, '        path: .                         # the folder\'s files at the top of the model layout'];
  } else {
    const repo = options.repo!;
    const hub = hubClient();
    try {
      const commit = await hub.resolveRevision(repo, revision);
      files = (await hub.listFiles(repo, commit)).map((f) => f.path);
      line(`init: ${count(files.length, files.length === 1 ? 'file' : 'files')} in ${repo} at ${revision} (commit ${commit}) on ${hub.endpoint}`);
    } catch (e) {
      if (e instanceof HubError) throw new UserError(`--repo ${repo}: ${e.message}`);
      throw e;
    }
    from = `the Hugging Face repository ${repo} (revision ${revision})`;
    sourceLines = [`      - repo: ${scalar(repo)}`, `        revision: ${scalar(revision)}${' '.repeat(Math.max(1, 24 - revision.length))}# synth records the commit it stands for in the lock file`];
  }

  // Format and runtime: guessed, unless given.
  const guessed = guessModel(files);
  let runtime = options.runtime;
  let format = options.format;
  if (format === undefined) {
    if (!guessed) throw new UserError(`cannot guess the model format from the files of ${from} (${files.slice(0, 8).join(', ')}${files.length > 8 ? ', ...' : ''}); give --format and --runtime`);
    format = guessed.format;
  }
  if (runtime === undefined) {
    runtime = guessed && guessed.format === format ? guessed.runtime : servingRuntimeOf(format);
    if (runtime === undefined) throw new UserError(`no built-in runtime serves the format "${format}"; give --runtime (a runtime declared in the config, or one that exists in the cluster)`);
  }
  // The config is written for the default release, unless its runtime is one that release no longer ships (caikit):
  // then for the newest OpenDataHub release that ships it.
  const release = runtimeCatalogue(DEFAULT_RELEASE)[runtime] ? undefined : newestReleaseWith(runtime);
  const nameFrom = options.repo !== undefined ? options.repo.split('/').pop()! : path.basename(path.resolve(options.folder!));
  const name = options.name ?? modelName(nameFrom);
  const namespace = options.namespace ?? 'models';
  const image = options.image ?? `registry.example.com/${namespace}/${name}:v1`;

  line('guesses (check them; change any in the config):');
  if (options.format === undefined) say('format', format, `guessed: ${guessed!.why}`);
  if (options.runtime === undefined) say('runtime', runtime, guessed && guessed.format === format ? 'guessed with the format' : `the built-in runtime that serves ${format}`);
  if (options.name === undefined) say('name', name, `from the ${options.repo !== undefined ? 'repository' : 'folder'} name ${nameFrom}, as an InferenceService name`);
  if (options.namespace === undefined) say('namespace', namespace, 'a default: change it to the namespace to serve the model in, or give --namespace');
  if (options.image === undefined) say('image', image, 'a placeholder: change it to the registry and repository to push the model image to, or give --image');
  const excludes = options.repo !== undefined && format === 'vLLM' ? guessExcludes(files) : [];
  for (const e of excludes) say('exclude', e.value, `guessed: ${e.why}`);
  if (allowOutside) say('allowPathsOutside', 'true', `the folder is outside the config's folder`);
  if (release) say('release', release.release, `${DEFAULT_RELEASE.title}, the default, does not ship ${runtime}; ${release.title} is the newest release that does: change it to the one you deploy to`);
  const gpus = runtimeCatalogue(release ?? DEFAULT_RELEASE)[runtime]?.defaults?.gpus;

  const comment = (text: string) => text.split('\n').map((t) => `# ${t}`);
  const text = [
    ...comment(`Written by \`modelcar init\` from ${from}.\nCheck the values marked "guessed" and "change", then:\n  modelcar synth && modelcar stage && modelcar build --push && modelcar synth\nThe config format: the README's "The config", or the schema (modelcar.schema.json) in your editor.`),
    'version: 1',
    ...(release ? [`${`release: ${JSON.stringify(release.release)}`.padEnd(37)}# guessed: the newest ${productTitle(release.product)} release that ships ${runtime}; change it to yours`] : []),
    ...(allowOutside ? ['allowPathsOutside: true              # the model folder is outside this config\'s folder'] : []),
    'models:',
    `  - name: ${scalar(name)}${options.name === undefined ? `    # guessed from ${scalar(nameFrom)}: the InferenceService name` : ''}`,
    `    namespace: ${scalar(namespace)}${options.namespace === undefined ? '    # change: the namespace to serve the model in' : ''}`,
    `    runtime: ${scalar(runtime)}${options.runtime === undefined ? `    # guessed: ${guessed && guessed.format === format ? guessed.why : `it serves ${format}`}` : ''}`,
    `    format: ${scalar(format)}${options.format === undefined ? '    # guessed with the runtime' : ''}`,
    `    image: ${scalar(image)}${options.image === undefined ? '    # change: the registry and repository to push the model image to' : ''}`,
    ...(gpus ? [`    # ${runtime} asks for ${gpus} GPU by default (gpus: 0 for none); resources and the other serving options: see the README`] : []),
    '    files:',
    ...sourceLines,
    ...(excludes.length ? [`        exclude: [${excludes.map((e) => JSON.stringify(e.value)).join(', ')}]    # guessed: other copies of the weights, which vLLM does not read`] : []),
    '',
  ].join('\n');

  // Checked as synth checks it, from a file beside the config (relative paths then mean the same), before writing.
  const temp = path.join(configDir, `.${path.basename(config).replace(/\.ya?ml$/i, '')}.init-${process.pid}.yaml`);
  fs.writeFileSync(temp, text, { flag: 'wx' });
  // A second signal exits at once: the file beside the config goes first.
  const dropTemp = onInterrupt(() => fs.rmSync(temp, { force: true }));
  line(options.repo !== undefined ? `recording the files of ${options.repo} at ${revision} with their SHA-256, as synth does` : `hashing the files of the folder, as synth does`);
  try {
    const lockName = path.basename(lockFileOf(config));
    const locked = await lockSources({ config: temp, env, signal: options.signal, hub: options.repo === undefined ? undefined : hubClient(), lockName }).catch((e) => {
      // The hub's errors (a gated repository, files in git that cannot be read) are about the repository, not a line.
      if (ConfigError.isConfigError(e)) throw new UserError(`${options.repo !== undefined ? `--repo ${options.repo}` : options.folder}: ${e.diagnostics.map((d) => d.message).join('\n')}`);
      throw e;
    });
    const outdir = path.join(configDir, 'dist');
    // The config as lockSources read it, as synth does: not read and parsed again.
    const rendered = renderConfig(locked.loaded, { source: sourceName(config, outdir), outdir }, { sources: locked.pins });
    validateOutput(rendered.files, outdir, outputChecks(rendered.release));
    if (options.signal?.aborted) throw new AbortedError(options.signal.reason);
    // A link fails when the config came to exist meanwhile: it is never overwritten.
    fs.linkSync(temp, config);
    recordSources(config, locked.pins.sources);
  } catch (e) {
    if (e instanceof Error && (e as NodeJS.ErrnoException).code === 'EEXIST') throw new UserError(`${config} exists; init writes a new config and never overwrites one`);
    throw e;
  } finally {
    fs.rmSync(temp, { force: true });
    dropTemp();
  }
  line(`wrote ${config}; its ${options.repo !== undefined ? 'repository' : 'folder'} is recorded in ${path.basename(lockFileOf(config))}`);
  line(`next: change what is marked "change" in ${config}, then run \`modelcar synth\``);
  return { config, text, guesses };
}

/** The built-in runtime of the default release that serves a format, if any. */
function servingRuntimeOf(format: string): string | undefined {
  return Object.values(runtimeCatalogue(DEFAULT_RELEASE)).find((r) => r.spec.supportedModelFormats?.some((f) => f.name === format))?.name;
}

/** The newest OpenDataHub release that ships a built-in runtime. */
function newestReleaseWith(runtime: string): ReleaseProfile | undefined {
  const ids = releasesWithRuntime(runtime).filter((id) => RELEASES.get(id)!.product === DEFAULT_RELEASE.product);
  return ids.length ? RELEASES.get(ids[ids.length - 1]!) : undefined;
}
