import * as path from 'path';
import { ConfigError, Diagnostic, UserError, formatDiagnostic } from '../core/errors';
import { AbortedError, INTERRUPTED_EXIT_CODE, runStepsAsync } from '../core/interrupts';
import { unifiedDiff } from '../output/diff';
import { Stray, refuseDangerousOutdir } from '../output/writer';
import { lockFileOf } from '../pipeline/lock';
import { LockedSources, lockSources } from '../pipeline/sources/lock-sources';
import { SynthesizeConfigFileOptions, SynthesizeConfigFileResult, synthesizeConfigFileSteps } from '../pipeline/synthesize';

/** What `modelcar synth` did: the synthesis, and the sources recorded in (or, with --check, compared with) the lock file. */
export interface SynthResult extends SynthesizeConfigFileResult {
  readonly sources: LockedSources;
}

/**
 * Runs `modelcar synth`: records the config's folder and hub sources (the lock file is written only once the
 * output is), then synthesizes with them. With `check`, compares both without writing or asking the hub. `signal`
 * stops it cleanly (the output folder and the lock file as they were).
 */
export async function runSynth(
  options: Omit<SynthesizeConfigFileOptions, 'sources' | 'loaded' | 'lock'>,
  io: { env?: NodeJS.ProcessEnv; output?: { write(text: string): void }; signal?: AbortSignal } = {},
): Promise<SynthResult> {
  refuseDangerousOutdir(path.resolve(options.outdir), { config: options.config });
  try {
    const sources = await lockSources({ config: options.config, check: options.check, env: io.env, output: io.output, signal: io.signal });
    let result: SynthesizeConfigFileResult;
    try {
      result = await runStepsAsync(synthesizeConfigFileSteps({ ...options, sources: sources.pins, loaded: sources.loaded, lock: sources.lock }), io.signal);
    } catch (e) {
      // A source that is not recorded cannot be synthesized without asking the hub, which --check does not.
      if (!ConfigError.isConfigError(e) || sources.problems.length === 0) throw e;
      throw new UserError(`${formatSourceProblems(sources.problems, options.config)}(the output cannot be compared before that)`);
    }
    sources.write();
    return { ...result, sources };
  } catch (e) {
    if (!(e instanceof AbortedError)) throw e;
    throw new UserError(`interrupted; ${options.outdir} was left as it was, and nothing half-written is left beside it`, INTERRUPTED_EXIT_CODE);
  }
}

/** The problems of `synth --check` with the sources, under a line that names the lock file and what to do. */
function formatSourceProblems(problems: readonly string[], config: string | undefined): string {
  const lock = config ? path.relative(process.cwd(), lockFileOf(config)) || lockFileOf(config) : 'the lock file';
  return [`${lock} does not match the config's sources: run \`modelcar synth\` and commit the result`, ...problems.map((p) => `  ! ${p}`), ''].join('\n');
}

/** Whether `synth --check` fails: the output is stale, or the sources no longer match the lock file. */
export function checkFails(result: SynthResult): boolean {
  return isStale(result) || result.sources.problems.length > 0;
}

/** Whether `synth --check` fails: files would change, or the output folder holds files nothing generates. */
export function isStale(result: SynthesizeConfigFileResult): boolean {
  const { added, changed, removed } = result.changes;
  return added.length + changed.length + removed.length + (result.plan?.strays.length ?? 0) > 0;
}

/** The short report synth prints: objects per kind, build contexts, files added/changed/removed. */
export function formatSummary(result: SynthesizeConfigFileResult & { sources?: LockedSources }, config: string, outdir: string): string {
  const counts = new Map<string, number>();
  for (const o of result.output.objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  const kinds = [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
  const images = result.output.images.length;
  const { added, changed, removed, unchanged } = result.changes;
  const lines = [
    `synthesized ${config} into ${outdir}/`,
    `  objects: ${kinds}`,
    `  image build contexts: ${images}`,
    `  files: ${added.length} added, ${changed.length} changed, ${removed.length} removed, ${unchanged.length} unchanged`,
  ];
  for (const change of result.sources?.changes ?? []) lines.push(`  sources: ${change}`);
  lines.push(...fileLines(result));
  return lines.join('\n') + '\n';
}

/** At most this many changed files are listed one by one; the rest are counted. */
export const MAX_LISTED_FILES = 20;

function fileLines(result: SynthesizeConfigFileResult): string[] {
  const { added, changed, removed } = result.changes;
  const all = [...added.map((f) => `  + ${f}`), ...changed.map((f) => `  ~ ${f}`), ...removed.map((f) => `  - ${f}`)];
  if (all.length <= MAX_LISTED_FILES) return all;
  return [...all.slice(0, MAX_LISTED_FILES), `  ... and ${all.length - MAX_LISTED_FILES} more`];
}

/**
 * What `synth --check` prints: whether the output folder is current, and when it is stale, the files that
 * would change and a short unified diff of each (at most {@link MAX_LISTED_FILES} files).
 */
export function formatChanges(result: SynthesizeConfigFileResult & { sources?: LockedSources }, outdir: string, config?: string): string {
  const problems = result.sources?.problems ?? [];
  return (problems.length ? formatSourceProblems(problems, config) : '') + formatOutputChanges(result, outdir);
}

function formatOutputChanges(result: SynthesizeConfigFileResult, outdir: string): string {
  const { added, changed, removed } = result.changes;
  const strays = result.plan?.strays ?? [];
  if (!isStale(result)) return `${outdir}/ is up to date\n`;
  const lines: string[] = [];
  if (added.length + changed.length + removed.length) {
    lines.push(`${outdir}/ is stale: run \`modelcar synth\` and commit the result`);
    lines.push(...fileLines(result));
  }
  if (strays.length) lines.push(...strayLines(strays, outdir));
  const next = new Map(result.output.files.map((f) => [f.path, f.content]));
  const current = result.plan?.contents ?? new Map<string, string | undefined>();
  const diffs = [...added, ...changed, ...removed].sort();
  const out = [lines.join('\n') + '\n'];
  for (const file of diffs.slice(0, MAX_LISTED_FILES)) {
    const mode = result.plan?.modes.get(file);
    const labels = { before: `a/${outdir}/${file}`, after: `b/${outdir}/${file}` };
    // A new or removed file is shown by its first lines only; a changed one by its changes.
    const whole = current.get(file) === undefined || !next.has(file);
    let text = unifiedDiff(current.get(file), next.get(file), labels, { maxLines: whole ? MAX_WHOLE_FILE_LINES : MAX_DIFF_LINES });
    // A symbolic link where synth writes a file: its target is neither read nor shown, only named.
    const link = result.plan?.links.get(file);
    if (link !== undefined) text = `--- ${labels.before} (a symbolic link to ${link}: synth replaces it with the file)\n${text.split('\n').slice(1).join('\n')}`;
    if (mode) text = `--- ${labels.before}\n+++ ${labels.after}\nmode ${mode.from.toString(8)} -> ${mode.to.toString(8)}\n${text.split('\n').slice(2).join('\n')}`;
    out.push(`\n${text}`);
  }
  if (diffs.length > MAX_LISTED_FILES) out.push(`\n... diffs of ${diffs.length - MAX_LISTED_FILES} more files not shown\n`);
  return out.join('');
}

/** Why each kind of stray is there, and what to do, as `synth --check` says it. */
const STRAY_WHY: Readonly<Record<Stray['why'], string>> = {
  'hand-edited': 'written by modelcar, then edited by hand (header removed), and no longer generated: synth leaves it; delete it if it is not wanted',
  'model-files': 'staged model files of a build context that is no longer generated (kept git-ignored): delete it',
  link: 'a symbolic link, not written by modelcar: remove it',
  'mount-point': 'a mount point (another filesystem): synth cannot write an output folder that holds one; unmount it',
  other: 'not written by modelcar: remove it, or keep your own files outside the output folder',
};

/**
 * The files and folders of the output folder that nothing generates: Argo CD would apply them, `git add` would
 * commit them (at most {@link MAX_LISTED_FILES}).
 */
function strayLines(strays: readonly Stray[], outdir: string): string[] {
  const lines = [`${outdir}/ holds ${strays.length === 1 ? 'a file' : 'files'} that the config does not generate:`];
  for (const s of strays.slice(0, MAX_LISTED_FILES)) {
    const count = s.files === undefined ? '' : ` (${s.files} file${s.files === 1 ? '' : 's'})`;
    lines.push(`  ? ${s.path}${count}: ${STRAY_WHY[s.why]}`);
  }
  if (strays.length > MAX_LISTED_FILES) lines.push(`  ... and ${strays.length - MAX_LISTED_FILES} more`);
  return lines;
}

/** Diff lines shown per changed file, and lines shown of a file added or removed as a whole. */
export const MAX_DIFF_LINES = 40;
export const MAX_WHOLE_FILE_LINES = 8;

/** A warning as printed on stderr. */
export function formatWarning(w: Diagnostic): string {
  return `modelcar: warning: ${formatDiagnostic(w)}\n`;
}

/** The warnings synth prints to stderr, one a line: `modelcar: warning: file:line:column: field: message`. */
export function formatWarnings(result: SynthesizeConfigFileResult): string {
  return result.warnings.map(formatWarning).join('');
}
