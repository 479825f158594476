/**
 * Validates one Kubernetes object against the schema of its kind: the KServe CRDs (compiled at
 * development time into `generated/kserve-validators.js`) and the core kinds modelcar emits
 * (`core-kinds.ts`); then the rules the API server and KServe check beyond the schema: names, namespace,
 * labels and annotations, and container resources.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeValue, didYouMean } from '../core/errors';
import { own } from '../core/records';
import { isAnnotationKey, isDNS1123Label, isDNS1123Subdomain, isInferenceServiceName, isQualifiedName, isValidLabelValue } from '../core/names';
import { ResourceQuantities, containerResourceProblems } from '../core/quantity';
import { CORE_FIELDS, CORE_VALIDATORS, Fields, OBJECT_META_FIELDS, SchemaError, validateObjectMeta } from './core-kinds';

/** A node of the field tree: known properties, list items, map values, or a shared definition. */
export interface FieldNode {
  /** Known properties; present (maybe empty) when unknown fields are rejected here. */
  p?: Record<string, FieldNode>;
  /** The items of a list. */
  i?: FieldNode;
  /** The values of a map. */
  a?: FieldNode;
  /** The name of a shared definition this node is. */
  r?: string;
}

/** A path into an object: keys and list indexes. */
export type ObjectPath = readonly (string | number)[];

/** One problem in an object. */
export interface ObjectProblem {
  /** Where, from the object's root. */
  readonly path: ObjectPath;
  /** What is wrong, and what would be right. */
  readonly message: string;
  /** True when the problem is with the key at `path` rather than its value (an unknown field). */
  readonly atKey?: boolean;
}

/** What validating one object found. */
export interface ObjectReport {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly problems: ObjectProblem[];
  /** Set when the object was not checked, and why (e.g. `no schema for apps/v1 Deployment`). */
  readonly skipped?: string;
}

interface KserveModule {
  readonly [kind: string]: any;
  readonly fields: { roots: Record<string, FieldNode>; defs: Record<string, FieldNode> };
  readonly apiVersions: Record<string, string>;
}

let kserve: KserveModule | undefined;

/**
 * The generated KServe validators. They live in the source tree (src/validation/generated, plain
 * JavaScript) and are loaded from there both by the compiled CLI (lib/) and by the tests (src/).
 */
function kserveValidators(): KserveModule {
  if (kserve) return kserve;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find modelcar's package.json above ${__dirname}`);
    dir = parent;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  kserve = require(path.join(dir, 'src', 'validation', 'generated', 'kserve-validators.js')) as KserveModule;
  return kserve;
}

let kinds: Map<string, string> | undefined;

/** Kinds served by API groups we know, for "did you mean" on a misspelled kind or apiVersion. */
function knownKinds(): Map<string, string> {
  if (kinds) return kinds;
  const out = new Map<string, string>();
  kinds = out;
  for (const [kind, apiVersion] of Object.entries(kserveValidators().apiVersions)) out.set(kind, apiVersion);
  for (const key of Object.keys(CORE_VALIDATORS)) {
    const i = key.lastIndexOf('/');
    out.set(key.slice(i + 1), key.slice(0, i));
  }
  return out;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterServingRuntime', 'ClusterRole', 'ClusterRoleBinding']);

/** Validates one object (the result of parsing one YAML document). */
export function validateObject(obj: unknown): ObjectReport {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return { problems: [{ path: [], message: `${describeValue(obj)} is not a Kubernetes object; each YAML document must be a map with apiVersion, kind and metadata` }] };
  }
  const o = obj as Record<string, unknown>;
  const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : undefined;
  const kind = typeof o.kind === 'string' ? o.kind : undefined;
  const meta = o.metadata !== null && typeof o.metadata === 'object' && !Array.isArray(o.metadata) ? (o.metadata as Record<string, unknown>) : undefined;
  const name = typeof meta?.name === 'string' ? meta.name : undefined;
  const namespace = typeof meta?.namespace === 'string' ? meta.namespace : undefined;
  const base = { apiVersion, kind, name, namespace };
  const problems: ObjectProblem[] = [];
  for (const key of ['apiVersion', 'kind'] as const) {
    if (o[key] === undefined) problems.push({ path: [], message: `missing required field "${key}"` });
    else if (typeof o[key] !== 'string') problems.push({ path: [key], message: `${describeValue(o[key])} is not allowed; must be a string` });
  }
  if (problems.length) return { ...base, problems };
  if (apiVersion!.startsWith('kustomize.config.k8s.io/')) return { ...base, problems, skipped: kind };

  const known = knownKinds();
  const key = `${apiVersion}/${kind}`;
  const kserveApiVersion = own(kserveValidators().apiVersions, kind!);
  let schemaErrors: SchemaError[];
  let fields: ((p: ObjectPath) => string[] | undefined) | undefined;
  if (own(CORE_VALIDATORS, key)) {
    schemaErrors = own(CORE_VALIDATORS, key)!(obj);
    const tree = own(CORE_FIELDS, key)!;
    problems.push(...unknownFields(o, tree, []));
    fields = (p) => fieldsAt(tree, p);
  } else if (kserveApiVersion === apiVersion) {
    const validator = kserveValidators()[kind!]; // kind is one of its own keys: kserveApiVersion was found
    schemaErrors = validator(obj) ? [] : [...(validator.errors as SchemaError[])];
    if (meta) {
      schemaErrors.push(...validateObjectMeta(meta).map((e) => ({ ...e, instancePath: `/metadata${e.instancePath}` })));
      problems.push(...unknownFields(meta, OBJECT_META_FIELDS, ['metadata']));
    }
    fields = (p) => kserveFieldsAt(kind!, p);
  } else if (known.has(kind!)) {
    const want = known.get(kind!)!;
    return { ...base, problems: [{ path: ['apiVersion'], message: `"${apiVersion}" does not serve kind ${kind}; write apiVersion: ${want}` }] };
  } else {
    const group = apiVersion!.includes('/') ? apiVersion!.slice(0, apiVersion!.indexOf('/')) : '';
    const sameGroup = [...known].filter(([, v]) => (v.includes('/') ? v.slice(0, v.indexOf('/')) : '') === group).map(([k]) => k);
    const hint = didYouMean(kind!, sameGroup);
    if (hint) return { ...base, problems: [{ path: ['kind'], message: `unknown kind "${kind}" in ${apiVersion} (did you mean "${hint}"?); known here: ${sameGroup.join(', ')}` }] };
    return { ...base, problems: [], skipped: `${apiVersion} ${kind}` };
  }

  for (const e of schemaErrors) {
    const problem = schemaProblem(e, obj, fields, kind === 'Secret');
    if (problem) problems.push(problem);
  }
  const reported = new Set(problems.map((p) => JSON.stringify(p.path)));
  for (const p of objectRules(o, kind!, meta)) {
    // A value the schema already rejected is not reported twice.
    if (!reported.has(JSON.stringify(p.path))) problems.push(p);
  }
  return { ...base, problems: dedupe(problems) };
}

function dedupe(problems: ObjectProblem[]): ObjectProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${JSON.stringify(p.path)}\0${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Follows a path into a value. */
export function valueAt(obj: unknown, p: ObjectPath): unknown {
  let v: any = obj;
  for (const k of p) {
    if (v === null || typeof v !== 'object') return undefined;
    v = v[k as any];
  }
  return v;
}

/** Parses ajv's JSON-pointer instancePath. */
function pointerPath(instancePath: string, obj: unknown): (string | number)[] {
  const out: (string | number)[] = [];
  let v: any = obj;
  for (const raw of instancePath.split('/').slice(1)) {
    const k = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const key = Array.isArray(v) && /^\d+$/.test(k) ? Number(k) : k;
    out.push(key);
    v = v?.[key];
  }
  return out;
}

const TYPE_WORDS: Record<string, string> = { object: 'a map', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean', null: 'null' };

/** For a number or boolean where a string is wanted: how to write it as one. */
export function quoteHint(value: unknown, type: string | string[]): string {
  const wantsString = (Array.isArray(type) ? type : String(type).split(',')).includes('string');
  return wantsString && (typeof value === 'boolean' || typeof value === 'number') ? ` (quote it: "${String(value)}")` : '';
}

function typeWords(type: string | string[]): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

const QUANTITY_PATTERN = '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** Words an ajv error the way modelcar words config errors: the field, what was found, what is allowed. */
function schemaProblem(e: SchemaError, obj: unknown, fields: ((p: ObjectPath) => string[] | undefined) | undefined, secret: boolean): ObjectProblem | undefined {
  if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') return undefined;
  const at = pointerPath(e.instancePath, obj);
  // Never print a Secret's data: credentials stay out of messages and logs.
  // Data given as something else than a map (a string, a list) is secret too.
  const hidden = secret && (at[0] === 'data' || at[0] === 'stringData');
  const found = hidden ? 'the value (not shown: secret data)' : describeValue(valueAt(obj, at));
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const allowed = fields?.(at) ?? [];
      const hint = didYouMean(key, allowed);
      return { path: [...at, key], atKey: true, message: `unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}${knownList(allowed)}` };
    }
    case 'required':
      return { path: at, message: `missing required field "${e.params.missingProperty}"` };
    case 'type':
      return { path: at, message: `${found} is not allowed; must be ${typeWords(e.params.type)}${hidden ? '' : quoteHint(valueAt(obj, at), e.params.type)}` };
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const v = valueAt(obj, at);
      const hint = typeof v === 'string' && !hidden ? didYouMean(v, allowed) : undefined;
      return { path: at, message: `${found} is not allowed${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}` };
    }
    case 'pattern': {
      if (e.params.pattern === QUANTITY_PATTERN) {
        return { path: at, message: `${found} is not a quantity: write a number with an optional suffix, e.g. "500m", "2", "4Gi" or "1e3" (must match '${QUANTITY_PATTERN}')` };
      }
      return { path: at, message: `${found} does not match the pattern '${e.params.pattern}'` };
    }
    case 'minimum':
    case 'exclusiveMinimum':
      return { path: at, message: `${found} is too small: must be ${e.keyword === 'minimum' ? 'at least' : 'more than'} ${e.params.limit}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { path: at, message: `${found} is too large: must be ${e.keyword === 'maximum' ? 'at most' : 'less than'} ${e.params.limit}` };
    case 'minItems':
      return { path: at, message: `must list at least ${e.params.limit} item(s)` };
    case 'maxItems':
      return { path: at, message: `must list at most ${e.params.limit} item(s)` };
    case 'minLength':
      return { path: at, message: e.params.limit === 1 ? `must not be empty` : `${found} is too short: at least ${e.params.limit} characters` };
    case 'maxLength':
      return { path: at, message: `${found} is too long: at most ${e.params.limit} characters` };
    case 'format':
      return { path: at, message: e.params.format === 'byte' ? `${found} is not base64 (data values are base64-encoded; put plain text under stringData)` : `${found} is not a valid ${e.params.format}` };
    default:
      return { path: at, message: `${found} ${e.message ?? `fails the ${e.keyword} rule`}` };
  }
}

/** The known fields, listed when there are few enough to read. */
function knownList(known: readonly string[]): string {
  if (known.length === 0) return '';
  if (known.length > 20) return `; it is none of the ${known.length} fields known here`;
  return `; known fields here: ${known.join(', ')}`;
}

function unknownFields(value: unknown, tree: Fields, at: ObjectPath): ObjectProblem[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const out: ObjectProblem[] = [];
  const known = Object.keys(tree);
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (!Object.prototype.hasOwnProperty.call(tree, k)) {
      const hint = didYouMean(k, known);
      out.push({ path: [...at, k], atKey: true, message: `unknown field "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}${knownList(known)}` });
      continue;
    }
    const child = own(tree, k);
    if (child === null || child === undefined) continue;
    if (Array.isArray(child)) {
      if (Array.isArray(v)) v.forEach((item, i) => out.push(...unknownFields(item, (child as readonly [Fields])[0], [...at, k, i])));
    } else {
      out.push(...unknownFields(v, child as Fields, [...at, k]));
    }
  }
  return out;
}

function fieldsAt(tree: Fields, p: ObjectPath): string[] | undefined {
  let t: Fields | readonly [Fields] | null | undefined = tree;
  for (const k of p) {
    if (Array.isArray(t)) t = typeof k === 'number' ? (t as readonly [Fields])[0] : undefined;
    else t = t ? own(t as Fields, String(k)) : undefined;
    if (!t) return undefined;
  }
  return Array.isArray(t) ? undefined : Object.keys(t as Fields);
}

function kserveFieldsAt(kind: string, p: ObjectPath): string[] | undefined {
  const { roots, defs } = kserveValidators().fields;
  const resolve = (n: FieldNode | undefined): FieldNode | undefined => (n?.r ? defs[n.r] : n);
  let node = resolve(own(roots, kind));
  for (const k of p) {
    if (!node) return undefined;
    if (typeof k === 'number') node = resolve(node.i);
    else node = resolve(own(node.p, k) ?? node.a);
  }
  return node?.p ? Object.keys(node.p) : undefined;
}

/** Total size of annotations, in bytes (TotalAnnotationSizeLimitB of apimachinery ValidateAnnotations). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** The `metadata.name` rule of each kind, worded as the API server (or KServe's webhook) words it. */
function nameRule(kind: string): ((name: string) => string[]) | undefined {
  switch (kind) {
    case 'Namespace':
      return isDNS1123Label;
    case 'InferenceService':
      return isInferenceServiceName;
    case 'Role':
    case 'RoleBinding':
      // ValidateRBACName: path.IsValidPathSegmentName
      return (n) => {
        const errs: string[] = [];
        if (n === '.' || n === '..') errs.push(`may not be '${n}'`);
        for (const c of ['/', '%']) if (n.includes(c)) errs.push(`may not contain '${c}'`);
        return errs;
      };
    default:
      return isDNS1123Subdomain;
  }
}

/** Rules beyond the schema: metadata, and the resources of every container-like object. */
function objectRules(o: Record<string, unknown>, kind: string, meta: Record<string, unknown> | undefined): ObjectProblem[] {
  const out: ObjectProblem[] = [];
  if (!meta) {
    if (o.metadata === undefined) out.push({ path: [], message: 'missing required field "metadata" (with at least metadata.name)' });
    return out;
  }
  if (meta.name === undefined && meta.generateName === undefined) {
    out.push({ path: ['metadata'], message: 'missing required field "name"' });
  } else if (typeof meta.name === 'string') {
    for (const m of nameRule(kind)?.(meta.name) ?? []) out.push({ path: ['metadata', 'name'], message: `"${meta.name}" is not a valid ${kind} name: ${m}` });
  }
  if (typeof meta.namespace === 'string') {
    if (CLUSTER_SCOPED.has(kind)) out.push({ path: ['metadata', 'namespace'], message: `not allowed on this type: a ${kind} is cluster-scoped; remove metadata.namespace` });
    else for (const m of isDNS1123Label(meta.namespace)) out.push({ path: ['metadata', 'namespace'], message: `"${meta.namespace}" is not a valid namespace name: ${m}` });
  }
  out.push(...labelProblems(meta.labels, ['metadata', 'labels']));
  out.push(...annotationProblems(meta.annotations, ['metadata', 'annotations']));
  findResources(o, [], out);
  return out;
}

/** Checks label keys and values (apimachinery ValidateLabels). */
export function labelProblems(labels: unknown, at: ObjectPath): ObjectProblem[] {
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return [];
  const out: ObjectProblem[] = [];
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) {
    for (const m of isQualifiedName(k)) out.push({ path: [...at, k], atKey: true, message: `label key "${k}" is not valid: ${m}` });
    if (typeof v === 'string') for (const m of isValidLabelValue(v)) out.push({ path: [...at, k], message: `label value "${v}" is not valid: ${m}` });
  }
  return out;
}

/** Checks annotation keys and their total size (apimachinery ValidateAnnotations). */
export function annotationProblems(annotations: unknown, at: ObjectPath): ObjectProblem[] {
  if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) return [];
  const out: ObjectProblem[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations as Record<string, unknown>)) {
    for (const m of isAnnotationKey(k)) out.push({ path: [...at, k], atKey: true, message: `annotation key "${k}" is not valid: ${m}` });
    size += Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
    out.push({ path: at, message: `Too long: must have at most ${TOTAL_ANNOTATION_SIZE_LIMIT} bytes (these annotations have ${size})` });
  }
  return out;
}

/** Finds every container-like `resources: {requests, limits}` and checks it as the API server would a pod's. */
function findResources(value: unknown, at: ObjectPath, out: ObjectProblem[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => findResources(v, [...at, i], out));
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // Volume claim templates have storage resources, not container resources.
    if (k === 'volumeClaimTemplate' || k === 'metadata' || k === 'status') continue;
    if (k === 'resources' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const r = v as Record<string, unknown>;
      const list = (x: unknown): ResourceQuantities | undefined =>
        x !== null && typeof x === 'object' && !Array.isArray(x) && Object.values(x as object).every((q) => typeof q === 'string' || typeof q === 'number') ? (x as ResourceQuantities) : undefined;
      for (const p of containerResourceProblems(list(r.requests), list(r.limits))) out.push({ path: [...at, 'resources', ...p.field], message: p.message });
      continue;
    }
    findResources(v, [...at, k], out);
  }
}
