/** The serving rules KServe enforces ({@link servingRuleProblems}), checked at the config's lines. */
import { Diagnostic } from '../../core/errors';
import { DeploymentKind } from '../../core/platform';
import { servingRuleProblems } from '../../core/serving-rules';
import { LoadedConfig } from '../load';

/** Checks the scaling options of `models[index]` against what KServe does in its deployment mode. Problems are added at their fields. */
export function checkServingRules(loaded: LoadedConfig, index: number, kind: DeploymentKind, problems: Diagnostic[]): void {
  const model = loaded.config.models[index];
  for (const p of servingRuleProblems(kind, model)) problems.push(loaded.at(['models', index, p.field], p.message));
}
