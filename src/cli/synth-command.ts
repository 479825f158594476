import * as path from 'path';
import { ConfigError, Diagnostic, UserError, formatDiagnostic } from '../core/errors';
import { unifiedDiff } from '../output/diff';
import { refuseDangerousOutdir } from '../output/writer';
import { lockFileOf } from '../pipeline/lock';
import { LockedSources, lockSources } from '../pipeline/sources/lock-sources';
import { SynthesizeConfigFileOptions, SynthesizeConfigFileResult, synthesizeConfigFile } from '../pipeline/synthesize';

/** What `modelcar synth` did: the synthesis, and the sources recorded in (or, with --check, compared with) the lock file. */
export interface SynthResult extends SynthesizeConfigFileResult {
  readonly sources: LockedSources;
}

/**
 * Runs `modelcar synth`: records the config's folder and hub sources (the lock file is written only once the
 * output is), then synthesizes with them. With `check`, compares both without writing or asking the hub.
 */
export async function runSynth(options: Omit<SynthesizeConfigFileOptions, 'sources' | 'loaded'>, io: { env?: NodeJS.ProcessEnv; output?: { write(text: string): void }; signal?: AbortSignal } = {}): Promise<SynthResult> {
  refuseDangerousOutdir(path.resolve(options.outdir), { config: options.config });
  const sources = await lockSources({ config: options.config, check: options.check, env: io.env, output: io.output, signal: io.signal });
  let result: SynthesizeConfigFileResult;
  try {
    result = synthesizeConfigFile({ ...options, sources: sources.pins, loaded: sources.loaded });
  } catch (e) {
    // A source that is not recorded cannot be synthesized without asking the hub, which --check does not.
    if (!ConfigError.isConfigError(e) || sources.problems.length === 0) throw e;
    throw new UserError(`${formatSourceProblems(sources.problems, options.config)}(the output cannot be compared before that)`);
  }
  sources.write();
  return { ...result, sources };
}

/** The problems of `synth --check` with the sources, under a line that names the lock file and what to do. */
function formatSourceProblems(problems: readonly string[], config: string | undefined): string {
  const lock = config ? path.relative(process.cwd(), lockFileOf(config)) || lockFileOf(config) : 'the lock file';
  return [`${lock} does not match the config's sources: run \`modelcar synth\` and commit the result`, ...problems.map((p) => `  ! ${p}`), ''].join('\n');
}

/** Whether `synth --check` fails: the output is stale, or the sources no longer match the lock file. */
export function checkFails(result: SynthResult): boolean {
  const { added, changed, removed } = result.changes;
  return added.length + changed.length + removed.length > 0 || result.sources.problems.length > 0;
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
  if (added.length + changed.length + removed.length === 0) return `${outdir}/ is up to date\n`;
  const lines = [`${outdir}/ is stale: run \`modelcar synth\` and commit the result`];
  lines.push(...fileLines(result));
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
    if (mode) text = `--- ${labels.before}\n+++ ${labels.after}\nmode ${mode.from.toString(8)} -> ${mode.to.toString(8)}\n${text.split('\n').slice(2).join('\n')}`;
    out.push(`\n${text}`);
  }
  if (diffs.length > MAX_LISTED_FILES) out.push(`\n... diffs of ${diffs.length - MAX_LISTED_FILES} more files not shown\n`);
  return out.join('');
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
