import { Construct } from 'constructs';
import * as kserve from '../../imports/kserve-isvc-serving.kserve.io';
import { ComputeResources, Toleration, assertResources } from '../core/compute-resources';
import { didYouMean } from '../core/errors';
import { assertName, checkName } from '../core/names';
import { DeploymentMode, Platform, deploymentKind } from '../core/platform';
import { ReleaseProfile, deploymentModeOn, profileOf } from '../core/releases';
import { servingRuleProblems } from '../core/serving-rules';
import { IPullSecret } from './pull-secret';
import { IServingRuntime } from './serving-runtime';

/** The format of a model, as in `spec.predictor.model.modelFormat`. */
export interface ModelFormat {
  /** e.g. `onnx`, `openvino_ir`, `pytorch`. */
  readonly name: string;
  /** @default - any version the runtime supports */
  readonly version?: string;
}

/** The metrics KServe can scale a predictor on (`spec.predictor.scaleMetric`). */
export type ScaleMetric = 'cpu' | 'memory' | 'concurrency' | 'rps';

/** The scale metrics, as KServe 0.15 lists them. */
export const SCALE_METRICS: readonly ScaleMetric[] = ['cpu', 'memory', 'concurrency', 'rps'];

/**
 * The marker that turns on OpenShift AI token auth for an InferenceService: an annotation, and on OpenDataHub 2.25 and
 * earlier also a label for RawDeployment models (see {@link ReleaseProfile.rawAuthMarker}).
 */
export const ENABLE_AUTH_ANNOTATION = 'security.opendatahub.io/enable-auth';

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
  /** What the model is for (annotation `openshift.io/description`). @default - none */
  readonly description?: string;
  /**
   * The platform release the model is deployed to (a profile, or its id such as `odh-2.25`, `rhoai-2.25`,
   * `kserve-0.20`): it decides the deployment mode names and default, and where the token auth marker goes.
   * @default - the release of `platform` and `kserveVersion`; with neither, DEFAULT_RELEASE (the newest OpenDataHub)
   */
  readonly release?: string | ReleaseProfile;
  /**
   * `odh` adds what the OpenShift AI dashboard sets: the label `opendatahub.io/dashboard: "true"`, token auth,
   * and for Serverless the Service Mesh annotations. `kserve` adds none of it. Must agree with `release`.
   * @default - the release's
   */
  readonly platform?: Platform;
  /**
   * With platform `kserve` and no `release`: the KServe release, `<major>.<minor>` (0.15 to 0.20).
   * @deprecated name the release instead (`release: 'kserve-0.16'`)
   * @default - the newest KServe release
   */
  readonly kserveVersion?: string;
  /**
   * How KServe deploys the model (annotation `serving.kserve.io/deploymentMode`), by either name; it is written by
   * its name in the release (`Knative` and `Standard` from KServe 0.16). Modes the release does not support, and the
   * new names on releases that do not know them, are refused.
   * @default - the release's default mode (Serverless on OpenDataHub 2.x and KServe, RawDeployment on OpenDataHub 3.x)
   */
  readonly deploymentMode?: DeploymentMode;
  /**
   * Make the model reachable from outside the cluster. Off, a Serverless model gets the label
   * `networking.knative.dev/visibility: cluster-local`; on, a RawDeployment model gets
   * `networking.kserve.io/visibility: exposed`.
   * @default false
   */
  readonly expose?: boolean;
  /**
   * Require a bearer token (`security.opendatahub.io/enable-auth: "true"`, where the release's controllers read it).
   * Only OpenShift AI has token auth: true with platform `kserve` throws, and so does a RawDeployment model on a release
   * without RawDeployment token auth (OpenShift AI 2.16).
   * @default - true on platform odh, false on kserve
   */
  readonly auth?: boolean;
  /** Fewest replicas; 0 lets Serverless scale to zero. @default - KServe's default (1) */
  readonly minReplicas?: number;
  /** Most replicas. @default - KServe's default (no limit on Serverless) */
  readonly maxReplicas?: number;
  /** What to scale on. @default - KServe's default (concurrency on Serverless, cpu on RawDeployment) */
  readonly scaleMetric?: ScaleMetric;
  /** The target value of scaleMetric per replica (requests, or percent of cpu/memory). @default - KServe's default */
  readonly scaleTarget?: number;
  /** Seconds to wait for a request to the model before it times out. @default - KServe's default (300) */
  readonly timeout?: number;
  /** Requests and limits of the model server container (`spec.predictor.model.resources`). @default - none */
  readonly resources?: ComputeResources;
  /** Taints the predictor pods tolerate, e.g. those of GPU nodes. @default - none */
  readonly tolerations?: readonly Toleration[];
  /** Node labels the predictor pods must run on. @default - any node */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Environment of the model server container, added to the runtime's. @default - none */
  readonly env?: Readonly<Record<string, string>>;
  /** Arguments added to the runtime's model server arguments. @default - none */
  readonly args?: readonly string[];
  /**
   * The UID every container of the predictor pod runs as (`spec.predictor.securityContext.runAsUser`).
   * @default - the images' users (OpenShift: a random UID)
   */
  readonly runAsUser?: number;
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
  /** The platform release the model is deployed to. */
  public readonly release: ReleaseProfile;
  /** Whether the model requires a token (OpenShift AI token auth). */
  public readonly auth: boolean;
  /** The deployment mode, by its name in the KServe version. */
  public readonly deploymentMode: DeploymentMode;
  /** The generated API object. */
  public readonly apiObject: kserve.InferenceService;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    assertName('inferenceService', 'InferenceService name', props.name);
    if (props.namespace !== undefined) assertName('label', 'InferenceService namespace', props.namespace);
    checkFormat(props.runtime, props.modelFormat);
    if (!props.storageUri) throw new Error(`InferenceService storageUri: must not be empty (e.g. oci://quay.io/user/model:1)`);
    checkServing(props);
    this.release = profileOf('InferenceService', props);
    const platform = this.release.platform;
    const odh = platform === 'odh';
    this.auth = props.auth ?? odh;
    if (this.auth && !odh) {
      throw new Error(
        `InferenceService auth: token auth (${ENABLE_AUTH_ANNOTATION}) is an OpenShift AI feature; platform ${platform} has none. ` +
          `Set auth to false and protect the model another way (e.g. a gateway), or use platform odh`,
      );
    }
    try {
      this.deploymentMode = deploymentModeOn(this.release, props.deploymentMode);
    } catch (e) {
      throw new Error(`InferenceService ${(e as Error).message}`);
    }
    const knative = deploymentKind(this.deploymentMode) === 'knative';
    const rule = servingRuleProblems(deploymentKind(this.deploymentMode), { ...props, annotations: props.annotations })[0];
    if (rule) throw new Error(`InferenceService ${rule.field}: ${rule.message}`);
    if (this.auth && !knative && this.release.rawAuthMarker === 'none') {
      throw new Error(
        `InferenceService auth: ${this.release.title} has no token auth for RawDeployment models (its KServe never reads ${ENABLE_AUTH_ANNOTATION}); ` +
          `set auth to false and protect the model another way, or deploy it Serverless`,
      );
    }
    this.name = props.name;

    const labels: Record<string, string> = {};
    if (odh) labels['opendatahub.io/dashboard'] = 'true';
    // Serverless is public unless cluster-local; RawDeployment is private unless exposed.
    if (knative && !props.expose) labels['networking.knative.dev/visibility'] = 'cluster-local';
    if (!knative && props.expose) labels['networking.kserve.io/visibility'] = 'exposed';
    const annotations: Record<string, string> = {};
    if (props.displayName !== undefined) annotations['openshift.io/display-name'] = props.displayName;
    if (props.description !== undefined) annotations['openshift.io/description'] = props.description;
    annotations['serving.kserve.io/deploymentMode'] = this.deploymentMode;
    if (odh && knative) {
      // What the OpenShift AI dashboard sets for Serverless: Service Mesh sidecar, TLS passthrough on the route.
      annotations['serving.knative.openshift.io/enablePassthrough'] = 'true';
      annotations['sidecar.istio.io/inject'] = 'true';
      annotations['sidecar.istio.io/rewriteAppHTTPProbers'] = 'true';
    }
    if (this.auth) {
      // Serverless: odh-model-controller's AuthConfig reads the annotation (internal/controller/resources/authconfig.go,
      // kserveAuthTypeDetector). RawDeployment: KServe's deployment reconciler and odh-model-controller's route and
      // ClusterRoleBinding reconcilers read a label up to odh-v2.25 and the annotation from odh-v2.26
      // (opendatahub-io/kserve deployment_reconciler.go). The dashboard shows token auth from the annotation.
      annotations[ENABLE_AUTH_ANNOTATION] = 'true';
      if (!knative && this.release.rawAuthMarker === 'label') labels[ENABLE_AUTH_ANNOTATION] = 'true';
    }
    Object.assign(labels, props.labels);
    Object.assign(annotations, props.annotations);
    const pullSecrets = props.imagePullSecrets ?? [];
    const resources = props.resources;
    const env = Object.entries(props.env ?? {});

    this.apiObject = new kserve.InferenceService(this, 'Resource', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: Object.keys(labels).length ? labels : undefined,
        annotations,
      },
      spec: {
        predictor: {
          minReplicas: props.minReplicas,
          maxReplicas: props.maxReplicas,
          scaleMetric: props.scaleMetric as kserve.InferenceServiceSpecPredictorScaleMetric | undefined,
          scaleTarget: props.scaleTarget,
          timeout: props.timeout,
          model: {
            runtime: props.runtime.name,
            modelFormat: { name: props.modelFormat.name, version: props.modelFormat.version },
            storageUri: props.storageUri,
            args: props.args?.length ? [...props.args] : undefined,
            env: env.length ? env.map(([name, value]) => ({ name, value })) : undefined,
            resources: resources && (resources.requests || resources.limits) ? toKserveResources(resources) : undefined,
          },
          imagePullSecrets: pullSecrets.length ? pullSecrets.map((s) => ({ name: s.name })) : undefined,
          tolerations: props.tolerations?.length ? props.tolerations.map((t) => ({ ...t })) : undefined,
          nodeSelector: props.nodeSelector && Object.keys(props.nodeSelector).length ? { ...props.nodeSelector } : undefined,
          securityContext: props.runAsUser !== undefined ? { runAsUser: props.runAsUser } : undefined,
        },
      },
    });
  }
}

function toKserveResources(resources: ComputeResources): kserve.InferenceServiceSpecPredictorModelResources {
  const map = <T>(values: Readonly<Record<string, string>> | undefined, make: (v: string) => T) =>
    values && Object.keys(values).length ? Object.fromEntries(Object.entries(values).map(([k, v]) => [k, make(v)])) : undefined;
  return {
    requests: map(resources.requests, kserve.InferenceServiceSpecPredictorModelResourcesRequests.fromString),
    limits: map(resources.limits, kserve.InferenceServiceSpecPredictorModelResourcesLimits.fromString),
  };
}

/** Throws for serving options KServe or Kubernetes would refuse, naming the prop and the value. */
function checkServing(props: InferenceServiceProps): void {
  const count = (prop: keyof InferenceServiceProps, min: number) => {
    const value = props[prop];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) {
      throw new Error(`InferenceService ${prop}: ${String(value)} is not valid; give a whole number, ${min} or more`);
    }
  };
  count('minReplicas', 0);
  count('maxReplicas', 0);
  count('scaleTarget', 1);
  count('timeout', 1);
  count('runAsUser', 0);
  if (props.minReplicas !== undefined && props.maxReplicas !== undefined && props.maxReplicas !== 0 && props.maxReplicas < props.minReplicas) {
    throw new Error(`InferenceService maxReplicas: ${props.maxReplicas} is less than minReplicas ${props.minReplicas}`);
  }
  if (props.scaleMetric !== undefined && !SCALE_METRICS.includes(props.scaleMetric)) {
    throw new Error(`InferenceService scaleMetric: "${props.scaleMetric}" is not one KServe knows; use one of ${SCALE_METRICS.join(', ')}`);
  }
  if (props.resources) assertResources('InferenceService resources', props.resources);
  for (const name of Object.keys(props.env ?? {})) {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) {
      throw new Error(`InferenceService env: "${name}" is not a valid environment variable name (letters, digits, '_', '-', '.'; not starting with a digit)`);
    }
  }
  for (const [key, value] of Object.entries(props.nodeSelector ?? {})) {
    const problems = [...checkName('labelKey', key), ...checkName('labelValue', value)];
    if (problems.length) throw new Error(`InferenceService nodeSelector: "${key}: ${value}" is not a valid node label: ${problems.join('; ')}`);
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
