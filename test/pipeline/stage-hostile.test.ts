/**
 * stage on hostile and sloppy trees: links and mount points in build contexts, Hugging Face caches, links out of
 * the config's folder, read-only and full disks, servers that trickle or cut, credentials in URLs and redirects.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stage } from '../../src/pipeline/stage';
import { Route, TestServer, startServer } from '../support/http-server';
import { bindReadOnly, mountTmpfs, unmountAll } from '../support/mounts';
import { cli } from '../support/project';
import { sha256 } from '../support/digest';

const BODY = Buffer.alloc(100_000, 3);

let server: TestServer;
const routes: Record<string, Route> = {
  '/model.onnx': { kind: 'file', body: BODY },
  '/model.onnx?token=tok-SECRET-123': { kind: 'file', body: BODY },
  '/drip/model.onnx': { kind: 'drip', size: 1_000_000, chunk: 1, everyMs: 200 },
  '/cut/model.onnx': { kind: 'drip', size: 1_000_000, chunk: 1000, everyMs: 40, cutAfter: 5 },
  '/to-userinfo/model.onnx': { kind: 'redirect', to: 'http://robot:hunter2@127.0.0.1:1/model.onnx' },
  '/to-signed/model.onnx': { kind: 'redirect', to: '/gone.onnx?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=deadbeefsig' },
};

const made: string[] = [];
beforeAll(async () => {
  server = await startServer(routes);
});
afterAll(async () => {
  await server.close();
  unmountAll();
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A checkout: `repo/` with a config naming `files` (YAML list items), `outside/` beside it with a secret. */
function checkout(files: string[], extra: string[] = []) {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-stage-hostile-')));
  made.push(root);
  const repo = path.join(root, 'repo');
  const outside = path.join(root, 'outside');
  fs.mkdirSync(repo);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'TOP-SECRET-CONTENT\n');
  const config = path.join(repo, 'modelcar.yaml');
  fs.writeFileSync(
    config,
    ['version: 1', ...extra, 'defaults:', '  namespace: team', '  runtime: kserve-ovms', 'models:', '  - name: m', '    format: onnx', '    image: quay.io/team/m:1', '    files:', ...files, ''].join('\n'),
  );
  const dist = path.join(repo, 'dist');
  const context = path.join(dist, 'images', 'team', 'm');
  return { root, repo, outside, config, dist, context, models: path.join(context, 'models', '1') };
}

const shown = (p: string) => path.relative(process.cwd(), p);

describe('links and mount points in a build context', () => {
  test('GIVEN a committed `models` link to the checkout itself THEN stage refuses, naming it; nothing behind it is deleted or written', async () => {
    const p = checkout(['      - source: w.onnx']);
    fs.writeFileSync(path.join(p.repo, 'w.onnx'), 'weights');
    fs.mkdirSync(path.join(p.repo, '.git'));
    fs.writeFileSync(path.join(p.repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    fs.writeFileSync(path.join(p.repo, 'README.md'), 'readme');
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    fs.symlinkSync('../../../..', path.join(p.context, 'models'));
    const result = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect({ code: result.code, err: result.err }).toStrictEqual({
      code: 1,
      err: `modelcar: ${shown(p.context)}/models is a symbolic link (to ../../../..), where modelcar needs a folder of its own in its output folder; modelcar never reads, writes or deletes through links there: replace the link with a folder, or remove it\n`,
    });
    expect(fs.readFileSync(path.join(p.repo, '.git', 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
    expect(fs.readdirSync(p.repo).sort()).toStrictEqual(['.git', 'README.md', 'dist', 'modelcar.yaml', 'w.onnx']);
  });

  test('GIVEN a link where a model file goes, pointing at a secret THEN it is replaced by the staged file; the secret is neither read nor changed', async () => {
    const p = checkout(['      - source: w.onnx']);
    fs.writeFileSync(path.join(p.repo, 'w.onnx'), 'weights');
    fs.mkdirSync(p.models, { recursive: true });
    fs.symlinkSync(path.join(p.outside, 'secret.txt'), path.join(p.models, 'w.onnx'));
    const result = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect(result.code).toBe(0);
    expect(result.out).not.toContain(sha256('TOP-SECRET-CONTENT\n'));
    expect(fs.lstatSync(path.join(p.models, 'w.onnx')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(p.models, 'w.onnx'), 'utf8')).toBe('weights');
    expect(fs.readFileSync(path.join(p.outside, 'secret.txt'), 'utf8')).toBe('TOP-SECRET-CONTENT\n');
  });

  test('GIVEN a filesystem mounted at models/ THEN stage refuses, and leaves what is on it', async () => {
    const p = checkout(['      - source: w.onnx']);
    fs.writeFileSync(path.join(p.repo, 'w.onnx'), 'weights');
    mountTmpfs(path.join(p.context, 'models'), 'size=1m');
    fs.writeFileSync(path.join(p.context, 'models', 'other'), 'theirs');
    const result = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect({ code: result.code, err: result.err }).toStrictEqual({
      code: 1,
      err: `modelcar: ${shown(p.context)}/models is a mount point (another filesystem) inside the output folder; modelcar never reads, writes or deletes across one there: unmount it, or choose another output folder\n`,
    });
    expect(fs.readFileSync(path.join(p.context, 'models', 'other'), 'utf8')).toBe('theirs');
  });

  test('GIVEN files in models/ that stage did not put there THEN they are left alone and listed; its own old files are removed', async () => {
    const p = checkout(['      - source: w.onnx']);
    fs.writeFileSync(path.join(p.repo, 'w.onnx'), 'weights');
    fs.mkdirSync(p.models, { recursive: true });
    fs.writeFileSync(path.join(p.models, 'notes.txt'), 'the user\'s');
    const result = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect(result.out).toContain('  models/1/notes.txt: left alone (not a model file of the config, and not staged by modelcar: remove it if it is not yours)\n');
    expect(fs.readFileSync(path.join(p.models, 'notes.txt'), 'utf8')).toBe("the user's");
  });
});

describe('local sources through links', () => {
  test('GIVEN a Hugging Face cache (snapshots/<rev>/file -> ../../blobs/<sha>) THEN each file is staged as the blob itself (a hard link to it), never as a link', async () => {
    const p = checkout(['      - source: hf/snapshots/rev1', '        path: .']);
    const blobs = path.join(p.repo, 'hf', 'blobs');
    const snap = path.join(p.repo, 'hf', 'snapshots', 'rev1');
    fs.mkdirSync(blobs, { recursive: true });
    fs.mkdirSync(path.join(snap, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(blobs, 'aaa'), 'model weights');
    fs.writeFileSync(path.join(blobs, 'bbb'), '{"config": true}');
    fs.symlinkSync('../../blobs/aaa', path.join(snap, 'model.onnx'));
    fs.symlinkSync('../../../blobs/bbb', path.join(snap, 'sub', 'config.json'));
    const result = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect(result.code).toBe(0);
    expect(result.err).toBe('');
    for (const [file, blob] of [
      ['model.onnx', 'aaa'],
      ['sub/config.json', 'bbb'],
    ]) {
      const staged = fs.lstatSync(path.join(p.models, file));
      expect(staged.isFile()).toBe(true);
      expect(staged.ino).toBe(fs.statSync(path.join(blobs, blob)).ino);
    }
  });

  test('GIVEN the same cache and dist/ on another filesystem THEN the blobs are copied as files', async () => {
    const p = checkout(['      - source: hf/snapshots/rev1/model.onnx']);
    fs.mkdirSync(path.join(p.repo, 'hf', 'blobs'), { recursive: true });
    fs.mkdirSync(path.join(p.repo, 'hf', 'snapshots', 'rev1'), { recursive: true });
    fs.writeFileSync(path.join(p.repo, 'hf', 'blobs', 'aaa'), 'model weights');
    fs.symlinkSync('../../blobs/aaa', path.join(p.repo, 'hf', 'snapshots', 'rev1', 'model.onnx'));
    mountTmpfs(p.dist, 'size=1m');
    const result = await cli(['stage', '-c', p.config, '-o', path.join(p.dist, 'out')]);
    expect(result.code).toBe(0);
    expect(result.out).toContain('  models/1/model.onnx: copied from hf/snapshots/rev1/model.onnx');
    const staged = path.join(p.dist, 'out', 'images', 'team', 'm', 'models', '1', 'model.onnx');
    expect(fs.lstatSync(staged).isFile()).toBe(true);
    expect(fs.readFileSync(staged, 'utf8')).toBe('model weights');
  });

  test('GIVEN a link in the config folder to a file outside it THEN it is refused; with allowPathsOutside it is used, with a warning naming the target', async () => {
    const p = checkout(['      - source: leak.onnx']);
    fs.symlinkSync(path.join(p.outside, 'secret.txt'), path.join(p.repo, 'leak.onnx'));
    const refused = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect(refused).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${p.config}:10:17: models[0].files[0].source: "leak.onnx" is a symbolic link that leads out of the config's folder, to ${p.outside}/secret.txt; keep model files in the config's folder or below it, or set \`allowPathsOutside: true\` at the top level of the config\n1 problem found; nothing was written.\n`,
    });
    expect(fs.existsSync(p.dist)).toBe(false);
    fs.writeFileSync(p.config, fs.readFileSync(p.config, 'utf8').replace('version: 1\n', 'version: 1\nallowPathsOutside: true\n'));
    const warning = `modelcar: warning: ${p.config}:11:17: models[0].files[0].source: "leak.onnx" is a symbolic link that leads out of the config's folder, to ${p.outside}/secret.txt; it is used (allowPathsOutside: true)\n`;
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).err).toBe(warning);
    const staged = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect(staged.code).toBe(0);
    expect(staged.out.startsWith(warning)).toBe(true);
  });
});

describe('a read-only or full filesystem', () => {
  test('GIVEN a read-only checkout THEN stage fails with exit 1 saying so (no crash)', async () => {
    const p = checkout(['      - source: w.onnx']);
    fs.writeFileSync(path.join(p.repo, 'w.onnx'), 'weights');
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    const ro = path.join(p.root, 'ro');
    bindReadOnly(p.repo, ro);
    expect(await cli(['stage', '-c', path.join(ro, 'modelcar.yaml'), '-o', path.join(ro, 'dist')])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: cannot lock ${shown(path.join(ro, 'dist'))} (${ro}/.dist.modelcar-lock): read-only file system\n`,
    });
  });

  test('GIVEN dist/ on a disk too small for the model THEN the file fails at its entry, no partial file is left, and the next files are tried', async () => {
    const p = checkout([`      - source: ${server.url}/model.onnx`, '        path: big.onnx', '      - source: small.onnx']);
    fs.writeFileSync(path.join(p.repo, 'small.onnx'), 'small');
    mountTmpfs(p.dist, 'size=64k');
    const result = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      new RegExp(`^modelcar: ${p.config}:10:17: models\\[0\\]\\.files\\[0\\]\\.source: ${server.url}/model\\.onnx -> models/1/big\\.onnx: ENOSPC: no space left on device, write\\n1 file could not be staged; ${shown(p.dist)} holds no unverified file\\.\\n$`),
    );
    expect(fs.readdirSync(p.models).sort()).toStrictEqual(['small.onnx']);
  });
});

describe('downloads that trickle, break, or carry credentials', () => {
  test('GIVEN a server that sends a byte every 200 ms THEN the stall timeout (set low) gives up with a clear message; nothing is left', async () => {
    const p = checkout([`      - source: ${server.url}/drip/model.onnx`]);
    await expect(stage({ config: p.config, outdir: p.dist, stallTimeoutMs: 1000 })).rejects.toThrow(
      new RegExp(`^${p.config}:10:17: models\\[0\\]\\.files\\[0\\]\\.source: ${server.url}/drip/model\\.onnx: the download stalled: less than 64 KiB arrived in 1 s \\(\\d of 1000000 bytes so far\\); giving up \\(run stage again to retry\\)\\n`),
    );
    expect(fs.readdirSync(p.models)).toStrictEqual([]);
  }, 20_000);

  test('GIVEN --stall-timeout on the command line THEN it is used; 0 is refused', async () => {
    const p = checkout([`      - source: ${server.url}/drip/model.onnx`]);
    const result = await cli(['stage', '-c', p.config, '-o', p.dist, '--stall-timeout', '0.8']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('the download stalled: less than 64 KiB arrived in 800 ms');
    expect(await cli(['stage', '-c', p.config, '-o', p.dist, '--stall-timeout', '0'])).toStrictEqual({ code: 2, out: '', err: 'modelcar: --stall-timeout 0: give a number of seconds above 0\n' });
  }, 20_000);

  test('GIVEN a connection cut after 5000 bytes THEN the message says 5000 bytes', async () => {
    const p = checkout([`      - source: ${server.url}/cut/model.onnx`]);
    await expect(stage({ config: p.config, outdir: p.dist, retries: 0 })).rejects.toThrow(
      `${p.config}:10:17: models[0].files[0].source: ${server.url}/cut/model.onnx: the connection broke after 5000 of 1000000 bytes (aborted); gave up after 1 attempt (run stage again to retry)`,
    );
  });

  test('GIVEN a redirect to a URL with user:password@, or to a presigned URL THEN messages never show the credentials', async () => {
    const p = checkout([`      - source: ${server.url}/to-userinfo/model.onnx`, '        path: a.onnx', `      - source: ${server.url}/to-signed/model.onnx`, '        path: b.onnx']);
    // One retry: the lines that say why it retries do not show the credentials either.
    const result = await cli(['stage', '-c', p.config, '-o', p.dist, '--retries', '1']);
    expect(result.code).toBe(1);
    expect(result.out).toContain('; retrying in ');
    expect(result.out + result.err).not.toMatch(/hunter2|robot|AKIAEXAMPLE|deadbeefsig/);
    expect(result.err).toContain(`${server.url}/to-signed/model.onnx (redirected to ${server.url}/gone.onnx?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED): HTTP 404 Not Found`);
  }, 20_000);

  test('GIVEN a URL with a token in the config THEN synth and stage refuse it; with allowCredentialsInUrls it is used, and no message, label or state shows the token', async () => {
    const url = `${server.url}/model.onnx?token=tok-SECRET-123`;
    const p = checkout([`      - source: ${url}`, '        path: m.onnx']);
    const refusal =
      `${p.config}:10:17: models[0].files[0].source: the URL carries credentials (the query parameter "token", which looks like a token or a signature); ` +
      "they would be written into the generated build script (and so into git) and into the image's labels: remove them and give the download its credentials another way (e.g. a ~/.netrc for curl), or, if they are meant to be public, set `allowCredentialsInUrls: true` at the top level of the config\n1 problem found; nothing was written.\n";
    expect(await cli(['synth', '-c', p.config, '-o', p.dist])).toStrictEqual({ code: 1, out: '', err: `modelcar: ${refusal}` });
    expect(await cli(['stage', '-c', p.config, '-o', p.dist])).toStrictEqual({ code: 1, out: '', err: `modelcar: ${refusal}` });
    fs.writeFileSync(p.config, fs.readFileSync(p.config, 'utf8').replace('version: 1\n', 'version: 1\nallowCredentialsInUrls: true\n'));
    expect((await cli(['synth', '-c', p.config, '-o', p.dist])).code).toBe(0);
    const staged = await cli(['stage', '-c', p.config, '-o', p.dist]);
    expect(staged.code).toBe(0);
    expect(staged.out).toContain(`  models/1/m.onnx: downloading ${server.url}/model.onnx?token=REDACTED\n`);
    expect(staged.out + staged.err).not.toContain('tok-SECRET-123');
    expect(fs.readFileSync(path.join(p.context, '.modelcar-stage.json'), 'utf8')).not.toContain('tok-SECRET-123');
    // build.sh downloads from the URL as given (the config allows it); the image label names it without the token.
    const script = fs.readFileSync(path.join(p.context, 'build.sh'), 'utf8');
    expect(script).toContain('tok-SECRET-123');
    expect(script).toContain('"source":"http://127.0.0.1');
    expect(script.split('\n').filter((l) => l.includes('"source"')).join('\n')).not.toContain('tok-SECRET-123');
  });
});

describe('run as root on a user\'s checkout', () => {
  test('GIVEN a checkout owned by a user THEN what stage makes (folders, copied and downloaded files, its record) belongs to that user', async () => {
    if (process.geteuid?.() !== 0) throw new Error('this test checks what modelcar does as root: run the tests as root, as the CI container does');
    const p = checkout(['      - source: w.onnx', `      - source: ${server.url}/model.onnx`, '        path: d.onnx']);
    fs.writeFileSync(path.join(p.repo, 'w.onnx'), 'weights');
    mountTmpfs(p.dist, 'size=1m'); // another filesystem: the local file is copied
    for (const d of [p.repo, p.dist]) fs.chownSync(d, 1234, 2345);
    fs.chownSync(path.join(p.repo, 'modelcar.yaml'), 1234, 2345);
    expect((await cli(['stage', '-c', p.config, '-o', p.dist])).code).toBe(0);
    const owners = new Set<string>();
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d)) {
        const full = path.join(d, e);
        const st = fs.lstatSync(full);
        owners.add(`${st.uid}:${st.gid}`);
        if (st.isDirectory()) walk(full);
      }
    };
    walk(p.dist);
    expect([...owners]).toStrictEqual(['1234:2345']);
    expect(fs.readdirSync(p.models).sort()).toStrictEqual(['d.onnx', 'w.onnx']);
  });
});

describe('model file paths', () => {
  test('GIVEN files z and z/w in one model THEN the config is refused (a path cannot be a file and a folder)', async () => {
    const p = checkout(['      - source: z', '      - source: w', '        path: z/w']);
    fs.writeFileSync(path.join(p.repo, 'z'), 'z');
    fs.writeFileSync(path.join(p.repo, 'w'), 'w');
    expect(await cli(['stage', '-c', p.config, '-o', p.dist])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${p.config}:11:9: models[0].files[1]: "z/w" needs "z" to be a folder, but files[0] puts a file there; give each file a path of its own\n1 problem found; nothing was written.\n`,
    });
  });
});
