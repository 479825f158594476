import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ComputeResources, ComputeResourcesOverride, GPU_TOLERATION, Toleration, mergeResources, withGpus } from './compute-resources';
import { InferenceService, ModelFormat, ScaleMetric } from './inference-service';
import { ModelAuth } from './model-auth';
import { DEFAULT_IMAGE_USER, ModelImage, ModelImageFile } from './model-image';
import { ModelLayout } from './model-layout';
import { DEFAULT_PLATFORM, DeploymentMode, Platform } from './platform';
import { IImageLock, pinnedStorageUri } from './lock';
import { IPullSecret } from './pull-secret';
import { RuntimeDefinition } from './runtimes';
import { IServingRuntime, ServingRuntime } from './serving-runtime';

/** Properties of an {@link OciModel}. */
export interface OciModelProps {
  /** Name of the InferenceService. */
  readonly name: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /**
   * The runtime: a built-in one (by name, e.g. `kserve-ovms`) or a definition of your own, whose ServingRuntime
   * is emitted once per namespace and shared, or an existing one ({@link ServingRuntime.fromName}).
   */
  readonly runtime: string | RuntimeDefinition | IServingRuntime;
  /** The model's format, e.g. `{ name: 'onnx' }`. */
  readonly modelFormat: ModelFormat;
  /** The model image reference to build, push and serve (`storageUri: oci://<image>`). */
  readonly image: string;
  /** The model files that go into the image. */
  readonly files: readonly ModelImageFile[];
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
  /** @default - none */
  readonly displayName?: string;
  /** @default - none */
  readonly description?: string;
  /**
   * `odh`: OpenShift AI metadata and token auth. `kserve`: none of it, and the predictor pod runs as the model
   * image's user, so the model server can read the model through the modelcar sidecar's `/proc/<pid>/root`.
   * @default 'odh'
   */
  readonly platform?: Platform;
  /** @default '0.15' */
  readonly kserveVersion?: string;
  /** @default - Serverless (Knative from KServe 0.16) */
  readonly deploymentMode?: DeploymentMode;
  /** Make the model reachable from outside the cluster. @default false */
  readonly expose?: boolean;
  /**
   * Require a token, and emit the ServiceAccount, Role and RoleBinding the token comes from ({@link ModelAuth}).
   * @default - true on platform odh; false on kserve, which has no token auth
   */
  readonly auth?: boolean;
  /** @default 1 (the OpenShift AI dashboard's default) */
  readonly minReplicas?: number;
  /** @default - minReplicas, at least 1 (the OpenShift AI dashboard's default: no unbounded scale-out of a costly model server) */
  readonly maxReplicas?: number;
  /** @default - KServe's default */
  readonly scaleMetric?: ScaleMetric;
  /** @default - KServe's default */
  readonly scaleTarget?: number;
  /** Request timeout in seconds. @default - KServe's default */
  readonly timeout?: number;
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
  /** @default - any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Environment added to the model server's. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Arguments added to the model server's. @default - none */
  readonly args?: readonly string[];
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
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
    this.inferenceService = new InferenceService(this, 'InferenceService', {
      name: props.name,
      namespace,
      runtime: this.runtime,
      modelFormat: props.modelFormat,
      storageUri: digest ? pinnedStorageUri(props.image, digest) : `oci://${props.image}`,
      imagePullSecrets: props.pullSecret ? [props.pullSecret] : undefined,
      displayName: props.displayName,
      description: props.description,
      platform,
      kserveVersion: props.kserveVersion,
      deploymentMode: props.deploymentMode,
      expose: props.expose,
      auth: props.auth,
      minReplicas: props.minReplicas ?? 1,
      maxReplicas: props.maxReplicas ?? Math.max(props.minReplicas ?? 1, 1),
      scaleMetric: props.scaleMetric,
      scaleTarget: props.scaleTarget,
      timeout: props.timeout,
      resources: this.resources,
      tolerations: props.tolerations ?? (gpus > 0 ? [GPU_TOLERATION] : undefined),
      nodeSelector: props.nodeSelector,
      env: props.env,
      args: props.args,
      // Outside OpenShift, containers run as their images' users; the server can follow the modelcar's
      // /proc/<pid>/root only as the same UID, so the whole pod runs as the model image's user.
      runAsUser: platform === 'kserve' ? Number(DEFAULT_IMAGE_USER) : undefined,
      labels: props.labels,
      annotations: props.annotations,
    });
    if (this.inferenceService.auth) this.auth = new ModelAuth(this, 'Auth', { inferenceService: props.name, namespace });
  }
}
