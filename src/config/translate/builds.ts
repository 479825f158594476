/**
 * The in-cluster builds of a config: for each model with `build: in-cluster`, a Tekton TaskRun that builds its image
 * with the namespace's Task, from a config that describes that one model.
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { Diagnostic, PropProblem } from '../../core/errors';
import { modelcarVersion } from '../../core/version';
import { BuildRun } from '../../constructs/build-run';
import { BuildTask } from '../../constructs/build-task';
import { ModelImage } from '../../constructs/model-image';
import { OciModel } from '../../constructs/oci-model';
import { runtimeCatalogue } from '../../constructs/runtimes/catalogue';
import { ReleaseProfile } from '../../core/releases';
import { LoadedConfig } from '../load';
import { BuildMode, ModelcarConfig } from '../types.generated';
import { ConfigField, FieldPath, construct } from './diagnostics';
import { ModelPlan } from './plan';
import { resourcesOverride } from './runtimes';


/** Where a model is built: its own `build`, else `defaults.build`, else locally. */
export function buildMode(loaded: LoadedConfig, index: number): { readonly mode: BuildMode; readonly field: FieldPath } {
  const own = loaded.config.models[index].build;
  if (own !== undefined) return { mode: own, field: ['models', index, 'build'] };
  return { mode: loaded.config.defaults?.build ?? 'local', field: ['defaults', 'build'] };
}

/** The image the build steps run in unless the config names one: modelcar's, of the version that synthesizes. */
function defaultBuildImage(version: string = modelcarVersion()): string {
  return `ghcr.io/modelcar-dev/modelcar:${version}`;
}

/**
 * Adds the in-cluster build of a model: the Task of its namespace (shared) and a TaskRun for its image. The
 * constructs check their props (credentials, that every file is a URL with its sha256 and size, names): each problem
 * is added to `problems` at the config field its value came from.
 */
export function addBuild(scope: Construct, loaded: LoadedConfig, plan: ModelPlan, model: OciModel, release: ReleaseProfile, problems: Diagnostic[]): void {
  const { config } = loaded;
  const inCluster = config.inCluster ?? {};
  const { index } = plan;
  const mode = buildMode(loaded, index);
  const taskField = (p: PropProblem): ConfigField => ({ field: p.path[0] === 'namespace' ? plan.namespaceField : p.path[0] === 'image' || p.path[0] === 'resources' ? ['inCluster', ...p.path] : ['inCluster'] });
  const task = construct(loaded, problems, ['inCluster'], taskField, () =>
    BuildTask.shared(scope, {
      namespace: plan.namespace,
      image: inCluster.image ?? defaultBuildImage(),
      modelcarVersion: modelcarVersion(),
      resources: resourcesOverride(inCluster.resources),
    }),
  );
  // Without its Task (refused above), the run is still checked, against a stand-in outside the tree.
  const runTask = task ?? new BuildTask(new Chart(new App(), 'stand-in'), 'Task', { namespace: plan.namespace, image: defaultBuildImage(), modelcarVersion: modelcarVersion() });
  construct(loaded, problems, ['models', index], (p) => buildField(plan, mode.field, p), () =>
    new BuildRun(scope, `BuildRun:${plan.namespace}:${plan.model.name}`, {
      image: model.image,
      task: runTask,
      namespace: plan.namespace,
      config: standaloneConfig(loaded.config, plan, release, model.image),
      serviceAccount: inCluster.serviceAccount,
      pushSecret: inCluster.pushSecret,
      sourceSecret: plan.model.sourceSecret,
      hubTokenSecret: plan.model.hubTokenSecret,
      hubEndpoint: inCluster.hubEndpoint,
      storageClass: inCluster.storageClass,
      timeout: inCluster.timeout,
    }),
  );
}

/** The config field a BuildRun prop came from. */
function buildField(plan: ModelPlan, modeField: FieldPath, problem: PropProblem): ConfigField | undefined {
  const { index } = plan;
  const [prop] = problem.path;
  switch (prop) {
    case 'files':
      // The files of a hub repository are named by its repo.
      if (problem.path[2] === 'hub') return { field: ['models', index, 'files', problem.path[1]!, 'repo'] };
      return { field: ['models', index, ...problem.path] };
    case 'image':
    case 'sourceSecret':
    case 'hubTokenSecret':
      return { field: ['models', index, ...problem.path] };
    case 'pushSecret':
      // Neither pushSecret nor serviceAccount: said where the model asks for the build.
      return { field: problem.value === undefined ? modeField : ['inCluster', 'pushSecret'] };
    case 'serviceAccount':
    case 'storageClass':
    case 'timeout':
    case 'hubEndpoint':
      return { field: ['inCluster', prop] };
    default:
      return undefined;
  }
}

/**
 * The config the build of a model runs: that one model, with everything it takes from elsewhere in the config
 * resolved (namespace, runtime, layout, base image, compression), so that the image built from it is the one `modelcar build`
 * builds from the whole config (the same Containerfile, labels and files). It names the config's platform release, whose
 * catalogue has the model's built-in runtime. A runtime that is not built in is named as one that exists
 * (`existing`), with its layout: only its name and layout go into the image. A Hugging Face repository is named at
 * the commit its revision stood for when the lock file recorded it (from `image`, the model's image): the build
 * carries that record, keyed by the commit, and a branch that moves on gives another config, so another run.
 */
function standaloneConfig(config: ModelcarConfig, plan: ModelPlan, release: ReleaseProfile, image: ModelImage): string {
  const { model, namespace, runtime, layout } = plan;
  const runtimeName = runtime.kind === 'emitted' ? runtime.definition.name : runtime.reference.name;
  const builtin = runtime.kind === 'emitted' && Object.prototype.hasOwnProperty.call(runtimeCatalogue(release), runtimeName);
  const baseImage = model.baseImage ?? config.defaults?.baseImage;
  // The layers' compression changes the image's digest: the build in the cluster compresses as `modelcar build` does.
  const { compression } = image;
  const data = {
    version: 1,
    ...(config.platform !== undefined ? { platform: config.platform } : {}),
    ...(config.release !== undefined ? { release: config.release } : {}),
    ...(config.kserveVersion !== undefined ? { kserveVersion: config.kserveVersion } : {}),
    ...(builtin ? {} : { runtimes: { [runtimeName]: { existing: 'ServingRuntime', layout: layout.name } } }),
    models: [
      {
        name: model.name,
        namespace,
        runtime: runtimeName,
        layout: layout.name,
        format: model.format,
        ...(model.formatVersion !== undefined ? { formatVersion: model.formatVersion } : {}),
        image: model.image,
        ...(baseImage !== undefined ? { baseImage } : {}),
        ...(compression !== undefined ? { compression } : {}),
        files: model.files.map((f, i) => {
          const commit = f.repo !== undefined ? image.files.find((e) => e.index === i && e.hub)?.hub!.commit : undefined;
          return commit !== undefined ? { ...f, revision: commit } : { ...f };
        }),
      },
    ],
  };
  return `# The model ${namespace}/${model.name}, for its in-cluster build. Generated by modelcar.\n${YAML.stringify(data, { lineWidth: 0 })}`;
}
