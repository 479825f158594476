import { MODEL_SERVER_SIZES } from '../../core/compute-resources';
import { ModelLayouts } from '../../core/model-layout';
import type { RuntimeCatalogueId } from '../../core/releases';
import { RuntimeDefinition, odhTemplateMetadata } from './definition';
import { ODH_RELEASE_IMAGES } from './odh-images';

/** What the `vllm-cuda-runtime` template of each release adds to its ServingRuntime: `opendatahub.io/runtime-version`. */
const RUNTIME_VERSION: Partial<Record<RuntimeCatalogueId, string>> = {
  'odh-v2.30': 'v0.9.0.1',
  'odh-v2.35': 'v0.9.1.0',
  'odh-v3.0': 'v0.9.1.0',
  'odh-v3.3': 'v0.11.2',
  'odh-v3.4': 'v0.18.0',
};

/**
 * vLLM on NVIDIA GPUs, as in OpenDataHub's `vllm-cuda-runtime-template` of a release (odh-model-controller,
 * config/runtimes/vllm-cuda-template.yaml at the tag): the `vllm-runtime` of odh-v2.25 renamed in odh-v2.27, the same
 * server and arguments. Hugging Face model files at the top of `models/`; the dashboard's Large size and one NVIDIA
 * GPU. From odh-v3.3 the template names the runtime in spec.annotations. A test compares each release's with its
 * template (../shared/odh/runtimes/<tag>/).
 */
export function vllmCudaRuntime(release: RuntimeCatalogueId): RuntimeDefinition {
  const metadata = odhTemplateMetadata({ name: 'vllm-cuda-runtime', displayName: 'vLLM NVIDIA GPU ServingRuntime for KServe', apiProtocol: 'REST' });
  const version = RUNTIME_VERSION[release];
  const newer = release === 'odh-v3.3' || release === 'odh-v3.4';
  return {
    name: 'vllm-cuda-runtime',
    layout: ModelLayouts.FLAT,
    labels: metadata.labels,
    annotations: version === undefined ? metadata.annotations : { ...metadata.annotations, 'opendatahub.io/runtime-version': version },
    spec: {
      annotations: { ...(newer ? { 'opendatahub.io/kserve-runtime': 'vllm' } : {}), 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' },
      multiModel: false,
      supportedModelFormats: [{ autoSelect: true, name: 'vLLM' }],
      containers: [
        {
          name: 'kserve-container',
          image: ODH_RELEASE_IMAGES[release].vllm,
          command: ['python', '-m', 'vllm.entrypoints.openai.api_server'],
          args: ['--port=8080', '--model=/mnt/models', '--served-model-name={{.Name}}'],
          env: [{ name: 'HF_HOME', value: '/tmp/hf_home' }],
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
        },
      ],
    },
    defaults: { resources: MODEL_SERVER_SIZES.LARGE, gpus: 1 },
  };
}
