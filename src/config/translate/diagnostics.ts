import { ConfigError, Diagnostic, formatDiagnostic } from '../../core/errors';
import { sortDiagnostics } from '../load';

/** A field of the config, as a path: `['models', 0, 'format']`. */
export type FieldPath = readonly (string | number)[];

/** Runs a construct's constructor; a prop error it throws becomes a diagnostic at the config entry. */
export function construct(problems: Diagnostic[], where: Diagnostic, make: () => unknown): void {
  try {
    make();
  } catch (e) {
    if (!(e instanceof Error) || e instanceof ConfigError) throw e;
    problems.push({ ...where, message: e.message });
  }
}

/** The diagnostics without repeats (environments share most of the config), in file order. */
export function uniqueDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return sortDiagnostics(diagnostics.filter((d) => !seen.has(formatDiagnostic(d)) && !!seen.add(formatDiagnostic(d))));
}
