// Generated from modelcar.schema.json by `npm run gen`. Do not edit.

/**
 * Where the models are served. odh (default): OpenDataHub; rhoai: Red Hat OpenShift AI; both get the labels and annotations the dashboard sets, and token auth. kserve: plain KServe, no OpenDataHub metadata; the predictor pods run as the model image's user, so the model server can read the modelcar's files.
 */
export type PlatformName = 'odh' | 'rhoai' | 'kserve';
/**
 * The platform's release, quoted "<major>.<minor>": odh 2.25, 2.26, 2.27, 2.30, 2.35, 3.0, 3.3, 3.4 (default); rhoai 2.16, 2.19, 2.22, 2.25, 3.0, 3.3, 3.4 (default); kserve 0.15 to 0.20 (default). It decides the built-in runtimes and their images, the deployment modes and their names, where the token auth marker goes, and the CRDs the output is validated with.
 */
export type ReleaseName = string;
/**
 * Older name of release for platform kserve: the KServe release, quoted "<major>.<minor>", 0.15 to 0.20. Use release instead.
 */
export type KserveVersion = string;
/**
 * Namespace the InferenceService is created in.
 */
export type ModelNamespace = string;
/**
 * The model server: a built-in runtime (kserve-ovms, vllm-runtime, caikit-tgis-runtime, caikit-standalone-runtime, tgis-grpc-runtime) as of OpenDataHub 2.25, each release having its own (vllm-cuda-runtime from 2.27: see README, Platforms), or one named under runtimes. modelcar emits its ServingRuntime, one per model on odh and rhoai (one per namespace with sharedRuntime, and on kserve), unless it already exists in the cluster.
 */
export type RuntimeName = string;
/**
 * Name of an existing Secret of type kubernetes.io/dockerconfigjson in the model's namespace, used to pull the model image from a private registry (spec.predictor.imagePullSecrets).
 */
export type PullSecretName = string;
/**
 * Base image of the model image: `ubi8` (registry.access.redhat.com/ubi8/ubi-micro:latest, the default), `ubi9` (registry.access.redhat.com/ubi9/ubi-micro:latest) or an image reference. It must have a shell (sh, ln, sleep, ls, echo, [): KServe keeps the model container alive with `sh -c "... && sleep infinity"`, so scratch, distroless and Chainguard static images are refused.
 */
export type BaseImage = string;
/**
 * How KServe deploys the model (annotation serving.kserve.io/deploymentMode): Serverless (Knative; default) or RawDeployment (a plain Deployment). KServe 0.16 names them Knative and Standard.
 */
export type DeploymentModeName = 'Serverless' | 'RawDeployment' | 'Knative' | 'Standard';
/**
 * Make the model reachable from outside the cluster. Default false: Serverless models are labelled cluster-local; RawDeployment models get no external route.
 */
export type Expose = boolean;
/**
 * Require a bearer token (security.opendatahub.io/enable-auth), with a ServiceAccount <model>-sa to get tokens from. Default true on platform odh; plain KServe (platform kserve) has no token auth.
 */
export type Auth = boolean;
/**
 * Pin the InferenceService's storageUri to the digest `modelcar build --push` recorded in the lock file next to this config (oci://repo@sha256:...), while the image is built from the same inputs. false keeps the tag. Default: true.
 */
export type PinDigest = boolean;
/**
 * Share one ServingRuntime per runtime and namespace among its models. Default: false on odh and rhoai, where each model gets a ServingRuntime of its own, named after it, as the OpenShift AI dashboard makes them (the dashboard deletes a model's runtime with the model: with a shared runtime, do not delete or edit these models in the dashboard); true on kserve.
 */
export type SharedRuntime = boolean;
/**
 * Mount the model image as a Kubernetes image volume (storageUri oci+native://..., KServe 0.20) instead of running it as KServe's modelcar sidecar (oci://...): no sidecar, no shared process namespace or UID. Needs KServe 0.20 (refused on other releases), Kubernetes 1.33 or later, and containerd 2.0 or CRI-O 1.31 or later. Default: false.
 */
export type ImageVolume = boolean;
/**
 * Where the model image is built. local (default): on the machine that runs `modelcar stage` and `modelcar build --push` (or build.sh). in-cluster: by OpenShift Pipelines (Tekton) in the model's namespace, next to the storage and the registry: synth writes a Task and a TaskRun named from the build's inputs into <output>/builds/<namespace>/; the TaskRun fetches the model's files, verifies their sha256, builds the same image as `modelcar build` and pushes it (see inCluster).
 */
export type BuildMode = 'local' | 'in-cluster';
/**
 * How `modelcar build --push` compresses the model layers: none (the default: model weights barely compress, and every node that pulls the image would pay the decompression), zstd (containerd >= 1.5, CRI-O >= 1.20) or gzip. The base image's layers stay as they are.
 */
export type Compression = 'none' | 'zstd' | 'gzip';
/**
 * Where the model files go under /models: ovms (models/1/<file>), flat (models/<file>) or caikit (models/config.yml, models/artifacts/<file>). Default: the runtime's layout; required for runtimes that already exist in the cluster.
 */
export type LayoutName = 'ovms' | 'flat' | 'caikit';
/**
 * A Kubernetes quantity, e.g. 500m or 2 (cpu), 512Mi or 8Gi (memory); null removes the runtime's default.
 */
export type QuantityValue = string | number | null;
/**
 * NVIDIA GPUs for the model server (nvidia.com/gpu requested and limited). Default: the runtime's (1 for vllm-runtime, else 0).
 */
export type Gpus = number;
/**
 * A Secret in the model's namespace that an in-cluster build reads download credentials from, named as an OpenShift AI data connection names them: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and optionally AWS_S3_ENDPOINT and AWS_DEFAULT_REGION, for s3:// sources. It is mounted into the build only; `modelcar stage` reads the same names from its environment.
 */
export type SourceSecret = string;
/**
 * A Secret in the model's namespace with the Hugging Face token an in-cluster build downloads the files of a gated or private repository (`repo`) with, under the key HF_TOKEN or token. It is mounted into the build only, read from its file, never put into the environment; `modelcar stage` reads HF_TOKEN or the token file of `hf auth login`.
 */
export type HubTokenSecret = string;

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
  platform?: PlatformName;
  release?: ReleaseName;
  kserveVersion?: KserveVersion;
  defaults?: ModelDefaults;
  /**
   * Model servers, keyed by ServingRuntime name: changes to a built-in runtime (e.g. its image pinned by digest), runtimes of your own, and runtimes that already exist in the cluster. Built-in runtimes need no entry.
   */
  runtimes?: {
    [k: string]: RuntimeConfig;
  };
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
  inCluster?: InClusterConfig;
  /**
   * The models to serve. Each becomes one InferenceService and one image build context.
   *
   * @minItems 1
   */
  models: [ModelConfig, ...ModelConfig[]];
  /**
   * Allow local model files (files[].source) outside the folder of this config: through "..", an absolute path or a symbolic link that leads out of it. Off by default, so that a config checked out in CI reads only files of its own checkout.
   */
  allowPathsOutside?: boolean;
  /**
   * Allow model file URLs (files[].source) that carry credentials: a user name and password, or a query parameter that looks like a token or a signature (token, sig, X-Amz-Signature, ...). They are written into build.sh (and so into git) and into the image's labels; messages never show them. Off by default.
   */
  allowCredentialsInUrls?: boolean;
}
/**
 * Values applied to every model that does not set them itself.
 */
export interface ModelDefaults {
  namespace?: ModelNamespace;
  runtime?: RuntimeName;
  pullSecret?: PullSecretName;
  baseImage?: BaseImage;
  deploymentMode?: DeploymentModeName;
  expose?: Expose;
  auth?: Auth;
  pinDigest?: PinDigest;
  sharedRuntime?: SharedRuntime;
  imageVolume?: ImageVolume;
  build?: BuildMode;
  compression?: Compression;
}
/**
 * A model server. For a built-in runtime: image (or images) and the serving defaults of its models (resources, gpus). For a runtime of your own: image, formats and layout, and optionally command, args, env, ports, displayName, apiProtocol, resources, gpus. For one that already exists in the cluster: existing, and layout, formats, resources, gpus as far as you know them.
 */
export interface RuntimeConfig {
  /**
   * The runtime already exists in the cluster: a ServingRuntime in each model's namespace, or a ClusterServingRuntime. modelcar only references it.
   */
  existing?: 'ServingRuntime' | 'ClusterServingRuntime';
  /**
   * The model server image (of container kserve-container), e.g. pinned by digest: quay.io/opendatahub/vllm@sha256:<digest>.
   */
  image?: string;
  /**
   * Model server images by container name, for runtimes with more than one container (caikit-tgis-runtime: kserve-container, transformer-container).
   */
  images?: {
    [k: string]: string;
  };
  /**
   * The model server's command (a runtime of your own).
   */
  command?: string[];
  /**
   * The model server's arguments (a runtime of your own); {{.Name}} is the InferenceService name.
   */
  args?: string[];
  /**
   * The model server's environment (a runtime of your own), name to value.
   */
  env?: {
    [k: string]: string;
  };
  /**
   * Ports the model server listens on (a runtime of your own); KServe sends requests to the first.
   */
  ports?: {
    containerPort: number;
    name?: string;
    protocol?: 'TCP' | 'UDP' | 'SCTP';
  }[];
  /**
   * The model formats the runtime serves (spec.supportedModelFormats). Required for a runtime of your own; for an existing one, models are checked against them when given.
   *
   * @minItems 1
   */
  formats?: [
    {
      name: string;
      version?: string;
      autoSelect?: boolean;
    },
    ...{
      name: string;
      version?: string;
      autoSelect?: boolean;
    }[]
  ];
  layout?: LayoutName;
  /**
   * Human-readable name of a runtime of your own, shown by the OpenShift AI dashboard (annotation openshift.io/display-name).
   */
  displayName?: string;
  /**
   * The protocol the OpenShift AI dashboard shows for a runtime of your own (annotation opendatahub.io/apiProtocol).
   */
  apiProtocol?: 'REST' | 'gRPC';
  resources?: ResourcesConfig;
  gpus?: Gpus;
}
/**
 * CPU and memory of the model server (spec.predictor.model.resources), key by key over the runtime's defaults. GPUs are set with gpus.
 */
export interface ResourcesConfig {
  requests?: ResourceListConfig;
  limits?: ResourceListConfig;
}
export interface ResourceListConfig {
  cpu?: QuantityValue;
  memory?: QuantityValue;
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
  pinDigest?: PinDigest;
  sharedRuntime?: SharedRuntime;
  imageVolume?: ImageVolume;
  build?: BuildMode;
  sourceSecret?: SourceSecret;
  hubTokenSecret?: HubTokenSecret;
  compression?: Compression;
  /**
   * The model files to put into the image, at the layout the runtime expects under /models.
   *
   * @minItems 1
   */
  files?: [ModelFile, ...ModelFile[]];
  labels?: StringMap;
  annotations?: StringMap;
  /**
   * What the model is for (annotation openshift.io/description).
   */
  description?: string;
  layout?: LayoutName;
  deploymentMode?: DeploymentModeName;
  expose?: Expose;
  auth?: Auth;
  /**
   * Fewest replicas (spec.predictor.minReplicas); 0 lets a Serverless model scale to zero. Default 1.
   */
  minReplicas?: number;
  /**
   * Most replicas (spec.predictor.maxReplicas). Default 1, so a costly model server does not scale out unbounded.
   */
  maxReplicas?: number;
  /**
   * What KServe scales on (spec.predictor.scaleMetric).
   */
  scaleMetric?: 'cpu' | 'memory' | 'concurrency' | 'rps';
  /**
   * Target value of scaleMetric per replica (spec.predictor.scaleTarget): requests for concurrency and rps, percent for cpu and memory.
   */
  scaleTarget?: number;
  /**
   * Seconds to wait for a request to the model before it times out (spec.predictor.timeout).
   */
  timeout?: number;
  resources?: ResourcesConfig;
  gpus?: Gpus;
  /**
   * Taints the predictor pods tolerate (spec.predictor.tolerations). Default: with GPUs, the nvidia.com/gpu:NoSchedule taint.
   */
  tolerations?: TolerationConfig[];
  /**
   * Node labels the predictor pods must run on (spec.predictor.nodeSelector), e.g. nvidia.com/gpu.product: NVIDIA-A100-SXM4-80GB.
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * Environment variables added to the model server's (spec.predictor.model.env), name to value.
   */
  env?: {
    [k: string]: string;
  };
  /**
   * Arguments added to the model server's (spec.predictor.model.args), e.g. --max-model-len=4096 for vLLM.
   */
  args?: string[];
}
/**
 * Model files: one file or folder (`source`), or the files of a Hugging Face repository at a revision (`repo`), and where they go in the model layout.
 */
export interface ModelFile {
  /**
   * An http(s) URL to download, an s3:// URL (s3://bucket/key on S3-compatible storage: endpoint and credentials from the environment, in the cluster from the model's sourceSecret), or a local file or folder, relative to this config file. A folder brings its files, recursively (names starting with '.' are left out); `modelcar synth` records the SHA-256 of each in the lock file, and stage checks them. Give `source` or `repo`.
   */
  source?: string;
  /**
   * File name within the runtime's model layout (e.g. model.onnx, which OpenVINO gets at /models/1/model.onnx). Defaults to the last segment of source. For a folder or a repository, the folder its files go into; '.' (the default for a repository) puts them at the top of the layout.
   */
  path?: string;
  /**
   * Expected SHA-256 of the file, 64 lowercase hex digits. `modelcar stage` and the build script refuse a file that does not match. Not for folders and repositories: the lock file pins each of their files.
   */
  sha256?: string;
  /**
   * Size of the file in bytes, e.g. 13966 (`ls -l` shows it); `modelcar stage` refuses a download of another size. An in-cluster build sizes its workspace volume from the sizes of the model's files, so it needs the size of each. Not for folders and repositories: the lock file records the size of each of their files.
   */
  size?: number;
  /**
   * A Hugging Face repository (namespace/name, e.g. ibm-granite/granite-3.1-2b-instruct): its files at `revision`, listed through the hub's API, downloaded from its resolve URLs (HF_ENDPOINT for a mirror, the token from HF_TOKEN or the token file; in an in-cluster build, inCluster.hubEndpoint and the model's hubTokenSecret) and checked against the hub's SHA-256. Give `source` or `repo`.
   */
  repo?: string;
  /**
   * The revision of `repo`: a commit id (40 hex digits), or a branch or tag, which `modelcar synth` resolves to its commit once and records in the lock file with each file's SHA-256. Required with repo.
   */
  revision?: string;
  /**
   * Only the files of `repo` whose path matches one of these patterns (as huggingface_hub's allow_patterns: `*` matches any characters, `/` too; `dir/` all files below dir), e.g. ["*.json", "*.safetensors"]. Default: all files.
   *
   * @minItems 1
   */
  include?: [string, ...string[]];
  /**
   * Leave out the files of `repo` whose path matches one of these patterns (as huggingface_hub's ignore_patterns), e.g. ["original/", "*.bin"].
   */
  exclude?: string[];
}
/**
 * A taint the predictor pods tolerate.
 */
export interface TolerationConfig {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  tolerationSeconds?: number;
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
 * How the models with `build: in-cluster` are built by OpenShift Pipelines (Tekton): a Task per namespace and a TaskRun per model, in <output>/builds/<namespace>/. The build pushes with the credentials of pushSecret, or with those Tekton gives it from the ServiceAccount's docker secrets; one of the two is required. No credentials are written into the output. `resources` are the CPU and memory of each build step, key by key over the defaults: requests 500m CPU and 512Mi, limits 2 CPU and 1Gi (modelcar streams the files: its memory stays flat whatever the model size).
 */
export interface InClusterConfig {
  /**
   * The ServiceAccount the build runs as (TaskRun serviceAccountName). Tekton writes the registry credentials of its docker secrets into the build's ~/.docker/config.json, which the push uses when there is no pushSecret (OpenShift Pipelines' `pipeline` ServiceAccount can push to the internal registry). Default: Tekton's default ServiceAccount.
   */
  serviceAccount?: string;
  /**
   * A kubernetes.io/dockerconfigjson Secret in each model's namespace with the credentials to push the model image (and pull its base image), mounted into the build as a workspace.
   */
  pushSecret?: string;
  /**
   * The image the build steps run in: Node.js 20 or later with this version of modelcar on PATH as `modelcar` (the build checks the version: another version may build another image). Pin it by digest. Default: ghcr.io/modelcar-dev/modelcar:<the version of modelcar that synthesizes>.
   */
  image?: string;
  /**
   * Storage class of the workspace volume each build gets, sized from the model's files. Default: the cluster's default storage class.
   */
  storageClass?: string;
  /**
   * How long a build may run (TaskRun timeout, a Go duration such as 90m or 3h). Default: 3h.
   */
  timeout?: string;
  /**
   * The Hugging Face hub (or a mirror of it, e.g. in an air-gapped cluster) the in-cluster builds download the files of `repo` entries from: HF_ENDPOINT of their stage step, an http(s) URL without credentials. The lock file's record pins each file by its SHA-256 whichever serves it. Default: the step image's HF_ENDPOINT, else https://huggingface.co.
   */
  hubEndpoint?: string;
  resources?: ResourcesConfig;
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
  sharedRuntime?: SharedRuntime;
  imageVolume?: ImageVolume;
  build?: BuildMode;
  sourceSecret?: SourceSecret;
  hubTokenSecret?: HubTokenSecret;
  compression?: Compression;
  /**
   * The model files to put into the image, at the layout the runtime expects under /models.
   *
   * @minItems 1
   */
  files: [ModelFile, ...ModelFile[]];
  labels?: StringMap;
  annotations?: StringMap;
  /**
   * What the model is for (annotation openshift.io/description).
   */
  description?: string;
  layout?: LayoutName;
  deploymentMode?: DeploymentModeName;
  expose?: Expose;
  auth?: Auth;
  /**
   * Fewest replicas (spec.predictor.minReplicas); 0 lets a Serverless model scale to zero. Default 1.
   */
  minReplicas?: number;
  /**
   * Most replicas (spec.predictor.maxReplicas). Default 1, so a costly model server does not scale out unbounded.
   */
  maxReplicas?: number;
  /**
   * What KServe scales on (spec.predictor.scaleMetric).
   */
  scaleMetric?: 'cpu' | 'memory' | 'concurrency' | 'rps';
  /**
   * Target value of scaleMetric per replica (spec.predictor.scaleTarget): requests for concurrency and rps, percent for cpu and memory.
   */
  scaleTarget?: number;
  /**
   * Seconds to wait for a request to the model before it times out (spec.predictor.timeout).
   */
  timeout?: number;
  resources?: ResourcesConfig;
  gpus?: Gpus;
  /**
   * Taints the predictor pods tolerate (spec.predictor.tolerations). Default: with GPUs, the nvidia.com/gpu:NoSchedule taint.
   */
  tolerations?: TolerationConfig[];
  /**
   * Node labels the predictor pods must run on (spec.predictor.nodeSelector), e.g. nvidia.com/gpu.product: NVIDIA-A100-SXM4-80GB.
   */
  nodeSelector?: {
    [k: string]: string;
  };
  /**
   * Environment variables added to the model server's (spec.predictor.model.env), name to value.
   */
  env?: {
    [k: string]: string;
  };
  /**
   * Arguments added to the model server's (spec.predictor.model.args), e.g. --max-model-len=4096 for vLLM.
   */
  args?: string[];
}
