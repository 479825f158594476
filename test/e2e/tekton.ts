/**
 * Tekton's part in the e2e tests of the in-cluster build, the way Tekton v1.15.0 does it
 * (tektoncd/pipeline pkg/reconciler/taskrun/resources/apply.go: `ApplyParameters`, `ApplyWorkspaces`,
 * `ApplyResults`; pkg/substitution/substitution.go: `ApplyReplacements`).
 */
import * as path from 'path';

/**
 * The variables Tekton replaces in a step of a TaskRun: params (the run's values over the Task's defaults, then
 * `overrides`), workspaces (bound ones at the folder `workspaces` gives, unbound optional ones as `bound: false`
 * and an empty path) and results (files of the folder `results`).
 */
export function tektonVariables(task: any, run: any, workspaces: Record<string, string>, results: string, overrides: Record<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of task.spec.params) if (p.default !== undefined) out.set(`params.${p.name}`, p.default);
  for (const p of run.spec.params) out.set(`params.${p.name}`, p.value);
  for (const [k, v] of Object.entries(overrides)) out.set(`params.${k}`, v);
  for (const w of task.spec.workspaces) {
    const bound = run.spec.workspaces.some((b: any) => b.name === w.name);
    out.set(`workspaces.${w.name}.bound`, String(bound));
    out.set(`workspaces.${w.name}.path`, bound ? workspaces[w.name] : '');
  }
  for (const r of task.spec.results) out.set(`results.${r.name}.path`, path.posix.join(results, r.name));
  return out;
}

/** `substitution.ApplyReplacements`: every `$(key)` of a known key replaced, the rest left as written. */
export function substitute(value: string, vars: Map<string, string>): string {
  return value.replace(/\$\(([^()]+)\)/g, (all, key: string) => vars.get(key) ?? all);
}
