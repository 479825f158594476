// Generated from modelcar.schema.json by `npm run gen`. Do not edit.

/**
 * Namespace the InferenceService is created in.
 */
export type ModelNamespace = string;
/**
 * The model server. A built-in runtime name: modelcar emits its ServingRuntime, once per namespace.
 */
export type RuntimeName = 'kserve-ovms';
/**
 * Name of an existing Secret of type kubernetes.io/dockerconfigjson in the model's namespace, used to pull the model image from a private registry (spec.predictor.imagePullSecrets).
 */
export type PullSecretName = string;
/**
 * Base image of the model image: `ubi8` (registry.access.redhat.com/ubi8/ubi-micro:latest, the default), `ubi9` (registry.access.redhat.com/ubi9/ubi-micro:latest) or an image reference. It must have a shell (sh, ln, sleep, ls, echo, [): KServe keeps the model container alive with `sh -c "... && sleep infinity"`, so scratch, distroless and Chainguard static images are refused.
 */
export type BaseImage = string;
/**
 * Pin the InferenceService's storageUri to the digest `modelcar build --push` recorded in the lock file next to this config (oci://repo@sha256:...), while the image is built from the same inputs. false keeps the tag. Default: true.
 */
export type PinDigest = boolean;

/**
 * modelcar configuration: the models to serve from OCI images on KServe / OpenDataHub / OpenShift AI. `modelcar synth` turns it into Kubernetes YAML and image build contexts.
 */
export interface ModelcarConfig {
  /**
   * Path or URL of this JSON Schema, for editors.
   */
  $schema?: string;
  /**
   * Version of this file format. Only 1 exists.
   */
  version: 1;
  defaults?: ModelDefaults;
  /**
   * Namespaces the models are served in, keyed by name. Every namespace a model names is created; list one here only to describe it.
   */
  namespaces?: {
    [k: string]: NamespaceConfig;
  };
  /**
   * The models to serve. Each becomes one InferenceService and one image build context.
   *
   * @minItems 1
   */
  models: [ModelConfig, ...ModelConfig[]];
}
/**
 * Values applied to every model that does not set them itself.
 */
export interface ModelDefaults {
  namespace?: ModelNamespace;
  runtime?: RuntimeName;
  pullSecret?: PullSecretName;
  baseImage?: BaseImage;
  pinDigest?: PinDigest;
}
/**
 * A namespace (an OpenShift project) that models are served in.
 */
export interface NamespaceConfig {
  /**
   * Human-readable name, shown by the OpenShift console and the OpenShift AI dashboard (annotation openshift.io/display-name).
   */
  displayName?: string;
  /**
   * Free text description (annotation openshift.io/description).
   */
  description?: string;
  labels?: StringMap;
  annotations?: StringMap;
}
export interface StringMap {
  [k: string]: string;
}
/**
 * One model served from an OCI image.
 */
export interface ModelConfig {
  /**
   * Name of the InferenceService (a DNS-1035 label: lowercase letters, digits and '-', starting with a letter).
   */
  name: string;
  namespace?: ModelNamespace;
  /**
   * Human-readable name, shown by the OpenShift AI dashboard (annotation openshift.io/display-name).
   */
  displayName?: string;
  runtime?: RuntimeName;
  /**
   * Model format (spec.predictor.model.modelFormat.name), e.g. onnx or openvino_ir. It must be one the runtime supports.
   */
  format: string;
  /**
   * Model format version (spec.predictor.model.modelFormat.version), e.g. "1".
   */
  formatVersion?: string;
  /**
   * The model image reference, registry/repository:tag (or @sha256:digest), without oci://. The InferenceService gets storageUri oci://<image>; the build script builds and pushes this reference.
   */
  image: string;
  pullSecret?: PullSecretName;
  baseImage?: BaseImage;
  pinDigest?: PinDigest;
  /**
   * The model files to put into the image, at the layout the runtime expects under /models.
   *
   * @minItems 1
   */
  files: [ModelFile, ...ModelFile[]];
  labels?: StringMap;
  annotations?: StringMap;
}
/**
 * One model file: where to get it, and where it goes in the model layout.
 */
export interface ModelFile {
  /**
   * An http(s) URL to download, or a local file or folder, relative to this config file. A folder brings its files, recursively (names starting with '.' are left out).
   */
  source: string;
  /**
   * File name within the runtime's model layout (e.g. model.onnx, which OpenVINO gets at /models/1/model.onnx). Defaults to the last segment of source. For a folder, '.' puts its files at the top of the layout.
   */
  path?: string;
  /**
   * Expected SHA-256 of the file, 64 lowercase hex digits. `modelcar stage` and the build script refuse a file that does not match. Not for folders.
   */
  sha256?: string;
}
