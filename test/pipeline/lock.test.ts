import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { ImageLock, SourcePins, inputsDigest, lockFileOf, readLock, renderLock, writeLock } from '../../src/pipeline/lock';
import { tempDir } from '../support/temp';
import { ModelImage } from '../../src/constructs/model-image';
import { OciModel } from '../../src/constructs/oci-model';
import { synthesize } from '../../src/pipeline/synthesize';
import { ModelLayouts } from '../../src/core/model-layout';
import { cli, project } from '../support/project';
import { testChart } from '../support/charts';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const FILE_SHA = `sha256:${'f'.repeat(64)}`;

function config(extra: { model?: string[]; defaults?: string[] } = {}): string {
  return [
    'version: 1',
    'defaults:',
    '  namespace: team-a',
    '  runtime: kserve-ovms',
    ...(extra.defaults ?? []),
    'models:',
    '  - name: mobilenet',
    '    format: onnx',
    '    image: quay.io/team-a/mobilenet:v2-7',
    ...(extra.model ?? []),
    '    files:',
    '      - source: https://example.com/mobilenetv2-7.onnx',
    '',
  ].join('\n');
}

/** The ModelImage synth makes for config(), to compute its inputs digest. */
function modelImage(image = 'quay.io/team-a/mobilenet:v2-7'): ModelImage {
  return new ModelImage(testChart(), 'i', {
    image,
    files: [{ source: 'https://example.com/mobilenetv2-7.onnx' }],
    layout: ModelLayouts.OVMS,
    contextPath: 'images/team-a/mobilenet',
    description: 'InferenceService team-a/mobilenet',
    model: { name: 'mobilenet', namespace: 'team-a', format: 'onnx', runtime: 'kserve-ovms' },
  });
}

function lockText(entry: { image?: string; inputs?: string } = {}): string {
  return renderLock(
    {
      images: {
        'team-a/mobilenet': {
          image: entry.image ?? 'quay.io/team-a/mobilenet:v2-7',
          digest: DIGEST,
          inputs: entry.inputs ?? inputsDigest(modelImage()),
          files: { 'models/1/mobilenetv2-7.onnx': FILE_SHA },
        },
      },
    },
    'modelcar.yaml',
  );
}

const storageUri = (dist: string) => /storageUri: (.*)/.exec(fs.readFileSync(path.join(dist, 'manifests/team-a/inferenceservice-mobilenet.yaml'), 'utf8'))![1];

describe('the lock file', () => {
  test('GIVEN a config path THEN its lock file sits next to it', () => {
    expect(lockFileOf('modelcar.yaml')).toBe('modelcar.lock.yaml');
    expect(lockFileOf('/p/examples/prod.yml')).toBe('/p/examples/prod.lock.yaml');
    expect(lockFileOf('conf/models')).toBe(path.join('conf', 'models.lock.yaml'));
  });

  test('GIVEN entries in any order THEN the text is sorted, with a header, and reads back the same', () => {
    const content = {
      images: {
        'b/two': { image: 'r.io/b/two:1', digest: DIGEST, inputs: DIGEST, files: { 'models/z': FILE_SHA, 'models/a': FILE_SHA } },
        'a/one': { image: 'r.io/a/one:1', digest: DIGEST, inputs: DIGEST, files: {} },
      },
    };
    const text = renderLock(content, 'modelcar.yaml');
    expect(text).toBe(
      [
        '# Written by modelcar for modelcar.yaml: `build --push` and `pin` record the digests of the model images (`images`),',
        '# `synth` the files of local folders and Hugging Face repositories (`sources`). Commit it. `modelcar synth` pins each',
        '# InferenceService to its image digest here (storageUri: oci://repo@sha256:...) while the image would be built from',
        '# the same inputs (`inputs`); `files` are the model files in the image.',
        'version: 1',
        'images:',
        '  a/one:',
        `    digest: ${DIGEST}`,
        '    files: {}',
        '    image: r.io/a/one:1',
        `    inputs: ${DIGEST}`,
        '  b/two:',
        `    digest: ${DIGEST}`,
        '    files:',
        `      models/a: ${FILE_SHA}`,
        `      models/z: ${FILE_SHA}`,
        '    image: r.io/b/two:1',
        `    inputs: ${DIGEST}`,
        '',
      ].join('\n'),
    );
    const p = project('', 'modelcar-lock-');
    expect(readLock(p.file('x.lock.yaml', text))).toStrictEqual({ images: { 'a/one': content.images['a/one'], 'b/two': content.images['b/two'] } });
  });

  test('GIVEN a damaged lock file THEN the error names the file, the line and the field', () => {
    const p = project('', 'modelcar-lock-');
    const bad = lockText().replace(`digest: ${DIGEST}`, 'digest: latest');
    expect(() => readLock(p.file('m.lock.yaml', bad))).toThrow(
      `${path.join(p.dir, 'm.lock.yaml')}:8: images["team-a/mobilenet"].digest: must be sha256:<64 lowercase hex digits>; it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again`,
    );
    expect(() => readLock(p.file('v.lock.yaml', 'version: 2\n'))).toThrow(`${path.join(p.dir, 'v.lock.yaml')}:1: version: a lock file needs \`version: 1\``);
    expect(() => readLock(p.file('y.lock.yaml', 'version: 1\nimages: [\n'))).toThrow(/y\.lock\.yaml:\d+: not valid YAML/);
  });

  test('GIVEN a folder where the lock file should be THEN synth exits 1 naming the lock file', async () => {
    const p = project(config());
    fs.mkdirSync(path.join(p.dir, 'modelcar.lock.yaml'));
    expect(await cli(['synth', '-c', p.config, '-o', p.dist])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${path.join(p.dir, 'modelcar.lock.yaml')}: cannot read: it is a folder (EISDIR); it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again\n`,
    });
    expect(fs.existsSync(p.dist)).toBe(false);
  });

  test('GIVEN an image whose Containerfile, files or reference change THEN its inputs digest changes; the same props give the same digest', () => {
    const base = inputsDigest(modelImage());
    expect(inputsDigest(modelImage())).toBe(base);
    expect(inputsDigest(modelImage('quay.io/team-a/mobilenet:v3'))).not.toBe(base);
    const other = new ModelImage(testChart(), 'i', {
      image: 'quay.io/team-a/mobilenet:v2-7',
      files: [{ source: 'https://example.com/mobilenetv2-7.onnx', sha256: 'a'.repeat(64) }],
      layout: ModelLayouts.OVMS,
      contextPath: 'images/team-a/mobilenet',
      description: 'InferenceService team-a/mobilenet',
      model: { name: 'mobilenet', namespace: 'team-a', format: 'onnx', runtime: 'kserve-ovms' },
    });
    expect(inputsDigest(other)).not.toBe(base);
  });
});

describe('synth with a lock file', () => {
  test('GIVEN a lock entry built from the same inputs THEN storageUri is pinned to repository@digest, the tag dropped', async () => {
    const p = project(config());
    p.file('modelcar.lock.yaml', lockText());
    expect(await cli(['synth', '-c', p.config, '-o', p.dist])).toMatchObject({ code: 0, err: '' });
    expect(storageUri(p.dist)).toBe(`oci://quay.io/team-a/mobilenet@${DIGEST}`);
    // The build context does not change with the pin.
    const q = project(config());
    await cli(['synth', '-c', q.config, '-o', q.dist]);
    expect(storageUri(q.dist)).toBe('oci://quay.io/team-a/mobilenet:v2-7');
    expect(fs.readFileSync(path.join(p.dist, 'images/team-a/mobilenet/Containerfile'), 'utf8')).toBe(fs.readFileSync(path.join(q.dist, 'images/team-a/mobilenet/Containerfile'), 'utf8'));
  });

  test('GIVEN pinDigest: false on the model or in defaults THEN the tag stays', async () => {
    for (const extra of [{ model: ['    pinDigest: false'] }, { defaults: ['  pinDigest: false'] }]) {
      const p = project(config(extra));
      p.file('modelcar.lock.yaml', lockText());
      expect(await cli(['synth', '-c', p.config, '-o', p.dist])).toMatchObject({ code: 0, err: '' });
      expect(storageUri(p.dist)).toBe('oci://quay.io/team-a/mobilenet:v2-7');
    }
  });

  test('GIVEN a lock entry for another tag or other inputs THEN the tag stays and a warning says why', async () => {
    const p = project(config());
    p.file('modelcar.lock.yaml', lockText({ image: 'quay.io/team-a/mobilenet:v1' }));
    const moved = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(moved.code).toBe(0);
    expect(moved.err).toBe(
      `modelcar: warning: ${p.dir}/modelcar.lock.yaml: team-a/mobilenet was pushed as quay.io/team-a/mobilenet:v1, but the config now says quay.io/team-a/mobilenet:v2-7; storageUri keeps the tag until \`modelcar build --push\` records the new image\n`,
    );
    expect(storageUri(p.dist)).toBe('oci://quay.io/team-a/mobilenet:v2-7');

    p.file('modelcar.lock.yaml', lockText({ inputs: DIGEST }));
    const changed = await cli(['synth', '--check', '-c', p.config, '-o', p.dist]);
    expect(changed).toStrictEqual({
      code: 0,
      out: `${p.dist}/ is up to date\n`,
      err: `modelcar: warning: ${p.dir}/modelcar.lock.yaml: team-a/mobilenet was pushed from other inputs (Containerfile, base image, files or layer compression changed); storageUri keeps the tag until \`modelcar build --push\` records the new image\n`,
    });
  });

  test('GIVEN a lock entry pushed uncompressed and the config now asking for zstd or gzip layers THEN the tag stays (another image is due); compression none keeps the pin', async () => {
    const cases: [string, { model?: string[]; defaults?: string[] }][] = [['model', { model: ['    compression: zstd'] }], ['defaults', { defaults: ['  compression: gzip'] }]];
    for (const [where, extra] of cases) {
      const p = project(config(extra));
      p.file('modelcar.lock.yaml', lockText());
      const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
      expect([where, result.err]).toStrictEqual([
        where,
        `modelcar: warning: ${p.dir}/modelcar.lock.yaml: team-a/mobilenet was pushed from other inputs (Containerfile, base image, files or layer compression changed); storageUri keeps the tag until \`modelcar build --push\` records the new image\n`,
      ]);
      expect(storageUri(p.dist)).toBe('oci://quay.io/team-a/mobilenet:v2-7');
    }
    const none = project(config({ model: ['    compression: none'] }));
    none.file('modelcar.lock.yaml', lockText());
    expect(await cli(['synth', '-c', none.config, '-o', none.dist])).toMatchObject({ code: 0, err: '' });
    expect(storageUri(none.dist)).toBe(`oci://quay.io/team-a/mobilenet@${DIGEST}`);
  });

  test('GIVEN a damaged lock file THEN synth exits 1 with its position and writes nothing', async () => {
    const p = project(config());
    p.file('modelcar.lock.yaml', 'version: 1\nimages:\n  team-a/mobilenet: 3\n');
    expect(await cli(['synth', '-c', p.config, '-o', p.dist])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${path.join(p.dir, 'modelcar.lock.yaml')}:3: images["team-a/mobilenet"]: must be a map with image, digest, inputs and files; it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again\n`,
    });
    expect(fs.existsSync(p.dist)).toBe(false);
  });
});

/** config() with environments dev and prod, in namespaces of their own; `prod` may set the image. */
function withEnvironments(prodImage?: string): string {
  return (
    config() +
    ['environments:', '  dev:', '    renameNamespaces: { team-a: team-a-dev }', '  prod:', '    renameNamespaces: { team-a: team-a-prod }', ...(prodImage ? [`    models: { mobilenet: { image: "${prodImage}" } }`] : []), ''].join('\n')
  );
}

describe('one digest from dev to prod', () => {
  test('GIVEN a model in two namespaces and environments THEN its image has no namespace, environment, tag or path in it: the same Containerfile instructions, the same inputs', () => {
    const make = (namespace: string, environment: string | undefined, image: string) =>
      new ModelImage(testChart(), 'i', {
        image,
        files: [{ source: 'https://example.com/mobilenetv2-7.onnx' }],
        layout: ModelLayouts.OVMS,
        contextPath: `${environment ? `${environment}/` : ''}images/${namespace}/mobilenet`,
        description: `InferenceService ${namespace}/mobilenet`,
        model: { name: 'mobilenet', namespace, format: 'onnx', runtime: 'kserve-ovms', environment },
      });
    const dev = make('team-a-dev', 'dev', 'quay.io/team-a/mobilenet:dev');
    const prod = make('team-a-prod', 'prod', 'quay.io/team-a/mobilenet:v1');
    const instructions = (i: ModelImage) => i.containerfile('modelcar.yaml').lines.filter((l) => l.kind !== 'comment');
    expect(instructions(dev)).toStrictEqual(instructions(prod));
    expect(JSON.stringify(Object.values(dev.labels()))).not.toMatch(/team-a|dev|v1/);
    expect(dev.filesLabel('/p/dist', ['a'.repeat(64)])).toBe(prod.filesLabel('/p/dist', ['a'.repeat(64)]));
    // Same tag too: the same inputs.
    expect(inputsDigest(make('team-a-dev', 'dev', 'quay.io/team-a/mobilenet:v1'))).toBe(inputsDigest(prod));
  });

  test('GIVEN a lock written before the config had environments THEN each environment that builds the same image keeps its digest; one that pushes another tag is warned about', async () => {
    const p = project(withEnvironments());
    p.file('modelcar.lock.yaml', lockText());
    expect(await cli(['synth', '-c', p.config, '-o', p.dist])).toMatchObject({ code: 0, err: '' });
    for (const env of ['dev', 'prod']) {
      expect(/storageUri: (.*)/.exec(fs.readFileSync(path.join(p.dist, `${env}/manifests/team-a-${env}/inferenceservice-mobilenet.yaml`), 'utf8'))![1]).toBe(`oci://quay.io/team-a/mobilenet@${DIGEST}`);
    }
    const q = project(withEnvironments('quay.io/team-a/mobilenet:v3'));
    q.file('modelcar.lock.yaml', lockText());
    const result = await cli(['synth', '-c', q.config, '-o', q.dist]);
    expect(result.err).toBe(
      `modelcar: warning: ${q.dir}/modelcar.lock.yaml: prod/team-a-prod/mobilenet has no entry of its own, and team-a/mobilenet (the same model) was pushed as quay.io/team-a/mobilenet:v2-7, but the config now says quay.io/team-a/mobilenet:v3; storageUri keeps the tag until \`modelcar build --push\` records the new image\n`,
    );
    expect(/storageUri: (.*)/.exec(fs.readFileSync(path.join(q.dist, 'dev/manifests/team-a-dev/inferenceservice-mobilenet.yaml'), 'utf8'))![1]).toBe(`oci://quay.io/team-a/mobilenet@${DIGEST}`);
  });

  test('GIVEN two environments (or two models) that push one tag from different files THEN a config error at the image line of each later one', async () => {
    const p = project(withEnvironments() + '    models: { mobilenet: { files: [{ source: "https://example.com/mobilenetv3.onnx" }] } }\n');
    const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
    expect(result).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${p.config}:8:12: models[0].image: "quay.io/team-a/mobilenet:v2-7" is pushed by prod/team-a-prod/mobilenet (environment prod) and by dev/team-a-dev/mobilenet (environment dev) from different files or base image: one tag holds one image, so each push would replace the other's; give each its own tag, or the same files and base image\n1 problem found; nothing was written.\n`,
    });
    expect(fs.existsSync(p.dist)).toBe(false);
    const twoModels = project(
      config() + ['  - name: resnet', '    format: onnx', '    image: quay.io/team-a/mobilenet:v2-7', '    files:', '      - source: https://example.com/resnet.onnx', ''].join('\n'),
    );
    expect((await cli(['synth', '-c', twoModels.config, '-o', twoModels.dist])).err).toMatch(/^modelcar: .*modelcar\.yaml:13:12: models\[1\]\.image: "quay\.io\/team-a\/mobilenet:v2-7" is pushed by team-a\/resnet \(the config\) and by team-a\/mobilenet \(the config\) /);
  });
});

describe('pinning a construct tree (TypeScript) with ImageLock.fromFile', () => {
  /** The OciModel of config(), made in TypeScript: the same image, hence the same key and inputs. */
  function tree(lock: ImageLock, environment?: string): { app: App; model: OciModel } {
    const app = new App();
    const chart = new Chart(app, 'models', { namespace: 'team-a', disableResourceNameHashes: true });
    const model = new OciModel(chart, 'mobilenet', {
      name: 'mobilenet',
      runtime: 'kserve-ovms',
      modelFormat: { name: 'onnx' },
      image: 'quay.io/team-a/mobilenet:v2-7',
      files: [{ source: 'https://example.com/mobilenetv2-7.onnx' }],
      lock,
      environment,
    });
    return { app, model };
  }
  const storageUriOf = (model: OciModel) => model.inferenceService.apiObject.toJson().spec.predictor.model.storageUri;

  test('GIVEN the lock file `modelcar build --push` wrote for the same model THEN the OciModel is pinned to its digest, as synth pins it', async () => {
    const p = project(config(), 'modelcar-lock-');
    const file = p.file('modelcar.lock.yaml', lockText());
    expect(storageUriOf(tree(ImageLock.fromFile(file)).model)).toBe(`oci://quay.io/team-a/mobilenet@${DIGEST}`);
    // The same file pins the config's model: one format for both.
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    expect(storageUri(p.dist)).toBe(`oci://quay.io/team-a/mobilenet@${DIGEST}`);
    // Written out by synthesize(), the InferenceService carries the pin.
    const outdir = path.join(p.dir, 'ts-dist');
    synthesize(tree(ImageLock.fromFile(file)).app, { outdir, source: 'main.ts' });
    expect(storageUri(outdir)).toBe(`oci://quay.io/team-a/mobilenet@${DIGEST}`);
  });

  test('GIVEN no lock file THEN an empty lock: the tag stays; GIVEN a model of an environment THEN its entry is <environment>/<namespace>/<name>', () => {
    const p = project('', 'modelcar-lock-');
    const missing = ImageLock.fromFile(path.join(p.dir, 'none.lock.yaml'));
    expect({ file: missing.file, content: missing.content }).toStrictEqual({ file: path.join(p.dir, 'none.lock.yaml'), content: { images: {} } });
    expect(storageUriOf(tree(missing).model)).toBe('oci://quay.io/team-a/mobilenet:v2-7');
    const entry = YAML.parse(lockText()).images['team-a/mobilenet'];
    const file = p.file('env.lock.yaml', renderLock({ images: { 'prod/team-a/mobilenet': entry } }, 'main.ts', 'typescript'));
    const pinned = tree(ImageLock.fromFile(file), 'prod').model;
    expect(pinned.image.key).toBe('prod/team-a/mobilenet');
    expect(storageUriOf(pinned)).toBe(`oci://quay.io/team-a/mobilenet@${DIGEST}`);
    // Without the environment the key differs, but the reference and the inputs are the same: the same image, so the
    // same digest (one digest from dev to prod).
    expect(storageUriOf(tree(ImageLock.fromFile(file)).model)).toBe(`oci://quay.io/team-a/mobilenet@${DIGEST}`);
    // Another reference is not pinned by it.
    const other = new OciModel(new Chart(new App(), 'models', { namespace: 'team-a' }), 'm', {
      name: 'mobilenet',
      runtime: 'kserve-ovms',
      modelFormat: { name: 'onnx' },
      image: 'quay.io/team-a/mobilenet:v3',
      files: [{ source: 'https://example.com/mobilenetv2-7.onnx' }],
      lock: ImageLock.fromFile(file),
    });
    expect(storageUriOf(other)).toBe('oci://quay.io/team-a/mobilenet:v3');
  });

  test('GIVEN an entry pushed as another tag or from other inputs THEN the tag stays, and lock.stale says why in the words of the TypeScript API', () => {
    const p = project('', 'modelcar-lock-');
    const moved = ImageLock.fromFile(p.file('a.lock.yaml', lockText({ image: 'quay.io/team-a/mobilenet:v1' })));
    expect(storageUriOf(tree(moved).model)).toBe('oci://quay.io/team-a/mobilenet:v2-7');
    const changed = ImageLock.fromFile(p.file('b.lock.yaml', lockText({ inputs: DIGEST })));
    expect(storageUriOf(tree(changed).model)).toBe('oci://quay.io/team-a/mobilenet:v2-7');
    expect([...moved.stale, ...changed.stale]).toStrictEqual([
      'team-a/mobilenet was pushed as quay.io/team-a/mobilenet:v1, but the construct tree now says quay.io/team-a/mobilenet:v2-7; storageUri keeps the tag until `build({ push: true })` records the new image',
      'team-a/mobilenet was pushed from other inputs (Containerfile, base image, files or layer compression changed); storageUri keeps the tag until `build({ push: true })` records the new image',
    ]);
  });

  test('GIVEN a lock written for a TypeScript source THEN the same content, and a header in the words of the TypeScript API', () => {
    const content = readLock(project('', 'modelcar-lock-').file('m.lock.yaml', lockText()));
    const text = renderLock(content, 'main.ts', 'typescript');
    expect(text.split('\n').slice(0, 3)).toStrictEqual([
      '# Written by `build({ push: true })`: the digests of the model images pushed for main.ts.',
      '# Commit it. An OciModel given `lock: ImageLock.fromFile(...)` pins its InferenceService to its digest here (storageUri: oci://repo@sha256:...)',
      '# while the image would be built from the same inputs (`inputs`); `files` are the model files in the image.',
    ]);
    const body = (lock: string) => lock.split('\n').filter((l) => !l.startsWith('#'));
    expect(text.split('\n')[3]).toBe('version: 1');
    expect(body(text)).toStrictEqual(body(lockText()));
  });
});

describe('synth and base images', () => {
  test('GIVEN baseImage ubi9 THEN the Containerfile builds on UBI 9 micro', async () => {
    const p = project(config({ model: ['    baseImage: ubi9'] }));
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    expect(fs.readFileSync(path.join(p.dist, 'images/team-a/mobilenet/Containerfile'), 'utf8')).toContain('\nARG BASE_IMAGE=registry.access.redhat.com/ubi9/ubi-micro:latest\n');
  });

  test('GIVEN a base image without a shell, on the model or in defaults THEN a config error at its line says why KServe needs one', async () => {
    const p = project(config({ model: ['    baseImage: gcr.io/distroless/static:nonroot'], defaults: ['  baseImage: scratch'] }));
    const result = await cli(['synth', '-c', p.config, '-o', p.dist]);
    const why =
      'KServe runs the model image as a sidecar with `sh -c "ln -sf /proc/$$/root/models /mnt/models && sleep infinity"` and checks /models in an init container with sh, [, ls and echo. Use a small image with a shell, e.g. ubi9 (registry.access.redhat.com/ubi9/ubi-micro:latest)';
    expect(result).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${p.config}:10:16: models[0].baseImage: "gcr.io/distroless/static:nonroot" is a distroless image, which has no shell (only its :debug tags ship a busybox one); ${why}\n1 problem found; nothing was written.\n`,
    });
    const q = project(config({ defaults: ['  baseImage: scratch'] }));
    expect((await cli(['synth', '-c', q.config, '-o', q.dist])).err).toBe(
      `modelcar: ${q.config}:5:14: defaults.baseImage: "scratch" is empty and has no shell; ${why}\n1 problem found; nothing was written.\n`,
    );
  });

  test('GIVEN a folder source with a sha256 or with path "." THEN sha256 is refused at its line, "." takes the folder\'s files to the top', async () => {
    const text = config().replace('      - source: https://example.com/mobilenetv2-7.onnx\n', '      - source: ir\n        path: .\n');
    const p = project(text);
    p.file('ir/model.xml', '<xml/>');
    p.file('ir/model.bin', 'weights');
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    expect(fs.readFileSync(path.join(p.dist, 'images/team-a/mobilenet/Containerfile'), 'utf8')).toContain(
      '\nCOPY --chown=0:0 --chmod=0444 models/1/model.bin models/1/model.xml /models/1/\n',
    );
    fs.writeFileSync(p.config, text.replace('        path: .\n', `        sha256: ${'a'.repeat(64)}\n`));
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).err).toBe(
      `modelcar: ${p.config}:11:17: models[0].files[0].sha256: "ir" is a folder; sha256 pins a single file (the lock file pins each file of a folder)\n1 problem found; nothing was written.\n`,
    );
  });
});

describe('the sources of the lock file', () => {
  test('GIVEN folders and hub repositories THEN they are written sorted after the images and read back the same', () => {
    const file = (sha: string, size: number) => ({ sha256: `sha256:${sha.repeat(64)}`, size });
    const content = {
      images: {},
      sources: {
        folders: { 'models/b': { files: { 'z.json': file('1', 3), 'a.bin': file('2', 5) } }, 'models/a': { files: { 'x.onnx': file('3', 7) } } },
        hub: { 'org/model@main': { commit: 'c'.repeat(40), files: { 'config.json': file('4', 11) } } },
      },
    };
    const text = renderLock(content, 'modelcar.yaml');
    expect(text.split('\n').slice(4).join('\n')).toBe(
      [
        'version: 1',
        'images: {}',
        'sources:',
        '  folders:',
        '    models/a:',
        '      files:',
        '        x.onnx:',
        `          sha256: sha256:${'3'.repeat(64)}`,
        '          size: 7',
        '    models/b:',
        '      files:',
        '        a.bin:',
        `          sha256: sha256:${'2'.repeat(64)}`,
        '          size: 5',
        '        z.json:',
        `          sha256: sha256:${'1'.repeat(64)}`,
        '          size: 3',
        '  hub:',
        '    org/model@main:',
        `      commit: ${'c'.repeat(40)}`,
        '      files:',
        '        config.json:',
        `          sha256: sha256:${'4'.repeat(64)}`,
        '          size: 11',
        '',
      ].join('\n'),
    );
    const p = project('version: 1\n');
    fs.writeFileSync(path.join(p.dir, 'modelcar.lock.yaml'), text);
    expect(readLock(path.join(p.dir, 'modelcar.lock.yaml'))).toStrictEqual(content);
  });

  test('GIVEN a damaged hub record THEN the error names the line and the field', () => {
    const p = project('version: 1\n');
    const lock = path.join(p.dir, 'modelcar.lock.yaml');
    fs.writeFileSync(lock, ['version: 1', 'images: {}', 'sources:', '  hub:', '    org/model@main:', '      commit: main', '      files: {}', ''].join('\n'));
    expect(() => readLock(lock)).toThrow(`${lock}:6: sources.hub["org/model@main"].commit: must be a commit id (40 lowercase hex digits); it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again`);
  });

  test('GIVEN a file recorded twice (a bad merge) THEN the second is named at its line, not silently taken', () => {
    const p = project('version: 1\n');
    const lock = path.join(p.dir, 'modelcar.lock.yaml');
    const record = (name: string) => [`        ${name}:`, `          sha256: sha256:${'a'.repeat(64)}`, '          size: 1'];
    const lines = ['version: 1', 'images: {}', 'sources:', '  folders:', '    models/many:', '      files:'];
    for (let i = 0; i < 300; i++) lines.push(...record(`f${i}.txt`));
    lines.push(...record('f7.txt'));
    fs.writeFileSync(lock, [...lines, ''].join('\n'));
    expect(() => readLock(lock)).toThrow(`${lock}:${7 + 3 * 300}: not valid YAML (Map keys must be unique); it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again`);
  });

  test('GIVEN a damaged file record among many THEN the error names its line and the field', () => {
    const p = project('version: 1\n');
    const lock = path.join(p.dir, 'modelcar.lock.yaml');
    const lines = ['version: 1', 'images: {}', 'sources:', '  folders:', '    models/many:', '      files:'];
    for (let i = 0; i < 500; i++) lines.push(`        f${i}.txt:`, `          sha256: sha256:${'a'.repeat(64)}`, `          size: ${i === 321 ? -1 : i}`);
    fs.writeFileSync(lock, [...lines, ''].join('\n'));
    // f321.txt's key is on line 7 + 3 * 321, its record (sha256, size) from the next line.
    expect(() => readLock(lock)).toThrow(`${lock}:${8 + 3 * 321}: sources.folders["models/many"].files["f321.txt"].size: must be the size in bytes; it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again`);
  });
});

describe('reading the lock file in a hostile checkout', () => {
  test('GIVEN a link at the lock file THEN it is not read (modelcar writes that file): the error names the link and what to do', () => {
    const dir = tempDir('modelcar-lock-read-link-');
    const outside = tempDir('modelcar-lock-read-outside-');
    fs.writeFileSync(path.join(outside, 'other.lock.yaml'), 'version: 1\nimages: {}\n');
    const file = path.join(dir, 'modelcar.lock.yaml');
    fs.symlinkSync(path.join(outside, 'other.lock.yaml'), file);
    expect(() => readLock(file)).toThrow(
      `${file}: is a symbolic link (to ${path.join(outside, 'other.lock.yaml')}), which is not read; it is written by modelcar (synth, build --push, pin): restore the file from git, or delete the link and run them again`,
    );
  });

  test('GIVEN a named pipe or a link to /dev/zero at the lock file THEN refused at once', () => {
    const dir = tempDir('modelcar-lock-read-fifo-');
    const file = path.join(dir, 'modelcar.lock.yaml');
    execFileSync('mkfifo', [file]);
    expect(() => readLock(file)).toThrow(`${file}: is a named pipe (FIFO), not a file; it is written by modelcar (synth, build --push, pin): restore it from git, or delete it and run them again`);
    fs.rmSync(file);
    fs.symlinkSync('/dev/zero', file);
    expect(() => readLock(file)).toThrow(`${file}: is a symbolic link (to /dev/zero), which is not read;`);
  });
});

describe('writing the lock file in a hostile checkout', () => {
  const DIGEST = `sha256:${'a'.repeat(64)}`;
  const CONTENT = { images: { 'ns/m': { image: 'quay.io/u/m:1', digest: DIGEST, inputs: DIGEST, files: {} } } };

  test('GIVEN links at the lock file and at its temporary name, into a folder outside THEN neither is written through: the lock file is a new file beside the config', () => {
    const dir = tempDir('modelcar-lock-links-');
    const outside = tempDir('modelcar-lock-outside-');
    fs.writeFileSync(path.join(outside, 'target'), 'keep');
    fs.writeFileSync(path.join(outside, 'temp-target'), 'keep');
    const file = path.join(dir, 'modelcar.lock.yaml');
    fs.symlinkSync(path.join(outside, 'target'), file);
    fs.symlinkSync(path.join(outside, 'temp-target'), path.join(dir, `.modelcar.lock.yaml.${process.pid}.tmp`));
    writeLock(file, CONTENT, 'modelcar.yaml');
    expect(fs.lstatSync(file).isFile()).toBe(true);
    expect(readLock(file).images['ns/m']!.digest).toBe(DIGEST);
    expect(fs.readFileSync(path.join(outside, 'target'), 'utf8')).toBe('keep');
    expect(fs.readFileSync(path.join(outside, 'temp-target'), 'utf8')).toBe('keep');
    expect(fs.readdirSync(dir)).toStrictEqual(['modelcar.lock.yaml']);
  });

  test('GIVEN a folder where the lock file goes THEN writing refuses it by name and leaves no temporary file', () => {
    const dir = tempDir('modelcar-lock-folder-');
    const file = path.join(dir, 'modelcar.lock.yaml');
    fs.mkdirSync(file);
    expect(() => writeLock(file, CONTENT, 'modelcar.yaml')).toThrow(`${file} is a folder, where modelcar writes a file`);
    expect(fs.readdirSync(dir)).toStrictEqual(['modelcar.lock.yaml']);
  });

  test('GIVEN a lock file read for its images THEN its source pins come from the same read (synth reads it once)', () => {
    const dir = tempDir('modelcar-lock-once-');
    const config = path.join(dir, 'modelcar.yaml');
    writeLock(lockFileOf(config), { ...CONTENT, sources: { folders: { models: { files: { 'a.onnx': { sha256: `sha256:${'b'.repeat(64)}`, size: 1 } } } }, hub: {} } } as never, 'modelcar.yaml');
    const lock = ImageLock.forConfig(config);
    expect(SourcePins.ofLock(config, lock).sources).toStrictEqual(SourcePins.forConfig(config).sources);
  });
});
