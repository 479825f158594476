import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ComputeResources, ComputeResourcesOverride, GPU_TOLERATION, Toleration, mergeResources, withGpus } from '../core/compute-resources';
import { InferenceService, InferenceServiceProps } from './inference-service';
import { ModelAuth } from './model-auth';
import { DEFAULT_IMAGE_USER, ModelImage, ModelImageSource } from './model-image';
import { ModelLayout } from '../core/model-layout';
import { DEFAULT_PLATFORM } from '../core/platform';
import { IImageLock, pinnedStorageUri } from './image-lock';
import { IPullSecret } from './pull-secret';
import { BUILTIN_RUNTIMES } from './runtimes/catalogue';
import { RuntimeDefinition } from './runtimes/definition';
import { IServingRuntime, ServingRuntime } from './serving-runtime';
import { PropChecker, PropProblem, brand, hasBrand } from '../core/errors';

const OCI_MODEL = Symbol.for('modelcar.OciModel');

/**
 * Properties of an {@link OciModel}: those of its {@link InferenceService} (name, namespace, format, platform,
 * serving options, ...), except the ones the composite derives, plus the model image's.
 */
export interface OciModelProps
  extends Omit<InferenceServiceProps, 'runtime' | 'storageUri' | 'imagePullSecrets' | 'resources' | 'runAsUser' | 'minReplicas' | 'maxReplicas' | 'tolerations'> {
  /**
   * The runtime: a built-in one (by name, e.g. `kserve-ovms`) or a definition of your own, whose ServingRuntime
   * is emitted once per namespace and shared, or an existing one ({@link ServingRuntime.fromName}).
   */
  readonly runtime: string | RuntimeDefinition | IServingRuntime;
  /** The model image reference to build, push and serve (`storageUri: oci://<image>`). */
  readonly image: string;
  /** The model files, folders and hub repositories that go into the image. */
  readonly files: readonly ModelImageSource[];
  /**
   * The folder that relative local sources of `files` are resolved against, e.g. the folder of the file that names
   * them.
   * @default - the working directory
   */
  readonly sourceDir?: string;
  /**
   * Allow model file URLs that carry credentials (see {@link ModelImageProps.allowCredentialsInUrls}).
   * @default false
   */
  readonly allowCredentialsInUrls?: boolean;
  /**
   * Where the files go under /models.
   * @default - the runtime's layout; required for runtimes whose layout modelcar does not know
   */
  readonly layout?: ModelLayout;
  /** @default - none: the registry must be public */
  readonly pullSecret?: IPullSecret;
  /** A reference, or a preset (`ubi8`, `ubi9`). @default DEFAULT_BASE_IMAGE */
  readonly baseImage?: string;
  /**
   * Where the pushed digest of the model image comes from (the lock file `modelcar build --push` writes): when it
   * gives one, storageUri is pinned to it (`oci://repository@sha256:...`).
   * @default - storageUri is `oci://<image>` as given
   */
  readonly lock?: IImageLock;
  /** The environment this model is synthesized for: part of its image's key in the lock file. @default - none */
  readonly environment?: string;
  /** @default 1 (the OpenShift AI dashboard's default) */
  readonly minReplicas?: number;
  /** @default - minReplicas, at least 1 (the OpenShift AI dashboard's default: no unbounded scale-out of a costly model server) */
  readonly maxReplicas?: number;
  /**
   * Requests and limits, applied key by key over the runtime's defaults; `null` removes a default
   * (e.g. `limits: { cpu: null }`).
   * @default - the runtime's defaults
   */
  readonly resources?: ComputeResourcesOverride;
  /**
   * NVIDIA GPUs (`nvidia.com/gpu` requested and limited). With GPUs the pod tolerates the `nvidia.com/gpu`
   * taint unless tolerations are given.
   * @default - the runtime's default (1 for vllm-runtime, else 0)
   */
  readonly gpus?: number;
  /** @default - with GPUs, the toleration of the `nvidia.com/gpu:NoSchedule` taint; else none */
  readonly tolerations?: readonly Toleration[];
}

/**
 * A model served from an OCI image: its InferenceService (`storageUri: oci://...`), the ServingRuntime it
 * needs (shared per namespace), the objects its tokens come from (with token auth), its pull secret reference
 * and the build context of its image (`images/<namespace>/<name>/`).
 */
export class OciModel extends Construct {
  /** Whether `x` is an OciModel (of any copy of modelcar). */
  public static isOciModel(x: unknown): x is OciModel {
    return hasBrand(x, OCI_MODEL);
  }

  public readonly inferenceService: InferenceService;
  public readonly runtime: IServingRuntime;
  public readonly image: ModelImage;
  /** The token auth objects; undefined without token auth. */
  public readonly auth?: ModelAuth;
  /** The resources of the model server container, after the runtime's defaults. */
  public readonly resources: ComputeResources;

  /**
   * Checks the props, and those of its parts, as its parts' constructors do; every problem is reported at once, as a
   * {@link PropError} that names this construct's props (a part's `name` is the model's `name`).
   */
  constructor(scope: Construct, id: string, props: OciModelProps) {
    super(scope, id);
    const check = new PropChecker('OciModel');
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) check.add('namespace', props.namespace, `"${props.name}" needs a namespace (set namespace, or the Chart's namespace)`);
    const platform = props.platform ?? DEFAULT_PLATFORM;
    const given = props.runtime;
    const reference = typeof given === 'string' || 'spec' in given ? undefined : given;
    const definition = typeof given === 'string' ? BUILTIN_RUNTIMES[given] : reference ? undefined : (given as RuntimeDefinition);
    const shared = reference ? undefined : check.run(() => ServingRuntime.shared(this, { runtime: given as string | RuntimeDefinition, namespace, platform }), asRuntimeProblem);
    // When the shared ServingRuntime is refused, the model is still checked against what its definition says.
    const runtime: IServingRuntime | undefined =
      reference ??
      shared ??
      (definition && { name: definition.name, kind: 'ServingRuntime', supportedModelFormats: definition.spec.supportedModelFormats, layout: definition.layout, defaults: definition.defaults });
    const layout = props.layout ?? runtime?.layout;
    if (runtime && !layout) check.add('layout', props.layout, `runtime ${runtime.name} is not one modelcar knows, so the model "${props.name}" must say its layout`);
    const image = layout
      ? check.run(
          () =>
            new ModelImage(this, 'Image', {
              image: props.image,
              files: props.files,
              sourceDir: props.sourceDir,
              allowCredentialsInUrls: props.allowCredentialsInUrls,
              layout,
              baseImage: props.baseImage,
              contextPath: `images/${namespace}/${props.name}`,
              description: `InferenceService ${namespace}/${props.name}`,
              model: { name: props.name, namespace, format: props.modelFormat.name, formatVersion: props.modelFormat.version, runtime: runtime?.name, environment: props.environment },
            }),
          asOwn,
        )
      : undefined;
    const digest = image && props.lock?.digestOf(image);
    const defaults = runtime?.defaults ?? {};
    const gpus = props.gpus ?? defaults.gpus ?? 0;
    const resources = check.run(() => withGpus(mergeResources(defaults.resources, props.resources), gpus), asOwn);
    const { runtime: _runtime, image: _image, files: _files, sourceDir: _dir, allowCredentialsInUrls: _credentials, layout: _layout, pullSecret, baseImage: _base, lock: _lock, environment: _env, gpus: _gpus, ...serving } = props;
    const inferenceService = check.run(
      () =>
        new InferenceService(this, 'InferenceService', {
          ...serving,
          namespace,
          platform,
          // Without a runtime (refused above), a stand-in with no known formats, so that the other props are still checked.
          runtime: runtime ?? ServingRuntime.fromName('unknown'),
          storageUri: digest ? pinnedStorageUri(props.image, digest) : `oci://${props.image}`,
          imagePullSecrets: pullSecret ? [pullSecret] : undefined,
          minReplicas: props.minReplicas ?? 1,
          maxReplicas: props.maxReplicas ?? Math.max(props.minReplicas ?? 1, 1),
          resources,
          tolerations: props.tolerations ?? (gpus > 0 ? [GPU_TOLERATION] : undefined),
          // Outside OpenShift, containers run as their images' users; the server can follow the modelcar's
          // /proc/<pid>/root only as the same UID, so the whole pod runs as the model image's user.
          runAsUser: platform === 'kserve' ? Number(DEFAULT_IMAGE_USER) : undefined,
        }),
      asOwn,
    );
    check.throwIfAny(this);
    brand(this, OCI_MODEL);
    this.runtime = runtime!;
    this.image = image!;
    this.resources = resources!;
    this.inferenceService = inferenceService!;
    if (this.inferenceService.auth) this.auth = new ModelAuth(this, 'Auth', { inferenceService: props.name, namespace });
  }
}

/** A part's prop problem as the composite's: the same prop of the OciModel (the parts take them as they are). */
function asOwn(problem: PropProblem): PropProblem {
  return { ...problem, construct: 'OciModel' };
}

/**
 * A problem of the shared ServingRuntime as the OciModel's: its namespace is the model's `namespace`; anything else
 * is about the runtime definition, the model's `runtime`.
 */
function asRuntimeProblem(problem: PropProblem): PropProblem {
  const namespace = problem.construct === 'ServingRuntime' && problem.path[0] === 'namespace';
  return { ...problem, construct: 'OciModel', path: namespace ? ['namespace'] : ['runtime'] };
}
