import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { InferenceService, ModelFormat } from './inference-service';
import { ModelImage, ModelImageFile } from './model-image';
import { ModelLayout } from './model-layout';
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
   * The runtime: a built-in one (by name, e.g. `kserve-ovms`, or definition), whose ServingRuntime is emitted
   * once per namespace and shared, or an existing one ({@link ServingRuntime.fromName}).
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
  /** @default - none */
  readonly displayName?: string;
  /** @default true */
  readonly odh?: boolean;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A model served from an OCI image: its InferenceService (`storageUri: oci://...`), the ServingRuntime it
 * needs (shared per namespace), its pull secret reference and the build context of its image
 * (`images/<namespace>/<name>/`).
 */
export class OciModel extends Construct {
  public readonly inferenceService: InferenceService;
  public readonly runtime: IServingRuntime;
  public readonly image: ModelImage;

  constructor(scope: Construct, id: string, props: OciModelProps) {
    super(scope, id);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) {
      throw new Error(`OciModel namespace: "${props.name}" needs a namespace (set namespace, or the Chart's namespace)`);
    }
    this.runtime = typeof props.runtime === 'string' || 'spec' in props.runtime ? ServingRuntime.builtin(this, props.runtime, namespace) : props.runtime;
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
      model: { name: props.name, namespace, format: props.modelFormat.name, formatVersion: props.modelFormat.version, runtime: this.runtime.name },
    });
    const digest = props.lock?.digestOf(this.image);
    this.inferenceService = new InferenceService(this, 'InferenceService', {
      name: props.name,
      namespace,
      runtime: this.runtime,
      modelFormat: props.modelFormat,
      storageUri: digest ? pinnedStorageUri(props.image, digest) : `oci://${props.image}`,
      imagePullSecrets: props.pullSecret ? [props.pullSecret] : undefined,
      displayName: props.displayName,
      odh: props.odh,
      labels: props.labels,
      annotations: props.annotations,
    });
  }
}
