import { ValidationReport, formatReport, validatePaths } from '../validation/validate-yaml';

/** Options of `modelcar validate`. */
export interface ValidateOptions {
  /** YAML files and folders to validate. */
  readonly paths: readonly string[];
}

/** Runs `modelcar validate`: the report, and the exit code (1 when any object is invalid). */
export function runValidate(options: ValidateOptions): { report: ValidationReport; text: string; code: number } {
  const report = validatePaths(options.paths);
  return { report, text: formatReport(report), code: report.problems.length ? 1 : 0 };
}
