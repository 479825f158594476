/**
 * The model server images of OpenDataHub odh-v2.25: odh-model-controller's `config/base/params.env`, which its
 * kustomization substitutes into the runtime templates. A test compares them with params.env of ODH (../shared/odh/runtimes).
 */
export const ODH_IMAGES = {
  /** `ovms-image` */
  ovms: 'quay.io/opendatahub/openvino_model_server:2024.5-release',
  /** `vllm-image` */
  vllm: 'quay.io/opendatahub/vllm:fast',
  /** `tgis-image` */
  tgis: 'quay.io/opendatahub/text-generation-inference:fast',
  /** `caikit-tgis-image` */
  caikitTgis: 'quay.io/opendatahub/caikit-tgis-serving:fast',
  /** `caikit-standalone-image` */
  caikitStandalone: 'quay.io/opendatahub/caikit-nlp:fast',
} as const;
