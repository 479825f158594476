/**
 * A fast writer of YAML for plain data, byte for byte what the `yaml` package writes with modelcar's options
 * (`YAML.stringify(value, { lineWidth: 0, version: '1.1' })`), without building its document tree: about ten
 * times faster, and the tree was most of synth's garbage.
 *
 * It covers the data of Kubernetes objects: maps and lists in block style, strings that fit on one line, numbers,
 * booleans and null. For anything else it gives up (returns undefined) and the caller asks `yaml`:
 * - strings with line breaks, tabs or other control characters (block scalars, escapes), or with a line that
 *   begins with a document marker (`---`, `...`, `%`);
 * - a map or list that appears twice in the tree (`yaml` writes an anchor and an alias), or within itself;
 * - anything that is not JSON-like data (undefined, functions, class instances, Map, Date, ...);
 * - keys longer than 1024 characters (`yaml` writes them as explicit keys).
 *
 * The rules follow `yaml` 2.x (stringify/stringifyString.js, stringifyPair.js, stringifyCollection.js): a string
 * is written plain unless it starts with an indicator, holds `: ` or ` #`, ends with a space or a colon, or would be
 * read back as another type under the YAML 1.1 schema (`yes`, `on`, `~`, `0x1F`, `1_000`, `12:30`, a date, ...);
 * then in double quotes (JSON's escapes), or in single quotes when it holds `"` but no `'`. Which strings another
 * type would claim is asked of `yaml`'s own YAML 1.1 schema. test/output/yaml-text.test.ts compares the two on
 * random data and on every manifest of the examples.
 */
import * as YAML from 'yaml';

/** The `yaml` options modelcar writes manifests with: YAML 1.1 (what Kubernetes reads), no line folding. */
export const YAML_OPTIONS: YAML.ToStringOptions & YAML.DocumentOptions = { lineWidth: 0, version: '1.1' };

/** Serializes data as `YAML.stringify(value, YAML_OPTIONS)` does, by the fast path when it can. */
export function stringifyYaml(value: unknown): string {
  return fastYaml(value) ?? YAML.stringify(value, YAML_OPTIONS);
}

/**
 * The YAML text of a map or a list, as `YAML.stringify(value, YAML_OPTIONS)` writes it, or undefined when the value
 * holds something this writer leaves to `yaml` (see above).
 */
export function fastYaml(value: unknown): string | undefined {
  if (!isCollection(value)) return undefined;
  try {
    return `${new Writer().collection(value, '')}\n`;
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}

/** Thrown inside the writer when the value needs `yaml` itself. */
const UNSUPPORTED = new Error('not plain data this writer covers');

/** The two spaces of each level of indentation, as `yaml` indents by default. */
const STEP = '  ';

class Writer {
  /** The maps and lists written so far: one met again would be an alias in `yaml`'s output. */
  private readonly seen = new Set<object>();

  /**
   * A map or list whose lines after the first start with `indent` (`yaml`'s ctx.indent of the collection). An empty
   * one is written in flow style, `{}` or `[]`.
   */
  public collection(value: object, indent: string): string {
    if (this.seen.has(value)) throw UNSUPPORTED;
    this.seen.add(value);
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      const itemIndent = indent + STEP;
      let text = '';
      for (let i = 0; i < value.length; i++) {
        if (i > 0) text += `\n${indent}`;
        text += `- ${this.node(value[i], itemIndent)}`;
      }
      return text;
    }
    const keys = Object.keys(value);
    if (keys.length === 0) return '{}';
    const valueIndent = indent + STEP;
    let text = '';
    for (let i = 0; i < keys.length; i++) {
      const key = scalarString(keys[i]);
      if (key.length > 1024) throw UNSUPPORTED;
      const item = (value as Record<string, unknown>)[keys[i]];
      if (i > 0) text += `\n${indent}`;
      // A non-empty collection starts on the next line; the items of a list under a key are indented.
      text += isCollection(item) && !isEmpty(item) ? `${key}:\n${valueIndent}${this.collection(item, valueIndent)}` : `${key}: ${this.node(item, valueIndent)}`;
    }
    return text;
  }

  /** A list item or a map value: a collection (see {@link collection}) or a scalar. */
  private node(value: unknown, indent: string): string {
    return isCollection(value) ? this.collection(value, indent) : scalar(value);
  }
}

function isCollection(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isEmpty(value: object): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return scalarString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (Number.isNaN(value)) return '.nan';
      if (!Number.isFinite(value)) return value < 0 ? '-.inf' : '.inf';
      return Object.is(value, -0) ? '-0' : JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      throw UNSUPPORTED;
    default:
      throw UNSUPPORTED;
  }
}

/** Characters `yaml` escapes or writes as a block scalar: control characters (line breaks, tabs), lone surrogates. */
const NEEDS_ESCAPES = /[\x00-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;

/** What a plain scalar may not be: an indicator first, `: ` or ` #` inside, a space or colon last (stringifyString.js). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

/** A line that starts with what ends a document, `yaml`'s test (`^` also matches after U+2028 and U+2029). */
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/** Strings already written, and how: the same keys and many of the same values come back in every object. */
const written = new Map<string, string>();
const MAX_REMEMBERED = 100_000;

/** A string as a key or a value: plain, or quoted as `yaml` quotes it. */
function scalarString(value: string): string {
  let text = written.get(value);
  if (text === undefined) {
    text = styleString(value);
    if (written.size >= MAX_REMEMBERED) written.clear();
    written.set(value, text);
  }
  return text;
}

function styleString(value: string): string {
  // YAML 1.1's merge key: `yaml` gives the string `<<` to its merge tag, which writes it as it is.
  if (value === '<<') return value;
  if (NEEDS_ESCAPES.test(value)) throw UNSUPPORTED;
  if (!NOT_PLAIN.test(value)) {
    if (DOCUMENT_MARKER.test(value)) throw UNSUPPORTED;
    if (!otherTypes().some((test) => test.test(value))) return value;
  }
  // Double quotes unless the string holds a double quote and no single one. Without control characters and lone
  // surrogates, JSON's escapes are those of YAML's double-quoted style (`\"` and `\\`).
  return value.includes('"') && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
}

let otherTypeTests: readonly RegExp[] | undefined;

/**
 * The patterns of plain scalars that YAML 1.1 reads as something other than a string (null, booleans, numbers,
 * timestamps, the merge key), from `yaml`'s own schema: what its `plainString` checks before writing a string plain.
 */
function otherTypes(): readonly RegExp[] {
  if (otherTypeTests) return otherTypeTests;
  const schema = new YAML.Document(null, { version: '1.1' }).schema;
  const tags = [...schema.tags, ...(schema.compat ?? [])];
  otherTypeTests = tags.filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test).map((t) => t.test!);
  return otherTypeTests;
}
