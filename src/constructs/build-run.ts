import { createHash } from 'crypto';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { PropChecker, brand, hasBrand } from '../core/errors';
import { hubEndpointProblem, hubSourceKey, shownEndpoint } from '../core/hub';
import { ModelFileEntry, isS3Source } from '../core/model-files';
import { parseImageReference } from '../core/image-ref';
import { nameProblem } from '../core/names';
import { BUILD_WORKSPACES, BuildTask, TEKTON_API_VERSION } from './build-task';
import { imageInputsDigest } from './image-lock';
import { ModelImage } from './model-image';

const BUILD_RUN = Symbol.for('modelcar.BuildRun');

/** How long a build may run unless said otherwise (Tekton's own default, 1h, is short for a model of many GB). */
export const DEFAULT_BUILD_TIMEOUT = '3h';

/** The annotation that carries the digest of the build's inputs, the `inputs` of the lock file entry it leads to. */
export const BUILD_INPUTS_ANNOTATION = 'dev.modelcar.build.inputs';

/**
 * Results reach Tekton through the step's termination message, which Kubernetes caps at 4096 bytes per container
 * (Tekton's `max-result-size` default, pkg/apis/config/feature_flags.go DefaultMaxResultSize, v1.15.0); the results
 * are written there as JSON with their keys and step metadata: the image reference must leave room for that.
 */
const MAX_IMAGE_URL_BYTES = 2048;

/**
 * The bytes an environment variable of a step may take, `NAME=value` and its NUL: Linux refuses to start a program
 * with a longer one (`MAX_ARG_STRLEN`, 32 pages of 4 KiB, include/uapi/linux/binfmts.h), and the steps get their
 * params through their environment.
 */
const MAX_ENV_STRING_BYTES = 32 * 4096;

/** Properties of a {@link BuildRun}. */
export interface BuildRunProps {
  /**
   * The model image to build: its files are fetched in the cluster, so each is a URL with its sha256 and size, or a
   * file of a Hugging Face repository at a commit (which the run pins as the lock file records it: param `lock`).
   */
  readonly image: ModelImage;
  /** The Task that builds it, in the model's namespace. */
  readonly task: BuildTask;
  /**
   * A modelcar config that describes the one model, from which the Task builds the image (param `config`). It names
   * each Hugging Face repository at the commit of its files (`revision: <commit>`), as the lock the run carries keys it.
   */
  readonly config: string;
  /** @default - the namespace of the enclosing Chart */
  readonly namespace?: string;
  /**
   * The ServiceAccount the build runs as: Tekton gives the build the credentials of its docker secrets
   * (`~/.docker/config.json`). Give this or `pushSecret`.
   * @default - Tekton's default ServiceAccount
   */
  readonly serviceAccount?: string;
  /** A kubernetes.io/dockerconfigjson Secret of the namespace to push with. Give this or `serviceAccount`. @default - none */
  readonly pushSecret?: string;
  /** A Secret of the namespace with download credentials (an OpenShift AI data connection); needed by s3:// sources. @default - none */
  readonly sourceSecret?: string;
  /**
   * A Secret of the namespace with the Hugging Face token (key `HF_TOKEN` or `token`), for the files of a gated or
   * private repository; mounted as a workspace, read from its file. @default - none: public repositories only
   */
  readonly hubTokenSecret?: string;
  /** The hub or mirror the files of Hugging Face repositories are downloaded from (HF_ENDPOINT). @default - the step image's HF_ENDPOINT, else https://huggingface.co */
  readonly hubEndpoint?: string;
  /** Storage class of the workspace volume. @default - the cluster's default */
  readonly storageClass?: string;
  /** How long the build may run, a Go duration. @default DEFAULT_BUILD_TIMEOUT */
  readonly timeout?: string;
}

/**
 * A Tekton TaskRun (tekton.dev/v1) that builds one model image in the cluster with the {@link BuildTask} and pushes
 * it. It is named from a digest of everything it runs (its spec and the Task's): Tekton refuses changes to a
 * TaskRun's spec once it has started (pkg/apis/pipeline/v1/taskrun_validation.go, `TaskRunSpec.ValidateUpdate`,
 * v1.15.0), so a changed model in git gives a TaskRun of another name, which runs once, while an unchanged one keeps
 * its name and nothing runs again. Argo CD neither prunes a run that left git (`Prune=false`) nor counts it as out
 * of sync (`IgnoreExtraneous`). The files of Hugging Face repositories are pinned by the lock the run carries (each
 * repository at its commit, each file with its SHA-256 and size), so the run changes when, and only when, they do.
 * The workspace is a volume claimed for the run, sized from the model's files; the credentials are references (a
 * Secret mounted as a workspace, or the ServiceAccount), never values.
 *
 * @see https://tekton.dev/docs/pipelines/taskruns/
 */
export class BuildRun extends Construct {
  /** Whether `x` is a BuildRun (of any copy of modelcar). */
  public static isBuildRun(x: unknown): x is BuildRun {
    return hasBrand(x, BUILD_RUN);
  }

  /** The TaskRun's name: `<model>-build-<10 hex digits of the digest of what it runs>`. */
  public readonly name: string;
  public readonly namespace?: string;
  /** The size of the workspace volume, e.g. `17Gi`. */
  public readonly workspaceSize: string;
  /** The generated API object. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: BuildRunProps) {
    super(scope, id);
    const check = new PropChecker('BuildRun');
    const { image } = props;
    const namespace = props.namespace ?? Chart.of(this).namespace;
    if (namespace === undefined) check.add('namespace', props.namespace, 'a TaskRun needs a namespace (set namespace, or the Chart\'s namespace)');
    else if (props.task.namespace !== namespace) check.add('task', props.task.namespace, `the Task is in namespace ${props.task.namespace}, the build in ${namespace}: a TaskRun runs a Task of its own namespace`);
    const ref = parseImageReference(image.image);
    if (ref.tag === undefined) {
      check.add('image', image.image, `"${image.image}" names no tag: an in-cluster build pushes the image, and a registry takes a push to a tag (the digest is known once pushed)`);
    }
    if (Buffer.byteLength(image.image) > MAX_IMAGE_URL_BYTES) check.add('image', image.image, `the image reference is longer than ${MAX_IMAGE_URL_BYTES} bytes, too long for a Task result`);
    for (const [prop, value] of [['serviceAccount', props.serviceAccount], ['pushSecret', props.pushSecret], ['sourceSecret', props.sourceSecret], ['hubTokenSecret', props.hubTokenSecret], ['storageClass', props.storageClass]] as const) {
      const wrong = value === undefined ? undefined : nameProblem('subdomain', value, `${prop === 'serviceAccount' ? 'ServiceAccount' : prop === 'storageClass' ? 'StorageClass' : 'Secret'} name`);
      if (wrong) check.add(prop, value, wrong);
    }
    if (props.pushSecret === undefined && props.serviceAccount === undefined) {
      check.add(
        'pushSecret',
        undefined,
        `an in-cluster build pushes ${image.image} and needs registry credentials: give pushSecret (a kubernetes.io/dockerconfigjson Secret in namespace ${namespace}) or serviceAccount (whose docker secrets Tekton gives the build)`,
      );
    }
    const timeout = props.timeout ?? DEFAULT_BUILD_TIMEOUT;
    if (!/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(timeout)) check.add('timeout', props.timeout, `"${timeout}" is not a Go duration (e.g. 90m, 3h)`);
    const endpointProblem = props.hubEndpoint === undefined ? undefined : runHubEndpointProblem(props.hubEndpoint);
    if (endpointProblem) check.add('hubEndpoint', endpointProblem.shown, endpointProblem.message);
    let bytes = 0;
    let s3 = false;
    const hubFiles = image.files.filter((f) => f.hub !== undefined);
    for (const f of image.files) {
      const at = (field: string) => ['files', f.index, field];
      if (f.hub) {
        // Pinned by the lock file's record, which the run carries (param lock): its SHA-256 and size are the hub's.
        bytes += f.size ?? 0;
        continue;
      }
      if (f.url === undefined) {
        check.add(at('source'), f.localPath, 'an in-cluster build cannot read a local file; give an http(s) or s3:// URL, or build this model where the file is (build: local)');
        continue;
      }
      if (isS3Source(f.url)) s3 = true;
      if (isS3Source(f.url) && props.sourceSecret === undefined) {
        check.add(
          at('source'),
          f.url,
          `an in-cluster build reads ${f.url} with the credentials of a Secret: set sourceSecret to a Secret of namespace ${namespace} with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (an OpenShift AI data connection)`,
        );
      }
      if (f.sha256 === undefined) check.add(at('sha256'), undefined, `an in-cluster build checks every file it fetches: pin the sha256 of ${f.url} (\`sha256sum\` of the file prints it)`);
      if (f.size === undefined) check.add(at('size'), undefined, `an in-cluster build sizes its volume from the model's files: give the size of ${f.url} in bytes`);
      else bytes += f.size;
    }
    const lock = hubFiles.length ? hubLockText(hubFiles) : undefined;
    if (lock !== undefined) {
      if (Buffer.byteLength(`MODELCAR_LOCK=${lock}`) + 1 > MAX_ENV_STRING_BYTES) {
        check.add(
          ['files', hubFiles[0].index, 'hub'],
          hubFiles[0].hub!.repo,
          `the record of the ${hubFiles.length} files of the model's Hugging Face repositories takes ${Buffer.byteLength(lock)} bytes, more than the ${MAX_ENV_STRING_BYTES / 1024} KiB a build step's environment variable can hold: select fewer files with include or exclude`,
        );
      }
      for (const problem of unpinnedRevisions(props.config, hubFiles)) check.add('config', props.config, problem);
    }
    check.throwIfAny(this);
    brand(this, BUILD_RUN);
    this.namespace = namespace;
    this.workspaceSize = workspaceSize(bytes);
    const { build, registryCredentials, sourceCredentials, hubToken } = BUILD_WORKSPACES;
    const spec = {
      params: [
        { name: 'config', value: props.config },
        // The config the Task builds from has no environments: the model is <namespace>/<name> there.
        { name: 'model', value: image.key.split('/').slice(-2).join('/') },
        { name: 'image', value: image.image },
        ...(lock !== undefined ? [{ name: 'lock', value: lock }] : []),
        ...(lock !== undefined && props.hubEndpoint !== undefined ? [{ name: 'hub-endpoint', value: props.hubEndpoint }] : []),
      ],
      ...(props.serviceAccount !== undefined ? { serviceAccountName: props.serviceAccount } : {}),
      taskRef: { kind: 'Task', name: props.task.name },
      timeout,
      workspaces: [
        {
          name: build,
          volumeClaimTemplate: {
            spec: {
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: this.workspaceSize } },
              ...(props.storageClass !== undefined ? { storageClassName: props.storageClass } : {}),
            },
          },
        },
        ...(props.pushSecret !== undefined ? [{ name: registryCredentials, secret: { secretName: props.pushSecret } }] : []),
        ...(props.sourceSecret !== undefined && s3 ? [{ name: sourceCredentials, secret: { secretName: props.sourceSecret } }] : []),
        ...(props.hubTokenSecret !== undefined && lock !== undefined ? [{ name: hubToken, secret: { secretName: props.hubTokenSecret } }] : []),
      ],
    };
    const inputs = imageInputsDigest(image);
    // The run's spec holds the config it builds from; the image's inputs are hashed too, for trees made without one.
    const digest = createHash('sha256').update(JSON.stringify({ namespace, inputs, task: props.task.spec, run: spec })).digest('hex');
    const model = image.key.split('/').pop()!;
    this.name = `${model.slice(0, 46).replace(/-+$/, '')}-build-${digest.slice(0, 10)}`;
    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: TEKTON_API_VERSION,
      kind: 'TaskRun',
      metadata: {
        name: this.name,
        namespace: props.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'modelcar', 'dev.modelcar.model.name': model },
        annotations: {
          // A finished run stays in the cluster when it leaves git (a new run took its place), without making the
          // application out of sync: argo-cd docs/user-guide/sync-options.md and compare-options.md.
          'argocd.argoproj.io/compare-options': 'IgnoreExtraneous',
          'argocd.argoproj.io/sync-options': 'Prune=false',
          [BUILD_INPUTS_ANNOTATION]: inputs,
          'dev.modelcar.image': image.image,
        },
      },
      spec,
    });
  }
}

/**
 * The size of a build's volume: the model's files, which stage writes once (each under a temporary name renamed
 * into place) and the image writer streams to the registry without a copy, plus 10% and 1 GiB for the build
 * context and the filesystem's own use, in whole GiB.
 */
export function workspaceSize(bytes: number): string {
  const gib = 1024 ** 3;
  return `${Math.ceil((bytes * 1.1 + gib) / gib)}Gi`;
}

/**
 * The lock file a build of the files of Hugging Face repositories starts from: each repository at its commit, keyed
 * `<repo>@<commit>` (the config the run carries names the commit as revision), with the SHA-256 and size of each
 * file the model takes, as `modelcar synth` recorded them (the format of `sources.hub` in modelcar.lock.yaml, which
 * the build's synth reads instead of asking the hub). Sorted: the same files give the same text, so the same run.
 */
export function hubLockText(files: readonly ModelFileEntry[]): string {
  const repos = new Map<string, { commit: string; files: Map<string, { sha256: string; size: number }> }>();
  for (const f of files) {
    if (!f.hub) continue;
    const key = hubSourceKey(f.hub.repo, f.hub.commit);
    const repo = repos.get(key) ?? { commit: f.hub.commit, files: new Map() };
    repos.set(key, repo);
    repo.files.set(f.hub.path, { sha256: `sha256:${f.sha256}`, size: f.size ?? 0 });
  }
  const sortedKeys = <T>(m: ReadonlyMap<string, T>) => [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // Maps, not objects: a path such as __proto__ is a key like any other.
  const hub = new Map<string, unknown>();
  for (const key of sortedKeys(repos)) {
    const repo = repos.get(key)!;
    hub.set(key, { commit: repo.commit, files: new Map(sortedKeys(repo.files).map((p) => [p, repo.files.get(p)])) });
  }
  const data = { version: 1, images: {}, sources: { folders: {}, hub } };
  return `# The files of the model's Hugging Face repositories as modelcar.lock.yaml records them, for its in-cluster build. Generated by modelcar.\n${YAML.stringify(data, { lineWidth: 0 })}`;
}

/**
 * Why a hub endpoint is not one to download from, with the value to show (never its credentials), or undefined.
 * As `modelcar stage` takes HF_ENDPOINT: an http(s) URL without credentials, which would be written into the run.
 */
function runHubEndpointProblem(endpoint: string): { shown: string; message: string } | undefined {
  const problem = hubEndpointProblem(endpoint);
  const shown = shownEndpoint(endpoint);
  if (problem === 'credentials') return { shown, message: `"${shown}" carries credentials (user:password@), which would be written into the TaskRun: give the URL without them, and the token in hubTokenSecret` };
  if (problem) return { shown, message: `"${shown}" is not an http(s) URL; give the hub or a mirror of it, e.g. https://hf-mirror.example.com` };
  return undefined;
}

/**
 * The Hugging Face repositories the config of a run names at a revision the lock it carries does not record (it
 * records each at its commit): the build's synth would refuse them. A config that does not parse is the build's
 * synth's to report.
 */
function unpinnedRevisions(config: string, hubFiles: readonly ModelFileEntry[]): string[] {
  let data: any;
  try {
    data = YAML.parse(config);
  } catch {
    return [];
  }
  const recorded = new Set(hubFiles.map((f) => hubSourceKey(f.hub!.repo, f.hub!.commit)));
  const problems: string[] = [];
  for (const model of Array.isArray(data?.models) ? data.models : []) {
    for (const f of Array.isArray(model?.files) ? model.files : []) {
      if (typeof f?.repo !== 'string' || typeof f.revision !== 'string' || recorded.has(hubSourceKey(f.repo, f.revision))) continue;
      const commits = [...new Set(hubFiles.filter((h) => h.hub!.repo === f.repo).map((h) => h.hub!.commit))];
      problems.push(
        `the config names ${f.repo} at revision ${JSON.stringify(f.revision)}, but the run pins its files at ${commits.length ? `commit ${commits.join(', ')}` : 'no commit (the image has none of its files)'}: name that commit as the revision, so that the build takes the files the image was planned with`,
      );
    }
  }
  return problems;
}
