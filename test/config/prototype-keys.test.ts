/**
 * Names from a config are user strings; looking them up in plain objects would find Object.prototype's members.
 * A runtime named `toString` must not be "found" (silently dropping the model and, with Argo CD pruning, its
 * InferenceService), a namespace named `constructor` must not turn into "function Object()".
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from '../support/project';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function config(text: string): { config: string; dist: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-proto-'));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'modelcar.yaml'), text);
  return { config: path.join(dir, 'modelcar.yaml'), dist: path.join(dir, 'dist') };
}

const MODEL = (name: string, extra: string) => `  - name: ${name}\n    format: onnx\n    image: quay.io/x/${name}:1\n${extra}    files:\n      - source: https://example.com/${name}.onnx\n`;
const DECLARED = 'runtimes:\n  mine:\n    image: quay.io/x/rt:1\n    formats: [{name: onnx}]\n    layout: flat\n';

describe('names that are members of Object.prototype', () => {
  test.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf'])('GIVEN a model on runtime "%s" (with runtimes declared) THEN it is an error at the line, nothing written', async (runtime) => {
    const p = config(`version: 1\ndefaults:\n  namespace: team\n${DECLARED}models:\n${MODEL('a', `    runtime: "${runtime}"\n`)}${MODEL('b', '    runtime: mine\n')}`);
    expect(await cli(['synth', '-c', p.config, '-o', p.dist])).toStrictEqual({
      code: 1,
      out: '',
      err:
        `modelcar: ${p.config}:13:14: models[0].runtime: "${runtime}" is not a runtime; built-in: kserve-ovms, vllm-cuda-runtime (OpenDataHub 3.4); declared under runtimes: mine\n` +
        '1 problem found; nothing was written.\n',
    });
    expect(fs.existsSync(p.dist)).toBe(false);
  });

  test('GIVEN a runtime declared as "constructor" (a valid name) and one as "__proto__" THEN the first is used, the second is refused by name', async () => {
    const p = config(
      `version: 1\ndefaults:\n  namespace: team\nruntimes:\n  __proto__:\n    image: quay.io/x/rt:1\n    formats: [{name: onnx}]\n    layout: flat\n  constructor:\n    existing: ServingRuntime\n    layout: flat\nmodels:\n${MODEL('a', '    runtime: constructor\n')}`,
    );
    const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(result.code).toBe(1);
    expect(result.err.startsWith(`modelcar: ${p.config}:6:5: runtimes.__proto__: "__proto__" is not a valid ServingRuntime name: a lowercase RFC 1123 subdomain must consist of`)).toBe(true);
    expect(result.err).toMatch(/\n1 problem found; nothing was written\.\n$/);
  });

  test('GIVEN namespace "constructor" and an environment that renames other namespaces THEN it stays "constructor"', async () => {
    const p = config(`version: 1\ndefaults:\n  runtime: kserve-ovms\nmodels:\n${MODEL('b', '    namespace: constructor\n')}environments:\n  dev:\n    renameNamespaces:\n      other: x\n`);
    const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(result.code).toBe(0);
    expect(fs.readFileSync(path.join(p.dist, 'dev', 'manifests', 'constructor', 'namespace-constructor.yaml'), 'utf8')).toContain('  name: constructor\n');
  });

  test('GIVEN pull-secret -c with a name "toString" THEN it is not a pull secret of the config', async () => {
    const p = config(`version: 1\ndefaults:\n  namespace: team\n  runtime: kserve-ovms\npullSecrets:\n  quay-pull:\n    fromEnv: { username: U, password: P }\nmodels:\n${MODEL('a', '    pullSecret: quay-pull\n')}`);
    const result = await cli(['pull-secret', '-c', p.config, 'toString']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('pullSecrets: "toString" is not a pull secret with fromEnv in this config');
  });
});
