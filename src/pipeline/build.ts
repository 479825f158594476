/**
 * `modelcar build`: builds each model image from its build context, reproducibly (the same inputs give the same
 * digest), optionally pushes it, and records the pushed digests in the lock file next to the config, from which synth
 * pins storageUri. Two ways: modelcar's own image writer (image/writer.ts: the layers written straight from the
 * staged files to the registry, or to an OCI layout), or podman/buildah on the Containerfile (see
 * {@link BUILD_FLAGS}), which build into local container storage. Both make the same layers.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../core/errors';
import { prepareAuthFile } from './registry-auth';
import { BUILDERS, BuilderName, chooseBuilder, findOnPath, runCommand } from './builder';
import { Compression, DEFAULT_COMPRESSION } from './image/compression';
import { LayoutExistsError, writeImage } from './image/writer';
import { RegistryError } from './image/registry';
import { ConfigImage, loadConfigImages } from './config-images';
import { BUILD_FLAGS, FILES_LABEL } from '../core/model-files';
import { ProgressOutput } from './progress';
import { parseImageReference, repositoryOf } from '../core/image-ref';
import { LockEntry, inputsDigest, lockFileOf, readLock, writeLock } from './lock';
import { INTERRUPTED_EXIT_CODE, stagedDigests } from './stage';
import { sourceName } from './synthesize';
import { AbortedError } from './transfer';

/** Options of {@link build}. */
export interface BuildOptions {
  /** The config file. */
  readonly config: string;
  /** The output folder that holds the build contexts (written by synth, filled by stage). */
  readonly outdir: string;
  /** Models to build, as `name` or `namespace/name`. @default - all */
  readonly models?: readonly string[];
  /** Push each image and record its digest in the lock file. @default false */
  readonly push?: boolean;
  /**
   * `modelcar` (its own image writer: straight to the registry, or to an OCI layout), `podman` or `buildah` (into
   * local container storage). @default - modelcar with push or layout; else podman when installed, else buildah
   */
  readonly builder?: string;
  /** With the modelcar builder and without push: write each image as an OCI image layout under this folder, at `<layout>/<namespace>/<model>`. */
  readonly layout?: string;
  /** A Docker config JSON or a dockerconfigjson pull secret with the registry credentials. @default - the standard auth file */
  readonly authfile?: string;
  /** Verify the registry's TLS certificate (and refuse plain http). @default true */
  readonly tlsVerify?: boolean;
  /** Where lines, and the builder's own output, go. @default - nowhere */
  readonly output?: ProgressOutput;
  /** The environment of the builder. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Stops the build (the builder is terminated). */
  readonly signal?: AbortSignal;
}

/** One built (and maybe pushed) image. */
export interface BuiltImage {
  readonly key: string;
  /** The reference it was tagged (and pushed) as. */
  readonly image: string;
  /** The local image ID (`sha256:...`, the digest of its config). */
  readonly imageId: string;
  /** The pushed manifest digest, when pushed. */
  readonly digest?: string;
}

/** What {@link build} did. */
export interface BuildResult {
  readonly builder: BuilderName | 'modelcar';
  readonly images: readonly BuiltImage[];
  /** The lock file, when pushing wrote it. */
  readonly lockFile?: string;
}

/** Above this, a label would not fit in one command-line argument (Linux: 128 KiB). */
const MAX_LABEL_BYTES = 120 * 1024;

/**
 * Builds the model images of a config. Checks first, for every selected model, that the build context is the one
 * synth writes for the config and that every model file is staged and matches; then builds (and pushes) them one by
 * one. Throws a UserError on the first failure; the lock file then holds the images pushed before it.
 */
export async function build(options: BuildOptions): Promise<BuildResult> {
  const { outdir, images, all } = loadConfigImages(options.config, options.outdir, options.models);
  const output = options.output ?? { write: () => undefined };
  const line = (text: string) => output.write(`${text}\n`);
  const env = options.env ?? process.env;
  const builder = pickBuilder(options, env);
  const source = sourceName(options.config, outdir);
  const lockFile = lockFileOf(options.config);

  for (const item of images) {
    checkContext(item, source, options, outdir);
    if (options.push && parseImageReference(item.image.image).digest !== undefined) {
      throw new UserError(`${item.image.key}: image ${item.image.image} is given by digest, and a digest cannot be pushed to; give a tag in the config`);
    }
  }
  const digests = new Map<ConfigImage, string[]>();
  for (const item of images) digests.set(item, await interruptible(() => stagedDigests(item, { output, signal: options.signal })));

  if (builder === 'modelcar') return buildWithWriter(options, images, all, digests, outdir, lockFile, env);
  if (options.push) for (const item of images) compressionFlags(item, builder.name);
  const auth = prepareAuthFile(options.authfile, env);
  const common = [...(options.tlsVerify === false ? ['--tls-verify=false'] : []), ...(auth.path ? ['--authfile', auth.path] : [])];
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-build-'));
  const built: BuiltImage[] = [];
  const pushed = new Map<string, LockEntry>();
  try {
    if (options.push) line(`pushing with ${auth.describe}`);

    for (const item of images) {
      const { image } = item;
      const label = image.filesLabel(outdir, digests.get(item)!);
      if (Buffer.byteLength(label) > MAX_LABEL_BYTES) {
        throw new UserError(`${image.key}: the list of its ${image.files.length} files is too long for the ${FILES_LABEL} label; put fewer files in the model`);
      }
      const iidfile = path.join(temp, 'iid');
      const args = ['build', ...BUILD_FLAGS, ...common, '--label', `${FILES_LABEL}=${label}`, '--iidfile', iidfile, '-f', path.join(item.contextDir, 'Containerfile'), '-t', image.image, item.contextDir];
      line(`${image.key}: building ${image.image}`);
      line(`$ ${builder.name} ${args.map((a) => (a.startsWith(`${FILES_LABEL}=`) ? `'${FILES_LABEL}=<${image.files.length} files>'` : a)).join(' ')}`);
      await run(builder, args, env, output, options.signal, `${image.key}: ${builder.name} build failed`);
      const imageId = normalizeDigest(fs.readFileSync(iidfile, 'utf8'));
      line(`${image.key}: built ${image.image} (image ID ${imageId})`);
      let digest: string | undefined;
      if (options.push) {
        const digestfile = path.join(temp, 'digest');
        fs.rmSync(digestfile, { force: true });
        const pushArgs = ['push', ...common, ...compressionFlags(item, builder.name), '--digestfile', digestfile, image.image, `docker://${image.image}`];
        line(`$ ${builder.name} ${pushArgs.join(' ')}`);
        await run(builder, pushArgs, env, output, options.signal, `${image.key}: ${builder.name} push failed (${auth.describe})`);
        digest = normalizeDigest(fs.readFileSync(digestfile, 'utf8'));
        line(`${image.key}: pushed ${image.image} as ${repositoryOf(parseImageReference(image.image))}@${digest}`);
        pushed.set(image.key, lockEntry(item, digest, digests.get(item)!));
        recordLock(lockFile, options.config, pushed, all.map((i) => i.image.key));
      }
      built.push({ key: image.key, image: image.image, imageId, digest });
    }
  } finally {
    auth.cleanup();
    fs.rmSync(temp, { recursive: true, force: true });
  }
  if (pushed.size) line(`recorded ${pushed.size} digest${pushed.size === 1 ? '' : 's'} in ${path.relative(process.cwd(), lockFile) || lockFile}; run \`modelcar synth\` to pin storageUri to them`);
  return { builder: builder.name, images: built, lockFile: pushed.size ? lockFile : undefined };
}

/**
 * The builder: the one asked for; else modelcar's own writer when the image goes to a registry or a layout, and
 * podman (else buildah) when it goes into local container storage, where only they put it.
 */
function pickBuilder(options: BuildOptions, env: NodeJS.ProcessEnv): { name: BuilderName; path: string } | 'modelcar' {
  if (options.builder === 'modelcar' || (options.builder === undefined && (options.push || options.layout !== undefined))) {
    if (!options.push && options.layout === undefined) {
      const other = BUILDERS.find((b) => findOnPath(b, env));
      throw new UserError(`--builder modelcar writes an image to a registry (--push) or to an OCI layout folder (--layout DIR); to build into local container storage use ${other ? `--builder ${other}` : 'podman or buildah'}`, 2);
    }
    if (options.push && options.layout !== undefined) throw new UserError('--layout writes the images into a folder instead of pushing them; give --push or --layout, not both', 2);
    return 'modelcar';
  }
  if (options.layout !== undefined) throw new UserError(`--layout is written by --builder modelcar, not ${options.builder}`, 2);
  return chooseBuilder(options.builder, env);
}

/**
 * The push flags of a model's compression with podman or buildah: none when the config names none (they compress
 * with gzip), else the flag that asks for it. podman 4 cannot push uncompressed layers (`--compression-format` knows
 * gzip and zstd; buildah has `--disable-compression`): refused, before anything is built.
 */
function compressionFlags(item: ConfigImage, builder: BuilderName): string[] {
  const c = configuredCompression(item);
  if (c === undefined || c === 'gzip') return [];
  if (c === 'zstd') return ['--compression-format', 'zstd'];
  if (builder === 'podman') throw new UserError(`${item.image.key}: compression none: podman cannot push uncompressed layers; use --builder modelcar or buildah, or compression zstd or gzip`);
  return ['--disable-compression'];
}

/** The compression the config gives a model's layers (its own, else its defaults'), if any. */
function configuredCompression(item: ConfigImage): Compression | undefined {
  const config = item.loaded.config;
  return (config.models[item.modelIndex]?.compression ?? config.defaults?.compression) as Compression | undefined;
}

/** The compression of a model's layers with modelcar's writer: the config's, else {@link DEFAULT_COMPRESSION}. */
function compressionOf(item: ConfigImage): Compression {
  return configuredCompression(item) ?? DEFAULT_COMPRESSION;
}

function lockEntry(item: ConfigImage, digest: string, fileDigests: readonly string[]): LockEntry {
  const files: Record<string, string> = {};
  item.image.files.forEach((f, i) => (files[f.target] = `sha256:${fileDigests[i]}`));
  return { image: item.image.image, digest, inputs: inputsDigest(item.image), files };
}

/** Builds with modelcar's own image writer: each image pushed (and recorded in the lock file) or written as a layout. */
async function buildWithWriter(
  options: BuildOptions,
  images: readonly ConfigImage[],
  all: readonly ConfigImage[],
  digests: ReadonlyMap<ConfigImage, string[]>,
  outdir: string,
  lockFile: string,
  env: NodeJS.ProcessEnv,
): Promise<BuildResult> {
  const output = options.output ?? { write: () => undefined };
  const line = (text: string) => output.write(`${text}\n`);
  const auth = prepareAuthFile(options.authfile, env);
  const built: BuiltImage[] = [];
  const pushed = new Map<string, LockEntry>();
  try {
    line(`${options.push ? 'pushing' : 'reading base images'} with ${auth.describe}`);
    for (const item of images) {
      const { image } = item;
      const label = image.filesLabel(outdir, digests.get(item)!);
      const compression = compressionOf(item);
      const layout = options.layout === undefined ? undefined : path.resolve(options.layout, ...image.key.split('/'));
      line(`${image.key}: ${options.push ? 'pushing' : 'writing'} ${image.image} (${image.layers.length} model layer${image.layers.length === 1 ? '' : 's'}, ${compression === 'none' ? 'uncompressed' : compression}) on ${image.baseImage}${layout ? ` to ${path.relative(process.cwd(), layout) || '.'}` : ''}`);
      let written;
      try {
        written = await writeImage({
          image,
          contextDir: item.contextDir,
          filesLabel: label,
          fileDigests: new Map(image.files.map((f, i) => [f.target, digests.get(item)![i]])),
          compression,
          destination: layout ? { kind: 'layout', dir: layout } : { kind: 'registry' },
          authfile: auth.path,
          tlsVerify: options.tlsVerify,
          signal: options.signal,
          output,
          env,
        });
      } catch (e) {
        if (e instanceof AbortedError || options.signal?.aborted) {
          throw new UserError(`interrupted while ${options.push ? 'pushing' : 'writing'} ${image.key}; ${options.push ? 'its upload was cancelled and the tag left as it was' : 'the partial layout was removed'}`, INTERRUPTED_EXIT_CODE);
        }
        if (e instanceof RegistryError) throw new UserError(`${image.key}: ${e.message}${e.status === 401 || e.status === 403 ? ` (${auth.describe})` : ''}`);
        if (e instanceof LayoutExistsError || e instanceof UserError) throw new UserError(`${image.key}: ${e.message}`, e instanceof UserError ? e.exitCode : 1);
        if (typeof (e as NodeJS.ErrnoException).code === 'string') throw new UserError(`${image.key}: ${(e as Error).message}`);
        throw e;
      }
      if (options.push) {
        line(`${image.key}: pushed ${image.image} as ${repositoryOf(parseImageReference(image.image))}@${written.digest} (image ID ${written.configDigest})`);
        pushed.set(image.key, lockEntry(item, written.digest, digests.get(item)!));
        recordLock(lockFile, options.config, pushed, all.map((i) => i.image.key));
      } else line(`${image.key}: wrote ${image.image} as ${written.digest} (image ID ${written.configDigest}) to ${layout}`);
      built.push({ key: image.key, image: image.image, imageId: written.configDigest, digest: written.digest });
    }
  } finally {
    auth.cleanup();
  }
  if (pushed.size) line(`recorded ${pushed.size} digest${pushed.size === 1 ? '' : 's'} in ${path.relative(process.cwd(), lockFile) || lockFile}; run \`modelcar synth\` to pin storageUri to them`);
  return { builder: 'modelcar', images: built, lockFile: pushed.size ? lockFile : undefined };
}

/** Refuses a build context that is missing or not what synth writes for the config now. */
function checkContext(item: ConfigImage, source: string, options: BuildOptions, outdir: string): void {
  const synth = `modelcar synth -c ${options.config} -o ${options.outdir}`;
  const env = item.environment;
  for (const file of item.image.render({ source: env ? `${source}, environment ${env}` : source, outdir, subdir: env })) {
    if (!file.path.endsWith('/Containerfile') && !file.path.endsWith('/.containerignore')) continue;
    const full = path.join(outdir, ...(env ? [env] : []), ...file.path.split('/'));
    let current: string | undefined;
    try {
      current = fs.readFileSync(full, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === undefined) throw new UserError(`${item.image.key}: ${path.relative(process.cwd(), full)} is missing; run \`${synth}\` first`);
    if (current !== file.content) throw new UserError(`${item.image.key}: ${path.relative(process.cwd(), full)} is not what synth writes for the config now; run \`${synth}\` first`);
  }
}

async function interruptible<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof AbortedError) throw new UserError('interrupted; nothing was built', INTERRUPTED_EXIT_CODE);
    throw e;
  }
}

async function run(builder: { name: string; path: string }, args: string[], env: NodeJS.ProcessEnv, output: ProgressOutput, signal: AbortSignal | undefined, failure: string): Promise<void> {
  const code = await runCommand(builder.path, args, { env, write: (t) => output.write(t), signal });
  if (signal?.aborted) throw new UserError(`interrupted; ${builder.name} was stopped`, INTERRUPTED_EXIT_CODE);
  if (code !== 0) throw new UserError(`${failure} (exit ${code}); its output is above`);
}

function normalizeDigest(text: string): string {
  const value = text.trim();
  const digest = value.startsWith('sha256:') ? value : `sha256:${value}`;
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`the builder wrote ${JSON.stringify(value)} where a digest was expected`);
  return digest;
}

/** Merges newly pushed entries into the lock file, dropping entries of models the config no longer has. */
function recordLock(file: string, config: string, pushed: ReadonlyMap<string, LockEntry>, keys: readonly string[]): void {
  const existing = fs.existsSync(file) ? readLock(file).images : {};
  const images: Record<string, LockEntry> = {};
  for (const key of keys) {
    const entry = pushed.get(key) ?? existing[key];
    if (entry) images[key] = entry;
  }
  writeLock(file, { images }, path.basename(config));
}
