import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ModelImage } from '../constructs/model-image';
import { PullSecret } from '../constructs/pull-secret';
import { UserError } from '../core/errors';
import { OutputFile, RenderContext, generatedNotice } from '../core/output-file';
import { stringifyYaml } from './yaml-text';

/** Folder of the Kubernetes manifests within the output. */
export const MANIFESTS_DIR = 'manifests';

/**
 * Folder of the in-cluster builds (Tekton Tasks and TaskRuns) within the output: apart from the manifests, so that
 * they are applied on their own (an Argo CD Application, `kubectl apply -k`), and the models' manifests never wait
 * on a build.
 */
export const BUILDS_DIR = 'builds';

/** Whether an object belongs to the builds folder: the Tekton objects. */
function isBuildObject(json: Record<string, any>): boolean {
  return typeof json.apiVersion === 'string' && json.apiVersion.startsWith('tekton.dev/');
}

/** Kinds modelcar emits or may meet that are not namespaced. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterServingRuntime', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

/** The order objects are listed in kustomization.yaml: what others depend on first. */
const KIND_ORDER = ['Namespace', 'ServiceAccount', 'Secret', 'ExternalSecret', 'SealedSecret', 'Role', 'RoleBinding', 'ClusterServingRuntime', 'ServingRuntime', 'InferenceService', 'Task', 'TaskRun'];

/** One synthesized Kubernetes object. */
export interface ManifestObject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly json: Record<string, any>;
  /** Path of its file within the output. */
  readonly path: string;
}

/** Everything synthesized from a construct tree, ready to write. */
export interface SynthesizedOutput {
  /** Files for the committed output folder, sorted by path. */
  readonly files: OutputFile[];
  /** Files that carry credentials; they go only to a separate, git-ignored folder. */
  readonly secretFiles: OutputFile[];
  readonly objects: ManifestObject[];
  readonly images: ModelImage[];
}

/**
 * Synthesizes a construct tree into files: one YAML file per object under `manifests/<namespace>/`, a
 * kustomization.yaml per folder, and each model image's build context under `images/`.
 *
 * Unlike `App.synth()`, whose cost grows with the square of the number of Charts, this walks the tree
 * once and serializes each object once: the cost grows linearly with the number of objects.
 */
export function renderTree(root: IConstruct, context: RenderContext): SynthesizedOutput {
  const all = root.node.findAll();
  const problems: string[] = [];
  // Credentials go to secretFiles below, never into the files of the output: their validation is satisfied.
  PullSecret.keepingSecretsOut(root, () => {
    for (const c of all) for (const message of c.node.validate()) problems.push(`${c.node.path}: ${message}`);
  });
  if (problems.length) throw new UserError(`validation failed:\n${problems.join('\n')}`);

  const notice = `# ${generatedNotice(context.source, context.command)}\n`;
  const objects: ManifestObject[] = [];
  const secretFiles: OutputFile[] = [];
  const byPath = new Map<string, ManifestObject>();
  const withCredentials = new Set(all.filter((c) => PullSecret.holdsCredentials(c)).flatMap((c) => c.node.findAll()));
  for (const c of all) {
    if (!ApiObject.isApiObject(c)) continue;
    const json = c.toJson();
    if (context.argocd !== false) annotateForArgoCd(json);
    const kind: string = json.kind;
    const name: string = json.metadata?.name;
    const namespace: string | undefined = json.metadata?.namespace;
    if (withCredentials.has(c)) {
      secretFiles.push({ path: `${namespace ?? '_cluster'}/${kind.toLowerCase()}-${name}.yaml`, content: notice + toYaml(json) });
      continue;
    }
    const folder = kind === 'Namespace' ? name : namespace ?? (CLUSTER_SCOPED.has(kind) ? '_cluster' : undefined);
    if (folder === undefined) throw new UserError(`${c.node.path}: ${kind} "${name}" has no namespace; set one on the object or its Chart`);
    const path = `${isBuildObject(json) ? BUILDS_DIR : MANIFESTS_DIR}/${folder}/${kind.toLowerCase()}-${name}.yaml`;
    const other = byPath.get(path);
    if (other) throw new UserError(`${c.node.path}: ${kind} "${name}" is defined twice in ${folder}`);
    const object = { kind, name, namespace, json, path };
    byPath.set(path, object);
    objects.push(object);
  }

  objects.sort((a, b) => compareStrings(folderOf(a.path), folderOf(b.path)) || compareObjects(a, b));
  const files: OutputFile[] = objects.map((o) => ({ path: o.path, content: notice + toYaml(o.json), data: o.json }));
  files.push(...kustomizations(objects, notice));
  const images = all.filter(ModelImage.isModelImage);
  for (const image of images) files.push(...image.render(context));
  if (context.subdir) {
    for (const o of objects) (o as { path: string }).path = `${context.subdir}/${o.path}`;
    files.forEach((f, i) => (files[i] = { ...f, path: `${context.subdir}/${f.path}` }));
  }
  checkUniquePaths(files);
  files.sort((a, b) => compareStrings(a.path, b.path));
  return { files, secretFiles, objects, images };
}

/**
 * Argo CD sync waves by kind: what others need is applied (and healthy) first. Kinds not listed get none
 * (wave 0).
 * @see https://argo-cd.readthedocs.io/en/stable/user-guide/sync-waves/
 */
export const SYNC_WAVES: Readonly<Record<string, number>> = {
  Namespace: -2,
  ServiceAccount: -1,
  Secret: -1,
  SealedSecret: -1,
  ExternalSecret: -1,
  Role: -1,
  RoleBinding: -1,
  ClusterServingRuntime: 0,
  ServingRuntime: 0,
  InferenceService: 1,
  Task: 0,
  TaskRun: 1,
};

/** Kinds defined by CRDs that may not exist yet when Argo CD dry-runs a first sync. */
const CUSTOM_KINDS = new Set(['ServingRuntime', 'ClusterServingRuntime', 'InferenceService', 'ExternalSecret', 'SealedSecret', 'Task', 'TaskRun']);

/** Adds the Argo CD annotations of an object's kind (an annotation the object has already wins), keeping the keys sorted. */
function annotateForArgoCd(json: Record<string, any>): void {
  const wave = SYNC_WAVES[json.kind];
  const custom = CUSTOM_KINDS.has(json.kind);
  if (wave === undefined && !custom) return;
  const annotations: Record<string, string> = { ...json.metadata.annotations };
  if (wave !== undefined) annotations['argocd.argoproj.io/sync-wave'] ??= String(wave);
  if (custom) annotations['argocd.argoproj.io/sync-options'] = withSyncOption(annotations['argocd.argoproj.io/sync-options'], 'SkipDryRunOnMissingResource=true');
  json.metadata = sortedKeys({ ...json.metadata, annotations: sortedKeys(annotations) });
}

/**
 * Sync options with one more, unless the object sets that option itself: Argo CD reads the annotation as
 * comma-separated options (argo-cd gitops-engine/pkg/sync/resource/annotations.go, `GetAnnotationCSVs`).
 */
function withSyncOption(current: string | undefined, option: string): string {
  if (current === undefined) return option;
  const key = option.slice(0, option.indexOf('='));
  return current.split(',').some((o) => o.trim().startsWith(`${key}=`)) ? current : `${current},${option}`;
}

/** The same map with its keys in sorted order. */
function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(map).sort()) out[key] = map[key];
  return out;
}

/**
 * Serializes one object as modelcar writes it (no header): YAML 1.1 (what Kubernetes' own parser reads), so `yes`,
 * `on` and the like are quoted; no folding. The text of `yaml`'s stringify, written by a faster writer.
 */
export function toYaml(json: unknown): string {
  return stringifyYaml(json);
}

function kustomizations(objects: readonly ManifestObject[], notice: string): OutputFile[] {
  const byFolder = new Map<string, ManifestObject[]>();
  for (const o of objects) {
    const folder = folderOf(o.path);
    const list = byFolder.get(folder) ?? [];
    list.push(o);
    byFolder.set(folder, list);
  }
  const folders = [...byFolder.keys()].sort();
  const out: OutputFile[] = folders.map((folder) => {
    const resources = byFolder.get(folder)!.sort(compareObjects).map((o) => o.path.slice(folder.length + 1));
    return kustomizationFile(`${folder}/kustomization.yaml`, resources, notice);
  });
  for (const root of [MANIFESTS_DIR, BUILDS_DIR]) {
    const top = folders.filter((f) => f.startsWith(`${root}/`)).map((f) => f.slice(root.length + 1));
    if (top.length) out.push(kustomizationFile(`${root}/kustomization.yaml`, top, notice));
  }
  return out;
}

function kustomizationFile(path: string, resources: readonly string[], notice: string): OutputFile {
  const data = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources };
  return { path, content: notice + toYaml(data), data };
}

function folderOf(p: string): string {
  return p.slice(0, p.lastIndexOf('/'));
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

function compareObjects(a: ManifestObject, b: ManifestObject): number {
  return kindRank(a.kind) - kindRank(b.kind) || compareStrings(a.kind, b.kind) || compareStrings(a.name, b.name);
}

function checkUniquePaths(files: readonly OutputFile[]): void {
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.path)) throw new Error(`two outputs want to write ${f.path}`);
    seen.add(f.path);
  }
}
