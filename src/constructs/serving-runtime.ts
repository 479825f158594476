import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as kserve from '../../imports/kserve-sr-serving.kserve.io';
import { ModelLayout } from '../core/model-layout';
import { assertName } from '../core/names';
import { Platform } from '../core/platform';
import { ReleaseProfile, profileOf } from '../core/releases';
import { RuntimeDefinition, ServingDefaults, SupportedModelFormat, missingRuntime, runtimeCatalogue } from './runtimes/catalogue';

/** The kinds of object an InferenceService's `spec.predictor.model.runtime` can name. */
export type ServingRuntimeKind = 'ServingRuntime' | 'ClusterServingRuntime';

/**
 * A model server runtime an InferenceService can use: one modelcar creates, or one that already exists
 * in the cluster (see {@link ServingRuntime.fromName} and {@link ServingRuntime.fromClusterName}).
 */
export interface IServingRuntime {
  /** Name of the ServingRuntime or ClusterServingRuntime. */
  readonly name: string;
  /** Whether it is namespaced (ServingRuntime) or cluster-wide (ClusterServingRuntime). */
  readonly kind: ServingRuntimeKind;
  /** The formats it serves, when known; undefined for references to runtimes modelcar does not create. */
  readonly supportedModelFormats?: readonly SupportedModelFormat[];
  /** Where it expects model files under /models, when known. */
  readonly layout?: ModelLayout;
  /** Resources and GPUs of the models that use it, when known. */
  readonly defaults?: ServingDefaults;
}

/** What modelcar may know about a runtime that already exists in the cluster. */
export interface ServingRuntimeReferenceOptions {
  /**
   * Where the runtime expects model files under /models.
   * @default - unknown: every model that uses the runtime must say its layout
   */
  readonly layout?: ModelLayout;
  /**
   * The formats it serves; models are checked against them.
   * @default - unknown: any format passes
   */
  readonly supportedModelFormats?: readonly SupportedModelFormat[];
  /**
   * Resources and GPUs of the models that use it, unless a model says otherwise.
   * @default - none
   */
  readonly defaults?: ServingDefaults;
}

/** How {@link ServingRuntime.shared} emits a runtime. */
export interface SharedServingRuntimeOptions {
  /**
   * The platform release: a runtime named by a string is taken from its catalogue.
   * @default - the release of `platform`; with neither, DEFAULT_RELEASE
   */
  readonly release?: string | ReleaseProfile;
  /**
   * `odh` gives the ServingRuntime the OpenDataHub labels and annotations of its definition; `kserve` gives it none.
   * @default - the release's
   */
  readonly platform?: Platform;
  /**
   * With platform `kserve` and no `release`: the KServe release, `<major>.<minor>`.
   * @deprecated name the release instead
   * @default - the newest KServe release
   */
  readonly kserveVersion?: string;
}

/** How {@link ServingRuntime.forModel} emits a model's own runtime. */
export interface ModelServingRuntimeOptions extends SharedServingRuntimeOptions {
  /** Name of the model (the InferenceService): the ServingRuntime's name too, as the dashboard names it. */
  readonly model: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
}

/**
 * The `shm` volume the OpenShift AI dashboard gives every runtime it creates, mounted at /dev/shm in each container
 * (odh-dashboard frontend/src/api/k8s/servingRuntimes.ts assembleServingRuntime and api/k8s/utils.ts getshmVolume,
 * v2.25.0 to v3.4.0): memory-backed shared memory, 2Gi, which model servers such as vLLM use between processes.
 */
export const DASHBOARD_SHM_VOLUME = { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: '2Gi' } } as const;

/** Its mount: `/dev/shm`. */
export const DASHBOARD_SHM_MOUNT = { name: 'shm', mountPath: '/dev/shm' } as const;

/** Properties of a {@link ServingRuntime}. */
export interface ServingRuntimeProps {
  /** Name of the ServingRuntime; InferenceServices name it in `spec.predictor.model.runtime`. */
  readonly name: string;
  /**
   * Namespace of the ServingRuntime: an InferenceService can only use a ServingRuntime of its own namespace.
   * @default - the namespace of the enclosing Chart
   */
  readonly namespace?: string;
  /** @default - no labels */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - no annotations */
  readonly annotations?: Readonly<Record<string, string>>;
  /** The ServingRuntime's spec (containers, supported model formats, ...). */
  readonly spec: kserve.ServingRuntimeSpec;
  /**
   * Where the model server expects model files under /models, for the model images built for it.
   * @default - unknown: models that use this runtime must say their layout
   */
  readonly layout?: ModelLayout;
  /**
   * Resources and GPUs of the models that use it, unless a model says otherwise.
   * @default - none
   */
  readonly defaults?: ServingDefaults;
}

/**
 * A KServe ServingRuntime (serving.kserve.io/v1alpha1): the model server pods an InferenceService runs.
 *
 * @see https://kserve.github.io/website/latest/modelserving/servingruntimes/
 */
export class ServingRuntime extends Construct implements IServingRuntime {
  /** A ServingRuntime that already exists in the InferenceService's namespace; nothing is emitted for it. */
  public static fromName(name: string, options: ServingRuntimeReferenceOptions = {}): IServingRuntime {
    assertName('subdomain', 'ServingRuntime.fromName name', name);
    return { name, kind: 'ServingRuntime', ...referenceOptions(options) };
  }

  /** A ClusterServingRuntime that already exists in the cluster; nothing is emitted for it. */
  public static fromClusterName(name: string, options: ServingRuntimeReferenceOptions = {}): IServingRuntime {
    assertName('subdomain', 'ServingRuntime.fromClusterName name', name);
    return { name, kind: 'ClusterServingRuntime', ...referenceOptions(options) };
  }

  /**
   * The ServingRuntime of a runtime definition (a built-in one such as `kserve-ovms`, or one of your own) in a
   * namespace, created on first use and shared by every model of that namespace that uses it: one ServingRuntime
   * per runtime and namespace. Throws when the namespace already has a ServingRuntime of that name that differs.
   */
  public static shared(scope: Construct, runtime: string | RuntimeDefinition, namespace?: string, options: SharedServingRuntimeOptions = {}): ServingRuntime {
    const release = profileOf('ServingRuntime', options);
    const definition = typeof runtime === 'string' ? builtinDefinition(runtime, release) : runtime;
    const chart = Chart.of(scope);
    const ns = namespace ?? chart.namespace;
    const odh = release.platform === 'odh';
    const props: ServingRuntimeProps = {
      name: definition.name,
      namespace: ns,
      labels: odh ? definition.labels : undefined,
      annotations: odh ? definition.annotations : undefined,
      spec: definition.spec,
      layout: definition.layout,
      defaults: definition.defaults,
    };
    const id = `ServingRuntime:${ns ?? ''}:${definition.name}`;
    const existing = chart.node.tryFindChild(id) as ServingRuntime | undefined;
    if (!existing) return new ServingRuntime(chart, id, props);
    if (!sameProps(existing.props, props)) {
      throw new Error(
        `runtime: ServingRuntime ${definition.name} in namespace ${ns} is shared by the models there and was already defined differently ` +
          `(another image, spec, layout, defaults or platform); give every model of a namespace the same definition of ${definition.name}`,
      );
    }
    return existing;
  }

  /**
   * The ServingRuntime of one model, as the OpenShift AI dashboard makes it: named after the model, made from the
   * runtime definition (a built-in one, or one of your own), with the dashboard's `shm` volume. The dashboard assumes
   * one runtime per model: deleting a model deletes the ServingRuntime its `spec.predictor.model.runtime` names
   * (odh-dashboard v3.4.0 packages/kserve/src/deployments.ts deleteDeployment,
   * frontend/src/pages/modelServing/screens/global/DeleteInferenceServiceModal.tsx), editing it edits that runtime,
   * and a model's tokens are listed by that runtime's name (ModelServingContext.tsx filterTokens). On platform
   * `kserve` there is no dashboard: the runtime is the definition's, under the model's name.
   */
  public static forModel(scope: Construct, runtime: string | RuntimeDefinition, options: ModelServingRuntimeOptions): ServingRuntime {
    const release = profileOf('ServingRuntime', options);
    const definition = typeof runtime === 'string' ? builtinDefinition(runtime, release) : runtime;
    const odh = release.platform === 'odh';
    return new ServingRuntime(scope, 'ServingRuntime', {
      name: options.model,
      namespace: options.namespace ?? Chart.of(scope).namespace,
      labels: odh ? definition.labels : undefined,
      annotations: odh ? definition.annotations : undefined,
      spec: odh ? withSharedMemory(definition.spec) : definition.spec,
      layout: definition.layout,
      defaults: definition.defaults,
    });
  }

  /** {@link ServingRuntime.shared} for a built-in runtime by name (e.g. `kserve-ovms`), or for any definition. */
  public static builtin(scope: Construct, runtime: string | RuntimeDefinition, namespace?: string, options: SharedServingRuntimeOptions = {}): ServingRuntime {
    return ServingRuntime.shared(scope, runtime, namespace, options);
  }

  public readonly name: string;
  public readonly kind: ServingRuntimeKind = 'ServingRuntime';
  public readonly supportedModelFormats: readonly SupportedModelFormat[];
  public readonly layout?: ModelLayout;
  public readonly defaults?: ServingDefaults;
  /** The generated API object. */
  public readonly apiObject: kserve.ServingRuntime;
  private readonly props: ServingRuntimeProps;

  constructor(scope: Construct, id: string, props: ServingRuntimeProps) {
    super(scope, id);
    assertName('subdomain', 'ServingRuntime name', props.name);
    if (props.namespace !== undefined) assertName('label', 'ServingRuntime namespace', props.namespace);
    if (!props.spec.containers || props.spec.containers.length === 0) {
      throw new Error(`ServingRuntime spec.containers: "${props.name}" needs at least one container`);
    }
    this.props = props;
    this.name = props.name;
    this.layout = props.layout;
    this.defaults = props.defaults;
    this.supportedModelFormats = (props.spec.supportedModelFormats ?? []).map((f) => ({
      name: f.name,
      version: f.version,
      autoSelect: f.autoSelect,
    }));
    this.apiObject = new kserve.ServingRuntime(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: props.labels && { ...props.labels },
        annotations: props.annotations && { ...props.annotations },
      },
      spec: props.spec,
    });
  }
}

/** The built-in runtime of that name in a release's catalogue; throws naming the release's, or those that have it. */
function builtinDefinition(name: string, release: ReleaseProfile): RuntimeDefinition {
  const catalogue = runtimeCatalogue(release);
  const found = catalogue[name];
  if (found) return found;
  const elsewhere = missingRuntime(release, name);
  throw new Error(`runtime: ${elsewhere ?? `"${name}" is not a built-in runtime of ${release.title}`}; its built-in runtimes: ${Object.keys(catalogue).join(', ')}`);
}

/** A runtime spec with the dashboard's `shm` volume, mounted at /dev/shm in every container (unless it has one already). */
function withSharedMemory(spec: kserve.ServingRuntimeSpec): kserve.ServingRuntimeSpec {
  const volumes = spec.volumes ?? [];
  return {
    ...spec,
    containers: spec.containers.map((c) =>
      (c.volumeMounts ?? []).some((m) => m.mountPath === DASHBOARD_SHM_MOUNT.mountPath) ? c : { ...c, volumeMounts: [...(c.volumeMounts ?? []), { ...DASHBOARD_SHM_MOUNT }] },
    ),
    volumes: volumes.some((v) => v.name === DASHBOARD_SHM_VOLUME.name)
      ? volumes
      : [
          ...volumes,
          {
            name: DASHBOARD_SHM_VOLUME.name,
            emptyDir: { medium: DASHBOARD_SHM_VOLUME.emptyDir.medium, sizeLimit: kserve.ServingRuntimeSpecVolumesEmptyDirSizeLimit.fromString(DASHBOARD_SHM_VOLUME.emptyDir.sizeLimit) },
          },
        ],
  };
}

/** Whether two definitions of a shared runtime are the same: usually the very same objects, else equal as JSON. */
function sameProps(a: ServingRuntimeProps, b: ServingRuntimeProps): boolean {
  const keys = Object.keys(a) as (keyof ServingRuntimeProps)[];
  if (keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k])) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

function referenceOptions(options: ServingRuntimeReferenceOptions): Pick<IServingRuntime, 'layout' | 'supportedModelFormats' | 'defaults'> {
  return {
    ...(options.layout ? { layout: options.layout } : {}),
    ...(options.supportedModelFormats ? { supportedModelFormats: options.supportedModelFormats } : {}),
    ...(options.defaults ? { defaults: options.defaults } : {}),
  };
}
