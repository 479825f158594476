import { PropError } from './errors';
import { containerResourceProblems } from './quantity';

/**
 * CPU, memory and GPUs for the model server container, and where GPU pods may run.
 */

/**
 * Requests and limits of one container, as in a Kubernetes container's `resources`: resource name (`cpu`,
 * `memory`, `nvidia.com/gpu`) to quantity (`500m`, `8Gi`, `1`).
 */
export interface ComputeResources {
  /** What the scheduler reserves for the container. @default - none */
  readonly requests?: Readonly<Record<string, string>>;
  /** What the container may use at most. @default - none */
  readonly limits?: Readonly<Record<string, string>>;
}

/** A pod toleration, as in a Kubernetes PodSpec's `tolerations`. */
export interface Toleration {
  /** The taint key; empty with operator Exists matches every taint. @default - every key */
  readonly key?: string;
  /** @default 'Equal' */
  readonly operator?: 'Exists' | 'Equal';
  /** The taint value, for operator Equal. @default - none */
  readonly value?: string;
  /** @default - every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  /** For NoExecute: how long the pod stays bound after the taint appears. @default - forever */
  readonly tolerationSeconds?: number;
}

/** The extended resource of NVIDIA GPUs. */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/**
 * The toleration for the taint GPU nodes usually carry (`nvidia.com/gpu:NoSchedule`), as OpenShift AI's default
 * accelerator profile sets it.
 */
export const GPU_TOLERATION: Toleration = { key: GPU_RESOURCE, operator: 'Exists', effect: 'NoSchedule' };

/**
 * The model server sizes of the OpenShift AI dashboard (`modelServerSizes` of OdhDashboardConfig), which
 * modelcar uses as the per-runtime defaults.
 */
export const MODEL_SERVER_SIZES = {
  SMALL: { requests: { cpu: '1', memory: '4Gi' }, limits: { cpu: '2', memory: '8Gi' } } as ComputeResources,
  MEDIUM: { requests: { cpu: '4', memory: '8Gi' }, limits: { cpu: '8', memory: '10Gi' } } as ComputeResources,
  LARGE: { requests: { cpu: '6', memory: '16Gi' }, limits: { cpu: '10', memory: '20Gi' } } as ComputeResources,
} as const;

/** One problem with a container's resources: the field under `resources` (e.g. `limits.cpu`) and what is wrong. */
export interface ResourceProblem {
  /** The field, as text: `limits.cpu`. */
  readonly field: string;
  /** The field, as a path: `['limits', 'cpu']`. */
  readonly path: readonly string[];
  readonly message: string;
}

/**
 * Every problem with a container's resources. This is the one place resources are checked, for constructs and
 * configs alike, as the Kubernetes API server checks a pod (core/quantity.ts): quantity syntax, requests <=
 * limits, GPUs whole and equal in requests and limits.
 */
export function resourceProblems(resources: ComputeResources): ResourceProblem[] {
  return containerResourceProblems(resources.requests, resources.limits).map((p) => ({
    field: p.field.join('.'),
    path: p.field,
    message: p.message.includes('quantities must match') ? `${p.message}; write e.g. 500m or 2 for cpu, 512Mi or 8Gi for memory` : p.message,
  }));
}

/** A change to default resources: a quantity sets one, `null` removes one (e.g. `limits: { cpu: null }`). */
export interface ComputeResourcesOverride {
  readonly requests?: Readonly<Record<string, string | null>>;
  readonly limits?: Readonly<Record<string, string | null>>;
}

/**
 * Resources from defaults and overrides, applied in order, key by key: the later one wins, `null` removes.
 * Each part keeps the key order of the first resources that set it.
 */
export function mergeResources(...layers: readonly (ComputeResourcesOverride | undefined)[]): ComputeResources {
  const merged: { requests: Record<string, string>; limits: Record<string, string> } = { requests: {}, limits: {} };
  for (const layer of layers) {
    for (const kind of ['requests', 'limits'] as const) {
      for (const [name, value] of Object.entries(layer?.[kind] ?? {})) {
        if (value === null) delete merged[kind][name];
        else merged[kind][name] = value;
      }
    }
  }
  return {
    ...(Object.keys(merged.requests).length ? { requests: merged.requests } : {}),
    ...(Object.keys(merged.limits).length ? { limits: merged.limits } : {}),
  };
}

/** Resources with `nvidia.com/gpu` requested and limited to `gpus` (removed when 0). */
export function withGpus(resources: ComputeResources, gpus: number): ComputeResources {
  if (!Number.isInteger(gpus) || gpus < 0) {
    throw new PropError({ construct: '', path: ['gpus'], value: gpus, message: `${gpus} is not a GPU count; give a whole number, 0 or more` });
  }
  const count = gpus === 0 ? null : String(gpus);
  return mergeResources(resources, { requests: { [GPU_RESOURCE]: count }, limits: { [GPU_RESOURCE]: count } });
}
