import * as fs from 'fs';
import * as path from 'path';
import { cli as run } from '../support/project';
import { tempDir } from '../support/temp';

/** A config in conf/ whose model file lies beside it, in models/ (outside conf/). */
function project(allow?: boolean): { config: string; dist: string; model: string } {
  const dir = fs.realpathSync(tempDir('modelcar-paths-'));
  fs.mkdirSync(path.join(dir, 'conf'));
  fs.mkdirSync(path.join(dir, 'models'));
  const model = path.join(dir, 'models', 'm.onnx');
  fs.writeFileSync(model, 'model bytes');
  const config = path.join(dir, 'conf', 'modelcar.yaml');
  fs.writeFileSync(
    config,
    [
      'version: 1',
      ...(allow === undefined ? [] : [`allowPathsOutside: ${allow}`]),
      'models:',
      '  - name: m',
      '    namespace: demo',
      '    runtime: kserve-ovms',
      '    format: onnx',
      '    image: quay.io/team/m:1',
      '    files:',
      '      - source: ../models/m.onnx',
      '',
    ].join('\n'),
  );
  return { config, dist: path.join(dir, 'conf', 'dist'), model };
}

describe("local model files outside the config's folder", () => {
  test.each([undefined, false])('GIVEN allowPathsOutside %s THEN a path with .. is refused, naming the option', async (allow) => {
    const p = project(allow);
    const line = allow === undefined ? 9 : 10;
    expect(await run(['synth', '-c', p.config, '-o', p.dist])).toStrictEqual({
      code: 1,
      out: '',
      err:
        `modelcar: ${p.config}:${line}:17: models[0].files[0].source: "../models/m.onnx" goes up with ".." and leaves the config's folder (it names ${p.model}); ` +
        "keep model files in the config's folder or below it, or set `allowPathsOutside: true` at the top level of the config\n1 problem found; nothing was written.\n",
    });
  });

  test('GIVEN allowPathsOutside: true THEN the file is used, from where it is', async () => {
    const p = project(true);
    const result = await run(['synth', '-c', p.config, '-o', p.dist]);
    expect(result.code).toBe(0);
    expect(fs.readFileSync(path.join(p.dist, 'images', 'demo', 'm', 'build.sh'), 'utf8')).toContain("copy '../../../../../models/m.onnx' 'models/1/m.onnx'");
  });
});
