import { MODEL_SERVER_SIZES } from '../../core/compute-resources';
import { ModelLayouts } from '../../core/model-layout';
import { RuntimeDefinition, odhTemplateMetadata } from './definition';
import { ODH_IMAGES } from './odh-images';

/**
 * Text Generation Inference Server (TGIS) alone, gRPC only, as in OpenDataHub's `tgis-grpc-serving-template`
 * (odh-model-controller tag odh-v2.25, config/runtimes/tgis-template.yaml). Hugging Face model files at the top
 * of `models/` (`--model-name=/mnt/models/`); the dashboard's Large size. A test compares it with the ODH
 * template.
 */
export const TGIS_GRPC_RUNTIME: RuntimeDefinition = {
  name: 'tgis-grpc-runtime',
  layout: ModelLayouts.FLAT,
  ...odhTemplateMetadata({ name: 'tgis-grpc-runtime', displayName: 'TGIS Standalone ServingRuntime for KServe', apiProtocol: 'gRPC' }),
  spec: {
    annotations: { 'prometheus.io/port': '3000', 'prometheus.io/path': '/metrics' },
    multiModel: false,
    supportedModelFormats: [{ autoSelect: true, name: 'pytorch' }],
    containers: [
      {
        name: 'kserve-container',
        image: ODH_IMAGES.tgis,
        command: ['text-generation-launcher'],
        args: ['--model-name=/mnt/models/', '--port=3000', '--grpc-port=8033'],
        env: [{ name: 'HF_HOME', value: '/tmp/hf_home' }],
        ports: [{ containerPort: 8033, name: 'h2c', protocol: 'TCP' }],
      },
    ],
  },
  defaults: { resources: MODEL_SERVER_SIZES.LARGE },
};
