import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ComputeResources, ComputeResourcesOverride, GPU_TOLERATION, Toleration, mergeResources, withGpus } from '../core/compute-resources';
import { InferenceService, InferenceServiceProps } from './inference-service';
import { ModelAuth } from './model-auth';
import { DEFAULT_IMAGE_USER, ModelImage, ModelImageSource } from './model-image';
import { ModelLayout } from '../core/model-layout';
import { DEFAULT_RELEASE, RELEASES, ReleaseProfile, profileOf } from '../core/releases';
import { COMPRESSIONS, Compression, compressionProblem } from '../core/compression';
import { IImageLock, pinnedStorageUri } from './image-lock';
import { IPullSecret } from './pull-secret';
import { runtimeCatalogue } from './runtimes/catalogue';
import { RuntimeDefinition } from './runtimes/definition';
import { IServingRuntime, ServingRuntime } from './serving-runtime';
import { PropChecker, PropProblem, brand, hasBrand } from '../core/errors';
import { nameProblem } from '../core/names';

const OCI_MODEL = Symbol.for('modelcar.OciModel');

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
   * How the model layers are compressed when pushed (see {@link ModelImageProps.compression}). Refused when the oldest
   * nodes of the release could not pull it.
   * @default - none with modelcar's writer, gzip with podman and buildah
   */
  readonly compression?: Compression;
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
 * needs (its own, named after it, or one shared per namespace: see `sharedRuntime`), the objects its tokens come from (with token auth), its pull secret reference
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
    // With a release it does not know, the other props are checked against the default release.
    const release = check.run(() => profileOf('OciModel', props)) ?? DEFAULT_RELEASE;
    const platform = release.platform;
    if (props.imageVolume && !release.imageVolumes) check.add('imageVolume', props.imageVolume, imageVolumeRefusal(release));
    const unpullable = props.compression !== undefined && COMPRESSIONS.includes(props.compression) ? compressionProblem(release, props.compression) : undefined;
    if (unpullable) check.add('compression', props.compression, unpullable);
    const given = props.runtime;
    const reference = typeof given === 'string' || 'spec' in given ? undefined : given;
    const definition = typeof given === 'string' ? runtimeCatalogue(release)[given] : reference ? undefined : (given as RuntimeDefinition);
    const sharedRuntime = props.sharedRuntime ?? platform === 'kserve';
    // A model's own ServingRuntime takes the model's name: an invalid name is the InferenceService's to report.
    const emitted = reference || (!sharedRuntime && nameProblem('inferenceService', props.name)) ? undefined : (given as string | RuntimeDefinition);
    const made =
      emitted === undefined
        ? undefined
        : check.run(
            () =>
              sharedRuntime
                ? ServingRuntime.shared(this, { runtime: emitted, namespace, release })
                : ServingRuntime.forModel(this, { runtime: emitted, model: props.name, namespace, release }),
            asRuntimeProblem,
          );
    // When the ServingRuntime is refused, the model is still checked against what its definition says.
    const runtime: IServingRuntime | undefined =
      reference ??
      made ??
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
              compression: props.compression,
              contextPath: `images/${namespace}/${props.name}`,
              description: `InferenceService ${namespace}/${props.name}`,
              // The runtime's kind, not the name of the model's own ServingRuntime: the image holds nothing of where it runs.
              model: { name: props.name, namespace, format: props.modelFormat.name, formatVersion: props.modelFormat.version, runtime: runtimeKind(given), environment: props.environment },
            }),
          asOwn,
        )
      : undefined;
    const digest = image && props.lock?.digestOf(image);
    const defaults = runtime?.defaults ?? {};
    const gpus = props.gpus ?? defaults.gpus ?? 0;
    const resources = check.run(() => withGpus(mergeResources(defaults.resources, props.resources), gpus), asOwn);
    const {
      runtime: _runtime,
      image: _image,
      files: _files,
      sourceDir: _dir,
      allowCredentialsInUrls: _credentials,
      layout: _layout,
      pullSecret,
      baseImage: _base,
      compression: _compression,
      lock: _lock,
      environment: _env,
      gpus: _gpus,
      sharedRuntime: _shared,
      imageVolume,
      ...serving
    } = props;
    const uri = digest ? pinnedStorageUri(props.image, digest) : `oci://${props.image}`;
    const inferenceService = check.run(
      () =>
        new InferenceService(this, 'InferenceService', {
          ...serving,
          namespace,
          // The release was checked above, as the OciModel's.
          release,
          platform: undefined,
          kserveVersion: undefined,
          // Without a runtime (refused above), a stand-in with no known formats, so that the other props are still checked.
          runtime: runtime ?? ServingRuntime.fromName('unknown'),
          // An image volume is KServe's oci+native:// (pkg/utils/storage.go ParseOciScheme): the same reference, another scheme.
          storageUri: imageVolume ? IMAGE_VOLUME_SCHEME + uri.slice('oci://'.length) : uri,
          imagePullSecrets: pullSecret ? [pullSecret] : undefined,
          ...ociModelReplicas(props),
          resources,
          tolerations: props.tolerations ?? (gpus > 0 ? [GPU_TOLERATION] : undefined),
          // Outside OpenShift, containers run as their images' users; the server can follow the modelcar's
          // /proc/<pid>/root only as the same UID, so the whole pod runs as the model image's user. An image volume is
          // a mount of world-readable files: any UID reads it.
          runAsUser: platform === 'kserve' && !imageVolume ? Number(DEFAULT_IMAGE_USER) : undefined,
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

/** The name a runtime goes by in the model image's labels: the definition's or reference's name. */
function runtimeKind(runtime: string | RuntimeDefinition | IServingRuntime): string {
  return typeof runtime === 'string' ? runtime : runtime.name;
}

/** Why a release has no image volumes, and which releases have them. */
function imageVolumeRefusal(release: ReleaseProfile): string {
  const have = [...RELEASES.values()].filter((r) => r.imageVolumes).map((r) => r.id);
  return (
    `${release.product === 'kserve' ? release.title : `${release.title} runs KServe ${release.kserveVersion}, which`} has no image volumes (oci+native://, added in KServe 0.20: ` +
    `kserve/kserve v0.20.0 pkg/utils/storage.go ConfigureOciNativeToContainer); releases that have them: ${have.join(', ')}; ` +
    `or keep the modelcar sidecar (oci://)`
  );
}

/** A part's prop problem as the composite's: the same prop of the OciModel (the parts take them as they are). */
function asOwn(problem: PropProblem): PropProblem {
  return { ...problem, construct: 'OciModel' };
}

/**
 * A problem of the model's ServingRuntime (its own, or the shared one) as the OciModel's: its namespace is the model's
 * `namespace`; anything else is about the runtime definition, the model's `runtime`.
 */
function asRuntimeProblem(problem: PropProblem): PropProblem {
  const namespace = problem.construct === 'ServingRuntime' && problem.path[0] === 'namespace';
  return { ...problem, construct: 'OciModel', path: namespace ? ['namespace'] : ['runtime'] };
}

/**
 * The replicas an OciModel's InferenceService is written with: minReplicas 1 and maxReplicas minReplicas (at least 1)
 * unless given, the OpenShift AI dashboard's defaults: its deploy form starts from `minReplicas: 1, maxReplicas: 1`
 * (opendatahub-io/odh-dashboard v2.25.0 and v3.4.0 frontend/src/pages/modelServing/screens/projects/utils.ts
 * `defaultInferenceService`) and writes them to `spec.predictor` (frontend/src/api/k8s/inferenceServices.ts
 * `assembleInferenceService`). The config's admission check judges the same numbers.
 */
export function ociModelReplicas(props: Pick<OciModelProps, 'minReplicas' | 'maxReplicas'>): { minReplicas: number; maxReplicas: number } {
  const minReplicas = props.minReplicas ?? 1;
  return { minReplicas, maxReplicas: props.maxReplicas ?? Math.max(minReplicas, 1) };
}
