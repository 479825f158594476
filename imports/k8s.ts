/**
 * The Kubernetes core API classes modelcar emits (Namespace, Secret, and the RBAC objects).
 *
 * `cdk8s import k8s` downloads the Kubernetes schema at import time, which a build must not depend on.
 * cdk8s-plus-28 ships the classes that import generates for Kubernetes 1.28, so they are re-exported from
 * there: the same generated code, pinned by package-lock.json. The other files in this folder are generated
 * from crds/ by `cdk8s import` (see cdk8s.yaml).
 */
export {
  KubeNamespace,
  KubeNamespaceProps,
  KubeRole,
  KubeRoleBinding,
  KubeRoleBindingProps,
  KubeRoleProps,
  KubeSecret,
  KubeSecretProps,
  KubeServiceAccount,
  KubeServiceAccountProps,
} from 'cdk8s-plus-28/lib/imports/k8s';
