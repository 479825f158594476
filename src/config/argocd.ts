import { ArgoCdApplication } from './types.generated';
import { OutputFile, RenderContext, generatedNotice } from '../core/output-file';
import { BUILDS_DIR, MANIFESTS_DIR, ManifestObject, toYaml } from '../output/manifests';

/** Folder of the Argo CD Applications within the output. */
export const ARGOCD_DIR = 'argocd';

/**
 * The webhooks that change fields of an InferenceService that git also sets, each only when the annotation that
 * asks for it is on the object. Argo CD uses `ignoreDifferences` when it decides whether an Application is in sync,
 * and automated sync runs only when it is OutOfSync (argo-cd v3.4.0 controller/appcontroller.go autoSync "Skipping
 * auto-sync: application status is Synced"): an ignored field that changes in git is never applied. So modelcar
 * ignores nothing else. What no webhook touches (resources, pull secrets, node selector, tolerations, args, ...) is
 * compared, and a change to it in git syncs. KServe's defaulter only adds fields git does not set (and renames the
 * old deployment mode names, which modelcar does not write where KServe renames them); additions are not drift.
 */
const MUTATING_WEBHOOKS: readonly { readonly annotation: string; readonly fields: readonly string[]; readonly source: string }[] = [
  {
    // The connection's Secret decides what it injects: an OCI connection appends its pull secret, a URI connection
    // replaces storageUri (an S3 one adds serviceAccountName and model.storage, fields git does not set).
    annotation: 'opendatahub.io/connections',
    fields: ['/spec/predictor/imagePullSecrets', '/spec/predictor/model/storageUri'],
    source: 'opendatahub-operator v2.35.0 internal/webhook/inferenceservice/mutating.go ConnectionWebhook; v3.4.0 internal/webhook/serving/mutating_isvc.go',
  },
  {
    // A hardware profile replaces nodeSelector and tolerations; it adds only the resources a container lacks.
    annotation: 'opendatahub.io/hardware-profile-name',
    fields: ['/spec/predictor/nodeSelector', '/spec/predictor/tolerations'],
    source: 'opendatahub-operator v2.35.0 internal/webhook/hardwareprofile/mutating.go applyNodeSchedulingConfiguration',
  },
];

/** One entry of an Application's `spec.ignoreDifferences`. */
export interface IgnoreDifference {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly jsonPointers: string[];
}

/**
 * What an Application must ignore of these objects: for each InferenceService that asks a webhook to change a field
 * git sets (by its annotation), those fields of that one object. Sorted by namespace and name.
 */
function ignoredDifferences(objects: readonly ManifestObject[]): IgnoreDifference[] {
  const out: IgnoreDifference[] = [];
  for (const o of objects) {
    if (o.kind !== 'InferenceService') continue;
    const annotations: Record<string, string> = o.json.metadata?.annotations ?? {};
    const fields = MUTATING_WEBHOOKS.filter((w) => annotations[w.annotation] !== undefined).flatMap((w) => w.fields);
    if (fields.length) out.push({ group: 'serving.kserve.io', kind: 'InferenceService', name: o.name, namespace: o.namespace ?? '', jsonPointers: fields });
  }
  return out.sort((a, b) => (a.namespace + '/' + a.name < b.namespace + '/' + b.name ? -1 : 1));
}

/** What one Application syncs: the manifests of an environment (or of the config without environments). */
export interface ApplicationTarget {
  /** @default - none: the config has no environments */
  readonly environment?: string;
  /** The objects of its manifests. */
  readonly objects: readonly ManifestObject[];
}

/**
 * An Argo CD Application per environment (one without environments) that syncs the committed manifests,
 * plus a kustomization.yaml, so `kubectl apply -k <output>/argocd` registers them all. An environment with
 * in-cluster builds gets a second Application, `<name>-builds`, for its builds folder: the builds are applied on
 * their own, and the models' manifests never wait on them.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 * @param builds the environments (`''` without environments) whose output has in-cluster builds
 */
export function argoCdApplications(app: ArgoCdApplication, targets: readonly ApplicationTarget[], context: RenderContext, builds: ReadonlySet<string> = new Set()): OutputFile[] {
  const notice = `# ${generatedNotice(context.source)}\n`;
  const base = (app.path ?? 'dist').replace(/\/+$/, '');
  const name = app.name ?? 'modelcar';
  // The builds folder holds Tekton objects, which no webhook of the list above changes: nothing to ignore there.
  const apps = targets.flatMap((t) => {
    const env = t.environment ?? '';
    const suffix = env ? `-${env}` : '';
    const folder = env ? `${base}/${env}` : base;
    const manifests = { name: `${name}${suffix}`, path: `${folder}/${MANIFESTS_DIR}`, ignore: ignoredDifferences(t.objects) };
    return builds.has(env) ? [manifests, { name: `${name}${suffix}-builds`, path: `${folder}/${BUILDS_DIR}`, ignore: [] }] : [manifests];
  });
  const files: OutputFile[] = apps.map((t) => ({
    path: `${ARGOCD_DIR}/application-${t.name}.yaml`,
    content:
      notice +
      toYaml({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: t.name, namespace: app.namespace ?? 'openshift-gitops' },
        spec: {
          destination: { server: app.server ?? 'https://kubernetes.default.svc' },
          ...(t.ignore.length ? { ignoreDifferences: t.ignore } : {}),
          project: app.project ?? 'default',
          source: { path: t.path, repoURL: app.repoURL, targetRevision: app.targetRevision ?? 'HEAD' },
          ...(app.automated ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
        },
      }),
  }));
  files.push({
    path: `${ARGOCD_DIR}/kustomization.yaml`,
    content: notice + toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: files.map((f) => f.path.slice(ARGOCD_DIR.length + 1)) }),
  });
  return files;
}
