import { ServingRuntimeSpec } from '../../../imports/kserve-sr-serving.kserve.io';
import { ComputeResources } from '../../core/compute-resources';
import { PropError, PropProblem } from '../../core/errors';
import { ImageReferenceError, parseImageReference } from '../../core/image-ref';
import { ModelLayout } from '../../core/model-layout';

/** A model format a runtime serves, as in a ServingRuntime's `spec.supportedModelFormats`. */
export interface SupportedModelFormat {
  readonly name: string;
  readonly version?: string;
  /**
   * Whether KServe picks this runtime for an InferenceService that names the format but no runtime.
   * @default false
   */
  readonly autoSelect?: boolean;
}

/** What a model gets from its runtime unless it says otherwise. */
export interface ServingDefaults {
  /** Requests and limits of the model server container. @default - none */
  readonly resources?: ComputeResources;
  /** NVIDIA GPUs for the model server container. @default 0 */
  readonly gpus?: number;
}

/**
 * A model server that modelcar knows how to deploy: its ServingRuntime (for the built-in ones, exactly as
 * OpenDataHub ships it), the model layout it expects and the serving defaults of its models.
 */
export interface RuntimeDefinition {
  /** Name of the ServingRuntime. */
  readonly name: string;
  /** Where the server expects model files under /models. */
  readonly layout: ModelLayout;
  /** The ServingRuntime's labels on platform `odh` (platform `kserve` gets none). */
  readonly labels: Readonly<Record<string, string>>;
  /** The ServingRuntime's annotations on platform `odh` (platform `kserve` gets none). */
  readonly annotations: Readonly<Record<string, string>>;
  /** The ServingRuntime's spec, with `{{.Name}}` left for KServe to fill in. */
  readonly spec: ServingRuntimeSpec;
  /** Resources and GPUs of the models that use it. @default - none */
  readonly defaults?: ServingDefaults;
}

/** Values of `opendatahub.io/apiProtocol`, the protocol the OpenShift AI dashboard shows for a runtime. */
export type ApiProtocol = 'REST' | 'gRPC';

/** What an OpenDataHub runtime template says about its ServingRuntime, beyond the spec. */
export interface OdhTemplateInfo {
  /** The ServingRuntime's name in the template (`objects[0].metadata.name`). */
  readonly name: string;
  /** Its `openshift.io/display-name`. */
  readonly displayName: string;
  /** The Template's `opendatahub.io/apiProtocol`. */
  readonly apiProtocol: ApiProtocol;
}

/**
 * The metadata of a ServingRuntime made from an OpenDataHub template, as the OpenShift AI dashboard creates it:
 * the template object's label and annotations, plus the template's API protocol, the template it came from
 * (`opendatahub.io/template-name`, `opendatahub.io/template-display-name`) and its scope (`global`: a template of
 * the dashboard's namespace), which let the dashboard find the template again when the runtime is edited. Read in
 * opendatahub-io/odh-dashboard v3.4.0 frontend/src/api/k8s/servingRuntimes.ts (`assembleServingRuntime`: the
 * dashboard label, display name, template name and display name, and `serving-runtime-scope` when a scope is
 * given) and v2.25.0's (the same, before scopes; the tests compare with test/support/odh-templates.ts).
 */
export function odhTemplateMetadata(template: OdhTemplateInfo): Pick<RuntimeDefinition, 'labels' | 'annotations'> {
  return {
    labels: { 'opendatahub.io/dashboard': 'true' },
    annotations: {
      'openshift.io/display-name': template.displayName,
      'opendatahub.io/recommended-accelerators': '["nvidia.com/gpu"]',
      'opendatahub.io/apiProtocol': template.apiProtocol,
      'opendatahub.io/template-name': template.name,
      'opendatahub.io/template-display-name': template.displayName,
      'opendatahub.io/serving-runtime-scope': 'global',
    },
  };
}

/**
 * A runtime with other model server images, by container name: e.g. the same image pinned by digest, or
 * mirrored into a private registry. Throws a {@link PropError} naming each container the runtime does not have,
 * and each image that is not a valid reference.
 */
export function withImages(definition: RuntimeDefinition, images: Readonly<Record<string, string>>): RuntimeDefinition {
  const names = definition.spec.containers.map((c) => c.name);
  const problems: PropProblem[] = [];
  for (const [container, image] of Object.entries(images)) {
    const problem = (message: string, allowed?: readonly string[]) => ({ construct: '', path: ['images', container], value: image, message, ...(allowed ? { allowed } : {}) });
    try {
      parseImageReference(image);
    } catch (e) {
      if (!(e instanceof ImageReferenceError)) throw e;
      problems.push(problem(e.message));
      continue;
    }
    if (!names.includes(container)) problems.push(problem(`runtime ${definition.name} has no container "${container}"; its containers: ${names.join(', ')}`, names));
  }
  if (problems.length) throw new PropError(problems);
  return {
    ...definition,
    spec: { ...definition.spec, containers: definition.spec.containers.map((c) => (images[c.name] === undefined ? c : { ...c, image: images[c.name] })) },
  };
}
