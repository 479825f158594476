import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import * as YAML from 'yaml';
import { BUILTIN_RUNTIMES } from '../../src/constructs/runtimes/catalogue';
import { YAML_OPTIONS, fastYaml, stringifyYaml } from '../../src/output/yaml-text';
import { readTree } from '../support/tree';

/**
 * The fast YAML writer against the `yaml` package it stands in for: the same text, byte for byte, on random data
 * full of the strings YAML treats specially, and on every object modelcar has written into the examples' output.
 */

const ROOT = path.resolve(__dirname, '..', '..');

const yamlStringify = (value: unknown) => YAML.stringify(value, YAML_OPTIONS);

/** Strings at the edges of the plain, single-quoted and double-quoted styles, of YAML 1.1's types, and of unicode. */
const TRICKY = [
  '', ' ', '  ', 'a', 'a ', ' a', 'a  b', 'yes', 'Yes', 'YES', 'no', 'No', 'on', 'On', 'ON', 'off', 'Off', 'y', 'Y', 'n', 'N', 'true', 'True',
  'TRUE', 'false', 'False', 'null', 'Null', 'NULL', '~', 'nil', '0', '00', '-0', '+1', '1', '12', '017', '0o17', '0x1F', '0X1f', '0b101', '1_000',
  '1,000', '1.5', '.5', '5.', '1e3', '1E-3', '-1.5e+10', '.inf', '-.Inf', '+.INF', '.nan', '.NaN', 'NaN', 'Infinity', '12:30', '1:20:30',
  '190:20:30.15', '-12:30', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2002-12-14T00:00:00Z', '<<', '=', '%',
  '%x', '@x', '`x', '!x', '!!str', '&a', '*a', '|', '>', '|-', '[a]', '[', ']', '{a}', '{', '}', ',a', 'a,b', 'a[b]', '#', '#a', 'a#b', 'a #b',
  'a# b', ':', 'a:', ':a', 'a:b', 'a: b', 'a :b', 'http://x:80/y', '-', '--', '-a', '- a', '-\ta', '?', '?a', '? a', 'a?', "'", "it's", '"',
  'say "hi"', `'"`, `"it's"`, '\\', 'a\\nb', '{{.Name}}', '$(x)', '${BASE_IMAGE}', '---', '--- a', '...', '....', 'a---', 'é', 'ñoño', '日本語',
  '😀', 'a😀b', '\u00a0', '\u2028', '\u2029', '\ufeff', '\u200b', 'a\nb', 'a\n', '\na', 'a\n\nb', ' \n', 'a\tb', '\t', 'a\rb', '\u0007', '\u0000',
  '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', 'a\udc00b', '\u2028%', 'a\u2029---', '\u2028-', 'x'.repeat(1025), `${'k'.repeat(1030)}: v`,
];

/** Any string: tricky ones, random ones (unicode included), and tricky ones glued together. */
const anyString = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.tuple(fc.constantFrom(...TRICKY), fc.string({ maxLength: 3 }), fc.constantFrom(...TRICKY)).map(([a, b, c]) => a + b + c),
);

/** Strings the fast writer takes on itself: no control characters or lone surrogates, no line starting with a document marker. */
const plainDataString = anyString.filter((s) => !/[\x00-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(s) && !/^(---|\.\.\.|%)/m.test(s));

const anyNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -0, 1, -1, 0.5, 1e21, 1e-7, 2 ** 53, -(2 ** 31), Number.MAX_VALUE, NaN, Infinity, -Infinity));

/** JSON-like trees of maps and lists; keys from `key`, strings from `string`. */
function tree(string: fc.Arbitrary<string>, key: fc.Arbitrary<string>) {
  const scalar = fc.oneof(string, anyNumber, fc.boolean(), fc.constant(null));
  return fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: 4 }),
    map: fc.dictionary(key, tie('node'), { maxKeys: 5 }),
  }));
}

const anyTree = tree(anyString, anyString);
const dataTree = tree(plainDataString, plainDataString.filter((k) => k.length <= 1024));

describe('the fast YAML writer writes what yaml writes', () => {
  test('GIVEN any map or list THEN stringifyYaml is YAML.stringify, byte for byte', () => {
    fc.assert(
      fc.property(fc.oneof(anyTree.map, anyTree.list), (value) => {
        expect(stringifyYaml(value)).toBe(yamlStringify(value));
      }),
      { numRuns: 3000 },
    );
  });

  test('GIVEN maps and lists of strings without control characters, numbers, booleans and null THEN the fast writer takes them itself', () => {
    fc.assert(
      fc.property(fc.oneof(dataTree.map, dataTree.list), (value) => {
        expect(fastYaml(value)).toBe(yamlStringify(value));
      }),
      { numRuns: 3000 },
    );
  });

  test.each(TRICKY.map((s) => [JSON.stringify(s).slice(0, 60), s]))('GIVEN the string %s as a key, a value and a list item THEN the text is the same', (_name, s) => {
    const value = { [s]: s, list: [s, { [s]: [s] }], nested: { k: s } };
    expect(stringifyYaml(value)).toBe(yamlStringify(value));
  });

  test('GIVEN nested and empty collections THEN indentation and flow-style empties are the same', () => {
    const value = { a: [], b: {}, c: [[], {}, [[1, 2], []], [{ x: [] }]], d: [{ e: { f: [{}, { g: null }] } }], '': { '': [''] } };
    expect(fastYaml(value)).toBe(yamlStringify(value));
    expect(fastYaml([])).toBe('[]\n');
    expect(fastYaml({})).toBe('{}\n');
  });

  test('GIVEN what the fast writer leaves to yaml THEN it says so, and stringifyYaml gives yaml\'s text', () => {
    const shared = { a: 1 };
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const leftToYaml: unknown[] = [
      { text: 'two\nlines' },
      { text: 'tab\there' },
      { [`${'k'.repeat(1025)}`]: 1 },
      { text: '--- marker' },
      { one: shared, two: shared },
      { undefinedValue: undefined },
      { date: new Date(0) },
      { map: new Map([['a', 1]]) },
      { big: BigInt(1) },
      'a scalar document',
    ];
    for (const value of leftToYaml) {
      expect(fastYaml(value)).toBeUndefined();
      expect(stringifyYaml(value)).toBe(yamlStringify(value));
    }
    expect(fastYaml(circular)).toBeUndefined();
  });

  test('GIVEN every object in the committed output of the examples, and every built-in ServingRuntime spec THEN the fast writer writes each as yaml does', () => {
    // examples/mobilenet's output is the repository's own dist/.
    const dists = ['dist', ...fs.readdirSync(path.join(ROOT, 'examples')).map((e) => path.join('examples', e, 'dist'))].filter((d) => fs.existsSync(path.join(ROOT, d)));
    const objects: unknown[] = [];
    let files = 0;
    for (const dist of dists) {
      for (const [file, text] of Object.entries(readTree(path.join(ROOT, dist)))) {
        if (!file.endsWith('.yaml')) continue;
        files++;
        for (const doc of YAML.parseAllDocuments(text, { version: '1.1' }) as YAML.Document.Parsed[]) objects.push(doc.toJS());
      }
    }
    for (const runtime of Object.values(BUILTIN_RUNTIMES)) objects.push(JSON.parse(JSON.stringify(runtime.spec)));
    expect(files).toBeGreaterThan(50);
    expect(objects.length).toBe(files + Object.keys(BUILTIN_RUNTIMES).length);
    for (const object of objects) expect(fastYaml(object)).toBe(yamlStringify(object));
  });
});
