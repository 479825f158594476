import { ComputeResourcesOverride, MODEL_SERVER_SIZES, mergeResources } from '../core/compute-resources';
import { Diagnostic } from '../core/errors';
import { ImageReferenceError, parseImageReference } from '../core/image-ref';
import { ModelLayout, modelLayoutByName } from '../core/model-layout';
import { checkName } from '../core/names';
import { BUILTIN_RUNTIMES, RuntimeDefinition, withImages } from '../constructs/runtimes/catalogue';
import { IServingRuntime, ServingRuntime } from '../constructs/serving-runtime';
import { LoadedConfig } from './load';
import { ModelConfig, ResourcesConfig, RuntimeConfig } from './types.generated';

/** A runtime a config's models can name: one modelcar emits (built-in or declared), or one that exists in the cluster. */
export type ConfigRuntime =
  | { readonly kind: 'emitted'; readonly definition: RuntimeDefinition; readonly field?: readonly (string | number)[] }
  | { readonly kind: 'existing'; readonly reference: IServingRuntime; readonly field: readonly (string | number)[] };

/** Keys a `runtimes:` entry may have for a built-in runtime, and for one that already exists in the cluster. */
const BUILTIN_KEYS = ['image', 'images', 'resources', 'gpus', 'existing'];
const EXISTING_KEYS = ['existing', 'layout', 'formats', 'resources', 'gpus'];
const CUSTOM_KEYS = ['image', 'command', 'args', 'env', 'ports', 'formats', 'layout', 'displayName', 'apiProtocol', 'resources', 'gpus'];

/**
 * The runtimes a config's models can name, by name: the built-in ones (with the config's changes, e.g. images
 * pinned by digest), the config's own, and references to runtimes that already exist in the cluster.
 * Problems are added to `problems`, at their fields.
 */
export function configRuntimes(loaded: LoadedConfig, problems: Diagnostic[]): Map<string, ConfigRuntime> {
  const { config, at } = loaded;
  const runtimes = new Map<string, ConfigRuntime>();
  for (const definition of Object.values(BUILTIN_RUNTIMES)) runtimes.set(definition.name, { kind: 'emitted', definition });
  for (const [name, entry] of Object.entries(config.runtimes ?? {})) {
    const field = ['runtimes', name];
    const before = problems.length;
    for (const p of checkName('subdomain', name)) problems.push(at(field, `runtime name "${name}" is not valid: ${p}`));
    const builtin = BUILTIN_RUNTIMES[name];
    const keys = Object.keys(entry);
    const allowed = entry.existing ? EXISTING_KEYS : builtin ? BUILTIN_KEYS : CUSTOM_KEYS;
    for (const key of keys.filter((k) => !allowed.includes(k))) {
      const why = entry.existing
        ? `runtime ${name} already exists in the cluster, so modelcar only references it`
        : builtin
          ? `${name} is a built-in runtime, served as OpenDataHub ships it (declare a runtime of your own under another name to change more)`
          : `"${key}" is for built-in runtimes`;
      problems.push(at([...field, key], `"${key}" cannot be set here: ${why}; allowed: ${allowed.join(', ')}`));
    }
    if (entry.image !== undefined) checkImage(entry.image, [...field, 'image'], problems, at);
    for (const [container, image] of Object.entries(entry.images ?? {})) checkImage(image, [...field, 'images', container], problems, at);
    if (problems.length > before) continue;

    if (entry.existing) {
      const layout = entry.layout ? modelLayoutByName(entry.layout) : builtin?.layout;
      const formats = entry.formats ?? builtin?.spec.supportedModelFormats;
      const defaults =
        entry.resources !== undefined || entry.gpus !== undefined
          ? { resources: mergeResources(builtin?.defaults?.resources, resourcesOverride(entry.resources)), gpus: entry.gpus ?? builtin?.defaults?.gpus }
          : builtin?.defaults;
      const options = { layout, supportedModelFormats: formats, defaults };
      const reference = entry.existing === 'ClusterServingRuntime' ? ServingRuntime.fromClusterName(name, options) : ServingRuntime.fromName(name, options);
      runtimes.set(name, { kind: 'existing', reference, field });
      continue;
    }
    if (builtin) {
      const definition = changedBuiltin(builtin, entry, field, problems, at);
      if (definition) runtimes.set(name, { kind: 'emitted', definition, field });
      continue;
    }
    for (const key of ['image', 'formats', 'layout'] as const) {
      if (entry[key] === undefined) {
        problems.push(at(field, `runtime ${name} is not a built-in runtime (${Object.keys(BUILTIN_RUNTIMES).join(', ')}), so it needs "${key}"; or set existing: ServingRuntime (or ClusterServingRuntime) for one that already exists in the cluster`));
      }
    }
    if (problems.length === before) runtimes.set(name, { kind: 'emitted', definition: customRuntime(name, entry), field });
  }
  return runtimes;
}

/** The layout a model's files go in, and the problem when none is known. */
export function modelLayout(model: ModelConfig, runtime: ConfigRuntime): ModelLayout | string {
  if (model.layout) return modelLayoutByName(model.layout)!;
  const layout = runtime.kind === 'emitted' ? runtime.definition.layout : runtime.reference.layout;
  if (layout) return layout;
  const name = runtime.kind === 'emitted' ? runtime.definition.name : runtime.reference.name;
  return `runtime ${name} already exists in the cluster and its model layout is unknown: set layout (ovms, flat or caikit) here or on runtimes.${name}`;
}

/** The formats a runtime serves, when known. */
export function runtimeFormats(runtime: ConfigRuntime): readonly { name: string; version?: string }[] | undefined {
  return runtime.kind === 'emitted' ? runtime.definition.spec.supportedModelFormats ?? [] : runtime.reference.supportedModelFormats;
}

/** Quantities as Kubernetes strings; `null` (remove a default) stays. */
export function resourcesOverride(resources: ResourcesConfig | undefined): ComputeResourcesOverride | undefined {
  if (!resources) return undefined;
  const list = (values: Record<string, string | number | null | undefined> | undefined) =>
    values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
  return { requests: list(resources.requests as Record<string, string | number | null>), limits: list(resources.limits as Record<string, string | number | null>) };
}

function changedBuiltin(
  builtin: RuntimeDefinition,
  entry: RuntimeConfig,
  field: (string | number)[],
  problems: Diagnostic[],
  at: LoadedConfig['at'],
): RuntimeDefinition | undefined {
  const main = builtin.spec.containers[0].name;
  if (entry.image !== undefined && entry.images?.[main] !== undefined) {
    problems.push(at([...field, 'images', main], `the image of ${main} is set twice, by image and by images.${main}; keep one`));
    return undefined;
  }
  let definition: RuntimeDefinition;
  try {
    definition = withImages(builtin, { ...entry.images, ...(entry.image !== undefined ? { [main]: entry.image } : {}) });
  } catch (e) {
    if (!(e instanceof Error)) throw e;
    const container = /^images\.([^:]+):/.exec(e.message)?.[1];
    problems.push(at(container ? [...field, 'images', container] : field, e.message.replace(/^images\.[^:]+: /, '')));
    return undefined;
  }
  if (entry.resources === undefined && entry.gpus === undefined) return definition;
  return {
    ...definition,
    defaults: {
      resources: mergeResources(builtin.defaults?.resources, resourcesOverride(entry.resources)),
      gpus: entry.gpus ?? builtin.defaults?.gpus,
    },
  };
}

/** A runtime of the config's own: one container, `kserve-container`, as KServe expects. */
function customRuntime(name: string, entry: RuntimeConfig): RuntimeDefinition {
  const env = Object.entries(entry.env ?? {});
  return {
    name,
    layout: modelLayoutByName(entry.layout!)!,
    labels: { 'opendatahub.io/dashboard': 'true' },
    annotations: {
      'openshift.io/display-name': entry.displayName ?? name,
      ...(entry.apiProtocol ? { 'opendatahub.io/apiProtocol': entry.apiProtocol } : {}),
    },
    spec: {
      multiModel: false,
      supportedModelFormats: entry.formats!.map((f) => ({ ...f })),
      containers: [
        {
          name: 'kserve-container',
          image: entry.image,
          command: entry.command,
          args: entry.args,
          env: env.length ? env.map(([n, value]) => ({ name: n, value })) : undefined,
          ports: entry.ports?.map((p) => ({ ...p })),
        },
      ],
    },
    // Like the built-in runtimes, a runtime of one's own sets requests and limits: the dashboard's Small size.
    defaults: { resources: mergeResources(MODEL_SERVER_SIZES.SMALL, resourcesOverride(entry.resources)), gpus: entry.gpus },
  };
}

function checkImage(value: string, field: (string | number)[], problems: Diagnostic[], at: LoadedConfig['at']): void {
  try {
    parseImageReference(value);
  } catch (e) {
    if (!(e instanceof ImageReferenceError)) throw e;
    problems.push(at(field, e.message));
  }
}
