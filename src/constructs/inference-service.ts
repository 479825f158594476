import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type * as kserve from '../../imports/kserve-isvc-serving.kserve.io';
import { ComputeResources, Toleration, resourceProblems } from '../core/compute-resources';
import { PropChecker, PropProblem, brand, didYouMean, hasBrand, valueAt } from '../core/errors';
import { annotationProblems, checkName, labelProblems, nameProblem } from '../core/names';
import { DeploymentMode, Platform, deploymentKind } from '../core/platform';
import { DEFAULT_RELEASE, ReleaseProfile, deploymentModeOn, profileOf } from '../core/releases';
import { servingRuleProblems } from '../core/serving-rules';
import { IPullSecret } from './pull-secret';
import { IServingRuntime, ServingRuntime } from './serving-runtime';

const INFERENCE_SERVICE = Symbol.for('modelcar.InferenceService');

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
  /** Whether `x` is an InferenceService construct (of any copy of modelcar). */
  public static isInferenceService(x: unknown): x is InferenceService {
    return hasBrand(x, INFERENCE_SERVICE);
  }

  public readonly name: string;
  /** The platform release the model is deployed to. */
  public readonly release: ReleaseProfile;
  /** Whether the model requires a token (OpenShift AI token auth). */
  public readonly auth: boolean;
  /** The deployment mode, by its name in the KServe version. */
  public readonly deploymentMode: DeploymentMode;
  /** The generated API object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    const check = new PropChecker('InferenceService');
    checkProps(check, props);
    const inherited = (p: PropProblem) => ({ ...p, construct: 'InferenceService' });
    // With a release (or platform) it does not know, the other props are checked against the default release.
    this.release = check.run(() => profileOf('InferenceService', props)) ?? DEFAULT_RELEASE;
    const platform = this.release.platform;
    const odh = platform === 'odh';
    this.auth = props.auth ?? odh;
    if (this.auth && !odh) {
      check.add(
        'auth',
        props.auth,
        `token auth (${ENABLE_AUTH_ANNOTATION}) is an OpenShift AI feature and platform ${platform} has none; ` +
          `remove auth and protect the model another way (e.g. a gateway), or use platform odh`,
      );
    }
    const mode = check.run(() => deploymentModeOn(this.release, props.deploymentMode), inherited);
    this.deploymentMode = mode ?? deploymentModeOn(this.release);
    const knative = deploymentKind(this.deploymentMode) === 'knative';
    if (mode !== undefined) {
      for (const rule of servingRuleProblems(deploymentKind(this.deploymentMode), props)) check.add(rule.field, props[rule.field], rule.message);
    }
    if (this.auth && odh && !knative && this.release.rawAuthMarker === 'none') {
      check.add(
        'auth',
        props.auth,
        `${this.release.title} has no token auth for RawDeployment models (its KServe never reads ${ENABLE_AUTH_ANNOTATION}); ` +
          `set auth to false and protect the model another way, or deploy it Serverless`,
      );
    }
    // OpenShift Serverless (the ODH platform) names the predictor's host `<name>-predictor-<namespace>.<domain>`:
    // one DNS label, at most 63 characters, or the route never becomes ready.
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const host = `${props.name}-predictor-${namespace}`;
    if (odh && knative && namespace !== undefined && host.length > 63 && checkName('inferenceService', props.name).length === 0) {
      check.add(
        'name',
        props.name,
        `"${props.name}" in namespace ${namespace} is too long for Serverless: OpenShift Serverless names its host "${host}", ` +
          `${host.length} characters, and a DNS label has at most 63; shorten the name or the namespace by ${host.length - 63}, or use deploymentMode RawDeployment`,
      );
    }
    check.throwIfAny(this);
    brand(this, INFERENCE_SERVICE);
    this.name = props.name;
    // The runtime and the pull secrets may be made elsewhere in the tree, in another namespace: checked on synth.
    this.node.addValidation({ validate: () => namespaceProblems(props, namespace) });

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

    const spec: kserve.InferenceServiceSpec = {
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
    };
    // A plain ApiObject, typed by the generated CRD interfaces (imports/, types only): the generated class and its
    // converters are 1.8 MB of JavaScript that every synth would load for one class (see BENCHMARKS.md).
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: INFERENCE_SERVICE_GVK.apiVersion,
      kind: INFERENCE_SERVICE_GVK.kind,
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels: Object.keys(labels).length ? labels : undefined,
        annotations,
      },
      spec,
    });
  }
}

/**
 * The resources as the object holds them: quantities as strings. The generated interface types them as the generated
 * quantity classes, which only its converter reads; the plain ApiObject takes what is written.
 */
function toKserveResources(resources: ComputeResources): kserve.InferenceServiceSpecPredictorModelResources {
  const map = (values: Readonly<Record<string, string>> | undefined) => (values && Object.keys(values).length ? { ...values } : undefined);
  return { requests: map(resources.requests), limits: map(resources.limits) } as unknown as kserve.InferenceServiceSpecPredictorModelResources;
}

/** The API version and kind of an InferenceService. */
const INFERENCE_SERVICE_GVK = { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService' } as const;

/** Checks the props KServe or Kubernetes would refuse, naming each prop and value. */
function checkProps(check: PropChecker, props: InferenceServiceProps): void {
  const name = nameProblem('inferenceService', props.name);
  if (name) check.add('name', props.name, name);
  const namespace = props.namespace === undefined ? undefined : nameProblem('label', props.namespace, 'namespace name');
  if (namespace) check.add('namespace', props.namespace, namespace);
  checkFormat(check, props.runtime, props.modelFormat);
  if (!props.storageUri) check.add('storageUri', props.storageUri, 'must not be empty (e.g. oci://quay.io/user/model:1)');
  const count = (prop: keyof InferenceServiceProps, min: number) => {
    const value = props[prop];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min)) {
      check.add(prop, value, `${String(value)} is not valid; give a whole number, ${min} or more`);
    }
  };
  count('minReplicas', 0);
  count('maxReplicas', 0);
  count('scaleTarget', 1);
  count('timeout', 1);
  count('runAsUser', 0);
  if (props.minReplicas !== undefined && props.maxReplicas !== undefined && props.maxReplicas !== 0 && props.maxReplicas < props.minReplicas) {
    // KServe refuses it at admission: validateReplicas (kserve/kserve v0.15.2 pkg/apis/serving/v1beta1/component.go).
    check.add('maxReplicas', props.maxReplicas, `'MinReplicas' cannot be greater than MaxReplicas: minReplicas ${props.minReplicas} > maxReplicas ${props.maxReplicas}; raise maxReplicas or lower minReplicas (KServe validateReplicas, at admission)`);
  }
  if (props.scaleMetric !== undefined && !SCALE_METRICS.includes(props.scaleMetric)) {
    check.add('scaleMetric', props.scaleMetric, `"${props.scaleMetric}" is not one KServe knows; use one of ${SCALE_METRICS.join(', ')}`, SCALE_METRICS);
  }
  for (const p of props.resources ? resourceProblems(props.resources) : []) check.add(['resources', ...p.path], valueAt(props.resources, p.path), p.message);
  for (const key of Object.keys(props.env ?? {})) {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(key)) {
      check.add(['env', key], key, `"${key}" is not a valid environment variable name: use letters, digits, '_', '-' and '.', not starting with a digit`);
    }
  }
  for (const [key, value] of Object.entries(props.nodeSelector ?? {})) {
    for (const p of checkName('labelKey', key)) check.add(['nodeSelector', key], key, `key "${key}" is not a valid node label key: ${p}`);
    for (const p of checkName('labelValue', value)) check.add(['nodeSelector', key], value, `value "${value}" is not a valid node label value: ${p}`);
  }
  for (const p of [...labelProblems(props.labels, ['labels']), ...annotationProblems(props.annotations, ['annotations'])]) check.add(p.path, valueAt(props, p.path), p.message);
}

/**
 * What the InferenceService uses from other namespaces, which it cannot: KServe looks for its ServingRuntime in the
 * InferenceService's own namespace, then for a ClusterServingRuntime (kserve/kserve v0.15.2,
 * pkg/controller/v1beta1/inferenceservice/utils/utils.go, GetServingRuntime), and a pod's imagePullSecrets name
 * Secrets of the pod's namespace (LocalObjectReference).
 */
function namespaceProblems(props: InferenceServiceProps, namespace: string | undefined): string[] {
  if (namespace === undefined) return [];
  const problems: string[] = [];
  const runtime = props.runtime;
  if (runtime.kind === 'ServingRuntime' && ServingRuntime.isServingRuntime(runtime) && runtime.namespace !== undefined && runtime.namespace !== namespace) {
    problems.push(
      `InferenceService ${props.name} in namespace ${namespace} uses ServingRuntime ${runtime.name} of namespace ${runtime.namespace}; ` +
        `KServe looks for the ServingRuntime in the InferenceService's own namespace (then for a ClusterServingRuntime), so it would find none: ` +
        `put the ServingRuntime in ${namespace} (ServingRuntime.shared makes one per namespace)`,
    );
  }
  for (const secret of props.imagePullSecrets ?? []) {
    if (secret.namespace !== undefined && secret.namespace !== namespace) {
      problems.push(
        `InferenceService ${props.name} in namespace ${namespace} uses pull secret ${secret.name} of namespace ${secret.namespace}; ` +
          `pods can only use pull secrets of their own namespace: make the Secret in ${namespace}`,
      );
    }
  }
  return problems;
}

/** Checks the model's format against the runtime's formats, when those are known. */
function checkFormat(check: PropChecker, runtime: IServingRuntime, format: ModelFormat): void {
  const supported = runtime.supportedModelFormats;
  if (!supported) return;
  const byName = supported.filter((f) => f.name === format.name);
  if (byName.length === 0) {
    const names = [...new Set(supported.map((f) => f.name))];
    const hint = didYouMean(format.name, names);
    check.add(
      ['modelFormat', 'name'],
      format.name,
      `"${format.name}" is not served by runtime ${runtime.definitionName ?? runtime.name}${hint ? ` (did you mean "${hint}"?)` : ''}; it serves: ${names.join(', ')}`,
      names,
    );
    return;
  }
  if (format.version !== undefined && !byName.some((f) => f.version === format.version)) {
    const versions = byName.map((f) => f.version).filter((v): v is string => v !== undefined);
    check.add(
      ['modelFormat', 'version'],
      format.version,
      `${format.name} version "${format.version}" is not served by runtime ${runtime.definitionName ?? runtime.name}; it serves version: ${versions.join(', ')}`,
      versions,
    );
  }
}
