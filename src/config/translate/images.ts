/** The model image a config entry describes: its image reference, base image and files. */
import * as fs from 'fs';
import * as path from 'path';
import { Diagnostic } from '../../core/errors';
import { ImageReferenceError, isFloating, parseImageReference } from '../../core/image-ref';
import { resolveBaseImage, shellLessBaseImage } from '../../core/base-image';
import { ModelImageFile } from '../../constructs/model-image';
import { checkModelFilePath, fileNameOf } from '../../core/model-files';
import { checkLocalSource, checkUrl } from '../local-paths';
import { LoadedConfig } from '../load';
import { ModelConfig } from '../types.generated';
import { FieldPath } from './diagnostics';

/**
 * Checks an image reference given in a config. With `warn`, warns about a floating tag (none, or `latest`): KServe
 * pulls such an image again at every start.
 */
export function checkImage(value: string, field: FieldPath, problems: Diagnostic[], at: LoadedConfig['at'], warn?: LoadedConfig['warn'], imageVolume = false): void {
  try {
    const ref = parseImageReference(value);
    if (warn && isFloating(ref)) {
      const what = ref.tag === 'latest' ? 'has the tag "latest"' : 'has no tag';
      warn(
        field,
        imageVolume
          ? // KServe mounts an image volume with pullPolicy IfNotPresent (kserve/kserve v0.20.0 pkg/utils/storage.go ConfigureOciNativeToContainer).
            `"${value}" ${what}: an image volume is pulled once per node (pullPolicy IfNotPresent), so a node that has it keeps serving the old model after a push; give a fixed tag (e.g. ":v1") or a digest ("@sha256:...")`
          : `"${value}" ${what}: the model is pulled again at every start of the model server (imagePullPolicy Always), which is slow for large models and may serve a different model after a push; give a fixed tag (e.g. ":v1") or a digest ("@sha256:...")`,
      );
    }
  } catch (e) {
    if (!(e instanceof ImageReferenceError)) throw e;
    problems.push(at(field, e.message));
  }
}

/**
 * Checks the model image of `models[index]`: its image reference, its base image (its own or the default one), and
 * its files (URLs, local paths relative to the config's folder, their paths in the image).
 */
export function checkModelImage(loaded: LoadedConfig, index: number, problems: Diagnostic[], warn: LoadedConfig['warn']): void {
  const { config, at } = loaded;
  const model: ModelConfig = config.models[index];
  const field = (...rest: (string | number)[]) => ['models', index, ...rest];
  checkImage(model.image, field('image'), problems, at, warn, (model.imageVolume ?? config.defaults?.imageVolume) === true);
  const baseImage = model.baseImage ?? config.defaults?.baseImage;
  if (baseImage !== undefined) {
    const where = model.baseImage !== undefined ? field('baseImage') : ['defaults', 'baseImage'];
    const noShell = shellLessBaseImage(resolveBaseImage(baseImage));
    if (noShell) problems.push(at(where, noShell));
    else checkImage(resolveBaseImage(baseImage), where, problems, at);
  }
  const targets = new Map<string, number>();
  model.files.forEach((f, i) => {
    const isUrl = /^https?:\/\//.test(f.source);
    if (!isUrl && /^[a-z][a-z0-9+.-]*:\/\//i.test(f.source)) {
      problems.push(at(field('files', i, 'source'), `"${f.source}" is neither an http(s) URL nor a local path; use https://... or a path relative to this file`));
      return;
    }
    if (isUrl) {
      const problem = checkUrl(f.source);
      if (problem) {
        problems.push(at(field('files', i, 'source'), problem));
        return;
      }
    }
    const name = f.path ?? fileNameOf(f.source);
    const local = isUrl ? undefined : path.resolve(loaded.dir, f.source);
    const folder = local !== undefined && fs.existsSync(local) && fs.statSync(local).isDirectory();
    if (folder && f.sha256 !== undefined) {
      problems.push(at(field('files', i, 'sha256'), `"${f.source}" is a folder; sha256 pins a single file (give the folder's files one by one to pin them)`));
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
      const problem = checkLocalSource(f.source, loaded.dir, config.allowPathsOutside === true);
      if (problem) problems.push(at(field('files', i, 'source'), problem));
    }
  });
}

/** The files of a model as its image takes them: local paths resolved against the config's folder. */
export function modelImageFiles(loaded: LoadedConfig, model: ModelConfig): ModelImageFile[] {
  return model.files.map((f) => ({ ...f, source: /^https?:\/\//.test(f.source) ? f.source : path.resolve(loaded.dir, f.source) }));
}
