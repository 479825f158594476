import * as path from 'path';
import type { ErrorObject } from 'ajv';
import * as YAML from 'yaml';
import { ConfigError, Diagnostic, describeValue, didYouMean, fieldPath, UserError } from '../core/errors';
import { NotRegularFileError, readRegularFile } from '../core/safe-fs';
import { TOO_DEEP_MESSAGE, documentToJs, isTooDeep, onceTooDeep, parseYaml } from '../core/yaml-document';
import { sha256Problem } from '../core/model-files';
import { configValidator } from './schema-validator';
import { ModelcarConfig } from './types.generated';

/** A config file read and checked against the schema, with what is needed to point at its lines. */
export interface LoadedConfig {
  /** The config, schema-valid. */
  readonly config: ModelcarConfig;
  /** The path it was read from, as given. */
  readonly file: string;
  /** Absolute folder of the file: relative model paths are resolved against it. */
  readonly dir: string;
  /** A diagnostic at a field of the config (at the file when the field has no position). */
  at(field: readonly (string | number)[], message: string): Diagnostic;
  /** Warnings found so far: problems that do not stop synth; `synth` prints them. */
  readonly warnings: Diagnostic[];
  /** Adds a warning at a field of the config. */
  warn(field: readonly (string | number)[], message: string): void;
  /**
   * With `deferModelErrors`: schema problems inside single models, not thrown yet so that the checks after
   * the schema can report theirs too; empty otherwise.
   */
  readonly problems: readonly Diagnostic[];
  /** With `deferModelErrors`: indexes of the models that have schema problems; later checks skip them. */
  readonly invalidModels: ReadonlySet<number>;
}

/** Options of {@link loadConfig}. */
export interface LoadOptions {
  /**
   * When the only schema problems are inside entries of `models`, return them in `problems` (and those
   * entries in `invalidModels`) instead of throwing, so that a caller reports every problem at once.
   * @default false
   */
  readonly deferModelErrors?: boolean;
}

function validate(data: unknown): ErrorObject[] {
  const validator = configValidator();
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/**
 * Reads a modelcar config file: YAML with source positions, checked against `modelcar.schema.json`.
 * Throws a {@link ConfigError} with every problem found (file:line:column, field, what is wrong and what is
 * allowed), or a {@link UserError} when the file cannot be read.
 */
export function loadConfig(file: string, options: LoadOptions = {}): LoadedConfig {
  const text = readText(file);
  const lineCounter = new YAML.LineCounter();
  const doc = parseYaml(text, { lineCounter, prettyErrors: false, version: '1.2' });
  const position = (offset: number | undefined) => {
    if (offset === undefined) return { file };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  if (doc.errors.length) {
    throw new ConfigError(
      onceTooDeep(doc.errors).map((e) => ({ position: position(e.pos[0]), field: '', message: yamlMessage(e, text) })),
    );
  }
  const nodeAt = (field: readonly (string | number)[]) => {
    let node: unknown = doc.contents;
    let found: unknown = node;
    for (const key of field) {
      if (YAML.isMap(node) || YAML.isSeq(node)) {
        const next = (node as YAML.YAMLMap | YAML.YAMLSeq).get(key, true);
        if (next === undefined) break;
        node = next;
        found = node;
      } else break;
    }
    return found as YAML.Node | undefined;
  };
  const at = (field: readonly (string | number)[], message: string): Diagnostic => ({
    position: position(nodeAt(field)?.range?.[0]),
    field: fieldPath(field),
    message,
  });

  const converted = documentToJs(doc, position);
  if ('problems' in converted) throw new ConfigError(converted.problems);
  const data = converted.data;
  if (data === null || data === undefined) {
    throw new ConfigError([{ position: { file }, field: '', message: 'the file is empty; a config needs at least `version: 1` and `models:`' }]);
  }
  const errors = validate(data);
  let problems: Diagnostic[] = [];
  const invalidModels = new Set<number>();
  if (errors.length) {
    problems = sortDiagnostics(dedupe(errors.filter(notRedundant).map((e) => schemaDiagnostic(e, doc, at, position))));
    const inModels = errors.map((e) => /^\/models\/(\d+)(\/|$)/.exec(e.instancePath));
    if (!options.deferModelErrors || inModels.some((m) => m === null)) throw new ConfigError(problems);
    for (const m of inModels) invalidModels.add(Number(m![1]));
  }
  const warnings: Diagnostic[] = [];
  const warn = (field: readonly (string | number)[], message: string): void => {
    warnings.push(at(field, message));
  };
  return { config: data as ModelcarConfig, file, dir: path.dirname(path.resolve(file)), at, warnings, warn, problems, invalidModels };
}

function readText(file: string): string {
  let buffer: Buffer;
  try {
    buffer = readRegularFile(file);
  } catch (e: any) {
    if (e instanceof NotRegularFileError) throw new UserError(`${file}: is ${e.kind}, not a file; give the config file itself`);
    if (e.code === 'ENOENT') throw new UserError(`${file}: no such file (give the config with -c, e.g. -c modelcar.yaml)`);
    if (e.code === 'EISDIR') throw new UserError(`${file}: is a folder; give the config file itself (e.g. ${path.join(file, 'modelcar.yaml')})`);
    if (e.code === 'EACCES') throw new UserError(`${file}: permission denied`);
    throw e;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw new UserError(`${file}: is not UTF-8 text; save it as UTF-8`);
  }
  if (text.trim() === '') throw new UserError(`${file}: the file is empty; a config needs at least \`version: 1\` and \`models:\``);
  return text;
}

function yamlMessage(e: YAML.YAMLError, text: string): string {
  if (isTooDeep(e)) return TOO_DEEP_MESSAGE;
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^[^:\n]*/.exec(text.slice(e.pos[0]))![0].trim();
    return `duplicate key ${JSON.stringify(key)}: each key may appear once in a map`;
  }
  return `YAML syntax error: ${e.message.split('\n')[0]}`;
}

/** Drops errors that only restate another (the `if`/`anyOf` wrappers). */
function notRedundant(e: ErrorObject): boolean {
  return e.keyword !== 'if' && e.keyword !== 'anyOf' && e.keyword !== 'oneOf';
}

/** Orders diagnostics as they appear in the file. */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => (a.position.line ?? 0) - (b.position.line ?? 0) || (a.position.column ?? 0) - (b.position.column ?? 0));
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.position.line}:${d.position.column}:${d.field}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function schemaDiagnostic(
  e: ErrorObject,
  doc: YAML.Document.Parsed,
  at: (field: readonly (string | number)[], message: string) => Diagnostic,
  position: (offset: number | undefined) => Diagnostic['position'],
): Diagnostic {
  const field = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const found = describeValue(e.data);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((e.parentSchema as any)?.properties ?? {});
      const hint = didYouMean(key, allowed);
      const parent = doc.getIn(field, true);
      let offset: number | undefined;
      if (YAML.isMap(parent)) {
        const pair = parent.items.find((p) => YAML.isScalar(p.key) && p.key.value === key);
        offset = (pair?.key as YAML.Node | undefined)?.range?.[0];
      }
      return {
        position: position(offset),
        field: fieldPath([...field, key]),
        message: `unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; allowed here: ${allowed.join(', ')}`,
      };
    }
    case 'required': {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      const description = (e.parentSchema as any)?.properties?.[missing]?.description as string | undefined;
      return at(field, `missing required key "${missing}"${description ? `: ${description}` : ''}`);
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : undefined;
      return at(field, `${found} is not allowed${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}`);
    }
    case 'const':
      return at(field, `${found} is not allowed; must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`);
    case 'type': {
      const type = String((e.params as { type: string | string[] }).type);
      const quote = type === 'string' && (typeof e.data === 'boolean' || typeof e.data === 'number') ? ` (quote it: "${String(e.data)}")` : '';
      const allowed = type.split(',').map((t) => (t === 'null' ? t : article(TYPE_NAMES[t] ?? t))).join(' or ');
      return at(field, `${found} is not allowed; must be ${allowed}${quote}`);
    }
    case 'minItems': {
      const limit = (e.params as { limit: number }).limit;
      const n = Array.isArray(e.data) ? e.data.length : 0;
      return at(field, `${n === 0 ? 'an empty list' : `a list of ${n}`} is not allowed; must list at least ${limit} item${limit === 1 ? '' : 's'}`);
    }
    case 'minLength':
      return at(field, `${found} is not allowed; must not be empty`);
    case 'maxLength':
      return at(field, `${found} is too long: at most ${(e.params as { limit: number }).limit} characters`);
    case 'pattern':
      if (field[field.length - 1] === 'sha256' && typeof e.data === 'string') return at(field, sha256Problem(e.data));
      return at(field, `${found} is not valid: ${(e.parentSchema as any)?.description ?? `must match ${(e.params as { pattern: string }).pattern}`}`);
    default:
      return at(field, `${found} ${e.message ?? 'is not valid'}`);
  }
}

/** Schema type names in the words of YAML. */
const TYPE_NAMES: Record<string, string> = { object: 'map', array: 'list' };

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
