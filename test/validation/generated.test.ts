import * as fs from 'fs';
import * as path from 'path';
import { VALIDATOR_SETS, renderValidators } from '../../tools/gen-validators';

const ROOT = path.resolve(__dirname, '..', '..');

describe('the precompiled KServe validators', () => {
  test.each(VALIDATOR_SETS.map((s) => [s.release, s] as const))(
    'GIVEN the KServe %s CRDs in ../shared WHEN compiled again THEN src/validation/generated is what npm run gen:validators makes of them',
    (_release, set) => {
      expect(renderValidators(ROOT, set.sources)).toBe(fs.readFileSync(path.join(ROOT, set.file), 'utf8'));
    },
    90_000,
  );

  test.each(VALIDATOR_SETS.map((s) => [s.release, s] as const))('GIVEN the generated module of %s THEN it exports one validator per CRD, with the apiVersion each serves', (_release, set) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generated = require(path.join(ROOT, set.file));
    expect(generated.apiVersions).toStrictEqual({
      InferenceService: 'serving.kserve.io/v1beta1',
      ServingRuntime: 'serving.kserve.io/v1alpha1',
      ClusterServingRuntime: 'serving.kserve.io/v1alpha1',
    });
    for (const kind of Object.keys(generated.apiVersions)) expect(typeof generated[kind]).toBe('function');
  });
});
