import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import * as YAML from 'yaml';
import { UserError } from '../../src/core/errors';
import { synthesizeConfigFile } from '../../src/pipeline/synthesize';
import { validateObject } from '../../src/validation/validate-object';
import { OutputValidationError } from '../../src/validation/validate-output';
import { DEFAULT_RELEASE } from '../../src/core/releases';
import { releaseForVersion } from '../../src/validation/kserve-admission';
import { tempDir } from '../support/temp';

/** The configs name no release (the mutations never add one): the output is judged as for the default release. */
const CHECKS = { kserve: releaseForVersion(DEFAULT_RELEASE.kserveVersion), crds: DEFAULT_RELEASE.crds };

/**
 * Property: whatever a config looks like, synth either produces output that passes the KServe and
 * Kubernetes schemas, or reports a clean user error (no stack, no other exception type). And every
 * problem is caught by the config checks: never first by the output validation, which would mean a
 * config check is missing.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const BASE: Json = {
  version: 1,
  defaults: { namespace: 'team-a', runtime: 'kserve-ovms', pullSecret: 'quay-pull' },
  namespaces: { 'team-a': { displayName: 'Team A', labels: { tier: 'gold' }, annotations: { 'example.com/owner': 'ml' } }, 'team-b': {} },
  models: [
    {
      name: 'mobilenet',
      format: 'onnx',
      image: 'quay.io/team-a/mobilenet:v2-7',
      displayName: 'MobileNet',
      files: [{ source: 'https://example.com/mobilenetv2-7.onnx', sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }],
      labels: { app: 'vision' },
    },
    {
      name: 'resnet',
      namespace: 'team-b',
      format: 'openvino_ir',
      formatVersion: 'opset13',
      image: 'registry.example.com:5000/team-b/resnet@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      baseImage: 'registry.access.redhat.com/ubi9/ubi-micro:9.4',
      files: [{ source: 'models/resnet.xml', path: 'model.xml' }, { source: 'models/resnet.bin', path: 'model.bin' }],
      annotations: { 'example.com/note': 'x' },
    },
  ],
};

/** Values that reach the edges of every rule: names, images, paths, digests, types. */
const INTERESTING: Json[] = [
  '', ' ', 'a', 'A', '-', '_', '.', '..', 'onnx', 'ONNX', 'onxx', 'tensorflow', 'openvino_ir', 'kserve-ovms', 'kserve_ovms', 'latest',
  'quay.io/x/y', 'quay.io/x/y:latest', 'Quay.io/X/Y:1', 'oci://quay.io/x/y:1', 'quay.io/x/y@sha256:abc', 'localhost:5000/x:1', '[::1]:5000/x:1',
  'x/y:1+2', 'x'.repeat(64), 'x'.repeat(300), 'm-'.repeat(30) + 'x', '../x', '../../etc/passwd', '/etc/hostname', 'models/resnet.xml', 'models',
  'models/../models/resnet.bin', 'https://example.com/m.onnx', 'http://x', 's3://b/k', 'file:///etc/passwd', 'a/b/c', 'a:b', 'a b', 'example.com/key',
  'Team_A', 'team-b', 'ñ', '日本語', '{{.Name}}', '$(ovms-image)', "'; rm -rf / #", '\n', '\t', 'true', '0', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'sha256:0', '1', 0, 1, -1, 2, 1.5, 1e21, 63, true, false, null, [], {}, ['a'],
  { a: 'b' }, { source: 'https://example.com/a.onnx' },
];

const KEYS = ['name', 'namespace', 'format', 'formatVersion', 'image', 'files', 'source', 'path', 'sha256', 'labels', 'annotations', 'runtime', 'pullSecret', 'baseImage', 'displayName', 'description', 'version', 'models', 'defaults', 'namespaces', 'allowPathsOutside', 'nmae', 'imagee', 'x'];

/** Every path to a node of the tree, the root included. */
function paths(value: Json, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v));
}

type Mutation = { op: 'set' | 'delete' | 'rename' | 'add' | 'wrap' | 'stringify' | 'duplicate'; pick: number; value: Json; key: string };

function mutate(root: Json, m: Mutation): Json {
  const all = paths(root);
  const p = all[m.pick % all.length]!;
  if (p.length === 0) return m.op === 'set' ? m.value : root;
  const parent = p.slice(0, -1).reduce<any>((node, k) => node[k], root);
  const last = p[p.length - 1]!;
  switch (m.op) {
    case 'set':
      parent[last] = m.value;
      break;
    case 'delete':
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
      break;
    case 'rename':
      if (!Array.isArray(parent)) {
        parent[m.key] = parent[last];
        if (m.key !== last) delete parent[last];
      }
      break;
    case 'add':
      if (parent[last] && typeof parent[last] === 'object' && !Array.isArray(parent[last])) parent[last][m.key] = m.value;
      else if (Array.isArray(parent[last])) parent[last].push(m.value);
      break;
    case 'wrap':
      parent[last] = [parent[last]];
      break;
    case 'stringify':
      parent[last] = JSON.stringify(parent[last]) ?? 'undefined';
      break;
    case 'duplicate':
      if (Array.isArray(parent)) parent.push(clone(parent[last as number]));
      break;
  }
  return root;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('set', 'set', 'set', 'delete', 'rename', 'add', 'wrap', 'stringify', 'duplicate'),
  pick: fc.nat(),
  value: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...INTERESTING) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json> }),
  key: fc.constantFrom(...KEYS),
});

/** A config text: the base with mutations, and sometimes damage to the YAML text itself. */
const configText = fc
  .tuple(
    fc.array(mutation, { minLength: 1, maxLength: 3 }),
    // One config in five also gets its YAML text damaged.
    fc.oneof(
      { weight: 4, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom(':', '-', ' ', '\t', '"', "'", '[', '{', '\n', '#', '&a', '*a', '!!binary', '---', '\u0000')) },
    ),
  )
  .map(([mutations, damage]) => {
    const root = mutations.reduce<Json>((acc, m) => mutate(acc, m), clone(BASE));
    let text = YAML.stringify(root);
    if (damage) {
      const [at, insert] = damage;
      const i = at % (text.length + 1);
      text = text.slice(0, i) + insert + text.slice(i);
    }
    return text;
  });

describe('property: mutated configs give schema-valid output or a clean user error', () => {
  let dir: string;
  let n = 0;

  beforeAll(() => {
    dir = tempDir('modelcar-property-');
    fs.mkdirSync(path.join(dir, 'models'));
    for (const f of ['resnet.xml', 'resnet.bin']) fs.writeFileSync(path.join(dir, 'models', f), 'model bytes');
  });

  function check(text: string): 'ok' | 'user-error' {
    const config = path.join(dir, `config-${n++}.yaml`);
    fs.writeFileSync(config, text);
    try {
      const result = synthesizeConfigFile({ config, outdir: path.join(dir, 'dist'), check: true });
      for (const o of result.output.objects) {
        expect({ file: o.path, problems: validateObject(o.json, CHECKS).problems }).toStrictEqual({ file: o.path, problems: [] });
      }
      return 'ok';
    } catch (e) {
      if (!(e instanceof UserError)) throw new Error(`not a user error for config:\n${text}\n${(e as Error)?.stack ?? e}`, { cause: e });
      if (e instanceof OutputValidationError) throw new Error(`a config check is missing: the output validation caught it first, for config:\n${text}\n${e.message}`, { cause: e });
      expect(e.message).not.toMatch(/\n\s+at /);
      expect(e.message.length).toBeGreaterThan(0);
      return 'user-error';
    } finally {
      fs.rmSync(config);
    }
  }

  test('GIVEN the base config THEN it synthesizes (the property starts from a valid config)', () => {
    expect(check(YAML.stringify(BASE))).toBe('ok');
  });

  test('GIVEN 2000 mutated configs THEN each is output valid against the schemas or a clean user error', () => {
    const outcomes = { ok: 0, 'user-error': 0 };
    fc.assert(
      fc.property(configText, (text) => {
        outcomes[check(text)]++;
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 2000), seed: Number(process.env.PROPERTY_SEED ?? 20261128) },
    );
    // Both outcomes occur often: the mutations neither always break the config nor never do.
    expect(outcomes.ok).toBeGreaterThan(150);
    expect(outcomes['user-error']).toBeGreaterThan(1000);
  }, 60_000);
});
