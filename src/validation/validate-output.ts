import { UserError, formatDiagnostic } from '../core/errors';
import { OutputFile } from '../core/output-file';
import type { CrdSet } from '../core/releases';
import { DEFAULT_CRD_SET } from './validate-object';
import { emptyReport, isValidDocument, validateYamlText } from './validate-yaml';

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
 * `outdir` is the output folder as named in messages; `crds` the KServe CRDs of the release the output is for.
 *
 * A file that carries the object it was serialized from (`data`) is checked as that object: parsing the YAML
 * synth has just written out costs far more than the check itself. Only a file whose object fails is parsed, for
 * the lines of its problems, which are then exactly those `modelcar validate` reports.
 * @throws OutputValidationError listing every problem, with file and line.
 */
export function validateOutput(files: readonly OutputFile[], outdir: string, options: { readonly crds?: CrdSet } = {}): void {
  const crds = options.crds ?? DEFAULT_CRD_SET;
  const report = emptyReport(crds);
  for (const f of files) {
    if (!f.path.endsWith('.yaml') || !/^([a-z0-9-]+\/)?manifests\//.test(f.path)) continue;
    if (f.data !== undefined && isValidDocument(f.data, crds)) continue;
    validateYamlText(`${outdir}/${f.path}`, f.content, report);
  }
  if (report.problems.length === 0) return;
  const n = report.problems.length;
  throw new OutputValidationError(
    [`the synthesized objects do not pass the KServe / Kubernetes schemas:`, ...report.problems.map(formatDiagnostic), `${n} problem${n === 1 ? '' : 's'} found; nothing was written.`].join('\n'),
  );
}
