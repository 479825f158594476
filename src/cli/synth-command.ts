import { formatDiagnostic } from '../errors';
import { SynthOptions, SynthResult, synth } from '../synth';

/** Runs `modelcar synth`. */
export function runSynth(options: SynthOptions): SynthResult {
  return synth(options);
}

/** The short report synth prints: objects per kind, build contexts, files added/changed/removed. */
export function formatSummary(result: SynthResult, config: string, outdir: string): string {
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
  lines.push(...fileLines(result));
  return lines.join('\n') + '\n';
}

/** At most this many changed files are listed one by one; the rest are counted. */
export const MAX_LISTED_FILES = 20;

function fileLines(result: SynthResult): string[] {
  const { added, changed, removed } = result.changes;
  const all = [...added.map((f) => `  + ${f}`), ...changed.map((f) => `  ~ ${f}`), ...removed.map((f) => `  - ${f}`)];
  if (all.length <= MAX_LISTED_FILES) return all;
  return [...all.slice(0, MAX_LISTED_FILES), `  ... and ${all.length - MAX_LISTED_FILES} more`];
}

/** What `synth --check` prints. */
export function formatChanges(result: SynthResult, outdir: string): string {
  const { added, changed, removed } = result.changes;
  if (added.length + changed.length + removed.length === 0) return `${outdir}/ is up to date\n`;
  const lines = [`${outdir}/ is stale: run \`modelcar synth\` and commit the result`];
  lines.push(...fileLines(result));
  return lines.join('\n') + '\n';
}

/** The warnings synth prints to stderr, one a line: `modelcar: warning: file:line:column: field: message`. */
export function formatWarnings(result: SynthResult): string {
  return result.warnings.map((w) => `modelcar: warning: ${formatDiagnostic(w)}\n`).join('');
}
