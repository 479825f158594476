/**
 * The pipeline from TypeScript: the model images of a construct tree (the chart of examples/typescript), staged and
 * checked for a build as `modelcar stage` and `modelcar build` do for a config, with messages that point at the
 * construct and the TypeScript source instead of a config line. The real build and push is in
 * test/e2e/typescript-pipeline.e2e.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { VisionModels } from '../../examples/typescript/main';
import { treeImages } from '../../src/pipeline/image-set';
import { stage } from '../../src/pipeline/stage';
import { build } from '../../src/pipeline/build';
import { synthesize } from '../../src/pipeline/synthesize';
import { ModelImageFile } from '../../src/constructs/model-image';
import { IMAGE_TOOLS_INSTALL } from '../support/registry';
import { requireTool } from '../support/tools';
import { sha256 } from '../support/digest';

const WEIGHTS = 'weights';
const rel = (p: string) => path.relative(process.cwd(), p);

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** A project folder with a model file, and the example's app made from it (files given by absolute path). */
function project(files?: (dir: string) => ModelImageFile[], image?: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-tree-'));
  temps.push(dir);
  const model = path.join(dir, 'models', 'model.onnx');
  fs.mkdirSync(path.dirname(model));
  fs.writeFileSync(model, WEIGHTS);
  const app = new App();
  new VisionModels(app, 'vision', { files: files ? files(dir) : [{ source: model }], image });
  const outdir = path.join(dir, 'dist');
  const context = path.join(outdir, 'images', 'vision', 'mobilenet');
  return { dir, app, model, outdir, context, tree: { scope: app, outdir, source: 'main.ts' } };
}

describe('the model images of a construct tree', () => {
  test('GIVEN an app THEN its ModelImage constructs, keyed namespace/name, with their build contexts under the output folder and the lock file beside it', () => {
    const p = project();
    const set = treeImages(p.tree);
    expect(set.outdir).toBe(p.outdir);
    expect(set.all.map((i) => [i.image.key, i.contextDir, i.image.node.path])).toStrictEqual([['vision/mobilenet', p.context, 'vision/mobilenet/Image']]);
    expect(set.all[0].origin.lockFile).toBe(path.join(p.dir, 'modelcar.lock.yaml'));
    expect(treeImages({ ...p.tree, lockFile: 'other.lock.yaml' }).all[0].origin.lockFile).toBe('other.lock.yaml');
    // The images themselves, as synthesize() returns them, do as well as the tree.
    const result = synthesize(p.app, p.tree);
    expect(treeImages({ images: result.images, outdir: p.outdir, source: 'main.ts' }).all.map((i) => i.contextDir)).toStrictEqual([p.context]);
  });

  test('GIVEN model names THEN they select as for a config; a name of no model is refused with the models there are', () => {
    const p = project();
    expect(treeImages(p.tree, ['mobilenet']).images.map((i) => i.image.key)).toStrictEqual(['vision/mobilenet']);
    expect(treeImages(p.tree, ['vision/mobilenet']).images.map((i) => i.image.key)).toStrictEqual(['vision/mobilenet']);
    expect(() => treeImages(p.tree, ['mobilnet'])).toThrow('no model "mobilnet" in the construct tree (did you mean "mobilenet"?); its models: vision/mobilenet');
  });

  test('GIVEN neither a tree nor images, or both THEN it says to give one', () => {
    const p = project();
    expect(() => treeImages({ outdir: p.outdir, source: 'main.ts' })).toThrow('give either scope (the construct tree) or images (its ModelImage constructs)');
    expect(() => treeImages({ ...p.tree, images: [] })).toThrow('give either scope (the construct tree) or images (its ModelImage constructs)');
  });
});

describe('stage() from a construct tree', () => {
  test('GIVEN a synthesized tree THEN its model file is linked into the build context, and the digest reported with the construct to pin it on', async () => {
    const p = project();
    synthesize(p.app, p.tree);
    let out = '';
    const staged = await stage({ ...p.tree, output: { write: (t) => void (out += t) }, progress: 'plain' });
    expect(out).toBe(
      [
        `vision/mobilenet -> ${rel(p.context)}/`,
        `  models/1/model.onnx: hard-linked from ${rel(p.model)}; sha256 ${sha256(WEIGHTS)} (not pinned: add \`sha256: ${sha256(WEIGHTS)}\` to vision/mobilenet/Image files[0] at main.ts)`,
        'staged 1 model: 1 files (0 downloaded, 1 linked, 0 copied, 0 unchanged)',
        '',
      ].join('\n'),
    );
    expect(staged.map((s) => [s.key, s.contextDir, s.files.map((f) => [f.target, f.action])])).toStrictEqual([['vision/mobilenet', p.context, [['models/1/model.onnx', 'linked']]]]);
    expect(fs.readFileSync(path.join(p.context, 'models', '1', 'model.onnx'), 'utf8')).toBe(WEIGHTS);
    // The images of synthesize()'s result stage the same way: nothing left to do.
    const result = synthesize(p.app, p.tree);
    const again = await stage({ images: result.images, outdir: p.outdir, source: 'main.ts' });
    expect(again[0].files.map((f) => f.action)).toStrictEqual(['unchanged']);
  });

  test('GIVEN a pinned digest the file does not have THEN nothing is staged, and the message names the construct, its prop and the source', async () => {
    const wrong = 'ab'.repeat(32);
    const p = project((dir) => [{ source: path.join(dir, 'models', 'model.onnx'), sha256: wrong }]);
    synthesize(p.app, p.tree);
    await expect(stage(p.tree)).rejects.toThrow(
      `main.ts: vision/mobilenet/Image files[0].sha256: ${rel(p.model)} has sha256 ${sha256(WEIGHTS)}, but the construct tree expects ${wrong}; it was not staged (check the source, or fix the pin)\n` +
        `1 file could not be staged; ${rel(p.outdir)} holds no unverified file.`,
    );
    expect(fs.existsSync(path.join(p.context, 'models', '1', 'model.onnx'))).toBe(false);
  });
});

describe('build() from a construct tree refuses to build what it cannot vouch for', () => {
  requireTool('buildah', IMAGE_TOOLS_INSTALL);

  test('GIVEN no build context, then one synthesized with another source THEN it asks for synthesize() first', async () => {
    const p = project();
    const containerfile = rel(path.join(p.context, 'Containerfile'));
    await expect(build({ ...p.tree, builder: 'buildah' })).rejects.toThrow(`vision/mobilenet: ${containerfile} is missing; run \`synthesize()\` first`);
    synthesize(p.app, { ...p.tree, source: 'models.ts' });
    await expect(build({ ...p.tree, builder: 'buildah' })).rejects.toThrow(`vision/mobilenet: ${containerfile} is not what synthesize() writes for the construct tree now; run \`synthesize()\` first`);
  });

  test('GIVEN files not staged THEN it asks for stage() first; GIVEN an image by digest and push THEN it asks for a tag', async () => {
    const p = project();
    synthesize(p.app, p.tree);
    await expect(build({ ...p.tree, builder: 'buildah' })).rejects.toThrow('vision/mobilenet: models/1/model.onnx is not staged. Run `stage()` first.');
    const pinned = project(undefined, `registry.example.com/vision/mobilenet@sha256:${'a'.repeat(64)}`);
    synthesize(pinned.app, pinned.tree);
    await expect(build({ ...pinned.tree, builder: 'buildah', push: true })).rejects.toThrow(
      `vision/mobilenet: image registry.example.com/vision/mobilenet@sha256:${'a'.repeat(64)} is given by digest, and a digest cannot be pushed to; give a tag in the construct tree`,
    );
  });
});
