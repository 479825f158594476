import { MODEL_SERVER_SIZES } from '../../core/compute-resources';
import { ModelLayouts } from '../../core/model-layout';
import type { RuntimeCatalogueId } from '../../core/releases';
import { RuntimeDefinition, odhTemplateMetadata } from './definition';
import { ODH_RELEASE_IMAGES } from './odh-images';

/** What the `kserve-ovms` template of each release adds to its ServingRuntime: `opendatahub.io/runtime-version`. */
const RUNTIME_VERSION: Partial<Record<RuntimeCatalogueId, string>> = {
  'odh-v2.30': 'v2025.1',
  'odh-v2.35': 'v2025.1',
  'odh-v3.0': 'v2025.1',
  'odh-v3.3': 'v2025.4',
  'odh-v3.4': 'v2026.1.0',
};

/** The releases whose template drops the bind addresses and the target device, and names the runtime in spec.annotations. */
const SINCE_V3_3: readonly RuntimeCatalogueId[] = ['odh-v3.3', 'odh-v3.4'];

/**
 * OpenVINO Model Server for KServe, as in OpenDataHub's `kserve-ovms` template of a release (odh-model-controller,
 * config/runtimes/ovms-kserve-template.yaml at the tag): models in numbered version folders (`models/1/`); the
 * dashboard's Small size, no GPU. From odh-v2.30 the template names the runtime's version; from odh-v3.3 it no longer
 * passes `--grpc_bind_address`, `--rest_bind_address` and `--target_device`. A test compares each release's with its
 * template (../shared/odh/runtimes/<tag>/).
 */
export function kserveOvms(release: RuntimeCatalogueId): RuntimeDefinition {
  const metadata = odhTemplateMetadata({ name: 'kserve-ovms', displayName: 'OpenVINO Model Server', apiProtocol: 'REST' });
  const version = RUNTIME_VERSION[release];
  const newer = SINCE_V3_3.includes(release);
  return {
    name: 'kserve-ovms',
    layout: ModelLayouts.OVMS,
    labels: metadata.labels,
    annotations: version === undefined ? metadata.annotations : { ...metadata.annotations, 'opendatahub.io/runtime-version': version },
    spec: {
      multiModel: false,
      annotations: { ...(newer ? { 'opendatahub.io/kserve-runtime': 'ovms' } : {}), 'prometheus.io/port': '8888', 'prometheus.io/path': '/metrics' },
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
          image: ODH_RELEASE_IMAGES[release].ovms,
          args: [
            '--model_name={{.Name}}',
            '--port=8001',
            '--rest_port=8888',
            '--model_path=/mnt/models',
            '--file_system_poll_wait_seconds=0',
            ...(newer ? [] : ['--grpc_bind_address=0.0.0.0', '--rest_bind_address=0.0.0.0', '--target_device=AUTO']),
            '--metrics_enable',
          ],
          ports: [{ containerPort: 8888, protocol: 'TCP' }],
        },
      ],
    },
    defaults: { resources: MODEL_SERVER_SIZES.SMALL },
  };
}

/** `kserve-ovms` of OpenDataHub odh-v2.25. */
export const KSERVE_OVMS: RuntimeDefinition = kserveOvms('odh-v2.25');
