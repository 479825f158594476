import { ArgoCdApplication } from './types.generated';
import { OutputFile, RenderContext, generatedNotice } from '../core/output-file';
import { BUILDS_DIR, MANIFESTS_DIR, toYaml } from '../output/manifests';

/** Folder of the Argo CD Applications within the output. */
export const ARGOCD_DIR = 'argocd';

/**
 * Fields of a live InferenceService that OpenDataHub's webhooks fill in (pull secrets from connections,
 * resources, node selector and tolerations from hardware profiles): differences there are not drift.
 */
export const ODH_INJECTED_FIELDS: readonly string[] = [
  '.spec.predictor.imagePullSecrets',
  '.spec.predictor.model.resources',
  '.spec.predictor.nodeSelector',
  '.spec.predictor.tolerations',
];

/**
 * An Argo CD Application per environment (one without environments) that syncs the committed manifests,
 * plus a kustomization.yaml, so `kubectl apply -k <output>/argocd` registers them all. An environment with
 * in-cluster builds gets a second Application, `<name>-builds`, for its builds folder: the builds are applied on
 * their own, and the models' manifests never wait on them.
 *
 * @see https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/#applications
 * @param builds the environments (`''` without environments) whose output has in-cluster builds
 */
export function argoCdApplications(app: ArgoCdApplication, environments: readonly string[], context: RenderContext, builds: ReadonlySet<string> = new Set()): OutputFile[] {
  const notice = `# ${generatedNotice(context.source)}\n`;
  const base = (app.path ?? 'dist').replace(/\/+$/, '');
  const name = app.name ?? 'modelcar';
  const targets = (environments.length ? environments : ['']).flatMap((env) => {
    const suffix = env ? `-${env}` : '';
    const folder = env ? `${base}/${env}` : base;
    const manifests = { name: `${name}${suffix}`, path: `${folder}/${MANIFESTS_DIR}`, builds: false };
    return builds.has(env) ? [manifests, { name: `${name}${suffix}-builds`, path: `${folder}/${BUILDS_DIR}`, builds: true }] : [manifests];
  });
  const files: OutputFile[] = targets.map((t) => ({
    path: `${ARGOCD_DIR}/application-${t.name}.yaml`,
    content:
      notice +
      toYaml({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Application',
        metadata: { name: t.name, namespace: app.namespace ?? 'openshift-gitops' },
        spec: {
          destination: { server: app.server ?? 'https://kubernetes.default.svc' },
          ...(t.builds ? {} : { ignoreDifferences: [{ group: 'serving.kserve.io', jqPathExpressions: [...ODH_INJECTED_FIELDS], kind: 'InferenceService' }] }),
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
