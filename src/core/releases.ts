/**
 * The platform releases modelcar writes for. A release decides what the cluster's controllers and webhooks do with
 * modelcar's objects, so each profile here is a set of facts read in the consumers' code at the release's tag:
 * - the runtime catalogue (the ODH model-serving runtime templates of odh-model-controller at that tag);
 * - the KServe it runs, which names the deployment modes and whose CRDs validate the output;
 * - the deployment modes it supports, and the one it uses by default;
 * - where its controllers read the token auth marker `security.opendatahub.io/enable-auth` (label or annotation);
 * - whether it has KServe's `oci+native://` image volumes;
 * - the oldest nodes it installs on, whose container runtime decides which layer compressions can be pulled.
 *
 * Where a fact comes from is said next to it (repository, tag, file). Releases between two profiles are not guessed:
 * only the releases listed here are known.
 */
import { PropError } from './errors';
import { DeploymentKind, DeploymentMode, Platform, deploymentKind, kindWords } from './platform';

/** The products modelcar knows releases of: OpenDataHub, Red Hat OpenShift AI (built from ODH), upstream KServe. */
export type Product = 'odh' | 'rhoai' | 'kserve';

/** The products, in the order the docs list them. */
export const PRODUCTS: readonly Product[] = ['odh', 'rhoai', 'kserve'];

/**
 * The runtime catalogues: the ODH runtime templates of odh-model-controller at a release tag
 * (`config/runtimes/`, copies in ../shared/odh/runtimes/<tag>/).
 */
export type RuntimeCatalogueId = 'odh-v2.25' | 'odh-v2.26' | 'odh-v2.27' | 'odh-v2.30' | 'odh-v2.35' | 'odh-v3.0' | 'odh-v3.3' | 'odh-v3.4';

/**
 * The KServe CRD schemas modelcar validates its output with (../shared/kserve/crds, compiled into
 * src/validation/generated/): upstream v0.15.2 and v0.20.0, OpenDataHub's fork at odh-v2.25 and odh-v3.4.
 */
export type CrdSet = 'v0.15.2' | 'v0.20.0' | 'odh-v2.25' | 'odh-v3.4';

/** Where a release's controllers read `security.opendatahub.io/enable-auth` for a RawDeployment model. */
export type RawAuthMarker = 'label' | 'annotation' | 'none';

/** A container runtime of Kubernetes nodes. */
export type ContainerRuntime = 'containerd' | 'CRI-O' | 'Docker Engine';

/** The oldest nodes a release installs on, and their container runtimes. */
export interface NodeRuntimes {
  /** The oldest platform, e.g. `OpenShift 4.12, Kubernetes 1.25`. */
  readonly platform: string;
  /** The oldest version of each container runtime those nodes can run. */
  readonly runtimes: readonly { readonly runtime: ContainerRuntime; readonly version: string }[];
  /** Where it was read. */
  readonly source: string;
}

/**
 * The nodes OpenDataHub (and OpenShift AI) install on: the operator's bundle asks for Kubernetes 1.25 at every
 * release modelcar knows, which is OpenShift 4.12, whose nodes run CRI-O 1.25 (CRI-O's minor follows Kubernetes').
 */
const OPENSHIFT_NODES: NodeRuntimes = {
  platform: 'OpenShift 4.12, Kubernetes 1.25',
  runtimes: [{ runtime: 'CRI-O', version: '1.25.0' }],
  source:
    'opendatahub-io/opendatahub-operator v2.25.0 to v3.4.0 config/manifests/bases/opendatahub-operator.clusterserviceversion.yaml ' +
    '(and rhods-operator.clusterserviceversion.yaml) minKubeVersion: 1.25.0; cri-o/cri-o v1.25.0 go.mod: containers/image v5.22.0',
};

/**
 * The nodes plain KServe installs on: Kubernetes 1.24 (the last minimum KServe states), with containerd 1.6.4 or
 * later (containerd's Kubernetes support matrix) or CRI-O 1.24.
 */
const KUBERNETES_NODES: NodeRuntimes = {
  platform: 'Kubernetes 1.24',
  runtimes: [
    { runtime: 'containerd', version: '1.6.4' },
    { runtime: 'CRI-O', version: '1.24.0' },
  ],
  source: 'kserve/kserve v0.15.2 hack/quick_install.sh ("install requires at least Kubernetes 1.24"); containerd/containerd v1.7.0 RELEASES.md "Kubernetes Support": 1.24 with 1.7.0+, 1.6.4+',
};

/** What a platform release does with modelcar's objects. */
export interface ReleaseProfile {
  /** `<product>-<release>`, e.g. `odh-3.4`, `rhoai-2.25`, `kserve-0.20`. */
  readonly id: string;
  readonly product: Product;
  /** The release, `<major>.<minor>`, as the product numbers it. */
  readonly release: string;
  /** How it is named in messages, e.g. `OpenDataHub 3.4`. */
  readonly title: string;
  /** The kind of objects it gets: OpenDataHub's (odh and rhoai) or plain KServe's. */
  readonly platform: Platform;
  /** The KServe it runs, `<major>.<minor>` (ODH's fork: its python/VERSION). */
  readonly kserveVersion: string;
  /**
   * Whether its KServe knows the deployment mode names `Knative` and `Standard` (KServe 0.16). modelcar writes the
   * names the release's webhook keeps: from 0.17 the defaulter rewrites the old names to the new ones, so an old name
   * in git would differ from the live object forever.
   */
  readonly modeNames: 'legacy' | 'renamed';
  /** The deployment modes it supports. */
  readonly modes: readonly DeploymentKind[];
  /** The mode of a model that names none. */
  readonly defaultMode: DeploymentKind;
  /** Where its controllers read the token auth marker of a RawDeployment model (Serverless models: the annotation). */
  readonly rawAuthMarker: RawAuthMarker;
  /** The runtime templates it ships. */
  readonly runtimes: RuntimeCatalogueId;
  /** Runtimes of the catalogue it does not ship. @default - none */
  readonly withoutRuntimes?: readonly string[];
  /** The CRD schemas that validate the output. */
  readonly crds: CrdSet;
  /** Whether its KServe serves `oci+native://` storage URIs as Kubernetes image volumes. */
  readonly imageVolumes: boolean;
  /**
   * How its validating webhook compares a model's deployment mode annotation with `status.deploymentMode`:
   * `raw` (KServe 0.16.0 to 0.18.x, and the ODH fork at odh-v3.4) compares the strings as recorded, so a model
   * first deployed under an old name is refused under the new one; `parsed` (0.19 on) normalizes both; `legacy`
   * (0.15) knows only the old names.
   */
  readonly modeCheck: 'legacy' | 'raw' | 'parsed';
  /** The oldest nodes it installs on: which layer compressions their container runtimes pull (core/compression.ts). */
  readonly nodes: NodeRuntimes;
  /** Where the facts above were read. */
  readonly sources: readonly string[];
}

const KNATIVE_AND_RAW: readonly DeploymentKind[] = ['knative', 'raw'];
const RAW_ONLY: readonly DeploymentKind[] = ['raw'];

/** Where ODH 2.x's facts come from. */
const ODH2_SOURCES = [
  'opendatahub-io/odh-model-controller config/runtimes/ and config/base/params.env at the tag',
  'opendatahub-io/kserve python/VERSION and pkg/controller/v1beta1/inferenceservice/reconcilers/deployment/deployment_reconciler.go at the tag',
  'opendatahub-io/opendatahub-operator v2.35.0 api/components/v1alpha1/kserve_types.go (defaultDeploymentMode Serverless)',
];

/** Where ODH 3.x's facts come from. */
const ODH3_SOURCES = [
  ...ODH2_SOURCES.slice(0, 2),
  'opendatahub-io/opendatahub-operator v3.0.0 internal/controller/components/kserve/kserve_support.go updateInferenceCM ("RawDeployment mode is the only supported mode")',
];

function odh(release: string, facts: Omit<ReleaseProfile, 'id' | 'product' | 'release' | 'title' | 'platform' | 'imageVolumes' | 'nodes' | 'sources'> & { imageVolumes?: boolean }): ReleaseProfile {
  return {
    id: `odh-${release}`,
    product: 'odh',
    release,
    title: `OpenDataHub ${release}`,
    platform: 'odh',
    imageVolumes: false,
    nodes: OPENSHIFT_NODES,
    sources: release.startsWith('2.') ? ODH2_SOURCES : ODH3_SOURCES,
    ...facts,
  };
}

const ODH_RELEASES: readonly ReleaseProfile[] = [
  // odh-v2.25: KServe reads enable-auth of a RawDeployment model as a LABEL (opendatahub-io/kserve odh-v2.25
  // deployment_reconciler.go `componentMeta.Labels[constants.ODHKserveRawAuth]`; odh-model-controller odh-v2.25
  // kserve_raw_route_reconciler.go `isvc.Labels[constants.LabelEnableAuthODH]`).
  odh('2.25', { kserveVersion: '0.14', modeNames: 'legacy', modes: KNATIVE_AND_RAW, defaultMode: 'knative', rawAuthMarker: 'label', runtimes: 'odh-v2.25', crds: 'odh-v2.25', modeCheck: 'legacy' }),
  // odh-v2.26: the annotation (deployment_reconciler.go `componentMeta.Annotations[...]`); templates equal odh-v2.25's.
  odh('2.26', { kserveVersion: '0.14', modeNames: 'legacy', modes: KNATIVE_AND_RAW, defaultMode: 'knative', rawAuthMarker: 'annotation', runtimes: 'odh-v2.26', crds: 'odh-v2.25', modeCheck: 'legacy' }),
  // odh-v2.27: vllm-runtime renamed vllm-cuda-runtime, tgis-grpc-runtime removed.
  odh('2.27', { kserveVersion: '0.14', modeNames: 'legacy', modes: KNATIVE_AND_RAW, defaultMode: 'knative', rawAuthMarker: 'annotation', runtimes: 'odh-v2.27', crds: 'odh-v2.25', modeCheck: 'legacy' }),
  // odh-v2.30: KServe 0.15.2 (the upstream v0.15.2 CRDs, of which the fork differs by a few fields modelcar does not write).
  odh('2.30', { kserveVersion: '0.15', modeNames: 'legacy', modes: KNATIVE_AND_RAW, defaultMode: 'knative', rawAuthMarker: 'annotation', runtimes: 'odh-v2.30', crds: 'v0.15.2', modeCheck: 'legacy' }),
  odh('2.35', { kserveVersion: '0.15', modeNames: 'legacy', modes: KNATIVE_AND_RAW, defaultMode: 'knative', rawAuthMarker: 'annotation', runtimes: 'odh-v2.35', crds: 'v0.15.2', modeCheck: 'legacy' }),
  // odh-v3.0: RawDeployment only; caikit-standalone-runtime gone.
  odh('3.0', { kserveVersion: '0.15', modeNames: 'legacy', modes: RAW_ONLY, defaultMode: 'raw', rawAuthMarker: 'annotation', runtimes: 'odh-v3.0', crds: 'v0.15.2', modeCheck: 'legacy' }),
  // odh-v3.3: caikit-tgis-runtime gone.
  odh('3.3', { kserveVersion: '0.15', modeNames: 'legacy', modes: RAW_ONLY, defaultMode: 'raw', rawAuthMarker: 'annotation', runtimes: 'odh-v3.3', crds: 'v0.15.2', modeCheck: 'legacy' }),
  // odh-v3.4: the fork moves to KServe 0.17.0: Knative/Standard, and its defaulter rewrites the old names
  // (pkg/apis/serving/v1beta1/inference_service_defaults.go "Normalize deprecated annotation values") while its
  // validator still compares the raw status (inference_service_validation.go validateDeploymentMode).
  odh('3.4', { kserveVersion: '0.17', modeNames: 'renamed', modes: RAW_ONLY, defaultMode: 'raw', rawAuthMarker: 'annotation', runtimes: 'odh-v3.4', crds: 'odh-v3.4', modeCheck: 'raw' }),
];

/**
 * OpenShift AI releases, by the OpenDataHub release whose runtime templates and controllers they match
 * (red-hat-data-services/odh-model-controller and red-hat-data-services/kserve, branch rhoai-<release>, compared with
 * opendatahub-io's tags). OpenShift AI installs its own model server images (registry.redhat.io, from its operator);
 * the built-in runtimes carry OpenDataHub's images, so pin OpenShift AI's with `runtimes.<name>.image`.
 */
const RHOAI_MATCHES: readonly { release: string; odh: string; rawAuthMarker?: RawAuthMarker; withoutRuntimes?: readonly string[] }[] = [
  // rhoai-2.16: templates equal odh-v2.25's; its KServe (python/VERSION 0.14.0) has no RawDeployment token auth at all
  // (no enable-auth in red-hat-data-services/kserve rhoai-2.16 pkg/; odh-model-controller rhoai-2.16 reads it only for
  // Serverless, controllers/resources/authconfig.go).
  { release: '2.16', odh: '2.25', rawAuthMarker: 'none' },
  // rhoai-2.19: templates equal odh-v2.27's; the annotation (deployment_reconciler.go).
  { release: '2.19', odh: '2.27' },
  { release: '2.22', odh: '2.30' },
  { release: '2.25', odh: '2.35' },
  // rhoai-3.0 ships no caikit-tgis template (config/runtimes/ at rhoai-3.0).
  { release: '3.0', odh: '3.0', withoutRuntimes: ['caikit-tgis-runtime'] },
  { release: '3.3', odh: '3.3' },
  { release: '3.4', odh: '3.4' },
];

const RHOAI_RELEASES: readonly ReleaseProfile[] = RHOAI_MATCHES.map((m) => {
  const base = ODH_RELEASES.find((r) => r.release === m.odh)!;
  return {
    ...base,
    id: `rhoai-${m.release}`,
    product: 'rhoai',
    release: m.release,
    title: `OpenShift AI ${m.release}`,
    rawAuthMarker: m.rawAuthMarker ?? base.rawAuthMarker,
    withoutRuntimes: m.withoutRuntimes,
    sources: [`red-hat-data-services/odh-model-controller and red-hat-data-services/kserve, branch rhoai-${m.release}, as ${base.id}`, ...base.sources],
  };
});

function kserve(minor: number): ReleaseProfile {
  const release = `0.${minor}`;
  return {
    id: `kserve-${release}`,
    product: 'kserve',
    release,
    title: `KServe ${release}`,
    platform: 'kserve',
    kserveVersion: release,
    // kserve/kserve v0.16.0 pkg/constants/constants.go: Knative and Standard, the old names deprecated aliases.
    modeNames: minor >= 16 ? 'renamed' : 'legacy',
    modes: KNATIVE_AND_RAW,
    // config/configmap/inferenceservice.yaml at every tag: "defaultDeploymentMode": "Serverless".
    defaultMode: 'knative',
    rawAuthMarker: 'none',
    // Plain KServe gets the ODH runtime specs (without ODH metadata): those modelcar always had for 0.15, the newest
    // ODH release's from 0.16 on.
    runtimes: minor >= 16 ? 'odh-v3.4' : 'odh-v2.25',
    // The newest upstream CRDs stand for 0.16 to 0.20: what they add (canary, storageUris, ...) modelcar never writes.
    crds: minor >= 16 ? 'v0.20.0' : 'v0.15.2',
    // kserve/kserve v0.20.0 pkg/constants/constants.go OciNativeURIPrefix (PR 5558); absent at v0.19.0.
    imageVolumes: minor >= 20,
    // validateDeploymentMode (pkg/apis/serving/v1beta1/inference_service_validation.go) compares the raw status up to
    // v0.18.x and ParseDeploymentMode(status) from v0.19.0.
    modeCheck: minor >= 19 ? 'parsed' : minor >= 16 ? 'raw' : 'legacy',
    nodes: KUBERNETES_NODES,
    sources: [`kserve/kserve v${release}.x: pkg/constants/constants.go, pkg/apis/serving/v1beta1/, config/configmap/inferenceservice.yaml`],
  };
}

const KSERVE_RELEASES: readonly ReleaseProfile[] = [15, 16, 17, 18, 19, 20].map(kserve);

/** Every release profile, by id. */
export const RELEASES: ReadonlyMap<string, ReleaseProfile> = new Map([...ODH_RELEASES, ...RHOAI_RELEASES, ...KSERVE_RELEASES].map((r) => [r.id, r]));

/** The release written for when a config or construct names none: the newest of each product. */
export const DEFAULT_RELEASES: Readonly<Record<Product, string>> = { odh: '3.4', rhoai: '3.4', kserve: '0.20' };

/** The release modelcar writes for unless told otherwise: the newest OpenDataHub release. */
export const DEFAULT_RELEASE: ReleaseProfile = RELEASES.get(`odh-${DEFAULT_RELEASES.odh}`)!;

/** The releases of a product, oldest first, as `<major>.<minor>`. */
export function releasesOf(product: Product): string[] {
  return [...RELEASES.values()].filter((r) => r.product === product).map((r) => r.release);
}

/**
 * The profile of a product's release, or a message saying which releases are known. `release` defaults to the
 * product's newest.
 */
export function findRelease(product: Product, release?: string): ReleaseProfile | string {
  if (!PRODUCTS.includes(product)) return `"${product}" is not a platform modelcar knows; use one of ${PRODUCTS.join(', ')}`;
  const wanted = release ?? DEFAULT_RELEASES[product];
  const found = RELEASES.get(`${product}-${wanted}`);
  if (found) return found;
  const known = releasesOf(product);
  const shape = /^\d+\.\d+$/.test(wanted) ? '' : ` (write "<major>.<minor>", quoted)`;
  const title = productTitle(product);
  return `"${wanted}" is not ${/^[AEIOU]/.test(title) ? 'an' : 'a'} ${title} release modelcar knows${shape}; known: ${known.join(', ')}`;
}

/** The profile of a product's release; throws naming the known releases. */
export function releaseProfile(product: Product, release?: string): ReleaseProfile {
  const found = findRelease(product, release);
  if (typeof found === 'string') throw new PropError({ construct: '', path: ['release'], value: release, message: found });
  return found;
}

/** The profile of a release id (`odh-3.4`), or of a profile; throws naming the known ids. */
export function resolveRelease(release: string | ReleaseProfile | undefined): ReleaseProfile {
  if (release === undefined) return DEFAULT_RELEASE;
  if (typeof release !== 'string') return release;
  const found = RELEASES.get(release);
  if (!found) {
    const known = [...RELEASES.keys()];
    throw new PropError({ construct: '', path: ['release'], value: release, message: `"${release}" is not a release modelcar knows; known: ${known.join(', ')}`, allowed: known });
  }
  return found;
}

/**
 * The release for what older configs and constructs say: a platform and maybe a KServe version. `kserve` with a version
 * is that KServe release; without one, or `odh`, the product's newest.
 */
function releaseForPlatform(platform: Platform, kserveVersion?: string): ReleaseProfile {
  return platform === 'kserve' ? releaseProfile('kserve', kserveVersion) : DEFAULT_RELEASE;
}

/** How a product is named in messages. */
export function productTitle(product: Product): string {
  return product === 'odh' ? 'OpenDataHub' : product === 'rhoai' ? 'OpenShift AI' : 'KServe';
}

/** The deployment mode annotation value of a kind of deployment, by its name in the release. */
function modeName(profile: ReleaseProfile, kind: DeploymentKind): DeploymentMode {
  if (profile.modeNames === 'renamed') return kind === 'knative' ? 'Knative' : 'Standard';
  return kind === 'knative' ? 'Serverless' : 'RawDeployment';
}

/**
 * The deployment mode annotation value of a model on a release: the mode asked for (or the release's default), by its
 * name there. Throws when the release does not support the mode, or does not know its name, saying what to write.
 */
export function deploymentModeOn(profile: ReleaseProfile, mode?: DeploymentMode): DeploymentMode {
  if (mode === undefined) return modeName(profile, profile.defaultMode);
  const kind = deploymentKind(mode);
  if (!profile.modes.includes(kind)) {
    const only = profile.modes.map((k) => `"${modeName(profile, k)}"`).join(' or ');
    throw new PropError({
      construct: '',
      path: ['deploymentMode'],
      value: mode,
      message:
        `"${mode}" is not supported by ${profile.title}: ${kindWords(kind)} is not one of its deployment modes ` +
        `(opendatahub-operator v3.0.0 kserve_support.go: "RawDeployment mode is the only supported mode"); use ${only}`,
    });
  }
  if ((mode === 'Knative' || mode === 'Standard') && profile.modeNames === 'legacy') {
    throw new PropError({
      construct: '',
      path: ['deploymentMode'],
      value: mode,
      message: `"${mode}" is a KServe 0.16 name, but ${profile.title} runs KServe ${profile.kserveVersion}, which does not know it; use "${modeName(profile, kind)}"`,
    });
  }
  return modeName(profile, kind);
}

/** What constructs say of their release: a profile or id, or (older props) a platform and a KServe version. */
export interface ReleaseProps {
  readonly release?: string | ReleaseProfile;
  readonly platform?: Platform;
  readonly kserveVersion?: string;
}

/**
 * The release a construct's props name: `release`, else that of `platform` and `kserveVersion`, else
 * {@link DEFAULT_RELEASE}. Throws a {@link PropError} of `what` (the construct) naming the prop, when they disagree or
 * name no known release.
 */
export function profileOf(what: string, props: ReleaseProps): ReleaseProfile {
  const refuse = (prop: keyof ReleaseProps, message: string): never => {
    throw new PropError({ construct: what, path: [prop], value: props[prop], message });
  };
  try {
    if (props.release !== undefined) {
      const profile = resolveRelease(props.release);
      if (props.platform !== undefined && props.platform !== profile.platform) {
        refuse('platform', `"${props.platform}" does not match release ${profile.id}, whose platform is ${profile.platform}; drop platform`);
      }
      if (props.kserveVersion !== undefined && props.kserveVersion !== profile.kserveVersion) {
        refuse('kserveVersion', `"${props.kserveVersion}" does not match release ${profile.id}, which runs KServe ${profile.kserveVersion}; drop kserveVersion`);
      }
      return profile;
    }
    if (props.kserveVersion !== undefined && props.platform !== 'kserve') {
      refuse('kserveVersion', `names a plain KServe release; with platform ${props.platform ?? DEFAULT_RELEASE.platform} name the release instead (e.g. ${DEFAULT_RELEASE.id})`);
    }
    return props.platform === undefined ? DEFAULT_RELEASE : releaseForPlatform(props.platform, props.kserveVersion);
  } catch (e) {
    // resolveRelease and releaseForPlatform name no construct, and releaseForPlatform's release is the kserveVersion prop.
    if (!PropError.isPropError(e) || e.construct !== '') throw e;
    const prop = props.release === undefined && e.prop === 'release' ? 'kserveVersion' : e.prop;
    throw new PropError(e.problems.map((p) => ({ ...p, construct: what, path: [prop] })));
  }
}
