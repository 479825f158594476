/**
 * What the config says about a model's image beyond what its {@link ModelImage} checks: warnings about floating
 * tags, and its files as the config names them (URLs, and local paths relative to the config's folder).
 */
import { ImageReference, isFloating, parseImageReference } from '../../core/image-ref';
import { Diagnostic } from '../../core/errors';
import { isRemoteSource } from '../../core/model-files';
import { checkLocalSource } from '../local-paths';
import { LoadedConfig } from '../load';

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
  warn(
    ['models', index, 'image'],
    `"${value}" ${what}: the model is pulled again at every start of the model server (imagePullPolicy Always), which is slow for large models and may serve a different model after a push; give a fixed tag (e.g. ":v1") or a digest ("@sha256:...")`,
  );
}

/**
 * Checks how `models[index]` names its files: each is an http(s) URL or a path relative to the config's folder,
 * which must exist and stay inside that folder (links followed) unless `allowPathsOutside`. Problems are added to
 * `problems`; a link that leads out, when allowed, is said with `warn`.
 */
export function checkModelFiles(loaded: LoadedConfig, index: number, problems: Diagnostic[], warn?: LoadedConfig['warn']): void {
  const { config, at } = loaded;
  config.models[index].files.forEach((f, i) => {
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
}
