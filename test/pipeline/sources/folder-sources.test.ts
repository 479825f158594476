/**
 * Folders pinned file by file: synth records each file of a folder source with its SHA-256 in the lock file, so that
 * replacing, adding or removing a file is seen: synth --check fails naming the file, synth records the change (and
 * storageUri falls back to the tag until the image is pushed again), stage refuses a file that no longer matches.
 * A Hugging Face cache folder (snapshots made of relative links into blobs) stages as real files.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ImageLock, inputsDigest, lockFileOf, readLock, recordImages } from '../../../src/pipeline/lock';
import { lockSources } from '../../../src/pipeline/sources/lock-sources';
import { synthesizeConfigFile } from '../../../src/pipeline/synthesize';
import { loadConfigImages } from '../../../src/pipeline/config-images';
import { useEnv } from '../../support/env';
import { sha256 } from '../../support/hub-fixtures';
import { Project, cli, project } from '../../support/project';
import { tempDir } from '../../support/temp';

const cache = tempDir('modelcar-cache-');
useEnv(() => ({ XDG_CACHE_HOME: cache }));

const CONFIG = Buffer.from('{"model_type": "granite"}\n');
const WEIGHTS = Buffer.alloc(200_000, 7);
const TOKENIZER = Buffer.from('{"version": "1.0"}\n');
const DIGEST = `sha256:${'d'.repeat(64)}`;

function config(source = 'models/granite'): string {
  return [
    'version: 1',
    'defaults: { namespace: llm, runtime: vllm-cuda-runtime }',
    'allowPathsOutside: true',
    'models:',
    '  - name: granite',
    '    format: vLLM',
    '    image: quay.io/team/granite:1',
    '    files:',
    `      - source: ${source}`,
    '        path: .',
    '',
  ].join('\n');
}

const synth = (p: Project, ...extra: string[]) => cli(['synth', '-c', p.config, '-o', p.dist, ...extra]);
const storageUri = (p: Project) => /storageUri: (.*)/.exec(fs.readFileSync(path.join(p.dist, 'manifests/llm/inferenceservice-granite.yaml'), 'utf8'))![1];
const lockOf = (p: Project) => path.join(p.dir, 'modelcar.lock.yaml');

/** Records a pushed image for the model as `build --push` would: its digest, with the inputs as they are now. */
function recordPush(p: Project): void {
  const { images } = loadConfigImages(p.config, p.dist);
  const files = Object.fromEntries(images[0].image.files.map((f) => [f.target, `sha256:${f.sha256}`]));
  recordImages(lockFileOf(p.config), new Map([['llm/granite', { image: 'quay.io/team/granite:1', digest: DIGEST, inputs: inputsDigest(images[0].image), files }]]), [images[0].image], path.basename(p.config));
}

describe('a folder pinned file by file', () => {
  let p: Project;
  beforeAll(() => {
    p = project(config());
    p.file('models/granite/config.json', CONFIG);
    p.file('models/granite/model.safetensors', WEIGHTS);
    p.file('models/granite/tokenizer.json', TOKENIZER);
  });

  test('GIVEN a folder THEN synth hashes each file once, records it in the lock file, and the build script checks each', async () => {
    const first = await synth(p);
    expect(first.code).toBe(0);
    expect(first.out).toContain('hashing models/granite/model.safetensors (195.3 KiB)\n');
    expect(first.out).toContain('  sources: models/granite: recorded 3 files in modelcar.lock.yaml\n');
    expect(readLock(lockOf(p)).sources).toStrictEqual({
      folders: {
        'models/granite': {
          files: {
            'config.json': { sha256: `sha256:${sha256(CONFIG)}`, size: CONFIG.length },
            'model.safetensors': { sha256: `sha256:${sha256(WEIGHTS)}`, size: WEIGHTS.length },
            'tokenizer.json': { sha256: `sha256:${sha256(TOKENIZER)}`, size: TOKENIZER.length },
          },
        },
      },
      hub: {},
    });
    expect(fs.readFileSync(path.join(p.dist, 'images/llm/granite/build.sh'), 'utf8')).toContain(`copy '../../../../models/granite/config.json' 'models/config.json' '${sha256(CONFIG)}'; SHA_0=$actual\n`);
    // The digests are remembered (in the user's cache, not the project): the next synth reads no file, and leaves
    // the lock file as it is (not written again: the same inode and time).
    const before = fs.statSync(lockOf(p), { bigint: true });
    const second = await synth(p);
    expect(second.out).not.toContain('hashing');
    expect(second.out).not.toContain('sources:');
    const after = fs.statSync(lockOf(p), { bigint: true });
    expect({ ino: after.ino, mtimeNs: after.mtimeNs }).toStrictEqual({ ino: before.ino, mtimeNs: before.mtimeNs });
  });

  test('GIVEN a lock file with images and sources THEN synth reads it once, for both', async () => {
    expect((await synth(p)).code).toBe(0);
    recordPush(p);
    const read = jest.spyOn(ImageLock, 'forConfig');
    try {
      expect((await synth(p)).code).toBe(0);
      expect(storageUri(p)).toBe(`oci://quay.io/team/granite@${DIGEST}`);
      expect(read.mock.calls).toStrictEqual([[p.config]]);
    } finally {
      read.mockRestore();
    }
  });

  test('GIVEN the lock file as lockSources read it THEN synthesizeConfigFile pins with it, without reading the file again', async () => {
    const sources = await lockSources({ config: p.config });
    const text = fs.readFileSync(lockOf(p), 'utf8');
    fs.writeFileSync(lockOf(p), 'not: [a lock file\n');
    try {
      synthesizeConfigFile({ config: p.config, outdir: p.dist, sources: sources.pins, loaded: sources.loaded, lock: sources.lock });
      expect(storageUri(p)).toBe(`oci://quay.io/team/granite@${DIGEST}`);
    } finally {
      fs.writeFileSync(lockOf(p), text);
    }
  });

  test('GIVEN a pushed image WHEN a file of the folder is replaced THEN --check fails naming it; synth records it and storageUri keeps the tag until the image is pushed again', async () => {
    recordPush(p);
    expect((await synth(p)).code).toBe(0);
    expect(storageUri(p)).toBe(`oci://quay.io/team/granite@${DIGEST}`);
    expect((await synth(p, '--check')).code).toBe(0);

    const changed = Buffer.from('{"model_type": "granite", "vocab_size": 1}\n');
    fs.writeFileSync(path.join(p.dir, 'models/granite/config.json'), changed);
    const check = await synth(p, '--check');
    expect(check.code).toBe(1);
    expect(check.out).toContain(
      [
        `${path.relative(process.cwd(), lockOf(p))} does not match the config's sources: run \`modelcar synth\` and commit the result`,
        `  ! models/granite/config.json: changed since it was recorded (now sha256:${sha256(changed)}, recorded sha256:${sha256(CONFIG)}); run \`modelcar synth\` to record it (and build and push the image again)`,
        `${p.dist}/ is stale: run \`modelcar synth\` and commit the result`,
        '  ~ images/llm/granite/build.sh',
        '  ~ manifests/llm/inferenceservice-granite.yaml',
      ].join('\n'),
    );
    expect(check.out).toContain(`-      storageUri: oci://quay.io/team/granite@${DIGEST}\n+      storageUri: oci://quay.io/team/granite:1\n`);

    const result = await synth(p);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`  sources: models/granite/config.json: changed since it was recorded (now sha256:${sha256(changed)}, recorded sha256:${sha256(CONFIG)}); recorded in modelcar.lock.yaml\n`);
    expect(result.err).toBe(
      `modelcar: warning: ${path.join(p.dir, 'modelcar.lock.yaml')}: llm/granite was pushed from other inputs (Containerfile, base image, files or layer compression changed); storageUri keeps the tag until \`modelcar build --push\` records the new image\n`,
    );
    expect(storageUri(p)).toBe('oci://quay.io/team/granite:1');
    expect((await synth(p, '--check')).code).toBe(0);
  });

  test('GIVEN a file added and one removed THEN --check names both', async () => {
    fs.writeFileSync(path.join(p.dir, 'models/granite/special_tokens_map.json'), '{}\n');
    fs.rmSync(path.join(p.dir, 'models/granite/tokenizer.json'));
    const check = await synth(p, '--check');
    expect(check.code).toBe(1);
    expect(check.out).toContain(
      [
        `  ! models/granite/special_tokens_map.json: added since it was recorded (sha256:${sha256('{}\n')}); run \`modelcar synth\` to record it (and build and push the image again)`,
        '  ! models/granite/tokenizer.json: removed since it was recorded; run `modelcar synth` to record it (and build and push the image again)',
      ].join('\n'),
    );
    // stage (and build) take the folder as the lock file records it: a folder that no longer has those files is refused.
    expect((await cli(['stage', '-c', p.config, '-o', p.dist])).err).toBe(
      `modelcar: ${p.config}:9:17: models[0].files[0].source: the files of models/granite are not the ones pinned: special_tokens_map.json is new (not pinned); tokenizer.json is pinned but no longer in the folder (\`modelcar synth\` records them anew)\n1 problem found; nothing was written.\n`,
    );
    expect((await synth(p)).code).toBe(0);
  });

  test('GIVEN a file changed after synth recorded the folder THEN stage refuses it, saying the folder changed since', async () => {
    expect((await cli(['stage', '-c', p.config, '-o', p.dist])).code).toBe(0);
    const recorded = sha256(fs.readFileSync(path.join(p.dir, 'models/granite/config.json')));
    const later = Buffer.from('{"model_type": "granite", "later": true}\n');
    fs.writeFileSync(path.join(p.dir, 'models/granite/config.json'), later);
    const result = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      `modelcar: ${p.config}:9:17: models[0].files[0].source: models/granite/config.json has sha256 ${sha256(later)}, but modelcar.lock.yaml records ${recorded} for it: the folder changed since \`modelcar synth\` recorded it; it was not staged (run \`modelcar synth\` to record the change, then build and push the image again)\n1 file could not be staged; ${path.relative(process.cwd(), p.dist)} holds no unverified file.\n`,
    );
    expect(fs.existsSync(path.join(p.dist, 'images/llm/granite/models/config.json'))).toBe(false);
  });
});

describe('a Hugging Face cache folder', () => {
  test('GIVEN a snapshot made of relative links into blobs THEN synth records its files and stage stages real files, not links', async () => {
    const p = project(config('hf-cache/models--ibm-granite--granite-tiny/snapshots/3f1e8d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6'));
    // The layout huggingface_hub writes: blobs named by their ETag (the SHA-256 of LFS files), snapshots of links.
    const repoDir = path.join(p.dir, 'hf-cache/models--ibm-granite--granite-tiny');
    const snapshot = path.join(repoDir, 'snapshots/3f1e8d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6');
    const files: Record<string, Buffer> = { 'config.json': CONFIG, 'model.safetensors': WEIGHTS, 'tokenizer/tokenizer.json': TOKENIZER };
    fs.mkdirSync(path.join(repoDir, 'blobs'), { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      fs.writeFileSync(path.join(repoDir, 'blobs', sha256(content)), content);
      const link = path.join(snapshot, name);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.relative(path.dirname(link), path.join(repoDir, 'blobs', sha256(content))), link);
    }
    fs.mkdirSync(path.join(repoDir, 'refs'));
    fs.writeFileSync(path.join(repoDir, 'refs/main'), '3f1e8d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6');

    expect((await synth(p)).code).toBe(0);
    const result = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`  models/config.json: hard-linked from hf-cache/models--ibm-granite--granite-tiny/snapshots/3f1e8d2c4b5a69788796a5b4c3d2e1f0a9b8c7d6/config.json; sha256 ${sha256(CONFIG)} matches modelcar.lock.yaml\n`);
    for (const [name, content] of Object.entries(files)) {
      const staged = path.join(p.dist, 'images/llm/granite/models', name);
      expect({ name, link: fs.lstatSync(staged).isSymbolicLink(), same: fs.readFileSync(staged).equals(content) }).toStrictEqual({ name, link: false, same: true });
    }
    // build.sh does the same (BUILDER=true stands in for podman: its copies and checks run, the build is a no-op).
    const context = path.join(p.dist, 'images/llm/granite');
    fs.rmSync(path.join(context, 'models'), { recursive: true });
    execFileSync('sh', [path.join(context, 'build.sh'), '--no-push'], { env: { PATH: process.env.PATH, BUILDER: 'true' }, stdio: 'pipe' });
    for (const [name, content] of Object.entries(files)) {
      const staged = path.join(context, 'models', name);
      expect({ name, link: fs.lstatSync(staged).isSymbolicLink(), same: fs.readFileSync(staged).equals(content) }).toStrictEqual({ name, link: false, same: true });
    }
  });
});
