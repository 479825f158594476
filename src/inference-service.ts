import { Construct } from 'constructs';
import * as kserve from '../imports/kserve-isvc-serving.kserve.io';
import { didYouMean } from './errors';
import { assertName } from './names';
import { IPullSecret } from './pull-secret';
import { IServingRuntime } from './serving-runtime';

/** The format of a model, as in `spec.predictor.model.modelFormat`. */
export interface ModelFormat {
  /** e.g. `onnx`, `openvino_ir`, `pytorch`. */
  readonly name: string;
  /** @default - any version the runtime supports */
  readonly version?: string;
}

/** Properties of an {@link InferenceService}. */
export interface InferenceServiceProps {
  /** Name of the InferenceService (KServe requires a DNS-1035 label). */
  readonly name: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /**
   * The runtime that serves the model. It is always named in the InferenceService, since some formats
   * (onnx on kserve-ovms) are not auto-selected.
   */
  readonly runtime: IServingRuntime;
  /** The model's format; it must be one the runtime supports, when the runtime's formats are known. */
  readonly modelFormat: ModelFormat;
  /** Where the model is: `oci://registry/repository:tag` for a model image. */
  readonly storageUri: string;
  /**
   * Secrets to pull images with, the model image included (pull secrets are pod-level).
   * @default - none: the registry must be public
   */
  readonly imagePullSecrets?: readonly IPullSecret[];
  /** Shown by the OpenShift AI dashboard (annotation `openshift.io/display-name`). @default - none */
  readonly displayName?: string;
  /**
   * Add the label `opendatahub.io/dashboard: "true"` so the OpenShift AI dashboard lists the model.
   * @default true
   */
  readonly odh?: boolean;
  /** @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A KServe InferenceService (serving.kserve.io/v1beta1) whose predictor serves one model.
 *
 * @see https://kserve.github.io/website/latest/modelserving/storage/oci/
 */
export class InferenceService extends Construct {
  public readonly name: string;
  /** The generated API object. */
  public readonly apiObject: kserve.InferenceService;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    assertName('inferenceService', 'InferenceService name', props.name);
    if (props.namespace !== undefined) assertName('label', 'InferenceService namespace', props.namespace);
    checkFormat(props.runtime, props.modelFormat);
    if (!props.storageUri) throw new Error(`InferenceService storageUri: must not be empty (e.g. oci://quay.io/user/model:1)`);
    this.name = props.name;

    const labels: Record<string, string> = { ...(props.odh === false ? {} : { 'opendatahub.io/dashboard': 'true' }), ...props.labels };
    const annotations: Record<string, string> = { ...props.annotations };
    if (props.displayName !== undefined) annotations['openshift.io/display-name'] = props.displayName;
    const pullSecrets = props.imagePullSecrets ?? [];

    this.apiObject = new kserve.InferenceService(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: Object.keys(labels).length ? labels : undefined,
        annotations: Object.keys(annotations).length ? annotations : undefined,
      },
      spec: {
        predictor: {
          model: {
            runtime: props.runtime.name,
            modelFormat: { name: props.modelFormat.name, version: props.modelFormat.version },
            storageUri: props.storageUri,
          },
          imagePullSecrets: pullSecrets.length ? pullSecrets.map((s) => ({ name: s.name })) : undefined,
        },
      },
    });
  }
}

/** Throws when the runtime's formats are known and do not include the model's. */
function checkFormat(runtime: IServingRuntime, format: ModelFormat): void {
  const supported = runtime.supportedModelFormats;
  if (!supported) return;
  const byName = supported.filter((f) => f.name === format.name);
  if (byName.length === 0) {
    const names = [...new Set(supported.map((f) => f.name))];
    const hint = didYouMean(format.name, names);
    throw new Error(
      `InferenceService modelFormat.name: "${format.name}" is not served by runtime ${runtime.name}; ` +
        `it serves ${names.join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}`,
    );
  }
  if (format.version !== undefined && !byName.some((f) => f.version === format.version)) {
    const versions = byName.map((f) => f.version).filter((v): v is string => v !== undefined);
    throw new Error(
      `InferenceService modelFormat.version: ${format.name} version "${format.version}" is not served by runtime ${runtime.name}; ` +
        `it serves version ${versions.join(', ')}`,
    );
  }
}
