import { MODEL_SERVER_SIZES } from '../../core/compute-resources';
import { ModelLayouts } from '../../core/model-layout';
import { RuntimeDefinition, odhTemplateMetadata } from './definition';
import { ODH_IMAGES } from './odh-images';

/**
 * vLLM's OpenAI-compatible server for KServe, as in OpenDataHub's `vllm-runtime-template` (odh-model-controller
 * tag odh-v2.25, config/runtimes/vllm-template.yaml). Hugging Face model files at the top of `models/`; the
 * dashboard's Large size and one NVIDIA GPU, since the image is built for CUDA. A test compares it with the
 * ODH template (../shared/odh/runtimes).
 */
export const VLLM_RUNTIME: RuntimeDefinition = {
  name: 'vllm-runtime',
  layout: ModelLayouts.FLAT,
  ...odhTemplateMetadata({ name: 'vllm-runtime', displayName: 'vLLM ServingRuntime for KServe', apiProtocol: 'REST' }),
  spec: {
    annotations: { 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' },
    multiModel: false,
    supportedModelFormats: [{ autoSelect: true, name: 'vLLM' }],
    containers: [
      {
        name: 'kserve-container',
        image: ODH_IMAGES.vllm,
        command: ['python', '-m', 'vllm.entrypoints.openai.api_server'],
        args: ['--port=8080', '--model=/mnt/models', '--served-model-name={{.Name}}'],
        env: [{ name: 'HF_HOME', value: '/tmp/hf_home' }],
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
      },
    ],
  },
  defaults: { resources: MODEL_SERVER_SIZES.LARGE, gpus: 1 },
};
