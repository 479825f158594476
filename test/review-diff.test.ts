import * as fs from 'fs';
import * as path from 'path';
import { synthesizeConfigFile } from '../src/pipeline/synthesize';
import { readTree } from './support/tree';
import { tempDir } from './support/temp';

const ROOT = path.resolve(__dirname, '..');
const EXAMPLE = fs.readFileSync(path.join(ROOT, 'examples/mobilenet/modelcar.yaml'), 'utf8');

/** Synthesizes a config text into a fresh folder laid out as a project; returns dist/ as {path: content}. */
function distOf(config: string): Record<string, string> {
  const dir = tempDir('modelcar-review-');
  fs.writeFileSync(path.join(dir, 'modelcar.yaml'), config);
  synthesizeConfigFile({ config: path.join(dir, 'modelcar.yaml'), outdir: path.join(dir, 'dist') });
  return readTree(path.join(dir, 'dist'));
}

/** The changed lines between two trees, as `file: -old / +new` pairs (files keep their line count here). */
function changedLines(before: Record<string, string>, after: Record<string, string>): string[] {
  const out: string[] = [];
  for (const file of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    const a = (before[file] ?? '').split('\n');
    const b = (after[file] ?? '').split('\n');
    if (a.length !== b.length) {
      out.push(`${file}: ${a.length} -> ${b.length} lines`);
      continue;
    }
    a.forEach((line, i) => {
      if (line !== b[i]) out.push(`${file}:${i + 1}: -${line.trim()} +${b[i].trim()}`);
    });
  }
  return out;
}

describe('a reviewer\'s view of a model change', () => {
  test('GIVEN a new image tag for one model THEN dist/ changes in exactly two lines: its storageUri and its build script\'s IMAGE (the tag is not in the image, so the same files keep the same digest)', () => {
    const before = distOf(EXAMPLE);
    const after = distOf(EXAMPLE.replace('quay.io/modelcar-example/mobilenet:v2-7', 'quay.io/modelcar-example/mobilenet:v2-8'));
    expect(changedLines(before, after)).toStrictEqual([
      "images/oci-model-example/sample-isvc-using-oci/build.sh:13: -IMAGE='quay.io/modelcar-example/mobilenet:v2-7' +IMAGE='quay.io/modelcar-example/mobilenet:v2-8'",
      'manifests/oci-model-example/inferenceservice-sample-isvc-using-oci.yaml:33: -storageUri: oci://quay.io/modelcar-example/mobilenet:v2-7 +storageUri: oci://quay.io/modelcar-example/mobilenet:v2-8',
    ]);
  });

  test('GIVEN a digest instead of a tag THEN only the storageUri and IMAGE lines change', () => {
    const digest = 'sha256:' + 'ab'.repeat(32);
    const before = distOf(EXAMPLE);
    const after = distOf(EXAMPLE.replace('quay.io/modelcar-example/mobilenet:v2-7', `quay.io/modelcar-example/mobilenet@${digest}`));
    expect(changedLines(before, after).map((l) => l.split(':')[0])).toStrictEqual([
      'images/oci-model-example/sample-isvc-using-oci/build.sh',
      'manifests/oci-model-example/inferenceservice-sample-isvc-using-oci.yaml',
    ]);
  });
});
