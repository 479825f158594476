import { Diagnostic, PropError, PropProblem, formatDiagnostic, formatPropProblem } from '../../core/errors';
import { LoadedConfig, sortDiagnostics } from '../load';

/** A field of the config, as a path: `['models', 0, 'format']`. */
export type FieldPath = readonly (string | number)[];

/** Where in the config the value of a prop came from, and how its problem reads there (by default as the construct says it). */
export interface ConfigField {
  readonly field: FieldPath;
  /** @default - the problem's message */
  readonly message?: string;
}

/** Maps the props of a construct to the config fields their values came from; undefined for a prop the config did not give. */
export type PropFields = (problem: PropProblem) => ConfigField | undefined;

/**
 * Runs a construct's constructor (or a factory) made from a config entry, and returns what it made. The construct
 * checks its props: each problem of the {@link PropError} it throws becomes a diagnostic at the config field its
 * value came from (`fields`), or, for a value the config did not give, at the entry with the construct's whole
 * message. Returns undefined then. Other errors are not the config's problems: they pass.
 */
export function construct<T>(loaded: LoadedConfig, problems: Diagnostic[], entry: FieldPath, fields: PropFields, make: () => T): T | undefined {
  try {
    return make();
  } catch (e) {
    if (!PropError.isPropError(e)) throw e;
    for (const p of e.problems) {
      const found = fields(p);
      problems.push(found ? loaded.at(found.field, found.message ?? p.message) : loaded.at(entry, formatPropProblem(p)));
    }
    return undefined;
  }
}

/** The diagnostics without repeats (models and environments share fields of the config), in file order. */
export function uniqueDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return sortDiagnostics(diagnostics.filter((d) => !seen.has(formatDiagnostic(d)) && !!seen.add(formatDiagnostic(d))));
}
