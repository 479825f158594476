/**
 * KServe's validating webhook for ServingRuntimes and ClusterServingRuntimes, run offline (create only: the rule
 * that a workerSpec may not be removed needs the object in the cluster).
 *
 * Source: kserve/kserve `pkg/webhook/admission/servingruntime/servingruntime_webhook.go` at v0.15.2 and v0.20.0:
 * `ServingRuntimeValidator.Handle`, `ClusterServingRuntimeValidator.Handle`, `validateModelFormatPrioritySame`,
 * `validateServingRuntimePriority`, `validateMultiNodeSpec`, and (v0.18 and later) `validateBlockedEnvVars`.
 */
import { KSERVE_CONTAINER } from './components';
import { gpuResourceTypes, unknownGpuResources } from './inference-service';
import { isLater } from './release';
import { Obj, RuleContext, RulePath, envVar, list, num, obj, refuse, str } from './rule-problem';

/** A supported model format KServe may pick the runtime for on its own. */
function autoSelected(format: Obj): boolean {
  return format.autoSelect === true;
}

/** The admission rules of one ServingRuntime or ClusterServingRuntime. */
export function validateServingRuntime(o: Obj, kind: string, ctx: RuleContext): void {
  const spec = obj(o.spec) ?? {};
  // A disabled runtime is admitted without any check.
  if (spec.disabled === true) return;
  const name = str(obj(o.metadata)?.name) ?? '';
  const what = kind === 'ClusterServingRuntime' ? 'clusterservingruntime' : 'servingruntime';
  // validateModelFormatPrioritySame. KServe runs it inside its loop over the runtimes that already exist (in the
  // namespace, or in the cluster for ClusterServingRuntimes): with none, it is skipped.
  const priorities = new Map<string, number | undefined>();
  list(spec.supportedModelFormats).forEach((f, i) => {
    const format = obj(f) ?? {};
    const formatName = str(format.name) ?? '';
    if (!autoSelected(format)) return;
    const priority = num(format.priority);
    if (!priorities.has(formatName)) {
      priorities.set(formatName, priority);
      return;
    }
    const first = priorities.get(formatName);
    if (first !== undefined && priority !== undefined && first !== priority) {
      refuse(
        ctx,
        'validateModelFormatPrioritySame',
        ['spec', 'supportedModelFormats', i, 'priority'],
        `different priorities assigned for the model format ${formatName} under the ${what} ${name}: ${first} and ${priority}; give one priority (refused once another ${kind} exists ${kind === 'ClusterServingRuntime' ? 'in the cluster' : 'in the namespace'})`,
      );
    }
  });
  multiNodeSpec(ctx, spec, kind, name);
  if (isLater(ctx.release)) {
    const containers: [unknown, RulePath][] = list(spec.containers).map((c, i) => [c, ['spec', 'containers', i]]);
    list(obj(spec.workerSpec)?.containers).forEach((c, i) => containers.push([c, ['spec', 'workerSpec', 'containers', i]]));
    for (const [c, at] of containers) {
      list(obj(c)?.env).forEach((e, i) => {
        if (str(obj(e)?.name) === 'PYTHONPATH') {
          refuse(ctx, 'validateBlockedEnvVars', [...at, 'env', i, 'name'], `the ${kind} "${name}" is invalid: setting PYTHONPATH in container "${str(obj(c)?.name) ?? ''}" is not allowed for security reasons`);
        }
      });
    }
  }
}

/** validateMultiNodeSpec, for a new runtime: its workerSpec (multi-node, Ray). */
function multiNodeSpec(ctx: RuleContext, spec: Obj, kind: string, name: string): void {
  const worker = obj(spec.workerSpec);
  if (!worker) return;
  const rule = 'validateMultiNodeSpec';
  const n = `the ${kind} ${name} is invalid`;
  const at: RulePath = ['spec', 'workerSpec'];
  const workers = list(worker.containers);
  if (workers.length > 1) refuse(ctx, rule, [...at, 'containers'], `${n}: setting multiple containers in workerSpec is not allowed; keep one`);
  const custom = str(obj(spec.annotations)?.['serving.kserve.io/gpu-resource-types']);
  const types = gpuResourceTypes(custom);
  // KServe reads the annotation only to check a kserve-container or a worker-container.
  const checked = list(spec.containers).some((c) => str(obj(c)?.name) === KSERVE_CONTAINER) || str(obj(workers[0])?.name) === 'worker-container';
  if (!types && checked) refuse(ctx, rule, ['spec', 'annotations', 'serving.kserve.io/gpu-resource-types'], `${n}: invalid GPU format(${custom}) for serving.kserve.io/gpu-resource-types annotation: must be a valid JSON array`);
  const known = types ?? gpuResourceTypes(undefined)!;
  list(spec.containers).forEach((c, i) => {
    const container = obj(c);
    if (str(container?.name) !== KSERVE_CONTAINER) return;
    for (const env of ['PIPELINE_PARALLEL_SIZE', 'TENSOR_PARALLEL_SIZE']) {
      const v = envVar(container, env);
      if (v) {
        const size = env === 'PIPELINE_PARALLEL_SIZE' ? 'pipelineParallelSize' : 'tensorParallelSize';
        refuse(ctx, rule, ['spec', 'containers', i, 'env', v.index], `${n}: setting ${env} in environment variables is not allowed; set workerSpec.${size} instead`);
      }
    }
    const unknown = unknownGpuResources(container?.resources, known);
    if (unknown.length) refuse(ctx, rule, ['spec', 'containers', i, 'resources'], `${n}: unknown GPU resource type in a container(${KSERVE_CONTAINER}): ${unknown.join(', ')}; name custom GPU types in spec.annotations serving.kserve.io/gpu-resource-types`);
  });
  const first = obj(workers[0]);
  if (str(first?.name) === 'worker-container') {
    const unknown = unknownGpuResources(first?.resources, known);
    if (unknown.length) refuse(ctx, rule, [...at, 'containers', 0, 'resources'], `${n}: unknown GPU resource type in a container(worker-container): ${unknown.join(', ')}; name custom GPU types in spec.annotations serving.kserve.io/gpu-resource-types`);
  }
  for (const key of ['pipelineParallelSize', 'tensorParallelSize']) {
    const size = num(worker[key]);
    if (size !== undefined && size < 1) refuse(ctx, rule, [...at, key], `${n}: the WorkerSpec.${key[0]!.toUpperCase()}${key.slice(1)} cannot be less than 1(${size})`);
  }
}

/** What {@link runtimePriorityConflicts} needs of a runtime seen earlier in the same apply. */
export interface RuntimeSeen {
  readonly name: string;
  readonly spec: Obj;
}

/**
 * validateServingRuntimePriority, between a new runtime and one applied before it (in the same namespace, or both
 * cluster-scoped): both enabled, of the same kind of serving (single- or multi-model), sharing a protocol version,
 * may not auto-select the same model format (name and version) at the same priority. Returns the index of the new
 * runtime's conflicting format and the message, or undefined.
 */
export function runtimePriorityConflict(newer: RuntimeSeen, older: RuntimeSeen, kind: string, namespace: string | undefined): { index: number; message: string } | undefined {
  if (newer.spec.disabled === true || older.spec.disabled === true || newer.name === older.name) return undefined;
  if ((newer.spec.multiModel === true) !== (older.spec.multiModel === true)) return undefined;
  const protocols = list(older.spec.protocolVersions);
  if (!list(newer.spec.protocolVersions).some((p) => protocols.includes(p))) return undefined;
  const newFormats = list(newer.spec.supportedModelFormats).map((f) => obj(f) ?? {});
  for (const old of list(older.spec.supportedModelFormats).map((f) => obj(f) ?? {})) {
    for (let i = 0; i < newFormats.length; i++) {
      const f = newFormats[i]!;
      if (!autoSelected(old) || !autoSelected(f)) continue;
      // areSupportedModelFormatsEqual: names equal ignoring case, versions both absent or equal.
      const sameName = String(old.name ?? '').toLowerCase() === String(f.name ?? '').toLowerCase();
      const sameVersion = (old.version === undefined && f.version === undefined) || (old.version !== undefined && old.version === f.version);
      if (!sameName || !sameVersion) continue;
      if (typeof old.priority === 'number' && old.priority === f.priority) {
        const where = kind === 'ClusterServingRuntime' ? `in the clusterservingruntimes ${older.name} and ${newer.name}` : `in the servingruntimes ${older.name} and ${newer.name} in namespace ${namespace ?? ''}`;
        return { index: i, message: `same priority assigned for the model format ${String(f.name)} ${where}: give one of them another priority, or autoSelect: false` };
      }
    }
  }
  return undefined;
}
