import { KserveRelease, RELEASE_VERSIONS } from '../validation/kserve-admission';
import { ValidationReport, formatReport, validatePaths } from '../validation/validate-yaml';

/** The KServe versions `modelcar validate --kserve-version` takes, each standing for the release modelcar knows. */
export const VALIDATE_KSERVE_VERSIONS = Object.keys(RELEASE_VERSIONS);

/** Options of `modelcar validate`. */
export interface ValidateOptions {
  /** YAML files and folders to validate. */
  readonly paths: readonly string[];
  /** The KServe version whose CRDs and admission rules judge (`0.15`: v0.15.2, `0.20`: v0.20.0). @default '0.15' */
  readonly kserveVersion?: string;
}

/**
 * Runs `modelcar validate`: the report, and the exit code (1 when `kubectl apply` would refuse an object; warnings,
 * for what KServe admits but fails on later, do not change it).
 */
export function runValidate(options: ValidateOptions): { report: ValidationReport; text: string; code: number } {
  const release: KserveRelease | undefined = RELEASE_VERSIONS[options.kserveVersion ?? '0.15'];
  if (!release) throw new Error(`unknown KServe version ${options.kserveVersion}`);
  const report = validatePaths(options.paths, release);
  return { report, text: formatReport(report), code: report.problems.length ? 1 : 0 };
}
