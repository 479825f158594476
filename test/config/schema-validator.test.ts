import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import schema from '../../src/config/modelcar.schema.json';
import { CONFIG_AJV_OPTIONS, CONFIG_VALIDATOR_FILE, configValidator, renderConfigValidator, schemaDigest } from '../../src/config/schema-validator';

const ROOT = path.resolve(__dirname, '..', '..');

/** Configs with problems of every kind the schema reports: unknown keys, types, enums, patterns, required keys. */
const BAD_CONFIGS: unknown[] = [
  {},
  { version: 2, models: [] },
  { version: 1, models: [{ name: 'm', format: 'onnx', image: 'quay.io/x/y:1', files: [{ source: 'a', sha256: 'xyz' }], imagee: 'typo' }] },
  { version: 1, platform: 'k8s', kserveVersion: 15, models: [{ name: 5, format: ['onnx'], image: null, files: [] }] },
  { version: 1, defaults: { runtime: 7, pullSecret: '' }, namespaces: { 'Bad Name': { labels: { a: 1 } } }, models: 'none' },
  { version: 1, models: [{ name: 'm', format: 'onnx', image: 'quay.io/x/y:1', files: [{ source: 'a' }], resources: { limits: { cpu: true } }, minReplicas: -1 }] },
];

describe('the precompiled config validator', () => {
  test('GIVEN the config schema WHEN compiled again THEN src/config/generated is what npm run gen:validators makes of it', () => {
    expect(renderConfigValidator()).toBe(fs.readFileSync(path.join(ROOT, CONFIG_VALIDATOR_FILE), 'utf8'));
  });

  test('GIVEN the generated file of the schema as it is THEN modelcar uses it rather than compiling the schema', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const generated = require(path.join(ROOT, CONFIG_VALIDATOR_FILE));
    expect(generated.schemaDigest).toBe(schemaDigest());
    expect(configValidator()).toBe(generated);
  });

  test.each(BAD_CONFIGS.map((c, i) => [i, c]))('GIVEN bad config %i THEN the generated validator reports what ajv compiling the schema reports', (_i, config) => {
    const compiled = new Ajv(CONFIG_AJV_OPTIONS).compile(schema);
    const generated = configValidator();
    expect(compiled(config)).toBe(false);
    expect(generated(config)).toBe(false);
    expect(generated.errors).toStrictEqual(compiled.errors);
  });
});
