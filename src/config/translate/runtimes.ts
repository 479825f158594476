import { ComputeResourcesOverride, MODEL_SERVER_SIZES, mergeResources } from '../../core/compute-resources';
import { Diagnostic, PropProblem } from '../../core/errors';
import { ImageReferenceError, parseImageReference } from '../../core/image-ref';
import { ModelLayout, modelLayoutByName } from '../../core/model-layout';
import { ReleaseProfile } from '../../core/releases';
import { missingRuntime, runtimeCatalogue } from '../../constructs/runtimes/catalogue';
import { RuntimeDefinition, withImages } from '../../constructs/runtimes/definition';
import { IServingRuntime, ServingRuntime } from '../../constructs/serving-runtime';
import { LoadedConfig } from '../load';
import { ModelConfig, ResourcesConfig, RuntimeConfig } from '../types.generated';
import { FieldPath, construct } from './diagnostics';

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
export function configRuntimes(loaded: LoadedConfig, release: ReleaseProfile, problems: Diagnostic[]): Map<string, ConfigRuntime> {
  const { config, at } = loaded;
  const runtimes = new Map<string, ConfigRuntime>();
  const catalogue = runtimeCatalogue(release);
  for (const definition of Object.values(catalogue)) runtimes.set(definition.name, { kind: 'emitted', definition });
  for (const [name, entry] of Object.entries(config.runtimes ?? {})) {
    const field = ['runtimes', name];
    const before = problems.length;
    // The entry's name is the name of a ServingRuntime: the construct's rule for those names.
    construct(loaded, problems, field, () => ({ field }), () => ServingRuntime.fromName(name));
    const builtin = catalogue[name];
    const keys = Object.keys(entry);
    const allowed = entry.existing ? EXISTING_KEYS : builtin ? BUILTIN_KEYS : CUSTOM_KEYS;
    const shippedElsewhere = !builtin && !entry.existing ? missingRuntime(release, name) : undefined;
    for (const key of keys.filter((k) => !allowed.includes(k))) {
      const why = shippedElsewhere
        ? `${shippedElsewhere}, so here it is a runtime of your own`
        : entry.existing
          ? `runtime ${name} already exists in the cluster, so modelcar only references it`
          : builtin
            ? `${name} is a built-in runtime, served as OpenDataHub ships it (declare a runtime of your own under another name to change more)`
            : `"${key}" is for built-in runtimes`;
      problems.push(at([...field, key], `"${key}" cannot be set here: ${why}; allowed: ${allowed.join(', ')}`));
    }
    const changed = builtin && !entry.existing ? changedBuiltin(loaded, builtin, entry, field, problems) : undefined;
    // The image of a runtime of one's own goes into its spec as it is, which no construct checks.
    if (!builtin && !entry.existing && entry.image !== undefined) checkImage(loaded, entry.image, [...field, 'image'], problems);
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
    if (changed) {
      runtimes.set(name, { kind: 'emitted', definition: changed, field });
      continue;
    }
    const elsewhere = missingRuntime(release, name);
    for (const key of ['image', 'formats', 'layout'] as const) {
      if (entry[key] === undefined) {
        problems.push(
          at(
            field,
            elsewhere
              ? `${elsewhere}, so here it needs "${key}" as a runtime of your own; or set existing: ServingRuntime (or ClusterServingRuntime) for one that already exists in the cluster`
              : `runtime ${name} is not a built-in runtime of ${release.title} (${Object.keys(catalogue).join(', ')}), so it needs "${key}"; or set existing: ServingRuntime (or ClusterServingRuntime) for one that already exists in the cluster`,
          ),
        );
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

/** Quantities as Kubernetes strings; `null` (remove a default) stays. */
export function resourcesOverride(resources: ResourcesConfig | undefined): ComputeResourcesOverride | undefined {
  if (!resources) return undefined;
  const list = (values: Record<string, string | number | null | undefined> | undefined) =>
    values && Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
  return { requests: list(resources.requests as Record<string, string | number | null>), limits: list(resources.limits as Record<string, string | number | null>) };
}

function changedBuiltin(loaded: LoadedConfig, builtin: RuntimeDefinition, entry: RuntimeConfig, field: FieldPath, problems: Diagnostic[]): RuntimeDefinition | undefined {
  const main = builtin.spec.containers[0].name;
  if (entry.image !== undefined && entry.images?.[main] !== undefined) {
    problems.push(loaded.at([...field, 'images', main], `the image of ${main} is set twice, by image and by images.${main}; keep one`));
    return undefined;
  }
  const images = { ...entry.images, ...(entry.image !== undefined ? { [main]: entry.image } : {}) };
  // `image` is the image of the main container: its problems are reported there.
  const fields = (p: PropProblem) => ({ field: p.path[1] === main && entry.image !== undefined ? [...field, 'image'] : [...field, ...p.path] });
  const definition = construct(loaded, problems, field, fields, () => withImages(builtin, images));
  if (!definition) return undefined;
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

/** Checks an image reference the config gives for a runtime of its own. */
function checkImage(loaded: LoadedConfig, value: string, field: FieldPath, problems: Diagnostic[]): void {
  try {
    parseImageReference(value);
  } catch (e) {
    if (!(e instanceof ImageReferenceError)) throw e;
    problems.push(loaded.at(field, e.message));
  }
}
