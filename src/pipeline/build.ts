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
import { lockFolder } from '../core/folder-lock';
import { AbortedError, INTERRUPTED_EXIT_CODE, onInterrupt, testPauseAsync } from '../core/interrupts';
import { setOwn } from '../core/records';
import { SafeFolder } from '../core/safe-fs';
import { AuthFile, prepareAuthFile } from './registry-auth';
import { BUILDERS, BuilderName, chooseBuilder, findOnPath, runCommand } from './builder';
import { ImageOrigin, PipelineImage, TreeImagesOptions } from './image-set';
import { Compression, DEFAULT_COMPRESSION } from '../core/compression';
import { LayoutExistsError, writeImage } from './image/writer';
import { RegistryError } from './image/registry';
import { BUILD_FLAGS, FILES_LABEL } from '../core/model-files';
import { ProgressOutput } from './progress';
import { parseImageReference, repositoryOf } from '../core/image-ref';
import { LockEntry, inputsDigest, recordImages } from './lock';
import { imageSet, stagedDigests } from './stage';

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

/**
 * Options of {@link build} for a construct tree written in TypeScript instead of a config: its model images
 * (`scope` or `images`), the output folder it was synthesized into and its `source`, as given to `synthesize()`;
 * with `push`, the digests go to `lockFile`, in the format `modelcar build --push` writes.
 */
export interface BuildTreeOptions extends Omit<BuildOptions, 'config'>, TreeImagesOptions {}

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
 * Builds the model images of a config, or of a construct tree. Checks first, for every selected model, that the
 * build context is the one synth writes for the config (or synthesize() for the tree) and that every model file is
 * staged and matches; then builds (and pushes) them one by one. Throws a UserError on the first failure; the lock
 * file then holds the images pushed before it.
 */
export async function build(options: BuildOptions | BuildTreeOptions): Promise<BuildResult> {
  const outdir = path.resolve(options.outdir);
  // The build contexts must not change under the builder: synth and stage fail while it runs. A build from a
  // read-only checkout (which nothing else can change either) runs without the lock.
  const lock = lockFolder(outdir, { command: options.push ? 'build --push' : 'build', shown: path.relative(process.cwd(), outdir) || '.', readOnly: true });
  try {
    return await buildLocked(options);
  } finally {
    lock.release();
  }
}

async function buildLocked(options: BuildOptions | BuildTreeOptions): Promise<BuildResult> {
  const { outdir, images, all } = imageSet(options);
  const output = options.output ?? { write: () => undefined };
  const env = options.env ?? process.env;
  const builder = pickBuilder(options, env);

  for (const item of images) {
    checkContext(item);
    if (options.push && parseImageReference(item.image.image).digest !== undefined) {
      throw new UserError(`${item.image.key}: image ${item.image.image} is given by digest, and a digest cannot be pushed to; give a tag in ${item.origin.name}`);
    }
  }
  const digests = new Map<PipelineImage, string[]>();
  for (const item of images) digests.set(item, await interruptible(() => stagedDigests(item, { output, signal: options.signal })));

  // Every image of a set has the same origin; a set without images builds nothing and writes no lock file.
  const pushes = new Pushes(all, all[0]?.origin, output);
  const line = (text: string) => output.write(`${text}\n`);
  const build = (auth: AuthFile): BuildRun => ({ options, images, digests, outdir, auth, pushes, env, output, line });
  if (builder === 'modelcar') {
    const built = await withAuthFile(options, env, (auth) => buildWithWriter(build(auth)));
    return { builder: 'modelcar', images: built, lockFile: pushes.done() };
  }
  if (options.push) for (const item of images) compressionFlags(item, builder.name);
  const built = await withAuthFile(options, env, (auth) => buildWithBuilder(build(auth), builder));
  return { builder: builder.name, images: built, lockFile: pushes.done() };
}

/** What either builder works with: the images, their files' digests, the credentials, and where to say and record. */
interface BuildRun {
  readonly options: BuildOptions | BuildTreeOptions;
  readonly images: readonly PipelineImage[];
  /** Each image's staged files' SHA-256, in the order of its files. */
  readonly digests: ReadonlyMap<PipelineImage, string[]>;
  readonly outdir: string;
  readonly auth: AuthFile;
  readonly pushes: Pushes;
  readonly env: NodeJS.ProcessEnv;
  readonly output: ProgressOutput;
  /** Writes a line to `output`. */
  readonly line: (text: string) => void;
}

/**
 * Runs `work` with the registry credentials ready for it: a pull secret's in a private temporary file, removed when
 * `work` ends, and at once on a second signal.
 */
async function withAuthFile<T>(options: BuildOptions | BuildTreeOptions, env: NodeJS.ProcessEnv, work: (auth: AuthFile) => Promise<T>): Promise<T> {
  const auth = prepareAuthFile(options.authfile, env);
  // A second signal exits at once: the credentials in the clear go first.
  const dropAuth = onInterrupt(() => auth.cleanup());
  try {
    await testPauseAsync('auth-file-ready', options.signal);
    if (options.signal?.aborted) throw new UserError('interrupted; nothing was built', INTERRUPTED_EXIT_CODE);
    return await work(auth);
  } finally {
    auth.cleanup();
    dropAuth();
  }
}

/** The images pushed so far: each recorded in the lock file as soon as it is pushed, and said once all are. */
class Pushes {
  private readonly pushed = new Map<string, LockEntry>();

  constructor(
    private readonly all: readonly PipelineImage[],
    private readonly origin: ImageOrigin | undefined,
    private readonly output: ProgressOutput,
  ) {}

  /** Records an image pushed with its digest (the lock file is written again, with the images pushed before it). */
  public record(item: PipelineImage, digest: string, fileDigests: readonly string[]): void {
    this.pushed.set(item.image.key, lockEntry(item, digest, fileDigests));
    recordImages(this.origin!.lockFile, this.pushed, this.all.map((i) => i.image), this.origin!.lockSource, this.origin!.lockUser);
  }

  /** Says what was recorded; returns the lock file when anything was. */
  public done(): string | undefined {
    if (!this.pushed.size) return undefined;
    const lockFile = this.origin!.lockFile;
    this.output.write(`recorded ${this.pushed.size} digest${this.pushed.size === 1 ? '' : 's'} in ${path.relative(process.cwd(), lockFile) || lockFile}; ${this.origin!.pinAdvice}\n`);
    return lockFile;
  }
}

/** Builds (and pushes) with podman or buildah, into local container storage. */
async function buildWithBuilder(job: BuildRun, builder: { name: BuilderName; path: string }): Promise<BuiltImage[]> {
  const { options, images, digests, outdir, auth, pushes, env, output, line } = job;
  const common = [...(options.tlsVerify === false ? ['--tls-verify=false'] : []), ...(auth.path ? ['--authfile', auth.path] : [])];
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-build-'));
  const dropTemp = onInterrupt(() => fs.rmSync(temp, { recursive: true, force: true }));
  const built: BuiltImage[] = [];
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
        pushes.record(item, digest, digests.get(item)!);
      }
      built.push({ key: image.key, image: image.image, imageId, digest });
    }
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
    dropTemp();
  }
  return built;
}

/**
 * The builder: the one asked for; else modelcar's own writer when the image goes to a registry or a layout, and
 * podman (else buildah) when it goes into local container storage, where only they put it.
 */
function pickBuilder(options: BuildOptions | BuildTreeOptions, env: NodeJS.ProcessEnv): { name: BuilderName; path: string } | 'modelcar' {
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
 * The push flags of a model's compression with podman or buildah: none when its source names none (they compress
 * with gzip), else the flag that asks for it. podman 4 cannot push uncompressed layers (`--compression-format` knows
 * gzip and zstd; buildah has `--disable-compression`): refused, before anything is built.
 */
function compressionFlags(item: PipelineImage, builder: BuilderName): string[] {
  const c = item.image.compression;
  if (c === undefined || c === 'gzip') return [];
  if (c === 'zstd') return ['--compression-format', 'zstd'];
  if (builder === 'podman') throw new UserError(`${item.image.key}: compression none: podman cannot push uncompressed layers; use --builder modelcar or buildah, or compression zstd or gzip`);
  return ['--disable-compression'];
}

/** The compression of a model's layers with modelcar's writer: its source's, else {@link DEFAULT_COMPRESSION}. */
function compressionOf(item: PipelineImage): Compression {
  return item.image.compression ?? DEFAULT_COMPRESSION;
}

function lockEntry(item: PipelineImage, digest: string, fileDigests: readonly string[]): LockEntry {
  const files: Record<string, string> = {};
  item.image.files.forEach((f, i) => setOwn(files, f.target, `sha256:${fileDigests[i]}`));
  return { image: item.image.image, digest, inputs: inputsDigest(item.image), files };
}

/** Builds with modelcar's own image writer: each image pushed (and recorded in the lock file) or written as a layout. */
async function buildWithWriter(job: BuildRun): Promise<BuiltImage[]> {
  const { options, images, digests, outdir, auth, pushes, env, output, line } = job;
  const built: BuiltImage[] = [];
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
        staged: stagedFiles(item),
        filesLabel: label,
        fileDigests: new Map(image.files.map((f, i) => [f.target, digests.get(item)![i]])),
        compression,
        destination: options.layout !== undefined ? { kind: 'layout', root: options.layout, dir: image.key } : { kind: 'registry' },
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
      pushes.record(item, written.digest, digests.get(item)!);
    } else line(`${image.key}: wrote ${image.image} as ${written.digest} (image ID ${written.configDigest}) to ${layout}`);
    built.push({ key: image.key, image: image.image, imageId: written.configDigest, digest: written.digest });
  }
  return built;
}

/**
 * The staged files of a model image, by path in its build context, as absolute paths the writer opens: reached
 * through the output folder's {@link SafeFolder}, so that a symbolic link or a mount point on the way (or in place
 * of the file) is refused, never read through.
 */
function stagedFiles(item: PipelineImage): ReadonlyMap<string, string> {
  const { outdir } = item.context;
  const root = SafeFolder.open(outdir, { shown: path.relative(process.cwd(), outdir) || '.', what: 'output folder' });
  const context = path.relative(outdir, item.contextDir).split(path.sep).join('/');
  const files = new Map<string, string>();
  for (const f of item.image.files) {
    const rel = `${context}/${f.target}`;
    const stat = root?.lstat(rel);
    if (stat === undefined || !root) throw new UserError(`${item.image.key}: ${f.target} is not staged. Run ${item.origin.stageCommand(item.image.key)} first.`);
    root.refuseUnsafe(rel, stat, 'file');
    if (!stat.isFile()) throw new UserError(`${item.image.key}: ${root.show(rel)} is not a file; run ${item.origin.stageCommand(item.image.key)} first`);
    files.set(f.target, root.full(rel));
  }
  return files;
}

/** Refuses a build context that is missing or not what synth (or synthesize()) writes for its source now. */
function checkContext(item: PipelineImage): void {
  const { context, origin } = item;
  const root = SafeFolder.open(context.outdir, { shown: path.relative(process.cwd(), context.outdir) || '.', what: 'output folder' });
  for (const file of item.image.render(context)) {
    if (!file.path.endsWith('/Containerfile') && !file.path.endsWith('/.containerignore')) continue;
    const rel = [...(context.subdir ? [context.subdir] : []), ...file.path.split('/')].join('/');
    const full = path.join(context.outdir, ...rel.split('/'));
    // Never read through a link: a committed `Containerfile -> /etc/shadow` is refused, not shown or built.
    const found = root?.read(rel);
    if (found && 'link' in found) throw new UserError(`${item.image.key}: ${path.relative(process.cwd(), full)} is a symbolic link (to ${found.link}), not the file ${origin.writer} writes; run ${origin.synthCommand}`);
    const current = found?.data.toString('utf8');
    if (current === undefined) throw new UserError(`${item.image.key}: ${path.relative(process.cwd(), full)} is missing; run ${origin.synthCommand} first`);
    if (current !== file.content) throw new UserError(`${item.image.key}: ${path.relative(process.cwd(), full)} is not what ${origin.writer} writes for ${origin.name} now; run ${origin.synthCommand} first`);
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
