import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as kserve from '../imports/kserve-sr-serving.kserve.io';
import { ModelLayout } from './model-layout';
import { assertName } from './names';
import { BUILTIN_RUNTIMES, RuntimeDefinition, SupportedModelFormat } from './runtimes';

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
}

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
}

/**
 * A KServe ServingRuntime (serving.kserve.io/v1alpha1): the model server pods an InferenceService runs.
 *
 * @see https://kserve.github.io/website/latest/modelserving/servingruntimes/
 */
export class ServingRuntime extends Construct implements IServingRuntime {
  /** A ServingRuntime that already exists in the InferenceService's namespace; nothing is emitted for it. */
  public static fromName(name: string): IServingRuntime {
    assertName('subdomain', 'ServingRuntime.fromName name', name);
    return { name, kind: 'ServingRuntime' };
  }

  /** A ClusterServingRuntime that already exists in the cluster; nothing is emitted for it. */
  public static fromClusterName(name: string): IServingRuntime {
    assertName('subdomain', 'ServingRuntime.fromClusterName name', name);
    return { name, kind: 'ClusterServingRuntime' };
  }

  /**
   * The ServingRuntime of a built-in runtime (e.g. `kserve-ovms`) in a namespace, created on first use and
   * shared by every model of that namespace that uses it: one ServingRuntime per runtime and namespace.
   */
  public static builtin(scope: Construct, runtime: string | RuntimeDefinition, namespace?: string): ServingRuntime {
    const definition = typeof runtime === 'string' ? BUILTIN_RUNTIMES[runtime] : runtime;
    if (!definition) {
      throw new Error(`runtime: "${String(runtime)}" is not a built-in runtime; built-in: ${Object.keys(BUILTIN_RUNTIMES).join(', ')}`);
    }
    const chart = Chart.of(scope);
    const ns = namespace ?? chart.namespace;
    const id = `ServingRuntime:${ns ?? ''}:${definition.name}`;
    const existing = chart.node.tryFindChild(id);
    if (existing) return existing as ServingRuntime;
    return new ServingRuntime(chart, id, {
      name: definition.name,
      namespace: ns,
      labels: definition.labels,
      annotations: definition.annotations,
      spec: definition.spec,
      layout: definition.layout,
    });
  }

  public readonly name: string;
  public readonly kind: ServingRuntimeKind = 'ServingRuntime';
  public readonly supportedModelFormats: readonly SupportedModelFormat[];
  public readonly layout?: ModelLayout;
  /** The generated API object. */
  public readonly apiObject: kserve.ServingRuntime;

  constructor(scope: Construct, id: string, props: ServingRuntimeProps) {
    super(scope, id);
    assertName('subdomain', 'ServingRuntime name', props.name);
    if (props.namespace !== undefined) assertName('label', 'ServingRuntime namespace', props.namespace);
    if (!props.spec.containers || props.spec.containers.length === 0) {
      throw new Error(`ServingRuntime spec.containers: "${props.name}" needs at least one container`);
    }
    this.name = props.name;
    this.layout = props.layout;
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
