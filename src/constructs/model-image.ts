import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import { ArgValue, Containerfile } from './containerfile';
import { DEFAULT_BASE_IMAGE, resolveBaseImage, shellLessBaseImage } from '../core/base-image';
import { renderBuildScript } from './build-script';
import { ModelFileEntry, checkModelFilePath, fileNameOf, filesLabelParts, groupLayers, isRemoteSource, listFolder, sha256Problem, urlProblem } from '../core/model-files';
import { PropChecker, brand, hasBrand } from '../core/errors';
import { COMPRESSIONS, Compression } from '../core/compression';
import { HubSnapshot, checkRepoId, hubFileUrl, isCommitId } from '../core/hub';
import { ModelLayout, modelFilePath } from '../core/model-layout';
import { ImageReferenceError, parseImageReference } from '../core/image-ref';
import { OutputFile, RenderContext, generatedNotice } from '../core/output-file';
import { redactUrl } from '../core/url-credentials';
import { own } from '../core/records';

const MODEL_IMAGE = Symbol.for('modelcar.ModelImage');

/** The UID the model image runs as: `nobody`, as in the seed. Any non-root UID works: files are world-readable. */
export const DEFAULT_IMAGE_USER = '65534';

/** The file in a build context where `modelcar stage` keeps the digests of the files it staged. */
export const STAGE_STATE_FILE = '.modelcar-stage.json';

/** One model file or folder to put into the image. */
export interface ModelImageFile {
  /**
   * An http(s) URL to download, or a local file or folder (relative paths are resolved against the working
   * directory). A folder brings its files, recursively (names starting with `.` left out).
   */
  readonly source: string;
  /**
   * Path within the model layout, e.g. `model.onnx` (OpenVINO: `/models/1/model.onnx`). For a folder, `.` puts its
   * files at the top of the layout.
   * @default - the last segment of source
   */
  readonly path?: string;
  /**
   * Expected SHA-256 (64 lowercase hex) of a file. `modelcar stage` and the build script refuse a file that does
   * not match.
   * @default - not checked; stage prints the digest so it can be pinned
   */
  readonly sha256?: string;
  /**
   * Size of the file in bytes. An in-cluster build sizes its workspace from the sizes of the files.
   * @default - unknown until staged (for a local file: its size now)
   */
  readonly size?: number;
  /**
   * For a folder: the SHA-256 (64 lowercase hex) each of its files must have, by path relative to the folder, with
   * `/` (as `modelcar synth` records them in the lock file). Every file of the folder must be listed, and no other:
   * stage and the build script refuse a file that does not match, and a changed digest changes the image's inputs.
   * @default - the folder's files are not pinned
   */
  readonly digests?: Readonly<Record<string, string>>;
}

/** The files of a Hugging Face repository at one commit, to put into the image. */
export interface ModelImageHubFiles {
  /**
   * The repository's files at a commit, each with its SHA-256 and size (as `modelcar synth` records them in the lock
   * file). Each file is downloaded from its resolve URL (`HF_ENDPOINT` for a mirror) and checked against its digest.
   */
  readonly hub: HubSnapshot;
  /**
   * Folder within the model layout that the repository's files go into; `.` puts them at the top.
   * @default '.'
   */
  readonly path?: string;
}

/** A model file or folder ({@link ModelImageFile}), or the files of a hub repository ({@link ModelImageHubFiles}). */
export type ModelImageSource = ModelImageFile | ModelImageHubFiles;

/** What a model image holds, written into its labels. */
export interface ModelImageInfo {
  /** The model's name (the InferenceService's). */
  readonly name: string;
  /** @default - none */
  readonly namespace?: string;
  /** The model format, e.g. `onnx`. @default - none */
  readonly format?: string;
  /** @default - none */
  readonly formatVersion?: string;
  /** The serving runtime's name. @default - none */
  readonly runtime?: string;
  /** The environment the model is synthesized for (its build context is under `<environment>/`). @default - none */
  readonly environment?: string;
}

/** Properties of a {@link ModelImage}. */
export interface ModelImageProps {
  /** The image reference to build and push, e.g. `quay.io/user/model:1` (no `oci://`). */
  readonly image: string;
  /** The model files and folders, and hub repositories. */
  readonly files: readonly ModelImageSource[];
  /** Where the model server expects the files under /models. */
  readonly layout: ModelLayout;
  /** Folder of the build context within the output, e.g. `images/my-namespace/my-model`. */
  readonly contextPath: string;
  /**
   * The folder that relative local sources are resolved against, e.g. the folder of the file that names them.
   * @default - the working directory
   */
  readonly sourceDir?: string;
  /**
   * Allow URLs that carry credentials (a user name and password, a token or signature in the query): they are written
   * into build.sh, so into git. The image's files label names such a URL without them.
   * @default false
   */
  readonly allowCredentialsInUrls?: boolean;
  /**
   * Base image, the default of the Containerfile's `BASE_IMAGE` build argument. It must have a shell: KServe runs
   * the model image as a sidecar with `sh -c "ln -sf /proc/$$/root/models /mnt/models && sleep infinity"`, so
   * `scratch`, distroless and Chainguard static images are refused. A reference, or a preset: `ubi8`, `ubi9`
   * (see {@link BaseImages}).
   * @default DEFAULT_BASE_IMAGE
   */
  readonly baseImage?: string;
  /** What the image is for, said in the build script, e.g. `InferenceService ns/name` (not in the image: see {@link ModelImage.labels}). @default - the image */
  readonly description?: string;
  /**
   * The model the image holds, for its labels (`dev.modelcar.model.*`), and its name in messages, in the lock file
   * and for `modelcar stage`/`build` (`namespace/name`).
   * @default - no model labels; named by contextPath
   */
  readonly model?: ModelImageInfo;
  /** More image labels. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * How modelcar's image writer (`build --push`, `build --layout`) compresses the model layers: `none`, `zstd` (the
   * nodes need containerd 1.5, CRI-O 1.20 or later) or `gzip`; podman and buildah push them gzip-compressed unless one
   * is given. It changes the image's digest, so it is part of the image's inputs (the lock file's `inputs`) when given.
   * @default - none with modelcar's writer (DEFAULT_COMPRESSION), gzip with podman and buildah
   */
  readonly compression?: Compression;
}

/**
 * The build context of a model image ("modelcar"): a Containerfile that puts the model files under /models, a
 * .containerignore, a .gitignore that keeps the (large) model files out of git, and a build script that fetches the
 * files into place, builds with podman or buildah and pushes. The model files themselves are not written by synth:
 * `modelcar stage` (or the build script) puts them there.
 *
 * @see https://kserve.github.io/website/latest/modelserving/storage/oci/
 */
export class ModelImage extends Construct {
  /** Finds the model images in a construct tree, in tree order. */
  public static all(scope: Construct): ModelImage[] {
    return scope.node.findAll().filter(ModelImage.isModelImage);
  }

  /** Whether `x` is a ModelImage (of any copy of modelcar). */
  public static isModelImage(this: void, x: unknown): x is ModelImage {
    return hasBrand(x, MODEL_IMAGE);
  }

  public readonly image: string;
  public readonly contextPath: string;
  public readonly baseImage: string;
  /** The name of the image in messages, the lock file and the CLI: `namespace/name` of the model, or contextPath. */
  public readonly key: string;
  /** The model files at their places in the build context, folders expanded, in order. */
  public readonly files: readonly ModelFileEntry[];
  /** The files grouped into image layers, one COPY each. */
  public readonly layers: readonly (readonly ModelFileEntry[])[];
  /** How the model layers are compressed when pushed, as given. @default - not given (see ModelImageProps.compression) */
  public readonly compression?: Compression;
  private readonly description: string;
  private readonly model?: ModelImageInfo;
  private readonly layout: ModelLayout;
  private readonly extraLabels: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ModelImageProps) {
    super(scope, id);
    const check = new PropChecker('ModelImage');
    const imageWrong = imageReferenceProblem(props.image);
    if (imageWrong) check.add('image', props.image, imageWrong);
    this.image = props.image;
    this.baseImage = resolveBaseImage(props.baseImage ?? DEFAULT_BASE_IMAGE);
    const baseWrong = shellLessBaseImage(this.baseImage) ?? imageReferenceProblem(this.baseImage);
    if (baseWrong) check.add('baseImage', props.baseImage, baseWrong);
    const contextWrong = checkModelFilePath(props.contextPath);
    if (contextWrong) check.add('contextPath', props.contextPath, `${JSON.stringify(props.contextPath)} ${contextWrong}`);
    this.contextPath = props.contextPath;
    if (props.compression !== undefined && !COMPRESSIONS.includes(props.compression)) {
      check.add('compression', props.compression, `${JSON.stringify(props.compression)} is not a layer compression; use one of ${COMPRESSIONS.join(', ')}`, COMPRESSIONS);
    }
    this.compression = props.compression;
    this.description = props.description ?? props.image;
    this.model = props.model;
    this.layout = props.layout;
    this.extraLabels = props.labels ?? {};
    const modelKey = props.model ? (props.model.namespace ? `${props.model.namespace}/${props.model.name}` : props.model.name) : props.contextPath;
    this.key = props.model?.environment ? `${props.model.environment}/${modelKey}` : modelKey;
    this.files = modelFileEntries(check, props);
    this.layers = check.problems.length ? [] : (check.run(() => groupLayers(this.files), (p) => ({ ...p, construct: 'ModelImage' })) ?? []);
    check.throwIfAny(this);
    brand(this, MODEL_IMAGE);
  }

  /**
   * The Containerfile, with the seed's image semantics: model files under /models owned 0:0 and world-readable
   * (OpenShift runs pods with a random UID in group 0), a non-root USER, no ENTRYPOINT (KServe gives the container
   * its own command). Unlike the seed's `COPY` + `RUN chmod -R a=rX`, which stores every model byte twice (two
   * layers), files are copied with owner and mode set in the same step: each large file in a layer of its own, the
   * bytes stored once. Folders that COPY creates are 0755 root. The base image is a build argument.
   * @param source what the header names as the source (see {@link RenderContext.source})
   * @param command how the header says to write it again (see {@link RenderContext.command})
   */
  public containerfile(source: string, command?: string | null): Containerfile {
    const file = new Containerfile()
      .comment(generatedNotice(source, command))
      .comment('The base image needs a shell: KServe runs `sh -c "ln -sf /proc/$$/root/models /mnt/models && sleep infinity"` in it.\nAnother base: --build-arg BASE_IMAGE=<image with sh, ln, sleep, ls, echo and [>.')
      .arg('BASE_IMAGE', this.baseImage)
      .from('${BASE_IMAGE}')
      .comment('KServe reads the model from /models. Owner 0:0 and world-readable, for the random UID OpenShift runs pods with;\nmodes are set by COPY itself, so each file is stored once, and each large file in a layer of its own.');
    for (const layer of this.layers) {
      const destination = layer.length === 1 ? `/${layer[0].target}` : `/${path.posix.dirname(layer[0].target)}/`;
      file.copy(
        layer.map((e) => e.target),
        destination,
        { chown: '0:0', chmod: '0444' },
      );
    }
    return file
      .arg('BASE_IMAGE')
      .label(this.labels())
      .comment('No ENTRYPOINT (one inherited from the base is cleared): KServe starts the container with its own `sh -c ...`.')
      .entrypoint([])
      .comment('nobody user')
      .user(DEFAULT_IMAGE_USER);
  }

  /**
   * The labels the Containerfile sets: OCI annotations (title, description, base image) and the model's
   * (`dev.modelcar.model.*`). They hold what the image is, never where it is deployed or pushed: no namespace, no
   * environment, no tag, no build context path. So the same model files on the same base image give the same image,
   * and the same digest, in every environment and namespace, and one image can be promoted from dev to prod. The
   * files and their digests are labelled at build time ({@link filesLabel}), since digests that the config does not
   * pin are known only once the files are staged.
   */
  public labels(): Record<string, string | ArgValue> {
    const ref = parseImageReference(this.image);
    const name = this.model?.name ?? path.posix.basename(ref.path);
    const labels: Record<string, string | ArgValue> = {
      'org.opencontainers.image.title': name,
      'org.opencontainers.image.description': `Model files of ${name} under /models (a KServe modelcar image)`,
      'org.opencontainers.image.base.name': { arg: 'BASE_IMAGE' },
      'dev.modelcar.model.layout': this.layout.name,
    };
    const info = this.model;
    if (info) {
      labels['dev.modelcar.model.name'] = info.name;
      if (info.format !== undefined) labels['dev.modelcar.model.format'] = info.format;
      if (info.formatVersion !== undefined) labels['dev.modelcar.model.format-version'] = info.formatVersion;
      if (info.runtime !== undefined) labels['dev.modelcar.runtime'] = info.runtime;
    }
    return { ...labels, ...this.extraLabels };
  }

  /**
   * The build-time label that lists the files in the image: `[{"path":"/models/...","sha256":"...","source":"..."}]`,
   * local sources relative to the folder that holds the output folder (as in file headers), so the label, and the
   * image digest, do not depend on where the project is checked out.
   * @param outdir the output folder, absolute
   * @param digests the SHA-256 of each file, in the order of {@link files}
   */
  public filesLabel(outdir: string, digests: readonly string[]): string {
    if (digests.length !== this.files.length) throw new Error(`ModelImage filesLabel: ${digests.length} digests for ${this.files.length} files`);
    return this.filesLabelParts(outdir)
      .map((p) => (typeof p === 'string' ? p : digests[p.slot]))
      .join('');
  }

  /** {@link filesLabel} as text and digest slots, for the build script. @internal */
  public filesLabelParts(outdir: string) {
    const base = path.dirname(outdir);
    // Labels are public to whoever pulls the image: a URL's credentials (allowed by the config) are not in them.
    return filesLabelParts(this.files, (e) => (e.url ? redactUrl(e.url) : path.relative(base, e.localPath!).split(path.sep).join('/')));
  }

  /** The files of the build context, relative to the output folder. */
  public render(context: RenderContext): OutputFile[] {
    const dir = this.contextPath;
    const notice = generatedNotice(context.source, context.command);
    return [
      { path: `${dir}/Containerfile`, content: this.containerfile(context.source, context.command).render() },
      {
        path: `${dir}/.containerignore`,
        content: `# ${notice}\n# Only the model files are sent to the build.\n*\n!models\n`,
      },
      {
        path: `${dir}/.gitignore`,
        content: `# ${notice}\n# Model files are put here by \`modelcar stage\` or build.sh and can be many GB: they do not belong in git.\n/models/\n/${STAGE_STATE_FILE}\n`,
      },
      {
        path: `${dir}/build.sh`,
        content: renderBuildScript({
          notice,
          description: this.description,
          image: this.image,
          files: this.files,
          contextDir: path.join(context.outdir, ...(context.subdir ? [context.subdir] : []), ...this.contextPath.split('/')),
          filesLabel: this.filesLabelParts(context.outdir),
        }),
        executable: true,
      },
    ];
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

/** Why an image reference is not valid, or undefined. */
function imageReferenceProblem(reference: string): string | undefined {
  try {
    parseImageReference(reference);
    return undefined;
  } catch (e) {
    if (e instanceof ImageReferenceError) return e.message;
    throw e;
  }
}

/**
 * The model files of an image at their places in the build context, folders expanded; the problems of the files
 * (bad digests, URLs, paths, folders, two files at one path) go to `check`, each at its `files[i]` prop.
 */
function modelFileEntries(check: PropChecker, props: ModelImageProps): ModelFileEntry[] {
  if (props.files.length === 0) check.add('files', props.files, 'a model image needs at least one file');
  const seen = new Map<string, number>();
  // The folders the files are in: a path cannot be a file and a folder at once (`z` and `z/w`).
  const folders = new Map<string, number>();
  const entries: ModelFileEntry[] = [];
  /** Adds an entry unless another file has its path; `name` is its path in the layout, as the user sees it. */
  const add = (entry: ModelFileEntry, name: string, what: string) => {
    const other = seen.get(entry.target);
    if (other !== undefined) {
      const also = other === entry.index ? 'is given twice' : `is also the path of files[${other}]`;
      check.add(['files', entry.index], name, `${what} ${also}; give each file its own path`);
      return;
    }
    const holder = folders.get(entry.target);
    if (holder !== undefined) {
      check.add(['files', entry.index], name, `${what} is a file, but files[${holder}] needs it to be a folder; give each file a path of its own`);
      return;
    }
    for (let dir = path.posix.dirname(entry.target); dir !== '.' && dir !== '/'; dir = path.posix.dirname(dir)) {
      const file = seen.get(dir);
      if (file !== undefined) {
        // The folder as the user names it: `name` less what follows the folder in the target.
        const shown = entry.target.endsWith(name) ? name.slice(0, name.length - (entry.target.length - dir.length)) : dir;
        check.add(['files', entry.index], name, `${what} needs "${shown}" to be a folder, but files[${file}] puts a file there; give each file a path of its own`);
        return;
      }
    }
    for (let dir = path.posix.dirname(entry.target); dir !== '.' && dir !== '/'; dir = path.posix.dirname(dir)) if (!folders.has(dir)) folders.set(dir, entry.index);
    seen.set(entry.target, entry.index);
    entries.push(entry);
  };
  props.files.forEach((f, index) => {
    const at = (...rest: string[]) => ['files', index, ...rest];
    if ('hub' in f) return addHubFiles(check, f, index, props.layout, add);
    if (f.sha256 !== undefined && !/^[a-f0-9]{64}$/.test(f.sha256)) check.add(at('sha256'), f.sha256, sha256Problem(f.sha256));
    const isUrl = isRemoteSource(f.source);
    if (isUrl) {
      const problem = urlProblem(f.source, props.allowCredentialsInUrls === true);
      if (problem) return check.add(at('source'), f.source, problem);
    }
    const name = f.path ?? fileNameOf(f.source);
    const localPath = isUrl ? undefined : path.resolve(props.sourceDir ?? '', f.source);
    const stat = localPath === undefined ? undefined : statOrUndefined(localPath);
    const namedBy = f.path !== undefined ? 'path' : 'source';
    if (stat?.isDirectory()) {
      if (f.sha256 !== undefined) {
        return check.add(at('sha256'), f.sha256, `${JSON.stringify(f.source)} is a folder; sha256 pins a single file (give the folder's files one by one to pin them)`);
      }
      if (f.size !== undefined) return check.add(at('size'), f.size, `${JSON.stringify(f.source)} is a folder; size is the size of a single file`);
      const nameWrong = name === '.' ? undefined : checkModelFilePath(name);
      if (nameWrong) return check.add(at(namedBy), name, `${JSON.stringify(name)} ${nameWrong}`);
      let found;
      try {
        found = listFolder(localPath!);
      } catch (e) {
        return check.add(at('source'), f.source, (e as Error).message);
      }
      if (found.length === 0) return check.add(at('source'), f.source, `the folder ${f.source} has no files (names starting with "." are left out)`);
      if (f.digests && !folderDigestsMatch(check, at('digests'), f.source, found.map((file) => file.relative), f.digests)) return;
      for (const file of found) {
        const inLayout = name === '.' ? file.relative : `${name}/${file.relative}`;
        const wrong = checkModelFilePath(inLayout);
        if (wrong) {
          check.add(at('source'), f.source, `${file.absolute}: ${JSON.stringify(inLayout)} ${wrong}`);
          continue;
        }
        const sha256 = own(f.digests, file.relative);
        const entry = { target: modelFilePath(props.layout, inLayout), localPath: file.absolute, sha256, index, folder: localPath, size: file.size, ...(file.link ? { link: true } : {}) };
        add(entry, inLayout, `"${inLayout}" (of the folder ${f.source})`);
      }
      return;
    }
    if (f.digests !== undefined) return check.add(at('digests'), f.digests, `${JSON.stringify(f.source)} is not a folder; pin a file with sha256`);
    const nameWrong = checkModelFilePath(name);
    if (nameWrong) return check.add(at(namedBy), name, `${JSON.stringify(name)} ${nameWrong}`);
    const link = stat !== undefined && fs.lstatSync(localPath!).isSymbolicLink();
    add({ target: modelFilePath(props.layout, name), url: isUrl ? f.source : undefined, localPath, sha256: f.sha256, index, size: stat?.size ?? f.size, ...(link ? { link: true } : {}) }, name, JSON.stringify(name));
  });
  return entries;
}

/** Adds the files of a hub repository at their places in the layout: under `path`, each with its digest and size. */
function addHubFiles(check: PropChecker, f: ModelImageHubFiles, index: number, layout: ModelLayout, add: (entry: ModelFileEntry, name: string, what: string) => void): void {
  const at = (...rest: string[]) => ['files', index, ...rest];
  const { repo, commit, files } = f.hub;
  const repoWrong = checkRepoId(repo);
  if (repoWrong) check.add(at('hub', 'repo'), repo, `"${repo}" ${repoWrong}`);
  if (!isCommitId(commit)) check.add(at('hub', 'commit'), commit, `"${commit}" is not a commit id (40 lowercase hex digits)`);
  if (files.length === 0) check.add(at('hub', 'files'), files, `no file of ${repo} at ${commit} is selected`);
  const folder = f.path ?? '.';
  const folderWrong = folder === '.' ? undefined : checkModelFilePath(folder);
  if (folderWrong) check.add(at('path'), folder, `${JSON.stringify(folder)} ${folderWrong}`);
  if (repoWrong || folderWrong || !isCommitId(commit)) return;
  for (const file of files) {
    if (!/^[a-f0-9]{64}$/.test(file.sha256)) {
      check.add(at('hub', 'files'), file.sha256, `${JSON.stringify(file.sha256)} (of ${file.path}) is not a SHA-256 digest (64 lowercase hex digits)`);
      continue;
    }
    const inLayout = folder === '.' ? file.path : `${folder}/${file.path}`;
    const wrong = checkModelFilePath(inLayout);
    if (wrong) {
      check.add(at('hub', 'files'), file.path, `${repo}: ${JSON.stringify(inLayout)} ${wrong}`);
      continue;
    }
    const entry: ModelFileEntry = {
      target: modelFilePath(layout, inLayout),
      url: hubFileUrl(repo, commit, file.path),
      sha256: file.sha256,
      index,
      size: file.size,
      hub: { repo, commit, path: file.path },
    };
    add(entry, inLayout, `"${inLayout}" (of ${repo})`);
  }
}

/** Whether `digests` name exactly the files of the folder, each with a SHA-256; the problems go to `check`. */
function folderDigestsMatch(check: PropChecker, at: (string | number)[], folder: string, files: readonly string[], digests: Readonly<Record<string, string>>): boolean {
  const present = new Set(files);
  const added = files.filter((f) => own(digests, f) === undefined);
  const removed = Object.keys(digests).filter((f) => !present.has(f));
  const bad = Object.entries(digests).find(([, d]) => !/^[a-f0-9]{64}$/.test(d));
  if (bad) {
    check.add(at, digests, `${JSON.stringify(bad[1])} (of ${bad[0]}) is not a SHA-256 digest (64 lowercase hex digits)`);
    return false;
  }
  if (added.length || removed.length) {
    const parts = [...added.map((f) => `${f} is new (not pinned)`), ...removed.map((f) => `${f} is pinned but no longer in the folder`)];
    check.add(at, digests, `the files of ${folder} are not the ones pinned: ${parts.join('; ')} (\`modelcar synth\` records them anew)`);
    return false;
  }
  return true;
}
