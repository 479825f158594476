/**
 * Validates one Kubernetes object against the schema of its kind: the KServe CRDs of the release judged against
 * (compiled at development time into `generated/kserve-validators*.js`) and the core kinds modelcar emits
 * (`core-kinds.ts`); then the rules the API server checks beyond the schema (names, namespace, labels and
 * annotations); then KServe's admission rules and what its controller would fail on (`kserve-admission/`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { describeValue, didYouMean } from '../core/errors';
import { DNS1123_SUBDOMAIN_MAX_LENGTH, annotationProblems as metadataAnnotationProblems, isDNS1123Label, isDNS1123Subdomain, isInferenceServiceNameFormat, labelProblems as metadataLabelProblems } from '../core/names';
import { QUANTITY_PATTERN, ResourceQuantities, containerResourceProblems } from '../core/quantity';
import type { CrdSet } from '../core/releases';
import { own } from '../core/records';
import { CORE_FIELDS, CORE_VALIDATORS, Fields, OBJECT_META_FIELDS, SchemaError, validateObjectMeta } from './core-kinds';
import { DEFAULT_KSERVE_RELEASE, KserveRelease, kserveRuleProblems } from './kserve-admission';

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
  /**
   * The rule: `schema` (the CRD or Kubernetes schema), `metadata` (the API server's rules for names, namespace,
   * labels, annotations), `kind` (a kind or apiVersion no API serves), `ValidateResourceRequirements` (the API
   * server's rule for container resources, met when KServe creates the pods' owner), or the KServe function.
   */
  readonly rule: string;
  /**
   * True when the object is admitted anyway: KServe's controller fails on it later (or ignores part of it), or the
   * API server drops the field. `kubectl apply` succeeds.
   */
  readonly warning?: boolean;
}

/** What validating one object found. */
export interface ObjectReport {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly problems: ObjectProblem[];
  /**
   * Set when the object was not checked: its `apiVersion kind`. Its problems are then at most a warning (a kind
   * close to a known one).
   */
  readonly skipped?: string;
}

interface KserveModule {
  readonly [kind: string]: any;
  readonly fields: { roots: Record<string, FieldNode>; defs: Record<string, FieldNode> };
  readonly apiVersions: Record<string, string>;
}

/** The generated module of each CRD set (src/validation/generated/), written by tools/gen-validators.ts. */
export const CRD_SET_FILES: Readonly<Record<CrdSet, string>> = {
  'v0.15.2': 'kserve-validators.js',
  'v0.20.0': 'kserve-validators-v0.20.js',
  'odh-v2.25': 'kserve-validators-odh-v2.25.js',
  'odh-v3.4': 'kserve-validators-odh-v3.4.js',
};

/** The CRD set of each KServe release whose admission rules modelcar knows: that release's own CRDs. */
export const RELEASE_CRD_SETS: Readonly<Record<KserveRelease, CrdSet>> = { 'v0.15.2': 'v0.15.2', 'v0.20.0': 'v0.20.0' };

/** The CRD set objects are validated with unless told otherwise: that of {@link DEFAULT_KSERVE_RELEASE}. */
const DEFAULT_CRD_SET: CrdSet = RELEASE_CRD_SETS[DEFAULT_KSERVE_RELEASE];

const kserve = new Map<CrdSet, KserveModule>();

/**
 * The generated KServe validators of a CRD set, loaded on first use. They live in the source tree
 * (src/validation/generated, plain JavaScript) and are loaded from there both by the compiled CLI (lib/) and by
 * the tests (src/).
 */
function kserveValidators(crds: CrdSet = DEFAULT_CRD_SET): KserveModule {
  const loaded = kserve.get(crds);
  if (loaded) return loaded;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find modelcar's package.json above ${__dirname}`);
    dir = parent;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(path.join(dir, 'src', 'validation', 'generated', CRD_SET_FILES[crds])) as KserveModule;
  kserve.set(crds, module);
  return module;
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

/**
 * The other kinds KServe serves (its CRDs in config/crd/full at v0.15.2 and v0.20.0): real kinds that modelcar does
 * not check, so no "did you mean" for them.
 */
const OTHER_KSERVE_KINDS = new Set([
  'InferenceGraph',
  'TrainedModel',
  'ClusterStorageContainer',
  'LocalModelCache',
  'LocalModelNode',
  'LocalModelNodeGroup',
  'LocalModelNamespaceCache',
  'LLMInferenceService',
  'LLMInferenceServiceConfig',
]);

/** Options of {@link validateObject}. */
export interface ValidateObjectOptions {
  /** The KServe release whose admission rules (and, unless `crds` says otherwise, CRDs) judge KServe objects. @default 'v0.15.2' */
  readonly kserve?: KserveRelease;
  /**
   * The KServe CRDs that KServe objects are checked against, e.g. those of a platform release's KServe fork
   * (`odh-v2.25`, `odh-v3.4`).
   * @default - the CRDs of `kserve`
   */
  readonly crds?: CrdSet;
}

/** Validates one object (the result of parsing one YAML document). */
export function validateObject(obj: unknown, options: ValidateObjectOptions = {}): ObjectReport {
  const release = options.kserve ?? DEFAULT_KSERVE_RELEASE;
  const crds = options.crds ?? RELEASE_CRD_SETS[release];
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    return { problems: [{ path: [], rule: 'schema', message: `${describeValue(obj)} is not a Kubernetes object; each YAML document must be a map with apiVersion, kind and metadata` }] };
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
    if (o[key] === undefined) problems.push({ path: [], rule: 'schema', message: `missing required field "${key}"` });
    else if (typeof o[key] !== 'string') problems.push({ path: [key], rule: 'schema', message: `${describeValue(o[key])} is not allowed; must be a string` });
  }
  if (problems.length) return { ...base, problems };
  if (apiVersion!.startsWith('kustomize.config.k8s.io/')) return { ...base, problems, skipped: kind };

  const known = knownKinds();
  const key = `${apiVersion}/${kind}`;
  const kserveApiVersion = own(kserveValidators(crds).apiVersions, kind!);
  let schemaErrors: SchemaError[];
  let fields: ((p: ObjectPath) => string[] | undefined) | undefined;
  if (own(CORE_VALIDATORS, key)) {
    schemaErrors = own(CORE_VALIDATORS, key)!(obj);
    const tree = own(CORE_FIELDS, key)!;
    problems.push(...unknownFields(o, tree, []));
    fields = (p) => fieldsAt(tree, p);
  } else if (kserveApiVersion === apiVersion) {
    const validator = kserveValidators(crds)[kind!]; // kind is one of its own keys: kserveApiVersion was found
    schemaErrors = validator(obj) ? [] : [...(validator.errors as SchemaError[])];
    if (meta) {
      schemaErrors.push(...validateObjectMeta(meta).map((e) => ({ ...e, instancePath: `/metadata${e.instancePath}` })));
      problems.push(...unknownFields(meta, OBJECT_META_FIELDS, ['metadata']));
    }
    fields = (p) => kserveFieldsAt(kind!, p, crds);
  } else if (known.has(kind!)) {
    const want = known.get(kind!)!;
    return { ...base, problems: [{ path: ['apiVersion'], rule: 'kind', message: `"${apiVersion}" does not serve kind ${kind}; write apiVersion: ${want}` }] };
  } else {
    // A kind validate does not know is not checked, never refused: the cluster may serve it. A name close to a
    // known kind of the same API group is only a hint.
    const skipped = `${apiVersion} ${kind}`;
    const group = apiVersion!.includes('/') ? apiVersion!.slice(0, apiVersion!.indexOf('/')) : '';
    const sameGroup = [...known].filter(([, v]) => (v.includes('/') ? v.slice(0, v.indexOf('/')) : '') === group).map(([k]) => k);
    const hint = group === 'serving.kserve.io' && OTHER_KSERVE_KINDS.has(kind!) ? undefined : didYouMean(kind!, sameGroup);
    if (hint) {
      return { ...base, skipped, problems: [{ path: ['kind'], rule: 'kind', warning: true, message: `not checked: ${apiVersion} serves no kind "${kind}" that modelcar knows (did you mean "${hint}"?); known here: ${sameGroup.join(', ')}` }] };
    }
    return { ...base, problems: [], skipped };
  }

  for (const e of schemaErrors) {
    const problem = schemaProblem(e, obj, fields, kind === 'Secret');
    if (problem) problems.push(problem);
  }
  const reported = new Set(problems.map((p) => JSON.stringify(p.path)));
  for (const p of objectRules(o, kind!, meta, release)) {
    // A value the schema already rejected is not reported twice.
    if (!reported.has(JSON.stringify(p.path))) problems.push(p);
  }
  // The API server calls the validating webhooks only for an object that passed its own checks; KServe's
  // controller sees only what was admitted.
  if (kserveApiVersion === apiVersion && !problems.some((p) => !p.warning)) {
    for (const p of kserveRuleProblems(kind!, o, release)) problems.push({ path: p.path, rule: p.rule, message: p.message, ...(p.stage === 'reconcile' ? { warning: true } : {}) });
    if (!problems.some((p) => !p.warning)) findResources(o, [], kind!, problems);
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
function quoteHint(value: unknown, type: string | string[]): string {
  const wantsString = (Array.isArray(type) ? type : String(type).split(',')).includes('string');
  return wantsString && (typeof value === 'boolean' || typeof value === 'number') ? ` (quote it: "${String(value)}")` : '';
}

function typeWords(type: string | string[]): string {
  const types = Array.isArray(type) ? type : String(type).split(',');
  return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
}

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
      return { rule: 'schema', path: [...at, key], atKey: true, message: `unknown field "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}${knownList(allowed)}` };
    }
    case 'required':
      return { rule: 'schema', path: at, message: `missing required field "${e.params.missingProperty}"` };
    case 'type':
      return { rule: 'schema', path: at, message: `${found} is not allowed; must be ${typeWords(e.params.type)}${hidden ? '' : quoteHint(valueAt(obj, at), e.params.type)}` };
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const v = valueAt(obj, at);
      const hint = typeof v === 'string' && !hidden ? didYouMean(v, allowed) : undefined;
      return { rule: 'schema', path: at, message: `${found} is not allowed${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${allowed.join(', ')}` };
    }
    case 'pattern': {
      if (e.params.pattern === QUANTITY_PATTERN) {
        return { rule: 'schema', path: at, message: `${found} is not a quantity: write a number with an optional suffix, e.g. "500m", "2", "4Gi" or "1e3" (must match '${QUANTITY_PATTERN}')` };
      }
      return { rule: 'schema', path: at, message: `${found} does not match the pattern '${e.params.pattern}'` };
    }
    case 'minimum':
    case 'exclusiveMinimum':
      return { rule: 'schema', path: at, message: `${found} is too small: must be ${e.keyword === 'minimum' ? 'at least' : 'more than'} ${e.params.limit}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { rule: 'schema', path: at, message: `${found} is too large: must be ${e.keyword === 'maximum' ? 'at most' : 'less than'} ${e.params.limit}` };
    case 'minItems':
      return { rule: 'schema', path: at, message: `must list at least ${e.params.limit} item(s)` };
    case 'maxItems':
      return { rule: 'schema', path: at, message: `must list at most ${e.params.limit} item(s)` };
    case 'minLength':
      return { rule: 'schema', path: at, message: e.params.limit === 1 ? `must not be empty` : `${found} is too short: at least ${e.params.limit} characters` };
    case 'maxLength':
      return { rule: 'schema', path: at, message: `${found} is too long: at most ${e.params.limit} characters` };
    case 'format':
      return { rule: 'schema', path: at, message: e.params.format === 'byte' ? `${found} is not base64 (data values are base64-encoded; put plain text under stringData)` : `${found} is not a valid ${e.params.format}` };
    default:
      return { rule: 'schema', path: at, message: `${found} ${e.message ?? `fails the ${e.keyword} rule`}` };
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
      out.push({ path: [...at, k], atKey: true, rule: 'schema', message: `unknown field "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}${knownList(known)}` });
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

function kserveFieldsAt(kind: string, p: ObjectPath, crds: CrdSet): string[] | undefined {
  const { roots, defs } = kserveValidators(crds).fields;
  const resolve = (n: FieldNode | undefined): FieldNode | undefined => (n?.r ? defs[n.r] : n);
  let node = resolve(own(roots, kind));
  for (const k of p) {
    if (!node) return undefined;
    if (typeof k === 'number') node = resolve(node.i);
    else node = resolve(own(node.p, k) ?? node.a);
  }
  return node?.p ? Object.keys(node.p) : undefined;
}

/** The `metadata.name` rule of each kind, worded as the API server words it. */
function nameRule(kind: string): ((name: string) => string[]) | undefined {
  switch (kind) {
    case 'Namespace':
      return isDNS1123Label;
    case 'InferenceService':
      // The API server's rule for custom resources is a subdomain (NameIsDNSSubdomain); KServe's webhook pattern
      // (below) is stricter except for the length. The names KServe derives are checked at reconcile.
      return (n) => (Buffer.byteLength(n) > DNS1123_SUBDOMAIN_MAX_LENGTH ? [`must be no more than ${DNS1123_SUBDOMAIN_MAX_LENGTH} characters`] : []);
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

/** Rules beyond the schema: the metadata, as the API server checks it. */
function objectRules(o: Record<string, unknown>, kind: string, meta: Record<string, unknown> | undefined, release: KserveRelease): ObjectProblem[] {
  const out: ObjectProblem[] = [];
  if (!meta) {
    if (o.metadata === undefined) out.push({ path: [], rule: 'metadata', message: 'missing required field "metadata" (with at least metadata.name)' });
    return out;
  }
  if (meta.name === undefined && meta.generateName === undefined) {
    out.push({ path: ['metadata'], rule: 'metadata', message: 'missing required field "name"' });
  } else if (typeof meta.name === 'string') {
    for (const m of nameRule(kind)?.(meta.name) ?? []) out.push({ path: ['metadata', 'name'], rule: 'metadata', message: `"${meta.name}" is not a valid ${kind} name: ${m}` });
    if (kind === 'InferenceService') {
      // KServe's webhook (validateInferenceServiceName), checked here so that it is reported with the other name rules.
      for (const m of isInferenceServiceNameFormat(meta.name)) {
        out.push({ path: ['metadata', 'name'], rule: 'validateInferenceServiceName', message: `"${meta.name}" is not a valid ${kind} name: ${m} (KServe ${release} validateInferenceServiceName, at admission)` });
      }
    }
  }
  if (typeof meta.namespace === 'string') {
    // The API server ignores (drops) the namespace of a cluster-scoped object; kubectl apply succeeds.
    if (CLUSTER_SCOPED.has(kind)) out.push({ path: ['metadata', 'namespace'], rule: 'metadata', warning: true, message: `is ignored: a ${kind} is cluster-scoped, so the API server drops metadata.namespace; remove it` });
    else for (const m of isDNS1123Label(meta.namespace)) out.push({ path: ['metadata', 'namespace'], rule: 'metadata', message: `"${meta.namespace}" is not a valid namespace name: ${m}` });
  }
  out.push(...labelProblems(meta.labels, ['metadata', 'labels']));
  out.push(...annotationProblems(meta.annotations, ['metadata', 'annotations']));
  return out;
}

/** Label problems (apimachinery ValidateLabels, in core/names), as the API server's `metadata` rule. */
function labelProblems(labels: unknown, at: ObjectPath): ObjectProblem[] {
  return metadataLabelProblems(labels, at).map((p) => ({ ...p, rule: 'metadata' }));
}

/** Annotation problems (apimachinery ValidateAnnotations, in core/names), as the API server's `metadata` rule. */
function annotationProblems(annotations: unknown, at: ObjectPath): ObjectProblem[] {
  return metadataAnnotationProblems(annotations, at).map((p) => ({ ...p, rule: 'metadata' }));
}

/**
 * Finds every container-like `resources: {requests, limits}` and checks it as the API server checks a pod's
 * (ValidateResourceRequirements, k8s.io/kubernetes `pkg/apis/core/validation/validation.go`). The KServe CRDs do not:
 * the object is admitted, and the API server refuses the Deployment or Knative Service KServe makes of it.
 */
function findResources(value: unknown, at: ObjectPath, kind: string, out: ObjectProblem[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => findResources(v, [...at, i], kind, out));
    return;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    // Volume claim templates have storage resources, not container resources.
    if (k === 'volumeClaimTemplate' || k === 'metadata' || k === 'status') continue;
    if (k === 'resources' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const r = v as Record<string, unknown>;
      const list = (x: unknown): ResourceQuantities | undefined =>
        x !== null && typeof x === 'object' && !Array.isArray(x) && Object.values(x as object).every((q) => typeof q === 'string' || typeof q === 'number') ? (x as ResourceQuantities) : undefined;
      const later =
        kind === 'InferenceService'
          ? 'the InferenceService is admitted, and the API server refuses the Deployment made for it (by KServe, or by Knative), so it never runs'
          : `the ${kind} is admitted, and the API server refuses the workloads of the models that use it`;
      for (const p of containerResourceProblems(list(r.requests), list(r.limits))) {
        out.push({ path: [...at, 'resources', ...p.field], rule: 'ValidateResourceRequirements', warning: true, message: `${p.message} (Kubernetes ValidateResourceRequirements, at reconcile: ${later})` });
      }
      continue;
    }
    findResources(v, [...at, k], kind, out);
  }
}
