/**
 * Validates YAML files of Kubernetes objects (one or many documents each, `kind: List` too) and points at
 * the line of every problem: what `modelcar validate` runs on any files or folders, and what synth runs on
 * its own manifests before it writes them. Problems are what `kubectl apply` refuses (the schemas, the API
 * server's rules, KServe's validating webhooks); warnings are what it accepts but KServe fails on or ignores.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { Diagnostic, SourcePosition, UserError, fieldPath, formatDiagnostic } from '../core/errors';
import { NotRegularFileError, readRegularFile } from '../core/safe-fs';
import { TOO_DEEP_MESSAGE, documentToJs, isTooDeep, onceTooDeep, parseAllYaml } from '../core/yaml-document';
import type { CrdSet } from '../core/releases';
import { DEFAULT_KSERVE_RELEASE, KserveRelease, RuntimeSeen, runtimePriorityConflict } from './kserve-admission';
import { ObjectPath, ObjectReport, RELEASE_CRD_SETS, validateObject } from './validate-object';

/** A problem or warning of a report, with the rule that found it (see {@link ObjectProblem.rule}). */
export interface ReportedProblem extends Diagnostic {
  readonly rule: string;
}

/** What validating some YAML found. */
export interface ValidationReport {
  /** The KServe release whose CRDs and admission rules judge KServe objects. */
  readonly kserve: KserveRelease;
  /** The files read, in order. */
  readonly files: string[];
  /** Objects checked against a schema. */
  objects: number;
  /** Every problem (what `kubectl apply` refuses), in file and line order. */
  readonly problems: ReportedProblem[];
  /** Every warning (admitted, but KServe fails on it later or ignores part of it), in file and line order. */
  readonly warnings: ReportedProblem[];
  /** Objects not checked, counted by why (`Kustomization`, `apps/v1 Deployment`). */
  readonly skipped: Map<string, number>;
  /** The KServe CRDs KServe's kinds are checked against: those of `kserve`, or of a platform release's fork. */
  readonly crds: CrdSet;
  /** The runtimes seen so far, by `kind/namespace`: KServe compares a new one with those applied before it. */
  readonly runtimes: Map<string, RuntimeSeen[]>;
}

/**
 * An empty report, to fill with {@link validateYamlText}: KServe's kinds judged by the rules of a KServe release, and
 * checked against its CRDs unless `crds` names others (a platform release's).
 */
export function emptyReport(kserve: KserveRelease = DEFAULT_KSERVE_RELEASE, crds: CrdSet = RELEASE_CRD_SETS[kserve]): ValidationReport {
  return { kserve, crds, files: [], objects: 0, problems: [], warnings: [], skipped: new Map(), runtimes: new Map() };
}

/** Validates the objects in one YAML text, adding to `report`. `file` is the name used in messages. */
export function validateYamlText(file: string, text: string, report: ValidationReport = emptyReport()): ValidationReport {
  report.files.push(file);
  const lineCounter = new YAML.LineCounter();
  const position = (offset: number | undefined): SourcePosition => {
    if (offset === undefined) return { file };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const list = parseAllYaml(text, { lineCounter, prettyErrors: false });
  for (const doc of list) {
    if (doc.errors.length) {
      for (const e of onceTooDeep(doc.errors)) {
        const message = e.code === 'DUPLICATE_KEY' ? `duplicate key: each key may appear once in a map` : isTooDeep(e) ? TOO_DEEP_MESSAGE : `YAML syntax error: ${e.message.split('\n')[0]}`;
        report.problems.push({ position: position(e.pos[0]), field: '', message, rule: 'yaml' });
      }
      continue;
    }
    if (isEmptyDocument(doc)) continue; // an empty document (a trailing `---`, a comment only)
    const converted = documentToJs(doc, position);
    if ('problems' in converted) {
      report.problems.push(...converted.problems.map((p) => ({ ...p, rule: 'yaml' })));
      continue;
    }
    for (const { value, prefix } of documentItems(converted.data)) {
      const result = checkObject(value, report);
      if (result.skipped !== undefined) report.skipped.set(result.skipped, (report.skipped.get(result.skipped) ?? 0) + 1);
      else report.objects++;
      const found: (ReportedProblem & { warning: boolean })[] = [];
      const who = result.kind ? `${result.kind} ${result.namespace ? `${result.namespace}/` : ''}${result.name ?? '(no name)'}` : 'object';
      for (const p of result.problems) {
        const full = [...prefix, ...p.path];
        const node = nodeAt(doc, full, p.atKey === true);
        const field = fieldPath(p.path);
        found.push({ position: position(node?.range?.[0]), field: field ? `${who}: ${field}` : who, message: p.message, rule: p.rule, warning: p.warning === true });
      }
      // In line order; problems at one place keep the order they were found in.
      found.sort((a, b) => (a.position.line ?? 0) - (b.position.line ?? 0) || (a.position.column ?? 0) - (b.position.column ?? 0));
      for (const { warning, ...p } of found) (warning ? report.warnings : report.problems).push(p);
    }
  }
  return report;
}

/**
 * Whether a document is empty: nothing, or only comments, after its `---` (which the YAML library reads as a null
 * scalar with no source). An explicit `null` or `~` is not empty: it is a document that is no object.
 */
function isEmptyDocument(doc: YAML.Document.Parsed): boolean {
  const c = doc.contents;
  return c === null || (YAML.isScalar(c) && c.value === null && (c.source === '' || c.source === undefined) && !c.tag && !c.anchor);
}

/**
 * Validates one object as part of `report`: its own rules, then the rules between it and the objects before it
 * (validateServingRuntimePriority: a runtime is compared with the runtimes applied before it).
 */
function checkObject(value: unknown, report: ValidationReport): ObjectReport {
  const result = validateObject(value, { kserve: report.kserve, crds: report.crds });
  if ((result.kind !== 'ServingRuntime' && result.kind !== 'ClusterServingRuntime') || result.skipped !== undefined || result.problems.some((p) => !p.warning)) return result;
  const spec = (value as { spec?: unknown }).spec;
  if (spec === null || typeof spec !== 'object' || result.name === undefined) return result;
  const key = `${result.kind}/${result.kind === 'ServingRuntime' ? (result.namespace ?? '') : ''}`;
  const seen = report.runtimes.get(key) ?? [];
  report.runtimes.set(key, seen);
  const runtime: RuntimeSeen = { name: result.name, spec: spec as Record<string, unknown> };
  const problems = [...result.problems];
  for (const older of seen) {
    const conflict = runtimePriorityConflict(runtime, older, result.kind, result.namespace);
    if (conflict) {
      problems.push({
        path: ['spec', 'supportedModelFormats', conflict.index, 'priority'],
        rule: 'validateServingRuntimePriority',
        message: `${conflict.message} (KServe ${report.kserve} validateServingRuntimePriority, at admission: refused when ${older.name} is applied first)`,
      });
      break;
    }
  }
  seen.push(runtime);
  return { ...result, problems };
}

/** The objects of one YAML document: the document itself, or the items of a `kind: ...List`. */
function documentItems(obj: any): { value: unknown; prefix: ObjectPath }[] {
  return obj && typeof obj === 'object' && !Array.isArray(obj) && typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)
    ? obj.items.map((value: unknown, i: number) => ({ value, prefix: ['items', i] }))
    : [{ value: obj, prefix: [] }];
}

/**
 * Whether documents given as data (what parsing their YAML gives), in apply order, pass {@link validateYamlText}
 * without a problem or a warning: every object valid or not checked, and no runtime clashing with one before it
 * (validateServingRuntimePriority). Each object is validated once. For the problems themselves, with lines,
 * validate the text.
 */
export function documentsPass(documents: readonly unknown[], kserve: KserveRelease = DEFAULT_KSERVE_RELEASE, crds: CrdSet = RELEASE_CRD_SETS[kserve]): boolean {
  const report = emptyReport(kserve, crds);
  return documents.every((data) => documentItems(data).every(({ value }) => checkObject(value, report).problems.length === 0));
}

/** The node at a path, or its nearest ancestor; with `key`, the key node of the last step. */
function nodeAt(doc: YAML.Document.Parsed, p: ObjectPath, key: boolean): YAML.Node | undefined {
  let node: unknown = doc.contents;
  let found = node as YAML.Node | undefined;
  for (let i = 0; i < p.length; i++) {
    if (YAML.isMap(node)) {
      const pair = node.items.find((it) => (YAML.isScalar(it.key) ? it.key.value : it.key) === p[i]);
      if (!pair) break;
      if (key && i === p.length - 1) return pair.key as YAML.Node;
      node = pair.value;
    } else if (YAML.isSeq(node) && typeof p[i] === 'number') {
      node = node.items[p[i] as number];
    } else break;
    if (!YAML.isNode(node)) break;
    found = node;
  }
  return found;
}

/**
 * YAML files below a folder (recursively, sorted, skipping hidden folders and node_modules). A symbolic link to a
 * file inside the folder is read; one that leads out of it (a committed `dist/x.yaml -> /etc/shadow`) is not: it is
 * listed in `outside`, with where it leads.
 */
function yamlFilesIn(dir: string): { files: string[]; outside: { file: string; target: string }[] } {
  const out: string[] = [];
  const outside: { file: string; target: string }[] = [];
  const root = fs.realpathSync(dir);
  const walk = (d: string): void => {
    const entries = fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!e.name.startsWith('.') && e.name !== 'node_modules') walk(full);
      } else if (/\.ya?ml$/.test(e.name) && e.isFile()) {
        out.push(full);
      } else if (/\.ya?ml$/.test(e.name) && e.isSymbolicLink()) {
        let real: string | undefined;
        try {
          real = fs.realpathSync(full);
        } catch {
          real = undefined; // dangling: reported as unreadable when read
        }
        if (real !== undefined && !real.startsWith(root + path.sep)) outside.push({ file: full, target: fs.readlinkSync(full) });
        else out.push(full);
      }
    }
  };
  walk(dir);
  return { files: out, outside };
}

/**
 * Validates YAML files and folders (each folder's `*.yaml` and `*.yml`, recursively), in that order (the order
 * `kubectl apply -f` applies them), against the CRDs and admission rules of a KServe release (default v0.15.2).
 * @throws UserError for a path that does not exist or cannot be read.
 */
export function validatePaths(paths: readonly string[], kserve: KserveRelease = DEFAULT_KSERVE_RELEASE): ValidationReport {
  const report = emptyReport(kserve);
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw new UserError(`${p}: no such file or folder`);
    }
    const found = stat.isDirectory() ? yamlFilesIn(p) : { files: [p], outside: [] };
    const files = found.files;
    if (stat.isDirectory() && files.length === 0 && found.outside.length === 0) throw new UserError(`${p}: no YAML files (*.yaml, *.yml) in this folder`);
    for (const { file, target } of found.outside) {
      report.files.push(file);
      report.problems.push({ position: { file }, field: '', message: `is a symbolic link that leads out of ${p} (to ${target}); it is not read: validate the file itself, by its own path, if it is meant`, rule: 'link' });
    }
    for (const file of files) {
      let bytes: Buffer;
      try {
        bytes = readRegularFile(file);
      } catch (e: any) {
        if (e instanceof NotRegularFileError) throw new UserError(`${file}: is ${e.kind}, not a file; validate reads YAML files only`);
        throw new UserError(`${file}: cannot be read (${e.code ?? e.message})`);
      }
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      } catch {
        report.files.push(file);
        report.problems.push({ position: { file }, field: '', message: 'is not UTF-8 text; save it as UTF-8', rule: 'yaml' });
        continue;
      }
      validateYamlText(file, text, report);
    }
  }
  return report;
}

/** A warning as printed: `file:line:column: warning: field: message`. */
export function formatWarning(d: Diagnostic): string {
  const text = formatDiagnostic({ ...d, field: '' });
  const where = text.slice(0, text.length - d.message.length - 2);
  return `${where}: warning: ${d.field ? `${d.field}: ` : ''}${d.message}`;
}

/** The report as printed: one line per problem and per warning (warnings marked), in file order, then a summary. */
export function formatReport(report: ValidationReport): string {
  const order = new Map(report.files.map((f, i) => [f, i]));
  const entries = [...report.problems.map((d) => ({ d, text: formatDiagnostic(d) })), ...report.warnings.map((d) => ({ d, text: formatWarning(d) }))];
  // Stable: problems and warnings of one file merge in line order.
  entries.sort((a, b) => (order.get(a.d.position.file) ?? 0) - (order.get(b.d.position.file) ?? 0) || (a.d.position.line ?? 0) - (b.d.position.line ?? 0) || (a.d.position.column ?? 0) - (b.d.position.column ?? 0));
  const lines = entries.map((e) => e.text);
  const skipped = [...report.skipped].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([why, n]) => `${n} ${why}`);
  const counted = `${report.objects} object${report.objects === 1 ? '' : 's'} in ${report.files.length} file${report.files.length === 1 ? '' : 's'}`;
  const notChecked = skipped.length ? `; not checked (no schema): ${skipped.join(', ')}` : '';
  const w = report.warnings.length;
  const warned = w ? `, ${w} warning${w === 1 ? '' : 's'}` : '';
  const n = report.problems.length;
  lines.push(n === 0 ? `${counted}: all valid${warned}${notChecked}` : `${n} problem${n === 1 ? '' : 's'}${warned} in ${counted}${notChecked}`);
  return lines.join('\n') + '\n';
}
