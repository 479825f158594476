/**
 * Argo CD's comparison of a desired object (git) with the live one, as argo-cd v3.4.0 does it for objects of a
 * custom resource (not in client-go's scheme, so a JSON merge patch rather than a strategic one), with the default
 * client-side diff:
 * - gitops-engine/pkg/diff/diff.go `Diff`: config and live are normalized (`Normalize`: the Application's
 *   ignoreDifferences, util/argo/normalizers/diff_normalizer.go), the last applied config too, then `ThreeWayDiff`;
 * - `ThreeWayDiff` / `threeWayMergePatch`: fields of live that the last applied config does not have are left out
 *   (gitops-engine/pkg/utils/json/json.go `RemoveMapFields`), a three-way JSON merge patch is made
 *   (k8s.io/apimachinery jsonmergepatch.CreateThreeWayJSONMergePatch: additions and changes from live to config,
 *   deletions from last applied to config), applied to live, and the object is Modified when that changes it.
 * An Application is OutOfSync when an object is Modified, and automated sync runs only then
 * (controller/appcontroller.go autoSync).
 */

type Json = any;

const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Deep equality of JSON values. */
export function jsonEqual(a: Json, b: Json): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObject(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** gitops-engine pkg/utils/json RemoveMapFields: live without the fields config does not have (lists item by item). */
export function removeMapFields(config: Record<string, Json>, live: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v1] of Object.entries(config)) {
    if (!(k in live)) continue;
    const v2 = live[k];
    out[k] = v2 === null ? v2 : removeFields(v1, v2);
  }
  return out;
}

function removeFields(config: Json, live: Json): Json {
  if (isObject(config)) return isObject(live) ? removeMapFields(config, live) : live;
  if (Array.isArray(config) && Array.isArray(live)) return live.map((v2, i) => (i < config.length && v2 !== null ? removeFields(config[i], v2) : v2));
  return live;
}

/** RFC 7386 merge patch from a to b (evanphx/json-patch CreateMergePatch). */
export function createMergePatch(a: Json, b: Json): Json {
  if (!isObject(a) || !isObject(b)) return b;
  const patch: Record<string, Json> = {};
  for (const [k, vb] of Object.entries(b)) {
    if (!(k in a)) patch[k] = vb;
    else if (isObject(a[k]) && isObject(vb)) {
      const sub = createMergePatch(a[k], vb);
      if (Object.keys(sub).length) patch[k] = sub;
    } else if (!jsonEqual(a[k], vb)) patch[k] = vb;
  }
  for (const k of Object.keys(a)) if (!(k in b)) patch[k] = null;
  return patch;
}

/** jsonmergepatch keepOrDeleteNullInJsonPatch: only the deletions (keepNull) or only the rest. */
function keepOrDeleteNull(patch: Record<string, Json>, keepNull: boolean): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      if (keepNull) out[k] = null;
    } else if (isObject(v)) {
      const sub = keepOrDeleteNull(v, keepNull);
      if (Object.keys(sub).length || (!keepNull && Object.keys(v).length === 0)) out[k] = sub;
    } else if (!keepNull) out[k] = v;
  }
  return out;
}

/** RFC 7386: applies a merge patch. */
export function mergePatch(doc: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** k8s.io/apimachinery jsonmergepatch CreateThreeWayJSONMergePatch (without the conflict check). */
export function threeWayJsonMergePatch(original: Json, modified: Json, current: Json): Json {
  const addAndChange = keepOrDeleteNull(createMergePatch(current, modified), false);
  const deletions = keepOrDeleteNull(createMergePatch(original, modified), true);
  return mergePatch(deletions, addAndChange);
}

/** An entry of an Application's spec.ignoreDifferences. */
export interface IgnoreRule {
  group?: string;
  kind: string;
  name?: string;
  namespace?: string;
  jsonPointers?: string[];
  jqPathExpressions?: string[];
}

/**
 * The ignore normalizer (util/argo/normalizers/diff_normalizer.go): for each rule matching the object's group, kind,
 * and (when given) name and namespace, each JSON pointer is removed (a JSON patch `remove`; a missing path is
 * skipped) and each jq path expression `E` runs as `del(E)`. Only jq paths of the form `.a.b.c` are supported here.
 */
export function normalize(obj: Json, rules: readonly IgnoreRule[]): Json {
  let out = JSON.parse(JSON.stringify(obj));
  const [group] = String(out.apiVersion).includes('/') ? String(out.apiVersion).split('/') : [''];
  for (const r of rules) {
    if ((r.group ?? '') !== group || r.kind !== out.kind) continue;
    if (r.name && r.name !== out.metadata?.name) continue;
    if (r.namespace && r.namespace !== out.metadata?.namespace) continue;
    for (const pointer of r.jsonPointers ?? []) out = removePath(out, pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')));
    for (const expression of r.jqPathExpressions ?? []) {
      if (!/^(\.[A-Za-z0-9_]+)+$/.test(expression)) throw new Error(`this test's jq supports .a.b paths only, not ${expression}`);
      out = removePath(out, expression.slice(1).split('.'));
    }
  }
  return out;
}

function removePath(obj: Json, path: string[]): Json {
  let node = obj;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node) || !(key in node)) return obj;
    node = node[key];
  }
  if (isObject(node)) delete node[path[path.length - 1]];
  return obj;
}

/** The annotation client-side apply records the applied object in (what `orig` is read from). */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** gitops-engine ThreeWayDiff's removeNamespaceAnnotation. */
function withoutNamespace(o: Json): Json {
  const c = JSON.parse(JSON.stringify(o));
  delete c.metadata?.namespace;
  if (c.metadata?.annotations && Object.keys(c.metadata.annotations).length === 0) delete c.metadata.annotations;
  return c;
}

/** Whether Argo CD sees the live object Modified against the desired one (the Application then is OutOfSync). */
export function isModified(desired: Json, live: Json, rules: readonly IgnoreRule[]): boolean {
  const config = normalize(desired, rules);
  const normalizedLive = normalize(live, rules);
  const lastApplied = live.metadata?.annotations?.[LAST_APPLIED];
  const orig = lastApplied === undefined ? config : normalize(JSON.parse(lastApplied), rules);
  const o = withoutNamespace(orig);
  const c = withoutNamespace(config);
  const patch = threeWayJsonMergePatch(o, c, removeMapFields(o, normalizedLive));
  const predicted = mergePatch(normalizedLive, patch);
  return !jsonEqual(predicted, normalizedLive);
}
