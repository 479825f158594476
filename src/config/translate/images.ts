/**
 * What the config says about a model's image beyond what its {@link ModelImage} checks: warnings about floating
 * tags, and its files as the config names them (URLs, local paths relative to the config's folder, and Hugging Face
 * repositories at a revision, whose files the lock file records).
 */
import * as path from 'path';
import { ImageReference, isFloating, parseImageReference } from '../../core/image-ref';
import { Diagnostic } from '../../core/errors';
import { checkModelFilePath, isRemoteSource } from '../../core/model-files';
import { checkRepoId, checkRevision, hubSourceKey, selectHubFiles } from '../../core/hub';
import { ISourcePins } from '../../core/source-pins';
import type { ModelImageSource } from '../../constructs/model-image';
import { checkLocalSource } from '../local-paths';
import { LoadedConfig } from '../load';
import { ModelConfig } from '../types.generated';

/**
 * Warns about a model image with a floating tag (none, or `latest`): KServe pulls such an image again at every start.
 * An image that is not a valid reference gets no warning; its ModelImage refuses it.
 */
export function warnFloatingImage(loaded: LoadedConfig, index: number, warn: LoadedConfig['warn']): void {
  const value = loaded.config.models[index].image;
  let ref: ImageReference;
  try {
    ref = parseImageReference(value);
  } catch {
    return;
  }
  if (!isFloating(ref)) return;
  const what = ref.tag === 'latest' ? 'has the tag "latest"' : 'has no tag';
  const { config } = loaded;
  const imageVolume = (config.models[index].imageVolume ?? config.defaults?.imageVolume) === true;
  warn(
    ['models', index, 'image'],
    imageVolume
      ? // KServe mounts an image volume with pullPolicy IfNotPresent (kserve/kserve v0.20.0 pkg/utils/storage.go ConfigureOciNativeToContainer).
        `"${value}" ${what}: an image volume is pulled once per node (pullPolicy IfNotPresent), so a node that has it keeps serving the old model after a push; give a fixed tag (e.g. ":v1") or a digest ("@sha256:...")`
      : `"${value}" ${what}: the model is pulled again at every start of the model server (imagePullPolicy Always), which is slow for large models and may serve a different model after a push; give a fixed tag (e.g. ":v1") or a digest ("@sha256:...")`,
  );
}

/**
 * Checks how `models[index]` names its files: each is an http(s) URL or a path relative to the config's folder,
 * which must exist and stay inside that folder (links followed) unless `allowPathsOutside`, or a hub repository at
 * a revision, which must be recorded in `sources` (the lock file) with files that its include/exclude select.
 * Problems are added to `problems`; a link that leads out, when allowed, is said with `warn`. Returns whether the
 * files can be given to the model's image ({@link modelImageFiles}): false when a hub repository cannot be resolved
 * to its recorded files.
 */
export function checkModelFiles(loaded: LoadedConfig, index: number, problems: Diagnostic[], warn?: LoadedConfig['warn'], sources?: ISourcePins): boolean {
  const { config, at } = loaded;
  let usable = true;
  config.models[index].files.forEach((f, i) => {
    if (f.repo !== undefined || f.source === undefined) {
      if (!checkHubEntry(loaded, index, i, problems, sources)) usable = false;
      return;
    }
    for (const key of ['revision', 'include', 'exclude'] as const) {
      if (f[key] !== undefined) problems.push(at(['models', index, 'files', i, key], `${key} is for the files of a hub repository (repo); "${f.source}" is a URL or a local path`));
    }
    const field = ['models', index, 'files', i, 'source'];
    if (isRemoteSource(f.source)) return;
    const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(f.source);
    if (scheme) {
      problems.push(at(field, `"${f.source}" is not a source modelcar knows (${scheme[1]}://); give an http(s) URL, an s3:// URL (S3-compatible storage) or a path relative to this file`));
      return;
    }
    const problem = checkLocalSource(f.source, loaded.dir, config.allowPathsOutside === true, (m) => warn?.(field, m));
    if (problem) problems.push(at(field, problem));
  });
  return usable;
}

/**
 * Checks `models[index].files[i]` as the files of a hub repository: repo, revision, patterns, and its record in the
 * lock. Returns whether it can be resolved to its recorded files.
 */
function checkHubEntry(loaded: LoadedConfig, index: number, i: number, problems: Diagnostic[], sources: ISourcePins | undefined): boolean {
  const { at } = loaded;
  const f = loaded.config.models[index].files[i];
  const field = (...rest: (string | number)[]) => ['models', index, 'files', i, ...rest];
  const before = problems.length;
  if (f.repo === undefined) {
    problems.push(at(field(), 'a file needs source (an http(s) URL or a local path) or repo (a Hugging Face repository, with revision)'));
    return false;
  }
  if (f.source !== undefined) problems.push(at(field('source'), 'give source (a URL or a local path) or repo (a Hugging Face repository), not both'));
  if (f.sha256 !== undefined) problems.push(at(field('sha256'), `the lock file pins each file of a repository with the hub's SHA-256; remove sha256`));
  if (f.size !== undefined) problems.push(at(field('size'), `the lock file records the size of each file of a repository; remove size`));
  const repoProblem = checkRepoId(f.repo);
  if (repoProblem) problems.push(at(field('repo'), `"${f.repo}" ${repoProblem}`));
  if (f.revision === undefined) {
    problems.push(at(field(), 'missing required key "revision": the branch (main), tag or commit id of repo; synth records the commit it stands for in the lock file'));
  } else {
    const revisionProblem = checkRevision(f.revision);
    if (revisionProblem) problems.push(at(field('revision'), `"${f.revision}" ${revisionProblem}`));
  }
  if (f.path !== undefined && f.path !== '.') {
    const pathProblem = checkModelFilePath(f.path);
    if (pathProblem) problems.push(at(field('path'), `${JSON.stringify(f.path)} ${pathProblem}`));
  }
  if (problems.length > before || f.revision === undefined) return false;
  const key = hubSourceKey(f.repo, f.revision);
  const snapshot = sources?.hubSnapshot(f.repo, f.revision);
  if (!snapshot) {
    const where = sources?.describe ?? 'the lock file';
    problems.push(at(field('repo'), `${key} is not recorded in ${where}: run \`modelcar synth\`, which lists its files through the hub's API and records them with their SHA-256`));
    return false;
  }
  if (selectHubFiles(snapshot.files, f.include, f.exclude).length === 0) {
    const shown = snapshot.files.slice(0, 10).map((x) => x.path);
    const more = snapshot.files.length > shown.length ? `, ... (${snapshot.files.length} files)` : '';
    problems.push(at(field(f.include ? 'include' : 'exclude'), `selects no file of ${key} (commit ${snapshot.commit}); its files: ${shown.join(', ')}${more}`));
    return false;
  }
  return true;
}

/**
 * The files of a model as its image takes them: URLs and local paths as the config gives them (its ModelImage
 * resolves local paths against the config's folder), each file of a local folder with the digest `sources` records
 * for it, each hub repository as its recorded files that include/exclude select. Only for a model whose files
 * {@link checkModelFiles} found usable.
 */
export function modelImageFiles(loaded: LoadedConfig, model: ModelConfig, sources?: ISourcePins): ModelImageSource[] {
  return model.files.map((f): ModelImageSource => {
    if (f.repo !== undefined) {
      const snapshot = sources?.hubSnapshot(f.repo, f.revision!);
      if (!snapshot) throw new Error(`${hubSourceKey(f.repo, f.revision!)} is not recorded in the lock file`);
      return { hub: { ...snapshot, files: selectHubFiles(snapshot.files, f.include, f.exclude) }, ...(f.path !== undefined ? { path: f.path } : {}) };
    }
    const source = f.source!;
    const file = { source, ...(f.path !== undefined ? { path: f.path } : {}), ...(f.sha256 !== undefined ? { sha256: f.sha256 } : {}), ...(f.size !== undefined ? { size: f.size } : {}) };
    if (isRemoteSource(source)) return file;
    const digests = sources?.folderDigests(path.resolve(loaded.dir, source));
    return digests ? { ...file, digests } : file;
  });
}
