import { ServingRuntimeSpec } from '../imports/kserve-sr-serving.kserve.io';
import { ModelLayout, ModelLayouts } from './model-layout';

/** A model format a runtime serves, as in a ServingRuntime's `spec.supportedModelFormats`. */
export interface SupportedModelFormat {
  readonly name: string;
  readonly version?: string;
  /**
   * Whether KServe picks this runtime for an InferenceService that names the format but no runtime.
   * @default false
   */
  readonly autoSelect?: boolean;
}

/**
 * A model server that modelcar knows how to deploy: its ServingRuntime exactly as OpenDataHub ships it,
 * and the model layout it expects.
 */
export interface RuntimeDefinition {
  /** Name of the ServingRuntime (and of the ODH template it comes from). */
  readonly name: string;
  /** The model server image. */
  readonly image: string;
  /** Where the server expects model files under /models. */
  readonly layout: ModelLayout;
  /** The ServingRuntime's metadata labels. */
  readonly labels: Readonly<Record<string, string>>;
  /** The ServingRuntime's metadata annotations. */
  readonly annotations: Readonly<Record<string, string>>;
  /** The ServingRuntime's spec, with `{{.Name}}` left for KServe to fill in. */
  readonly spec: ServingRuntimeSpec;
}

const OVMS_IMAGE = 'quay.io/opendatahub/openvino_model_server:2024.5-release';

/**
 * OpenVINO Model Server for KServe, as in OpenDataHub's `kserve-ovms` template
 * (odh-model-controller tag odh-v2.25, config/runtimes/ovms-kserve-template.yaml, image from params.env).
 * A test compares it with the vendored template.
 */
const KSERVE_OVMS: RuntimeDefinition = {
  name: 'kserve-ovms',
  image: OVMS_IMAGE,
  layout: ModelLayouts.OVMS,
  labels: { 'opendatahub.io/dashboard': 'true' },
  annotations: {
    'openshift.io/display-name': 'OpenVINO Model Server',
    'opendatahub.io/recommended-accelerators': '["nvidia.com/gpu"]',
  },
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
        image: OVMS_IMAGE,
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
};

/** The runtimes modelcar ships, by ServingRuntime name. */
export const BUILTIN_RUNTIMES: Readonly<Record<string, RuntimeDefinition>> = {
  [KSERVE_OVMS.name]: KSERVE_OVMS,
};

/** The names of the built-in runtimes, sorted. */
export function builtinRuntimeNames(): string[] {
  return Object.keys(BUILTIN_RUNTIMES).sort();
}
