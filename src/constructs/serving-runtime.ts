import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as kserve from '../../imports/kserve-sr-serving.kserve.io';
import { ModelLayout } from '../core/model-layout';
import { PropChecker, PropError, brand, hasBrand, valueAt } from '../core/errors';
import { annotationProblems, labelProblems, nameProblem } from '../core/names';
import { Platform } from '../core/platform';
import { ReleaseProfile, profileOf } from '../core/releases';
import { missingRuntime, runtimeCatalogue } from './runtimes/catalogue';
import { RuntimeDefinition, ServingDefaults, SupportedModelFormat } from './runtimes/definition';

const SERVING_RUNTIME = Symbol.for('modelcar.ServingRuntime');

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
  /**
   * The runtime definition it was made from (e.g. `kserve-ovms`) when that is not its name, as for a model's own
   * ServingRuntime, which is named after the model; messages name the runtime by it.
   * @default - its name
   */
  readonly definitionName?: string;
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

/** Which runtime {@link ServingRuntime.shared} gives, in which namespace, and how it emits it. */
export interface SharedServingRuntimeProps {
  /** A built-in runtime of the release by name (e.g. `kserve-ovms`, `vllm-cuda-runtime`), or a definition of your own. */
  readonly runtime: string | RuntimeDefinition;
  /**
   * The namespace of the ServingRuntime, which is that of the models that use it.
   * @default - the namespace of the enclosing Chart
   */
  readonly namespace?: string;
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

/** Which runtime {@link ServingRuntime.forModel} gives, for which model, and how it emits it. */
export interface ModelServingRuntimeProps extends SharedServingRuntimeProps {
  /** Name of the model (the InferenceService): the ServingRuntime's name too, as the dashboard names it. */
  readonly model: string;
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
  /**
   * The runtime definition it is made from (e.g. `kserve-ovms`), when that is not its name.
   * @default - its name
   */
  readonly definitionName?: string;
}

/**
 * A KServe ServingRuntime (serving.kserve.io/v1alpha1): the model server pods an InferenceService runs.
 *
 * @see https://kserve.github.io/website/latest/modelserving/servingruntimes/
 */
export class ServingRuntime extends Construct implements IServingRuntime {
  /** Whether `x` is a ServingRuntime construct (of any copy of modelcar); references made by `fromName` are not. */
  public static isServingRuntime(x: unknown): x is ServingRuntime {
    return hasBrand(x, SERVING_RUNTIME);
  }

  /** A ServingRuntime that already exists in the InferenceService's namespace; nothing is emitted for it. */
  public static fromName(name: string, options: ServingRuntimeReferenceOptions = {}): IServingRuntime {
    checkReferenceName('ServingRuntime.fromName', name);
    return { name, kind: 'ServingRuntime', ...referenceOptions(options) };
  }

  /** A ClusterServingRuntime that already exists in the cluster; nothing is emitted for it. */
  public static fromClusterName(name: string, options: ServingRuntimeReferenceOptions = {}): IServingRuntime {
    checkReferenceName('ServingRuntime.fromClusterName', name);
    return { name, kind: 'ClusterServingRuntime', ...referenceOptions(options) };
  }

  /**
   * The ServingRuntime of a runtime definition (a built-in one such as `kserve-ovms`, or one of your own) in a
   * namespace, created on first use and shared by every model of that namespace that uses it: one ServingRuntime
   * per runtime and namespace, e.g. `ServingRuntime.shared(chart, { runtime: 'kserve-ovms', namespace: 'team-a' })`.
   * Throws a {@link PropError} when the namespace already has a ServingRuntime of that name that differs.
   */
  public static shared(scope: Construct, props: SharedServingRuntimeProps): ServingRuntime {
    const release = profileOf('ServingRuntime.shared', props);
    const definition = typeof props.runtime === 'string' ? builtinDefinition('ServingRuntime.shared', props.runtime, release) : props.runtime;
    const chart = Chart.of(scope);
    const ns = props.namespace ?? chart.namespace;
    const odh = release.platform === 'odh';
    const runtimeProps: ServingRuntimeProps = {
      name: definition.name,
      namespace: ns,
      labels: odh ? definition.labels : undefined,
      annotations: odh ? definition.annotations : undefined,
      spec: definition.spec,
      layout: definition.layout,
      defaults: definition.defaults,
    };
    const id = `ServingRuntime:${ns ?? ''}:${definition.name}`;
    const existing = chart.node.tryFindChild(id);
    if (!ServingRuntime.isServingRuntime(existing)) return new ServingRuntime(chart, id, runtimeProps);
    if (!sameProps(existing.props, runtimeProps)) {
      throw new PropError({
        construct: 'ServingRuntime.shared',
        path: ['runtime'],
        value: definition.name,
        message:
          `ServingRuntime ${definition.name} in namespace ${ns} is shared by the models there and was already defined differently ` +
          `(another image, spec, layout, defaults or platform); give every model of a namespace the same definition of ${definition.name}`,
      });
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
   * E.g. `ServingRuntime.forModel(scope, { runtime: 'kserve-ovms', model: 'mobilenet', namespace: 'team-a' })`.
   */
  public static forModel(scope: Construct, props: ModelServingRuntimeProps): ServingRuntime {
    const release = profileOf('ServingRuntime.forModel', props);
    const definition = typeof props.runtime === 'string' ? builtinDefinition('ServingRuntime.forModel', props.runtime, release) : props.runtime;
    const odh = release.platform === 'odh';
    return new ServingRuntime(scope, 'ServingRuntime', {
      name: props.model,
      namespace: props.namespace ?? Chart.of(scope).namespace,
      labels: odh ? definition.labels : undefined,
      annotations: odh ? definition.annotations : undefined,
      spec: odh ? withSharedMemory(definition.spec) : definition.spec,
      layout: definition.layout,
      defaults: definition.defaults,
      definitionName: definition.name === props.model ? undefined : definition.name,
    });
  }

  public readonly name: string;
  /** The namespace it is in (its own, or the Chart's); undefined when neither says one. */
  public readonly namespace?: string;
  public readonly kind: ServingRuntimeKind = 'ServingRuntime';
  public readonly supportedModelFormats: readonly SupportedModelFormat[];
  public readonly layout?: ModelLayout;
  public readonly defaults?: ServingDefaults;
  public readonly definitionName?: string;
  /** The generated API object. */
  public readonly apiObject: kserve.ServingRuntime;
  private readonly props: ServingRuntimeProps;

  constructor(scope: Construct, id: string, props: ServingRuntimeProps) {
    super(scope, id);
    const check = new PropChecker('ServingRuntime');
    checkProps(check, props);
    check.throwIfAny(this);
    brand(this, SERVING_RUNTIME);
    this.props = props;
    this.name = props.name;
    this.namespace = props.namespace ?? Chart.of(this).namespace;
    this.layout = props.layout;
    this.defaults = props.defaults;
    this.definitionName = props.definitionName;
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

/**
 * The built-in runtime of that name in a release's catalogue; throws a {@link PropError} of `factory`'s `runtime`
 * naming the release's runtimes, and the releases that have it.
 */
function builtinDefinition(factory: string, name: string, release: ReleaseProfile): RuntimeDefinition {
  const catalogue = runtimeCatalogue(release);
  const found = catalogue[name];
  if (found) return found;
  const builtin = Object.keys(catalogue);
  const elsewhere = missingRuntime(release, name);
  throw new PropError({
    construct: factory,
    path: ['runtime'],
    value: name,
    message: `${elsewhere ?? `"${name}" is not a built-in runtime of ${release.title}`}; its built-in runtimes: ${builtin.join(', ')}`,
    allowed: builtin,
  });
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

/** Checks the props of a ServingRuntime, naming each prop and value. */
function checkProps(check: PropChecker, props: ServingRuntimeProps): void {
  const nameWrong = nameProblem('subdomain', props.name, 'ServingRuntime name');
  if (nameWrong) check.add('name', props.name, nameWrong);
  const namespaceWrong = props.namespace === undefined ? undefined : nameProblem('label', props.namespace, 'namespace name');
  if (namespaceWrong) check.add('namespace', props.namespace, namespaceWrong);
  if (!props.spec.containers || props.spec.containers.length === 0) {
    check.add(['spec', 'containers'], props.spec.containers, `"${props.name}" needs at least one container`);
  }
  for (const p of [...labelProblems(props.labels, ['labels']), ...annotationProblems(props.annotations, ['annotations'])]) check.add(p.path, valueAt(props, p.path), p.message);
}

/** Throws a {@link PropError} for a name that is not a valid ServingRuntime name. */
function checkReferenceName(factory: string, name: string): void {
  const problem = nameProblem('subdomain', name, 'ServingRuntime name');
  if (problem) throw new PropError({ construct: factory, path: ['name'], value: name, message: problem });
}

function referenceOptions(options: ServingRuntimeReferenceOptions): Pick<IServingRuntime, 'layout' | 'supportedModelFormats' | 'defaults'> {
  return {
    ...(options.layout ? { layout: options.layout } : {}),
    ...(options.supportedModelFormats ? { supportedModelFormats: options.supportedModelFormats } : {}),
    ...(options.defaults ? { defaults: options.defaults } : {}),
  };
}
