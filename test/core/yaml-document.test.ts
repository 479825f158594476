/** Deep and cyclic YAML: refused with a message and a position, before anything recurses over it. */
import * as YAML from 'yaml';
import { MAX_YAML_DEPTH, documentToJs, nestingProblem, onceTooDeep, parseAllYaml, parseYaml } from '../../src/core/yaml-document';

const position = (offset: number | undefined) => ({ file: 'x.yaml', ...(offset === undefined ? {} : { offset }) });

/** Block maps nested `depth` levels (the innermost holds a scalar). */
function nested(depth: number): string {
  let text = '';
  for (let i = 0; i < depth - 1; i++) text += `${' '.repeat(i)}k:\n`;
  return text + `${' '.repeat(depth - 1)}v: 1\n`;
}

describe('nesting', () => {
  test(`GIVEN ${MAX_YAML_DEPTH} levels THEN fine; GIVEN ${MAX_YAML_DEPTH + 1} THEN refused`, () => {
    expect(nestingProblem(YAML.parseDocument(nested(MAX_YAML_DEPTH)))).toBeUndefined();
    expect(nestingProblem(YAML.parseDocument(nested(MAX_YAML_DEPTH + 1)))?.message).toBe(
      'the YAML nests too deeply to be read (modelcar reads at most 100 levels; Kubernetes objects and configs need far fewer)',
    );
  });

  test('GIVEN aliases that stack a shallow anchor deeper THEN the depth counts what they bring in', () => {
    let text = `a: &a0 ${'['.repeat(60)}1${']'.repeat(60)}\n`;
    text += `b: ${'['.repeat(60)}*a0${']'.repeat(60)}\n`;
    expect(nestingProblem(YAML.parseDocument(text))?.message).toMatch(/^the YAML nests too deeply/);
  });

  test('GIVEN an alias to a node that holds it THEN a cycle is refused (it would be infinitely deep)', () => {
    const doc = YAML.parseDocument('metadata: &m\n  name: x\n  labels:\n    a: *m\n');
    expect(documentToJs(doc, position)).toStrictEqual({
      problems: [{ position: { file: 'x.yaml', offset: 40 }, field: '', message: 'the alias *m refers to a node that holds it: the value would be infinitely deep' }],
    });
  });
});

describe('a document too deep for the YAML library', () => {
  test('GIVEN its parse errors THEN the stack overflow is kept once (the library repeats it as it unwinds, as many times as the stack allows), the other errors all', () => {
    const overflow = (pos: number) => ({ message: 'Maximum call stack size exceeded', pos });
    const syntax = { message: 'Map keys must be unique', pos: 3 };
    expect(onceTooDeep([overflow(9), syntax, overflow(8), overflow(7)])).toStrictEqual([overflow(9), syntax]);
    expect(onceTooDeep([syntax])).toStrictEqual([syntax]);
  });
});

describe('duplicate keys, found in linear time', () => {
  // What `yaml` itself reports with uniqueKeys: true (its check compares each key with every key before it).
  const library = (text: string, version: '1.1' | '1.2' = '1.2') =>
    YAML.parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, version }) as YAML.Document.Parsed[];
  const errors = (docs: YAML.Document.Parsed[]) => docs.map((d) => d.errors.map((e) => ({ code: e.code, message: e.message, pos: e.pos })));
  const documents = [
    'a: 1\nb: 2\na: 3\n',
    'a: 1\nb:\n  c: 1\n  c: 2\n  d: [1, {x: 1, x: 2}]\na: 2\n',
    '{a: 1, b: 2, a: 3}\n',
    '1: a\n"1": b\n0x1: c\n',
    '? a\n: 1\n? a\n: 2\n',
    '!!str a: 1\na: 2\n',
    'x: &anchor {k: 1}\ny: *anchor\nz: *anchor\n',
    '<<: {a: 1}\n<<: {b: 2}\n',
    ': 1\n: 2\n',
    '.nan: 1\n.NaN: 2\n',
    'true: 1\nTrue: 2\nyes: 3\nyes: 4\n',
    'a: 1\na: 2\n---\nb: 1\nb: 2\nb: 3\n',
    'a: 1\n  bad indent: 2\na: [\n',
    '- a: 1\n  a: 2\n- {b: 1, b: 2}\n',
    'k:\n  k:\n    k: 1\n    k: 2\n  k: 3\n',
  ];
  test.each(documents)('GIVEN %j THEN the errors yaml reports with uniqueKeys (code, message, position, order)', (text) => {
    for (const version of ['1.1', '1.2'] as const) {
      expect(errors(parseAllYaml(text, { prettyErrors: false, version }))).toStrictEqual(errors(library(text, version)));
      expect(errors([parseYaml(text.split('---')[0]!, { prettyErrors: false, version })])).toStrictEqual(errors(library(text.split('---')[0]!, version)));
    }
  });

  test('GIVEN random maps of repeated keys (small and large, block and flow, tags, anchors, explicit and empty keys) THEN the same errors as yaml, in 500 documents', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const keys = ['a', 'b', '"a"', "'b'", '1', '"1"', '01', 'null', '~', '', 'x y', '!!str a', '&k b', '? a\n', '.nan', 'yes', 'true'];
    for (let i = 0; i < 500; i++) {
      const lines: string[] = [];
      const write = (indent: string, depth: number) => {
        // Small maps, and below the top some of more than 16 keys (searched with a set), which hold no maps.
        const large = depth > 0 && random(4) === 0;
        const count = large ? 17 + random(20) : 1 + random(6);
        for (let k = 0; k < count; k++) {
          const key = keys[random(keys.length)];
          if (key.startsWith('?')) lines.push(`${indent}? a`, `${indent}: ${random(100)}`);
          else if (!large && depth < 3 && random(3) === 0) {
            lines.push(`${indent}${key}:`);
            write(`${indent}  `, depth + 1);
          } else if (random(5) === 0) lines.push(`${indent}${key}: {${Array.from({ length: 1 + random(4) }, () => `${keys[random(11)]}: 1`).join(', ')}}`);
          else lines.push(`${indent}${key}: ${random(100)}`);
        }
      };
      write('', 0);
      const text = `${lines.join('\n')}\n`;
      for (const version of ['1.1', '1.2'] as const) {
        expect({ text, errors: errors(parseAllYaml(text, { prettyErrors: false, version })) }).toStrictEqual({ text, errors: errors(library(text, version)) });
      }
    }
  });

  test('GIVEN a map of 20,000 keys and one repeated at the end THEN that one is reported, at its line', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`);
    lines.push('k12345: again');
    const lineCounter = new YAML.LineCounter();
    const doc = parseYaml(`${lines.join('\n')}\n`, { prettyErrors: false, lineCounter });
    expect(doc.errors.map((e) => ({ code: e.code, line: lineCounter.linePos(e.pos[0]).line }))).toStrictEqual([{ code: 'DUPLICATE_KEY', line: 20_001 }]);
  });
});
