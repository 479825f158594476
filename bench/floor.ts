/**
 * The floor: what `modelcar synth` must do at the least, written as plainly as possible. It reads the
 * config, builds the same objects as plain data (Namespace; per model its own kserve-ovms ServingRuntime, named
 * after it as the OpenShift AI dashboard names it, an InferenceService, and the ServiceAccount, token Secret, Role
 * and RoleBinding of its token auth; a kustomization per folder, the 4 build-context files per model) for the
 * OpenDataHub releases the benchmark's configs name (3.4, the default, and 2.25 of examples/mobilenet),
 * serializes them with the `yaml` package (the options synth uses) and writes them. No cdk8s, no
 * constructs, no schema, no checks. The benchmark runs it as a child process, like the CLI, and compares.
 *
 * It aims at the same bytes as modelcar, so that the comparison is fair; the benchmark reports when they
 * differ (modelcar's output changes as features land; the floor then needs the same change).
 *
 *   node lib/bench/floor.js synth CONFIG OUTDIR   the floor of `modelcar synth -c CONFIG -o OUTDIR`
 *   node lib/bench/floor.js check CONFIG OUTDIR   the floor of `modelcar synth --check`
 *   node lib/bench/floor.js parse PATH...         the floor of `modelcar validate`: read and parse YAML files
 *   node lib/bench/floor.js version               the floor of `modelcar --version`: start, read package.json
 */
import * as fs from 'fs';
import * as path from 'path';

type Yaml = typeof import('yaml');
/** Loaded on use, so that `version` measures a bare start. */
const yaml = (): Yaml => require('yaml') as Yaml;

/** The serialization options of modelcar's manifests (YAML 1.1, no folding). */
const YAML_OPTIONS = { lineWidth: 0, version: '1.1' } as const;

/** The subset of the config format the benchmark's configs use. */
interface FloorConfig {
  /** odh, the default. */
  platform?: string;
  /** "3.4" (the default) or "2.25". */
  release?: string;
  defaults?: { namespace?: string; runtime?: string; pullSecret?: string; baseImage?: string };
  namespaces?: Record<string, { displayName?: string; description?: string; labels?: Record<string, string>; annotations?: Record<string, string> }>;
  models: FloorModel[];
}

type FloorModel = {
  name: string;
  namespace?: string;
  displayName?: string;
  format: string;
  formatVersion?: string;
  image: string;
  pullSecret?: string;
  baseImage?: string;
  files: { source: string; path?: string; sha256?: string }[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
};

/** A file to write, relative to the output folder. */
interface FloorFile {
  path: string;
  content: string;
  executable?: boolean;
}

/** The Argo CD annotations modelcar adds to objects of custom resources. */
const SKIP_DRY_RUN = 'SkipDryRunOnMissingResource=true';

/** What the floor knows of an OpenDataHub release: the OpenVINO template it ships, and its deployment mode. */
export interface FloorRelease {
  /** The mode of a model that names none, by its name there: Serverless on 2.x, Standard (RawDeployment) on 3.4. */
  readonly mode: 'Serverless' | 'Standard';
  /** opendatahub.io/runtime-version of the kserve-ovms template, from odh-v2.30 on. */
  readonly runtimeVersion?: string;
  /** Whether the template names the runtime in spec.annotations and drops bind addresses and target device (odh-v3.3 on). */
  readonly newer: boolean;
  readonly image: string;
}

export const FLOOR_RELEASES: Readonly<Record<string, FloorRelease>> = {
  '2.25': { mode: 'Serverless', newer: false, image: 'quay.io/opendatahub/openvino_model_server:2024.5-release' },
  '3.4': { mode: 'Standard', runtimeVersion: 'v2026.1.0', newer: true, image: 'quay.io/opendatahub/openvino_model_server:2025.1-release' },
};

/**
 * A model's own kserve-ovms ServingRuntime as modelcar emits it on OpenDataHub (the release's template, named after the
 * model, with the dashboard's shm volume; Argo CD annotations), keys sorted.
 */
function servingRuntime(name: string, namespace: string, release: FloorRelease): object {
  const annotations: Record<string, string> = {
    'argocd.argoproj.io/sync-options': SKIP_DRY_RUN,
    'argocd.argoproj.io/sync-wave': '0',
    'opendatahub.io/apiProtocol': 'REST',
    'opendatahub.io/recommended-accelerators': '["nvidia.com/gpu"]',
    'opendatahub.io/serving-runtime-scope': 'global',
    'opendatahub.io/template-display-name': 'OpenVINO Model Server',
    'opendatahub.io/template-name': 'kserve-ovms',
    'openshift.io/display-name': 'OpenVINO Model Server',
  };
  if (release.runtimeVersion !== undefined) annotations['opendatahub.io/runtime-version'] = release.runtimeVersion;
  return {
    apiVersion: 'serving.kserve.io/v1alpha1',
    kind: 'ServingRuntime',
    metadata: { annotations: sorted(annotations), labels: { 'opendatahub.io/dashboard': 'true' }, name, namespace },
    spec: {
      annotations: sorted({ ...(release.newer ? { 'opendatahub.io/kserve-runtime': 'ovms' } : {}), 'prometheus.io/path': '/metrics', 'prometheus.io/port': '8888' }),
      containers: [
        {
          args: [
            '--model_name={{.Name}}',
            '--port=8001',
            '--rest_port=8888',
            '--model_path=/mnt/models',
            '--file_system_poll_wait_seconds=0',
            ...(release.newer ? [] : ['--grpc_bind_address=0.0.0.0', '--rest_bind_address=0.0.0.0', '--target_device=AUTO']),
            '--metrics_enable',
          ],
          image: release.image,
          name: 'kserve-container',
          ports: [{ containerPort: 8888, protocol: 'TCP' }],
          volumeMounts: [{ mountPath: '/dev/shm', name: 'shm' }],
        },
      ],
      multiModel: false,
      protocolVersions: ['v2', 'grpc-v2'],
      supportedModelFormats: [
        { autoSelect: true, name: 'openvino_ir', version: 'opset13' },
        { name: 'onnx', version: '1' },
        { autoSelect: true, name: 'tensorflow', version: '1' },
        { autoSelect: true, name: 'tensorflow', version: '2' },
        { autoSelect: true, name: 'paddle', version: '2' },
        { autoSelect: true, name: 'pytorch', version: '2' },
      ],
      volumes: [{ emptyDir: { medium: 'Memory', sizeLimit: '2Gi' }, name: 'shm' }],
    },
  };
}

function sorted(map: Record<string, string>): Record<string, string> | undefined {
  const keys = Object.keys(map).sort();
  if (keys.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = map[k];
  return out;
}

function namespaceObject(name: string, ns: NonNullable<FloorConfig['namespaces']>[string]): object {
  const annotations: Record<string, string> = { ...ns.annotations, 'argocd.argoproj.io/sync-wave': '-2' };
  if (ns.displayName !== undefined) annotations['openshift.io/display-name'] = ns.displayName;
  if (ns.description !== undefined) annotations['openshift.io/description'] = ns.description;
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { annotations: sorted(annotations), labels: sorted({ 'modelmesh-enabled': 'false', 'opendatahub.io/dashboard': 'true', ...ns.labels }), name },
  };
}

/**
 * An InferenceService as modelcar emits it for a model on its own kserve-ovms (OpenShift AI, the release's default
 * mode, token auth, Small size). Serverless models get the dashboard's Service Mesh annotations and stay cluster-local.
 */
export function inferenceService(m: FloorModel, namespace: string, pullSecret: string | undefined, release: FloorRelease = FLOOR_RELEASES['3.4']): object {
  const serverless = release.mode === 'Serverless';
  const annotations: Record<string, string> = {
    'argocd.argoproj.io/sync-options': SKIP_DRY_RUN,
    'argocd.argoproj.io/sync-wave': '1',
    'security.opendatahub.io/enable-auth': 'true',
    'serving.kserve.io/deploymentMode': release.mode,
    ...(serverless ? { 'serving.knative.openshift.io/enablePassthrough': 'true', 'sidecar.istio.io/inject': 'true', 'sidecar.istio.io/rewriteAppHTTPProbers': 'true' } : {}),
    ...m.annotations,
  };
  if (m.displayName !== undefined) annotations['openshift.io/display-name'] = m.displayName;
  return {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: {
      annotations: sorted(annotations),
      labels: sorted({ ...(serverless ? { 'networking.knative.dev/visibility': 'cluster-local' } : {}), 'opendatahub.io/dashboard': 'true', ...m.labels }),
      name: m.name,
      namespace,
    },
    spec: {
      predictor: {
        imagePullSecrets: pullSecret === undefined ? undefined : [{ name: pullSecret }],
        maxReplicas: 1,
        minReplicas: 1,
        model: {
          modelFormat: { name: m.format, version: m.formatVersion },
          resources: { limits: { cpu: '2', memory: '8Gi' }, requests: { cpu: '1', memory: '4Gi' } },
          runtime: m.name,
          storageUri: `oci://${m.image}`,
        },
      },
    },
  };
}

/** The ServiceAccount, token Secret, Role and RoleBinding of a model's token auth, in that order. */
function authObjects(name: string, namespace: string): object[] {
  const dashboard = { 'opendatahub.io/dashboard': 'true' };
  const wave = { 'argocd.argoproj.io/sync-wave': '-1' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { annotations: wave, name: `${name}-sa`, namespace } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        annotations: { ...wave, 'kubernetes.io/service-account.name': `${name}-sa`, 'openshift.io/display-name': 'default-name' },
        labels: dashboard,
        name: `default-name-${name}-sa`,
        namespace,
      },
      type: 'kubernetes.io/service-account-token',
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { annotations: wave, labels: dashboard, name: `${name}-view-role`, namespace },
      rules: [{ apiGroups: ['serving.kserve.io'], resourceNames: [name], resources: ['inferenceservices'], verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { annotations: wave, labels: dashboard, name: `${name}-view`, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: `${name}-view-role` },
      subjects: [{ kind: 'ServiceAccount', name: `${name}-sa` }],
    },
  ];
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A Containerfile string: JSON with `$` escaped. */
function literal(value: string): string {
  return JSON.stringify(value).replace(/\$/g, '\\$');
}

function fileName(source: string): string {
  if (/^https?:\/\//.test(source)) return decodeURIComponent(path.posix.basename(new URL(source).pathname));
  return path.basename(source);
}

/** The tag of an image reference with a registry (`quay.io/x/y:tag`), and its repository. */
function splitImage(image: string): { repository: string; tag?: string } {
  const at = image.indexOf('@');
  const name = at === -1 ? image : image.slice(0, at);
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? { repository: name.slice(0, colon), tag: name.slice(colon + 1) } : { repository: name };
}

/** The 4 files of a model's image build context. */
function buildContext(m: FloorModel, namespace: string, baseImage: string, configDir: string, outdir: string, notice: string): FloorFile[] {
  const dir = `images/${namespace}/${m.name}`;
  const contextDir = path.join(outdir, 'images', namespace, m.name);
  const copies: string[] = [];
  const steps: string[] = [];
  // The files label, in shell words: single-quoted text, and "$SHA_n" where build.sh fills in a digest.
  let label = '';
  let text = '[';
  m.files.forEach((f, slot) => {
    const target = `models/1/${f.path ?? fileName(f.source)}`;
    const paths = [target, `/${target}`];
    copies.push(`COPY --chown=0:0 --chmod=0444 ${paths.some((p) => /[\s"'\\$]/.test(p)) ? `[${paths.map(literal).join(',')}]` : paths.join(' ')}`);
    const isUrl = /^https?:\/\//.test(f.source);
    const local = path.resolve(configDir, f.source);
    const from = isUrl ? f.source : path.relative(contextDir, local).split(path.sep).join('/');
    steps.push(`${isUrl ? 'fetch' : 'copy'} ${[from, target, ...(f.sha256 ? [f.sha256] : [])].map(shellQuote).join(' ')}; SHA_${slot}=$actual`);
    const source = isUrl ? f.source : path.relative(path.dirname(outdir), local).split(path.sep).join('/');
    label += `${shellQuote(`${text}${slot ? ',' : ''}{"path":${JSON.stringify(`/${target}`)},"sha256":"`)}"$SHA_${slot}"`;
    text = `","source":${JSON.stringify(source)}}`;
  });
  const { repository } = splitImage(m.image);
  // Nothing of where the image is deployed or pushed (namespace, environment, tag): one digest everywhere.
  const labels: Record<string, string> = {
    'dev.modelcar.model.format': literal(m.format),
    'dev.modelcar.model.layout': literal('ovms'),
    'dev.modelcar.model.name': literal(m.name),
    'dev.modelcar.runtime': literal('kserve-ovms'),
    'org.opencontainers.image.base.name': '"${BASE_IMAGE}"',
    'org.opencontainers.image.description': literal(`Model files of ${m.name} under /models (a KServe modelcar image)`),
    'org.opencontainers.image.title': literal(m.name),
  };
  if (m.formatVersion !== undefined) labels['dev.modelcar.model.format-version'] = literal(m.formatVersion);
  const labelText = Object.keys(labels)
    .sort()
    .map((k) => `${JSON.stringify(k)}=${labels[k]}`)
    .join(' \\\n      ');
  const containerfile = `# ${notice}
# The base image needs a shell: KServe runs \`sh -c "ln -sf /proc/$$/root/models /mnt/models && sleep infinity"\` in it.
# Another base: --build-arg BASE_IMAGE=<image with sh, ln, sleep, ls, echo and [>.
ARG BASE_IMAGE=${baseImage}
FROM \${BASE_IMAGE}
# KServe reads the model from /models. Owner 0:0 and world-readable, for the random UID OpenShift runs pods with;
# modes are set by COPY itself, so each file is stored once, and each large file in a layer of its own.
${copies.join('\n')}
ARG BASE_IMAGE
LABEL ${labelText}
# No ENTRYPOINT (one inherited from the base is cleared): KServe starts the container with its own \`sh -c ...\`.
ENTRYPOINT []
# nobody user
USER 65534
`;
  const buildSh = `#!/bin/sh
# ${notice}
#
# Builds the model image for InferenceService ${namespace}/${m.name} and pushes it as IMAGE (below):
# what \`modelcar stage\` and \`modelcar build --push\` do, with the same build flags, so the same image digest.
# Usage: ./build.sh [--no-push] [--tls-verify=false]
#   BUILDER=podman|buildah   the image builder (default: podman when installed, else buildah)
# Pushing needs credentials for the registry: run \`podman login\` (or \`buildah login\`) first, or point
# REGISTRY_AUTH_FILE at a Docker config file (a pull secret's .dockerconfigjson works).
set -eu
cd "$(dirname "$0")"

IMAGE=${shellQuote(m.image)}
PUSH=1
TLS=
for arg in "$@"; do
  case "$arg" in
    --no-push) PUSH=0 ;;
    --tls-verify=false) TLS=--tls-verify=false ;;
    *) echo "usage: $0 [--no-push] [--tls-verify=false]" >&2; exit 2 ;;
  esac
done
if [ -z "\${BUILDER:-}" ]; then
  if command -v podman >/dev/null 2>&1; then BUILDER=podman; else BUILDER=buildah; fi
fi

# check FILE SOURCE [SHA256|-]: verifies a staged model file, or prints its digest (so it can be pinned, unless -).
check() {
  actual=$(sha256sum "$1" | cut -d' ' -f1)
  if [ "\${3:-}" = - ]; then
    echo "$1: sha256 $actual"
  elif [ -z "\${3:-}" ]; then
    echo "$1: sha256 $actual (not pinned: add it as sha256 of $2 in the config)"
  elif [ "$actual" != "$3" ]; then
    echo "$1: sha256 of $2 is $actual, but the config expects $3" >&2
    return 1
  fi
}
# fetch URL FILE [SHA256]: downloads a model file unless it is already in place.
fetch() {
  if [ ! -f "$2" ]; then
    mkdir -p "$(dirname "$2")"
    echo "fetching $1"
    curl -fSL --retry 3 -o "$2.part" "$1"
    mv "$2.part" "$2"
  fi
  if ! check "$2" "$1" "\${3:-}"; then
    rm -f "$2"
    echo "removed $2; run again to download it anew" >&2
    exit 1
  fi
}
# copy SOURCE FILE [SHA256]: hard-links (or else copies) a local model file into place.
copy() {
  mkdir -p "$(dirname "$2")"
  rm -f "$2"
  ln "$1" "$2" 2>/dev/null || cp "$1" "$2"
  if ! check "$2" "$1" "\${3:-}"; then
    rm -f "$2"
    exit 1
  fi
}

${steps.join('\n')}

FILES=${label}${shellQuote(`${text}]`)}
"$BUILDER" build --format=oci --layers --timestamp=0 --identity-label=false $TLS --label "dev.modelcar.model.files=$FILES" -t "$IMAGE" .
if [ "$PUSH" = 1 ]; then
  digestfile=$(mktemp)
  trap 'rm -f "$digestfile"' EXIT
  "$BUILDER" push $TLS --digestfile "$digestfile" "$IMAGE"
  echo "pushed $IMAGE: ${repository}@$(cat "$digestfile")"
fi
`;
  return [
    { path: `${dir}/Containerfile`, content: containerfile },
    { path: `${dir}/.containerignore`, content: `# ${notice}\n# Only the model files are sent to the build.\n*\n!models\n` },
    {
      path: `${dir}/.gitignore`,
      content: `# ${notice}\n# Model files are put here by \`modelcar stage\` or build.sh and can be many GB: they do not belong in git.\n/models/\n/.modelcar-stage.json\n`,
    },
    { path: `${dir}/build.sh`, content: buildSh, executable: true },
  ];
}

/** The files `modelcar synth -c configFile -o outdirArg` writes, built the plainest way. */
export function floorFiles(configFile: string, outdirArg: string): FloorFile[] {
  const YAML = yaml();
  const outdir = path.resolve(outdirArg);
  const config = YAML.parse(fs.readFileSync(configFile, 'utf8')) as FloorConfig;
  const configDir = path.dirname(path.resolve(configFile));
  const source = path.relative(path.dirname(outdir), path.resolve(configFile)).split(path.sep).join('/');
  const notice = `Generated by modelcar from ${source}. Do not edit: change the source and run \`modelcar synth\`.`;
  const header = `# ${notice}\n`;
  const defaults = config.defaults ?? {};
  const release = FLOOR_RELEASES[config.release ?? '3.4'];
  if (config.platform !== undefined && config.platform !== 'odh') throw new Error(`the floor knows platform odh only, not ${config.platform}`);
  if (!release) throw new Error(`the floor knows OpenDataHub ${Object.keys(FLOOR_RELEASES).join(' and ')} only, not ${config.release}`);
  const stringify = (o: object) => header + YAML.stringify(o, YAML_OPTIONS);

  const byNamespace = new Map<string, FloorModel[]>();
  for (const name of Object.keys(config.namespaces ?? {})) byNamespace.set(name, []);
  for (const m of config.models) {
    const ns = (m.namespace ?? defaults.namespace)!;
    const list = byNamespace.get(ns) ?? [];
    list.push(m);
    byNamespace.set(ns, list);
  }

  const files: FloorFile[] = [];
  const namespaces = [...byNamespace.keys()].sort();
  for (const ns of namespaces) {
    const models = byNamespace.get(ns)!.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const folder = `manifests/${ns}`;
    // kustomization.yaml lists them by kind (Namespace, ServiceAccount, Secret, Role, RoleBinding, ServingRuntime, InferenceService), then name.
    const resources = {
      namespace: [`namespace-${ns}.yaml`],
      serviceaccount: [] as string[],
      secret: [] as string[],
      role: [] as string[],
      rolebinding: [] as string[],
      servingruntime: [] as string[],
      inferenceservice: [] as string[],
    };
    const add = (kind: keyof typeof resources, name: string, object: object) => {
      const file = `${kind}-${name}.yaml`;
      resources[kind].push(file);
      files.push({ path: `${folder}/${file}`, content: stringify(object) });
    };
    files.push({ path: `${folder}/namespace-${ns}.yaml`, content: stringify(namespaceObject(ns, config.namespaces?.[ns] ?? {})) });
    for (const m of models) {
      const [serviceAccount, secret, role, roleBinding] = authObjects(m.name, ns);
      add('serviceaccount', `${m.name}-sa`, serviceAccount);
      add('secret', `default-name-${m.name}-sa`, secret);
      add('role', `${m.name}-view-role`, role);
      add('rolebinding', `${m.name}-view`, roleBinding);
      add('servingruntime', m.name, servingRuntime(m.name, ns, release));
      add('inferenceservice', m.name, inferenceService(m, ns, m.pullSecret ?? defaults.pullSecret, release));
      files.push(...buildContext(m, ns, m.baseImage ?? defaults.baseImage ?? 'registry.access.redhat.com/ubi8/ubi-micro:latest', configDir, outdir, notice));
    }
    const listed = Object.values(resources).flatMap((names) => names.sort());
    files.push({ path: `${folder}/kustomization.yaml`, content: stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: listed }) });
  }
  files.push({ path: 'manifests/kustomization.yaml', content: stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: namespaces }) });

  const list = files.map((f) => f.path).sort();
  files.push({ path: '.modelcar-files', content: `# Generated by modelcar: the files it wrote here, which it may change or remove on the next synth.\n${list.join('\n')}\n` });
  return files;
}

/** The floor of `modelcar synth -c configFile -o outdirArg`: builds the files and writes them. */
export function floorSynth(configFile: string, outdirArg: string): number {
  const outdir = path.resolve(outdirArg);
  const files = floorFiles(configFile, outdir);
  const made = new Set<string>();
  for (const f of files) {
    const full = path.join(outdir, f.path);
    const dir = path.dirname(full);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    fs.writeFileSync(full, f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  return files.length;
}

/** The floor of `modelcar synth --check`: builds the files and compares them with what is there. */
export function floorCheck(configFile: string, outdirArg: string): number {
  const outdir = path.resolve(outdirArg);
  let stale = 0;
  for (const f of floorFiles(configFile, outdir)) {
    let existing: string | undefined;
    try {
      existing = fs.readFileSync(path.join(outdir, f.path), 'utf8');
    } catch {
      existing = undefined;
    }
    if (existing !== f.content) stale++;
  }
  return stale;
}

/** The floor of `modelcar validate PATH...`: read and parse every YAML file (no schema). */
export function floorParse(paths: readonly string[]): number {
  const YAML = yaml();
  let documents = 0;
  const visit = (p: string): void => {
    if (fs.statSync(p).isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) visit(path.join(p, entry));
    } else if (/\.ya?ml$/.test(p)) {
      documents += YAML.parseAllDocuments(fs.readFileSync(p, 'utf8')).length;
    }
  };
  for (const p of paths) visit(p);
  return documents;
}

if (require.main === module) {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'synth' && args.length === 2) {
    process.stdout.write(`floor: ${floorSynth(args[0], args[1])} files\n`);
  } else if (command === 'check' && args.length === 2) {
    const stale = floorCheck(args[0], args[1]);
    process.stdout.write(`floor: ${stale} files stale\n`);
    process.exitCode = stale ? 1 : 0;
  } else if (command === 'parse' && args.length > 0) {
    process.stdout.write(`floor: ${floorParse(args)} documents\n`);
  } else if (command === 'version') {
    process.stdout.write(`${JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version}\n`);
  } else {
    process.stderr.write('usage: floor.js synth CONFIG OUTDIR | check CONFIG OUTDIR | parse PATH... | version\n');
    process.exitCode = 2;
  }
}
