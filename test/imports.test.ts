import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { TYPES_FILE } from '../tools/gen-config-types';
import { builtinRuntimeNames } from '../src/constructs/runtimes/catalogue';
import schema from '../src/config/modelcar.schema.json';
import { readTree } from './support/tree';
import { tempDir } from './support/temp';

const ROOT = path.resolve(__dirname, '..');

describe('generated code is fresh', () => {
  test('GIVEN the KServe CRDs in ../shared WHEN imported again with cdk8s import (offline) THEN imports/ is identical', () => {
    const { imports } = YAML.parse(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'));
    expect(imports).toHaveLength(3); // one alias per CRD: the same API group would otherwise share one file
    const outdir = tempDir('modelcar-imports-');
    // No spec on the command line: cdk8s import then reads every import of cdk8s.yaml, as `npm run import` does.
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['import', '--no-check-upgrade', '--output', outdir], { cwd: ROOT, stdio: 'pipe' });
    expect(Object.keys(readTree(outdir))).toStrictEqual(['kserve-csr-serving.kserve.io.ts', 'kserve-isvc-serving.kserve.io.ts', 'kserve-sr-serving.kserve.io.ts']);
    const { 'k8s.ts': coreKinds, ...generated } = readTree(path.join(ROOT, 'imports'));
    expect(readTree(outdir)).toStrictEqual(generated);
    expect(coreKinds).toMatch(/\n} from 'cdk8s-plus-28\/lib\/imports\/k8s';\n$/); // a re-export, not generated here
  }, 60_000);

  test('GIVEN the config schema THEN src/config/types.generated.ts is what npm run gen makes of it', () => {
    // The generator runs in node itself: its formatter (prettier) loads modules in a way jest's sandbox does not.
    const generated = execFileSync('node', [path.join(ROOT, 'lib', 'tools', 'gen-config-types.js'), '--stdout'], { cwd: ROOT, encoding: 'utf8' });
    expect(fs.readFileSync(path.join(ROOT, TYPES_FILE), 'utf8')).toBe(generated);
  });

  test('GIVEN the schema THEN the runtime names it lists as built in are exactly the built-in runtimes', () => {
    const listed = /a built-in runtime \(([^)]*)\)/.exec(schema.definitions.RuntimeName.description)![1].split(', ');
    expect(listed.sort()).toStrictEqual(builtinRuntimeNames());
  });
});
