/**
 * What a cluster makes of an applied object: the admission webhooks of the release that act on it, then the API
 * server's own fields, and the last-applied annotation of a client-side apply (what Argo CD's default sync does).
 * Each webhook is modelled on its code at the tag named, for the fields modelcar's objects have.
 */
import { ReleaseProfile } from '../../src/core/releases';
import { LAST_APPLIED } from './argocd-diff';

/** What the cluster holds that the webhooks read: a hardware profile, a connection. */
export interface ClusterState {
  /** The hardware profile an `opendatahub.io/hardware-profile-name` names. */
  readonly hardwareProfile?: { readonly nodeSelector?: Record<string, string>; readonly tolerations?: Record<string, unknown>[]; readonly identifiers?: Record<string, string> };
  /** The pull secret an OCI connection (`opendatahub.io/connections`) injects. */
  readonly ociConnectionSecret?: string;
}

/**
 * KServe's InferenceService defaulter (pkg/apis/serving/v1beta1/inference_service_defaults.go DefaultInferenceService)
 * as it acts on a modelcar InferenceService: from KServe 0.17 (and opendatahub-io/kserve odh-v3.4) it rewrites the old
 * deployment mode names to the new ones ("Normalize deprecated annotation values", kserve/kserve PR 5025) and adds the
 * `modelFormat` annotation when absent (setPredictorModelDefaults).
 */
function kserveDefaulter(isvc: any, release: ReleaseProfile): void {
  const annotations = (isvc.metadata.annotations ??= {});
  const [major, minor] = release.kserveVersion.split('.').map(Number);
  const normalizes = major > 0 || minor >= 17;
  if (normalizes) {
    const mode = annotations['serving.kserve.io/deploymentMode'];
    if (mode === 'RawDeployment') annotations['serving.kserve.io/deploymentMode'] = 'Standard';
    if (mode === 'Serverless') annotations['serving.kserve.io/deploymentMode'] = 'Knative';
    if (isvc.spec.predictor.model?.modelFormat?.name && annotations.modelFormat === undefined) annotations.modelFormat = isvc.spec.predictor.model.modelFormat.name;
  }
}

/**
 * opendatahub-operator's webhooks on an InferenceService (v2.35.0 internal/webhook/inferenceservice/mutating.go and
 * hardwareprofile/mutating.go): each acts only when its annotation is on the object.
 */
function odhOperatorWebhooks(isvc: any, cluster: ClusterState): void {
  const annotations = isvc.metadata.annotations ?? {};
  if (annotations['opendatahub.io/connections'] !== undefined && cluster.ociConnectionSecret) {
    // injectOCIImagePullSecrets: the connection's Secret joins the pull secrets.
    const secrets: { name: string }[] = isvc.spec.predictor.imagePullSecrets ?? [];
    if (!secrets.some((s) => s.name === cluster.ociConnectionSecret)) isvc.spec.predictor.imagePullSecrets = [...secrets, { name: cluster.ociConnectionSecret }];
  }
  const profile = cluster.hardwareProfile;
  if (annotations['opendatahub.io/hardware-profile-name'] !== undefined && profile) {
    annotations['opendatahub.io/hardware-profile-namespace'] ??= isvc.metadata.namespace;
    // applyIdentifiersToRequests: only the identifiers the model's resources lack.
    const model = isvc.spec.predictor.model;
    for (const [id, count] of Object.entries(profile.identifiers ?? {})) {
      model.resources ??= {};
      model.resources.requests ??= {};
      model.resources.limits ??= {};
      model.resources.requests[id] ??= count;
      model.resources.limits[id] ??= count;
    }
    // applyNodeSchedulingConfiguration: SetNestedStringMap / SetNestedSlice replace what the model had.
    if (profile.nodeSelector) isvc.spec.predictor.nodeSelector = { ...profile.nodeSelector };
    if (profile.tolerations) isvc.spec.predictor.tolerations = profile.tolerations.map((t) => ({ ...t }));
  }
}

/**
 * The live object after an apply of `desired` on a cluster of a release: admission webhooks (mutating), the API
 * server's metadata, the last-applied annotation of the apply, a status.
 */
export function applied(desired: any, release: ReleaseProfile, cluster: ClusterState = {}, previous?: any): any {
  const live = JSON.parse(JSON.stringify(desired));
  if (desired.kind === 'InferenceService') {
    if (release.platform === 'odh') odhOperatorWebhooks(live, cluster);
    kserveDefaulter(live, release);
    live.status = previous?.status ?? { deploymentMode: live.metadata.annotations['serving.kserve.io/deploymentMode'], url: `https://${desired.metadata.name}.example` };
  }
  if (desired.kind === 'Secret' && desired.type === 'kubernetes.io/service-account-token') {
    // The token controller fills the Secret in.
    live.data = { 'ca.crt': 'Y2E=', namespace: Buffer.from(desired.metadata.namespace).toString('base64'), token: 'dG9rZW4=' };
  }
  live.metadata.uid = previous?.metadata.uid ?? '00000000-0000-0000-0000-000000000001';
  live.metadata.resourceVersion = String(Number(previous?.metadata.resourceVersion ?? 0) + 1);
  live.metadata.generation = Number(previous?.metadata.generation ?? 0) + 1;
  live.metadata.creationTimestamp = previous?.metadata.creationTimestamp ?? '2026-01-01T00:00:00Z';
  live.metadata.annotations = { ...live.metadata.annotations, [LAST_APPLIED]: JSON.stringify(desired) };
  return live;
}
