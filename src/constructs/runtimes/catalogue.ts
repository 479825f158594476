import { CAIKIT_STANDALONE_RUNTIME } from './caikit-standalone-runtime';
import { CAIKIT_TGIS_RUNTIME } from './caikit-tgis-runtime';
import { RuntimeDefinition } from './definition';
import { KSERVE_OVMS } from './kserve-ovms';
import { TGIS_GRPC_RUNTIME } from './tgis-grpc-runtime';
import { VLLM_RUNTIME } from './vllm-runtime';

export { KSERVE_OVMS, VLLM_RUNTIME, CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME, TGIS_GRPC_RUNTIME };

/** The runtimes modelcar ships, by ServingRuntime name: OpenDataHub's KServe runtime templates. */
export const BUILTIN_RUNTIMES: Readonly<Record<string, RuntimeDefinition>> = Object.fromEntries(
  [KSERVE_OVMS, VLLM_RUNTIME, CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME, TGIS_GRPC_RUNTIME].map((r) => [r.name, r]),
);

/** The names of the built-in runtimes, sorted. */
export function builtinRuntimeNames(): string[] {
  return Object.keys(BUILTIN_RUNTIMES).sort();
}
