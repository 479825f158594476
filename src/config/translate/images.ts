/** The model image a config entry describes: its image reference, base image and files. */
import * as fs from 'fs';
import * as path from 'path';
import { Diagnostic } from '../../core/errors';
import { ImageReferenceError, isFloating, parseImageReference } from '../../core/image-ref';
import { resolveBaseImage, shellLessBaseImage } from '../../core/base-image';
import { ModelImageSource } from '../../constructs/model-image';
import { checkModelFilePath, fileNameOf } from '../../core/model-files';
import { checkRepoId, checkRevision, hubSourceKey, selectHubFiles } from '../../core/hub';
import { ISourcePins } from '../../core/source-pins';
import { checkLocalSource, checkUrl } from '../local-paths';
import { LoadedConfig } from '../load';
import { ModelConfig } from '../types.generated';
import { FieldPath } from './diagnostics';

/**
 * Checks an image reference given in a config. With `warn`, warns about a floating tag (none, or `latest`): KServe
 * pulls such an image again at every start.
 */
export function checkImage(value: string, field: FieldPath, problems: Diagnostic[], at: LoadedConfig['at'], warn?: LoadedConfig['warn']): void {
  try {
    const ref = parseImageReference(value);
    if (warn && isFloating(ref)) {
      const what = ref.tag === 'latest' ? 'has the tag "latest"' : 'has no tag';
      warn(
        field,
        `"${value}" ${what}: the model is pulled again at every start of the model server (imagePullPolicy Always), which is slow for large models and may serve a different model after a push; give a fixed tag (e.g. ":v1") or a digest ("@sha256:...")`,
      );
    }
  } catch (e) {
    if (!(e instanceof ImageReferenceError)) throw e;
    problems.push(at(field, e.message));
  }
}

/**
 * Checks the model image of `models[index]`: its image reference, its base image (its own or the default one), and
 * its files (URLs, local paths relative to the config's folder, hub repositories, their paths in the image). A hub
 * repository must be recorded in `sources` (the lock file), with files that its include/exclude select.
 */
export function checkModelImage(loaded: LoadedConfig, index: number, problems: Diagnostic[], warn: LoadedConfig['warn'], sources?: ISourcePins): void {
  const { config, at } = loaded;
  const model: ModelConfig = config.models[index];
  const field = (...rest: (string | number)[]) => ['models', index, ...rest];
  checkImage(model.image, field('image'), problems, at, warn);
  const baseImage = model.baseImage ?? config.defaults?.baseImage;
  if (baseImage !== undefined) {
    const where = model.baseImage !== undefined ? field('baseImage') : ['defaults', 'baseImage'];
    const noShell = shellLessBaseImage(resolveBaseImage(baseImage));
    if (noShell) problems.push(at(where, noShell));
    else checkImage(resolveBaseImage(baseImage), where, problems, at);
  }
  const targets = new Map<string, number>();
  model.files.forEach((f, i) => {
    if (f.repo !== undefined || f.source === undefined) {
      checkHubEntry(loaded, index, i, problems, sources);
      return;
    }
    for (const key of ['revision', 'include', 'exclude'] as const) {
      if (f[key] !== undefined) problems.push(at(field('files', i, key), `${key} is for the files of a hub repository (repo); "${f.source}" is a URL or a local path`));
    }
    const source = f.source;
    const isUrl = /^https?:\/\//.test(source);
    if (!isUrl && /^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
      problems.push(at(field('files', i, 'source'), `"${source}" is neither an http(s) URL nor a local path; use https://... or a path relative to this file`));
      return;
    }
    if (isUrl) {
      const problem = checkUrl(source);
      if (problem) {
        problems.push(at(field('files', i, 'source'), problem));
        return;
      }
    }
    const name = f.path ?? fileNameOf(source);
    const local = isUrl ? undefined : path.resolve(loaded.dir, source);
    const folder = local !== undefined && fs.existsSync(local) && fs.statSync(local).isDirectory();
    if (folder && f.sha256 !== undefined) {
      problems.push(at(field('files', i, 'sha256'), `"${source}" is a folder; sha256 pins a single file (the lock file pins each file of a folder)`));
      return;
    }
    const problem = folder && name === '.' ? undefined : checkModelFilePath(name);
    if (problem) {
      problems.push(at(field('files', i, f.path !== undefined ? 'path' : 'source'), `${JSON.stringify(name)} ${problem}`));
      return;
    }
    if (targets.has(name)) {
      problems.push(at(field('files', i), `"${name}" is also the path of files[${targets.get(name)}]; give each file its own path`));
    }
    targets.set(name, i);
    if (!isUrl) {
      const problem = checkLocalSource(source, loaded.dir, config.allowPathsOutside === true);
      if (problem) problems.push(at(field('files', i, 'source'), problem));
    }
  });
}

/** Checks `models[index].files[i]` as the files of a hub repository: repo, revision, patterns, and its record in the lock. */
function checkHubEntry(loaded: LoadedConfig, index: number, i: number, problems: Diagnostic[], sources: ISourcePins | undefined): void {
  const { at } = loaded;
  const f = loaded.config.models[index].files[i];
  const field = (...rest: (string | number)[]) => ['models', index, 'files', i, ...rest];
  const before = problems.length;
  if (f.repo === undefined) {
    problems.push(at(field(), 'a file needs source (an http(s) URL or a local path) or repo (a Hugging Face repository, with revision)'));
    return;
  }
  if (f.source !== undefined) problems.push(at(field('source'), 'give source (a URL or a local path) or repo (a Hugging Face repository), not both'));
  if (f.sha256 !== undefined) problems.push(at(field('sha256'), `the lock file pins each file of a repository with the hub's SHA-256; remove sha256`));
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
  if (problems.length > before || f.revision === undefined) return;
  const key = hubSourceKey(f.repo, f.revision);
  const snapshot = sources?.hubSnapshot(f.repo, f.revision);
  if (!snapshot) {
    const where = sources?.describe ?? 'the lock file';
    problems.push(at(field('repo'), `${key} is not recorded in ${where}: run \`modelcar synth\`, which lists its files through the hub's API and records them with their SHA-256`));
    return;
  }
  if (selectHubFiles(snapshot.files, f.include, f.exclude).length === 0) {
    const shown = snapshot.files.slice(0, 10).map((x) => x.path);
    const more = snapshot.files.length > shown.length ? `, ... (${snapshot.files.length} files)` : '';
    problems.push(at(field(f.include ? 'include' : 'exclude'), `selects no file of ${key} (commit ${snapshot.commit}); its files: ${shown.join(', ')}${more}`));
  }
}

/**
 * The files of a model as its image takes them: local paths resolved against the config's folder, each file of a
 * folder with the digest `sources` records for it, each hub repository as its recorded files that include/exclude
 * select. Entries that {@link checkModelImage} refuses are not given here.
 */
export function modelImageFiles(loaded: LoadedConfig, model: ModelConfig, sources?: ISourcePins): ModelImageSource[] {
  return model.files.map((f): ModelImageSource => {
    if (f.repo !== undefined) {
      const snapshot = sources?.hubSnapshot(f.repo, f.revision!);
      if (!snapshot) throw new Error(`${hubSourceKey(f.repo, f.revision!)} is not recorded in the lock file`);
      return { hub: { ...snapshot, files: selectHubFiles(snapshot.files, f.include, f.exclude) }, path: f.path };
    }
    const source = f.source!;
    if (/^https?:\/\//.test(source)) return { source, path: f.path, sha256: f.sha256 };
    const local = path.resolve(loaded.dir, source);
    const digests = sources?.folderDigests(local);
    return { source: local, path: f.path, sha256: f.sha256, ...(digests ? { digests } : {}) };
  });
}
