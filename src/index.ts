export * from './core/errors';
export * from './core/names';
export * from './core/image-ref';
export * from './core/docker-config';
export * from './core/model-layout';
export * from './core/platform';
export * from './core/compute-resources';
export * from './constructs/runtimes/catalogue';
export * from './constructs/namespace';
export * from './constructs/pull-secret';
export * from './constructs/serving-runtime';
export * from './constructs/inference-service';
export * from './constructs/model-auth';
export * from './constructs/containerfile';
export * from './constructs/model-image';
export * from './constructs/oci-model';
export * from './core/output-file';
export * from './output/manifests';
export * from './output/writer';
export * from './config/load';
export * from './config/types.generated';
export * from './pipeline/synthesize';
export * from './core/quantity';
export { validateObject } from './validation/validate-object';
export type { ObjectProblem, ObjectReport } from './validation/validate-object';
export { validatePaths, validateYamlText, formatReport } from './validation/validate-yaml';
export type { ValidationReport, ReportedProblem } from './validation/validate-yaml';
export type { ValidateObjectOptions } from './validation/validate-object';
export type { KserveRelease } from './validation/kserve-admission';
export { OutputValidationError } from './validation/validate-output';
export * from './core/base-image';
export * from './core/model-files';
export * from './pipeline/lock';
export * from './pipeline/stage';
export * from './pipeline/build';

// The pipeline from TypeScript: the model images of a construct tree, which stage() and build() take as they take a
// config (StageTreeOptions, BuildTreeOptions), the lock a tree is pinned with (ImageLock.fromFile), and the output
// folders of a cdk8s app run by `cdk8s synth`.
export { treeImages } from './pipeline/image-set';
export type { ImageOrigin, ImageSet, PipelineImage, TreeImagesOptions } from './pipeline/image-set';
export type { StageTreeOptions } from './pipeline/stage';
export type { BuildTreeOptions } from './pipeline/build';
export type { LockUser } from './pipeline/lock';
export type { IImageLock } from './constructs/image-lock';
export { cdk8sOutput, writeCdk8sManifests } from './pipeline/cdk8s-cli';
export type { Cdk8sOutput, Cdk8sOutputOptions } from './pipeline/cdk8s-cli';
