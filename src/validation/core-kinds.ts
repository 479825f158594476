/**
 * Validators for the Kubernetes core kinds modelcar emits (Namespace, Secret, ServiceAccount, Role,
 * RoleBinding): the precompiled ajv validators that the `kubernetes-models` package (4.5.1, pinned)
 * generates from the Kubernetes OpenAPI spec, so nothing is compiled at run time.
 *
 * The OpenAPI spec does not mark objects closed, so those validators accept unknown fields. The API
 * server rejects them (strict field validation); {@link CORE_FIELDS} lists the fields of these few kinds
 * (k8s.io/api v0.32 core/v1 types.go and rbac/v1 types.go, and ObjectMeta of apimachinery meta/v1) so
 * that a typo such as `metdata:` or `rules[0].resource` is reported too.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

/** An ajv-style error, as the precompiled validators report them. */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, any>;
  readonly message?: string;
}

/** A kubernetes-models model class: it validates the data it is made from. */
type Model = new (data?: any) => { validate(): void };

/**
 * Runs a kubernetes-models model's validator on plain data; returns its errors. The model's module (and the
 * validation runtime of kubernetes-models) is loaded on first use: commands that meet no such object do without.
 */
function modelValidator(load: () => Model): (data: unknown) => SchemaError[] {
  let Model: Model | undefined;
  return (data) => {
    Model ??= load();
    try {
      new Model(data as any).validate();
      return [];
    } catch (e: any) {
      if (Array.isArray(e?.errors)) return e.errors as SchemaError[];
      throw e;
    }
  };
}

/** A field tree: for each known field, the tree of its value (`{}` for a leaf), `[]`-wrapped for lists. */
export type Fields = { readonly [field: string]: Fields | readonly [Fields] | null };

const OBJECT_REFERENCE: Fields = { kind: null, namespace: null, name: null, uid: null, apiVersion: null, resourceVersion: null, fieldPath: null };

/** ObjectMeta's fields (apimachinery meta/v1 types.go). */
export const OBJECT_META_FIELDS: Fields = {
  name: null,
  generateName: null,
  namespace: null,
  selfLink: null,
  uid: null,
  resourceVersion: null,
  generation: null,
  creationTimestamp: null,
  deletionTimestamp: null,
  deletionGracePeriodSeconds: null,
  labels: null,
  annotations: null,
  ownerReferences: null,
  finalizers: null,
  managedFields: null,
};

/** The fields of the core kinds modelcar emits, at every level that has a fixed set of fields. */
export const CORE_FIELDS: Readonly<Record<string, Fields>> = {
  'v1/Namespace': { apiVersion: null, kind: null, metadata: OBJECT_META_FIELDS, spec: { finalizers: null }, status: null },
  'v1/Secret': { apiVersion: null, kind: null, metadata: OBJECT_META_FIELDS, data: null, stringData: null, type: null, immutable: null },
  'v1/ServiceAccount': {
    apiVersion: null,
    kind: null,
    metadata: OBJECT_META_FIELDS,
    secrets: [OBJECT_REFERENCE],
    imagePullSecrets: [{ name: null }],
    automountServiceAccountToken: null,
  },
  'rbac.authorization.k8s.io/v1/Role': {
    apiVersion: null,
    kind: null,
    metadata: OBJECT_META_FIELDS,
    rules: [{ apiGroups: null, resources: null, verbs: null, resourceNames: null, nonResourceURLs: null }],
  },
  'rbac.authorization.k8s.io/v1/RoleBinding': {
    apiVersion: null,
    kind: null,
    metadata: OBJECT_META_FIELDS,
    roleRef: { apiGroup: null, kind: null, name: null },
    subjects: [{ kind: null, apiGroup: null, name: null, namespace: null }],
  },
};

/** Schema validators of the core kinds, by `apiVersion/kind`. */
export const CORE_VALIDATORS: Readonly<Record<string, (data: unknown) => SchemaError[]>> = {
  'v1/Namespace': modelValidator(() => require('kubernetes-models/v1/Namespace').Namespace),
  'v1/Secret': modelValidator(() => require('kubernetes-models/v1/Secret').Secret),
  'v1/ServiceAccount': modelValidator(() => require('kubernetes-models/v1/ServiceAccount').ServiceAccount),
  'rbac.authorization.k8s.io/v1/Role': modelValidator(() => require('kubernetes-models/rbac.authorization.k8s.io/v1/Role').Role),
  'rbac.authorization.k8s.io/v1/RoleBinding': modelValidator(() => require('kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding').RoleBinding),
};

/** The ObjectMeta validator, for the metadata of custom resources (whose CRD schema says only `object`). */
export const validateObjectMeta = modelValidator(() => require('@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta').ObjectMeta);
