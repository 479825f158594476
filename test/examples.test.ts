import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { main } from '../src/cli/main';
import { SERVERLESS_AUTH_NOTE, SHARED_RUNTIME_NOTE } from '../src/config/translate/translate';
import { readModes, readTree } from './support/tree';
import { requireTool } from './support/tools';
import { tempDir } from './support/temp';

const ROOT = path.resolve(__dirname, '..');

/** Each example: its config and the committed output it must synthesize to, both relative to the repository. */
const EXAMPLES: Record<string, { config: string; dist: string }> = {
  mobilenet: { config: 'examples/mobilenet/modelcar.yaml', dist: 'dist' }, // the repository's own dist/
  'vllm-gpu': { config: 'examples/vllm-gpu/modelcar.yaml', dist: 'examples/vllm-gpu/dist' },
  'multi-namespace': { config: 'examples/multi-namespace/modelcar.yaml', dist: 'examples/multi-namespace/dist' },
  gitops: { config: 'examples/gitops/modelcar.yaml', dist: 'examples/gitops/dist' },
};

/** The warnings of each example: where, and which. */
const WARNINGS: Record<string, [string, string][]> = {
  mobilenet: [['19:5: models[0]', SERVERLESS_AUTH_NOTE]],
  'multi-namespace': [
    ['30:18: defaults.sharedRuntime', SHARED_RUNTIME_NOTE],
    ['41:5: models[0]', SERVERLESS_AUTH_NOTE],
  ],
  gitops: [['39:5: models[0]', SERVERLESS_AUTH_NOTE]],
};

describe('examples', () => {
  test('every folder under examples/ is covered here (examples/typescript in typescript-example.test.ts)', () => {
    expect(fs.readdirSync(path.join(ROOT, 'examples')).sort()).toStrictEqual([...Object.keys(EXAMPLES), 'typescript'].sort());
  });

  test.each(Object.entries(EXAMPLES))('GIVEN examples/%s WHEN synthesized into a fresh folder THEN it is its committed output, file for file, byte for byte, mode for mode', async (_name, { config, dist }) => {
    // The same relative layout as in the repository, so the headers name the config the same way.
    const dir = tempDir('modelcar-example-');
    fs.mkdirSync(path.join(dir, path.dirname(config)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, config), path.join(dir, config));
    let err = '';
    const code = await main(['synth', '-c', path.join(dir, config), '-o', path.join(dir, dist)], () => undefined, (t) => (err += t));
    // Serverless models with token auth get the warning of what the cluster needs (Authorino), at the first one;
    // multi-namespace shares its runtimes, with the warning that the dashboard must then keep its hands off.
    const warning = (at: string, note: string) => `modelcar: warning: ${path.join(dir, config)}:${at}: ${note}\n`;
    const expected = (WARNINGS[_name] ?? []).map(([at, note]) => warning(at, note)).join('');
    expect({ code, err }).toStrictEqual({ code: 0, err: expected });
    expect(readTree(path.join(dir, dist))).toStrictEqual(readTree(path.join(ROOT, dist)));
    expect(readModes(path.join(dir, dist))).toStrictEqual(readModes(path.join(ROOT, dist)));
  });

  test.each(Object.entries(EXAMPLES))('GIVEN examples/%s THEN kubectl kustomize builds its manifests (of every environment)', (_name, { dist }) => {
    requireTool('kubectl', 'apt-get install -y kubernetes-client  # or any kubectl client');
    const folders = Object.keys(readTree(path.join(ROOT, dist)))
      .filter((f) => /^([a-z0-9-]+\/)?manifests\/kustomization\.yaml$/.test(f))
      .map((f) => path.dirname(f));
    expect(folders.length).toBeGreaterThan(0);
    for (const folder of folders) {
      const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, dist, folder)], { encoding: 'utf8' });
      expect(out).toMatch(/^kind: InferenceService$/m);
    }
  });

  test('GIVEN the GitOps example THEN three environments, an Application each, ExternalSecrets and no credentials', () => {
    const tree = readTree(path.join(ROOT, EXAMPLES.gitops.dist));
    expect(Object.keys(tree).filter((f) => f.startsWith('argocd/'))).toStrictEqual([
      'argocd/application-models-dev.yaml',
      'argocd/application-models-prod.yaml',
      'argocd/application-models-staging.yaml',
      'argocd/kustomization.yaml',
    ]);
    expect(Object.keys(tree).filter((f) => f.includes('externalsecret'))).toStrictEqual([
      'dev/manifests/models-dev/externalsecret-registry-pull.yaml',
      'prod/manifests/models-prod/externalsecret-registry-pull.yaml',
      'staging/manifests/models-staging/externalsecret-registry-pull.yaml',
    ]);
    expect(tree['prod/manifests/models-prod/inferenceservice-mobilenet.yaml']).toContain('    maxReplicas: 4\n');
    expect(tree['dev/manifests/models-dev/inferenceservice-mobilenet.yaml']).toContain('storageUri: oci://registry.example.com/vision/mobilenet:v2-8-rc1\n');
    expect(tree['argocd/application-models-prod.yaml']).toContain('    path: examples/gitops/dist/prod/manifests\n');
    for (const content of Object.values(tree)) expect(content).not.toMatch(/dockerconfigjson:\s*e/);
  });

  test('GIVEN the vLLM example THEN one GPU, its toleration and node selector, and the LLM files at the top of /models', () => {
    const tree = readTree(path.join(ROOT, EXAMPLES['vllm-gpu'].dist));
    const isvc = tree['manifests/llm/inferenceservice-qwen-chat.yaml'];
    expect(isvc).toContain('          nvidia.com/gpu: "1"\n');
    expect(isvc).toContain('    tolerations:\n      - effect: NoSchedule\n        key: nvidia.com/gpu\n        operator: Exists\n');
    expect(isvc).toContain('    nodeSelector:\n      nvidia.com/gpu.present: "true"\n');
    expect(tree['images/llm/qwen-chat/Containerfile']).toContain('COPY --chown=0:0 --chmod=0444 models/model.safetensors /models/model.safetensors\n');
  });

  test('GIVEN the two-namespace example THEN one ServingRuntime per namespace, both on the pinned mirror image, and every model pulls with the namespace pull secret', () => {
    const tree = readTree(path.join(ROOT, EXAMPLES['multi-namespace'].dist));
    const runtimes = Object.keys(tree).filter((p) => p.includes('/servingruntime-'));
    expect(runtimes).toStrictEqual(['manifests/team-edge/servingruntime-kserve-ovms.yaml', 'manifests/team-vision/servingruntime-kserve-ovms.yaml']);
    for (const p of runtimes) {
      expect(tree[p]).toContain('      image: registry.example.com/mirror/openvino_model_server@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n');
    }
    const isvcs = Object.keys(tree).filter((p) => p.includes('/inferenceservice-'));
    expect(isvcs).toHaveLength(4);
    for (const p of isvcs) expect(tree[p]).toContain('    imagePullSecrets:\n      - name: registry-pull\n');
  });
});
