/**
 * The KServe releases whose admission rules modelcar knows, and how a `kserveVersion` maps to one of them.
 *
 * Each release's rules are ported from its own webhook code (kserve/kserve at the tag): the InferenceService
 * defaulter and validator in `pkg/apis/serving/v1beta1/`, the ServingRuntime validator in
 * `pkg/webhook/admission/servingruntime/servingruntime_webhook.go`, and, for what is checked only later, the
 * controller in `pkg/controller/v1beta1/inferenceservice/`. Its CRD schemas come from `../shared/kserve/crds`.
 */

/** A KServe release whose CRDs and admission rules modelcar validates against. */
export type KserveRelease = 'v0.15.2' | 'v0.20.0';

/** The releases, oldest first. */
export const KSERVE_RELEASES: readonly KserveRelease[] = ['v0.15.2', 'v0.20.0'];

/** The release validated against unless told otherwise: the KServe of OpenShift AI 2.x, whose CRDs `imports/` is made from. */
export const DEFAULT_KSERVE_RELEASE: KserveRelease = 'v0.15.2';

/** The `<major>.<minor>` a user names each release by (`modelcar validate --kserve-version`). */
export const RELEASE_VERSIONS: Readonly<Record<string, KserveRelease>> = { '0.15': 'v0.15.2', '0.20': 'v0.20.0' };

/**
 * The release whose rules judge objects written for a KServe version (`kserveVersion` of a config, `<major>.<minor>`):
 * 0.15 is judged by v0.15.2; 0.16 and later by v0.20.0, the newest release modelcar knows. 0.16 introduced the
 * deployment mode names `Knative` and `Standard` that v0.20.0 understands and v0.15.2 does not; the rules 0.16 to
 * 0.19 lack (v0.18's PYTHONPATH block, v0.20's canary checks) only refuse what modelcar never writes.
 */
export function releaseForVersion(version: string): KserveRelease {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m && (Number(m[1]) > 0 || Number(m[2]) >= 16) ? 'v0.20.0' : 'v0.15.2';
}

/** True from v0.20.0 on (the later of the two releases): the rules and names KServe added after 0.15. */
export function isLater(release: KserveRelease): boolean {
  return release !== 'v0.15.2';
}
