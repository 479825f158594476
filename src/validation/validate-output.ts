import { UserError, formatDiagnostic } from '../core/errors';
import { OutputFile } from '../core/output-file';
import { emptyReport, isValidDocument, validateYamlText } from './validate-yaml';
import { tektonProblems } from './tekton';

/**
 * The synthesized output failed validation against the KServe and Kubernetes schemas: a value in the
 * config (or in TypeScript constructs) that the checks before it let through. Nothing was written.
 */
export class OutputValidationError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

/**
 * Validates every manifest synth is about to write, as `modelcar validate` would validate the written files.
 * `outdir` is the output folder as named in messages.
 *
 * A file that carries the object it was serialized from (`data`) is checked as that object: parsing the YAML
 * synth has just written out costs far more than the check itself. Only a file whose object fails is parsed, for
 * the lines of its problems, which are then exactly those `modelcar validate` reports.
 * @throws OutputValidationError listing every problem, with file and line.
 */
export function validateOutput(files: readonly OutputFile[], outdir: string): void {
  const report = emptyReport();
  for (const f of files) {
    if (!f.path.endsWith('.yaml') || !/^([a-z0-9-]+\/)?manifests\//.test(f.path)) continue;
    if (f.data !== undefined && isValidDocument(f.data)) continue;
    validateYamlText(`${outdir}/${f.path}`, f.content, report);
  }
  // The in-cluster builds: Tekton's webhook and reconciler rules, each environment's objects together.
  const builds = new Map<string, unknown[]>();
  for (const f of files) {
    const m = /^(([a-z0-9-]+\/)?builds)\/.*\.yaml$/.exec(f.path);
    if (!m || f.data === undefined || (f.data as { kind?: string }).kind === 'Kustomization') continue;
    builds.set(m[1], [...(builds.get(m[1]) ?? []), f.data]);
  }
  const tekton = [...builds.values()].flatMap((objects) => tektonProblems(objects));
  if (report.problems.length === 0 && tekton.length === 0) return;
  const n = report.problems.length + tekton.length;
  throw new OutputValidationError(
    [
      tekton.length ? `the synthesized objects do not pass the KServe / Kubernetes schemas or Tekton's checks:` : `the synthesized objects do not pass the KServe / Kubernetes schemas:`,
      ...report.problems.map(formatDiagnostic),
      ...tekton.map((p) => `${outdir}: ${p}`),
      `${n} problem${n === 1 ? '' : 's'} found; nothing was written.`,
    ].join('\n'),
  );
}
