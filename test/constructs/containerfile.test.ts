import { Containerfile } from '../../src/constructs/containerfile';

describe('Containerfile', () => {
  test('GIVEN the seed instructions THEN the text is the seed Containerfile', () => {
    const text = new Containerfile()
      .from('registry.access.redhat.com/ubi8/ubi-micro:latest')
      .copy(['models'], '/models', { chown: '0:0' })
      .run('chmod -R a=rX /models')
      .comment('nobody user')
      .user('65534')
      .render();
    expect(text).toBe(
      'FROM registry.access.redhat.com/ubi8/ubi-micro:latest\nCOPY --chown=0:0 models /models\nRUN chmod -R a=rX /models\n# nobody user\nUSER 65534\n',
    );
  });

  test('GIVEN paths with spaces, chmod and labels THEN JSON form, flags in order and sorted escaped labels', () => {
    const text = new Containerfile()
      .comment('two\nlines\n')
      .copy(['models/my model.onnx'], '/models/1/', { chown: '0:0', chmod: '0444' })
      .label({ 'org.opencontainers.image.title': 'say "hi"', 'a.b': 'x' })
      .render();
    expect(text).toBe(
      '# two\n# lines\n#\nCOPY --chown=0:0 --chmod=0444 ["models/my model.onnx","/models/1/"]\nLABEL "a.b"="x" \\\n      "org.opencontainers.image.title"="say \\"hi\\""\n',
    );
  });

  test('GIVEN a line break in an instruction THEN it is refused', () => {
    expect(() => new Containerfile().run('echo a\nrm -rf /')).toThrow('Containerfile RUN: line breaks are not allowed in "echo a\\nrm -rf /"');
    expect(() => new Containerfile().copy([], '/x')).toThrow('Containerfile COPY: needs at least one source');
  });
});

describe('Containerfile build arguments, entrypoint and literal text', () => {
  test('GIVEN an ARG before FROM, a label from it and an empty ENTRYPOINT THEN the text uses ${NAME} and ENTRYPOINT []', () => {
    const text = new Containerfile()
      .arg('BASE_IMAGE', 'registry.access.redhat.com/ubi8/ubi-micro:latest')
      .from('${BASE_IMAGE}')
      .arg('BASE_IMAGE')
      .label({ 'org.opencontainers.image.base.name': { arg: 'BASE_IMAGE' }, price: 'costs $5' })
      .entrypoint([])
      .render();
    expect(text).toBe(
      [
        'ARG BASE_IMAGE=registry.access.redhat.com/ubi8/ubi-micro:latest',
        'FROM ${BASE_IMAGE}',
        'ARG BASE_IMAGE',
        'LABEL "org.opencontainers.image.base.name"="${BASE_IMAGE}" \\',
        '      "price"="costs \\$5"',
        'ENTRYPOINT []',
        '',
      ].join('\n'),
    );
  });

  test('GIVEN a COPY source with $ THEN the JSON form escapes it, so the builder does not expand a variable', () => {
    expect(new Containerfile().copy(['models/a$b.bin'], '/models/a$b.bin').render()).toBe('COPY ["models/a\\$b.bin","/models/a\\$b.bin"]\n');
  });

  test('GIVEN bad names or control characters THEN each is refused, naming the instruction', () => {
    expect(() => new Containerfile().arg('1X')).toThrow('Containerfile ARG: "1X" is not a valid name (letters, digits and _, not starting with a digit)');
    expect(() => new Containerfile().arg('X', 'a b')).toThrow('Containerfile ARG X: the default "a b" must not contain whitespace');
    expect(() => new Containerfile().label({ a: 'x\ty' })).toThrow('Containerfile LABEL "a": control characters (line breaks, tabs) are not allowed in "x\\ty"');
    expect(() => new Containerfile().label({ a: { arg: 'no-dash' } })).toThrow('Containerfile LABEL "a": "no-dash" is not a valid ARG name');
  });
});
