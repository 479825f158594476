/**
 * The model images a config describes, as `modelcar stage` and `modelcar build` see them: the same constructs synth
 * makes, without writing anything, optionally narrowed to the models named on the command line.
 */
import * as path from 'path';
import { LoadedConfig, loadConfig } from '../config/load';
import { didYouMean, UserError } from '../core/errors';
import { ModelImage } from '../constructs/model-image';
import { translateEnvironments } from '../config/translate/translate';
import { SourcePins } from './lock';

/** One model image of a config, with where its build context is and where its entry is in the config. */
export interface ConfigImage {
  readonly image: ModelImage;
  /** The build context folder, absolute. */
  readonly contextDir: string;
  /** The config as the image's environment sees it (the config itself without environments): for positions. */
  readonly loaded: LoadedConfig;
  /** The model's index in `loaded.config.models`. */
  readonly modelIndex: number;
  /** The environment the image is built for. @default - none */
  readonly environment?: string;
}

/** The config and the model images it describes. */
export interface ConfigImages {
  readonly loaded: LoadedConfig;
  /** The output folder, absolute. */
  readonly outdir: string;
  /** The selected model images, in config order. */
  readonly images: readonly ConfigImage[];
  /** All the model images of the config. */
  readonly all: readonly ConfigImage[];
}

/**
 * Loads a config and makes its model images. `selectors` name models as `name` or `namespace/name`; none means
 * all. Throws a ConfigError for a bad config, a UserError for a name that matches no model.
 */
export function loadConfigImages(config: string, outdir: string, selectors: readonly string[] = []): ConfigImages {
  const loaded = loadConfig(config);
  const absolute = path.resolve(outdir);
  const all: ConfigImage[] = [];
  translateEnvironments(loaded, { outdir, sources: SourcePins.forConfig(config) }, ({ chart, environment, loaded: resolved }) => {
    const defaults = resolved.config.defaults ?? {};
    const indexOf = new Map<string, number>();
    resolved.config.models.forEach((m, i) => indexOf.set(`${m.namespace ?? defaults.namespace}/${m.name}`, i));
    for (const image of ModelImage.all(chart)) {
      const modelKey = environment === undefined ? image.key : image.key.slice(environment.length + 1);
      all.push({
        image,
        contextDir: path.join(absolute, ...(environment === undefined ? [] : [environment]), ...image.contextPath.split('/')),
        loaded: resolved,
        modelIndex: indexOf.get(modelKey) ?? -1,
        environment,
      });
    }
  });
  if (selectors.length === 0) return { loaded, outdir: absolute, images: all, all };
  const chosen = new Set<ConfigImage>();
  for (const selector of selectors) {
    // A model is named by its key (environment/namespace/name), namespace/name or name; each may match several.
    const matches = all.filter((i) => i.image.key === selector || i.image.key.endsWith(`/${selector}`));
    if (matches.length === 0) {
      const keys = all.map((i) => i.image.key);
      const hint = didYouMean(selector, [...keys, ...keys.map((k) => k.split('/').pop()!)]);
      throw new UserError(`no model "${selector}" in ${config}${hint ? ` (did you mean "${hint}"?)` : ''}; its models: ${keys.join(', ')}`, 2);
    }
    if (matches.length > 1 && new Set(matches.map((m) => m.environment)).size < matches.length) {
      throw new UserError(`"${selector}" names models in several namespaces (${matches.map((m) => m.image.key).join(', ')}); say which, as namespace/name`, 2);
    }
    for (const m of matches) chosen.add(m);
  }
  return { loaded, outdir: absolute, images: all.filter((i) => chosen.has(i)), all };
}
