/**
 * `modelcar stage` and the lock file with environments: each environment has build contexts of its own under
 * `<output>/<environment>/images/`, and its images are keyed `<environment>/<namespace>/<name>`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { loadConfigImages } from '../../src/pipeline/config-images';
import { cli, project } from '../support/project';

const CONFIG = `version: 1
defaults: { namespace: ml, runtime: kserve-ovms }
models:
  - name: mobilenet
    format: onnx
    image: quay.io/team/mobilenet:1
    files: [{ source: models/labels.txt }]
  - name: resnet
    format: onnx
    image: quay.io/team/resnet:1
    files: [{ source: models/labels.txt }]
environments:
  dev:
    renameNamespaces: { ml: ml-dev }
    exclude: [resnet]
  prod:
    models:
      mobilenet: { image: "quay.io/team/mobilenet:2" }
`;

describe('images with environments', () => {
  test('GIVEN environments THEN each image has its environment in its key, its context under <environment>/, its config entry', () => {
    const p = project(CONFIG);
    p.file('models/labels.txt', 'cat\n');
    const { all } = loadConfigImages(p.config, p.dist);
    expect(all.map((i) => [i.image.key, path.relative(p.dist, i.contextDir), i.modelIndex, i.image.image])).toStrictEqual([
      ['dev/ml-dev/mobilenet', 'dev/images/ml-dev/mobilenet', 0, 'quay.io/team/mobilenet:1'],
      ['prod/ml/mobilenet', 'prod/images/ml/mobilenet', 0, 'quay.io/team/mobilenet:2'],
      ['prod/ml/resnet', 'prod/images/ml/resnet', 1, 'quay.io/team/resnet:1'],
    ]);
    expect(loadConfigImages(p.config, p.dist, ['mobilenet']).images.map((i) => i.image.key)).toStrictEqual(['dev/ml-dev/mobilenet', 'prod/ml/mobilenet']);
    expect(loadConfigImages(p.config, p.dist, ['prod/ml/mobilenet']).images.map((i) => i.image.key)).toStrictEqual(['prod/ml/mobilenet']);
  });

  test('GIVEN synth then stage THEN every environment\'s build context gets the files', async () => {
    const p = project(CONFIG);
    p.file('models/labels.txt', 'cat\n');
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    const staged = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect({ code: staged.code, err: staged.err }).toStrictEqual({ code: 0, err: '' });
    expect(staged.out).toContain('staged 3 models: 3 files');
    for (const context of ['dev/images/ml-dev/mobilenet', 'prod/images/ml/mobilenet', 'prod/images/ml/resnet']) {
      expect(fs.readFileSync(path.join(p.dist, context, 'models', '1', 'labels.txt'), 'utf8')).toBe('cat\n');
    }
  });
});
