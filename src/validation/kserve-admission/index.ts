/**
 * KServe's admission rules (its validating webhooks, after its defaulter) and the reconcile-time failures that
 * follow from an object alone, for the KServe kinds modelcar validates. Every problem names the KServe function it
 * comes from and whether the webhook refuses the object or KServe admits it and fails later.
 */
import { validateInferenceService } from './inference-service';
import { reconcileInferenceService } from './reconcile';
import { KserveRelease } from './release';
import { Obj, RuleContext, RuleProblem } from './rule-problem';
import { validateServingRuntime } from './serving-runtime';

export { KserveRelease, DEFAULT_KSERVE_RELEASE, KSERVE_RELEASES, RELEASE_VERSIONS, releaseForVersion } from './release';
export { RuleProblem, RuleStage } from './rule-problem';
export { RuntimeSeen, runtimePriorityConflict } from './serving-runtime';

/** The KServe rules of one object that passed its CRD schema: admission problems, then reconcile-time ones. */
export function kserveRuleProblems(kind: string, o: Obj, release: KserveRelease): RuleProblem[] {
  const ctx: RuleContext = { release, out: [] };
  if (kind === 'InferenceService') {
    const isvc = validateInferenceService(o, ctx);
    // The controller sees only what the webhook admitted.
    if (ctx.out.length === 0) reconcileInferenceService(ctx, isvc);
  } else if (kind === 'ServingRuntime' || kind === 'ClusterServingRuntime') {
    validateServingRuntime(o, kind, ctx);
  }
  return ctx.out;
}
