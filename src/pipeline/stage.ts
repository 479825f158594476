/**
 * `modelcar stage`: puts each model's files into its build context (`<output>/images/<namespace>/<model>/models/`),
 * from local files and folders (hard-linked when on the same filesystem, else copied) and http(s) URLs
 * (downloaded), checking each file's SHA-256 against the config, or reporting it when the config pins none.
 *
 * Files go to a temporary name first and are renamed into place only once complete and verified: a mismatch, an
 * error or an interruption never leaves a half-written or unverified file at a model file's path.
 *
 * Files already staged are skipped without reading them again: the build context's state file
 * ({@link STAGE_STATE_FILE}) keeps each file's SHA-256 with its size, modification time and inode, and the source's
 * when it is local. Any change to those (a rewrite, a `touch`, a new file at the path) makes stage redo the file.
 * Re-hashing instead would read every GB of every model on every run, for nothing in the usual case.
 *
 * The output folder is reached through {@link SafeFolder}: a symbolic link or a mount point in a build context (a
 * committed `models -> ../../..`) is refused, never written or deleted through. Local sources are read at their
 * real path (a Hugging Face cache's `snapshots/<rev>/file` links to `../../blobs/<sha>`: the blob is linked or
 * copied, never the link). Only files stage itself put there (its state file lists them) are ever removed. The
 * output folder is locked while stage runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Diagnostic, formatDiagnostic, isSystemError, printable, systemErrorMessage, UserError } from '../core/errors';
import { lockFolder } from '../core/folder-lock';
import { AbortedError, INTERRUPTED_EXIT_CODE, onInterrupt } from '../core/interrupts';
import { own } from '../core/records';
import { SafeFolder, UnsafePathError, parentOf } from '../core/safe-fs';
import { redactUrl } from '../core/url-credentials';
import { loadConfigImages } from './config-images';
import { ImageSet, PipelineImage, TreeImagesOptions, treeImages } from './image-set';
import { ModelFileEntry, isS3Source, pinOrigin } from '../core/model-files';
import { presignGet, s3AccessFromEnv, s3ObjectUrl } from './s3';
import { Progress, ProgressOutput, formatBytes, formatDuration } from './progress';
import { DownloadError, DownloadOptions, download } from './transfer';
import { copyWithHash, hashFile } from './file-hash';
import { HttpClient, httpClient } from './http-client';
import { HubClient } from './sources/hub-client';
import { STAGE_STATE_FILE } from '../constructs/model-image';

/** Options of {@link stage}. */
export interface StageOptions {
  /** The config file. */
  readonly config: string;
  /** The output folder (the build contexts are under its `images/`). */
  readonly outdir: string;
  /** Models to stage, as `name` or `namespace/name`. @default - all */
  readonly models?: readonly string[];
  /** Where lines and progress go. @default - nowhere */
  readonly output?: ProgressOutput;
  /** Progress mode. @default - a bar on a terminal, plain lines otherwise */
  readonly progress?: 'bar' | 'plain';
  /** Stops staging; the file in progress is removed. */
  readonly signal?: AbortSignal;
  /** Drop a download's connection when no data comes on it for this long (it is then resumed). @default 60000 */
  readonly idleTimeoutMs?: number;
  /**
   * Give up a download when less than 64 KiB come in this long, over its attempts (a server that sends nothing, or
   * trickles). @default 120000
   */
  readonly stallTimeoutMs?: number;
  /** Attempts after the first, for download errors that may pass (cuts, idle connections, resets, 429, 5xx). @default 5 */
  readonly retries?: number;
  /** Wait before a download's first retry, doubled for each next. @default 1000 */
  readonly backoffMs?: number;
  /**
   * Where the proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), the hub's endpoint (HF_ENDPOINT) and token (HF_TOKEN or
   * the token file), and the endpoint and credentials of s3:// sources (`AWS_*`, see {@link s3AccessFromEnv}) are
   * read from.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Options of {@link stage} for a construct tree written in TypeScript instead of a config: its model images
 * (`scope` or `images`), the output folder it was synthesized into and its `source`, as given to `synthesize()`.
 */
export interface StageTreeOptions extends Omit<StageOptions, 'config'>, TreeImagesOptions {}

/** The images of a config (the CLI's `-c`) or of a construct tree (TypeScript). @internal */
export function imageSet(options: { readonly config: string; readonly outdir: string; readonly models?: readonly string[] } | (TreeImagesOptions & { readonly models?: readonly string[] })): ImageSet {
  if ('config' in options && options.config !== undefined) return loadConfigImages(options.config, options.outdir, options.models);
  return treeImages(options as TreeImagesOptions, options.models);
}

/** How a file came to be staged. */
export type StageAction = 'downloaded' | 'linked' | 'copied' | 'unchanged';

/** One staged file. */
export interface StagedFile {
  /** Path in the build context, e.g. `models/1/model.onnx`. */
  readonly target: string;
  readonly sha256: string;
  readonly size: number;
  readonly action: StageAction;
  /** Whether the config pins the digest (and it matched). */
  readonly pinned: boolean;
}

/** What {@link stage} did for one model. */
export interface StagedImage {
  readonly key: string;
  readonly contextDir: string;
  readonly files: readonly StagedFile[];
  /** Files removed from `models/` because the config no longer has them (or left over by an interrupted run). */
  readonly removed: readonly string[];
}

/** The state file's record of one staged file. */
interface StateEntry {
  readonly source: string;
  readonly sha256: string;
  readonly stat: StatKey;
  /** For local sources: the source's stat when it was staged. */
  readonly sourceStat?: StatKey;
}

/** What identifies a file's content without reading it. */
interface StatKey {
  readonly size: string;
  readonly mtimeNs: string;
  readonly ino: string;
  readonly dev: string;
}

interface StageState {
  version: 1;
  /** By target; without a prototype (targets are user strings). */
  files: Record<string, StateEntry>;
}


/**
 * Stages the model files of a config's models, or of the model images of a construct tree, into their build
 * contexts. Every file is tried; the problems found (a missing source, an HTTP error, a digest mismatch) are
 * reported together in one {@link UserError} at the end. An interruption (the signal) stops at once with a
 * UserError whose exit code is {@link INTERRUPTED_EXIT_CODE}.
 */
export async function stage(options: StageOptions | StageTreeOptions): Promise<StagedImage[]> {
  const set = imageSet(options);
  const { outdir, images } = set;
  const relative = (p: string) => path.relative(process.cwd(), p) || '.';
  // A link out of the config's folder, allowed by the config: said again where it is read.
  const fileWarnings = 'fileWarnings' in set ? (set.fileWarnings as readonly Diagnostic[]) : [];
  for (const w of fileWarnings) options.output?.write(`${printable(`modelcar: warning: ${formatDiagnostic(w)}`)}\n`);
  const lock = lockFolder(outdir, { command: 'stage', shown: relative(outdir) });
  try {
    const root = SafeFolder.open(outdir, { create: 0o755, shown: relative(outdir), what: 'output folder' });
    return await stageLocked(options, root, images);
  } catch (e) {
    if (UserError.isUserError(e) || !isSystemError(e)) throw e;
    // The disk is full, the filesystem read-only...: the user's to fix.
    throw new UserError(`could not stage into ${relative(outdir)}: ${systemErrorMessage(e)}; no partial file is left`);
  } finally {
    lock.release();
  }
}

async function stageLocked(options: StageOptions | StageTreeOptions, root: SafeFolder, images: readonly PipelineImage[]): Promise<StagedImage[]> {
  const output = options.output ?? { write: () => undefined };
  const progress = new Progress(output, options.progress);
  const relative = (p: string) => path.relative(process.cwd(), p) || '.';
  const downloaded = new Map<string, string>();
  const problems: string[] = [];
  const results: StagedImage[] = [];
  const env = options.env ?? process.env;
  const client = httpClient({ env });
  // The hub's endpoint and token are read only when a model has files of a hub repository.
  const hub = images.some((i) => i.image.files.some((f) => f.hub)) ? new HubClient({ env, client, signal: options.signal }) : undefined;
  const { idleTimeoutMs, stallTimeoutMs, retries, backoffMs } = options;
  const transfer: TransferSettings = { client, hub, idleTimeoutMs, stallTimeoutMs, retries, backoffMs, env };
  try {
    for (const item of images) {
      progress.line(`${item.image.key} -> ${relative(item.contextDir)}/`);
      const context = contextOf(root, item);
      const staged: StagedFile[] = [];
      const state = readState(root, context);
      const checkpoint = stateCheckpoint(() => writeState(root, context, state));
      for (const entry of item.image.files) {
        try {
          const file = await stageFile(item, entry, state, { root, context, progress, downloaded, signal: options.signal, transfer, checkpoint });
          staged.push(file);
        } catch (e) {
          if (e instanceof AbortedError || options.signal?.aborted) {
            // What was staged before the interrupt is recorded: the next run does not hash it again.
            writeState(root, context, state);
            progress.clear();
            throw new UserError(`interrupted while staging ${entry.target} of ${item.image.key}; its partial file was removed, nothing half-written is left`, INTERRUPTED_EXIT_CODE);
          }
          // A link or mount point in the build context: nothing can be staged there.
          if (e instanceof UnsafePathError) throw e;
          if (!(e instanceof StageProblem)) throw e;
          progress.line(`  ${entry.target}: failed`);
          problems.push(e.message);
        }
      }
      const { removed, foreign } = removeStrays(root, context, new Set(item.image.files.map((f) => f.target)), state);
      for (const r of removed) progress.line(`  ${r}: removed (not a model file of ${item.origin.name})`);
      for (const r of foreign) progress.line(`  ${r}: left alone (not a model file of ${item.origin.name}, and not staged by modelcar: remove it if it is not yours)`);
      writeState(root, context, state);
      results.push({ key: item.image.key, contextDir: item.contextDir, files: staged, removed });
    }
  } finally {
    await client.close();
  }
  if (problems.length) {
    const count = problems.length === 1 ? '1 file' : `${problems.length} files`;
    throw new UserError(`${problems.join('\n')}\n${count} could not be staged; ${relative(root.path)} holds no unverified file.`);
  }
  const all = results.flatMap((r) => r.files);
  const counts = (['downloaded', 'linked', 'copied', 'unchanged'] as const).map((a) => `${all.filter((f) => f.action === a).length} ${a}`);
  progress.line(`staged ${results.length} model${results.length === 1 ? '' : 's'}: ${all.length} files (${counts.join(', ')})`);
  return results;
}

/** A build context's path relative to the output folder (`images/ns/model`, `dev/images/ns/model`). */
function contextOf(root: SafeFolder, item: PipelineImage): string {
  const outdir = item.context.outdir;
  return path.relative(root.path, path.join(fs.realpathSync(outdir), path.relative(outdir, item.contextDir))).split(path.sep).join('/');
}

/** A problem with one file, reported with the others at the end. */
class StageProblem extends Error {}

/** How downloads are made: the HTTP client, the hub (endpoint, token), the retry settings. */
interface TransferSettings extends Pick<StageOptions, 'idleTimeoutMs' | 'stallTimeoutMs' | 'retries' | 'backoffMs'> {
  readonly client: HttpClient;
  readonly hub?: HubClient;
  /** Where the endpoint and credentials of s3:// sources are read. */
  readonly env: NodeJS.ProcessEnv;
}

interface FileContext {
  readonly root: SafeFolder;
  /** The build context, relative to the root. */
  readonly context: string;
  readonly progress: Progress;
  /** URL -> a staged file holding it (relative to the root), to link instead of downloading again. */
  readonly downloaded: Map<string, string>;
  readonly signal?: AbortSignal;
  readonly transfer: TransferSettings;
  /** Saves the state file now and then while files are staged (see {@link stateCheckpoint}). */
  readonly checkpoint: () => void;
}

async function stageFile(item: PipelineImage, entry: ModelFileEntry, state: StageState, ctx: FileContext): Promise<StagedFile> {
  try {
    return await stageOneFile(item, entry, state, ctx);
  } catch (e) {
    // A file where a folder is needed (or the like) in the build context: said at the file's entry, like the others.
    if (!UserError.isUserError(e) || e instanceof UnsafePathError) throw e;
    throw new StageProblem(formatDiagnostic(item.fileAt(entry.index, entry.hub ? 'repo' : 'source', `${shownSource(item, entry)} -> ${entry.target}: ${e.message}`)));
  }
}

async function stageOneFile(item: PipelineImage, entry: ModelFileEntry, state: StageState, ctx: FileContext): Promise<StagedFile> {
  const { progress, root } = ctx;
  const target = `${ctx.context}/${entry.target}`;
  // What the state file records as the source: never a URL's credentials (the file stays on disk).
  const source = entry.url ? redactUrl(entry.url) : entry.localPath!;
  const shown = shownSource(item, entry);
  const sourceField = entry.hub ? 'repo' : 'source';
  // A local source is read at its real path: links in the config's folder (a Hugging Face cache) lead to the file.
  const real = entry.localPath === undefined ? undefined : realFile(entry.localPath);
  const sourceStat = real === undefined ? undefined : statKeyOrUndefined(real);
  const existing = root.lstat(target);
  if (existing?.isDirectory()) {
    throw new StageProblem(formatDiagnostic(item.fileAt(entry.index, sourceField, `${root.show(target)} is a folder, where stage puts the file ${entry.target}: remove it`)));
  }
  if (entry.localPath !== undefined && sourceStat === undefined) {
    root.removeEntry(target);
    delete state.files[entry.target];
    throw new StageProblem(formatDiagnostic(item.fileAt(entry.index, 'source', `${shown}: no such file any more (local paths are relative to ${item.origin.relativeTo})`)));
  }

  // Already staged, and nothing changed since: trust the recorded digest. A link at the path is never trusted.
  const cached = own(state.files, entry.target);
  const current = existing?.isFile() ? statKey(root.full(target)) : undefined;
  if (cached && current && cached.source === source && sameStat(cached.stat, current) && (!sourceStat || (cached.sourceStat && sameStat(cached.sourceStat, sourceStat)))) {
    if (entry.sha256 === undefined || entry.sha256 === cached.sha256) {
      if (entry.url) ctx.downloaded.set(entry.url, target);
      report(progress, item, entry, 'already staged', cached.sha256);
      return { target: entry.target, sha256: cached.sha256, size: Number(current.size), action: 'unchanged', pinned: entry.sha256 !== undefined };
    }
  }

  const temp = tempPart(target);
  const full = root.full(temp);
  delete state.files[entry.target];
  const dropTemp = onInterrupt(() => fs.rmSync(full, { force: true }));
  try {
    root.makeFolders(parentOf(target));
    root.removeEntry(temp);
    let result: { sha256: string; bytes: number };
    let action: StageAction;
    let how: string;
    const started = Date.now();
    const onProgress = (bytes: number) => progress.update(bytes);
    const reused = entry.url ? ctx.downloaded.get(entry.url) : undefined;
    if (real !== undefined || reused !== undefined) {
      const from = real ?? root.full(reused!);
      if (tryLink(from, full)) {
        action = 'linked';
        progress.start(`  ${entry.target}: hashing`, Number(statKey(full).size));
        result = await hashFile(full, { signal: ctx.signal, onProgress });
        how = reused ? `hard-linked from ${path.posix.relative(ctx.context, reused)} (same URL)` : `hard-linked from ${shown}`;
      } else {
        action = 'copied';
        progress.start(`  ${entry.target}: copying`, Number(statKey(from).size));
        result = await copyWithHash(from, full, { signal: ctx.signal, onProgress });
        root.adopt(full, parentOf(temp));
        how = `copied from ${reused ? path.posix.relative(ctx.context, reused) : shown} (${rate(result.bytes, Date.now() - started)})`;
      }
    } else {
      action = 'downloaded';
      const { url, ...settings } = downloadOf(item, entry, ctx.transfer);
      progress.line(`  ${entry.target}: downloading ${entry.hub ? redactUrl(url) : shown}`);
      result = await download(url, full, {
        ...settings,
        signal: ctx.signal,
        onProgress,
        onStart: (total) => progress.start(`  ${entry.target}`, total),
        onRetry: (message, attempt, wait) => progress.line(`  ${entry.target}: ${message}; retrying in ${formatDuration(wait / 1000)} (attempt ${attempt + 1} of ${(ctx.transfer.retries ?? 5) + 1})`),
      }).catch((e) => {
        if (e instanceof DownloadError) throw new StageProblem(formatDiagnostic(item.fileAt(entry.index, sourceField, e.message)));
        throw e;
      });
      root.adopt(full, parentOf(temp));
      how = `downloaded ${rate(result.bytes, Date.now() - started)}`;
      // The size of a file of a hub repository is the hub's: a file of another size is refused by its SHA-256, below.
      if (entry.size !== undefined && result.bytes !== entry.size && !entry.hub) {
        throw new StageProblem(formatDiagnostic(item.fileAt(entry.index, 'size', `${shown} has ${result.bytes} bytes, but ${item.origin.name} expects ${entry.size}; it was not staged (check the source, or fix the size)`)));
      }
    }
    if (entry.sha256 !== undefined && result.sha256 !== entry.sha256) {
      throw new StageProblem(formatDiagnostic(mismatch(item, entry, shown, result.sha256)));
    }
    // Renaming over the path replaces whatever entry is there (a link too: never followed).
    root.rename(temp, target);
    state.files[entry.target] = { source, sha256: result.sha256, stat: statKey(root.full(target)), ...(sourceStat && action !== 'linked' ? { sourceStat } : {}) };
    if (action === 'linked') {
      // A hard link shares the source's inode: record the source's stat as it is now (linking changed its ctime only).
      state.files[entry.target] = { ...state.files[entry.target]!, sourceStat: real ? statKey(real) : undefined };
    }
    ctx.checkpoint();
    if (entry.url) ctx.downloaded.set(entry.url, target);
    report(progress, item, entry, how, result.sha256);
    return { target: entry.target, sha256: result.sha256, size: result.bytes, action, pinned: entry.sha256 !== undefined };
  } catch (e) {
    // Neither the partial file nor an earlier one at the path (unverified for the config as it is now) stays.
    for (const file of [temp, target]) {
      try {
        root.removeEntry(file);
      } catch {
        // its folder is not one (the error below says so)
      }
    }
    writeState(root, ctx.context, state);
    if (e instanceof UnsafePathError) throw e;
    if (isSystemError(e) && !(e instanceof StageProblem) && !(e instanceof AbortedError)) {
      // A system error (permission denied, disk full, ...): the user's to fix, said at the file's entry.
      throw new StageProblem(formatDiagnostic(item.fileAt(entry.index, sourceField, `${shown} -> ${entry.target}: ${(e as Error).message}`)));
    }
    throw e;
  } finally {
    dropTemp();
  }
}

/** A model file's source as messages show it: a hub repository's file, a URL without its credentials, a local path. */
function shownSource(item: PipelineImage, entry: ModelFileEntry): string {
  if (entry.hub) return `${entry.hub.repo}: ${entry.hub.path}`;
  return entry.url ? redactUrl(entry.url) : item.shown(entry.localPath!);
}

/**
 * Where and how a file is downloaded, and how its messages name it: a file of a hub repository from the endpoint
 * (HF_ENDPOINT), with the token for the endpoint only and the hub's errors in words; an s3:// URL from a presigned
 * https URL of the object, from the endpoint and credentials in the environment (a StageProblem at the file when they
 * are missing), named by its s3:// URL in messages; any other from its URL.
 */
function downloadOf(item: PipelineImage, entry: ModelFileEntry, transfer: TransferSettings): DownloadOptions & { url: string } {
  const { client, hub, idleTimeoutMs, stallTimeoutMs, retries, backoffMs, env } = transfer;
  const common = { client, idleTimeoutMs, stallTimeoutMs, retries, backoffMs };
  if (entry.hub) {
    const { repo, commit, path: file } = entry.hub;
    const url = hub!.fileUrl(repo, commit, file);
    return { ...common, url, headers: hub!.authHeaders(), describeStatus: (status, headers) => hub!.describe(status, headers, url, { repo, revision: commit, file }) };
  }
  if (!isS3Source(entry.url!)) return { ...common, url: entry.url! };
  const access = s3AccessFromEnv(env);
  if (typeof access === 'string') throw new StageProblem(formatDiagnostic(item.fileAt(entry.index, 'source', `${entry.url}: ${access}`)));
  const url = presignGet(s3ObjectUrl(entry.url!, access.endpoint), access.credentials, access.region, new Date());
  // A presigned URL carries a signature: messages name the s3:// URL instead.
  return { ...common, url, shownAs: entry.url! };
}

/**
 * The problem of a file whose digest is not the pinned one, at the field that pins it: the config's (or the tree's)
 * sha256; for a file of a hub repository or of a folder, the digest the lock file records (a tree's own digests).
 */
function mismatch(item: PipelineImage, entry: ModelFileEntry, shown: string, actual: string): Diagnostic {
  const config = item.origin.lockUser === 'cli';
  const lockName = path.basename(item.origin.lockFile);
  if (pinOrigin(entry) === 'config') {
    return item.fileAt(entry.index, 'sha256', `${shown} has sha256 ${actual}, but ${item.origin.name} expects ${entry.sha256}; it was not staged (check the source, or fix the pin)`);
  }
  if (entry.hub) {
    const recorded = config ? ` (as ${lockName} records)` : '';
    return item.fileAt(entry.index, 'repo', `${shown} has sha256 ${actual}, but the hub lists ${entry.sha256} for it${recorded}; it was not staged (is a mirror or proxy serving another file?)`);
  }
  if (!config) {
    return item.fileAt(entry.index, 'source', `${shown} has sha256 ${actual}, but the digests of its folder in ${item.origin.name} give ${entry.sha256}; it was not staged (check the folder, or fix the digests)`);
  }
  return item.fileAt(
    entry.index,
    'source',
    `${shown} has sha256 ${actual}, but ${lockName} records ${entry.sha256} for it: the folder changed since \`modelcar synth\` recorded it; it was not staged (run \`modelcar synth\` to record the change, then build and push the image again)`,
  );
}

/** The partial file of a model file: `.<name>.modelcar-part` beside it. */
function tempPart(target: string): string {
  const dir = parentOf(target);
  return `${dir}/.${target.slice(dir.length + 1)}.modelcar-part`;
}

/** The real path of a local source (links followed), when it is a regular file; undefined otherwise. */
function realFile(file: string): string | undefined {
  try {
    const real = fs.realpathSync.native(file);
    return fs.statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

function report(progress: Progress, item: PipelineImage, entry: ModelFileEntry, how: string, sha256: string): void {
  let check: string;
  if (pinOrigin(entry) === 'lock') check = `sha256 ${sha256} matches ${item.origin.lockUser === 'cli' ? path.basename(item.origin.lockFile) : item.origin.name}`;
  else if (entry.sha256 !== undefined) check = `sha256 ${sha256} matches ${item.origin.name}`;
  else if (entry.folder !== undefined) check = `sha256 ${sha256}`;
  else {
    const at = item.fileAt(entry.index, '', '');
    const where = at.position.line === undefined ? at.position.file : `${at.position.file}:${at.position.line}`;
    check = `sha256 ${sha256} (not pinned: add \`sha256: ${sha256}\` to ${at.field} at ${where})`;
  }
  progress.line(`  ${entry.target}: ${how}; ${check}`);
}

function rate(bytes: number, ms: number): string {
  const seconds = Math.max(ms, 1) / 1000;
  return `${formatBytes(bytes)} in ${formatDuration(seconds)}, ${formatBytes(Math.round(bytes / seconds))}/s`;
}

/** Hard-links `from` to `to`; false when the filesystem cannot (another device, or no hard links). */
function tryLink(from: string, to: string): boolean {
  try {
    fs.linkSync(from, to);
    return true;
  } catch (e: any) {
    if (['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'EACCES'].includes(e.code)) return false;
    throw e;
  }
}

/** A file's stat key; the entry itself (a link is not followed). */
function statKey(file: string): StatKey {
  return keyOf(fs.lstatSync(file, { bigint: true }));
}

/** The stat key of a regular file; undefined for anything else, or nothing. */
function statKeyOrUndefined(file: string): StatKey | undefined {
  try {
    const s = fs.lstatSync(file, { bigint: true });
    return s.isFile() ? keyOf(s) : undefined;
  } catch {
    return undefined;
  }
}

function keyOf(s: fs.BigIntStats): StatKey {
  return { size: String(s.size), mtimeNs: String(s.mtimeNs), ino: String(s.ino), dev: String(s.dev) };
}

function sameStat(a: StatKey, b: StatKey): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino && a.dev === b.dev;
}

/** Reads a context's state file; a missing, unreadable or linked one is an empty state (every file is then redone). */
function readState(root: SafeFolder, context: string): StageState {
  const files: Record<string, StateEntry> = Object.create(null);
  try {
    const found = root.read(`${context}/${STAGE_STATE_FILE}`);
    if (found && 'data' in found) {
      const data = JSON.parse(found.data.toString('utf8'));
      if (data?.version === 1 && data.files && typeof data.files === 'object' && !Array.isArray(data.files)) {
        for (const [k, v] of Object.entries<any>(data.files)) if (v && typeof v === 'object' && typeof v.sha256 === 'string' && v.stat) files[k] = v;
      }
    }
  } catch (e) {
    if (e instanceof UnsafePathError) throw e;
    // none yet, or damaged: start over
  }
  return { version: 1, files };
}

/** How often, at most, the state file is saved while a context's files are staged. */
const CHECKPOINT_MS = 1000;

/**
 * Saves a context's state file at most once a second while its files are staged; stage saves it again when the
 * context is done, and at once when a file fails or the run is interrupted. Each save writes the whole file: saved
 * after every file, staging a repository of thousands of files would write thousands of ever longer files. A run
 * killed outright (SIGKILL, power loss) loses at most the last second's records: those files are staged again
 * (hashed, or linked) on the next run, and no file is ever trusted that the state file does not record.
 */
export function stateCheckpoint(save: () => void, now: () => number = Date.now): () => void {
  let last = now();
  return () => {
    if (now() - last < CHECKPOINT_MS) return;
    save();
    last = now();
  };
}

function writeState(root: SafeFolder, context: string, state: StageState): void {
  root.makeFolders(context);
  const sorted: Record<string, StateEntry> = {};
  for (const k of Object.keys(state.files).sort()) Object.defineProperty(sorted, k, { value: state.files[k], enumerable: true, writable: true, configurable: true });
  root.replaceFile(`${context}/${STAGE_STATE_FILE}`, `${JSON.stringify({ version: 1, files: sorted }, null, 2)}\n`, 0o644);
}

/**
 * Removes what stage itself left under `models/` that is not a model file of the config now: files it staged before
 * (its state file lists them) and partial files of an interrupted run; then the folders that are left empty. Files
 * it did not put there are left alone, and listed in `foreign`.
 */
function removeStrays(root: SafeFolder, context: string, expected: ReadonlySet<string>, state: StageState): { removed: string[]; foreign: string[] } {
  const removed: string[] = [];
  const foreign: string[] = [];
  const walk = (rel: string): boolean => {
    const dir = `${context}/${rel}`;
    let empty = true;
    for (const entry of root.list(dir) ?? []) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (walk(child) && ![...expected].some((t) => t.startsWith(`${child}/`))) root.removeEmptyFolder(`${context}/${child}`);
        else empty = false;
      } else if (expected.has(child)) {
        empty = false;
      } else if (own(state.files, child) !== undefined || /^\..*\.modelcar-part$/.test(entry.name) || /^\..*\.\d+\.tmp$/.test(entry.name)) {
        root.removeEntry(`${context}/${child}`);
        removed.push(child);
      } else {
        foreign.push(child);
        empty = false;
      }
    }
    return empty;
  };
  const models = root.lstat(`${context}/models`);
  if (models?.isSymbolicLink()) throw root.linkError(`${context}/models`, 'folder');
  if (models?.isDirectory()) {
    if (root.isMountPoint(models)) throw root.mountError(`${context}/models`);
    walk('models');
  }
  for (const target of Object.keys(state.files)) if (!expected.has(target)) delete state.files[target];
  return { removed, foreign };
}

/** Why a staged file cannot be built from. */
export class NotStagedError extends UserError {}

/**
 * The SHA-256 of each staged file of a model image, in the order of its files, for the build: taken from the
 * state file when the file is unchanged since it was staged, else computed. Throws a {@link NotStagedError} naming
 * the files that are missing or do not match the config. A file that is a symbolic link is not staged (stage never
 * puts one there), and a link or mount point on the way is refused.
 */
export async function stagedDigests(item: PipelineImage, options: { output?: ProgressOutput; signal?: AbortSignal } = {}): Promise<string[]> {
  const outdir = item.context.outdir;
  const root = SafeFolder.open(outdir, { shown: path.relative(process.cwd(), outdir) || '.', what: 'output folder' });
  const context = root ? contextOf(root, item) : '';
  const state = root ? readState(root, context) : { version: 1 as const, files: Object.create(null) as Record<string, StateEntry> };
  const progress = new Progress(options.output ?? { write: () => undefined });
  const digests: string[] = [];
  const problems: string[] = [];
  for (const entry of item.image.files) {
    const rel = `${context}/${entry.target}`;
    const found = root?.lstat(rel);
    if (found?.isSymbolicLink()) {
      problems.push(`${entry.target} is a symbolic link (to ${root!.readlink(rel)}), not a staged file`);
      continue;
    }
    const current = found?.isFile() ? statKey(root!.full(rel)) : undefined;
    if (!current) {
      problems.push(`${entry.target} is not staged`);
      continue;
    }
    const cached = own(state.files, entry.target);
    let sha256: string;
    if (cached && sameStat(cached.stat, current)) sha256 = cached.sha256;
    else {
      progress.start(`  ${entry.target}: hashing`, Number(current.size));
      try {
        sha256 = (await hashFile(root!.full(rel), { signal: options.signal, onProgress: (b) => progress.update(b) })).sha256;
      } finally {
        progress.clear();
      }
    }
    if (entry.sha256 !== undefined && sha256 !== entry.sha256) {
      const expects = pinOrigin(entry) === 'lock' && item.origin.lockUser === 'cli' ? 'the lock file records' : `${item.origin.name} expects`;
      problems.push(`${entry.target} has sha256 ${sha256}, but ${expects} ${entry.sha256}`);
    }
    digests.push(sha256);
  }
  if (problems.length) {
    throw new NotStagedError(`${item.image.key}: ${problems.join('; ')}. Run ${item.origin.stageCommand(item.image.key)} first.`);
  }
  return digests;
}
