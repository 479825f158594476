/**
 * `modelcar init`: a starter config from a folder or a Hugging Face repository (a hub on 127.0.0.1), the format and
 * runtime guessed from the files with every guess said, the result valid (synth takes it as it is) and commented,
 * and an existing config never overwritten.
 */
import * as fs from 'fs';
import * as path from 'path';
import { guessModel, modelName } from '../../src/pipeline/init';
import { readLock } from '../../src/pipeline/lock';
import { resolveRelease } from '../../src/core/releases';
import { useEnv } from '../support/env';
import { HubServer, startHubServer } from '../support/hub-server';
import { COMMIT, GATED, LLM, sha256 } from '../support/hub-fixtures';
import { cli } from '../support/project';
import { tempDir } from '../support/temp';

let hub: HubServer;
const work = tempDir('modelcar-init-');
beforeAll(async () => {
  hub = await startHubServer({ repos: [LLM, GATED] });
});
afterAll(async () => {
  await hub.close();
});
useEnv(() => ({ HF_ENDPOINT: hub.endpoint, HF_TOKEN_PATH: path.join(work, 'no-token'), XDG_CACHE_HOME: path.join(work, 'cache') }));

/** A fresh folder for a test's config. */
function folder(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

describe('guesses from file names', () => {
  test.each([
    [['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'tokenizer.json'], 'vLLM', 'vllm-cuda-runtime', 'config.json and 2 .safetensors files are a Hugging Face transformers checkpoint, which vLLM serves'],
    [['config.json', 'pytorch_model.bin'], 'vLLM', 'vllm-cuda-runtime', 'config.json and 1 pytorch_model .bin file are a Hugging Face transformers checkpoint, which vLLM serves'],
    [['mobilenetv2-7.onnx'], 'onnx', 'kserve-ovms', 'mobilenetv2-7.onnx is ONNX, which OpenVINO Model Server serves'],
    [['model.xml', 'model.bin'], 'openvino_ir', 'kserve-ovms', 'model.xml with model.bin is OpenVINO IR, which OpenVINO Model Server serves'],
    [['saved_model.pb', 'variables/variables.index'], 'tensorflow', 'kserve-ovms', 'saved_model.pb is a TensorFlow SavedModel, which OpenVINO Model Server serves'],
    [['inference.pdmodel', 'inference.pdiparams'], 'paddle', 'kserve-ovms', 'inference.pdmodel is PaddlePaddle, which OpenVINO Model Server serves'],
    [['config.yml', 'artifacts/model.safetensors'], 'caikit', 'caikit-standalone-runtime', 'config.yml with an artifacts/ folder is a caikit model; caikit-standalone serves it (caikit-tgis-runtime does too, for text generation with TGIS)'],
  ])('%j -> %s on %s', (files, format, runtime, why) => {
    expect(guessModel(files)).toStrictEqual({ format, runtime, why });
  });

  test('GIVEN files that say nothing THEN no guess', () => {
    expect(guessModel(['weights.dat', 'notes.txt'])).toBeUndefined();
    // vLLM by the name of the release: vllm-runtime until odh-model-controller odh-v2.27 renamed it.
    expect(guessModel(['config.json', 'model.safetensors'], resolveRelease('odh-2.25'))?.runtime).toBe('vllm-runtime');
  });

  test('names become InferenceService names', () => {
    expect(['Qwen2.5-0.5B-Instruct', '123-model', 'granite_3.1', 'x'.repeat(70)].map(modelName)).toStrictEqual(['qwen2-5-0-5b-instruct', 'model-123-model', 'granite-3-1', 'x'.repeat(53)]);
  });
});

describe('init from a folder', () => {
  test('GIVEN a folder with an ONNX model THEN init writes a commented config for OpenVINO, says each guess, records the folder; synth takes it as it is', async () => {
    const dir = folder('onnx');
    fs.mkdirSync(path.join(dir, 'models', 'MobileNet_v2'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'models', 'MobileNet_v2', 'mobilenetv2-7.onnx'), 'onnx bytes');
    const config = path.join(dir, 'modelcar.yaml');
    const result = await cli(['init', path.join(dir, 'models', 'MobileNet_v2'), '-c', config]);
    expect(result).toStrictEqual({
      code: 0,
      out: [
        'init: 1 file in models/MobileNet_v2',
        'guesses (check them; change any in the config):',
        '  format: onnx (guessed: mobilenetv2-7.onnx is ONNX, which OpenVINO Model Server serves)',
        '  runtime: kserve-ovms (guessed with the format)',
        '  name: mobilenet-v2 (from the folder name MobileNet_v2, as an InferenceService name)',
        '  namespace: models (a default: change it to the namespace to serve the model in, or give --namespace)',
        '  image: registry.example.com/models/mobilenet-v2:v1 (a placeholder: change it to the registry and repository to push the model image to, or give --image)',
        'hashing the files of the folder, as synth does',
        `wrote ${config}; its folder is recorded in modelcar.lock.yaml`,
        `next: change what is marked "change" in ${config}, then run \`modelcar synth\``,
        '',
      ].join('\n'),
      err: '',
    });
    expect(fs.readFileSync(config, 'utf8')).toBe(
      [
        '# Written by `modelcar init` from the folder models/MobileNet_v2.',
        '# Check the values marked "guessed" and "change", then:',
        '#   modelcar synth && modelcar stage && modelcar build --push && modelcar synth',
        '# The config format: the README\'s "The config", or the schema (modelcar.schema.json) in your editor.',
        'version: 1',
        'models:',
        '  - name: mobilenet-v2    # guessed from MobileNet_v2: the InferenceService name',
        '    namespace: models    # change: the namespace to serve the model in',
        '    runtime: kserve-ovms    # guessed: mobilenetv2-7.onnx is ONNX, which OpenVINO Model Server serves',
        '    format: onnx    # guessed with the runtime',
        '    image: registry.example.com/models/mobilenet-v2:v1    # change: the registry and repository to push the model image to',
        '    files:',
        '      - source: models/MobileNet_v2',
        "        path: .                         # the folder's files at the top of the model layout",
        '',
      ].join('\n'),
    );
    expect(readLock(path.join(dir, 'modelcar.lock.yaml')).sources!.folders).toStrictEqual({ 'models/MobileNet_v2': { files: { 'mobilenetv2-7.onnx': { sha256: `sha256:${sha256('onnx bytes')}`, size: 10 } } } });
    const synth = await cli(['synth', '-c', config, '-o', path.join(dir, 'dist')]);
    expect({ code: synth.code, err: synth.err }).toStrictEqual({ code: 0, err: '' });
    expect(fs.existsSync(path.join(dir, 'dist/images/models/mobilenet-v2/Containerfile'))).toBe(true);
    expect(synth.out).not.toContain('sources:');
  });

  test('GIVEN a caikit model, whose runtimes the default release (OpenDataHub 3.4) no longer ships THEN the config names the newest release that does; synth takes it as it is', async () => {
    const dir = folder('caikit');
    fs.mkdirSync(path.join(dir, 'flan', 'artifacts'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'flan', 'config.yml'), 'module_id: x\n');
    fs.writeFileSync(path.join(dir, 'flan', 'artifacts', 'model.safetensors'), 'weights');
    const config = path.join(dir, 'modelcar.yaml');
    const result = await cli(['init', path.join(dir, 'flan'), '-c', config, '--image', 'quay.io/team/flan:1']);
    expect(result.err).toBe('');
    expect(result.out).toContain(
      '  release: 2.35 (OpenDataHub 3.4, the default, does not ship caikit-standalone-runtime; OpenDataHub 2.35 is the newest release that does: change it to the one you deploy to)\n',
    );
    expect(fs.readFileSync(config, 'utf8')).toContain(
      ['version: 1', 'release: "2.35"                      # guessed: the newest OpenDataHub release that ships caikit-standalone-runtime; change it to yours', 'models:'].join('\n'),
    );
    const synth = await cli(['synth', '-c', config, '-o', path.join(dir, 'dist')]);
    expect(synth.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dist/manifests/models/servingruntime-flan.yaml'), 'utf8')).toContain('  name: flan\n');
  });

  test('GIVEN an existing config THEN init refuses and leaves it as it was', async () => {
    const dir = folder('exists');
    fs.mkdirSync(path.join(dir, 'm'));
    fs.writeFileSync(path.join(dir, 'm', 'model.onnx'), 'x');
    const config = path.join(dir, 'modelcar.yaml');
    fs.writeFileSync(config, 'mine\n');
    expect(await cli(['init', path.join(dir, 'm'), '-c', config])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${config} exists; init writes a new config and never overwrites one: remove it, or give another file with -c\n`,
    });
    expect(fs.readFileSync(config, 'utf8')).toBe('mine\n');
  });

  test('GIVEN files init cannot read a format from THEN it asks for --format and --runtime, and takes them', async () => {
    const dir = folder('unknown');
    fs.mkdirSync(path.join(dir, 'weights'));
    fs.writeFileSync(path.join(dir, 'weights', 'model.dat'), 'x');
    const config = path.join(dir, 'modelcar.yaml');
    expect(await cli(['init', path.join(dir, 'weights'), '-c', config])).toStrictEqual({
      code: 1,
      out: 'init: 1 file in weights\n',
      err: 'modelcar: cannot guess the model format from the files of the folder weights (model.dat); give --format and --runtime\n',
    });
    expect(fs.existsSync(config)).toBe(false);
    const given = await cli(['init', path.join(dir, 'weights'), '-c', config, '--format', 'pytorch', '--runtime', 'kserve-ovms', '--name', 'weights', '--namespace', 'team-a', '--image', 'quay.io/team-a/weights:1']);
    expect(given.code).toBe(0);
    expect(given.out).not.toContain('guessed');
    expect(fs.readFileSync(config, 'utf8')).toContain(['  - name: weights', '    namespace: team-a', '    runtime: kserve-ovms', '    format: pytorch', '    image: quay.io/team-a/weights:1', ''].join('\n'));
  });

  test('GIVEN neither a folder nor a repository THEN a usage error', async () => {
    expect(await cli(['init', '-c', path.join(work, 'none.yaml')])).toStrictEqual({
      code: 2,
      out: '',
      err: 'modelcar: give a folder of model files (modelcar init models/my-model) or a Hugging Face repository (modelcar init --repo namespace/name), one of them\n',
    });
  });
});

describe('init from a Hugging Face repository', () => {
  test('GIVEN an LLM repository THEN init guesses vLLM, leaves out the other copy of the weights, records the repository (asking the hub once for its commit and files); synth needs no hub request', async () => {
    const dir = folder('hub');
    const config = path.join(dir, 'modelcar.yaml');
    const start = hub.requests.length;
    const result = await cli(['init', '--repo', 'ibm-granite/granite-tiny', '-c', config, '--image', 'quay.io/team/granite:1']);
    expect(result.err).toBe('');
    expect(hub.requests.slice(start).filter((r) => r.url.startsWith('/api/')).map((r) => r.url)).toStrictEqual([
      '/api/models/ibm-granite/granite-tiny/revision/main',
      `/api/models/ibm-granite/granite-tiny/tree/${COMMIT}?recursive=true`,
    ]);
    expect(result.out.split('\n').slice(0, 8)).toStrictEqual([
      `init: 10 files in ibm-granite/granite-tiny at main (commit ${COMMIT}) on ${hub.endpoint}`,
      'guesses (check them; change any in the config):',
      '  format: vLLM (guessed: config.json and 2 .safetensors files are a Hugging Face transformers checkpoint, which vLLM serves)',
      '  runtime: vllm-cuda-runtime (guessed with the format)',
      '  name: granite-tiny (from the repository name granite-tiny, as an InferenceService name)',
      '  namespace: models (a default: change it to the namespace to serve the model in, or give --namespace)',
      '  exclude: original/ (guessed: the original checkpoint (1 file: original/consolidated.00.pth): vLLM reads the .safetensors)',
      'recording the files of ibm-granite/granite-tiny at main with their SHA-256, as synth does',
    ]);
    expect(fs.readFileSync(config, 'utf8')).toContain(
      [
        '    image: quay.io/team/granite:1',
        '    # vllm-cuda-runtime asks for 1 GPU by default (gpus: 0 for none); resources and the other serving options: see the README',
        '    files:',
        '      - repo: ibm-granite/granite-tiny',
        '        revision: main                    # synth records the commit it stands for in the lock file',
        '        exclude: ["original/"]    # guessed: other copies of the weights, which vLLM does not read',
        '',
      ].join('\n'),
    );
    expect(readLock(path.join(dir, 'modelcar.lock.yaml')).sources!.hub['ibm-granite/granite-tiny@main'].commit).toBe(COMMIT);
    const before = hub.requests.length;
    const synth = await cli(['synth', '-c', config, '-o', path.join(dir, 'dist')]);
    expect({ code: synth.code, err: synth.err }).toStrictEqual({ code: 0, err: '' });
    expect(hub.requests.length).toBe(before);
    expect(fs.readFileSync(path.join(dir, 'dist/images/models/granite-tiny/Containerfile'), 'utf8')).not.toContain('original/');
  });

  test('GIVEN a gated repository and no token THEN init says what the hub said and what to do, and writes nothing', async () => {
    const dir = folder('gated');
    const config = path.join(dir, 'modelcar.yaml');
    const result = await cli(['init', '--repo', 'meta-llama/Llama-tiny', '-c', config]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `modelcar: --repo meta-llama/Llama-tiny: meta-llama/Llama-tiny is a gated repository: downloading its files needs a token of an account that was granted access (HTTP 401 Unauthorized: Access to model meta-llama/Llama-tiny is restricted. You must have access to it and be authenticated to access it. Please log in.); ask for access at ${hub.endpoint}/meta-llama/Llama-tiny, then set HF_TOKEN, or log in with \`hf auth login\` (modelcar reads its token file)\n`,
    );
    expect(fs.readdirSync(dir)).toStrictEqual([]);
  });

  test('GIVEN a repository the hub does not have THEN init says so, and writes nothing', async () => {
    const config = path.join(folder('missing'), 'modelcar.yaml');
    const result = await cli(['init', '--repo', 'ibm-granite/nope', '-c', config]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `modelcar: --repo ibm-granite/nope: ibm-granite/nope: no such repository on ${hub.endpoint}, or it is private or gated and no token was given (HTTP 401 Unauthorized: Invalid username or password.); check the name at ${hub.endpoint}/ibm-granite/nope; for a private or gated repository, set HF_TOKEN, or log in with \`hf auth login\` (modelcar reads its token file)\n`,
    );
    expect(fs.existsSync(config)).toBe(false);
  });
});

test('init --help and pin --help show their options', async () => {
  const initHelp = await cli(['init', '--help']);
  expect(initHelp.code).toBe(0);
  for (const option of ['--repo', '--revision', '--config', '--name', '--namespace', '--image', '--runtime', '--format']) expect(initHelp.out).toContain(option);
  const pinHelp = await cli(['pin', '--help']);
  expect(pinHelp.code).toBe(0);
  for (const option of ['--config', '--authfile', '--tls-verify']) expect(pinHelp.out).toContain(option);
});
