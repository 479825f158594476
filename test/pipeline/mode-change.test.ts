/**
 * The deployment mode of an existing model cannot change: KServe's validating webhook refuses it
 * (kserve/kserve pkg/apis/serving/v1beta1/inference_service_validation.go validateDeploymentMode, every release), and
 * from v0.16.0 to v0.18.x it compares the annotation with status.deploymentMode as recorded, so the 0.16 rename
 * (RawDeployment -> Standard) is a change too. synth compares with the output folder, which is what the cluster runs
 * when it follows git, and warns.
 */
import * as fs from 'fs';
import { cli, project } from '../support/project';

const config = (platform: string, release: string, mode?: string) =>
  [
    'version: 1',
    `platform: ${platform}`,
    `release: "${release}"`,
    'defaults:',
    '  namespace: demo',
    '  runtime: kserve-ovms',
    ...(platform === 'kserve' ? ['  auth: false'] : []),
    ...(mode ? [`  deploymentMode: ${mode}`] : []),
    'models:',
    '  - { name: m, format: onnx, image: "quay.io/u/m:1", files: [{ source: "https://example.com/m.onnx" }] }',
    '',
  ].join('\n');

/** Synthesizes one config, then another into the same output folder; returns the second run's warnings. */
async function change(from: string, to: string): Promise<string> {
  const p = project(from, 'modelcar-mode-');
  const first = await cli(['synth', '-c', p.config, '-o', p.dist]);
  expect(first.code).toBe(0);
  fs.writeFileSync(p.config, to);
  const second = await cli(['synth', '-c', p.config, '-o', p.dist]);
  expect(second.code).toBe(0);
  // (platform kserve's note on the pod's UID is tested elsewhere)
  return second.err
    .split(p.dir + '/')
    .join('')
    .split('\n')
    .filter((l) => !l.includes('uidModelcar'))
    .join('\n');
}

const warning = (line: string, message: string) => `modelcar: warning: modelcar.yaml:${line}: ${message}\n`;

describe('a model whose deployment mode changes', () => {
  test('GIVEN Serverless then RawDeployment THEN synth warns at the field that changed it: the webhook will refuse the update', async () => {
    expect(await change(config('odh', '2.35'), config('odh', '2.35', 'RawDeployment'))).toBe(
      warning(
        '7:19: defaults.deploymentMode',
        'the deployment mode of demo/m changes from Serverless to RawDeployment, but KServe refuses to change the mode of an existing InferenceService ("update rejected: deploymentMode cannot be changed", validateDeploymentMode): delete it before the sync (or give the model another name), or keep Serverless',
      ),
    );
  });

  test('GIVEN the default mode of a new release (OpenDataHub 2.35, Serverless, to 3.3, RawDeployment only) THEN the warning is at the model', async () => {
    expect(await change(config('odh', '2.35'), config('odh', '3.3'))).toMatch(/^modelcar: warning: modelcar\.yaml:8:5: models\[0\]: the deployment mode of demo\/m changes from Serverless to RawDeployment, /);
  });

  test('GIVEN the 0.16 rename (RawDeployment written Standard) THEN KServe 0.16 to 0.18 and OpenDataHub 3.4, which compare the recorded mode as a string, get a warning; 0.19 and later, which compare the meaning, do not', async () => {
    const renamed = (title: string, kserve: string) =>
      `demo/m is now written Standard, the new name of RawDeployment: ${title} (KServe ${kserve}) compares the annotation with the mode recorded in status.deploymentMode when the model was created (validateDeploymentMode, KServe 0.16.0 to 0.18.x), so a model created as RawDeployment refuses the update; delete it before the sync, or move to a release that compares the modes by meaning (KServe 0.19 or later)`;
    expect(await change(config('kserve', '0.15', 'RawDeployment'), config('kserve', '0.16', 'RawDeployment'))).toBe(warning('8:19: defaults.deploymentMode', renamed('KServe 0.16', '0.16')));
    expect(await change(config('odh', '3.3'), config('odh', '3.4'))).toBe(warning('8:5: models[0]', renamed('OpenDataHub 3.4', '0.17')));
    expect(await change(config('kserve', '0.15', 'RawDeployment'), config('kserve', '0.19', 'RawDeployment'))).toBe('');
  });

  test('GIVEN the same mode again THEN no warning', async () => {
    expect(await change(config('odh', '3.4'), config('odh', '3.4', 'Standard'))).toBe('');
  });
});
