/** Deep and cyclic YAML: refused with a message and a position, before anything recurses over it. */
import * as YAML from 'yaml';
import { MAX_YAML_DEPTH, documentToJs, nestingProblem, onceTooDeep } from '../../src/core/yaml-document';

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
