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
import { deploymentKind, modelcarUidNote } from '../../core/platform';
import { deploymentModeOn } from '../../core/releases';
import { IImageLock } from '../../constructs/image-lock';
import { ISourcePins } from '../../core/source-pins';
import { DEFAULT_IMAGE_USER } from '../../constructs/model-image';
import { environmentNames, resolveEnvironment } from '../environments';
import { LoadedConfig } from '../load';
import { uniqueDiagnostics } from './diagnostics';
import { addModels, planModels } from './models';
import { ModelPlan } from './plan';
import { addNamespaces, declaredNamespaces } from './namespaces';
import { checkPullSecrets } from './pull-secrets';
import { configRelease } from './release';
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
  const release = configRelease(loaded, problems);
  if (!release) throw new ConfigError(uniqueDiagnostics(problems));
  const platform = release.platform;
  const runtimes = configRuntimes(loaded, release, problems);
  checkPullSecrets(loaded, problems);
  const models = planModels(loaded, runtimes, { release }, problems, warn, options.sources);
  checkRuntimeNames(loaded, models, platform, problems);
  const namespaces = declaredNamespaces(loaded);
  for (const m of models) if (!namespaces.has(m.namespace)) namespaces.set(m.namespace, m.namespaceField);
  addNamespaces(scope, loaded, namespaces, platform, problems);
  const made = addModels(scope, loaded, models, { release, ...options }, problems);
  if (problems.length) throw new ConfigError(uniqueDiagnostics(problems));
  const defaults = config.defaults ?? {};
  // The UID note is for the modelcar sidecar: image volumes have none.
  if (platform === 'kserve' && made.length && models.some((m) => (m.model.imageVolume ?? defaults.imageVolume) !== true)) {
    warnings.push(at(['platform'], modelcarUidNote(Number(DEFAULT_IMAGE_USER))));
  }
  const communityImages = models.find((m) => release.product === 'rhoai' && m.runtime.kind === 'emitted' && m.runtime.field === undefined);
  if (communityImages && communityImages.runtime.kind === 'emitted') {
    warnings.push(at(['platform'], rhoaiImagesNote(communityImages.runtime.definition.name)));
  }
  const shared = models.find((m) => platform === 'odh' && m.runtime.kind === 'emitted' && (m.model.sharedRuntime ?? defaults.sharedRuntime) === true);
  if (shared) {
    const field = shared.model.sharedRuntime !== undefined ? ['models', shared.index, 'sharedRuntime'] : ['defaults', 'sharedRuntime'];
    warnings.push(at(field, SHARED_RUNTIME_NOTE));
  }
  // The OciModels have accepted every model's auth and deployment mode.
  const serverlessAuth = models.find(
    (m) => platform === 'odh' && (m.model.auth ?? defaults.auth) !== false && deploymentKind(deploymentModeOn(release, m.model.deploymentMode ?? defaults.deploymentMode)) === 'knative',
  );
  if (serverlessAuth) warnings.push(at(['models', serverlessAuth.index], SERVERLESS_AUTH_NOTE));
  return warnings;
}

/**
 * OpenShift AI's operator fills the runtime templates' images from its own RELATED_IMAGE_* variables
 * (opendatahub-operator v3.4.0 internal/controller/components/modelcontroller/modelcontroller_support.go, e.g.
 * `ovms-image` from RELATED_IMAGE_ODH_OPENVINO_MODEL_SERVER_IMAGE); the built-in runtimes, made from OpenDataHub's
 * templates and params.env, carry OpenDataHub's community images. They run, but not the images OpenShift AI supports.
 */
function rhoaiImagesNote(runtime: string): string {
  return (
    `platform rhoai: built-in runtimes such as ${runtime} carry OpenDataHub's community images (quay.io/opendatahub, from odh-model-controller's params.env), ` +
    `not the supported images OpenShift AI's operator installs; pin those with runtimes.${runtime}.image (the cluster's template has them: ` +
    `oc get template -n redhat-ods-applications -o yaml)`
  );
}

/**
 * A model's own ServingRuntime is named after it: no runtime shared in its namespace may have that name, or both would
 * be one object.
 */
function checkRuntimeNames(loaded: LoadedConfig, models: readonly ModelPlan[], platform: string, problems: Diagnostic[]): void {
  const sharedByDefault = platform === 'kserve';
  const shared = (m: ModelPlan) => m.runtime.kind === 'emitted' && (m.model.sharedRuntime ?? loaded.config.defaults?.sharedRuntime ?? sharedByDefault);
  const sharedNames = new Map<string, string>();
  for (const m of models) if (shared(m) && m.runtime.kind === 'emitted') sharedNames.set(`${m.namespace}/${m.runtime.definition.name}`, m.model.name);
  for (const m of models) {
    if (m.runtime.kind !== 'emitted' || shared(m)) continue;
    const user = sharedNames.get(`${m.namespace}/${m.model.name}`);
    if (user !== undefined) {
      problems.push(
        loaded.at(['models', m.index, 'name'], `"${m.model.name}" names this model's own ServingRuntime, but model ${user} shares a ServingRuntime of that name in namespace ${m.namespace}; rename the model`),
      );
    }
  }
}

/**
 * Why a ServingRuntime shared by several models must not be touched through the OpenShift AI dashboard, which
 * assumes one runtime per model (odh-dashboard v3.4.0 packages/kserve/src/deployments.ts deleteDeployment).
 */
export const SHARED_RUNTIME_NOTE =
  'models share a ServingRuntime: do not delete or edit them in the OpenShift AI dashboard, which assumes one runtime per model: deleting a model ' +
  "there deletes the ServingRuntime its spec.predictor.model.runtime names, which the other models use, and editing one edits the runtime of all; " +
  "the dashboard also lists a model's tokens by its runtime's name, so it shows none for them";

/**
 * What token auth of a Serverless model needs from the cluster: odh-model-controller makes the model's Authorino
 * AuthConfig only when the service mesh sends predictor requests to Authorino, and skips it silently otherwise
 * (internal/controller/serving/reconcilers/kserve_authconfig_reconciler.go and utils.go
 * VerifyIfMeshAuthorizationIsEnabled, odh-v2.25 to odh-v2.35).
 */
export const SERVERLESS_AUTH_NOTE =
  'token auth of Serverless models holds only if Authorino guards the service mesh (an Istio AuthorizationPolicy with action CUSTOM ' +
  'for component: predictor in the mesh namespace, which the OpenDataHub operator makes when Authorino is installed): without it ' +
  'odh-model-controller skips the AuthConfig without an error and the model answers without a token; see README, Cluster prerequisites';

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
