/**
 * A problem found by one of KServe's own rules, and the small readers the rules use on plain (parsed YAML) objects.
 * The rules run only on objects that passed the CRD schema, so a field has the type the schema gives it.
 */
import type { KserveRelease } from './release';

/** Where a KServe rule applies: the validating webhook refuses the object, or the controller fails on it later. */
export type RuleStage = 'admission' | 'reconcile';

/** A path into an object: keys and list indexes. */
export type RulePath = readonly (string | number)[];

/** One problem found by a KServe rule. */
export interface RuleProblem {
  readonly path: RulePath;
  readonly message: string;
  /** The KServe function that holds the rule, e.g. `validateReplicas`. */
  readonly rule: string;
  readonly stage: RuleStage;
}

/** The rules' view of one object: the release judging it, and where its problems go. */
export interface RuleContext {
  readonly release: KserveRelease;
  readonly out: RuleProblem[];
}

/** Records a problem the webhook refuses at admission (`kubectl apply` fails). */
export function refuse(ctx: RuleContext, rule: string, path: RulePath, message: string): void {
  ctx.out.push({ path, rule, stage: 'admission', message: `${message} (KServe ${ctx.release} ${rule}, at admission)` });
}

/** Records a problem KServe admits but fails on when it reconciles the object (`when` says what fails). */
export function failLater(ctx: RuleContext, rule: string, path: RulePath, message: string): void {
  ctx.out.push({ path, rule, stage: 'reconcile', message: `${message} (KServe ${ctx.release} ${rule}, at reconcile: the object is admitted)` });
}

/** A plain object (a YAML map), or undefined. */
export type Obj = Record<string, unknown>;

/** `value` when it is a map, else undefined. */
export function obj(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Obj) : undefined;
}

/** `value` when it is a list, else an empty list. */
export function list(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value` when it is a string, else undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** `value` when it is a number, else undefined. */
export function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Go's view of an optional field: set unless absent or null. */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** The index and value of the first `env` entry of a container named `name` (utils.GetEnvVarValue), or undefined. */
export function envVar(container: Obj | undefined, name: string): { index: number; value: string } | undefined {
  const env = list(container?.env);
  for (let i = 0; i < env.length; i++) {
    const e = obj(env[i]);
    if (e?.name === name) return { index: i, value: str(e.value) ?? '' };
  }
  return undefined;
}
