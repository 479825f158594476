/**
 * The public API is a list chosen on purpose: src/index.ts names each export, and this test holds the list, so that
 * adding (or dropping) a name is a decision seen in review, never a side effect of a new module.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import * as modelcar from '../src';

/** The values a program can use at run time. */
const VALUES = [
  'BUILD_TASK_NAME',
  'BUILTIN_RUNTIMES',
  'BuildRun',
  'BuildTask',
  'BaseImages',
  'CAIKIT_STANDALONE_RUNTIME',
  'CAIKIT_TGIS_RUNTIME',
  'COMPRESSIONS',
  'ConfigError',
  'Containerfile',
  'DEFAULT_BASE_IMAGE',
  'DEFAULT_COMPRESSION',
  'DEFAULT_DOCKER_SERVER',
  'DEFAULT_KSERVE_VERSION',
  'DEFAULT_PLATFORM',
  'DEPLOYMENT_MODES',
  'ENABLE_AUTH_ANNOTATION',
  'EXTERNAL_SECRETS_API',
  'ExternalPullSecret',
  'GPU_RESOURCE',
  'GPU_TOLERATION',
  'ImageLock',
  'InferenceService',
  'KSERVE_OVMS',
  'MODEL_SERVER_SIZES',
  'ModelAuth',
  'ModelImage',
  'ModelLayouts',
  'Namespace',
  'ODH_NAMESPACE_LABELS',
  'OciModel',
  'OutputValidationError',
  'PLATFORMS',
  'PropError',
  'PullSecret',
  'SCALE_METRICS',
  'ServingRuntime',
  'TGIS_GRPC_RUNTIME',
  'UserError',
  'VLLM_RUNTIME',
  'build',
  'formatReport',
  'stage',
  'synthesize',
  'synthesizeConfigFile',
  'validateObject',
  'validatePaths',
  'validateYamlText',
  'withImages',
  // The pipeline from TypeScript
  'cdk8sOutput',
  'treeImages',
  'writeCdk8sManifests',
  // Platform releases
  'DASHBOARD_SHM_MOUNT',
  'DASHBOARD_SHM_VOLUME',
  'DASHBOARD_TOKEN_NAME',
  'DEFAULT_RELEASE',
  'DEFAULT_RELEASES',
  'IMAGE_VOLUME_SCHEME',
  'PRODUCTS',
  'RELEASES',
  'RUNTIMES_LEFT_OUT',
  'RUNTIME_CATALOGUES',
  'RUNTIME_SUPPORT',
  'compressionProblem',
  'deploymentModeOn',
  'findRelease',
  'kserveOvms',
  'missingRuntime',
  'releaseProfile',
  'releasesOf',
  'releasesWithRuntime',
  'resolveRelease',
  'runtimeCatalogue',
  'servingRuleProblems',
  'vllmCudaRuntime',
  // Sources of many files, pin and init
  'HubClient',
  'HubError',
  'guessModel',
  'hubEndpoint',
  'hubToken',
  'init',
  'lockSources',
  'pin',
  'selectHubFiles',
];

/** The types, for TypeScript users only. */
const TYPES = [
  // Platform releases
  'ContainerRuntime',
  'CrdSet',
  'DeploymentKind',
  'ModelServingRuntimeProps',
  'NodeRuntimes',
  'Product',
  'RawAuthMarker',
  'ReleaseProfile',
  'ReleaseProps',
  'RuntimeCatalogueId',
  'ScalingOptions',
  'ServingRuleProblem',
  // Validation
  'KserveRelease',
  'ReportedProblem',
  'ValidateObjectOptions',
  // The pipeline from TypeScript
  'BuildTreeOptions',
  'Cdk8sOutput',
  'Cdk8sOutputOptions',
  'ImageOrigin',
  'ImageSet',
  'LockUser',
  'PipelineImage',
  'StageTreeOptions',
  'TreeImagesOptions',
  // Sources of many files, pin and init
  'HubClientOptions',
  'HubFile',
  'HubSnapshot',
  'HubToken',
  'ISourcePins',
  'InitOptions',
  'InitResult',
  'LockSources',
  'LockSourcesOptions',
  'LockedFile',
  'LockedFolder',
  'LockedHubSource',
  'LockedSources',
  'ModelGuess',
  'ModelImageHubFiles',
  'ModelImageSource',
  'PinOptions',
  'PinResult',
  'PinnedImage',
  'TreeFile',
  'ArgValue',
  'BuildOptions',
  'BuildRunProps',
  'BuildTaskProps',
  'BuildResult',
  'BuilderName',
  'BuiltImage',
  'Compression',
  'ComputeResources',
  'ComputeResourcesOverride',
  'Config',
  'DeploymentMode',
  'Diagnostic',
  'DockerRegistryCredentials',
  'ExternalPullSecretProps',
  'IImageLock',
  'IPullSecret',
  'IServingRuntime',
  'InferenceServiceProps',
  'Instruction',
  'LockContent',
  'LockEntry',
  'ManifestObject',
  'ModelAuthProps',
  'ModelFormat',
  'ModelImageFile',
  'ModelImageInfo',
  'ModelImageProps',
  'ModelLayout',
  'NamespaceProps',
  'ObjectPath',
  'ObjectProblem',
  'ObjectReport',
  'OciModelProps',
  'OutputFile',
  'OutputPlan',
  'Platform',
  'ProgressOutput',
  'PropPath',
  'PropProblem',
  'PullSecretProps',
  'RuntimeDefinition',
  'RuntimeSupport',
  'ScaleMetric',
  'ServingDefaults',
  'ServingRuntimeKind',
  'ServingRuntimeProps',
  'ServingRuntimeReferenceOptions',
  'SharedServingRuntimeProps',
  'SourcePosition',
  'StageAction',
  'StageOptions',
  'StagedFile',
  'StagedImage',
  'SupportedModelFormat',
  'SynthesizeConfigFileOptions',
  'SynthesizeConfigFileResult',
  'SynthesizeOptions',
  'SynthesizedOutput',
  'Toleration',
  'ValidationReport',
  'WriteResult',
];

const sorted = (names: Iterable<string>) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

describe('the public API (src/index.ts)', () => {
  test('GIVEN the package at run time THEN it exports exactly the listed values', () => {
    expect(sorted(Object.keys(modelcar))).toStrictEqual(sorted(VALUES));
  });

  test('GIVEN src/index.ts THEN it names exactly the listed values, and the listed types as types only', () => {
    // index.ts names each export (test/architecture.test.ts refuses `export *`), so its syntax lists them all.
    const index = path.resolve(__dirname, '..', 'src', 'index.ts');
    const source = ts.createSourceFile(index, fs.readFileSync(index, 'utf8'), ts.ScriptTarget.ES2022);
    const values: string[] = [];
    const types: string[] = [];
    for (const statement of source.statements) {
      if (!ts.isExportDeclaration(statement)) continue;
      const clause = statement.exportClause;
      if (clause && ts.isNamespaceExport(clause)) (statement.isTypeOnly ? types : values).push(clause.name.text);
      else if (clause) for (const e of clause.elements) (statement.isTypeOnly || e.isTypeOnly ? types : values).push(e.name.text);
    }
    expect(sorted(values)).toStrictEqual(sorted(VALUES));
    expect(sorted(types)).toStrictEqual(sorted(TYPES));
  });

  test('GIVEN Config THEN it holds the config file\'s types, e.g. the whole config and a model entry', () => {
    const config: modelcar.Config.ModelcarConfig = { version: 1, models: [{ name: 'm', format: 'onnx', image: 'q.io/a/m:1', files: [{ source: 'https://e.com/m.onnx' }] }] };
    const model: modelcar.Config.ModelConfig = config.models[0];
    expect(model.name).toBe('m');
  });
});
