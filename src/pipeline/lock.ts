/**
 * The lock file: the digests of the model images `modelcar build --push` pushed, next to the config
 * (`modelcar.yaml` -> `modelcar.lock.yaml`). It is meant to be committed and reviewed: synth pins each
 * InferenceService's storageUri to the digest recorded for its model (`oci://repo@sha256:...`), as long as the
 * image would still be built from the same inputs. From TypeScript, `build({ push: true })` writes the same file
 * and an OciModel given `lock: ImageLock.fromFile(...)` pins the same way.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { UserError } from '../core/errors';
import { own } from '../core/records';
import { IImageLock, imageInputsDigest } from '../constructs/image-lock';
import { ModelImage } from '../constructs/model-image';

/** What the lock file records for one model image. */
export interface LockEntry {
  /** The reference that was pushed (as in the config, with its tag). */
  readonly image: string;
  /** The pushed manifest's digest, `sha256:<64 hex>`. */
  readonly digest: string;
  /** The digest of the build inputs synth can see ({@link inputsDigest}). */
  readonly inputs: string;
  /** The SHA-256 of each model file in the image, by path in the build context. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * Who uses a lock file, for the words of its header and messages: the CLI with a config (`modelcar build --push`,
 * `modelcar synth`), or the TypeScript functions with a construct tree (`build({ push: true })`, `ImageLock.fromFile`).
 * The content is the same.
 */
export type LockUser = 'cli' | 'typescript';

const WORDS: Record<LockUser, { readonly push: string; readonly pins: string; readonly declaredBy: string }> = {
  cli: { push: '`modelcar build --push`', pins: '`modelcar synth` pins each InferenceService', declaredBy: 'the config' },
  typescript: { push: '`build({ push: true })`', pins: 'An OciModel given `lock: ImageLock.fromFile(...)` pins its InferenceService', declaredBy: 'the construct tree' },
};

/** The lock file's content. */
export interface LockContent {
  /** By model key (`namespace/name`). */
  readonly images: Readonly<Record<string, LockEntry>>;
}

/** The lock file that belongs to a config file: `x.yaml` -> `x.lock.yaml`, in the same folder. */
export function lockFileOf(config: string): string {
  const dir = path.dirname(config);
  const base = path.basename(config).replace(/\.ya?ml$/i, '');
  return path.join(dir, `${base}.lock.yaml`);
}

/** The digest of what a model image is built from, as far as synth can see it ({@link imageInputsDigest}). */
export function inputsDigest(image: ModelImage): string {
  return imageInputsDigest(image);
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * A lock file read from disk, used by synth (or an OciModel's `lock` prop) to pin digests; it remembers the
 * entries it found stale.
 */
export class ImageLock implements IImageLock {
  /** Reads the lock file of a config; an empty lock when there is none. Throws a {@link UserError} when it is malformed. */
  public static forConfig(config: string): ImageLock {
    return ImageLock.read(lockFileOf(config), 'cli');
  }

  /**
   * Reads a lock file, e.g. `modelcar.lock.yaml`, for a construct tree written in TypeScript: give it to each
   * OciModel as `lock` to pin its storageUri to the digest `build({ push: true })` recorded. An empty lock when the
   * file does not exist (nothing pushed yet). Throws a {@link UserError} when it is malformed.
   */
  public static fromFile(file: string): ImageLock {
    return ImageLock.read(file, 'typescript');
  }

  private static read(file: string, user: LockUser): ImageLock {
    return new ImageLock(file, fs.existsSync(file) ? readLock(file) : { images: {} }, user);
  }

  /** Messages about entries that were not used because the image's inputs changed since they were pushed. */
  public readonly stale: string[] = [];

  constructor(
    /** The lock file's path. */
    public readonly file: string,
    /** Its content. */
    public readonly content: LockContent,
    /** Who reads it, for the words of its messages. @default 'cli' */
    private readonly user: LockUser = 'cli',
  ) {}

  public digestOf(image: ModelImage): string | undefined {
    const entry = own(this.content.images, image.key);
    if (!entry) return undefined;
    const words = WORDS[this.user];
    if (entry.image !== image.image) {
      this.stale.push(`${image.key} was pushed as ${entry.image}, but ${words.declaredBy} now says ${image.image}; storageUri keeps the tag until ${words.push} records the new image`);
      return undefined;
    }
    if (entry.inputs !== inputsDigest(image)) {
      this.stale.push(`${image.key} was pushed from other inputs (Containerfile, base image or files changed); storageUri keeps the tag until ${words.push} records the new image`);
      return undefined;
    }
    return entry.digest;
  }
}

/** Reads and checks a lock file. */
export function readLock(file: string): LockContent {
  const text = fs.readFileSync(file, 'utf8');
  const lines = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const fail = (field: string, node: unknown, message: string): never => {
    const offset = (node as YAML.Node | undefined)?.range?.[0];
    const where = offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
    throw new UserError(`${where}: ${field ? `${field}: ` : ''}${message}; it is written by \`modelcar build --push\`: restore it from git, or delete it to build anew`);
  };
  if (doc.errors.length) fail('', { range: doc.errors[0].pos }, `not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
  const data = doc.toJS();
  if (!data || typeof data !== 'object' || data.version !== 1) fail('version', doc.get('version', true), 'a lock file needs `version: 1`');
  const images: Record<string, LockEntry> = {};
  const raw = data.images ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) fail('images', doc.get('images', true), 'must be a map of model to image');
  for (const [key, entry] of Object.entries<any>(raw)) {
    const at = (field: string) => doc.getIn(['images', key, field], true) ?? doc.getIn(['images', key], true);
    const name = `images[${JSON.stringify(key)}]`;
    if (!entry || typeof entry !== 'object') fail(name, at(''), 'must be a map with image, digest, inputs and files');
    if (typeof entry.image !== 'string') fail(`${name}.image`, at('image'), 'must be the image reference that was pushed');
    for (const field of ['digest', 'inputs']) {
      if (typeof entry[field] !== 'string' || !DIGEST.test(entry[field])) fail(`${name}.${field}`, at(field), 'must be sha256:<64 lowercase hex digits>');
    }
    const files = entry.files ?? {};
    if (typeof files !== 'object' || Object.values(files).some((d) => typeof d !== 'string' || !DIGEST.test(d))) {
      fail(`${name}.files`, at('files'), 'must map each file to sha256:<64 lowercase hex digits>');
    }
    // Defined, not assigned: a key `__proto__` in a lock file would otherwise set the object's prototype.
    Object.defineProperty(images, key, { value: { image: entry.image, digest: entry.digest, inputs: entry.inputs, files }, enumerable: true, writable: true, configurable: true });
  }
  return { images };
}

/**
 * The lock file's text: sorted keys, a header that says what it is. Deterministic.
 * @param configName the config (or TypeScript source) the images were pushed for, named in the header
 */
export function renderLock(content: LockContent, configName: string, user: LockUser = 'cli'): string {
  const images: Record<string, unknown> = {};
  for (const key of Object.keys(content.images).sort()) {
    const e = content.images[key];
    const files: Record<string, string> = {};
    for (const f of Object.keys(e.files).sort()) files[f] = e.files[f];
    images[key] = { digest: e.digest, files, image: e.image, inputs: e.inputs };
  }
  const words = WORDS[user];
  const header = [
    `# Written by ${words.push}: the digests of the model images pushed for ${configName}.`,
    `# Commit it. ${words.pins} to its digest here (storageUri: oci://repo@sha256:...)`,
    '# while the image would be built from the same inputs (`inputs`); `files` are the model files in the image.',
  ].join('\n');
  return `${header}\n${YAML.stringify({ version: 1, images }, { lineWidth: 0 })}`;
}

/** Writes a lock file atomically (a temporary file renamed into place). */
export function writeLock(file: string, content: LockContent, configName: string, user: LockUser = 'cli'): void {
  const text = renderLock(content, configName, user);
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(temp, text);
  // Run as root on a user's checkout (a CI container), the file keeps the user as owner: that of its folder.
  if (process.geteuid?.() === 0) {
    const owner = fs.statSync(path.dirname(file));
    fs.chownSync(temp, owner.uid, owner.gid);
  }
  fs.renameSync(temp, file);
}
