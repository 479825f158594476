import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { KubeRoleBindingProps, KubeRoleProps, KubeSecretProps, KubeServiceAccountProps } from '../../imports/k8s';
import { PropChecker, brand, hasBrand } from '../core/errors';
import { nameProblem } from '../core/names';

const MODEL_AUTH = Symbol.for('modelcar.ModelAuth');

/** The API version of Role and RoleBinding. */
const RBAC_API_VERSION = 'rbac.authorization.k8s.io/v1';

/** Properties of a {@link ModelAuth}. */
export interface ModelAuthProps {
  /** Name of the InferenceService that the tokens are for. */
  readonly inferenceService: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
}

/**
 * The name the OpenShift AI dashboard gives the first token of a model (odh-dashboard v3.4.0
 * frontend/src/pages/modelServing/screens/projects/ServingRuntimeModal/AuthServingRuntimeSection.tsx).
 */
export const DASHBOARD_TOKEN_NAME = 'default-name';

/**
 * Who may call a model protected by OpenShift AI token auth (`security.opendatahub.io/enable-auth: "true"`), as
 * the OpenShift AI dashboard sets it up: a ServiceAccount `<isvc>-sa` whose tokens are accepted, a Role
 * `<isvc>-view-role` allowing `get` on that one InferenceService, a RoleBinding `<isvc>-view` granting it to
 * the ServiceAccount, and a token Secret `default-name-<isvc>-sa` of that ServiceAccount, labelled and annotated as
 * the dashboard's `assembleSecretSA` makes it (odh-dashboard v3.4.0 frontend/src/api/k8s/secrets.ts): the
 * dashboard lists a model's tokens from such Secrets only (ModelServingContext.tsx filterTokens: label
 * `opendatahub.io/dashboard`, annotation `kubernetes.io/service-account.name`). Kubernetes fills the Secret with a
 * token; `oc create token <isvc>-sa -n <namespace>` gives short-lived ones.
 *
 * Unlike the dashboard's, these objects carry no ownerReference to the InferenceService (it needs the live
 * object's UID): they are removed when they leave the manifests, as the InferenceService is.
 *
 * @see https://github.com/opendatahub-io/odh-dashboard (frontend: setUpTokenAuth, generateRoleInferenceService)
 */
export class ModelAuth extends Construct {
  /** Whether `x` is a ModelAuth (of any copy of modelcar). */
  public static isModelAuth(x: unknown): x is ModelAuth {
    return hasBrand(x, MODEL_AUTH);
  }

  /** Name of the ServiceAccount: `<isvc>-sa`. */
  public readonly serviceAccountName: string;
  /** Name of the Role: `<isvc>-view-role`. */
  public readonly roleName: string;
  /** Name of the RoleBinding: `<isvc>-view`. */
  public readonly roleBindingName: string;
  /** The generated ServiceAccount. */
  public readonly serviceAccount: ApiObject;
  /** The generated Role. */
  public readonly role: ApiObject;
  /** The generated RoleBinding. */
  public readonly roleBinding: ApiObject;
  /** Name of the token Secret: `default-name-<isvc>-sa`. */
  public readonly tokenSecretName: string;
  /** The generated token Secret (type `kubernetes.io/service-account-token`). */
  public readonly tokenSecret: ApiObject;

  constructor(scope: Construct, id: string, props: ModelAuthProps) {
    super(scope, id);
    const check = new PropChecker('ModelAuth');
    const isvcWrong = nameProblem('inferenceService', props.inferenceService);
    if (isvcWrong) check.add('inferenceService', props.inferenceService, isvcWrong);
    const namespaceWrong = props.namespace === undefined ? undefined : nameProblem('label', props.namespace, 'namespace name');
    if (namespaceWrong) check.add('namespace', props.namespace, namespaceWrong);
    check.throwIfAny(this);
    brand(this, MODEL_AUTH);
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const isvc = props.inferenceService;
    this.serviceAccountName = `${isvc}-sa`;
    this.roleName = `${isvc}-view-role`;
    this.roleBindingName = `${isvc}-view`;
    this.tokenSecretName = `${DASHBOARD_TOKEN_NAME}-${this.serviceAccountName}`;
    const dashboard = { 'opendatahub.io/dashboard': 'true' };

    const serviceAccount: KubeServiceAccountProps = { metadata: { name: this.serviceAccountName, namespace } };
    this.serviceAccount = new ApiObject(this, 'ServiceAccount', { apiVersion: 'v1', kind: 'ServiceAccount', ...serviceAccount });
    const role: KubeRoleProps = {
      metadata: { name: this.roleName, namespace, labels: dashboard },
      rules: [{ verbs: ['get'], apiGroups: ['serving.kserve.io'], resources: ['inferenceservices'], resourceNames: [isvc] }],
    };
    this.role = new ApiObject(this, 'Role', { apiVersion: RBAC_API_VERSION, kind: 'Role', ...role });
    const roleBinding: KubeRoleBindingProps = {
      metadata: { name: this.roleBindingName, namespace, labels: { ...dashboard } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.roleName },
      subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName }],
    };
    this.roleBinding = new ApiObject(this, 'RoleBinding', { apiVersion: RBAC_API_VERSION, kind: 'RoleBinding', ...roleBinding });
    // No data: Kubernetes' token controller fills in the token, and deletes the Secret if its ServiceAccount is
    // missing, so the ServiceAccount is applied first: both are in sync wave -1, and within a wave Argo CD applies
    // ServiceAccount before Secret (argo-cd v3.4.0 gitops-engine/pkg/sync/sync_tasks.go kindOrder), as kustomize does.
    const tokenSecret: KubeSecretProps = {
      metadata: {
        name: this.tokenSecretName,
        namespace,
        labels: { ...dashboard },
        annotations: { 'kubernetes.io/service-account.name': this.serviceAccountName, 'openshift.io/display-name': DASHBOARD_TOKEN_NAME },
      },
      type: 'kubernetes.io/service-account-token',
    };
    this.tokenSecret = new ApiObject(this, 'TokenSecret', { apiVersion: 'v1', kind: 'Secret', ...tokenSecret });
  }
}
