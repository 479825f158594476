import { Containerfile } from '../src/containerfile';

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
