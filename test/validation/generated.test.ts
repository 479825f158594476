import * as fs from 'fs';
import * as path from 'path';
import { GENERATED_FILE, VALIDATOR_SETS, renderValidators } from '../../tools/gen-validators';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the precompiled KServe validators', () => {
  test('GIVEN the KServe CRDs in ../shared WHEN compiled again THEN src/validation/generated is what npm run gen:validators makes of them', () => {
    expect(renderValidators(ROOT)).toBe(fs.readFileSync(path.join(ROOT, GENERATED_FILE), 'utf8'));
  }, 60_000);

  test.each(VALIDATOR_SETS.slice(1).map((s) => [s.release, s]))(
    'GIVEN the %s CRDs in ../shared WHEN compiled again THEN its generated module is what npm run gen:validators makes of them',
    (_release, set) => {
      expect(renderValidators(ROOT, set.sources)).toBe(fs.readFileSync(path.join(ROOT, set.file), 'utf8'));
    },
    90_000,
  );

  test('GIVEN the generated module THEN it exports one validator per CRD, with the apiVersion each serves', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generated = require(path.join(ROOT, GENERATED_FILE));
    expect(generated.apiVersions).toStrictEqual({
      InferenceService: 'serving.kserve.io/v1beta1',
      ServingRuntime: 'serving.kserve.io/v1alpha1',
      ClusterServingRuntime: 'serving.kserve.io/v1alpha1',
    });
    for (const kind of Object.keys(generated.apiVersions)) expect(typeof generated[kind]).toBe('function');
  });
});
