import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ComputeResources, ComputeResourcesOverride, GPU_TOLERATION, Toleration, mergeResources, withGpus } from '../core/compute-resources';
import { InferenceService, InferenceServiceProps } from './inference-service';
import { ModelAuth } from './model-auth';
import { DEFAULT_IMAGE_USER, ModelImage, ModelImageFile } from './model-image';
import { ModelLayout } from '../core/model-layout';
import { RELEASES, ReleaseProfile, profileOf } from '../core/releases';
import { IImageLock, pinnedStorageUri } from './image-lock';
import { IPullSecret } from './pull-secret';
import { RuntimeDefinition } from './runtimes/catalogue';
import { IServingRuntime, ServingRuntime } from './serving-runtime';

/**
 * Properties of an {@link OciModel}: those of its {@link InferenceService} (name, namespace, format, platform,
 * serving options, ...), except the ones the composite derives, plus the model image's.
 */
export interface OciModelProps
  extends Omit<InferenceServiceProps, 'runtime' | 'storageUri' | 'imagePullSecrets' | 'resources' | 'runAsUser' | 'minReplicas' | 'maxReplicas' | 'tolerations'> {
  /**
   * The runtime: a built-in one (by name, e.g. `kserve-ovms`) or a definition of your own, whose ServingRuntime
   * modelcar emits (the model's own, or shared: see `sharedRuntime`), or an existing one
   * ({@link ServingRuntime.fromName}).
   */
  readonly runtime: string | RuntimeDefinition | IServingRuntime;
  /**
   * Share one ServingRuntime per runtime and namespace among its models, instead of a ServingRuntime of the model's
   * own, named after it, as the OpenShift AI dashboard makes them. The dashboard deletes a model's runtime with the
   * model, so a shared runtime must then not be deleted or edited through the dashboard.
   * @default - false on OpenDataHub and OpenShift AI (one per model, as the dashboard has them); true on plain KServe
   */
  readonly sharedRuntime?: boolean;
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
  /**
   * Mount the model image as a Kubernetes image volume (`storageUri: oci+native://...`, KServe 0.20) instead of
   * running it as KServe's modelcar sidecar (`oci://...`): no sidecar, no shared process namespace, no shared UID;
   * needs Kubernetes 1.33 or later with containerd 2.0 or CRI-O 1.31 or later. Refused on releases without it.
   * @default false
   */
  readonly imageVolume?: boolean;
}

/** The storage URI scheme of KServe's image volumes (kserve/kserve v0.20.0 pkg/constants/constants.go OciNativeURIPrefix). */
export const IMAGE_VOLUME_SCHEME = 'oci+native://';

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
    const release = profileOf('OciModel', props);
    const platform = release.platform;
    if (props.imageVolume && !release.imageVolumes) {
      throw new Error(`OciModel imageVolume: ${imageVolumeRefusal(release)}`);
    }
    const shared = props.sharedRuntime ?? platform === 'kserve';
    this.runtime =
      typeof props.runtime === 'string' || 'spec' in props.runtime
        ? shared
          ? ServingRuntime.shared(this, props.runtime, namespace, { release })
          : ServingRuntime.forModel(this, props.runtime, { model: props.name, namespace, release })
        : props.runtime;
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
      // The runtime's kind, not the name of the model's own ServingRuntime: the image holds nothing of where it runs.
      model: { name: props.name, namespace, format: props.modelFormat.name, formatVersion: props.modelFormat.version, runtime: runtimeKind(props.runtime), environment: props.environment },
    });
    const digest = props.lock?.digestOf(this.image);
    const defaults = this.runtime.defaults ?? {};
    const gpus = props.gpus ?? defaults.gpus ?? 0;
    this.resources = withGpus(mergeResources(defaults.resources, props.resources), gpus);
    const { runtime: _runtime, image: _image, files: _files, layout: _layout, pullSecret, baseImage: _base, lock: _lock, environment: _env, gpus: _gpus, sharedRuntime: _shared, imageVolume, ...serving } = props;
    const uri = digest ? pinnedStorageUri(props.image, digest) : `oci://${props.image}`;
    this.inferenceService = new InferenceService(this, 'InferenceService', {
      ...serving,
      namespace,
      release,
      platform: undefined,
      kserveVersion: undefined,
      runtime: this.runtime,
      // An image volume is KServe's oci+native:// (pkg/utils/storage.go ParseOciScheme): the same reference, another scheme.
      storageUri: imageVolume ? IMAGE_VOLUME_SCHEME + uri.slice('oci://'.length) : uri,
      imagePullSecrets: pullSecret ? [pullSecret] : undefined,
      minReplicas: props.minReplicas ?? 1,
      maxReplicas: props.maxReplicas ?? Math.max(props.minReplicas ?? 1, 1),
      resources: this.resources,
      tolerations: props.tolerations ?? (gpus > 0 ? [GPU_TOLERATION] : undefined),
      // Outside OpenShift, containers run as their images' users; the server can follow the modelcar's
      // /proc/<pid>/root only as the same UID, so the whole pod runs as the model image's user. An image volume is
      // a mount of world-readable files: any UID reads it.
      runAsUser: platform === 'kserve' && !imageVolume ? Number(DEFAULT_IMAGE_USER) : undefined,
    });
    if (this.inferenceService.auth) this.auth = new ModelAuth(this, 'Auth', { inferenceService: props.name, namespace });
  }
}

/** The name a runtime goes by in the model image's labels: the definition's or reference's name. */
function runtimeKind(runtime: string | RuntimeDefinition | IServingRuntime): string {
  return typeof runtime === 'string' ? runtime : runtime.name;
}

/** Why a release has no image volumes, and which releases have them. */
export function imageVolumeRefusal(release: ReleaseProfile): string {
  const have = [...RELEASES.values()].filter((r) => r.imageVolumes).map((r) => r.id);
  return (
    `${release.product === 'kserve' ? release.title : `${release.title} runs KServe ${release.kserveVersion}, which`} has no image volumes (oci+native://, added in KServe 0.20: ` +
    `kserve/kserve v0.20.0 pkg/utils/storage.go ConfigureOciNativeToContainer); releases that have them: ${have.join(', ')}; ` +
    `or keep the modelcar sidecar (oci://)`
  );
}
