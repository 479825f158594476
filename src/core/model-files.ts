/**
 * The model files of a model image, resolved to their places in the build context: folders expanded into their
 * files, and the files grouped into image layers (one layer per large file).
 */
import * as fs from 'fs';
import * as path from 'path';
import { PropError } from './errors';
import { refuseUndecodableName } from './safe-fs';
import { urlCredentials } from './url-credentials';

/** Files at least this big get an image layer of their own, even inside a folder source. */
export const LARGE_FILE_BYTES = 16 * 1024 * 1024;

/**
 * At most this many COPY layers per image. Overlay storage stacks at most ~125 layers per container (base
 * layers included), so a folder with more files than this is grouped by directory.
 */
export const MAX_MODEL_LAYERS = 100;

/** One file of a model image, at its place in the build context. */
export interface ModelFileEntry {
  /** Path in the build context, which is also its path in the image under `/`, e.g. `models/1/model.onnx`. */
  readonly target: string;
  /** The http(s) URL it is downloaded from. */
  readonly url?: string;
  /** The absolute path of the local file it is linked or copied from. */
  readonly localPath?: string;
  /** The SHA-256 the config pins (64 lowercase hex), checked by stage and build. */
  readonly sha256?: string;
  /** The index of the file or folder in the model's `files`. */
  readonly index: number;
  /** Set for a file found in a folder source: the path of that folder, absolute. */
  readonly folder?: string;
  /**
   * Set for a file of a Hugging Face repository: the repository, the commit and the file's path in it. Its `url` is
   * then the file's canonical URL on huggingface.co (downloads honour `HF_ENDPOINT`), its `sha256` the hub's.
   */
  readonly hub?: HubFileOrigin;
  /** Size in bytes, known for local files at synth time. */
  readonly size?: number;
  /** Set when the local path is a symbolic link (as in a Hugging Face cache): the file it leads to is staged. */
  readonly link?: boolean;
}

/** Where a model file of a Hugging Face repository comes from. */
export interface HubFileOrigin {
  /** `namespace/name`. */
  readonly repo: string;
  /** The commit, 40 hex digits. */
  readonly commit: string;
  /** The file's path in the repository. */
  readonly path: string;
}

/**
 * Where a model file's pinned SHA-256 comes from: the config's `sha256`, or the lock file (each file of a folder,
 * as `modelcar synth` recorded it; each file of a hub repository, from the hub's metadata); undefined when none.
 */
export function pinOrigin(entry: ModelFileEntry): 'config' | 'lock' | undefined {
  if (entry.sha256 === undefined) return undefined;
  return entry.folder !== undefined || entry.hub !== undefined ? 'lock' : 'config';
}

/**
 * Why a path inside a model layout is not acceptable, or undefined. Besides `.`/`..`/empty segments, it refuses the
 * characters COPY reads as wildcards or variables (`* ? [ \ $`), which cannot be escaped reliably.
 */
export function checkModelFilePath(value: string): string | undefined {
  const segments = value.split('/');
  if (value.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    return 'must be a relative path without "." or ".." segments (e.g. model.onnx)';
  }
  // Line breaks would break the Containerfile and build.sh; ESC and the other controls would act on a terminal.
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return 'must not contain line breaks, NUL or other control characters';
  const wildcard = /[*?[\\$]/.exec(value);
  if (wildcard) return `must not contain "${wildcard[0]}": the Containerfile's COPY reads * ? [ \\ and $ as wildcards or variables; rename the file`;
  return undefined;
}

/** A file found in a folder source. */
export interface FolderFile {
  /** Path relative to the folder, with `/`. */
  readonly relative: string;
  readonly absolute: string;
  readonly size: number;
  /** Whether it is a symbolic link (to a file). */
  readonly link?: boolean;
}

/**
 * The files below a folder, recursively, sorted by path. Symbolic links are followed (Hugging Face caches are
 * made of them); names starting with `.` are left out (`.git`, the `.cache` folder of downloaders). Throws, naming
 * the entry, on a broken link, a link loop, or anything that is neither a file nor a folder.
 */
export function listFolder(root: string): FolderFile[] {
  const out: FolderFile[] = [];
  const visit = (dir: string, relative: string, ancestors: ReadonlySet<string>) => {
    const real = fs.realpathSync(dir);
    if (ancestors.has(real)) throw new Error(`${dir} leads back to ${real} (a symbolic link loop)`);
    const inside = new Set(ancestors).add(real);
    const names = fs
      .readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      refuseUndecodableName(name, dir);
      const absolute = path.join(dir, name);
      const rel = relative ? `${relative}/${name}` : name;
      let stat: fs.Stats;
      try {
        stat = fs.statSync(absolute);
      } catch {
        throw new Error(`${absolute} is a broken symbolic link`);
      }
      if (stat.isDirectory()) visit(absolute, rel, inside);
      else if (stat.isFile()) out.push({ relative: rel, absolute, size: stat.size, ...(fs.lstatSync(absolute).isSymbolicLink() ? { link: true } : {}) });
      else throw new Error(`${absolute} is neither a file nor a folder`);
    }
  };
  visit(root, '', new Set());
  return out;
}

/**
 * Groups model files into image layers, in order: each file from a URL or named on its own gets a layer, as does
 * each large file of a folder or hub repository; the small files of a folder (or repository) share one layer per
 * directory. With more than {@link MAX_MODEL_LAYERS} layers, those are grouped by directory whatever their size.
 */
export function groupLayers(entries: readonly ModelFileEntry[]): ModelFileEntry[][] {
  for (const bySize of [true, false]) {
    const layers: ModelFileEntry[][] = [];
    const shared = new Map<string, ModelFileEntry[]>();
    for (const e of entries) {
      if ((e.folder === undefined && e.hub === undefined) || (bySize && (e.size ?? Infinity) >= LARGE_FILE_BYTES)) {
        layers.push([e]);
        continue;
      }
      const key = `${e.index}:${path.posix.dirname(e.target)}`;
      const layer = shared.get(key);
      if (layer) layer.push(e);
      else {
        const created = [e];
        shared.set(key, created);
        layers.push(created);
      }
    }
    if (layers.length <= MAX_MODEL_LAYERS) return layers;
  }
  throw new PropError({
    construct: '',
    path: ['files'],
    value: undefined,
    message: `the model has files in more than ${MAX_MODEL_LAYERS} folders, which would make more image layers than container storage can stack; put fewer files in the image`,
  });
}

/** The marker that stands for a file's SHA-256 in {@link filesLabelParts}. */
export interface DigestSlot {
  /** The position of the file in the model's entries. */
  readonly slot: number;
}

/**
 * The value of the `dev.modelcar.model.files` label (JSON: each file's path in the image, SHA-256 and source),
 * as text parts and digest slots. The build fills the slots with the digests it staged; build.sh with the ones it
 * computed: both get the same text, so the same image.
 */
export function filesLabelParts(entries: readonly ModelFileEntry[], sourceOf: (e: ModelFileEntry) => string): (string | DigestSlot)[] {
  const parts: (string | DigestSlot)[] = ['['];
  entries.forEach((e, slot) => {
    parts.push(`${slot ? ',' : ''}{"path":${JSON.stringify(`/${e.target}`)},"sha256":"`, { slot }, `","source":${JSON.stringify(sourceOf(e))}}`);
  });
  parts.push(']');
  return parts;
}

/** The label key that lists the model files with their digests. */
export const FILES_LABEL = 'dev.modelcar.model.files';

/**
 * The flags every build of a model image gets, from `modelcar build` and from build.sh alike, so that both give
 * the same image: OCI format; one layer per COPY (`--layers`; buildah squashes the new layers into one without it);
 * timestamps (created, history, file times in the layers) set to 0, so that the same inputs give the same digest;
 * no `io.buildah.version` label, so that it does not change with the builder's version.
 */
export const BUILD_FLAGS: readonly string[] = ['--format=oci', '--layers', '--timestamp=0', '--identity-label=false'];

/** {@link BUILD_FLAGS} as shell words. */
export const BUILD_FLAGS_TEXT = BUILD_FLAGS.join(' ');

/** Whether a model file source is downloaded (an http(s) URL, or an s3:// URL of S3-compatible storage) rather than a local path. */
export function isRemoteSource(source: string): boolean {
  return /^(https?|s3):\/\//.test(source);
}

/** Whether a model file source is on S3-compatible storage: `s3://bucket/key`. */
export function isS3Source(source: string): boolean {
  return source.startsWith('s3://');
}

/** The default file name of a model file source: the last segment of its URL path or file path. */
export function fileNameOf(source: string): string {
  if (isRemoteSource(source)) {
    const segment = path.posix.basename(new URL(source).pathname);
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }
  return path.basename(source);
}

/** Why a string is not a SHA-256 digest as sha256sum prints it (64 lowercase hex digits), and the fix. */
export function sha256Problem(value: string): string {
  const q = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  const lead = `${q} is not a SHA-256 digest`;
  const prefix = /^sha256[:=-]/i.exec(value);
  if (prefix) {
    const rest = value.slice(prefix[0].length);
    return /^[0-9a-fA-F]{64}$/.test(rest)
      ? `${lead}: drop the "${prefix[0]}" prefix and write "${rest.toLowerCase()}"`
      : `${lead}: drop the "${prefix[0]}" prefix and give the 64 hex digits only`;
  }
  const bad = /[^0-9a-fA-F]/.exec(value);
  if (bad) return `${lead}: it contains ${JSON.stringify(bad[0])}, which is not a hex digit (0-9, a-f); \`sha256sum FILE\` prints the digest`;
  if (value.length !== 64) return `${lead}: it has ${value.length} hex digits, a SHA-256 digest has exactly 64; \`sha256sum FILE\` prints the digest`;
  return `${lead}: write it in lowercase: "${value.toLowerCase()}"`;
}

/**
 * Checks a model file URL: it must parse, and must not carry credentials (a user name and password, a query
 * parameter that looks like a token or a signature), which would land in the generated build script (and so in
 * git), in the image's labels and in logs, unless `allowCredentials`. Returns the problem, or undefined.
 */
export function urlProblem(source: string, allowCredentials = false): string | undefined {
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return `"${source}" is not a valid URL; write it as https://host/path/to/model`;
  }
  if (url.protocol === 's3:' && (!url.hostname || url.pathname.length < 2 || url.pathname.endsWith('/') || url.search || url.hash)) {
    return `"${source}" is not an S3 object URL; write it as s3://bucket/path/to/model (a bucket and the key of one object)`;
  }
  const credentials = urlCredentials(url);
  if (credentials && !allowCredentials) {
    return (
      `the URL carries credentials (${credentials}); they would be written into the generated build script (and so into git) and into the image's labels: ` +
      'remove them and give the download its credentials another way (e.g. a ~/.netrc for curl), or, if they are meant to be public, set `allowCredentialsInUrls: true` at the top level of the config'
    );
  }
  return undefined;
}
