/**
 * A problem the user can fix (bad config, bad arguments, a file that is missing).
 * The CLI prints its message without a stack trace and exits with code 1.
 */
export class UserError extends Error {
  public readonly name = 'UserError';
  /** Process exit code for this error: 1 for bad input, 2 for bad usage. */
  public readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** Where in a source file a problem was found. Lines and columns count from 1. */
export interface SourcePosition {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

/** One problem in a config file: where it is, which field, and what is wrong. */
export interface Diagnostic {
  readonly position: SourcePosition;
  /** Field path in the config, e.g. `models[0].format`; empty for the whole file. */
  readonly field: string;
  /** What is wrong, and what would be right. */
  readonly message: string;
}

/** Renders a diagnostic as `file:line:column: field: message`, the form editors and CI logs link. */
export function formatDiagnostic(d: Diagnostic): string {
  const { file, line, column } = d.position;
  const where = line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
  return d.field ? `${where}: ${d.field}: ${d.message}` : `${where}: ${d.message}`;
}

/** All the problems found in one config file, reported together. */
export class ConfigError extends UserError {
  public readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const count = diagnostics.length === 1 ? '1 problem' : `${diagnostics.length} problems`;
    super([...diagnostics.map(formatDiagnostic), `${count} found; nothing was written.`].join('\n'));
    this.diagnostics = diagnostics;
  }
}

/** Formats a config field path (`['models', 0, 'format']`) as `models[0].format`. */
export function fieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

/** The closest candidate to `value` by edit distance, when it is close enough to be a likely typo. */
export function didYouMean(value: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(value.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** Edit distance counting a swap of two neighbouring characters as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** Describes a value found in a config or manifest for a message: `"text"`, `number 5`, `a map`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return `${typeof value} ${String(value)}`;
}
