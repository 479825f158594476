/**
 * KServe's admission rules, applied to a model of the config before anything is built: the parts of the
 * InferenceService a model's serving options decide (deployment mode, annotations, replicas, scaling, env) are
 * judged by the same rules `modelcar validate` and synth's output check apply (`src/validation/kserve-admission`),
 * and each problem is reported at the config line that causes it.
 */
import { Diagnostic } from '../core/errors';
import { DEFAULT_RELEASE, deploymentModeOn, resolveRelease } from '../core/releases';
import { kserveRuleProblems, releaseForVersion } from '../validation/kserve-admission';
import { OciModelProps, ociModelReplicas } from '../constructs/oci-model';
import { LoadedConfig } from './load';

/** What the rules need of a model's serving options (`ServingOptions` of translate/serving.ts). */
export type AdmissionInput = Pick<OciModelProps, 'release' | 'deploymentMode' | 'minReplicas' | 'maxReplicas' | 'scaleMetric' | 'scaleTarget' | 'env'>;

/** The predictor fields a model's serving options set, by their name in the config. */
const PREDICTOR_FIELDS = new Set(['minReplicas', 'maxReplicas', 'scaleMetric', 'scaleTarget', 'timeout']);

/**
 * The problems KServe (the KServe of the config's release) would have with the InferenceService of `models[index]`:
 * refused at admission, or admitted and then failed on or ignored (both stop synth). Added to `problems`.
 * `mode` is where the deployment mode comes from (the model's or the defaults' field), when given.
 */
export function admissionProblems(loaded: LoadedConfig, index: number, serving: AdmissionInput, mode: { field: (string | number)[] }, problems: Diagnostic[]): void {
  const model = loaded.config.models[index];
  const field = (...rest: (string | number)[]) => ['models', index, ...rest];
  const release = serving.release === undefined ? DEFAULT_RELEASE : resolveRelease(serving.release);
  let deploymentMode: string;
  try {
    deploymentMode = deploymentModeOn(release, serving.deploymentMode);
  } catch {
    return; // the deployment mode itself is reported by the OciModel
  }
  const annotations: Record<string, string> = { 'serving.kserve.io/deploymentMode': deploymentMode, ...model.annotations };
  const env = Object.entries(serving.env ?? {});
  const isvc = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: model.name, annotations },
    spec: {
      predictor: {
        // The replicas as the OciModel construct writes them.
        ...ociModelReplicas(serving),
        scaleMetric: serving.scaleMetric,
        scaleTarget: serving.scaleTarget,
        model: { modelFormat: { name: model.format ?? '' }, env: env.length ? env.map(([name, value]) => ({ name, value })) : undefined },
      },
    },
  };
  for (const p of kserveRuleProblems('InferenceService', isvc, releaseForVersion(release.kserveVersion))) {
    const [a, b, c, d, e] = p.path;
    let at: (string | number)[] | undefined;
    if (a === 'spec' && b === 'predictor' && typeof c === 'string' && PREDICTOR_FIELDS.has(c)) {
      // A value modelcar defaulted is reported at the value the user gave.
      at = model[c as keyof typeof model] !== undefined ? field(c) : c === 'maxReplicas' && model.minReplicas !== undefined ? field('minReplicas') : field();
    } else if (a === 'spec' && b === 'predictor' && c === 'model' && d === 'env' && typeof e === 'number') {
      at = field('env', env[e]![0]);
    } else if (a === 'metadata' && b === 'annotations' && typeof c === 'string') {
      at = model.annotations?.[c] !== undefined ? field('annotations', c) : mode.field;
    }
    // Other paths (the name, the storage URI) are checked by modelcar's own, stricter rules.
    if (at) problems.push(loaded.at(at, p.message));
  }
}
