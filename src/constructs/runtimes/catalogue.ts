import { CAIKIT_STANDALONE_RUNTIME } from './caikit-standalone-runtime';
import { CAIKIT_TGIS_RUNTIME } from './caikit-tgis-runtime';
import { RuntimeDefinition } from './definition';
import { KSERVE_OVMS } from './kserve-ovms';
import { TGIS_GRPC_RUNTIME } from './tgis-grpc-runtime';
import { VLLM_RUNTIME } from './vllm-runtime';
import { withoutPrototype } from '../../core/records';

export { KSERVE_OVMS, VLLM_RUNTIME, CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME, TGIS_GRPC_RUNTIME };

/**
 * The runtimes modelcar ships, by ServingRuntime name: OpenDataHub's KServe runtime templates. Without a prototype:
 * it is looked up by names from configs, and `BUILTIN_RUNTIMES['toString']` must find nothing.
 */
export const BUILTIN_RUNTIMES: Readonly<Record<string, RuntimeDefinition>> = withoutPrototype(
  Object.fromEntries([KSERVE_OVMS, VLLM_RUNTIME, CAIKIT_TGIS_RUNTIME, CAIKIT_STANDALONE_RUNTIME, TGIS_GRPC_RUNTIME].map((r) => [r.name, r])),
);

/** The names of the built-in runtimes, sorted. */
export function builtinRuntimeNames(): string[] {
  return Object.keys(BUILTIN_RUNTIMES).sort();
}
