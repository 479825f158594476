/**
 * KServe's scaling rules for one component (predictor, transformer or explainer) of an InferenceService: which
 * autoscaler judges it (Knative's KPA, an HPA, KEDA) follows from the deployment mode and two annotations, and
 * each allows its own metrics and targets.
 *
 * Source: kserve/kserve `pkg/apis/serving/v1beta1/inference_service_validation.go`, functions
 * `validateAutoScalingCompExtension`, `validateScalingKPACompExtension`, `validateScalingHPACompExtension`,
 * `validateScalingKedaCompExtension`, `validateScaleTarget`, at v0.15.2 and v0.20.0 (the same rules; v0.20.0 calls
 * the plain mode `Standard`, to which its defaulter renames `RawDeployment`). What the webhook lets through in
 * RawDeployment without an autoscaler class, KServe's HPA then ignores: `getHPAMetrics` in
 * `pkg/controller/v1beta1/inferenceservice/reconcilers/hpa/hpa_reconciler.go` (same tags).
 */
import { parseQuantityValue } from '../../core/quantity';
import { HPA_METRICS, KNATIVE_CLASS_ANNOTATION, KNATIVE_HPA_CLASS, KPA_METRICS, KSERVE_CLASS_ANNOTATION } from '../../core/serving-rules';
import { isLater } from './release';
import { Obj, RuleContext, RulePath, failLater, isSet, list, num, obj, refuse, str } from './rule-problem';

/** constants.AutoscalerAllowedClassList (v0.15.2 and v0.20.0 `pkg/constants/constants.go`). */
export const AUTOSCALER_CLASSES: readonly string[] = ['hpa', 'external', 'keda', 'none'];

const MIB = parseQuantityValue('1Mi');

/** Whether the deployment mode annotation (as the defaulter leaves it) selects the plain, Deployment-based mode. */
function isRawMode(mode: string | undefined, ctx: RuleContext): boolean {
  return mode === (isLater(ctx.release) ? 'Standard' : 'RawDeployment');
}

/**
 * validateAutoScalingCompExtension: the scaling rules of one component. `mode` is the deployment mode annotation
 * after KServe's defaulter; `at` the component's path.
 */
export function validateAutoScaling(ctx: RuleContext, annotations: Obj, mode: string | undefined, ext: Obj, at: RulePath): void {
  if (isRawMode(mode, ctx)) {
    const klass = str(annotations[KSERVE_CLASS_ANNOTATION]);
    if (klass === 'hpa') hpaRules(ctx, ext, at, `deploymentMode ${mode} with ${KSERVE_CLASS_ANNOTATION}: hpa`);
    else if (klass === 'keda') kedaRules(ctx, ext, at);
    else if (klass === undefined) hpaIgnores(ctx, ext, at, mode!);
    return;
  }
  if (str(annotations[KNATIVE_CLASS_ANNOTATION]) === KNATIVE_HPA_CLASS) hpaRules(ctx, ext, at, `${KNATIVE_CLASS_ANNOTATION}: ${KNATIVE_HPA_CLASS}`);
  else kpaRules(ctx, ext, at, mode);
}

/** validateScalingKPACompExtension: Knative's own autoscaler (KPA), the default of the Serverless mode. */
function kpaRules(ctx: RuleContext, ext: Obj, at: RulePath, mode: string | undefined): void {
  const rule = 'validateScalingKPACompExtension';
  const plain = isLater(ctx.release) ? 'Standard' : 'RawDeployment';
  const where =
    mode === undefined
      ? "Serverless: no deploymentMode annotation, KServe's default"
      : mode === 'Serverless' || mode === 'Knative'
        ? `deploymentMode ${mode}`
        : `deploymentMode "${mode}", which KServe ${ctx.release} judges as Serverless`;
  if (isSet(ext.deploymentStrategy)) {
    refuse(ctx, rule, [...at, 'deploymentStrategy'], `customizing deploymentStrategy is only supported for raw deployment mode, not with Knative's autoscaler (${where}): remove deploymentStrategy, or set the annotation serving.kserve.io/deploymentMode: ${plain}`);
  }
  const metric = str(ext.scaleMetric) ?? 'concurrency';
  if (!KPA_METRICS.includes(metric)) {
    refuse(
      ctx,
      'validateKPAMetrics',
      [...at, 'scaleMetric'],
      `[${metric}] is not a supported metric: Knative's autoscaler (${where}) scales on ${KPA_METRICS.join(' or ')}; ` +
        `use one of those, or scale on ${metric} with the annotation ${KNATIVE_CLASS_ANNOTATION}: ${KNATIVE_HPA_CLASS} or with deploymentMode ${plain}`,
    );
  } else if (metric === 'rps' && isSet(ext.scaleTarget) && num(ext.scaleTarget)! < 1) {
    refuse(ctx, rule, [...at, 'scaleTarget'], `the target for rps should be greater than 1: ${ext.scaleTarget} requests per second is not a target`);
  }
}

/** validateScalingHPACompExtension: an HPA, chosen by annotation in either mode. */
function hpaRules(ctx: RuleContext, ext: Obj, at: RulePath, why: string): void {
  const rule = 'validateScalingHPACompExtension';
  const metric = str(ext.scaleMetric) ?? 'cpu';
  if (!HPA_METRICS.includes(metric)) {
    refuse(ctx, 'validateHPAMetrics', [...at, 'scaleMetric'], `[${metric}] is not a supported metric: the HPA (${why}) scales on ${HPA_METRICS.join(' or ')}; use one of those`);
    return;
  }
  const target = num(ext.scaleTarget);
  if (target !== undefined) {
    // KServe's condition reads `metric == cpu && target < 1 || target > 100`: above 100 is refused for memory too.
    if ((metric === 'cpu' && target < 1) || target > 100) {
      refuse(ctx, rule, [...at, 'scaleTarget'], `the target utilization percentage should be a [1-100] integer, not ${target}`);
    } else if (metric === 'memory' && target < 1) {
      refuse(ctx, rule, [...at, 'scaleTarget'], `the target memory should be greater than 1 MiB, not ${target}`);
    }
  }
  list(obj(ext.autoScaling)?.metrics).forEach((m, i) => {
    const spec = obj(m) ?? {};
    const path = [...at, 'autoScaling', 'metrics', i];
    if (spec.type !== 'Resource') {
      refuse(ctx, rule, [...path, 'type'], `invalid HPA metric source type with value [${str(spec.type) ?? ''}], valid metric source types are Resource`);
    } else if (!isSet(spec.resource)) {
      refuse(ctx, rule, path, 'metricSpec.Resource is not set for resource metric source type: add resource (name and target)');
    }
  });
}

/** validateScalingKedaCompExtension: KEDA's ScaledObject (RawDeployment with serving.kserve.io/autoscalerClass: keda). */
function kedaRules(ctx: RuleContext, ext: Obj, at: RulePath): void {
  const rule = 'validateScalingKedaCompExtension';
  if (isSet(ext.scaleMetric)) {
    refuse(ctx, rule, [...at, 'scaleMetric'], 'ScaleMetric is not supported for KEDA: describe the metrics under autoScaling.metrics instead');
  }
  list(obj(ext.autoScaling)?.metrics).forEach((m, i) => {
    const spec = obj(m) ?? {};
    const path = [...at, 'autoScaling', 'metrics', i];
    switch (spec.type) {
      case 'Resource': {
        const resource = obj(spec.resource);
        if (!resource) {
          refuse(ctx, rule, path, 'metricSpec.Resource is not set for resource metric source type: add resource (name and target)');
          return;
        }
        const target = obj(resource.target) ?? {};
        const type = str(target.type) ?? '';
        if (resource.name === 'cpu') {
          if (type !== 'Utilization') return refuse(ctx, rule, [...path, 'resource', 'target', 'type'], `the cpu target value type should be Utilization, not "${type}"`);
        } else if (resource.name === 'memory') {
          if (type !== 'AverageValue' && type !== 'Utilization') {
            return refuse(ctx, rule, [...path, 'resource', 'target', 'type'], `the memory target value type should be AverageValue or Utilization, not "${type}"`);
          }
          if (type === 'AverageValue' && isSet(target.averageValue) && belowMiB(target.averageValue)) {
            return refuse(ctx, rule, [...path, 'resource', 'target', 'averageValue'], `the memory target value should be greater than 1 MiB, not ${String(target.averageValue)}`);
          }
        } else {
          return refuse(ctx, rule, [...path, 'resource', 'name'], `resource type ${str(resource.name) ?? ''} is not supported: use cpu or memory`);
        }
        scaleTarget(ctx, target, [...path, 'resource', 'target']);
        return;
      }
      case 'External':
      case 'PodMetric': {
        const key = spec.type === 'External' ? 'external' : 'podmetric';
        const source = obj(spec[key]);
        if (!source) return refuse(ctx, rule, path, `metricSpec.${spec.type} is not set for ${spec.type === 'External' ? 'external' : 'pod'} metric source type: add ${key}`);
        if (!str(obj(source.metric)?.query)) return refuse(ctx, rule, [...path, key, 'metric'], 'the query should not be empty');
        const target = obj(source.target) ?? {};
        if (!isSet(target.value)) return refuse(ctx, rule, [...path, key, 'target'], 'the target threshold value should not be empty: set target.value');
        scaleTarget(ctx, target, [...path, key, 'target']);
        return;
      }
      default:
        refuse(ctx, rule, [...path, 'type'], `unknown KEDA metric type with value [${str(spec.type) ?? ''}]. Valid types are Resource,External,PodMetric`);
    }
  });
}

/** validateScaleTarget: the value a target type needs. */
function scaleTarget(ctx: RuleContext, target: Obj, at: RulePath): void {
  const rule = 'validateScaleTarget';
  switch (target.type) {
    case 'Utilization': {
      const u = num(target.averageUtilization);
      if (u === undefined) refuse(ctx, rule, at, 'the AverageUtilization type should be set: add averageUtilization');
      else if (u < 1 || u > 100) refuse(ctx, rule, [...at, 'averageUtilization'], `the target utilization percentage should be a [1-100] integer, not ${u}`);
      return;
    }
    case 'AverageValue':
      if (!isSet(target.averageValue)) refuse(ctx, rule, at, 'the AverageValue type should be set: add averageValue');
      return;
    case 'Value':
      if (!isSet(target.value)) refuse(ctx, rule, at, 'the Value type should be set: add value');
  }
}

function belowMiB(value: unknown): boolean {
  try {
    return parseQuantityValue(value as string | number).cmp(MIB) < 0;
  } catch {
    return false; // not a quantity: the schema's pattern reports it
  }
}

/**
 * The plain mode without an autoscaler class: the webhook checks nothing, and KServe's HPA (the default class) builds
 * metrics from cpu, and from memory only with a target (`getHPAMetrics`); any other scaleMetric is dropped.
 */
function hpaIgnores(ctx: RuleContext, ext: Obj, at: RulePath, mode: string): void {
  const metric = str(ext.scaleMetric);
  if (isSet(ext.autoScaling) || metric === undefined || metric === 'cpu') return;
  if (metric === 'memory' && isSet(ext.scaleTarget)) return;
  const why = metric === 'memory' ? 'memory without a scaleTarget (KServe sets no default target for memory)' : `${metric}, which only Knative's autoscaler knows`;
  failLater(
    ctx,
    'getHPAMetrics',
    [...at, 'scaleMetric'],
    `is ignored: in deploymentMode ${mode} KServe's HPA scales on cpu, or memory with a scaleTarget, and drops ${why}; ` +
      `use cpu or memory with a scaleTarget, or the Serverless mode to scale on concurrency or rps`,
  );
}
