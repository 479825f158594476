/** `modelcar build` never builds from, or reads, a symbolic link in a build context. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IMAGE_TOOLS_INSTALL } from '../support/registry';
import { requireTool } from '../support/tools';
import { cli } from '../support/project';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function staged() {
  requireTool('buildah', IMAGE_TOOLS_INSTALL);
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-build-hostile-')));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'w.onnx'), 'weights');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'TOP-SECRET\n');
  const config = path.join(dir, 'modelcar.yaml');
  fs.writeFileSync(config, 'version: 1\ndefaults:\n  namespace: team\n  runtime: kserve-ovms\nmodels:\n  - name: m\n    format: onnx\n    image: quay.io/team/m:1\n    files:\n      - source: w.onnx\n');
  const dist = path.join(dir, 'dist');
  expect((await cli(['synth', '-c', config, '-o', dist])).code).toBe(0);
  expect((await cli(['stage', '-c', config, '-o', dist])).code).toBe(0);
  return { dir, config, dist, context: path.join(dist, 'images', 'team', 'm') };
}

describe('build and links in the build context', () => {
  test('GIVEN the Containerfile replaced by a link THEN build refuses, naming the link; the target is not shown', async () => {
    const p = await staged();
    fs.rmSync(path.join(p.context, 'Containerfile'));
    fs.symlinkSync(path.join(p.dir, 'secret.txt'), path.join(p.context, 'Containerfile'));
    const result = await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'buildah']);
    expect({ code: result.code, err: result.err }).toStrictEqual({
      code: 1,
      err: `modelcar: team/m: ${path.relative(process.cwd(), path.join(p.context, 'Containerfile'))} is a symbolic link (to ${p.dir}/secret.txt), not the file synth writes; run \`modelcar synth -c ${p.config} -o ${p.dist}\`\n`,
    });
  });

  test('GIVEN a staged model file replaced by a link THEN it is not staged (stage never puts a link there)', async () => {
    const p = await staged();
    const file = path.join(p.context, 'models', '1', 'w.onnx');
    fs.rmSync(file);
    fs.symlinkSync(path.join(p.dir, 'secret.txt'), file);
    const result = await cli(['build', '-c', p.config, '-o', p.dist, '--builder', 'buildah']);
    expect({ code: result.code, err: result.err }).toStrictEqual({
      code: 1,
      err: `modelcar: team/m: models/1/w.onnx is a symbolic link (to ${p.dir}/secret.txt), not a staged file. Run \`modelcar stage team/m\` first.\n`,
    });
  });
});
