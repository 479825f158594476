/**
 * The model images a config describes, as `modelcar stage` and `modelcar build` see them: the same constructs synth
 * makes, without writing anything, optionally narrowed to the models named on the command line.
 */
import * as path from 'path';
import { LoadedConfig, loadConfig } from '../config/load';
import { Diagnostic, formatDiagnostic } from '../core/errors';
import { ModelImage } from '../constructs/model-image';
import { sourceName } from './synthesize';
import { ImageOrigin, ImageSet, PipelineImage, selectImages } from './image-set';
import { SourcePins, lockFileOf } from './lock';
import { translateEnvironments } from '../config/translate/translate';

/** One model image of a config, with where its build context is and where its entry is in the config. */
export interface ConfigImage extends PipelineImage {
  /** The config as the image's environment sees it (the config itself without environments): for positions. */
  readonly loaded: LoadedConfig;
  /** The model's index in `loaded.config.models`. */
  readonly modelIndex: number;
}

/** The config and the model images it describes. */
export interface ConfigImages extends ImageSet {
  readonly loaded: LoadedConfig;
  /** The selected model images, in config order. */
  readonly images: readonly ConfigImage[];
  /** All the model images of the config. */
  readonly all: readonly ConfigImage[];
  /** The warnings about model files (a symbolic link that leads out of the config's folder), once each. */
  readonly fileWarnings: readonly Diagnostic[];
}

/**
 * Loads a config and makes its model images. `selectors` name models as `name` or `namespace/name`; none means
 * all. Throws a ConfigError for a bad config, a UserError for a name that matches no model.
 */
export function loadConfigImages(config: string, outdir: string, selectors: readonly string[] = []): ConfigImages {
  const loaded = loadConfig(config);
  const absolute = path.resolve(outdir);
  const source = sourceName(config, absolute);
  const origin: ImageOrigin = {
    name: 'the config',
    writer: 'synth',
    synthCommand: `\`modelcar synth -c ${config} -o ${outdir}\``,
    stageCommand: (key) => `\`modelcar stage ${key}\``,
    relativeTo: 'the config file',
    lockFile: lockFileOf(config),
    lockSource: path.basename(config),
    lockUser: 'cli',
    pinAdvice: 'run `modelcar synth` to pin storageUri to them',
  };
  const all: ConfigImage[] = [];
  const fileWarnings = new Map<string, Diagnostic>();
  translateEnvironments(loaded, { outdir, sources: SourcePins.forConfig(config) }, ({ chart, environment, loaded: resolved, warnings }) => {
    for (const w of warnings) if (/\.files\[\d+\]\.source$/.test(w.field)) fileWarnings.set(formatDiagnostic(w), w);
    const defaults = resolved.config.defaults ?? {};
    const indexOf = new Map<string, number>();
    resolved.config.models.forEach((m, i) => indexOf.set(`${m.namespace ?? defaults.namespace}/${m.name}`, i));
    const context = { source: environment === undefined ? source : `${source}, environment ${environment}`, outdir: absolute, subdir: environment };
    for (const image of ModelImage.all(chart)) {
      const modelKey = environment === undefined ? image.key : image.key.slice(environment.length + 1);
      const modelIndex = indexOf.get(modelKey) ?? -1;
      all.push({
        image,
        contextDir: path.join(absolute, ...(environment === undefined ? [] : [environment]), ...image.contextPath.split('/')),
        loaded: resolved,
        modelIndex,
        environment,
        context,
        origin,
        fileAt: (index, field, message) => resolved.at(['models', modelIndex, 'files', index, ...(field ? [field] : [])], message),
        shown: (localPath) => path.relative(resolved.dir, localPath).split(path.sep).join('/'),
      });
    }
  });
  return { loaded, outdir: absolute, images: selectImages(all, selectors, config), all, fileWarnings: [...fileWarnings.values()] };
}
