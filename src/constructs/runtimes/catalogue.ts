import { ReleaseProfile, RuntimeCatalogueId, RELEASES } from '../../core/releases';
import { CAIKIT_STANDALONE_RUNTIME } from './caikit-standalone-runtime';
import { CAIKIT_TGIS_RUNTIME } from './caikit-tgis-runtime';
import { RuntimeDefinition } from './definition';
import { KSERVE_OVMS, kserveOvms } from './kserve-ovms';
import { TGIS_GRPC_RUNTIME } from './tgis-grpc-runtime';
import { vllmCudaRuntime } from './vllm-cuda-runtime';
import { VLLM_RUNTIME } from './vllm-runtime';
import { withoutPrototype } from '../../core/records';

export { KSERVE_OVMS, VLLM_RUNTIME, CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME, TGIS_GRPC_RUNTIME, kserveOvms, vllmCudaRuntime };

/**
 * The runtimes of each OpenDataHub release's runtime templates that modelcar builds in, by ServingRuntime name
 * (odh-model-controller config/runtimes/ at the tag; ../shared/odh/runtimes/<tag>/). caikit and TGIS templates are the
 * same object in every release that ships them (their images too: `:fast`); OpenVINO and vLLM change (see their files).
 * - odh-v2.27 renamed `vllm-runtime` to `vllm-cuda-runtime` and dropped `tgis-grpc-runtime`;
 * - odh-v3.0 dropped `caikit-standalone-runtime`; odh-v3.3 dropped `caikit-tgis-runtime`.
 */
export const RUNTIME_CATALOGUES: Readonly<Record<RuntimeCatalogueId, readonly RuntimeDefinition[]>> = {
  'odh-v2.25': [KSERVE_OVMS, VLLM_RUNTIME, CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME, TGIS_GRPC_RUNTIME],
  'odh-v2.26': [kserveOvms('odh-v2.26'), VLLM_RUNTIME, CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME, TGIS_GRPC_RUNTIME],
  'odh-v2.27': [kserveOvms('odh-v2.27'), vllmCudaRuntime('odh-v2.27'), CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME],
  'odh-v2.30': [kserveOvms('odh-v2.30'), vllmCudaRuntime('odh-v2.30'), CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME],
  'odh-v2.35': [kserveOvms('odh-v2.35'), vllmCudaRuntime('odh-v2.35'), CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME],
  'odh-v3.0': [kserveOvms('odh-v3.0'), vllmCudaRuntime('odh-v3.0'), CAIKIT_TGIS_RUNTIME],
  'odh-v3.3': [kserveOvms('odh-v3.3'), vllmCudaRuntime('odh-v3.3')],
  'odh-v3.4': [kserveOvms('odh-v3.4'), vllmCudaRuntime('odh-v3.4')],
};

/**
 * Single-model runtime templates of the releases that modelcar does not build in, and why. Declare them under
 * `runtimes:` (as a runtime of your own, or `existing: ServingRuntime` for one made from the cluster's template).
 */
export const RUNTIMES_LEFT_OUT: Readonly<Record<string, string>> = {
  'vllm-multinode-runtime': 'a Ray cluster across nodes (workerSpec); KServe serves it only from a PVC, not from an OCI image',
  'vllm-rocm-runtime': 'needs AMD GPUs (amd.com/gpu), which gpus does not request',
  'vllm-gaudi-runtime': 'needs Intel Gaudi accelerators (habana.ai/gaudi), which gpus does not request',
  'vllm-cpu-runtime': 'a vLLM build for ppc64le and s390x nodes',
  'vllm-cpu-x86-runtime': 'a technology preview of vLLM on x86 CPUs',
  'vllm-spyre-runtime': 'needs IBM Spyre accelerators',
  'vllm-spyre-x86-runtime': 'needs IBM Spyre accelerators',
  'vllm-spyre-s390x-runtime': 'needs IBM Spyre accelerators',
  'vllm-spyre-ppc64le-runtime': 'needs IBM Spyre accelerators',
  'guardrails-detector-huggingface-runtime': 'a TrustyAI guardrails detector, not a model server for InferenceService predictions',
  'mlserver-runtime': "selects the model's implementation from the InferenceService label modelClass ({{.Labels.modelClass}}), which modelcar does not set",
};

const catalogues = new Map<ReleaseProfile, Readonly<Record<string, RuntimeDefinition>>>();

/**
 * The built-in runtimes of a release, by ServingRuntime name. Without a prototype: it is looked up by names from
 * configs, and `runtimeCatalogue(release)['toString']` must find nothing.
 */
export function runtimeCatalogue(release: ReleaseProfile): Readonly<Record<string, RuntimeDefinition>> {
  const known = catalogues.get(release);
  if (known) return known;
  const left = release.withoutRuntimes ?? [];
  const catalogue = withoutPrototype(Object.fromEntries(RUNTIME_CATALOGUES[release.runtimes].filter((r) => !left.includes(r.name)).map((r) => [r.name, r])));
  catalogues.set(release, catalogue);
  return catalogue;
}

/** The names of a release's built-in runtimes, sorted. */
export function runtimeNamesOf(release: ReleaseProfile): string[] {
  return Object.keys(runtimeCatalogue(release)).sort();
}

/** The releases (profile ids, oldest first per product) whose catalogue has a runtime of that name. */
export function releasesWithRuntime(name: string): string[] {
  return [...RELEASES.values()].filter((r) => runtimeCatalogue(r)[name] !== undefined).map((r) => r.id);
}

/**
 * What a release says of a runtime it does not build in but another release does: that it was renamed (and to what),
 * or dropped, and which releases have it. Undefined when no release has it.
 */
export function missingRuntime(release: ReleaseProfile, name: string): string | undefined {
  const others = releasesWithRuntime(name);
  if (others.length === 0) return undefined;
  const renamed = RENAMED[name];
  const instead = renamed && runtimeCatalogue(release)[renamed] ? `; ${release.title} ships it as ${renamed}` : '';
  return `runtime ${name} is not shipped by ${release.title}${instead}; releases that have it: ${others.join(', ')}`;
}

/** Runtimes an ODH release renamed: old name to new (odh-model-controller odh-v2.27 config/runtimes/vllm-cuda-template.yaml). */
const RENAMED: Readonly<Record<string, string>> = withoutPrototype({ 'vllm-runtime': 'vllm-cuda-runtime' });

/**
 * The runtimes modelcar ships for OpenDataHub odh-v2.25, by ServingRuntime name (see {@link runtimeCatalogue} for a
 * release's). Without a prototype: `BUILTIN_RUNTIMES['toString']` finds nothing.
 */
export const BUILTIN_RUNTIMES: Readonly<Record<string, RuntimeDefinition>> = withoutPrototype(Object.fromEntries(RUNTIME_CATALOGUES['odh-v2.25'].map((r) => [r.name, r])));

/** The names of odh-v2.25's built-in runtimes, sorted. */
export function builtinRuntimeNames(): string[] {
  return Object.keys(BUILTIN_RUNTIMES).sort();
}
