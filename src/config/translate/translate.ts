/**
 * The translation of a config into constructs: a Namespace per namespace, an OciModel per model, with the
 * runtimes, pull secrets and serving options the config gives them. Each concern has its module here; this one
 * puts them together, once per environment.
 *
 * The constructs check their props; the config layer adds the rules only it can check (what a config names
 * elsewhere in it, duplicates, paths relative to the config file) and reports each problem a construct finds at the
 * config line its value came from.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ConfigError, Diagnostic } from '../../core/errors';
import { DEFAULT_KSERVE_VERSION, DEFAULT_PLATFORM, modelcarUidNote } from '../../core/platform';
import { IImageLock } from '../../constructs/image-lock';
import { ISourcePins } from '../../core/source-pins';
import { DEFAULT_IMAGE_USER } from '../../constructs/model-image';
import { environmentNames, resolveEnvironment } from '../environments';
import { LoadedConfig } from '../load';
import { uniqueDiagnostics } from './diagnostics';
import { addModels, planModels } from './models';
import { addNamespaces, declaredNamespaces } from './namespaces';
import { checkPullSecrets } from './pull-secrets';
import { configRuntimes } from './runtimes';

/** Options of {@link translateConfig}. */
export interface TranslateOptions {
  /**
   * Where the pushed digests of the model images come from: storageUri is pinned to them for models that do not
   * set `pinDigest: false`.
   * @default - no pinning
   */
  readonly lock?: IImageLock;
  /**
   * Where the files of hub repositories and the digests of the files of local folders are recorded (the lock file):
   * a model with a hub repository needs it.
   * @default - none: folder files are not pinned, and hub repositories are refused
   */
  readonly sources?: ISourcePins;
  /** The environment the config is translated for (part of each image's key in the lock file). @default - none */
  readonly environment?: string;
}

/**
 * Adds the constructs a config describes to a scope (usually a Chart): a Namespace per namespace, an OciModel
 * per model. Throws a {@link ConfigError} with every problem, of the config and of the constructs' props, each at
 * its config line and field. Returns the warnings, at the config's fields.
 */
export function translateConfig(scope: Construct, loaded: LoadedConfig, options: TranslateOptions = {}): Diagnostic[] {
  const { config, at } = loaded;
  const problems: Diagnostic[] = [...loaded.problems];
  const warnings: Diagnostic[] = [];
  const warn = (field: readonly (string | number)[], message: string) => void warnings.push(at(field, message));
  const platform = config.platform ?? DEFAULT_PLATFORM;
  const kserveVersion = config.kserveVersion ?? DEFAULT_KSERVE_VERSION;
  const runtimes = configRuntimes(loaded, problems);
  checkPullSecrets(loaded, problems);
  const models = planModels(loaded, runtimes, problems, warn, options.sources);
  const namespaces = declaredNamespaces(loaded);
  for (const m of models) if (!namespaces.has(m.namespace)) namespaces.set(m.namespace, m.namespaceField);
  addNamespaces(scope, loaded, namespaces, platform, problems);
  const made = addModels(scope, loaded, models, { platform, kserveVersion, ...options }, problems);
  if (problems.length) throw new ConfigError(uniqueDiagnostics(problems));
  if (platform === 'kserve' && made.length) warnings.push(at(['platform'], modelcarUidNote(Number(DEFAULT_IMAGE_USER))));
  return warnings;
}

/** One translation of a config: the chart of an environment (or of the config without environments). */
export interface ConfigChart {
  readonly chart: Chart;
  /** @default - none: the config has no environments */
  readonly environment?: string;
  /** The config as the environment sees it. */
  readonly loaded: LoadedConfig;
  /** The warnings of the translation, at the config's fields. */
  readonly warnings: readonly Diagnostic[];
}

/**
 * Translates a config once, or with environments once per environment (each into a Chart of its own App), and
 * hands each chart to `use` as soon as it is made, so that only one is alive at a time. The problems of every
 * environment are reported together, in one {@link ConfigError}.
 */
export function translateEnvironments<T>(
  loaded: LoadedConfig,
  options: { lock?: IImageLock; sources?: ISourcePins; outdir?: string },
  use: (chart: ConfigChart) => T,
): T[] {
  const envs = environmentNames(loaded.config);
  const one = (config: LoadedConfig, environment: string | undefined) => {
    const chart = new Chart(new App({ outdir: options.outdir }), 'modelcar', { disableResourceNameHashes: true });
    const warnings = translateConfig(chart, config, { lock: options.lock, sources: options.sources, environment });
    return use({ chart, environment, loaded: config, warnings });
  };
  if (envs.length === 0) return [one(loaded, undefined)];
  const results: T[] = [];
  const problems: Diagnostic[] = [];
  for (const env of envs) {
    try {
      results.push(one(resolveEnvironment(loaded, env), env));
    } catch (e) {
      if (!ConfigError.isConfigError(e)) throw e;
      problems.push(...e.diagnostics);
    }
  }
  if (problems.length) throw new ConfigError(uniqueDiagnostics(problems));
  return results;
}
