/**
 * The rules Tekton Pipelines v1.15.0 checks Tasks and TaskRuns (tekton.dev/v1) against beyond their CRD schemas,
 * which leave the specs open (`x-kubernetes-preserve-unknown-fields`): its admission webhook
 * (tektoncd/pipeline `pkg/apis/pipeline/v1/*_validation.go`) and, for a TaskRun and its Task together, its
 * reconciler before it starts a pod (`pkg/reconciler/taskrun/validate_taskrun.go`, `pkg/workspace/validate.go`).
 * The rules here are those objects modelcar writes could break; each names the function it follows, and its
 * message is Tekton's where Tekton has one.
 */
import { isDNS1123Label, isDNS1123Subdomain } from '../core/names';

/** One problem with a Tekton object: where (from the object's root), and what Tekton says. */
export interface TektonProblem {
  readonly path: string;
  readonly message: string;
}

/** `ResultNameFormat` (pkg/apis/pipeline/v1/resultref.go). */
const RESULT_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** `stringAndArrayVariableNameFormat` (pkg/apis/pipeline/v1/task_validation.go). */
const PARAM_NAME = /^[_a-zA-Z][_a-zA-Z0-9.-]*$/;
/** `validate.MaxLength` (pkg/apis/validate/metadata.go): names end up in label values. */
const MAX_NAME_LENGTH = 63;
/** The param types Tekton knows (`AllParamTypes`, pkg/apis/pipeline/v1/param_types.go). */
const PARAM_TYPES = ['string', 'array', 'object'];
/** The workspace volume sources of a binding (`allVolumeSourceFields`, pkg/apis/pipeline/v1/workspace_validation.go, and numSources). */
const WORKSPACE_SOURCES = ['persistentVolumeClaim', 'volumeClaimTemplate', 'emptyDir', 'configMap', 'secret', 'projected', 'csi'];

/**
 * The variables a string refers to under a prefix, as `substitution.ExtractVariablesFromString` finds them
 * (pkg/substitution/substitution.go): `$(prefix.name)`, `$(prefix.name.key)`, `$(prefix["name"])`,
 * `$(prefix['name'])`; the name without an `[index]`.
 */
export function referencedVariables(value: string, prefix: string): string[] {
  const escaped = prefix.replace(/\./g, '\\.');
  const re = new RegExp(`\\$\\(${escaped}(?:\\.(.*?(?:\\[\\*\\])?)|\\["(.*?(?:\\[\\*\\])?)"\\]|\\['(.*?(?:\\[\\*\\])?)'\\])\\)`, 'g');
  const out: string[] = [];
  for (const m of value.matchAll(re)) {
    const name = m[1] !== undefined ? m[1].split('.')[0] : (m[2] ?? m[3]);
    out.push(name.replace(/\[([0-9])*\*?\]/g, ''));
  }
  return out;
}

/** `ObjectMetadata` (pkg/apis/validate/metadata.go). */
function metadataProblems(json: any): TektonProblem[] {
  const name = json?.metadata?.name;
  if (typeof name !== 'string' || isDNS1123Subdomain(name).length) return [{ path: 'metadata.name', message: `invalid resource name ${JSON.stringify(name)}: must be a valid DNS label` }];
  if (name.length > MAX_NAME_LENGTH) return [{ path: 'metadata.name', message: 'Invalid resource name: length must be no more than 63 characters' }];
  return [];
}

/** The fields of a step in which `validateStepVariables` looks for variables (task_validation.go). */
function stepStrings(step: any): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  for (const key of ['name', 'image', 'workingDir', 'script', 'onError']) if (typeof step[key] === 'string') out.push({ path: key, value: step[key] });
  for (const key of ['command', 'args']) (step[key] ?? []).forEach((v: string, i: number) => out.push({ path: `${key}[${i}]`, value: v }));
  for (const e of step.env ?? []) if (typeof e.value === 'string') out.push({ path: `env[${e.name}]`, value: e.value });
  (step.volumeMounts ?? []).forEach((v: any, i: number) => ['name', 'mountPath', 'subPath'].forEach((k) => typeof v[k] === 'string' && out.push({ path: `volumeMount[${i}].${k}`, value: v[k] })));
  return out;
}

/** The problems of a Task's spec (`TaskSpec.Validate` and `ValidateUsageOfDeclaredParameters`, task_validation.go). */
function taskSpecProblems(spec: any, at = 'spec'): TektonProblem[] {
  const problems: TektonProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path: `${at}.${path}`, message });
  const steps: any[] = spec?.steps ?? [];
  if (steps.length === 0) add('steps', 'missing field(s)');
  // StepList.Validate, Step.Validate (container_validation.go)
  const stepNames = new Set<string>();
  steps.forEach((s, i) => {
    if (s.name) {
      if (stepNames.has(s.name)) add(`steps[${i}].name`, 'expected exactly one, got both');
      stepNames.add(s.name);
      if (isDNS1123Label(s.name).length) add(`steps[${i}].name`, `invalid value ${JSON.stringify(s.name)}`);
    }
    if (!s.ref && !s.image && !spec.stepTemplate?.image) add(`steps[${i}].Image`, 'missing field(s)');
    if (s.script && (s.command ?? []).length) add(`steps[${i}].script`, 'script cannot be used with command');
  });
  // validateDeclaredWorkspaces: unique names and mount paths.
  const workspaces: any[] = spec?.workspaces ?? [];
  const wsNames = new Set<string>();
  const mountPaths = new Set<string>();
  workspaces.forEach((w, i) => {
    if (wsNames.has(w.name)) add(`workspaces[${i}].name`, `workspace name ${JSON.stringify(w.name)} must be unique`);
    wsNames.add(w.name);
    const mount = (w.mountPath ?? `/workspace/${w.name}`).replace(/\/+$/, '');
    if (mountPaths.has(mount)) add(`workspaces[${i}].mountpath`, `workspace mount path ${JSON.stringify(mount)} must be unique`);
    mountPaths.add(mount);
  });
  // ValidateParameterTypes, ValidateParameterVariables: types, defaults, names, duplicates.
  const params: any[] = spec?.params ?? [];
  const paramNames = new Set<string>();
  for (const p of params) {
    const type = p.type ?? 'string';
    if (!PARAM_TYPES.includes(type)) add(`params.${p.name}.type`, `invalid value: ${type}`);
    if (p.default !== undefined) {
      const defaultType = Array.isArray(p.default) ? 'array' : typeof p.default === 'object' ? 'object' : 'string';
      if (defaultType !== type) add(`params.${p.name}.type`, `"${type}" type does not match default value's type: "${defaultType}"`);
    }
    if (paramNames.has(p.name)) add(`params[${p.name}]`, 'parameter appears more than once');
    paramNames.add(p.name);
  }
  const badNames = [...paramNames].filter((n) => !PARAM_NAME.test(n)).sort();
  if (badNames.length) add('params', `The format of following array and string variable names is invalid: [${badNames.join(' ')}]`);
  // validateResults (result_validation.go): names and types.
  const results: any[] = spec?.results ?? [];
  results.forEach((r, i) => {
    if (!RESULT_NAME.test(r.name ?? '')) add(`results[${i}].name`, `invalid key name ${JSON.stringify(r.name)}`);
    if (r.type !== undefined && !['string', 'array', 'object'].includes(r.type)) add(`results[${i}].type`, `invalid value: ${r.type}`);
  });
  const resultNames = new Set(results.map((r) => r.name));
  // ValidateUsageOfDeclaredParameters, validateTaskContextVariables, validateTaskResultsVariables; and workspaces,
  // which ApplyWorkspaces (pkg/reconciler/taskrun/resources/apply.go) replaces only when declared: an undeclared
  // one would reach the container as it is written.
  const contextTaskRun = new Set(['name', 'namespace', 'uid']);
  const contextTask = new Set(['name', 'retry-count']);
  steps.forEach((s, i) => {
    for (const { path, value } of stepStrings(s)) {
      const where = `steps[${i}].${path}`;
      const unknown = (prefix: string, known: Set<string>) => referencedVariables(value, prefix).some((v) => !known.has(v));
      if (unknown('params', paramNames)) add(where, `non-existent variable in ${JSON.stringify(value)}`);
      if (unknown('context.taskRun', contextTaskRun) || unknown('context.task', contextTask)) add(where, `non-existent variable in ${JSON.stringify(value)}`);
      if (unknown('workspaces', wsNames)) add(where, `non-existent variable in ${JSON.stringify(value)}`);
      // Task results are checked in scripts by the webhook; ApplyResults replaces them wherever they are declared.
      if (unknown('results', resultNames)) add(where, `non-existent variable in ${JSON.stringify(value)}`);
    }
  });
  return problems;
}

/** The problems of a Task (`Task.Validate`, task_validation.go). */
export function taskProblems(task: any): TektonProblem[] {
  return [...metadataProblems(task), ...taskSpecProblems(task?.spec)];
}

/** The problems of a TaskRun on its own (`TaskRun.Validate`, `TaskRunSpec.Validate`, taskrun_validation.go). */
export function taskRunProblems(run: any): TektonProblem[] {
  const problems = metadataProblems(run);
  const spec = run?.spec ?? {};
  const add = (path: string, message: string) => problems.push({ path: `spec.${path}`, message });
  if (!spec.taskRef && !spec.taskSpec) add('taskRef', 'expected exactly one, got neither: taskRef, taskSpec');
  if (spec.taskRef && spec.taskSpec) add('taskRef', 'expected exactly one, got both: taskRef, taskSpec');
  // Ref.Validate (container_validation.go): without a resolver, a name.
  if (spec.taskRef && !spec.taskRef.resolver && !spec.taskRef.name) add('taskRef.name', 'missing field(s)');
  if (spec.taskSpec) problems.push(...taskSpecProblems(spec.taskSpec, 'spec.taskSpec'));
  // ValidateParameters, ValidateWorkspaceBindings: no two of one name (case-insensitive), one volume source each.
  const seen = new Set<string>();
  for (const p of spec.params ?? []) {
    if (seen.has(String(p.name).toLowerCase())) add(`params[${p.name}].name`, 'expected exactly one, got both');
    seen.add(String(p.name).toLowerCase());
  }
  const bound = new Set<string>();
  (spec.workspaces ?? []).forEach((w: any, i: number) => {
    if (bound.has(String(w.name).toLowerCase())) add(`workspaces[${i}].name`, 'expected exactly one, got both');
    bound.add(String(w.name).toLowerCase());
    const sources = WORKSPACE_SOURCES.filter((s) => w[s] !== undefined);
    if (sources.length > 1) add(`workspaces[${i}]`, `expected exactly one, got both: ${WORKSPACE_SOURCES.map((s) => s.toLowerCase()).join(', ')}`);
    if (sources.length === 0) add(`workspaces[${i}]`, `expected exactly one, got neither: ${WORKSPACE_SOURCES.map((s) => s.toLowerCase()).join(', ')}`);
    if (w.secret && !w.secret.secretName) add(`workspaces[${i}].secret.secretName`, 'missing field(s)');
    if (w.persistentVolumeClaim && !w.persistentVolumeClaim.claimName) add(`workspaces[${i}].persistentvolumeclaim.claimname`, 'missing field(s)');
  });
  if (spec.timeout !== undefined && !/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(spec.timeout)) add('timeout', `invalid value: ${spec.timeout} should be >= 0`);
  if (spec.retries !== undefined && spec.retries < 0) add('retries', `invalid value: ${spec.retries} should be >= 0`);
  return problems;
}

/**
 * What Tekton's reconciler refuses when it resolves a TaskRun's Task, before it makes a pod: params without a value
 * (`validateParams`, pkg/reconciler/taskrun/validate_taskrun.go), workspaces required but not bound, or bound but not
 * declared (`ValidateBindings`, pkg/workspace/validate.go).
 */
export function runAgainstTaskProblems(run: any, task: any): string[] {
  const problems: string[] = [];
  const given = new Set((run?.spec?.params ?? []).map((p: any) => p.name));
  const missing = (task?.spec?.params ?? []).filter((p: any) => p.default === undefined && !given.has(p.name)).map((p: any) => p.name);
  if (missing.length) problems.push(`invalid input params for task ${task.metadata.name}: missing values for these params which have no default values: [${missing.join(' ')}]`);
  const declared: any[] = task?.spec?.workspaces ?? [];
  const bound: any[] = run?.spec?.workspaces ?? [];
  for (const d of declared) if (!d.optional && !bound.some((b) => b.name === d.name)) problems.push(`declared workspace ${JSON.stringify(d.name)} is required but has not been bound`);
  for (const b of bound) if (!declared.some((d) => d.name === b.name)) problems.push(`workspace binding ${JSON.stringify(b.name)} does not match any declared workspace`);
  return problems;
}

/**
 * Checks the Tasks and TaskRuns of a set of objects: each on its own, and each TaskRun against the Task it refers to
 * in its namespace (which must be among them). Returns the problems as `<Kind> <namespace>/<name>: <path>: message`.
 */
export function tektonProblems(objects: readonly any[]): string[] {
  const out: string[] = [];
  const name = (o: any) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`;
  for (const o of objects) {
    const found = o.kind === 'Task' ? taskProblems(o) : o.kind === 'TaskRun' ? taskRunProblems(o) : [];
    for (const p of found) out.push(`${name(o)}: ${p.path}: ${p.message}`);
    if (o.kind !== 'TaskRun' || !o.spec?.taskRef?.name) continue;
    const task = objects.find((t) => t.kind === 'Task' && t.metadata?.name === o.spec.taskRef.name && t.metadata?.namespace === o.metadata?.namespace);
    if (!task) {
      out.push(`${name(o)}: spec.taskRef.name: Task ${JSON.stringify(o.spec.taskRef.name)} is not among the objects of namespace ${o.metadata?.namespace}`);
      continue;
    }
    for (const message of runAgainstTaskProblems(o, task)) out.push(`${name(o)}: ${message}`);
  }
  return out;
}
