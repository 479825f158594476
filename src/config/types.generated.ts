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
 * Base image of the model image. It must have a shell (sh, ln, sleep, ls, echo, [): KServe keeps the model container alive with `sleep infinity`, so scratch and distroless images do not work.
 */
export type BaseImage = string;

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
   * Image pull secrets, by Secret name, for models' `pullSecret`. A name that models use but that is not listed here is a Secret that already exists in the namespace. modelcar never writes credentials into its output: `fromEnv` secrets are made by `modelcar pull-secret -c <config>` from environment variables, `externalSecret` ones by the External Secrets Operator in the cluster.
   */
  pullSecrets?: {
    [k: string]: PullSecretConfig;
  };
  /**
   * Environments (e.g. dev, staging, prod), each an overlay on the config above. With environments, synth writes each one complete on its own into <output>/<environment>/ (manifests/ and images/), and a change to one environment changes only its files.
   */
  environments?: {
    [k: string]: EnvironmentConfig;
  };
  argocd?: ArgoCdConfig;
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
 * How a pull secret comes to exist: from environment variables (`fromEnv`, for `modelcar pull-secret`), from a secret store (`externalSecret`), or, with neither, it already exists.
 */
export interface PullSecretConfig {
  /**
   * The registry, as in `kubectl create secret docker-registry --docker-server` (e.g. quay.io, or registry.example.com:5000). Default: https://index.docker.io/v1/.
   */
  server?: string;
  fromEnv?: PullSecretFromEnv;
  externalSecret?: PullSecretFromStore;
}
/**
 * `modelcar pull-secret -c <config>` reads the credentials from these environment variables (never from the command line) and prints the Secret, or writes it outside the committed output.
 */
export interface PullSecretFromEnv {
  /**
   * Name of the environment variable that holds the user name.
   */
  username: string;
  /**
   * Name of the environment variable that holds the password or token.
   */
  password: string;
  /**
   * Name of the environment variable that holds the email, if any.
   */
  email?: string;
}
/**
 * An ExternalSecret (External Secrets Operator) that renders the pull secret from a secret store, emitted into every namespace whose models use it. Only where the credentials are is committed.
 */
export interface PullSecretFromStore {
  /**
   * Name of the SecretStore (or ClusterSecretStore) to read from.
   */
  store: string;
  /**
   * Kind of the store. Default: SecretStore.
   */
  storeKind?: 'SecretStore' | 'ClusterSecretStore';
  /**
   * Key (path) of the credentials in the store.
   */
  key: string;
  /**
   * Property of the key that holds the user name. Default: username.
   */
  usernameProperty?: string;
  /**
   * Property of the key that holds the password or token. Default: password.
   */
  passwordProperty?: string;
  /**
   * How often the operator re-reads the store (a Go duration). Default: 1h.
   */
  refreshInterval?: string;
  /**
   * The ExternalSecret API version. Default: external-secrets.io/v1 (operator 0.16 and later); external-secrets.io/v1beta1 for older operators.
   */
  apiVersion?: 'external-secrets.io/v1' | 'external-secrets.io/v1beta1';
}
/**
 * What an environment changes. Each key replaces the value of the config above for this environment only.
 */
export interface EnvironmentConfig {
  defaults?: ModelDefaults;
  /**
   * Namespaces under another name in this environment, e.g. {ml: ml-prod}: models, runtimes and the namespace object itself move.
   */
  renameNamespaces?: {
    [k: string]: ModelNamespace;
  };
  /**
   * Namespace descriptions for this environment, by their name in this environment; each replaces the one above.
   */
  namespaces?: {
    [k: string]: NamespaceConfig;
  };
  /**
   * Changes to models in this environment, by model name (or namespace/name when a name is in several namespaces). Each key given replaces the model's value.
   */
  models?: {
    [k: string]: ModelOverride;
  };
  /**
   * Models not deployed in this environment, by name (or namespace/name).
   */
  exclude?: string[];
}
/**
 * The keys of a model to replace in an environment (any key of a model but its name).
 */
export interface ModelOverride {
  namespace?: ModelNamespace;
  /**
   * Human-readable name, shown by the OpenShift AI dashboard (annotation openshift.io/display-name).
   */
  displayName?: string;
  runtime?: RuntimeName;
  /**
   * Model format (spec.predictor.model.modelFormat.name), e.g. onnx or openvino_ir. It must be one the runtime supports.
   */
  format?: string;
  /**
   * Model format version (spec.predictor.model.modelFormat.version), e.g. "1".
   */
  formatVersion?: string;
  /**
   * The model image reference, registry/repository:tag (or @sha256:digest), without oci://. The InferenceService gets storageUri oci://<image>; the build script builds and pushes this reference.
   */
  image?: string;
  pullSecret?: PullSecretName;
  baseImage?: BaseImage;
  /**
   * The model files to put into the image, at the layout the runtime expects under /models.
   *
   * @minItems 1
   */
  files?: [ModelFile, ...ModelFile[]];
  labels?: StringMap;
  annotations?: StringMap;
}
/**
 * One model file: where to get it, and where it goes in the model layout.
 */
export interface ModelFile {
  /**
   * An http(s) URL to download, or a local path relative to this config file.
   */
  source: string;
  /**
   * File name within the runtime's model layout (e.g. model.onnx, which OpenVINO gets at /models/1/model.onnx). Defaults to the last segment of source.
   */
  path?: string;
  /**
   * Expected SHA-256 of the file, 64 lowercase hex digits. The build script refuses a file that does not match.
   */
  sha256?: string;
}
/**
 * Argo CD integration.
 */
export interface ArgoCdConfig {
  /**
   * Annotate objects with Argo CD sync waves (Namespace first, then service accounts, secrets and runtimes, InferenceServices last) and SkipDryRunOnMissingResource=true on custom resources. Default: true.
   */
  syncWaves?: boolean;
  application?: ArgoCdApplication;
}
/**
 * Emit an Argo CD Application per environment (or one without environments) into <output>/argocd/, pointing at the committed manifests.
 */
export interface ArgoCdApplication {
  /**
   * Name of the Application; with environments, -<environment> is appended. Default: modelcar.
   */
  name?: string;
  /**
   * Namespace of the Application (where Argo CD runs). Default: openshift-gitops.
   */
  namespace?: string;
  /**
   * Argo CD project. Default: default.
   */
  project?: string;
  /**
   * The git repository that holds the committed output.
   */
  repoURL: string;
  /**
   * Branch, tag or commit to sync. Default: HEAD.
   */
  targetRevision?: string;
  /**
   * Path of the output folder in the repository; /<environment>/manifests (or /manifests) is appended. Default: dist.
   */
  path?: string;
  /**
   * Destination cluster API server. Default: https://kubernetes.default.svc.
   */
  server?: string;
  /**
   * Sync automatically, with prune and selfHeal. Default: false.
   */
  automated?: boolean;
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
  /**
   * The model files to put into the image, at the layout the runtime expects under /models.
   *
   * @minItems 1
   */
  files: [ModelFile, ...ModelFile[]];
  labels?: StringMap;
  annotations?: StringMap;
}
