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
import { RuntimeDefinition } from './runtimes/catalogue';
import { IServingRuntime, ServingRuntime } from './serving-runtime';

/** Properties of an {@link OciModel}. */
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
  public readonly inferenceService: InferenceService;
  public readonly runtime: IServingRuntime;
  public readonly image: ModelImage;
  /** The token auth objects; undefined without token auth. */
  public readonly auth?: ModelAuth;
  /** The resources of the model server container, after the runtime's defaults. */
  public readonly resources: ComputeResources;

  constructor(scope: Construct, id: string, props: OciModelProps) {
    super(scope, id);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error(`OciModel namespace: "${props.name}" needs a namespace (set namespace, or the Chart's namespace)`);
    }
    const platform = props.platform ?? DEFAULT_PLATFORM;
    this.runtime =
      typeof props.runtime === 'string' || 'spec' in props.runtime ? ServingRuntime.shared(this, props.runtime, namespace, { platform }) : props.runtime;
    const layout = props.layout ?? this.runtime.layout;
    if (!layout) {
      throw new Error(`OciModel layout: runtime ${this.runtime.name} is not one modelcar knows, so the model "${props.name}" must say its layout`);
    }
    this.image = new ModelImage(this, 'Image', {
      image: props.image,
      files: props.files,
      layout,
      baseImage: props.baseImage,
      contextPath: `images/${namespace}/${props.name}`,
      description: `InferenceService ${namespace}/${props.name}`,
      model: { name: props.name, namespace, format: props.modelFormat.name, formatVersion: props.modelFormat.version, runtime: this.runtime.name, environment: props.environment },
    });
    const digest = props.lock?.digestOf(this.image);
    const defaults = this.runtime.defaults ?? {};
    const gpus = props.gpus ?? defaults.gpus ?? 0;
    this.resources = withGpus(mergeResources(defaults.resources, props.resources), gpus);
    const { runtime: _runtime, image: _image, files: _files, layout: _layout, pullSecret, baseImage: _base, lock: _lock, environment: _env, gpus: _gpus, ...serving } = props;
    this.inferenceService = new InferenceService(this, 'InferenceService', {
      ...serving,
      namespace,
      platform,
      runtime: this.runtime,
      storageUri: digest ? pinnedStorageUri(props.image, digest) : `oci://${props.image}`,
      imagePullSecrets: pullSecret ? [pullSecret] : undefined,
      minReplicas: props.minReplicas ?? 1,
      maxReplicas: props.maxReplicas ?? Math.max(props.minReplicas ?? 1, 1),
      resources: this.resources,
      tolerations: props.tolerations ?? (gpus > 0 ? [GPU_TOLERATION] : undefined),
      // Outside OpenShift, containers run as their images' users; the server can follow the modelcar's
      // /proc/<pid>/root only as the same UID, so the whole pod runs as the model image's user.
      runAsUser: platform === 'kserve' ? Number(DEFAULT_IMAGE_USER) : undefined,
    });
    if (this.inferenceService.auth) this.auth = new ModelAuth(this, 'Auth', { inferenceService: props.name, namespace });
  }
}
