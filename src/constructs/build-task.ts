import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ComputeResources, ComputeResourcesOverride, mergeResources, resourceProblems } from '../core/compute-resources';
import { PropChecker, PropError, brand, hasBrand, valueAt } from '../core/errors';
import { ImageReferenceError, parseImageReference } from '../core/image-ref';
import { nameProblem } from '../core/names';
import { HUB_TOKEN_ADVICE_VARIABLE } from '../core/hub';

const BUILD_TASK = Symbol.for('modelcar.BuildTask');

/** The API version of the Tekton objects modelcar writes (Tekton Pipelines v0.44 and later; OpenShift Pipelines 1.11 and later). */
export const TEKTON_API_VERSION = 'tekton.dev/v1';

/** The name of the Task that builds model images, one per namespace. */
export const BUILD_TASK_NAME = 'modelcar-build';

/**
 * The results the Task reports. Tekton Chains recognizes a Task that builds an image by a result named `IMAGE_URL`
 * and one named `IMAGE_DIGEST` ("type hinting"), and signs and attests the image it pushed.
 * @see https://tekton.dev/docs/chains/slsa-provenance/ (type hinting)
 */
export const BUILD_RESULTS = { image: 'IMAGE_URL', digest: 'IMAGE_DIGEST' } as const;

/** The workspaces of the Task: the volume the build works in, and the credentials, each mounted only when bound. */
export const BUILD_WORKSPACES = { build: 'build', registryCredentials: 'registry-credentials', sourceCredentials: 'source-credentials', hubToken: 'hub-token' } as const;

/**
 * The keys of the hub token Secret the stage step reads the token from, in this order: `HF_TOKEN` (the name of the
 * variable huggingface_hub and modelcar read) or `token` (the name of the file `hf auth login` writes).
 */
const HUB_TOKEN_KEYS: readonly string[] = ['HF_TOKEN', 'token'];

/** The resources of each build step unless the config says otherwise: modelcar streams the files, so its memory stays flat. */
export const BUILD_STEP_RESOURCES: ComputeResources = { requests: { cpu: '500m', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } };

/**
 * The names of the environment variables the stage step reads from the mounted source credentials (the keys of an
 * OpenShift AI data connection Secret), and only those: any other key of the Secret stays in its file.
 */
export const SOURCE_CREDENTIAL_KEYS: readonly string[] = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_S3_ENDPOINT', 'AWS_DEFAULT_REGION'];

/**
 * The scripts of the build steps, in order. Each is plain POSIX sh that reads its inputs from environment
 * variables (the Task maps its params, workspaces and results to them): nothing Tekton substitutes is pasted into
 * the script text, so a value cannot become shell code, and the scripts run as they are outside the cluster too.
 * They run the same commands a developer runs: `modelcar synth`, `modelcar stage`, `modelcar build --push`, on a
 * config that describes the one model, so the image is the one `modelcar build` builds.
 */
export const BUILD_STEP_SCRIPTS = {
  prepare: `#!/bin/sh
# The model's config, synthesized into its build context by the modelcar of the version that wrote this Task:
# another version may build another image from the same config.
set -eu
found=$(modelcar --version)
if [ "$found" != "$MODELCAR_VERSION" ]; then
  echo "this build needs modelcar $MODELCAR_VERSION (the version that wrote it); the step image has modelcar $found" >&2
  exit 1
fi
mkdir -p "$WORKSPACE/build" "$WORKSPACE/tmp"
cd "$WORKSPACE/build"
printf '%s\\n' "$MODELCAR_CONFIG" > modelcar.yaml
# The files of the model's Hugging Face repositories, as the lock file records them: synth asks the hub nothing.
if [ -n "$MODELCAR_LOCK" ]; then
  printf '%s\\n' "$MODELCAR_LOCK" > modelcar.lock.yaml
fi
modelcar synth -c modelcar.yaml -o dist
`,
  stage: `#!/bin/sh
# Fetches the model's files into the build context and checks the sha256 of each against the config (or, for
# the files of a Hugging Face repository, against the lock file's record).
set -eu
if [ "$SOURCE_CREDENTIALS_BOUND" = true ]; then
  for key in ${SOURCE_CREDENTIAL_KEYS.join(' ')}; do
    if [ -f "$SOURCE_CREDENTIALS/$key" ]; then
      value=$(cat "$SOURCE_CREDENTIALS/$key")
      export "$key=$value"
    fi
  done
fi
# The hub token stays in the file of its Secret: modelcar reads it from there (HF_TOKEN_PATH), and sends it to the
# hub's host only.
if [ "$HUB_TOKEN_BOUND" = true ]; then
  unset HF_TOKEN HUGGING_FACE_HUB_TOKEN HF_TOKEN_PATH
  for key in ${HUB_TOKEN_KEYS.join(' ')}; do
    if [ -f "$HUB_TOKEN/$key" ]; then
      export HF_TOKEN_PATH="$HUB_TOKEN/$key"
      break
    fi
  done
  if [ -z "\${HF_TOKEN_PATH:-}" ]; then
    echo "the Secret of the workspace ${BUILD_WORKSPACES.hubToken} has no key ${HUB_TOKEN_KEYS.join(' or ')}: put the Hugging Face token there" >&2
    exit 1
  fi
else
  # What a gated or private repository needs here, said by modelcar's hub errors instead of a local login.
  export ${HUB_TOKEN_ADVICE_VARIABLE}="give the model hubTokenSecret in the config: a Secret of the build's namespace with the key ${HUB_TOKEN_KEYS.join(' or ')}"
fi
if [ -n "$HUB_ENDPOINT" ]; then
  export HF_ENDPOINT="$HUB_ENDPOINT"
fi
export TMPDIR="$WORKSPACE/tmp"
cd "$WORKSPACE/build"
modelcar stage "$MODEL" -c modelcar.yaml -o dist
`,
  build: `#!/bin/sh
# Builds the image from the staged files as \`modelcar build\` does, pushes it and reports its digest.
set -eu
if [ "$REGISTRY_CREDENTIALS_BOUND" = true ]; then
  set -- --authfile "$REGISTRY_CREDENTIALS/.dockerconfigjson"
fi
# OpenShift gives every pod the service CA, which signs the internal registry's certificate.
SERVICE_CA=/var/run/secrets/kubernetes.io/serviceaccount/service-ca.crt
if [ -z "\${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$SERVICE_CA" ]; then
  export NODE_EXTRA_CA_CERTS="$SERVICE_CA"
fi
export TMPDIR="$WORKSPACE/tmp"
cd "$WORKSPACE/build"
modelcar build "$MODEL" -c modelcar.yaml -o dist --push --tls-verify="$TLS_VERIFY" --digestfile "$DIGEST_FILE" "$@"
printf '%s' "$IMAGE" > "$IMAGE_URL_FILE"
`,
} as const;

/** Properties of a {@link BuildTask}. */
export interface BuildTaskProps {
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /** The image the steps run in: Node.js 20 or later with modelcar `modelcarVersion` on PATH as `modelcar`. */
  readonly image: string;
  /** The version of modelcar the steps must run (they check it). */
  readonly modelcarVersion: string;
  /** Requests and limits of each step, key by key over {@link BUILD_STEP_RESOURCES}. @default BUILD_STEP_RESOURCES */
  readonly resources?: ComputeResourcesOverride;
}

/** A Tekton v1 step, as far as modelcar writes it. */
interface Step {
  readonly name: string;
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly script: string;
}

/**
 * The Tekton Task that builds a model image in the cluster (tekton.dev/v1, `modelcar-build`, one per namespace):
 * from a modelcar config that describes one model (param `config`), its steps synthesize the build context, stage
 * the model's files (downloading them and checking every sha256) and build and push the image with modelcar's own
 * image writer, which needs no privileges (no builder, no container storage); the digest is the result
 * `IMAGE_DIGEST`. Registry credentials come from the `registry-credentials` workspace (a dockerconfigjson Secret)
 * or from Tekton's credential initialization of the ServiceAccount's docker secrets (`~/.docker/config.json`);
 * download credentials from the `source-credentials` workspace, the Hugging Face token from the `hub-token`
 * workspace. The files of Hugging Face repositories are pinned by the lock file's record that the TaskRun carries
 * (param `lock`), downloaded from param `hub-endpoint` (HF_ENDPOINT) when it is given. The steps run as non-root with no capabilities, as
 * OpenShift's restricted SCC and the restricted Pod Security Standard ask.
 *
 * @see https://tekton.dev/docs/pipelines/tasks/
 */
export class BuildTask extends Construct {
  /** Whether `x` is a BuildTask (of any copy of modelcar). */
  public static isBuildTask(x: unknown): x is BuildTask {
    return hasBrand(x, BUILD_TASK);
  }

  /**
   * The Task of a namespace, created on first use and shared by the builds of every model there. Throws a
   * {@link PropError} when the namespace already has one made from other props.
   */
  public static shared(scope: Construct, props: BuildTaskProps): BuildTask {
    const chart = Chart.of(scope);
    const namespace = props.namespace ?? chart.namespace;
    const id = `BuildTask:${namespace ?? ''}`;
    const existing = chart.node.tryFindChild(id);
    if (!BuildTask.isBuildTask(existing)) return new BuildTask(chart, id, props);
    if (JSON.stringify(existing.props) !== JSON.stringify({ ...props, namespace })) {
      throw new PropError({
        construct: 'BuildTask.shared',
        path: ['image'],
        value: props.image,
        message: `the Task ${BUILD_TASK_NAME} of namespace ${namespace} is shared by the builds there and was already defined with another image, version or resources`,
      });
    }
    return existing;
  }

  public readonly name = BUILD_TASK_NAME;
  public readonly namespace?: string;
  /** The generated API object. */
  public readonly apiObject: ApiObject;
  /** The spec of the Task, as written. */
  public readonly spec: Record<string, any>;
  private readonly props: BuildTaskProps;

  constructor(scope: Construct, id: string, props: BuildTaskProps) {
    super(scope, id);
    const check = new PropChecker('BuildTask');
    const namespace = props.namespace ?? Chart.of(this).namespace;
    const namespaceWrong = namespace === undefined ? 'a Task needs a namespace (set namespace, or the Chart\'s namespace)' : nameProblem('label', namespace, 'namespace name');
    if (namespaceWrong) check.add('namespace', props.namespace, namespaceWrong);
    try {
      parseImageReference(props.image);
    } catch (e) {
      if (!(e instanceof ImageReferenceError)) throw e;
      check.add('image', props.image, e.message);
    }
    if (!/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(props.modelcarVersion)) check.add('modelcarVersion', props.modelcarVersion, `"${props.modelcarVersion}" is not a version (e.g. 0.1.0)`);
    const resources = mergeResources(BUILD_STEP_RESOURCES, props.resources);
    for (const p of resourceProblems(resources)) check.add(['resources', ...p.path], valueAt(resources, p.path), p.message);
    check.throwIfAny(this);
    brand(this, BUILD_TASK);
    this.props = { ...props, namespace };
    this.namespace = namespace;
    this.spec = taskSpec(props.image, props.modelcarVersion, resources);
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: TEKTON_API_VERSION,
      kind: 'Task',
      metadata: {
        name: BUILD_TASK_NAME,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'modelcar', 'app.kubernetes.io/version': props.modelcarVersion },
        annotations: { 'tekton.dev/displayName': 'Build a modelcar image', 'tekton.dev/tags': 'image-build, kserve, modelcar' },
      },
      spec: this.spec,
    });
  }
}

/** The Task's spec: its params, workspaces, results and steps. */
function taskSpec(image: string, version: string, resources: ComputeResources): Record<string, any> {
  const { build, registryCredentials, sourceCredentials, hubToken } = BUILD_WORKSPACES;
  const workspacePath = { name: 'WORKSPACE', value: `$(workspaces.${build}.path)` };
  const model = { name: 'MODEL', value: '$(params.model)' };
  const steps: Step[] = [
    {
      name: 'prepare',
      env: [{ name: 'MODELCAR_VERSION', value: version }, { name: 'MODELCAR_CONFIG', value: '$(params.config)' }, workspacePath, { name: 'MODELCAR_LOCK', value: '$(params.lock)' }],
      script: BUILD_STEP_SCRIPTS.prepare,
    },
    {
      name: 'stage',
      env: [
        model,
        workspacePath,
        { name: 'SOURCE_CREDENTIALS_BOUND', value: `$(workspaces.${sourceCredentials}.bound)` },
        { name: 'SOURCE_CREDENTIALS', value: `$(workspaces.${sourceCredentials}.path)` },
        { name: 'HUB_TOKEN_BOUND', value: `$(workspaces.${hubToken}.bound)` },
        { name: 'HUB_TOKEN', value: `$(workspaces.${hubToken}.path)` },
        { name: 'HUB_ENDPOINT', value: '$(params.hub-endpoint)' },
      ],
      script: BUILD_STEP_SCRIPTS.stage,
    },
    {
      name: 'build',
      env: [
        model,
        workspacePath,
        { name: 'IMAGE', value: '$(params.image)' },
        { name: 'TLS_VERIFY', value: '$(params.tls-verify)' },
        { name: 'REGISTRY_CREDENTIALS_BOUND', value: `$(workspaces.${registryCredentials}.bound)` },
        { name: 'REGISTRY_CREDENTIALS', value: `$(workspaces.${registryCredentials}.path)` },
        { name: 'DIGEST_FILE', value: `$(results.${BUILD_RESULTS.digest}.path)` },
        { name: 'IMAGE_URL_FILE', value: `$(results.${BUILD_RESULTS.image}.path)` },
      ],
      script: BUILD_STEP_SCRIPTS.build,
    },
  ];
  return {
    description: 'Builds a KServe modelcar image in the cluster, as `modelcar build --push` builds it: fetches the model files, checks their sha256, pushes the image and reports its digest.',
    params: [
      { name: 'config', type: 'string', description: 'A modelcar config (YAML) that describes the one model to build.' },
      { name: 'model', type: 'string', description: 'The model to build, as <namespace>/<name>.' },
      { name: 'image', type: 'string', description: 'The image reference the model image is pushed as.' },
      { name: 'tls-verify', type: 'string', default: 'true', description: 'Verify the registry\'s TLS certificate; "false" for a registry over plain http.' },
      { name: 'lock', type: 'string', default: '', description: 'The lock file\'s record of the files of the model\'s Hugging Face repositories at their commits (YAML), with the SHA-256 and size of each; empty when it has none.' },
      { name: 'hub-endpoint', type: 'string', default: '', description: 'The Hugging Face hub or mirror to download those files from (HF_ENDPOINT); empty for the step image\'s HF_ENDPOINT, else https://huggingface.co.' },
    ],
    workspaces: [
      { name: build, description: 'The volume the model files are staged in (sized from the model\'s files).' },
      { name: registryCredentials, optional: true, readOnly: true, description: 'A kubernetes.io/dockerconfigjson Secret to push with; without it, the ServiceAccount\'s docker secrets.' },
      { name: sourceCredentials, optional: true, readOnly: true, description: `A Secret with download credentials (${SOURCE_CREDENTIAL_KEYS.join(', ')}), as an OpenShift AI data connection holds them.` },
      { name: hubToken, optional: true, readOnly: true, description: `A Secret with the Hugging Face token (key ${HUB_TOKEN_KEYS.join(' or ')}) for gated or private repositories, read from its file.` },
    ],
    results: [
      { name: BUILD_RESULTS.image, type: 'string', description: 'The image reference that was pushed.' },
      { name: BUILD_RESULTS.digest, type: 'string', description: 'The digest of the pushed image manifest (sha256:...).' },
    ],
    stepTemplate: {
      image,
      computeResources: resources,
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    },
    steps: steps.map((s) => ({ name: s.name, env: s.env.map((e) => ({ ...e })), script: s.script })),
  };
}
