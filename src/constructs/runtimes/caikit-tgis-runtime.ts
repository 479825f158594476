import { MODEL_SERVER_SIZES } from '../../core/compute-resources';
import { ModelLayouts } from '../../core/model-layout';
import { RuntimeDefinition, odhTemplateMetadata } from './definition';
import { ODH_IMAGES } from './odh-images';

/**
 * caikit in front of TGIS, as in OpenDataHub's `caikit-tgis-serving-template` (odh-model-controller tag
 * odh-v2.25, config/runtimes/caikit-tgis-template.yaml): TGIS loads the model from
 * `/mnt/models/artifacts/`, caikit (the transformer container) reads `config.yml` from `/mnt/models`. The
 * dashboard's Large size. A test compares it with the ODH template (../shared/odh/runtimes).
 */
export const CAIKIT_TGIS_RUNTIME: RuntimeDefinition = {
  name: 'caikit-tgis-runtime',
  layout: ModelLayouts.CAIKIT,
  ...odhTemplateMetadata({ name: 'caikit-tgis-runtime', displayName: 'Caikit TGIS ServingRuntime for KServe', apiProtocol: 'REST' }),
  spec: {
    annotations: { 'prometheus.io/port': '3000', 'prometheus.io/path': '/metrics' },
    multiModel: false,
    supportedModelFormats: [{ autoSelect: true, name: 'caikit' }],
    containers: [
      {
        name: 'kserve-container',
        image: ODH_IMAGES.tgis,
        command: ['text-generation-launcher'],
        args: ['--model-name=/mnt/models/artifacts/'],
        env: [{ name: 'HF_HOME', value: '/tmp/hf_home' }],
      },
      {
        name: 'transformer-container',
        image: ODH_IMAGES.caikitTgis,
        env: [
          { name: 'RUNTIME_LOCAL_MODELS_DIR', value: '/mnt/models' },
          { name: 'HF_HOME', value: '/tmp/hf_home' },
          { name: 'RUNTIME_GRPC_ENABLED', value: 'false' },
          { name: 'RUNTIME_HTTP_ENABLED', value: 'true' },
        ],
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
      },
    ],
  },
  defaults: { resources: MODEL_SERVER_SIZES.LARGE },
};
