/**
 * Where the models are served, and which KServe release serves them. Both change what modelcar writes: the
 * metadata OpenShift AI needs, and the names KServe gives its deployment modes.
 */
import { PropError } from './errors';

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

/** The first KServe version that knows the deployment modes `Knative` and `Standard`. */
const RENAMED_MODES_SINCE = [0, 16] as const;

/** The two kinds of deployment, whatever a KServe version calls them. */
export type DeploymentKind = 'knative' | 'raw';

/** Whether a deployment mode runs the model on Knative (Serverless) or as a plain Deployment (RawDeployment). */
export function deploymentKind(mode: DeploymentMode): DeploymentKind {
  return mode === 'Serverless' || mode === 'Knative' ? 'knative' : 'raw';
}

/** Why a KServe version string is not one modelcar understands (`<major>.<minor>`, 0.15 or later), or undefined. */
export function checkKserveVersion(version: string): string | undefined {
  const parsed = parseVersion(version);
  if (!parsed) return `"${version}" is not a KServe version; write "<major>.<minor>", e.g. "${DEFAULT_KSERVE_VERSION}" or "0.16"`;
  if (compare(parsed, [0, 15]) < 0) return `KServe ${version} is older than modelcar supports; modelcar needs KServe 0.15 or later (OCI model images need 0.12, OpenShift AI 2.x ships 0.15)`;
  return undefined;
}

/**
 * @deprecated use `deploymentModeOn(profile, mode)` (core/releases.ts), which also knows the modes each release supports
 *
 * The value of `serving.kserve.io/deploymentMode` for a KServe version: KServe 0.16 and later get the new names
 * (`Knative`, `Standard`) also when the old ones are asked for, since the old ones are deprecated there.
 * Throws when the new names are asked for a KServe version that does not know them, naming the old name to use.
 */
export function deploymentModeFor(mode: DeploymentMode, kserveVersion: string = DEFAULT_KSERVE_VERSION): DeploymentMode {
  const problem = checkKserveVersion(kserveVersion);
  if (problem) throw new PropError({ construct: '', path: ['kserveVersion'], value: kserveVersion, message: problem });
  const renamed = compare(parseVersion(kserveVersion)!, RENAMED_MODES_SINCE) >= 0;
  const kind = deploymentKind(mode);
  if (renamed) return kind === 'knative' ? 'Knative' : 'Standard';
  if (mode === 'Knative' || mode === 'Standard') {
    const old = kind === 'knative' ? 'Serverless' : 'RawDeployment';
    throw new PropError({
      construct: '',
      path: ['deploymentMode'],
      value: mode,
      message: `"${mode}" is a KServe 0.16 name, but kserveVersion is ${kserveVersion}; use "${old}", or set kserveVersion to "0.16" or later`,
    });
  }
  return mode;
}

/**
 * The deployment mode when none is given on plain KServe: Serverless, by its name in that version.
 * @deprecated use `deploymentModeOn(profile)` (core/releases.ts): OpenDataHub 3.x defaults to RawDeployment
 */
export function defaultDeploymentMode(kserveVersion: string = DEFAULT_KSERVE_VERSION): DeploymentMode {
  return deploymentModeFor('Serverless', kserveVersion);
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

function parseVersion(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function compare(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
