/**
 * modelcar's own image writer: builds a model image without a builder. The base image's manifest and config are
 * read from its registry and its layers reused as they are (mounted or copied blob by blob, never unpacked); each
 * model layer is a tar stream written from the staged files (layer.ts), and the config and manifest are written
 * here (oci.ts). The image goes straight to the registry (each layer uploaded as it is produced: no temporary copy,
 * no extra disk), or into an OCI image layout folder.
 *
 * The layers are those `buildah build --timestamp=0` makes from the Containerfile synth writes (the same diff_ids);
 * the config differs in its history only. Nothing is tagged until every blob is in place: an interrupted push
 * leaves the tag as it was, its unfinished upload cancelled, and a new run starts over cleanly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { createHash } from 'crypto';
import { ImageReference, parseImageReference } from '../../core/image-ref';
import { AbortedError, onInterrupt } from '../../core/interrupts';
import { CREATE_NOFOLLOW, SafeFolder, parentOf } from '../../core/safe-fs';
import { FILES_LABEL } from '../../core/model-files';
import { ModelImage } from '../../constructs/model-image';
import { ProgressOutput, formatBytes, formatDuration } from '../progress';
import { Compression, LAYER_MEDIA_TYPES } from '../../core/compression';
import { tap } from './compression';
import { findCredentials } from './credentials';
import { LayerResult, LayerSink, fileSize, writeLayer } from './layer';
import {
  DOCKER_LIST,
  Descriptor,
  ImageConfig,
  ImageManifest,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  hostPlatform,
  jsonBlob,
  layerKey,
  layersByKey,
  modelImageConfig,
  modelImageManifest,
  ociLayer,
  pickPlatform,
} from './oci';
import { RegistryClient, RegistryError, RepositoryAddress, repositoryAddress } from './registry';

/**
 * Where the image goes: its registry, or an OCI layout folder `dir` (a relative `/`-separated path, e.g.
 * `namespace/model`) below the folder `root` (which may be reached through links: the user's choice); nothing below
 * `root` is reached through a link.
 */
export type ImageDestination = { readonly kind: 'registry' } | { readonly kind: 'layout'; readonly root: string; readonly dir: string };

/** Options of {@link writeImage}. */
export interface WriteImageOptions {
  readonly image: ModelImage;
  /**
   * The staged files, by path in the build context (`models/...`): absolute paths, checked to have no symbolic link
   * or mount point on the way (see SafeFolder); each is opened without following a link.
   */
  readonly staged: ReadonlyMap<string, string>;
  /** The value of the files label (the build's, with the staged digests). */
  readonly filesLabel: string;
  /** The SHA-256 (hex) of each staged file, by path in the build context. */
  readonly fileDigests: ReadonlyMap<string, string>;
  readonly compression: Compression;
  readonly destination: ImageDestination;
  /** The auth file to read credentials from; undefined: the standard ones. */
  readonly authfile?: string;
  /** @default true */
  readonly tlsVerify?: boolean;
  readonly signal?: AbortSignal;
  readonly output?: ProgressOutput;
  readonly env?: NodeJS.ProcessEnv;
}

/** An image written. */
export interface WrittenImage {
  /** The manifest's digest: what the registry serves the image as. */
  readonly digest: string;
  /** The config's digest (the image ID). */
  readonly configDigest: string;
  readonly layers: readonly Pick<LayerResult, 'diffId' | 'digest' | 'size' | 'mediaType'>[];
}

/** Where a repository is, for the API, and the tag or digest the image has there. */
interface Repo extends RepositoryAddress {
  readonly reference: string;
}

function repoOf(ref: ImageReference): Repo {
  return { ...repositoryAddress(ref), reference: ref.digest ?? ref.tag ?? 'latest' };
}

/**
 * How many model layers are uploaded (or written) at once. A registry receives each blob on one connection and
 * hashes it as it arrives, on one core: docker-registry 2.8 takes about 3.5 s of CPU per GiB (Go 1.19's SHA-256 has
 * no SHA extensions), more than modelcar's reading and hashing. Several layers at once keep the registry's cores busy,
 * as container engines do (dockerd's `max-concurrent-uploads` defaults to 5); each upload holds two read buffers
 * (CHUNK_BYTES), so memory stays flat. Measured in BENCHMARKS.md.
 */
export const LAYER_UPLOADS = 3;

/** Writes a model image. Throws a RegistryError or an Error that says what failed; an AbortedError when interrupted. */
export async function writeImage(options: WriteImageOptions): Promise<WrittenImage> {
  const { image } = options;
  const line = (text: string) => options.output?.write(`${text}\n`);
  // Stops the uploads in progress on an interrupt, and on the failure of one of them (the first error is reported).
  const stop = new AbortController();
  const interrupted = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) interrupted();
  options.signal?.addEventListener('abort', interrupted, { once: true });
  const signal = stop.signal;
  const target = repoOf(parseImageReference(image.image));
  const base = repoOf(parseImageReference(image.baseImage));
  const clients = new Map<string, RegistryClient>();
  const client = (repo: Repo): RegistryClient => {
    const found = findCredentials(repo.registry, repo.repository, options.authfile, options.env);
    const key = `${repo.host}\n${found.from ?? ''}`;
    let c = clients.get(key);
    if (!c) {
      c = new RegistryClient(repo.host, { credentials: found.credentials, tlsVerify: options.tlsVerify, signal, env: options.env });
      clients.set(key, c);
    }
    return c;
  };
  try {
    const baseClient = client(base);
    await baseClient.login([`repository:${base.repository}:pull`]);
    const { manifest: baseManifest, digest: baseDigest, config: baseConfig } = await readBase(baseClient, base, image.baseImage);
    const baseLayers = baseManifest.layers.map((l) => ociLayer(l, image.baseImage));

    const containerfile = image.containerfile('').render();
    const copies = containerfile.split('\n').filter((l) => l.startsWith('COPY '));
    const labels: Record<string, string> = {};
    for (const [key, value] of Object.entries(image.labels())) labels[key] = typeof value === 'string' ? value : image.baseImage;
    labels[FILES_LABEL] = options.filesLabel;
    const configSteps = ['ARG BASE_IMAGE', `LABEL ${Object.keys(image.labels()).sort().join(' ')}`, 'ENTRYPOINT []', `USER ${userOf(containerfile)}`, `LABEL ${FILES_LABEL}`];

    const sink = options.destination.kind === 'registry' ? await registrySink(client(target), target, base, baseClient, line) : await layoutSink(options.destination, base, baseClient);
    try {
      await sink.baseLayers(baseLayers);
      const previous = await sink.previousLayers(target.reference);
      const layers: { result: Pick<LayerResult, 'diffId' | 'digest' | 'size' | 'mediaType'>; key: string }[] = [];
      // A layer's line is said once it and every layer before it are done: the same order whatever finishes first.
      const lines: string[] = [];
      let said = 0;
      const done = (i: number, text: string) => {
        lines[i] = text;
        while (said < image.layers.length && lines[said] !== undefined) line(lines[said++]);
      };
      const writeOne = async (i: number): Promise<void> => {
        const group = image.layers[i];
        const files = group.map((f) => ({ target: f.target, source: options.staged.get(f.target)! }));
        const bytes = files.reduce((sum, f) => sum + fileSize(f.source), 0);
        const what = group.length === 1 ? group[0].target : `${group.length} files in ${path.posix.dirname(group[0].target)}/`;
        const key = layerKey(
          options.compression,
          group.map((f) => ({ target: f.target, sha256: options.fileDigests.get(f.target)! })),
        );
        const known = previous.get(key);
        if (known && known.descriptor.mediaType === LAYER_MEDIA_TYPES[options.compression] && (await sink.hasLayer(known.descriptor.digest))) {
          layers[i] = { result: { diffId: known.diffId, digest: known.descriptor.digest, size: known.descriptor.size, mediaType: known.descriptor.mediaType }, key };
          done(i, `${image.key}: layer ${i + 1}/${image.layers.length} ${what}: ${formatBytes(bytes)} unchanged, already in the registry as ${known.descriptor.digest.slice(0, 19)}`);
          return;
        }
        const started = Date.now();
        const result = await writeLayer(files, sink.layer, { compression: options.compression, signal, env: options.env });
        const seconds = Math.max(Date.now() - started, 1) / 1000;
        layers[i] = { result, key };
        // An uncompressed layer of many small files is mostly tar headers: its size (what was sent) is said then.
        const layer = options.compression !== 'none' ? `${options.compression} ${formatBytes(result.size)}` : result.size > bytes * 1.01 ? `uncompressed, a ${formatBytes(result.size)} layer` : 'uncompressed';
        const sent = Math.max(bytes, options.compression === 'none' ? result.size : 0);
        done(i, `${image.key}: layer ${i + 1}/${image.layers.length} ${what}: ${formatBytes(bytes)} ${sink.verb} as ${result.digest.slice(0, 19)} (${layer}) in ${formatDuration(seconds)}, ${formatBytes(Math.round(sent / seconds))}/s`);
      };
      await inTurn(image.layers.length, LAYER_UPLOADS, writeOne, stop);
      const config = modelImageConfig(baseConfig, { layers: layers.map((l, i) => ({ diffId: l.result.diffId, createdBy: copies[i], key: l.key })), user: userOf(containerfile), labels, configSteps });
      const configBlob = jsonBlob(config, OCI_CONFIG);
      await sink.blob(configBlob.bytes, configBlob.descriptor.digest);
      const manifest = modelImageManifest(
        configBlob.descriptor,
        [...baseLayers, ...layers.map(({ result: l }): Descriptor => ({ mediaType: l.mediaType, digest: l.digest, size: l.size }))],
        image.baseImage,
        baseDigest,
      );
      const manifestBlob = jsonBlob(manifest, OCI_MANIFEST);
      const digest = await sink.manifest(manifestBlob.bytes, manifestBlob.descriptor, target.reference);
      return { digest, configDigest: configBlob.descriptor.digest, layers: layers.map((l) => l.result) };
    } catch (e) {
      await sink.abandon();
      throw e;
    }
  } finally {
    options.signal?.removeEventListener('abort', interrupted);
    for (const c of clients.values()) c.close();
  }
}

/**
 * Runs `work(0)` ... `work(count - 1)`, at most `limit` at a time, in order of index. The first failure stops the
 * others (`stop` is aborted with it, so that they end their requests) and is thrown once they have ended; the
 * failures they end with are the consequence, not the cause.
 */
async function inTurn(count: number, limit: number, work: (index: number) => Promise<void>, stop: AbortController): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < count && !failure && !stop.signal.aborted) {
      const index = next++;
      try {
        await work(index);
      } catch (e) {
        failure ??= { error: e };
        stop.abort(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  if (failure) throw failure.error;
  if (stop.signal.aborted) throw new AbortedError(stop.signal.reason);
}

function userOf(containerfile: string): string {
  const user = containerfile.split('\n').find((l) => l.startsWith('USER '));
  if (!user) throw new Error('the Containerfile has no USER');
  return user.slice('USER '.length);
}

/** The base image's platform manifest (from an index: this machine's platform), its digest and its config. */
async function readBase(client: RegistryClient, base: Repo, name: string): Promise<{ manifest: ImageManifest; digest: string; config: ImageConfig }> {
  let answer = await client.getManifest(base.repository, base.reference);
  let json = JSON.parse(answer.body.toString('utf8'));
  if (answer.mediaType === OCI_INDEX || answer.mediaType === DOCKER_LIST || Array.isArray(json.manifests)) {
    const picked = pickPlatform(json, hostPlatform(), name);
    answer = await client.getManifest(base.repository, picked.digest);
    json = JSON.parse(answer.body.toString('utf8'));
  }
  const manifest = json as ImageManifest;
  if (manifest.schemaVersion !== 2 || !manifest.config || !Array.isArray(manifest.layers)) {
    throw new Error(`the base image ${name} has a manifest of type ${answer.mediaType || 'unknown'}, which modelcar's image writer does not read; use --builder podman or buildah`);
  }
  const config = JSON.parse((await client.getBlob(base.repository, manifest.config.digest)).toString('utf8')) as ImageConfig;
  if (!config.rootfs || !Array.isArray(config.rootfs.diff_ids) || config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new Error(`the base image ${name} has a config whose rootfs does not match its ${manifest.layers.length} layers`);
  }
  return { manifest, digest: answer.digest, config };
}

/** Where blobs and the manifest go. */
interface Sink {
  /** How a layer's arrival is said: "pushed", "written". */
  readonly verb: string;
  baseLayers(layers: readonly Descriptor[]): Promise<void>;
  /** The model layers of the image at the reference now, by key (none for a layout, which is written anew). */
  previousLayers(reference: string): Promise<Map<string, { descriptor: Descriptor; diffId: string }>>;
  /** Whether a layer blob is already there. */
  hasLayer(digest: string): Promise<boolean>;
  layer: LayerSink;
  blob(bytes: Buffer, digest: string): Promise<void>;
  /** Writes the manifest (the last step) and returns its digest. */
  manifest(bytes: Buffer, descriptor: Descriptor, reference: string): Promise<string>;
  /** Cleans up after a failure. */
  abandon(): Promise<void>;
}

async function registrySink(client: RegistryClient, target: Repo, base: Repo, baseClient: RegistryClient, line: (text: string) => void): Promise<Sink> {
  await client.login([`repository:${target.repository}:pull,push`]);
  return {
    verb: 'pushed',
    async baseLayers(layers) {
      let copied = 0;
      for (const layer of layers) {
        if (await client.hasBlob(target.repository, layer.digest)) continue;
        if (target.host === base.host && baseClient === client && (await client.mountBlob(target.repository, layer.digest, base.repository))) continue;
        const response = await baseClient.stream(`/v2/${base.repository}/blobs/${layer.digest}`, [`repository:${base.repository}:pull`]);
        const hash = createHash('sha256');
        // Hashed as it passes (a listener on the response would drain it before the upload starts).
        const source = tap((chunk) => hash.update(chunk));
        await client.upload(target.repository, (body) => pipeline(response, source, body as NodeJS.WritableStream & Writable), () => {
          const actual = `sha256:${hash.digest('hex')}`;
          if (actual !== layer.digest) throw new RegistryError(`${base.host}: the base layer ${layer.digest} of ${base.repository} arrived with the digest ${actual}`);
          return actual;
        });
        copied++;
      }
      if (copied) line(`copied ${copied} base layer${copied === 1 ? '' : 's'} from ${base.registry}/${base.repository}`);
    },
    async previousLayers(reference) {
      // What the tag points to now; anything unexpected (none, an index, another tool's image) reuses nothing.
      try {
        const current = await client.getManifest(target.repository, reference);
        const manifest = JSON.parse(current.body.toString('utf8')) as ImageManifest;
        if (!manifest.config || !Array.isArray(manifest.layers)) return new Map();
        const config = JSON.parse((await client.getBlob(target.repository, manifest.config.digest)).toString('utf8')) as ImageConfig;
        return layersByKey(manifest, config);
      } catch (e) {
        if (e instanceof RegistryError && (e.status === 404 || e.status === 400)) return new Map();
        throw e;
      }
    },
    hasLayer: (digest) => client.hasBlob(target.repository, digest),
    layer: (blob, digest) => client.upload(target.repository, blob, digest),
    async blob(bytes, digest) {
      if (!(await client.hasBlob(target.repository, digest))) await client.uploadBuffer(target.repository, bytes, digest);
    },
    manifest: (bytes, descriptor) => client.putManifest(target.repository, target.reference, descriptor.mediaType, bytes),
    async abandon() {
      // Uploads cancel themselves; nothing was tagged.
    },
  };
}

/**
 * An OCI image layout folder (image-layout.md), written in a temporary folder beside it and renamed into place
 * once complete. The base layers are downloaded into it. Every entry is reached through {@link SafeFolder} from the
 * layout root: a symbolic link in place of the layout folder, of a folder on the way to it (a namespace's), or on
 * the way to a blob, is refused, never written through; the temporary folder is removed if the process is made to
 * exit at once.
 */
async function layoutSink(destination: { readonly root: string; readonly dir: string }, base: Repo, baseClient: RegistryClient): Promise<Sink> {
  const root = path.resolve(destination.root);
  const parent = SafeFolder.open(root, { create: 0o755, shown: path.relative(process.cwd(), root) || '.', what: 'layout folder' });
  const name = destination.dir;
  const folder = parentOf(name);
  if (folder) parent.makeFolders(folder);
  const existing = parent.lstat(name);
  if (existing) {
    parent.refuseUnsafe(name, existing, 'folder');
    if (!existing.isDirectory() || (parent.list(name)?.length ?? 0) > 0) throw new LayoutExistsError(path.resolve(root, ...name.split('/')));
  }
  const made = path.basename(fs.mkdtempSync(path.join(parent.full(folder), `.${path.posix.basename(name)}.modelcar-`)));
  const temp = folder ? `${folder}/${made}` : made;
  const dropTemp = onInterrupt(() => parent.removeTree(temp));
  parent.adopt(parent.full(temp), folder);
  parent.makeFolders(`${temp}/blobs/sha256`);
  const blobPath = (digest: string) => `${temp}/blobs/sha256/${digest.replace(/^sha256:/, '')}`;
  /** A new file for a blob being written: created (never through a link), given mode 0644 whatever the umask. */
  const newPart = (): { rel: string; out: fs.WriteStream } => {
    const rel = `${temp}/part-${partCount++}`;
    const fd = fs.openSync(parent.full(rel), CREATE_NOFOLLOW, 0o644);
    parent.giveModeAndOwner(fd, rel, 0o644);
    return { rel, out: fs.createWriteStream(parent.full(rel), { fd }) };
  };
  /** Stores a complete blob under its digest (a blob already there has the same bytes: left as it is). */
  const store = (part: string, digest: string) => {
    if (parent.lstat(blobPath(digest))) parent.removeEntry(part);
    else parent.rename(part, blobPath(digest));
  };
  let partCount = 0;
  return {
    verb: 'written',
    async baseLayers(layers) {
      for (const layer of layers) {
        const response = await baseClient.stream(`/v2/${base.repository}/blobs/${layer.digest}`, [`repository:${base.repository}:pull`]);
        const hash = createHash('sha256');
        const source = response.pipe(tap((chunk) => hash.update(chunk)));
        response.on('error', (e) => source.destroy(e));
        const { rel, out } = newPart();
        await pipeline(source, out);
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual !== layer.digest) throw new RegistryError(`${base.host}: the base layer ${layer.digest} of ${base.repository} arrived with the digest ${actual}`);
        store(rel, layer.digest);
      }
    },
    previousLayers: async () => new Map(),
    hasLayer: async () => false,
    async layer(write, digest) {
      const { rel, out } = newPart();
      // Its errors reach `write` through the write callbacks; one after a failure elsewhere has nobody to tell.
      out.on('error', () => undefined);
      try {
        await write(out);
      } finally {
        out.destroy();
      }
      store(rel, digest());
    },
    async blob(bytes, digest) {
      if (!parent.lstat(blobPath(digest))) parent.createFile(blobPath(digest), bytes, 0o644);
    },
    async manifest(bytes, descriptor, reference) {
      if (!parent.lstat(blobPath(descriptor.digest))) parent.createFile(blobPath(descriptor.digest), bytes, 0o644);
      const annotations = reference.startsWith('sha256:') ? undefined : { 'org.opencontainers.image.ref.name': reference };
      parent.createFile(`${temp}/oci-layout`, JSON.stringify({ imageLayoutVersion: '1.0.0' }), 0o644);
      parent.createFile(`${temp}/index.json`, JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ ...descriptor, ...(annotations ? { annotations } : {}) }] }), 0o644);
      // An empty folder in its place (checked above) goes; anything that came since makes the rename fail.
      if (parent.lstat(name)) parent.removeEmptyFolder(name);
      parent.rename(temp, name);
      dropTemp();
      return descriptor.digest;
    },
    async abandon() {
      parent.removeTree(temp);
      dropTemp();
    },
  };
}

/** The layout folder exists and is not empty. */
export class LayoutExistsError extends Error {
  constructor(public readonly dir: string) {
    super(`${dir} exists and is not empty; an OCI layout is written into a new folder (remove it, or name another)`);
    this.name = 'LayoutExistsError';
  }
}
