/**
 * The model images `stage` and `build` work on, wherever they come from: a config (`modelcar stage -c ...`) or a
 * construct tree written in TypeScript (`stage({ scope, outdir, source })`). Either way they are the ModelImage
 * constructs of a tree, each with the folder of its build context and what messages about its files point at.
 */
import * as path from 'path';
import { Construct, IConstruct } from 'constructs';
import { Diagnostic, didYouMean, UserError } from '../core/errors';
import { RenderContext } from '../core/output-file';
import { ModelImage } from '../constructs/model-image';
import { LockUser } from './lock';

/** One model image to stage or build. */
export interface PipelineImage {
  readonly image: ModelImage;
  /** The build context folder, absolute. */
  readonly contextDir: string;
  /** The environment the image is built for (a config's). @default - none */
  readonly environment?: string;
  /** What its build context was rendered with: build checks the Containerfile in the output against it. */
  readonly context: RenderContext;
  /** Where the images come from, as messages name it. */
  readonly origin: ImageOrigin;
  /**
   * A diagnostic at the declaration of one of its model files (`index` as in the ModelImage's `files`), at `field`
   * of it (`''` for the entry itself; `repo` for the hub repository of its files).
   */
  fileAt(index: number, field: '' | 'source' | 'sha256' | 'size' | 'repo', message: string): Diagnostic;
  /** A local model file as its declaration names it (relative to the config's folder, or to the working directory). */
  shown(localPath: string): string;
}

/** Where a set of model images comes from, in the words of messages, and where their lock file is. */
export interface ImageOrigin {
  /** What declares the images: `the config`, `the construct tree`. */
  readonly name: string;
  /** What writes their build contexts: `synth`, `synthesize()`. */
  readonly writer: string;
  /** The command to run to write them, as messages quote it. */
  readonly synthCommand: string;
  /** The command to run to stage one model, as messages quote it. */
  stageCommand(key: string): string;
  /** What relative local paths are relative to. */
  readonly relativeTo: string;
  /** The lock file `build` records pushed digests in. */
  readonly lockFile: string;
  /** The name of the source in the lock file's header. */
  readonly lockSource: string;
  /** Who uses the lock file, for its words. */
  readonly lockUser: LockUser;
  /** What pins storageUri to the digests once pushed, after "recorded N digests in <lock file>; ". */
  readonly pinAdvice: string;
}

/** The model images of a config or a tree, and the ones selected. */
export interface ImageSet {
  /** The output folder, absolute. */
  readonly outdir: string;
  /** The selected model images, in order. */
  readonly images: readonly PipelineImage[];
  /** All the model images. */
  readonly all: readonly PipelineImage[];
}

/**
 * A construct tree written in TypeScript as the source of the model images for `stage()` and `build()`: its
 * ModelImage constructs (an OciModel has one), with their build contexts where `synthesize()` wrote them.
 */
export interface TreeImagesOptions {
  /**
   * The construct tree: an App, a Chart or any construct; its ModelImage constructs are found in it. Give this or
   * `images`.
   */
  readonly scope?: IConstruct;
  /** The model images themselves, e.g. `synthesize(...).images`. Give this or `scope`. */
  readonly images?: readonly ModelImage[];
  /** The output folder the tree was synthesized into (the build contexts are under its `images/`). */
  readonly outdir: string;
  /** The source the tree was synthesized with, as given to `synthesize()`: build checks the headers. */
  readonly source: string;
  /** The command the tree was synthesized with, as given to `synthesize()`. @default - none */
  readonly command?: string;
  /**
   * The lock file `build({ push: true })` records the pushed digests in; read it with `ImageLock.fromFile` to pin.
   * @default - modelcar.lock.yaml in the folder that holds the output folder
   */
  readonly lockFile?: string;
}

/**
 * The model images of a construct tree, with their build contexts under `outdir`, optionally narrowed to the models
 * `selectors` name (`name`, `namespace/name` or the image's key). Throws a UserError for a name that matches none.
 */
export function treeImages(options: TreeImagesOptions, selectors: readonly string[] = []): ImageSet {
  if ((options.scope === undefined) === (options.images === undefined)) {
    throw new Error('give either scope (the construct tree) or images (its ModelImage constructs)');
  }
  const outdir = path.resolve(options.outdir);
  const found = options.images ?? ModelImage.all(options.scope as Construct);
  const origin: ImageOrigin = {
    name: 'the construct tree',
    writer: 'synthesize()',
    synthCommand: '`synthesize()`',
    stageCommand: () => '`stage()`',
    relativeTo: 'the working directory of the program that made the tree',
    lockFile: options.lockFile ?? path.join(path.dirname(outdir), 'modelcar.lock.yaml'),
    lockSource: options.source,
    lockUser: 'typescript',
    pinAdvice: 'give each OciModel `lock: ImageLock.fromFile(...)` of it and synthesize again to pin storageUri to them',
  };
  const context: RenderContext = { source: options.source, outdir, command: options.command ?? null };
  const all = found.map(
    (image): PipelineImage => ({
      image,
      contextDir: path.join(outdir, ...image.contextPath.split('/')),
      context,
      origin,
      // A tree gives a hub repository's files as files[i].hub.
      fileAt: (index, field, message) => ({ position: { file: options.source }, field: `${image.node.path} files[${index}]${field ? `.${field === 'repo' ? 'hub' : field}` : ''}`, message }),
      shown: (localPath) => path.relative(process.cwd(), localPath).split(path.sep).join('/'),
    }),
  );
  return { outdir, images: selectImages(all, selectors, origin.name), all };
}

/**
 * The images `selectors` name, in order: each selector is an image's key (`[environment/]namespace/name`), its
 * `namespace/name` or its `name`, and may match several (the same model in several environments). All of them when
 * there is no selector. Throws a UserError (exit 2) for a selector that matches none, or models of several namespaces.
 * @param where what holds the images, in messages (a config's path, `the construct tree`)
 */
export function selectImages<T extends { readonly image: ModelImage; readonly environment?: string }>(all: readonly T[], selectors: readonly string[], where: string): T[] {
  if (selectors.length === 0) return [...all];
  const chosen = new Set<T>();
  for (const selector of selectors) {
    // A model is named by its key (environment/namespace/name), namespace/name or name; each may match several.
    const matches = all.filter((i) => i.image.key === selector || i.image.key.endsWith(`/${selector}`));
    if (matches.length === 0) {
      const keys = all.map((i) => i.image.key);
      const hint = didYouMean(selector, [...keys, ...keys.map((k) => k.split('/').pop()!)]);
      throw new UserError(`no model "${selector}" in ${where}${hint ? ` (did you mean "${hint}"?)` : ''}; its models: ${keys.join(', ')}`, 2);
    }
    if (matches.length > 1 && new Set(matches.map((m) => m.environment)).size < matches.length) {
      throw new UserError(`"${selector}" names models in several namespaces (${matches.map((m) => m.image.key).join(', ')}); say which, as namespace/name`, 2);
    }
    for (const m of matches) chosen.add(m);
  }
  return all.filter((i) => chosen.has(i));
}
