import {
  ServingRuntimeSpecContainersStartupProbeHttpGetPort,
} from '../../../imports/kserve-sr-serving.kserve.io';
import { MODEL_SERVER_SIZES } from '../../core/compute-resources';
import { ModelLayouts } from '../../core/model-layout';
import { RuntimeDefinition, odhTemplateMetadata } from './definition';
import { ODH_IMAGES } from './odh-images';

/**
 * caikit-nlp on its own (embeddings, reranking, small generative models), as in OpenDataHub's
 * `caikit-standalone-serving-template` (odh-model-controller tag odh-v2.25,
 * config/runtimes/caikit-standalone-template.yaml): `config.yml` at the top of `models/`, the model under
 * `artifacts/`. The dashboard's Medium size. A test compares it with the ODH template (../shared/odh/runtimes).
 */
export const CAIKIT_STANDALONE_RUNTIME: RuntimeDefinition = {
  name: 'caikit-standalone-runtime',
  layout: ModelLayouts.CAIKIT,
  ...odhTemplateMetadata({ name: 'caikit-standalone-runtime', displayName: 'Caikit Standalone ServingRuntime for KServe', apiProtocol: 'REST' }),
  spec: {
    annotations: { 'prometheus.io/port': '8086', 'prometheus.io/path': '/metrics' },
    multiModel: false,
    supportedModelFormats: [{ autoSelect: true, name: 'caikit' }],
    containers: [
      {
        name: 'kserve-container',
        image: ODH_IMAGES.caikitStandalone,
        command: ['python', '-m', 'caikit.runtime'],
        env: [
          { name: 'RUNTIME_LOCAL_MODELS_DIR', value: '/mnt/models' },
          { name: 'HF_HOME', value: '/tmp/hf_home' },
          { name: 'RUNTIME_GRPC_ENABLED', value: 'false' },
          { name: 'RUNTIME_HTTP_ENABLED', value: 'true' },
        ],
        ports: [{ containerPort: 8080, protocol: 'TCP' }],
        readinessProbe: { exec: { command: ['python', '-m', 'caikit_health_probe', 'readiness'] }, initialDelaySeconds: 5 },
        livenessProbe: { exec: { command: ['python', '-m', 'caikit_health_probe', 'liveness'] }, initialDelaySeconds: 5 },
        // The template allows 12 minutes to start: 24 probes, 30 s apart.
        startupProbe: {
          httpGet: { port: ServingRuntimeSpecContainersStartupProbeHttpGetPort.fromNumber(8080), path: '/health' },
          failureThreshold: 24,
          periodSeconds: 30,
        },
      },
    ],
  },
  defaults: { resources: MODEL_SERVER_SIZES.MEDIUM },
};
