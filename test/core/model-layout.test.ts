import { OciModel } from '../../src/constructs/oci-model';
import { ModelLayouts, MODEL_LAYOUT_NAMES, modelFilePath, modelLayoutByName } from '../../src/core/model-layout';
import { BUILTIN_RUNTIMES } from '../../src/constructs/runtimes/catalogue';
import { testChart } from '../support/charts';

const HF = 'https://huggingface.co/org/model/resolve/main';

describe('model layouts', () => {
  test('GIVEN each layout THEN files go where its servers read them', () => {
    expect(modelFilePath(ModelLayouts.OVMS, 'model.onnx')).toBe('models/1/model.onnx');
    expect(modelFilePath(ModelLayouts.FLAT, 'config.json')).toBe('models/config.json');
    expect(modelFilePath(ModelLayouts.FLAT, 'tokenizer/vocab.txt')).toBe('models/tokenizer/vocab.txt');
    expect(modelFilePath(ModelLayouts.CAIKIT, 'config.yml')).toBe('models/config.yml');
    expect(modelFilePath(ModelLayouts.CAIKIT, 'model.safetensors')).toBe('models/artifacts/model.safetensors');
  });

  test('GIVEN the names the config uses THEN each finds its layout, and nothing else does', () => {
    expect(MODEL_LAYOUT_NAMES).toStrictEqual(['ovms', 'flat', 'caikit']);
    expect(MODEL_LAYOUT_NAMES.map(modelLayoutByName)).toStrictEqual([ModelLayouts.OVMS, ModelLayouts.FLAT, ModelLayouts.CAIKIT]);
    expect(modelLayoutByName('OVMS')).toBeUndefined();
  });

  /** The model files of a typical model of each runtime's format. */
  const MODELS: Record<string, { format: string; files: string[] }> = {
    'kserve-ovms': { format: 'onnx', files: ['mobilenetv2-7.onnx'] },
    'vllm-runtime': { format: 'vLLM', files: ['config.json', 'model.safetensors', 'tokenizer.json'] },
    'tgis-grpc-runtime': { format: 'pytorch', files: ['config.json', 'model.safetensors', 'tokenizer.json'] },
    'caikit-tgis-runtime': { format: 'caikit', files: ['config.yml', 'config.json', 'model.safetensors', 'tokenizer.json'] },
    'caikit-standalone-runtime': { format: 'caikit', files: ['config.yml', 'config.json', 'model.safetensors'] },
  };

  test.each(Object.keys(BUILTIN_RUNTIMES))("GIVEN a model on %s THEN its build context puts each file in the runtime's layout: Containerfile and build.sh agree", (runtime) => {
    const { format, files } = MODELS[runtime];
    const model = new OciModel(testChart('ns'), 'm', {
      name: 'm',
      runtime,
      modelFormat: { name: format },
      image: 'quay.io/u/m:1',
      files: files.map((f) => ({ source: `${HF}/${f}` })),
      release: 'odh-2.25', // the release that still ships all five
    });
    const rendered = Object.fromEntries(model.image.render({ source: 'modelcar.yaml', outdir: '/p/dist' }).map((f) => [f.path.split('/').pop(), f.content]));
    const copies = [...rendered.Containerfile.matchAll(/^COPY --chown=0:0 --chmod=0444 (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    const fetches = [...rendered['build.sh'].matchAll(/^fetch '(\S+)' '(\S+)'(?: '[0-9a-f]{64}')?; SHA_\d+=\$actual$/gm)].map((m) => [m[1], m[2]]);
    const expected = {
      'kserve-ovms': ['models/1/mobilenetv2-7.onnx'],
      'vllm-runtime': ['models/config.json', 'models/model.safetensors', 'models/tokenizer.json'],
      'tgis-grpc-runtime': ['models/config.json', 'models/model.safetensors', 'models/tokenizer.json'],
      'caikit-tgis-runtime': ['models/config.yml', 'models/artifacts/config.json', 'models/artifacts/model.safetensors', 'models/artifacts/tokenizer.json'],
      'caikit-standalone-runtime': ['models/config.yml', 'models/artifacts/config.json', 'models/artifacts/model.safetensors'],
    }[runtime]!;
    expect(copies).toStrictEqual(expected.map((p) => [p, `/${p}`]));
    expect(fetches).toStrictEqual(expected.map((p, i) => [`${HF}/${files[i]}`, p]));
  });
});
