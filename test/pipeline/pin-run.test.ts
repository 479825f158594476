/**
 * The digest of an in-cluster build comes back to git: `modelcar pin --from-run` takes finished TaskRuns as
 * `oc get taskrun -o yaml` prints them (a List, with Tekton's status: conditions and results), records the digest of
 * each in the lock file when the run was made from the inputs the config has now, and synth then pins storageUri.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { main } from '../../src/cli/main';
import { cli, project } from '../support/project';

const SHA = 'a'.repeat(64);
const DIGEST = `sha256:${'d'.repeat(64)}`;
const CONFIG = `version: 1
defaults:
  namespace: ml
  build: in-cluster
inCluster:
  serviceAccount: pipeline
models:
  - name: mobilenet
    runtime: kserve-ovms
    format: onnx
    image: quay.io/team/mobilenet:v2-7
    files:
      - source: https://example.com/mobilenet/model.onnx
        sha256: ${SHA}
        size: 14246826
`;

/** The TaskRun synth wrote, as the cluster returns it once it finished (Tekton's status of a v1 TaskRun). */
function finishedRun(dist: string, status: 'True' | 'False', results: Record<string, string>): any {
  const dir = path.join(dist, 'builds', 'ml');
  const run = YAML.parse(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.startsWith('taskrun-'))!), 'utf8'));
  run.metadata.uid = '1b4d3b6e-0000-4000-8000-000000000001';
  run.status = {
    conditions: [{ type: 'Succeeded', status, reason: status === 'True' ? 'Succeeded' : 'Failed', message: status === 'True' ? 'All Steps have completed executing' : '"step-stage" exited with code 1' }],
    results: Object.entries(results).map(([name, value]) => ({ name, type: 'string', value })),
  };
  return run;
}

/** Runs the CLI with a given standard input. */
async function cliWithStdin(args: string[], stdin: string) {
  let out = '';
  let err = '';
  const code = await main(args, (t) => (out += t), (t) => (err += t), { env: process.env, readStdin: () => stdin });
  return { code, out, err };
}

describe('modelcar pin --from-run', () => {
  test('GIVEN the finished TaskRun of the config THEN its digest goes into the lock file, and synth pins storageUri to it', async () => {
    const p = project(CONFIG);
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    const run = finishedRun(p.dist, 'True', { IMAGE_URL: 'quay.io/team/mobilenet:v2-7', IMAGE_DIGEST: DIGEST });
    const list = p.file('runs.yaml', YAML.stringify({ apiVersion: 'v1', kind: 'List', items: [run], metadata: { resourceVersion: '' } }));
    const pinned = await cli(['pin', '--from-run', list, '-c', p.config, '-o', p.dist]);
    expect(pinned).toStrictEqual({
      code: 0,
      out: `pinned ml/mobilenet: quay.io/team/mobilenet@${DIGEST} (TaskRun ${run.metadata.name})\nrecorded 1 digest in ${path.relative(process.cwd(), path.join(p.dir, 'modelcar.lock.yaml'))}; run \`modelcar synth\` to pin storageUri to them\n`,
      err: '',
    });
    const lock = YAML.parse(fs.readFileSync(path.join(p.dir, 'modelcar.lock.yaml'), 'utf8'));
    expect(lock.images['ml/mobilenet']).toStrictEqual({
      digest: DIGEST,
      files: { 'models/1/model.onnx': `sha256:${SHA}` },
      image: 'quay.io/team/mobilenet:v2-7',
      inputs: run.metadata.annotations['dev.modelcar.build.inputs'],
    });
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    const isvc = YAML.parse(fs.readFileSync(path.join(p.dist, 'manifests', 'ml', 'inferenceservice-mobilenet.yaml'), 'utf8'));
    expect(isvc.spec.predictor.model.storageUri).toBe(`oci://quay.io/team/mobilenet@${DIGEST}`);
    // The TaskRun is written again as it was: the pin starts no new build.
    expect(fs.readdirSync(path.join(p.dist, 'builds', 'ml'))).toContain(`taskrun-${run.metadata.name}.yaml`);
  });

  test('GIVEN the run on standard input, as `oc get taskrun NAME -o yaml | modelcar pin --from-run -` gives it THEN the same', async () => {
    const p = project(CONFIG);
    await cli(['synth', '-c', p.config, '-o', p.dist]);
    const run = finishedRun(p.dist, 'True', { IMAGE_URL: 'quay.io/team/mobilenet:v2-7', IMAGE_DIGEST: DIGEST });
    const result = await cliWithStdin(['pin', '--from-run', '-', '-c', p.config, '-o', p.dist], YAML.stringify(run));
    expect(result.code).toBe(0);
    expect(result.out.split('\n')[0]).toBe(`pinned ml/mobilenet: quay.io/team/mobilenet@${DIGEST} (TaskRun ${run.metadata.name})`);
  });

  test('GIVEN a failed run, a run of an older config, or something else than a TaskRun THEN nothing is pinned, and each says why', async () => {
    const p = project(CONFIG);
    await cli(['synth', '-c', p.config, '-o', p.dist]);
    const failed = finishedRun(p.dist, 'False', {});
    const failedFile = p.file('failed.yaml', YAML.stringify(failed));
    expect(await cli(['pin', '--from-run', failedFile, '-c', p.config, '-o', p.dist])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: TaskRun ml/${failed.metadata.name} has not succeeded (Failed: "step-stage" exited with code 1); nothing to pin\nnothing was pinned\n`,
    });
    const old = finishedRun(p.dist, 'True', { IMAGE_URL: 'quay.io/team/mobilenet:v2-7', IMAGE_DIGEST: DIGEST });
    const oldFile = p.file('old.yaml', YAML.stringify(old));
    fs.writeFileSync(p.config, CONFIG.replace(SHA, 'b'.repeat(64)));
    expect((await cli(['pin', '--from-run', oldFile, '-c', p.config, '-o', p.dist])).err).toBe(
      `modelcar: TaskRun ml/${old.metadata.name} built ml/mobilenet from other inputs than ${p.config} has now (a run of an older config); pin the run of the current one\nnothing was pinned\n`,
    );
    const other = p.file('other.yaml', YAML.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }));
    expect((await cli(['pin', '--from-run', other, '-c', p.config, '-o', p.dist])).err).toBe(`modelcar: ${other}: holds a Pod, not a TaskRun\n`);
    expect(fs.existsSync(path.join(p.dir, 'modelcar.lock.yaml'))).toBe(false);
  });
});
