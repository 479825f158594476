/**
 * End to end: for a runtime of each model layout, the build context `synth` emits really builds an image whose
 * /models holds the files where that runtime's server reads them (OpenVINO: 1/<file>; vLLM, like TGIS: the top;
 * caikit: config.yml at the top, the rest in artifacts/), and KServe's modelcar-init check passes on it. Every
 * runtime's build context is checked file by file in test/model-layout.test.ts; this proves the three layouts build.
 *
 * Real tools, nothing pulled: a local busybox base image, build.sh run unchanged with BUILDER=buildah and --no-push.
 * Needs root (buildah with the vfs driver and chroot isolation) and:
 *   apt-get install -y --no-install-recommends buildah busybox-static
 * A missing tool fails the test with that command; nothing is skipped.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesizeConfigFile } from '../../src/pipeline/synthesize';
import { IMAGE_TOOLS_INSTALL } from '../support/registry';
import { requireTool } from '../support/tools';
import { RunResult, TestStorage, buildBaseImage, tryRun } from './containers';

jest.setTimeout(300_000);

const BASE_IMAGE = 'localhost/modelcar-layout-base:1';
const NAMESPACE = 'layouts';

/** A runtime of each layout (ovms, flat, caikit): its model format and the files of a typical model, as given in the config. */
const MODELS: Record<string, { format: string; files: string[] }> = {
  'kserve-ovms': { format: 'onnx', files: ['model.onnx'] },
  'vllm-runtime': { format: 'vLLM', files: ['config.json', 'model.safetensors', 'tokenizer.json'] },
  'caikit-tgis-runtime': { format: 'caikit', files: ['config.yml', 'config.json', 'model.safetensors'] },
};

/** What `ls -R /models` prints in each runtime's image. */
const EXPECTED_TREES: Record<string, string> = {
  'kserve-ovms': '/models:\n1\n\n/models/1:\nmodel.onnx',
  'vllm-runtime': '/models:\nconfig.json\nmodel.safetensors\ntokenizer.json',
  'caikit-tgis-runtime': '/models:\nartifacts\nconfig.yml\n\n/models/artifacts:\nconfig.json\nmodel.safetensors',
};

/** KServe's modelcar-init check, as in image-build.e2e.test.ts. */
const INIT_CHECK =
  `[ -d /models ] && [ "$(ls -A /models)" ] && echo 'OK ... Prefetched and valid (/models exists)' || (echo 'NOK ... Prefetched but modelcar is invalid (/models does not exist or is empty)' && exit 1)`;

let work: string | undefined;
let storage: TestStorage | undefined;
const builds = new Map<string, RunResult>();

const modelName = (runtime: string) => runtime.replace(/-runtime$/, '');
const imageOf = (runtime: string) => `localhost/layouts/${modelName(runtime)}:1`;

beforeAll(() => {
  requireTool('buildah', IMAGE_TOOLS_INSTALL);
  const busybox = fs.realpathSync(requireTool('busybox', 'apt-get install -y --no-install-recommends busybox-static'));
  for (const tool of ['sha256sum', 'cut']) requireTool(tool, 'apt-get install -y coreutils');
  if (process.getuid?.() !== 0) throw new Error('this test runs buildah with the vfs driver and chroot isolation, which needs root');

  work = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-layouts-'));
  storage = new TestStorage(path.join(work, 'storage'));
  buildBaseImage(storage, busybox, BASE_IMAGE);

  const project = path.join(work, 'project');
  // OpenDataHub 2.25 still ships vllm-runtime and caikit-tgis-runtime.
  const lines = ['version: 1', 'platform: odh', 'release: "2.25"', 'defaults:', `  namespace: ${NAMESPACE}`, `  baseImage: ${BASE_IMAGE}`, 'models:'];
  for (const [runtime, { format, files }] of Object.entries(MODELS)) {
    const dir = path.join(project, 'files', runtime);
    fs.mkdirSync(dir, { recursive: true });
    lines.push(`  - name: ${modelName(runtime)}`, `    runtime: ${runtime}`, `    format: ${format}`, `    image: ${imageOf(runtime)}`, '    files:');
    for (const file of files) {
      fs.writeFileSync(path.join(dir, file), `${runtime} ${file}\n`);
      lines.push(`      - source: files/${runtime}/${file}`);
    }
  }
  fs.writeFileSync(path.join(project, 'modelcar.yaml'), lines.join('\n') + '\n');
  synthesizeConfigFile({ config: path.join(project, 'modelcar.yaml'), outdir: path.join(project, 'dist') });
  for (const runtime of Object.keys(MODELS)) {
    const script = path.join(project, 'dist', 'images', NAMESPACE, modelName(runtime), 'build.sh');
    builds.set(runtime, tryRun(script, ['--no-push'], { cwd: work, env: { ...storage.env, BUILDER: 'buildah' } }));
  }
});

afterAll(() => {
  storage?.destroy();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('a runtime of each layout: the emitted build context builds an image in that layout', () => {
  test.each(Object.keys(MODELS))('%s: /models holds the files where the server reads them, and the modelcar-init check passes', (runtime) => {
    const build = builds.get(runtime);
    if (build?.status !== 0) throw new Error(`build.sh failed:\n${build?.report ?? 'it did not run: beforeAll failed before it'}`);
    const container = storage!.buildah(['from', '--pull-never', imageOf(runtime)]).trim().split('\n').pop()!;
    try {
      const result = storage!.tryBuildah(['run', container, '--', 'sh', '-c', `ls -R /models && echo --- && ${INIT_CHECK}`]);
      expect({ status: result.status, stdout: result.stdout.trim() }).toStrictEqual({
        status: 0,
        stdout: `${EXPECTED_TREES[runtime]}\n---\nOK ... Prefetched and valid (/models exists)`,
      });
    } finally {
      storage!.buildah(['rm', container]);
    }
  });
});
