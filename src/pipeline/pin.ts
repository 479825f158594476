/**
 * `modelcar pin`: records the digest of model images that were built and pushed elsewhere (in CI, by build.sh, by an
 * in-cluster build), as `modelcar build --push` records the ones it pushes. For each model, it reads the manifest
 * its image reference names from the registry (with the same credentials as the push), then the image's labels,
 * and checks that the image holds the model's files: each file the config (or the lock file) pins must be in the
 * image with that SHA-256, and the image must hold no other, on the base image the config names. Only then is the
 * digest recorded in the lock file, from which synth pins storageUri.
 */
import * as path from 'path';
import { ConfigError, Diagnostic, UserError } from '../core/errors';
import { FILES_LABEL, ModelFileEntry, pinOrigin } from '../core/model-files';
import { parseImageReference, repositoryOf } from '../core/image-ref';
import { sortDiagnostics } from '../config/load';
import { ConfigImage, loadConfigImages } from './config-images';
import { LockEntry, inputsDigest, lockFileOf, recordImages } from './lock';
import { ProgressOutput } from './progress';
import { setOwn } from '../core/records';
import { RegistryError, RegistryReader, registryCredentials } from './registry-client';
import type { FoundCredentials } from './image/credentials';
import { repositoryAddress } from './image/registry';
import { readAuthFile } from './registry-auth';

/** Options of {@link pin}. */
export interface PinOptions {
  /** The config file. */
  readonly config: string;
  /** Models to pin, as `name` or `namespace/name`. @default - all */
  readonly models?: readonly string[];
  /** A Docker config JSON or a dockerconfigjson pull secret with the registry credentials. @default - the standard auth files */
  readonly authfile?: string;
  /** Verify the registry's TLS certificate (and refuse plain http). @default true */
  readonly tlsVerify?: boolean;
  /** Where the auth files and proxies are found. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Where lines go. @default - nowhere */
  readonly output?: ProgressOutput;
  readonly signal?: AbortSignal;
}

/** One pinned image. */
export interface PinnedImage {
  readonly key: string;
  /** The reference as the config gives it. */
  readonly image: string;
  /** The manifest digest recorded. */
  readonly digest: string;
}

/** What {@link pin} recorded. */
export interface PinResult {
  readonly images: readonly PinnedImage[];
  readonly lockFile: string;
}

/** The label with the base image's reference, set by the Containerfile from its BASE_IMAGE argument. */
const BASE_LABEL = 'org.opencontainers.image.base.name';

/**
 * Resolves and checks the image of each selected model, then records them all in the lock file. Throws a
 * {@link ConfigError} naming every file that does not match (at its line in the config), and writes nothing then;
 * a {@link UserError} when a registry cannot be read.
 */
export async function pin(options: PinOptions): Promise<PinResult> {
  const env = options.env ?? process.env;
  const { images, all } = loadConfigImages(options.config, 'dist', options.models);
  const line = (text: string) => options.output?.write(`${text}\n`);
  const lockFile = lockFileOf(options.config);
  const entries = new Map<string, LockEntry>();
  const problems: Diagnostic[] = [];
  const pinned: PinnedImage[] = [];
  const authfile = options.authfile !== undefined ? { file: options.authfile, config: readAuthFile(options.authfile) } : undefined;
  // Models of one repository look their credentials up once (a credential helper runs once), and models with the
  // same credentials for one registry share a reader: one login, one token per repository, one connection pool.
  const credentials = new Map<string, FoundCredentials>();
  const readers = new Map<string, RegistryReader>();
  try {
    for (const item of images) {
      const { image } = item;
      const ref = parseImageReference(image.image);
      const address = repositoryAddress(ref);
      const { host, repository } = address;
      const credentialsKey = `${address.registry}/${repository}`;
      const found = credentials.get(credentialsKey) ?? registryCredentials(address, authfile, env);
      credentials.set(credentialsKey, found);
      const readerKey = `${host}\n${found.from ?? ''}`;
      const client = readers.get(readerKey) ?? new RegistryReader(host, { tlsVerify: options.tlsVerify, credentials: found.credentials, env, signal: options.signal });
      readers.set(readerKey, client);
      let digest: string;
      let labels: Readonly<Record<string, string>>[];
      try {
        const manifest = await client.getManifest(repository, ref.digest ?? ref.tag ?? 'latest');
        digest = manifest.digest;
        labels = [];
        for (const config of await imageConfigs(client, repository, manifest.json)) {
          const blob = JSON.parse((await client.getBlob(repository, config)).toString('utf8'));
          labels.push(blob?.config?.Labels ?? {});
        }
      } catch (e) {
        if (e instanceof RegistryError) throw new UserError(`${image.key}: ${e.message}${found.from ? ` (credentials from ${found.from})` : ''}`);
        throw e;
      }
      const before = problems.length;
      for (const l of labels) checkImage(item, l, problems);
      if (problems.length > before) continue;
      const files = filesOf(labels[0]);
      const recorded: Record<string, string> = {};
      for (const f of image.files) setOwn(recorded, f.target, `sha256:${files.get(`/${f.target}`)}`);
      entries.set(image.key, { image: image.image, digest, inputs: inputsDigest(image), files: recorded });
      pinned.push({ key: image.key, image: image.image, digest });
      const unpinned = image.files.filter((f) => f.sha256 === undefined).length;
      const taken = unpinned ? ` (${unpinned} not pinned there: ${unpinned === 1 ? 'its digest is' : 'their digests are'} the image's)` : '';
      line(`${image.key}: ${image.image} is ${repositoryOf(ref)}@${digest}; its ${image.files.length} file${image.files.length === 1 ? '' : 's'} match the config${taken}${found.from ? `; credentials from ${found.from}` : ''}`);
    }
  } finally {
    for (const reader of readers.values()) await reader.close();
  }
  if (problems.length) throw new ConfigError(sortDiagnostics(problems));
  recordImages(lockFile, entries, all.map((i) => i.image), path.basename(options.config));
  line(`recorded ${pinned.length} digest${pinned.length === 1 ? '' : 's'} in ${path.relative(process.cwd(), lockFile) || lockFile}; run \`modelcar synth\` to pin storageUri to them`);
  return { images: pinned, lockFile };
}

/**
 * The config digests of an image: its own, or for an index (several platforms) those of the images it lists, less
 * attestations (`vnd.docker.reference.type`), which are not images.
 */
async function imageConfigs(client: RegistryReader, repository: string, manifest: any): Promise<string[]> {
  if (Array.isArray(manifest?.manifests)) {
    const configs: string[] = [];
    for (const m of manifest.manifests) {
      if (m?.annotations?.['vnd.docker.reference.type'] || typeof m?.digest !== 'string') continue;
      const child = await client.getManifest(repository, m.digest);
      configs.push(...(await imageConfigs(client, repository, child.json)));
    }
    return configs;
  }
  const config = manifest?.config?.digest;
  if (typeof config !== 'string') throw new RegistryError(`${client.host}/${repository}: the manifest names no config`);
  return [config];
}

/** The files label as path (in the image) -> SHA-256; empty when the label is missing or not the list modelcar writes. */
function filesOf(labels: Readonly<Record<string, string>>): Map<string, string> {
  const files = new Map<string, string>();
  try {
    const list = JSON.parse(labels[FILES_LABEL] ?? '[]');
    if (Array.isArray(list)) for (const f of list) if (typeof f?.path === 'string' && typeof f?.sha256 === 'string') files.set(f.path, f.sha256);
  } catch {
    // reported by checkImage
  }
  return files;
}

/** Checks an image's labels against the model's files and base image; each problem at its field of the config. */
function checkImage(item: ConfigImage, labels: Readonly<Record<string, string>>, problems: Diagnostic[]): void {
  const { image, loaded, modelIndex } = item;
  const model = ['models', modelIndex];
  const shown = image.image;
  if (labels[FILES_LABEL] === undefined) {
    problems.push(loaded.at([...model, 'image'], `${shown} has no ${FILES_LABEL} label: it was not built by \`modelcar build\` or the build.sh modelcar writes, so its files cannot be checked`));
    return;
  }
  const files = filesOf(labels);
  if (files.size === 0) {
    problems.push(loaded.at([...model, 'image'], `${shown}: its ${FILES_LABEL} label is not the list of files modelcar writes`));
    return;
  }
  const expected = new Set(image.files.map((f) => `/${f.target}`));
  for (const entry of image.files) {
    const inImage = files.get(`/${entry.target}`);
    const field = [...model, 'files', entry.index];
    if (inImage === undefined) problems.push(loaded.at(field, `${entry.target} is not in ${shown} (it has: ${[...files.keys()].map((p) => p.slice(1)).join(', ')}); build and push the image again`));
    else if (entry.sha256 !== undefined && inImage !== entry.sha256) problems.push(loaded.at([...field, pinField(entry)], `${entry.target} in ${shown} has sha256 ${inImage}, but ${pinWord(entry)} ${entry.sha256}`));
  }
  const extra = [...files.keys()].filter((p) => !expected.has(p));
  if (extra.length) problems.push(loaded.at([...model, 'files'], `${shown} holds ${extra.map((p) => p.slice(1)).join(', ')}, which the config does not have; build and push the image again`));
  const base = labels[BASE_LABEL];
  if (base !== undefined && base !== image.baseImage) {
    const where = loaded.config.models[modelIndex]?.baseImage !== undefined ? [...model, 'baseImage'] : model;
    problems.push(loaded.at(where, `${shown} was built on ${base}, but the config's base image is ${image.baseImage}; build and push the image again, or give baseImage: ${base}`));
  }
}

function pinField(entry: ModelFileEntry): string {
  return pinOrigin(entry) === 'config' ? 'sha256' : entry.hub ? 'repo' : 'source';
}

function pinWord(entry: ModelFileEntry): string {
  if (pinOrigin(entry) === 'config') return 'the config pins';
  return entry.hub ? 'the hub lists (as the lock file records)' : 'the lock file records';
}
