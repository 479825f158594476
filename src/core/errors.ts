import type { IConstruct } from 'constructs';

/** Symbols that mark modelcar's errors, so that a check works across copies of the package (as cdk8s marks a Chart). */
const USER_ERROR = Symbol.for('modelcar.UserError');
const CONFIG_ERROR = Symbol.for('modelcar.ConfigError');
const PROP_ERROR = Symbol.for('modelcar.PropError');

/**
 * Marks an object with a brand (a non-enumerable property keyed by a global symbol), as cdk8s marks its Charts and
 * ApiObjects.
 */
export function brand(target: object, symbol: symbol): void {
  Object.defineProperty(target, symbol, { value: true });
}

/** Whether `x` carries a brand: `instanceof` fails for objects made by another copy of the package. */
export function hasBrand(x: unknown, symbol: symbol): boolean {
  return x !== null && (typeof x === 'object' || typeof x === 'function') && symbol in (x as object);
}

/**
 * A problem the user can fix (bad config, bad arguments, a file that is missing).
 * The CLI prints its message without a stack trace and exits with code 1.
 */
export class UserError extends Error {
  /** Whether `x` is a UserError (of any copy of modelcar). */
  public static isUserError(x: unknown): x is UserError {
    return hasBrand(x, USER_ERROR);
  }

  public readonly name: string = 'UserError';
  /** Process exit code for this error: 1 for bad input, 2 for bad usage. */
  public readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
    brand(this, USER_ERROR);
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

/**
 * Renders a diagnostic as `file:line:column: field: message`, the form editors and CI logs link: one line, with
 * control characters escaped (see {@link printable}).
 */
export function formatDiagnostic(d: Diagnostic): string {
  const { file, line, column } = d.position;
  const where = line === undefined ? file : column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
  return printable(d.field ? `${where}: ${d.field}: ${d.message}` : `${where}: ${d.message}`, { lines: false });
}

/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts colour and cursor sequences, CR returns
 * to the start of the line and so hides what came before), DEL, C1 controls (0x9b is a one-byte CSI), the Unicode
 * line and paragraph separators, and the bidirectional overrides that make text read differently than it is.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_OR_NEWLINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text safe to print on a terminal: control characters, which a file name, a manifest or a config may carry, are
 * written as escapes (`\x1b`, `\r`, `\u202e`). Messages are escaped here, once, where they are printed. Tabs stay;
 * line breaks stay unless `lines` is false (a diagnostic is one line).
 */
export function printable(text: string, options: { lines?: boolean } = {}): string {
  const pattern = options.lines === false ? CONTROL_OR_NEWLINE : CONTROL;
  return text.replace(pattern, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Whether an error is a system error (a failed system call: a full disk, a read-only filesystem, a permission). */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  // Not `instanceof Error`: errors made in another realm (a test runner's sandbox, a worker) are errors too.
  return typeof e === 'object' && e !== null && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** What the common system errors mean, in words, with what to do. */
const SYSTEM_ERRORS: ReadonlyMap<string, string> = new Map([
  ['EROFS', 'the filesystem is read-only'],
  ['ENOSPC', 'no space left on the device'],
  ['EDQUOT', 'the disk quota is exceeded'],
  ['EACCES', 'permission denied'],
  ['EPERM', 'operation not permitted'],
  ['EBUSY', 'it is busy (a mount point, or in use)'],
  ['EXDEV', 'it is on another filesystem'],
  ['EIO', 'an input/output error of the device'],
  ['EMFILE', 'too many open files'],
  ['ENFILE', 'too many open files in the system'],
  ['ENAMETOOLONG', 'the name is too long'],
  ['ELOOP', 'too many symbolic links (or a link where none may be)'],
  ['ENOTDIR', 'a part of the path is not a folder'],
  ['EISDIR', 'it is a folder'],
  ['ENOENT', 'no such file or folder'],
  ['EEXIST', 'it exists already'],
  ['ENOTEMPTY', 'the folder is not empty'],
  ['EMLINK', 'too many links'],
]);

/** A system error as a user message: what failed, on which path, why (`cannot open /x: the filesystem is read-only`). */
export function systemErrorMessage(e: NodeJS.ErrnoException): string {
  const why = SYSTEM_ERRORS.get(e.code ?? '') ?? (/^[A-Z0-9]+: ([^,]+)/.exec(e.message)?.[1] ?? e.message);
  const dest = (e as { dest?: string }).dest;
  const where = e.path === undefined ? '' : ` ${e.path}${dest === undefined ? '' : ` -> ${dest}`}`;
  return `cannot ${e.syscall ?? 'access'}${where}: ${why} (${e.code})`;
}

/** All the problems found in one config file, reported together. */
export class ConfigError extends UserError {
  /** Whether `x` is a ConfigError (of any copy of modelcar). */
  public static isConfigError(x: unknown): x is ConfigError {
    return hasBrand(x, CONFIG_ERROR);
  }

  public readonly name: string = 'ConfigError';
  public readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    const count = diagnostics.length === 1 ? '1 problem' : `${diagnostics.length} problems`;
    super([...diagnostics.map(formatDiagnostic), `${count} found; nothing was written.`].join('\n'));
    this.diagnostics = diagnostics;
    brand(this, CONFIG_ERROR);
  }
}

/** A path into a construct's props: keys and list indexes, e.g. `['files', 0, 'sha256']`. */
export type PropPath = readonly (string | number)[];

/** One problem with one prop of a construct (or one argument of a factory such as `PullSecret.fromSecretName`). */
export interface PropProblem {
  /**
   * The construct or factory whose prop it is, e.g. `InferenceService`, `PullSecret.fromSecretName`; empty for a
   * helper that checks a value for whichever construct calls it.
   */
  readonly construct: string;
  /** Where the value is in the props, e.g. `['modelFormat', 'name']`; printed as `modelFormat.name`. */
  readonly path: PropPath;
  /** The value given. */
  readonly value: unknown;
  /** What is wrong with it, and what would be right. */
  readonly message: string;
  /** What is allowed, when that is a short list (e.g. the formats a runtime serves). @default - said in the message */
  readonly allowed?: readonly string[];
}

/** Formats a problem as the line a PropError prints: `InferenceService modelFormat.name: "onxx" is not served ...`. */
export function formatPropProblem(p: PropProblem): string {
  return `${p.construct ? `${p.construct} ` : ''}${fieldPath(p.path)}: ${p.message}`;
}

/**
 * Props a construct refuses: every problem its checks found, each naming the prop, the value and what is allowed.
 * The config layer maps each problem to the config line its value came from; in TypeScript the message names them.
 */
export class PropError extends UserError {
  /** Whether `x` is a PropError (of any copy of modelcar). */
  public static isPropError(x: unknown): x is PropError {
    return hasBrand(x, PROP_ERROR);
  }

  public readonly name: string = 'PropError';
  /** The problems, at least one, in the order the checks found them. */
  public readonly problems: readonly PropProblem[];
  constructor(problems: PropProblem | readonly PropProblem[]) {
    const list: readonly PropProblem[] = Array.isArray(problems) ? problems : [problems as PropProblem];
    if (list.length === 0) throw new Error('a PropError needs at least one problem');
    super(list.map(formatPropProblem).join('\n'));
    this.problems = list;
    brand(this, PROP_ERROR);
  }

  /** The construct of the first problem. */
  public get construct(): string {
    return this.problems[0].construct;
  }

  /** The prop of the first problem, e.g. `modelFormat.name`. */
  public get prop(): string {
    return fieldPath(this.problems[0].path);
  }

  /** The value of the first problem. */
  public get value(): unknown {
    return this.problems[0].value;
  }

  /** What is allowed for the first problem, when that is a short list. */
  public get allowed(): readonly string[] | undefined {
    return this.problems[0].allowed;
  }
}

/**
 * Collects the problems of one construct's props, so that all of them are reported together, as one
 * {@link PropError}.
 */
export class PropChecker {
  private readonly found: PropProblem[] = [];

  /** @param construct the construct (or factory) whose props are checked, e.g. `InferenceService` */
  constructor(public readonly construct: string) {}

  /** The problems found so far. */
  public get problems(): readonly PropProblem[] {
    return this.found;
  }

  /** Adds a problem with the prop at `path` (a prop name, or a path into the props). */
  public add(path: string | PropPath, value: unknown, message: string, allowed?: readonly string[]): void {
    this.found.push({ construct: this.construct, path: typeof path === 'string' ? [path] : path, value, message, ...(allowed ? { allowed } : {}) });
  }

  /**
   * Runs a check (a function, a constructor) and returns its result; a {@link PropError} it throws adds its problems,
   * renamed by `rename` when given (e.g. a part's props as the props of the composite), and gives undefined.
   * Other errors are not prop problems: they pass.
   */
  public run<T>(check: () => T, rename?: (problem: PropProblem) => PropProblem): T | undefined {
    try {
      return check();
    } catch (e) {
      if (!PropError.isPropError(e)) throw e;
      this.found.push(...(rename ? e.problems.map(rename) : e.problems));
      return undefined;
    }
  }

  /**
   * Throws a {@link PropError} with every problem found, if any. Given the construct being made, it first takes
   * it out of its scope, with whatever parts it made, so that a refused construct leaves nothing in the tree.
   */
  public throwIfAny(construct?: IConstruct): void {
    if (this.found.length === 0) return;
    construct?.node.scope?.node.tryRemoveChild(construct.node.id);
    throw new PropError(this.found);
  }
}

/** The value at a path in an object (undefined where the path leads nowhere). */
export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v: any = root;
  for (const key of path) v = v === null || v === undefined ? undefined : v[key];
  return v;
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
