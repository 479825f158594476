/** Hugging Face repository ids, revisions, resolve URLs and include/exclude patterns, as huggingface_hub reads them. */
import { checkRepoId, checkRevision, gitBlobId, hubEndpointProblem, hubFileUrl, matchesPattern, selectHubFiles, shownEndpoint } from '../../src/core/hub';

describe('include and exclude patterns (huggingface_hub filter_repo_objects: fnmatch.fnmatchcase)', () => {
  test.each([
    ['model.safetensors', '*.safetensors', true],
    // fnmatch's `*` crosses folders, unlike a shell glob: huggingface_hub's docstring says so ("data/*.json" matches data/subdir/file.json).
    ['original/consolidated.00.pth', '*.pth', true],
    ['data/subdir/file.json', 'data/*.json', true],
    ['onnx/model.onnx', 'onnx/', true],
    ['onnx', 'onnx/', false],
    ['tokenizer.json', 'tokenizer*', true],
    ['Tokenizer.json', 'tokenizer*', false],
    ['model-00001-of-00002.safetensors', 'model-0000?-of-00002.safetensors', true],
    ['model-0000a-of-00002.safetensors', 'model-0000[0-9]-of-00002.safetensors', false],
    ['model-0000a-of-00002.safetensors', 'model-0000[!0-9]-of-00002.safetensors', true],
    ['a+b(c).json', 'a+b(c).json', true],
    ['axb.json', 'a.b.json', false],
  ])('%s matches %s: %s', (file, pattern, expected) => {
    expect(matchesPattern(file, pattern)).toBe(expected);
  });

  test('GIVEN include and exclude THEN a file is kept when it matches an include and no exclude', () => {
    const files = ['config.json', 'model.safetensors', 'pytorch_model.bin', 'original/params.json'].map((path) => ({ path, sha256: 'a'.repeat(64), size: 1 }));
    expect(selectHubFiles(files, ['*.json', '*.safetensors'], ['original/']).map((f) => f.path)).toStrictEqual(['config.json', 'model.safetensors']);
    expect(selectHubFiles(files, undefined, ['*.bin']).map((f) => f.path)).toStrictEqual(['config.json', 'model.safetensors', 'original/params.json']);
  });
});

describe('repository ids (huggingface_hub validate_repo_id) and revisions', () => {
  test.each([
    ['ibm-granite/granite-3.1-2b-instruct', undefined],
    ['gpt2', undefined],
    ['https://huggingface.co/gpt2', 'is a URL; give the repository id only: write it as namespace/name, e.g. ibm-granite/granite-3.1-2b-instruct'],
    ['a/b/c', 'is not a repository id; write it as namespace/name, e.g. ibm-granite/granite-3.1-2b-instruct'],
    ['org/name--x', 'must not contain "--" or ".."; write it as namespace/name, e.g. ibm-granite/granite-3.1-2b-instruct'],
    ['org/-name', 'must not start or end a part with "-" or "."; write it as namespace/name, e.g. ibm-granite/granite-3.1-2b-instruct'],
  ])('%s', (repo, problem) => {
    expect(checkRepoId(repo)).toBe(problem);
  });

  test('revisions: branches, tags, pull request refs and commits pass; what git refuses does not', () => {
    expect(['main', 'v1.0', 'refs/pr/1', 'a'.repeat(40)].map(checkRevision)).toStrictEqual([undefined, undefined, undefined, undefined]);
    expect(checkRevision('main branch')).toBe('is not a git revision: give a branch (main), a tag (v1.0) or a commit id (40 hex digits)');
  });
});

test('the resolve URL encodes the revision as one segment and each segment of the path (huggingface_hub hf_hub_url)', () => {
  expect(hubFileUrl('org/model', 'refs/pr/1', 'sub dir/model #1.safetensors')).toBe('https://huggingface.co/org/model/resolve/refs%2Fpr%2F1/sub%20dir/model%20%231.safetensors');
  expect(hubFileUrl('org/model', 'main', 'config.json', 'http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/org/model/resolve/main/config.json');
});

test('the git blob id of a file is what `git hash-object` prints', () => {
  // printf 'hello\n' | git hash-object --stdin
  expect(gitBlobId(Buffer.from('hello\n'))).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
});

describe('hubEndpointProblem', () => {
  test('GIVEN endpoints THEN what stage and a run refuse: not a URL, not http(s), credentials; shown without them', () => {
    expect(['https://huggingface.co', 'http://mirror.local:8080/hf', 'hf-mirror', 'ftp://mirror', 'https://u:p@mirror', 'https://u@mirror'].map(hubEndpointProblem)).toStrictEqual([
      undefined,
      undefined,
      'not a URL',
      'not http(s)',
      'credentials',
      'credentials',
    ]);
    expect(shownEndpoint('https://u:secret@mirror/hf')).toBe('https://***@mirror/hf');
    expect(shownEndpoint('https://mirror/hf')).toBe('https://mirror/hf');
  });
});
