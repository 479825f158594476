import { MODEL_SERVER_SIZES } from '../../core/compute-resources';
import { ModelLayouts } from '../../core/model-layout';
import { RuntimeDefinition, odhTemplateMetadata } from './definition';
import { ODH_IMAGES } from './odh-images';

/**
 * OpenVINO Model Server for KServe, as in OpenDataHub's `kserve-ovms` template (odh-model-controller tag
 * odh-v2.25, config/runtimes/ovms-kserve-template.yaml). Models in numbered version folders (`models/1/`);
 * the dashboard's Small size, no GPU. A test compares it with the ODH template (../shared/odh/runtimes).
 */
export const KSERVE_OVMS: RuntimeDefinition = {
  name: 'kserve-ovms',
  layout: ModelLayouts.OVMS,
  ...odhTemplateMetadata({ name: 'kserve-ovms', displayName: 'OpenVINO Model Server', apiProtocol: 'REST' }),
  spec: {
    multiModel: false,
    annotations: { 'prometheus.io/port': '8888', 'prometheus.io/path': '/metrics' },
    supportedModelFormats: [
      { name: 'openvino_ir', version: 'opset13', autoSelect: true },
      { name: 'onnx', version: '1' },
      { name: 'tensorflow', version: '1', autoSelect: true },
      { name: 'tensorflow', version: '2', autoSelect: true },
      { name: 'paddle', version: '2', autoSelect: true },
      { name: 'pytorch', version: '2', autoSelect: true },
    ],
    protocolVersions: ['v2', 'grpc-v2'],
    containers: [
      {
        name: 'kserve-container',
        image: ODH_IMAGES.ovms,
        args: [
          '--model_name={{.Name}}',
          '--port=8001',
          '--rest_port=8888',
          '--model_path=/mnt/models',
          '--file_system_poll_wait_seconds=0',
          '--grpc_bind_address=0.0.0.0',
          '--rest_bind_address=0.0.0.0',
          '--target_device=AUTO',
          '--metrics_enable',
        ],
        ports: [{ containerPort: 8888, protocol: 'TCP' }],
      },
    ],
  },
  defaults: { resources: MODEL_SERVER_SIZES.SMALL },
};
