import * as fs from 'fs';
import * as path from 'path';
import { cli as run } from '../support/project';
import { SERVERLESS_AUTH_NOTE } from '../../src/config/translate/translate';
import { unifiedDiff } from '../../src/output/diff';
import { tempDir } from '../support/temp';

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE = 'examples/mobilenet/modelcar.yaml';

/** A project folder with the example config, synthesized into dist/. */
async function synthesized(): Promise<{ config: string; dist: string }> {
  const dir = tempDir('modelcar-check-');
  const config = path.join(dir, EXAMPLE);
  fs.mkdirSync(path.dirname(config), { recursive: true });
  fs.copyFileSync(path.join(ROOT, EXAMPLE), config);
  const dist = path.join(dir, 'dist');
  expect((await run(['synth', '-c', config, '-o', dist])).code).toBe(0);
  return { config, dist };
}

describe('modelcar synth --check', () => {
  test('GIVEN dist/ as synth writes it THEN exit 0, "up to date", nothing written', async () => {
    const { config, dist } = await synthesized();
    const before = fs.statSync(dist).mtimeMs;
    expect(await run(['synth', '--check', '-c', config, '-o', dist])).toStrictEqual({ code: 0, out: `${dist}/ is up to date\n`, err: `modelcar: warning: ${config}:19:5: models[0]: ${SERVERLESS_AUTH_NOTE}\n` });
    expect(fs.statSync(dist).mtimeMs).toBe(before);
  });

  test('GIVEN a changed image tag and a file whose mode changed THEN exit 1, the files, and a unified diff of each', async () => {
    const { config, dist } = await synthesized();
    fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('mobilenet:v2-7', 'mobilenet:v2-8'));
    fs.chmodSync(path.join(dist, 'images/oci-model-example/sample-isvc-using-private-oci/build.sh'), 0o644);
    const tree = fs.readFileSync(path.join(dist, 'manifests/oci-model-example/inferenceservice-sample-isvc-using-oci.yaml'), 'utf8');
    const result = await run(['synth', '--check', '-c', config, '-o', dist]);
    expect(result).toStrictEqual({
      code: 1,
      err: `modelcar: warning: ${config}:19:5: models[0]: ${SERVERLESS_AUTH_NOTE}\n`,
      out: `${dist}/ is stale: run \`modelcar synth\` and commit the result
  ~ images/oci-model-example/sample-isvc-using-oci/build.sh
  ~ images/oci-model-example/sample-isvc-using-private-oci/build.sh
  ~ manifests/oci-model-example/inferenceservice-sample-isvc-using-oci.yaml

--- a/${dist}/images/oci-model-example/sample-isvc-using-oci/build.sh
+++ b/${dist}/images/oci-model-example/sample-isvc-using-oci/build.sh
@@ -10,7 +10,7 @@
 set -eu
 cd "$(dirname "$0")"
 
-IMAGE='quay.io/modelcar-example/mobilenet:v2-7'
+IMAGE='quay.io/modelcar-example/mobilenet:v2-8'
 PUSH=1
 TLS=
 for arg in "$@"; do

--- a/${dist}/images/oci-model-example/sample-isvc-using-private-oci/build.sh
+++ b/${dist}/images/oci-model-example/sample-isvc-using-private-oci/build.sh
mode 644 -> 755

--- a/${dist}/manifests/oci-model-example/inferenceservice-sample-isvc-using-oci.yaml
+++ b/${dist}/manifests/oci-model-example/inferenceservice-sample-isvc-using-oci.yaml
@@ -30,4 +30,4 @@
           cpu: "1"
           memory: 4Gi
       runtime: sample-isvc-using-oci
-      storageUri: oci://quay.io/modelcar-example/mobilenet:v2-7
+      storageUri: oci://quay.io/modelcar-example/mobilenet:v2-8
`,
    });
    // --check wrote nothing
    expect(fs.readFileSync(path.join(dist, 'manifests/oci-model-example/inferenceservice-sample-isvc-using-oci.yaml'), 'utf8')).toBe(tree);
    // and synth brings dist/ up to date
    expect((await run(['synth', '-c', config, '-o', dist])).code).toBe(0);
    expect((await run(['synth', '--check', '-c', config, '-o', dist])).code).toBe(0);
  });

  test('GIVEN a model removed from the config THEN its files are listed as removed, each shown by its first lines', async () => {
    const { config, dist } = await synthesized();
    const text = fs.readFileSync(config, 'utf8');
    fs.writeFileSync(config, text.slice(0, text.indexOf('  # Deployed from a private repository')));
    const result = await run(['synth', '--check', '-c', config, '-o', dist]);
    expect(result.code).toBe(1);
    expect(result.out.split('\n').slice(0, 13)).toStrictEqual([
      `${dist}/ is stale: run \`modelcar synth\` and commit the result`,
      '  ~ manifests/oci-model-example/kustomization.yaml',
      '  - images/oci-model-example/sample-isvc-using-private-oci/.containerignore',
      '  - images/oci-model-example/sample-isvc-using-private-oci/.gitignore',
      '  - images/oci-model-example/sample-isvc-using-private-oci/Containerfile',
      '  - images/oci-model-example/sample-isvc-using-private-oci/build.sh',
      '  - manifests/oci-model-example/inferenceservice-sample-isvc-using-private-oci.yaml',
      '  - manifests/oci-model-example/role-sample-isvc-using-private-oci-view-role.yaml',
      '  - manifests/oci-model-example/rolebinding-sample-isvc-using-private-oci-view.yaml',
      '  - manifests/oci-model-example/secret-default-name-sample-isvc-using-private-oci-sa.yaml',
      '  - manifests/oci-model-example/serviceaccount-sample-isvc-using-private-oci-sa.yaml',
      '  - manifests/oci-model-example/servingruntime-sample-isvc-using-private-oci.yaml',
      '',
    ]);
    expect(result.out).toContain(`--- a/${dist}/manifests/oci-model-example/inferenceservice-sample-isvc-using-private-oci.yaml
+++ /dev/null
@@ -1,35 +0,0 @@
-# Generated by modelcar from examples/mobilenet/modelcar.yaml. Do not edit: change the source and run \`modelcar synth\`.
-apiVersion: serving.kserve.io/v1beta1
-kind: InferenceService
-metadata:
-  annotations:
-    argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true
-    argocd.argoproj.io/sync-wave: "1"
... 28 more diff lines
`);
  });

  test('GIVEN an empty output folder THEN every file is new', async () => {
    const { config } = await synthesized();
    const empty = path.join(path.dirname(path.dirname(path.dirname(config))), 'other');
    const result = await run(['synth', '--check', '-c', config, '-o', empty]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`--- /dev/null\n+++ b/${empty}/manifests/kustomization.yaml\n@@ -0,0 +1,5 @@\n`);
    expect(fs.existsSync(empty)).toBe(false);
  });
});

describe('warnings', () => {
  test('GIVEN model images without a tag or tagged latest THEN synth warns on stderr with file and line, and succeeds', async () => {
    const dir = tempDir('modelcar-warn-');
    const config = path.join(dir, 'modelcar.yaml');
    fs.writeFileSync(
      config,
      `version: 1
defaults: { namespace: demo, runtime: kserve-ovms }
models:
  - name: a
    format: onnx
    image: quay.io/team/a
    files: [{ source: https://example.com/a.onnx }]
  - name: b
    format: onnx
    image: quay.io/team/b:latest
    files: [{ source: https://example.com/b.onnx }]
  - name: c
    format: onnx
    image: quay.io/team/c@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    files: [{ source: https://example.com/c.onnx }]
`,
    );
    const result = await run(['synth', '-c', config, '-o', path.join(dir, 'dist')]);
    expect(result.code).toBe(0);
    const why =
      'the model is pulled again at every start of the model server (imagePullPolicy Always), which is slow for large models and may serve a different model after a push; give a fixed tag (e.g. ":v1") or a digest ("@sha256:...")';
    expect(result.err).toBe(
      `modelcar: warning: ${config}:6:12: models[0].image: "quay.io/team/a" has no tag: ${why}\n` +
        `modelcar: warning: ${config}:10:12: models[1].image: "quay.io/team/b:latest" has the tag "latest": ${why}\n`,
    );
    expect(result.out).toMatch(/^synthesized /);
  });
});

describe('unifiedDiff', () => {
  const labels = { before: 'a/f', after: 'b/f' };

  test('equal texts give no diff', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', labels)).toBe('');
  });

  test('changes far apart give separate hunks with three lines of context; close ones merge', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n') + '\n';
    const after = before.replace('line 2\n', 'line two\n').replace('line 18\n', 'line eighteen\n');
    expect(unifiedDiff(before, after, labels)).toBe(
      [
        '--- a/f',
        '+++ b/f',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+line two',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -15,6 +15,6 @@',
        ' line 15',
        ' line 16',
        ' line 17',
        '-line 18',
        '+line eighteen',
        ' line 19',
        ' line 20',
        '',
      ].join('\n'),
    );
    const close = before.replace('line 5\n', 'five\n').replace('line 9\n', 'nine\n');
    expect(unifiedDiff(before, close, labels).split('\n').filter((l) => l.startsWith('@@'))).toStrictEqual(['@@ -2,11 +2,11 @@']);
  });

  test('insertions and deletions inside a file; deletions come first within a change', () => {
    expect(unifiedDiff('a\nb\nc\n', 'a\nx\ny\nc\nd\n', labels)).toBe(['--- a/f', '+++ b/f', '@@ -1,3 +1,5 @@', ' a', '-b', '+x', '+y', ' c', '+d', ''].join('\n'));
  });

  test('a new file and a removed file diff against /dev/null', () => {
    expect(unifiedDiff(undefined, 'a\n', labels)).toBe('--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+a\n');
    expect(unifiedDiff('a\nb\n', undefined, labels)).toBe('--- a/f\n+++ /dev/null\n@@ -1,2 +0,0 @@\n-a\n-b\n');
  });

  test('a long diff is cut, and says how much was left out', () => {
    const after = Array.from({ length: 100 }, (_, i) => `${i}`).join('\n') + '\n';
    const text = unifiedDiff(undefined, after, labels, { maxLines: 5 });
    expect(text).toBe('--- /dev/null\n+++ b/f\n@@ -0,0 +1,100 @@\n+0\n+1\n+2\n+3\n... 96 more diff lines\n');
  });

  test('a change too large to diff line by line is shown as a replacement, still a correct diff', () => {
    const before = Array.from({ length: 3000 }, (_, i) => `old ${i}`).join('\n') + '\n';
    const after = Array.from({ length: 3000 }, (_, i) => `new ${i}`).join('\n') + '\n';
    const lines = unifiedDiff(before, after, labels, { maxLines: 10_000 }).split('\n');
    expect(lines[2]).toBe('@@ -1,3000 +1,3000 @@');
    expect(lines.filter((l) => l.startsWith('-')).length).toBe(3001); // with the --- header
    expect(lines.filter((l) => l.startsWith('+')).length).toBe(3001);
  });

  test('a difference only in the final line break is said so', () => {
    expect(unifiedDiff('a\n', 'a', labels)).toBe('--- a/f\n+++ b/f\n(the texts differ only in their final line break)\n');
  });
});
