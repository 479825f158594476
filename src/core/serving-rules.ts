/**
 * The serving rules KServe enforces, or silently applies otherwise, for a model's scaling options in its deployment
 * mode: the autoscaling metric, the target and replica bounds. Each rule names the KServe code it comes from
 * (kserve/kserve, the same at v0.15.2 and v0.20.0: pkg/apis/serving/v1beta1/inference_service_validation.go and
 * pkg/controller/v1beta1/inferenceservice/reconcilers/hpa/hpa_reconciler.go). The InferenceService construct checks
 * them at its props (and so a config's models, at their lines). The annotations and metric lists are also those
 * `src/validation/kserve-admission/autoscaling.ts` judges a written InferenceService by.
 */
import { DeploymentKind } from './platform';

/** The annotation that gives a Serverless model Knative's HPA instead of its KPA (knative.dev/serving autoscaling.ClassAnnotationKey). */
export const KNATIVE_CLASS_ANNOTATION = 'autoscaling.knative.dev/class';
/** The value of {@link KNATIVE_CLASS_ANNOTATION} that selects the HPA (autoscaling.HPA). */
export const KNATIVE_HPA_CLASS = 'hpa.autoscaling.knative.dev';
/** KServe's autoscaler class of a RawDeployment model (pkg/constants/constants.go AutoscalerClass). */
export const KSERVE_CLASS_ANNOTATION = 'serving.kserve.io/autoscalerClass';

/** The metrics KServe's KPA (Serverless) takes (constants.AutoscalerAllowedKPAMetricsList). */
export const KPA_METRICS: readonly string[] = ['concurrency', 'rps'];
/** The metrics an HPA takes (constants.AutoscalerAllowedHPAMetricsList; hpa_reconciler.go getHPAMetrics builds no other). */
export const HPA_METRICS: readonly string[] = ['cpu', 'memory'];

/** A model's scaling options. */
export interface ScalingOptions {
  readonly scaleMetric?: string;
  readonly scaleTarget?: number;
  readonly minReplicas?: number;
  readonly maxReplicas?: number;
  /** The InferenceService's annotations (the autoscaler classes). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A scaling option KServe refuses or ignores, by its option name. */
export interface ServingRuleProblem {
  readonly field: 'scaleMetric' | 'scaleTarget' | 'minReplicas' | 'maxReplicas';
  readonly message: string;
}

/** What KServe would refuse or silently change of a model's scaling options in a deployment mode. */
export function servingRuleProblems(kind: DeploymentKind, options: ScalingOptions): ServingRuleProblem[] {
  const problems: ServingRuleProblem[] = [];
  const annotations = options.annotations ?? {};
  const metric = options.scaleMetric;
  if (kind === 'knative') {
    const hpa = annotations[KNATIVE_CLASS_ANNOTATION] === KNATIVE_HPA_CLASS;
    if (metric !== undefined && !hpa && !KPA_METRICS.includes(metric)) {
      // validateScalingKPACompExtension: "[cpu] is not a supported metric".
      problems.push({
        field: 'scaleMetric',
        message:
          `"${metric}" is refused for a Serverless model: Knative's autoscaler (KPA) scales on concurrency or rps (KServe validateScalingKPACompExtension); ` +
          `use one of those, or annotate the model ${KNATIVE_CLASS_ANNOTATION}: ${KNATIVE_HPA_CLASS} for Knative's HPA, or use deploymentMode RawDeployment`,
      });
    }
    if (metric !== undefined && hpa && !HPA_METRICS.includes(metric)) {
      problems.push({ field: 'scaleMetric', message: `"${metric}" is refused with Knative's HPA (${KNATIVE_CLASS_ANNOTATION}: ${KNATIVE_HPA_CLASS}): it scales on cpu or memory (KServe validateScalingHPACompExtension)` });
    }
    if (hpa) problems.push(...hpaTarget(metric ?? 'cpu', options.scaleTarget, true));
    return problems;
  }
  // RawDeployment: KServe makes an HPA, unless its autoscaler class says otherwise (KEDA, external, none).
  const kserveClass = annotations[KSERVE_CLASS_ANNOTATION];
  if (kserveClass !== undefined && kserveClass !== 'hpa') return problems;
  if (metric !== undefined && !HPA_METRICS.includes(metric)) {
    // getHPAMetrics builds a metric for cpu and memory only: another one is dropped without a word.
    problems.push({
      field: 'scaleMetric',
      message:
        `"${metric}" does nothing for a RawDeployment model: KServe's HPA scales on cpu or memory only and drops any other metric without an error ` +
        `(hpa_reconciler.go getHPAMetrics); use cpu or memory, or deploymentMode Serverless for ${metric}`,
    });
  }
  problems.push(...hpaTarget(metric ?? 'cpu', options.scaleTarget, kserveClass === 'hpa'));
  if (options.minReplicas === 0) {
    // createHPA: a minReplicas below 1 becomes 1.
    problems.push({ field: 'minReplicas', message: `0 does not scale a RawDeployment model to zero: KServe's HPA takes 1 instead (hpa_reconciler.go createHPA); give 1 or more, or use deploymentMode Serverless to scale to zero` });
  }
  if (options.maxReplicas === 0) {
    // createHPA: a maxReplicas below minReplicas becomes minReplicas; 0 means "no limit" only to Knative.
    problems.push({ field: 'maxReplicas', message: `0 means no limit only for Serverless models: KServe's HPA for a RawDeployment model takes minReplicas instead (hpa_reconciler.go createHPA); give the most replicas you want` });
  }
  return problems;
}

/**
 * The target of an HPA's cpu metric is a utilization percentage (validateScalingHPACompExtension: "[1-100]"). Where
 * the webhook runs that check (`classed`: the HPA class named by annotation), its condition reads
 * `metric == cpu && target < 1 || target > 100` (kserve/kserve v0.15.2 pkg/apis/serving/v1beta1/
 * inference_service_validation.go), so a memory target above 100 is refused as well.
 */
function hpaTarget(metric: string, target: number | undefined, classed: boolean): ServingRuleProblem[] {
  if (target === undefined || target <= 100) return [];
  if (metric === 'cpu') return [{ field: 'scaleTarget', message: `${target} is not a cpu utilization percentage: the HPA's target is 1 to 100 (% of the cpu request) (KServe validateScalingHPACompExtension)` }];
  if (classed && metric === 'memory') {
    return [{ field: 'scaleTarget', message: `${target} is refused for memory with the HPA class named by annotation: KServe's webhook checks every HPA target against 1 to 100 (validateScalingHPACompExtension), memory too` }];
  }
  return [];
}
