/**
 * Argo CD applies every change in git: its comparison (argo-cd v3.4.0 gitops-engine/pkg/diff/diff.go, reproduced in
 * test/support/argocd-diff.ts) of modelcar's desired objects with the live ones after the webhooks of the release
 * (test/support/cluster.ts) finds no drift of its own, and finds every change made in git; the ignore rules modelcar
 * writes into its Applications are applied as Argo CD applies them (util/argo/normalizers/diff_normalizer.go).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ReleaseProfile, resolveRelease } from '../../src/core/releases';
import { IgnoreRule, isModified } from '../support/argocd-diff';
import { ClusterState, applied } from '../support/cluster';
import { cli, project } from '../support/project';

/** A config with Argo CD Applications, one model with GPUs (so it has tolerations) and a pull secret. */
function config(release: string, model: string) {
  return `version: 1
platform: ${release.split('-')[0]}
release: "${release.split('-')[1]}"
argocd:
  application: { repoURL: https://git.example.com/models.git, automated: true }
defaults: { namespace: ml, runtime: kserve-ovms${release.startsWith('kserve') ? ', auth: false' : ''} }
models:
  - name: mobilenet
    format: onnx
    image: quay.io/team/mobilenet:1
    pullSecret: quay-pull
    gpus: 1
    files: [{ source: https://example.com/m.onnx }]
${model}`;
}

/** Synthesizes a config; returns its objects by file and its Application's ignore rules. */
async function synth(text: string): Promise<{ objects: Record<string, any>; rules: IgnoreRule[]; application: any }> {
  const p = project(text, 'modelcar-argocd-');
  const r = await cli(['synth', '-c', p.config, '-o', p.dist]);
  if (r.code !== 0) throw new Error(r.err);
  const read = (f: string) => YAML.parse(fs.readFileSync(path.join(p.dist, f), 'utf8'));
  const dir = path.join(p.dist, 'manifests', 'ml');
  const objects = Object.fromEntries(fs.readdirSync(dir).filter((f) => f !== 'kustomization.yaml').map((f) => [f, read(path.join('manifests', 'ml', f))]));
  const application = read('argocd/application-modelcar.yaml');
  return { objects, rules: application.spec.ignoreDifferences ?? [], application };
}

/**
 * Every object of a sync, as Argo CD's comparison sees it: which ones are Modified. (Core kinds, which Argo CD
 * compares with a strategic merge patch, go through the same JSON merge model here; for modelcar's ServiceAccounts,
 * Roles and Secrets, whose live fields are git's plus additions, both give the same answer.)
 */
function modified(desired: Record<string, any>, live: Record<string, any>, rules: IgnoreRule[]): string[] {
  return Object.keys(desired).filter((f) => isModified(desired[f], live[f], rules));
}

/** The live objects after Argo CD applied the desired ones on a release's cluster. */
function sync(desired: Record<string, any>, release: ReleaseProfile, cluster: ClusterState = {}, previous: Record<string, any> = {}): Record<string, any> {
  return Object.fromEntries(Object.entries(desired).map(([f, o]) => [f, applied(o, release, cluster, previous[f])]));
}

/** The rules modelcar's Applications had before: fields of every InferenceService, whatever its annotations. */
const OLD_RULES: IgnoreRule[] = [
  {
    group: 'serving.kserve.io',
    kind: 'InferenceService',
    jqPathExpressions: ['.spec.predictor.imagePullSecrets', '.spec.predictor.model.resources', '.spec.predictor.nodeSelector', '.spec.predictor.tolerations'],
  },
];

const ISVC = 'inferenceservice-mobilenet.yaml';

describe('Argo CD: every change in git syncs', () => {
  test.each([['odh-2.25'], ['odh-3.4'], ['rhoai-2.25'], ['kserve-0.15'], ['kserve-0.20']])(
    'GIVEN %s WHEN Argo CD applied the manifests and the webhooks ran THEN nothing is Modified, with no ignore rule at all',
    async (id) => {
      const release = resolveRelease(id);
      const { objects, rules, application } = await synth(config(id, ''));
      expect(application.spec.ignoreDifferences).toBeUndefined();
      expect(rules).toStrictEqual([]);
      const live = sync(objects, release);
      expect(modified(objects, live, rules)).toStrictEqual([]);
      // The webhooks did change the live InferenceService (additions only, which are not drift).
      if (release.kserveVersion >= '0.17') expect(live[ISVC].metadata.annotations.modelFormat).toBe('onnx');
    },
  );

  test.each([
    ['resources', true, (t: string) => t.replace('    gpus: 1\n', '    gpus: 1\n    resources: { limits: { memory: 12Gi } }\n')],
    ['pull secret', true, (t: string) => t.replace('pullSecret: quay-pull', 'pullSecret: quay-pull-2')],
    ['node selector', true, (t: string) => t.replace('    gpus: 1\n', '    gpus: 1\n    nodeSelector: { nvidia.com/gpu.product: NVIDIA-A100 }\n')],
    ['tolerations', true, (t: string) => t.replace('    gpus: 1\n', '    gpus: 1\n    tolerations: [{ key: gpu, operator: Exists, effect: NoSchedule }]\n')],
    ['image', false, (t: string) => t.replace('mobilenet:1', 'mobilenet:2')],
  ])('GIVEN a change of the %s in git THEN the InferenceService is Modified (OutOfSync, so automated sync applies it); the former ignore rules hid it: %s', async (_what, hidden, change) => {
    for (const id of ['odh-2.25', 'odh-3.4']) {
      const release = resolveRelease(id);
      const before = await synth(config(id, ''));
      const live = sync(before.objects, release);
      const after = await synth(change(config(id, '')));
      expect(modified(after.objects, live, after.rules)).toStrictEqual([ISVC]);
      expect(modified(after.objects, live, OLD_RULES)).toStrictEqual(hidden ? [] : [ISVC]);
    }
  });

  test('GIVEN a model with a hardware profile THEN its Application ignores the node selector and tolerations the profile replaces (opendatahub-operator v2.35.0 hardwareprofile/mutating.go), of that model only: live is not Modified, and a change of its resources in git still is', async () => {
    const release = resolveRelease('odh-2.35');
    const model = `  - name: granite
    format: onnx
    image: quay.io/team/granite:1
    gpus: 1
    annotations: { opendatahub.io/hardware-profile-name: a100 }
    files: [{ source: https://example.com/m.onnx }]
`;
    const { objects, rules } = await synth(config('odh-2.35', model));
    expect(rules).toStrictEqual([
      { group: 'serving.kserve.io', kind: 'InferenceService', name: 'granite', namespace: 'ml', jsonPointers: ['/spec/predictor/nodeSelector', '/spec/predictor/tolerations'] },
    ]);
    const cluster: ClusterState = { hardwareProfile: { nodeSelector: { 'nvidia.com/gpu.product': 'A100' }, tolerations: [{ key: 'a100', operator: 'Exists', effect: 'NoSchedule' }], identifiers: { 'nvidia.com/gpu': '1' } } };
    const live = sync(objects, release, cluster);
    expect(live['inferenceservice-granite.yaml'].spec.predictor.tolerations).toStrictEqual([{ key: 'a100', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(modified(objects, live, rules)).toStrictEqual([]);
    // Without the rule the profile's tolerations would be reverted at every sync, and the webhook would set them again.
    expect(modified(objects, live, [])).toStrictEqual(['inferenceservice-granite.yaml']);
    const changed = await synth(config('odh-2.35', model.replace('    gpus: 1\n', '    gpus: 1\n    resources: { requests: { memory: 6Gi } }\n')));
    expect(modified(changed.objects, live, changed.rules)).toStrictEqual(['inferenceservice-granite.yaml']);
  });

  test('GIVEN a model with a connection THEN its Application ignores the pull secrets and storageUri the connection webhook injects (opendatahub-operator v2.35.0 inferenceservice/mutating.go): live is not Modified', async () => {
    const release = resolveRelease('odh-2.35');
    const model = `  - name: granite
    format: onnx
    image: quay.io/team/granite:1
    pullSecret: quay-pull
    annotations: { opendatahub.io/connections: team-quay }
    files: [{ source: https://example.com/m.onnx }]
`;
    const { objects, rules } = await synth(config('odh-2.35', model));
    expect(rules.map((r) => [r.name, r.jsonPointers])).toStrictEqual([['granite', ['/spec/predictor/imagePullSecrets', '/spec/predictor/model/storageUri']]]);
    const live = sync(objects, release, { ociConnectionSecret: 'team-quay' });
    expect(live['inferenceservice-granite.yaml'].spec.predictor.imagePullSecrets).toStrictEqual([{ name: 'quay-pull' }, { name: 'team-quay' }]);
    expect(modified(objects, live, rules)).toStrictEqual([]);
    expect(modified(objects, live, [])).toStrictEqual(['inferenceservice-granite.yaml']);
  });

  test('GIVEN OpenDataHub 3.4, whose KServe rewrites the old mode names THEN modelcar writes Standard, which the live object keeps; RawDeployment in git would be Modified forever (opendatahub-io/kserve odh-v3.4 inference_service_defaults.go)', async () => {
    const release = resolveRelease('odh-3.4');
    const { objects, rules } = await synth(config('odh-3.4', ''));
    expect(objects[ISVC].metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Standard');
    const legacy = JSON.parse(JSON.stringify(objects));
    legacy[ISVC].metadata.annotations['serving.kserve.io/deploymentMode'] = 'RawDeployment';
    const live = sync(legacy, release);
    expect(live[ISVC].metadata.annotations['serving.kserve.io/deploymentMode']).toBe('Standard');
    expect(modified(legacy, live, rules)).toStrictEqual([ISVC]);
    expect(modified(objects, sync(objects, release), rules)).toStrictEqual([]);
  });

  test('GIVEN a second sync of an unchanged git THEN nothing is Modified: the token Secret the controller filled in and the status are not drift', async () => {
    const release = resolveRelease('odh-3.4');
    const { objects, rules } = await synth(config('odh-3.4', ''));
    const first = sync(objects, release);
    const second = sync(objects, release, {}, first);
    expect(second['secret-default-name-mobilenet-sa.yaml'].data.token).toBe('dG9rZW4=');
    expect(modified(objects, second, rules)).toStrictEqual([]);
  });
});
