/**
 * The lock file: the digests of the model images `modelcar build --push` pushed (or `modelcar pin` found in their
 * registry), next to the config (`modelcar.yaml` -> `modelcar.lock.yaml`), and the files of the sources that hold
 * many (`sources`: each file of a local folder, each file of a hub repository at the commit its revision stood for),
 * which `modelcar synth` records. It is meant to be committed and reviewed: synth pins each InferenceService's
 * storageUri to the digest recorded for its model (`oci://repo@sha256:...`), as long as the image would still be
 * built from the same inputs, and each file of a folder or repository to its recorded SHA-256. From TypeScript,
 * `build({ push: true })` writes the same file and an OciModel given `lock: ImageLock.fromFile(...)` pins the same way.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { UserError, isSystemError, systemErrorMessage } from '../core/errors';
import { NotRegularFileError, SafeFolder, readRegularFile } from '../core/safe-fs';
import { own, setOwn } from '../core/records';
import { IImageLock, imageInputsDigest } from '../constructs/image-lock';
import { ModelImage } from '../constructs/model-image';
import { HubSnapshot, hubSourceKey } from '../core/hub';
import { ISourcePins } from '../core/source-pins';
import { parseYaml } from '../core/yaml-document';

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

/** One file of a folder or hub repository, as the lock file records it. */
export interface LockedFile {
  /** `sha256:<64 hex>`. */
  readonly sha256: string;
  /** Size in bytes. */
  readonly size: number;
}

/** A hub repository at a revision, as the lock file records it. */
export interface LockedHubSource {
  /** The commit the revision stood for when it was recorded (40 hex digits). */
  readonly commit: string;
  /** Every file of the repository at that commit, by path. */
  readonly files: Readonly<Record<string, LockedFile>>;
}

/** A local folder, as the lock file records it. */
export interface LockedFolder {
  /** Every file of the folder, by path relative to it (with `/`). */
  readonly files: Readonly<Record<string, LockedFile>>;
}

/** The sources of many files that the lock file records. */
export interface LockSources {
  /** Local folders, by path relative to the config's folder (with `/`), as the config names them. */
  readonly folders: Readonly<Record<string, LockedFolder>>;
  /** Hub repositories, by `namespace/name@revision`. */
  readonly hub: Readonly<Record<string, LockedHubSource>>;
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
  /** @default - none */
  readonly sources?: LockSources;
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

/** The lock file's folder and hub records as {@link ISourcePins}, for the translation of the config. */
export class SourcePins implements ISourcePins {
  /** The pins in the lock file of a config; none when there is none. Throws a {@link UserError} when it is malformed. */
  public static forConfig(config: string): SourcePins {
    const file = lockFileOf(config);
    return new SourcePins(path.dirname(path.resolve(config)), readLockIfAny(file).sources, path.basename(file));
  }

  /** The pins of a lock file already read for its images (synth reads the file once for both). */
  public static ofLock(config: string, lock: ImageLock): SourcePins {
    return new SourcePins(path.dirname(path.resolve(config)), lock.content.sources, path.basename(lock.file));
  }

  constructor(
    /** The config's folder, absolute: folder keys are relative to it. */
    private readonly configDir: string,
    /** The recorded sources. */
    public readonly sources: LockSources = { folders: {}, hub: {} },
    public readonly describe = 'the lock file',
  ) {}

  public hubSnapshot(repo: string, revision: string): HubSnapshot | undefined {
    const key = hubSourceKey(repo, revision);
    // Asked for by each model of the repository, in each environment: its file list is made and sorted once.
    if (this.snapshots.has(key)) return this.snapshots.get(key);
    const entry = own(this.sources.hub, key);
    const snapshot = entry && {
      repo,
      commit: entry.commit,
      files: Object.keys(entry.files)
        .sort()
        .map((p) => ({ path: p, sha256: entry.files[p].sha256.slice('sha256:'.length), size: entry.files[p].size })),
    };
    this.snapshots.set(key, snapshot);
    return snapshot;
  }

  private readonly snapshots = new Map<string, HubSnapshot | undefined>();

  public folderDigests(folder: string): Readonly<Record<string, string>> | undefined {
    const entry = own(this.sources.folders, folderKey(this.configDir, folder));
    if (!entry) return undefined;
    const digests: Record<string, string> = {};
    for (const [p, f] of Object.entries(entry.files)) setOwn(digests, p, f.sha256.slice('sha256:'.length));
    return digests;
  }
}

/** The key of a local folder in the lock file: its path relative to the config's folder, with `/`. */
export function folderKey(configDir: string, folder: string): string {
  return path.relative(configDir, folder).split(path.sep).join('/') || '.';
}

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
    return new ImageLock(file, readLockIfAny(file), user);
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

  /**
   * The digest to pin a model image to: its own entry's, while the image would be built from the same inputs; else
   * that of any entry pushed as the same reference from the same inputs (the same build gives the same image: a model
   * promoted from dev to prod, or keyed `namespace/name` before the config had environments, keeps its digest).
   * Without one, an entry of its own or of the same model under another key that no longer matches is reported in
   * {@link stale}, and the tag is kept.
   */
  public digestOf(image: ModelImage): string | undefined {
    const entry = own(this.content.images, image.key);
    // Most configs have no lock file, or no entry of this reference and model: nothing to digest then.
    const name = image.key.slice(image.key.lastIndexOf('/') + 1);
    if (!entry && !Object.entries(this.content.images).some(([k, e]) => e.image === image.image || k.slice(k.lastIndexOf('/') + 1) === name)) return undefined;
    const inputs = inputsDigest(image);
    if (entry && entry.image === image.image && entry.inputs === inputs) return entry.digest;
    const keys = Object.keys(this.content.images).sort();
    const same = keys.find((k) => this.content.images[k].image === image.image && this.content.images[k].inputs === inputs);
    if (same !== undefined) return this.content.images[same].digest;
    const otherKey = entry ? image.key : keys.find((k) => k.slice(k.lastIndexOf('/') + 1) === name);
    if (otherKey === undefined) return undefined;
    const other = this.content.images[otherKey];
    const as = otherKey === image.key ? image.key : `${image.key} has no entry of its own, and ${otherKey} (the same model)`;
    const words = WORDS[this.user];
    if (other.image !== image.image) {
      this.stale.push(`${as} was pushed as ${other.image}, but ${words.declaredBy} now says ${image.image}; storageUri keeps the tag until ${words.push} records the new image`);
    } else {
      this.stale.push(`${as} was pushed from other inputs (Containerfile, base image, files or layer compression changed); storageUri keeps the tag until ${words.push} records the new image`);
    }
    return undefined;
  }
}

/** Reads and checks a lock file. Throws a {@link UserError} naming the file when it cannot be read or is malformed. */
export function readLock(file: string): LockContent {
  let text: string;
  try {
    // Never through a link (modelcar writes this file: a link there is replaced when it does), never a FIFO or device.
    text = readRegularFile(file, { noFollow: true }).toString('utf8');
  } catch (e) {
    if (e instanceof NotRegularFileError) throw new UserError(`${file}: is ${e.kind}, not a file; it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again`);
    if (isSystemError(e) && e.code === 'ELOOP') throw new UserError(`${file}: is a symbolic link (to ${linkTarget(file)}), which is not read; it is written by modelcar (synth, build --push, pin): restore the file from git, or delete the link and run them again`);
    // A read error's own text has no path (a folder at the name: `cannot read: it is a folder`).
    if (!isSystemError(e)) throw e;
    throw new UserError(`${file}: ${systemErrorMessage(e)}; it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again`);
  }
  const lines = new YAML.LineCounter();
  const doc = parseYaml(text, { lineCounter: lines, prettyErrors: false });
  const fail = (field: string, node: unknown, message: string): never => {
    const offset = (node as YAML.Node | undefined)?.range?.[0];
    const where = offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
    throw new UserError(`${where}: ${field ? `${field}: ` : ''}${message}; it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again`);
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
  const rawSources = data.sources ?? {};
  if (typeof rawSources !== 'object' || Array.isArray(rawSources)) fail('sources', doc.get('sources', true), 'must be a map with folders and hub');
  const lockedFiles = (where: (string | number)[], name: string, value: any): Record<string, LockedFile> => {
    const node = doc.getIn([...where, 'files'], true) ?? doc.getIn(where, true);
    if (!value || typeof value !== 'object' || Array.isArray(value)) fail(`${name}.files`, node, 'must map each file to its sha256 and size');
    const out: Record<string, LockedFile> = {};
    for (const [p, f] of Object.entries<any>(value)) {
      // Looked up only for a message: each look-up scans the map, which would make thousands of files quadratic.
      const at = () => doc.getIn([...where, 'files', p], true) ?? node;
      if (!f || typeof f.sha256 !== 'string' || !DIGEST.test(f.sha256)) fail(`${name}.files[${JSON.stringify(p)}].sha256`, at(), 'must be sha256:<64 lowercase hex digits>');
      if (!Number.isSafeInteger(f.size) || f.size < 0) fail(`${name}.files[${JSON.stringify(p)}].size`, at(), 'must be the size in bytes');
      setOwn(out, p, { sha256: f.sha256, size: f.size });
    }
    return out;
  };
  // Keys are paths and repository names: set as own keys, so that any name is a key like the others.
  const folders: Record<string, LockedFolder> = {};
  for (const [key, entry] of Object.entries<any>(rawSources.folders ?? {})) {
    setOwn(folders, key, { files: lockedFiles(['sources', 'folders', key], `sources.folders[${JSON.stringify(key)}]`, entry?.files) });
  }
  const hub: Record<string, LockedHubSource> = {};
  for (const [key, entry] of Object.entries<any>(rawSources.hub ?? {})) {
    const name = `sources.hub[${JSON.stringify(key)}]`;
    if (typeof entry?.commit !== 'string' || !/^[0-9a-f]{40}$/.test(entry.commit)) {
      fail(`${name}.commit`, doc.getIn(['sources', 'hub', key, 'commit'], true) ?? doc.getIn(['sources', 'hub', key], true), 'must be a commit id (40 lowercase hex digits)');
    }
    setOwn(hub, key, { commit: entry.commit, files: lockedFiles(['sources', 'hub', key], name, entry.files) });
  }
  return Object.keys(folders).length || Object.keys(hub).length ? { images, sources: { folders, hub } } : { images };
}

/** Where a symbolic link leads, for a message (it is not followed). */
function linkTarget(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '?';
  }
}

/** A lock file as {@link readLock} reads it; an empty one (no images, no sources) when there is none yet. */
function readLockIfAny(file: string): LockContent {
  return fs.existsSync(file) ? readLock(file) : { images: {} };
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
  const sorted = <T>(record: Readonly<Record<string, T>>, each: (value: T) => unknown): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(record).sort()) setOwn(out, k, each(record[k]));
    return out;
  };
  const files = (record: Readonly<Record<string, LockedFile>>) => sorted(record, (f) => ({ sha256: f.sha256, size: f.size }));
  const { folders = {}, hub = {} } = content.sources ?? {};
  const hasSources = Object.keys(folders).length + Object.keys(hub).length > 0;
  const words = WORDS[user];
  // With a config, the lock file also holds what synth records (sources), and pin writes it as build --push does.
  const header = (
    user === 'cli'
      ? [
          `# Written by modelcar for ${configName}: \`build --push\` and \`pin\` record the digests of the model images (\`images\`),`,
          '# `synth` the files of local folders and Hugging Face repositories (`sources`). Commit it. `modelcar synth` pins each',
          '# InferenceService to its image digest here (storageUri: oci://repo@sha256:...) while the image would be built from',
          '# the same inputs (`inputs`); `files` are the model files in the image.',
        ]
      : [
          `# Written by ${words.push}: the digests of the model images pushed for ${configName}.`,
          `# Commit it. ${words.pins} to its digest here (storageUri: oci://repo@sha256:...)`,
          '# while the image would be built from the same inputs (`inputs`); `files` are the model files in the image.',
        ]
  ).join('\n');
  const data: Record<string, unknown> = { version: 1, images };
  if (hasSources) {
    data.sources = {
      folders: sorted(folders, (f) => ({ files: files(f.files) })),
      hub: sorted(hub, (h) => ({ commit: h.commit, files: files(h.files) })),
    };
  }
  return `${header}\n${YAML.stringify(data, { lineWidth: 0 })}`;
}

/** Writes a lock file atomically (a temporary file renamed into place). */
export function writeLock(file: string, content: LockContent, configName: string, user: LockUser = 'cli'): void {
  const text = renderLock(content, configName, user);
  // A new file beside it, renamed over it: a link a checkout holds at either name is replaced, never written through;
  // run as root on a user's checkout (a CI container), the file gets the owner of its folder (SafeFolder.replaceFile).
  SafeFolder.open(path.dirname(file), { create: 0o755 }).replaceFile(path.basename(file), text, 0o644);
}

/**
 * Records image entries in a lock file, keeping its other entries and its sources, and dropping the entries of
 * models the config (or tree) no longer has (`models`: its model images). A model without an entry of its own takes
 * over an entry pushed as the same reference from the same inputs (the same image): e.g. keyed `namespace/name`
 * before the config had environments, so that adding environments keeps its digest.
 * @param source the config (or TypeScript source) the images are for, named in the header
 */
export function recordImages(file: string, entries: ReadonlyMap<string, LockEntry>, models: readonly ModelImage[], source: string, user: LockUser = 'cli'): void {
  const existing = readLockIfAny(file);
  const keys = Object.keys(existing.images).sort();
  const images: Record<string, LockEntry> = {};
  for (const model of models) {
    const mine = entries.get(model.key) ?? own(existing.images, model.key);
    const inputs = mine ? undefined : inputsDigest(model);
    const same = mine ? undefined : keys.map((k) => existing.images[k]!).find((e) => e.image === model.image && e.inputs === inputs);
    const entry = mine ?? same;
    if (entry) images[model.key] = entry;
  }
  writeLock(file, { images, sources: existing.sources }, source, user);
}

/** Records the sources in the lock file of a config (replacing the ones there), keeping its image entries. */
export function recordSources(config: string, sources: LockSources): void {
  const file = lockFileOf(config);
  const existing = readLockIfAny(file);
  writeLock(file, { images: existing.images, sources }, path.basename(config));
}
