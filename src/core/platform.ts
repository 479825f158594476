/**
 * Where the models are served, and which KServe release serves them. Both change what modelcar writes: the
 * metadata OpenShift AI needs, and the names KServe gives its deployment modes.
 */

/**
 * The platform the manifests are written for.
 * - `odh`: OpenDataHub / OpenShift AI. Namespace, ServingRuntime and InferenceService carry the labels and
 *   annotations the dashboard sets, models are protected by token auth, and OpenShift runs every container of a
 *   pod with one random UID.
 * - `kserve`: plain KServe. No OpenDataHub metadata and no token auth (plain KServe has none). Containers run as
 *   their images' users, so modelcar sets one UID for the predictor pod: see {@link modelcarUidNote}.
 */
export type Platform = 'odh' | 'kserve';

/** The platforms, in the order the docs list them. */
export const PLATFORMS: readonly Platform[] = ['odh', 'kserve'];

/** The platform modelcar writes for unless told otherwise. */
export const DEFAULT_PLATFORM: Platform = 'odh';

/**
 * How KServe deploys a model (annotation `serving.kserve.io/deploymentMode`). KServe 0.16 renamed `Serverless`
 * to `Knative` and `RawDeployment` to `Standard`; the old names stay accepted there as deprecated aliases.
 */
export type DeploymentMode = 'Serverless' | 'RawDeployment' | 'Knative' | 'Standard';

/** The deployment modes, old names first. */
export const DEPLOYMENT_MODES: readonly DeploymentMode[] = ['Serverless', 'RawDeployment', 'Knative', 'Standard'];

/**
 * The KServe version of the CRDs `imports/` is generated from (../shared/kserve/crds, v0.15.2).
 * @deprecated what modelcar writes for is a release profile (core/releases.ts): `DEFAULT_RELEASE`
 */
export const DEFAULT_KSERVE_VERSION = '0.15';

/** The two kinds of deployment, whatever a KServe version calls them. */
export type DeploymentKind = 'knative' | 'raw';

/** Whether a deployment mode runs the model on Knative (Serverless) or as a plain Deployment (RawDeployment). */
export function deploymentKind(mode: DeploymentMode): DeploymentKind {
  return mode === 'Serverless' || mode === 'Knative' ? 'knative' : 'raw';
}

/** How a deployment kind is named in messages, by its names old and new. */
export function kindWords(kind: DeploymentKind): string {
  return kind === 'knative' ? 'Serverless (Knative)' : 'RawDeployment (Standard)';
}

/**
 * What `kserve` platform users are told: KServe's modelcar sidecar links the model through `/proc/<pid>/root`,
 * which the model server can only follow when both containers run as one UID.
 */
export function modelcarUidNote(uid: number): string {
  return (
    `platform kserve: KServe's modelcar sidecar shares the model through /proc/<pid>/root, which the model server can ` +
    `follow only when both containers run as the same UID; modelcar sets spec.predictor.securityContext.runAsUser: ${uid} ` +
    `(the model image's USER) on each InferenceService that runs the sidecar. Cluster admins can set uidModelcar in KServe's ` +
    `inferenceservice-config ConfigMap instead`
  );
}
