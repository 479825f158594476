import type { RuntimeCatalogueId } from '../../core/releases';

/** The model server images of one OpenDataHub release, by the params.env name its runtime templates use. */
export interface OdhImages {
  /** `ovms-image` */
  readonly ovms: string;
  /** `vllm-image` (odh-v2.25, odh-v2.26), `vllm-cuda-image` from odh-v2.27 */
  readonly vllm: string;
  /** `tgis-image` */
  readonly tgis: string;
  /** `caikit-tgis-image` */
  readonly caikitTgis: string;
  /** `caikit-standalone-image` */
  readonly caikitStandalone: string;
}

const FAST = {
  vllm: 'quay.io/opendatahub/vllm:fast',
  tgis: 'quay.io/opendatahub/text-generation-inference:fast',
  caikitTgis: 'quay.io/opendatahub/caikit-tgis-serving:fast',
  caikitStandalone: 'quay.io/opendatahub/caikit-nlp:fast',
} as const;
const OVMS_2024_5 = 'quay.io/opendatahub/openvino_model_server:2024.5-release';
const OVMS_2025_1 = 'quay.io/opendatahub/openvino_model_server:2025.1-release';

/**
 * The model server images of each OpenDataHub release: odh-model-controller's `config/base/params.env` at the tag,
 * which its kustomization substitutes into the runtime templates (at odh-v2.30 the images are in
 * `config/base/params-cuda.env`, with the values odh-v2.35's params.env has). A test compares them with params.env
 * of each release (../shared/odh/runtimes/<tag>/).
 */
export const ODH_RELEASE_IMAGES: Readonly<Record<RuntimeCatalogueId, OdhImages>> = {
  'odh-v2.25': { ...FAST, ovms: OVMS_2024_5 },
  'odh-v2.26': { ...FAST, ovms: OVMS_2024_5 },
  'odh-v2.27': { ...FAST, ovms: OVMS_2024_5 },
  'odh-v2.30': { ...FAST, ovms: OVMS_2025_1 },
  'odh-v2.35': { ...FAST, ovms: OVMS_2025_1 },
  'odh-v3.0': { ...FAST, ovms: OVMS_2025_1 },
  'odh-v3.3': { ...FAST, ovms: OVMS_2025_1 },
  // odh-v3.4 takes vLLM from the vLLM project's own repository.
  'odh-v3.4': { ...FAST, ovms: OVMS_2025_1, vllm: 'quay.io/vllm/vllm-cuda:latest' },
};

/**
 * The model server images of OpenDataHub odh-v2.25 (the release the built-in runtime constants such as `KSERVE_OVMS`
 * describe): odh-model-controller's `config/base/params.env`.
 */
export const ODH_IMAGES: OdhImages = ODH_RELEASE_IMAGES['odh-v2.25'];
