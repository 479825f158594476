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
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';

/** An ajv-style error, as the precompiled validators report them. */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, any>;
  readonly message?: string;
}

/** Runs a kubernetes-models model's validator on plain data; returns its errors. */
function modelValidator(Model: new (data?: any) => { validate(): void }): (data: unknown) => SchemaError[] {
  return (data) => {
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
  'v1/Namespace': modelValidator(Namespace),
  'v1/Secret': modelValidator(Secret),
  'v1/ServiceAccount': modelValidator(ServiceAccount),
  'rbac.authorization.k8s.io/v1/Role': modelValidator(Role),
  'rbac.authorization.k8s.io/v1/RoleBinding': modelValidator(RoleBinding),
};

/** The ObjectMeta validator, for the metadata of custom resources (whose CRD schema says only `object`). */
export const validateObjectMeta = modelValidator(ObjectMeta);
