import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import type { KubeNamespaceProps } from '../../imports/k8s';
import { PropChecker, brand, hasBrand, valueAt } from '../core/errors';
import { annotationProblems, labelProblems, nameProblem } from '../core/names';
import { DEFAULT_PLATFORM, Platform } from '../core/platform';

const NAMESPACE = Symbol.for('modelcar.Namespace');

/**
 * Labels that make a namespace a single-model serving project in the OpenShift AI / ODH dashboard, as the dashboard
 * itself labels one (odh-dashboard v2.25.0 and v3.4.0 backend/src/routes/api/namespaces/namespaceUtils.ts
 * applyNamespaceChange: `DSG_CREATION` sets `opendatahub.io/dashboard: "true"`, `KSERVE_PROMOTION` sets
 * `modelmesh-enabled: "false"`). The dashboard lists as projects only namespaces with the first (v3.4.0
 * frontend/src/api/k8s/projects.ts getModelServingProjects; v2.25.0 also asks for the second), and reads the second
 * as "the single-model serving platform" (frontend/src/k8sTypes.ts KnownLabels.MODEL_SERVING_PROJECT).
 */
export const ODH_NAMESPACE_LABELS: Readonly<Record<string, string>> = {
  'opendatahub.io/dashboard': 'true',
  'modelmesh-enabled': 'false',
};

/** Properties of a {@link Namespace}. */
export interface NamespaceProps {
  /** Name of the namespace (an RFC 1123 label). */
  readonly name: string;
  /**
   * Shown by the OpenShift console and the OpenShift AI dashboard (annotation `openshift.io/display-name`).
   * @default - none: the dashboard shows the name
   */
  readonly displayName?: string;
  /** @default - none (annotation `openshift.io/description`) */
  readonly description?: string;
  /**
   * `odh` adds the OpenDataHub labels (`opendatahub.io/dashboard: "true"`, `modelmesh-enabled: "false"`), so the
   * dashboard lists the namespace as a single-model serving project, as `oc new-project` plus the dashboard do.
   * `kserve` adds none.
   * @default 'odh'
   */
  readonly platform?: Platform;
  /** More labels; they win over the ODH ones. @default - none */
  readonly labels?: Readonly<Record<string, string>>;
  /** More annotations. @default - none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * A Kubernetes Namespace for serving models (on OpenShift, a project).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
 */
export class Namespace extends Construct {
  /** Whether `x` is a Namespace (of any copy of modelcar). */
  public static isNamespace(x: unknown): x is Namespace {
    return hasBrand(x, NAMESPACE);
  }

  public readonly name: string;
  /** The generated API object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: NamespaceProps) {
    super(scope, id);
    const check = new PropChecker('Namespace');
    const problem = nameProblem('label', props.name, 'namespace name');
    if (problem) check.add('name', props.name, problem);
    for (const p of [...labelProblems(props.labels, ['labels']), ...annotationProblems(props.annotations, ['annotations'])]) check.add(p.path, valueAt(props, p.path), p.message);
    check.throwIfAny(this);
    brand(this, NAMESPACE);
    this.name = props.name;
    const labels = { ...((props.platform ?? DEFAULT_PLATFORM) === 'odh' ? ODH_NAMESPACE_LABELS : {}), ...props.labels };
    const annotations: Record<string, string> = { ...props.annotations };
    if (props.displayName !== undefined) annotations['openshift.io/display-name'] = props.displayName;
    if (props.description !== undefined) annotations['openshift.io/description'] = props.description;
    const object: KubeNamespaceProps = {
      metadata: {
        name: props.name,
        labels: Object.keys(labels).length ? labels : undefined,
        annotations: Object.keys(annotations).length ? annotations : undefined,
      },
    };
    this.apiObject = new ApiObject(this, 'Resource', { apiVersion: 'v1', kind: 'Namespace', ...object });
    // cdk8s gives every object the namespace of its Chart, a Namespace too; a Namespace has none.
    if (Chart.of(this).namespace !== undefined) this.apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}
