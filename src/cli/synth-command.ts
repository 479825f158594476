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
  for (const [sign, list] of [['+', added], ['~', changed], ['-', removed]] as const) for (const f of list) lines.push(`  ${sign} ${f}`);
  return lines.join('\n') + '\n';
}

/** What `synth --check` prints. */
export function formatChanges(result: SynthResult, outdir: string): string {
  const { added, changed, removed } = result.changes;
  if (added.length + changed.length + removed.length === 0) return `${outdir}/ is up to date\n`;
  const lines = [`${outdir}/ is stale: run \`modelcar synth\` and commit the result`];
  for (const [sign, list] of [['+', added], ['~', changed], ['-', removed]] as const) for (const f of list) lines.push(`  ${sign} ${f}`);
  return lines.join('\n') + '\n';
}
