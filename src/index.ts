/**
 * modelcar's public API: what a cdk8s chart author and a program that drives modelcar use. Every name is exported
 * on purpose (test/index.test.ts lists them); modules not named here are internal and may change.
 */

// ---- Constructs, their props and the interfaces they accept

export { Namespace, ODH_NAMESPACE_LABELS } from './constructs/namespace';
export type { NamespaceProps } from './constructs/namespace';
export { PullSecret } from './constructs/pull-secret';
export type { IPullSecret, PullSecretProps } from './constructs/pull-secret';
export { ExternalPullSecret, EXTERNAL_SECRETS_API } from './constructs/external-pull-secret';
export type { ExternalPullSecretProps } from './constructs/external-pull-secret';
export { ServingRuntime } from './constructs/serving-runtime';
export type { IServingRuntime, ServingRuntimeKind, ServingRuntimeProps, ServingRuntimeReferenceOptions, SharedServingRuntimeProps } from './constructs/serving-runtime';
export { InferenceService, ENABLE_AUTH_ANNOTATION, SCALE_METRICS } from './constructs/inference-service';
export type { InferenceServiceProps, ModelFormat, ScaleMetric } from './constructs/inference-service';
export { ModelAuth } from './constructs/model-auth';
export type { ModelAuthProps } from './constructs/model-auth';
export { ModelImage } from './constructs/model-image';
export type { ModelImageFile, ModelImageHubFiles, ModelImageInfo, ModelImageProps, ModelImageSource } from './constructs/model-image';
export { OciModel } from './constructs/oci-model';
export type { OciModelProps } from './constructs/oci-model';
export { Containerfile } from './constructs/containerfile';
export type { ArgValue, Instruction } from './constructs/containerfile';
export type { IImageLock } from './constructs/image-lock';
export { BuildTask, BUILD_TASK_NAME } from './constructs/build-task';
export type { BuildTaskProps } from './constructs/build-task';
export { BuildRun } from './constructs/build-run';
export type { BuildRunProps } from './constructs/build-run';

// ---- Runtimes: the built-in definitions, and how to change or write one

export { BUILTIN_RUNTIMES, CAIKIT_STANDALONE_RUNTIME, CAIKIT_TGIS_RUNTIME, KSERVE_OVMS, TGIS_GRPC_RUNTIME, VLLM_RUNTIME } from './constructs/runtimes/catalogue';
export { withImages } from './constructs/runtimes/definition';
export type { RuntimeDefinition, ServingDefaults, SupportedModelFormat } from './constructs/runtimes/definition';

// ---- What props take: layouts, resources, base images, credentials, platforms

export { ModelLayouts } from './core/model-layout';
export type { ModelLayout } from './core/model-layout';
export { GPU_RESOURCE, GPU_TOLERATION, MODEL_SERVER_SIZES } from './core/compute-resources';
export type { ComputeResources, ComputeResourcesOverride, Toleration } from './core/compute-resources';
export { BaseImages, DEFAULT_BASE_IMAGE } from './core/base-image';
export { COMPRESSIONS, DEFAULT_COMPRESSION, RUNTIME_SUPPORT, compressionProblem } from './core/compression';
export type { Compression, RuntimeSupport } from './core/compression';
export { DEFAULT_DOCKER_SERVER } from './core/docker-config';
export type { DockerRegistryCredentials } from './core/docker-config';
export { DEFAULT_KSERVE_VERSION, DEFAULT_PLATFORM, DEPLOYMENT_MODES, PLATFORMS } from './core/platform';
export type { DeploymentKind, DeploymentMode, Platform } from './core/platform';

// ---- Platform releases: what each release of OpenDataHub, OpenShift AI and KServe does with modelcar's objects (its
// runtime catalogue, deployment modes, token auth marker, CRDs, image volumes), the serving rules KServe enforces, and
// what the OpenShift AI dashboard expects of a model's runtime and tokens

export { DEFAULT_RELEASE, DEFAULT_RELEASES, PRODUCTS, RELEASES, deploymentModeOn, findRelease, releaseProfile, releasesOf, resolveRelease } from './core/releases';
export type { ContainerRuntime, CrdSet, NodeRuntimes, Product, RawAuthMarker, ReleaseProfile, ReleaseProps, RuntimeCatalogueId } from './core/releases';
export { RUNTIME_CATALOGUES, RUNTIMES_LEFT_OUT, kserveOvms, missingRuntime, releasesWithRuntime, runtimeCatalogue, vllmCudaRuntime } from './constructs/runtimes/catalogue';
export { servingRuleProblems } from './core/serving-rules';
export type { ScalingOptions, ServingRuleProblem } from './core/serving-rules';
export { DASHBOARD_SHM_MOUNT, DASHBOARD_SHM_VOLUME } from './constructs/serving-runtime';
export type { ModelServingRuntimeProps } from './constructs/serving-runtime';
export { DASHBOARD_TOKEN_NAME } from './constructs/model-auth';
export { IMAGE_VOLUME_SCHEME } from './constructs/oci-model';

// ---- Synthesis: a construct tree, or a config file, into an output folder

export { synthesize, synthesizeConfigFile } from './pipeline/synthesize';
export type { SynthesizeConfigFileOptions, SynthesizeConfigFileResult, SynthesizeOptions } from './pipeline/synthesize';
export type { ManifestObject, SynthesizedOutput } from './output/manifests';
export type { OutputPlan, WriteResult } from './output/writer';
export type { OutputFile } from './core/output-file';

// ---- Stage, build and pin: the model files into the build contexts, the images built and pushed, storageUri pinned

export { stage } from './pipeline/stage';
export type { StageAction, StagedFile, StagedImage, StageOptions } from './pipeline/stage';
export { build } from './pipeline/build';
export type { BuildOptions, BuildResult, BuiltImage } from './pipeline/build';
export type { BuilderName } from './pipeline/builder';
export type { ProgressOutput } from './pipeline/progress';
export { ImageLock } from './pipeline/lock';
export type { LockContent, LockEntry } from './pipeline/lock';

// ---- Errors to catch

export { ConfigError, PropError, UserError } from './core/errors';
export type { Diagnostic, PropPath, PropProblem, SourcePosition } from './core/errors';
export { OutputValidationError } from './validation/validate-output';

// ---- Validation of manifests against the KServe and Kubernetes schemas

export { validateObject } from './validation/validate-object';
export type { ObjectPath, ObjectProblem, ObjectReport } from './validation/validate-object';
export { formatReport, validatePaths, validateYamlText } from './validation/validate-yaml';
export type { ReportedProblem, ValidationReport } from './validation/validate-yaml';
export type { ValidateObjectOptions } from './validation/validate-object';
export type { KserveRelease } from './validation/kserve-admission';

// ---- The config file's types (generated from its JSON Schema), under one name: Config.ModelConfig, ...

export type * as Config from './config/types.generated';

// ---- The pipeline from TypeScript: the model images of a construct tree, which stage() and build() take as they take
// a config (StageTreeOptions, BuildTreeOptions), the lock a tree is pinned with (ImageLock.fromFile), and the output
// folders of a cdk8s app run by `cdk8s synth`.

export { treeImages } from './pipeline/image-set';
export type { ImageOrigin, ImageSet, PipelineImage, TreeImagesOptions } from './pipeline/image-set';
export type { StageTreeOptions } from './pipeline/stage';
export type { BuildTreeOptions } from './pipeline/build';
export type { LockUser } from './pipeline/lock';
export { cdk8sOutput, writeCdk8sManifests } from './pipeline/cdk8s-cli';
export type { Cdk8sOutput, Cdk8sOutputOptions } from './pipeline/cdk8s-cli';

// ---- Sources of many files: the files of a Hugging Face repository at a commit (ModelImageHubFiles), listed by the
// hub's API, and the files of local folders, pinned file by file in the lock file's `sources` (which lockSources
// records, as `modelcar synth` does); images built elsewhere pinned from their registry (pin); a starter config (init).

export type { HubFile, HubSnapshot } from './core/hub';
export { selectHubFiles } from './core/hub';
export { HubClient, HubError, hubEndpoint, hubToken } from './pipeline/sources/hub-client';
export type { HubClientOptions, HubToken, TreeFile } from './pipeline/sources/hub-client';
export type { ISourcePins } from './core/source-pins';
export { lockSources } from './pipeline/sources/lock-sources';
export type { LockSourcesOptions, LockedSources } from './pipeline/sources/lock-sources';
export type { LockSources, LockedFile, LockedFolder, LockedHubSource } from './pipeline/lock';
export { pin } from './pipeline/pin';
export type { PinOptions, PinResult, PinnedImage } from './pipeline/pin';
export { init, guessModel } from './pipeline/init';
export type { InitOptions, InitResult, ModelGuess } from './pipeline/init';
