/**
 * `modelcar stage` on real files and a real HTTP server on 127.0.0.1: links, copies, folders, downloads with
 * redirects and failures, digests checked or reported, nothing half-written left, staged files skipped.
 */
import { execFileSync, spawn } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { stage, stateCheckpoint } from '../../src/pipeline/stage';
import { Route, TestServer, startServer } from '../support/http-server';
import { Project, cli, project } from '../support/project';
import { sha256 } from '../support/digest';
import { CLI } from '../support/spawn';

const MODEL = randomBytes(300_000);
const LABELS = Buffer.from('cat\ndog\n');

let server: TestServer;
const routes: Record<string, Route> = {
  '/model.onnx': { kind: 'file', body: MODEL },
  '/chunked/model.onnx': { kind: 'file', body: MODEL, chunked: true },
  '/go/model.onnx': { kind: 'redirect', to: '/again/model.onnx', status: 301 },
  '/again/model.onnx': { kind: 'redirect', to: '/model.onnx', status: 307 },
  '/loop/model.onnx': { kind: 'redirect', to: '/loop/model.onnx' },
  '/gone/model.onnx': { kind: 'status', status: 404 },
  '/cut/model.onnx': { kind: 'truncated', body: MODEL, sent: 100_000 },
  '/stall/model.onnx': { kind: 'stall', size: MODEL.length, sent: 50_000 },
};

beforeAll(async () => {
  server = await startServer(routes);
});
afterAll(() => server.close());

/** A config with one model (namespace team-a) whose files are given as YAML list items. */
function config(files: string[], extraModel: string[] = []): string {
  return [
    'version: 1',
    'defaults:',
    '  namespace: team-a',
    '  runtime: kserve-ovms',
    'models:',
    '  - name: mobilenet',
    '    format: onnx',
    '    image: quay.io/team-a/mobilenet:1',
    '    files:',
    ...files,
    ...extraModel,
    'allowPathsOutside: true # some tests stage files from /dev/shm, another filesystem',
    '',
  ].join('\n');
}

const context = (p: Project) => path.join(p.dist, 'images', 'team-a', 'mobilenet');
/** A path as stage's messages show it: relative to the working folder. */
const shown = (p: string) => path.relative(process.cwd(), p);
const staged = (p: Project, file: string) => path.join(context(p), 'models', '1', file);

/** Every file under the context's models/ (temporary files included). */
function modelFiles(p: Project): string[] {
  const dir = path.join(context(p), 'models');
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

async function run(p: Project, ...models: string[]): Promise<{ code: number; out: string; err: string }> {
  return cli(['stage', '-c', p.config, '-o', p.dist, ...models]);
}

describe('stage from local files', () => {
  test('GIVEN a local file on the same filesystem THEN it is hard-linked, its digest reported with where to pin it; a second run skips it', async () => {
    const p = project(config(['      - source: models/labels.txt']));
    const source = p.file('models/labels.txt', LABELS);
    const first = await run(p);
    expect(first).toStrictEqual({
      code: 0,
      out: [
        `team-a/mobilenet -> ${path.relative(process.cwd(), context(p))}/`,
        `  models/1/labels.txt: hard-linked from models/labels.txt; sha256 ${sha256(LABELS)} (not pinned: add \`sha256: ${sha256(LABELS)}\` to models[0].files[0] at ${p.config}:10)`,
        'staged 1 model: 1 files (0 downloaded, 1 linked, 0 copied, 0 unchanged)',
        '',
      ].join('\n'),
      err: '',
    });
    expect(fs.statSync(staged(p, 'labels.txt')).ino).toBe(fs.statSync(source).ino);
    const second = await run(p);
    expect(second.out).toContain(`  models/1/labels.txt: already staged; sha256 ${sha256(LABELS)} (not pinned`);
    expect(second.out).toContain('(0 downloaded, 0 linked, 0 copied, 1 unchanged)');
  });

  test('GIVEN a local file on another filesystem THEN it is copied (mode 0644), verified against the pin', async () => {
    const shm = fs.mkdtempSync(path.join('/dev/shm', 'modelcar-stage-'));
    try {
      const p = project(config([`      - source: ${path.join(shm, 'model.onnx')}`, `        sha256: ${sha256(MODEL)}`]));
      if (fs.statSync(shm).dev === fs.statSync(p.dir).dev) throw new Error(`this test needs /dev/shm on another filesystem than ${os.tmpdir()} (a tmpfs)`);
      fs.writeFileSync(path.join(shm, 'model.onnx'), MODEL, { mode: 0o600 });
      const result = await run(p);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(new RegExp(`\\n  models/1/model\\.onnx: copied from ${path.relative(p.dir, path.join(shm, 'model.onnx')).replace(/[./]/g, '\\$&')} \\(293\\.0 KiB in \\d+s, [\\d.]+ [KMG]?i?B/s\\); sha256 ${sha256(MODEL)} matches the config\\n`));
      const stat = fs.statSync(staged(p, 'model.onnx'));
      expect({ same: stat.ino === fs.statSync(path.join(shm, 'model.onnx')).ino, mode: (stat.mode & 0o777).toString(8), equal: fs.readFileSync(staged(p, 'model.onnx')).equals(MODEL) }).toStrictEqual({
        same: false,
        mode: '644',
        equal: true,
      });
      expect((await run(p)).out).toContain('(0 downloaded, 0 linked, 0 copied, 1 unchanged)');
    } finally {
      fs.rmSync(shm, { recursive: true, force: true });
    }
  });

  test('GIVEN a folder THEN its files are linked at the layout, recursively; files the config no longer has are removed', async () => {
    const p = project(config(['      - source: ir', '        path: .']));
    p.file('ir/model.xml', '<xml/>');
    p.file('ir/model.bin', MODEL);
    p.file('ir/sub/extra.json', '{}');
    p.file('ir/.git/HEAD', 'ref');
    expect((await run(p)).code).toBe(0);
    expect(modelFiles(p)).toStrictEqual(['1/model.bin', '1/model.xml', '1/sub/extra.json']);
    fs.rmSync(path.join(p.dir, 'ir', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(context(p), 'models', '1', '.model.bin.modelcar-part'), 'left over by a killed run');
    const result = await run(p);
    expect(result.out).toContain('  models/1/.model.bin.modelcar-part: removed (not a model file of the config)\n');
    expect(result.out).toContain('  models/1/sub/extra.json: removed (not a model file of the config)\n');
    expect(modelFiles(p)).toStrictEqual(['1/model.bin', '1/model.xml']);
    expect(fs.existsSync(path.join(context(p), 'models', '1', 'sub'))).toBe(false);
  });

  test('GIVEN a staged file WHEN the source changes THEN it is staged again; a content change that keeps size, time and inode is not seen (by design: no re-reading of GBs)', async () => {
    const p = project(config(['      - source: models/model.onnx']));
    const source = p.file('models/model.onnx', MODEL);
    await run(p);
    const other = randomBytes(MODEL.length);
    // Rewritten in place, then its modification time set back: size, mtime and inode are as recorded.
    const { mtimeNs } = fs.statSync(source, { bigint: true });
    fs.writeFileSync(source, other);
    // touch keeps nanoseconds (utimes from JavaScript would round them).
    execFileSync('touch', ['-m', '-d', `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`, source]);
    expect((await run(p)).out).toContain(`  models/1/model.onnx: already staged; sha256 ${sha256(MODEL)}`);
    // Any ordinary change moves the modification time: the file is hashed again.
    execFileSync('touch', ['-m', '-d', '@1700000000', source]);
    expect((await run(p)).out).toContain(`  models/1/model.onnx: hard-linked from models/model.onnx; sha256 ${sha256(other)}`);
  });

  test('GIVEN a pinned local file that does not match THEN a config error at the sha256 line; the file is not staged', async () => {
    const wrong = sha256('something else');
    const p = project(config(['      - source: models/model.onnx', `        sha256: ${wrong}`]));
    p.file('models/model.onnx', MODEL);
    expect(await run(p)).toStrictEqual({
      code: 1,
      out: `team-a/mobilenet -> ${path.relative(process.cwd(), context(p))}/\n  models/1/model.onnx: failed\n`,
      err: `modelcar: ${p.config}:11:17: models[0].files[0].sha256: models/model.onnx has sha256 ${sha256(MODEL)}, but the config expects ${wrong}; it was not staged (check the source, or fix the pin)\n1 file could not be staged; ${path.relative(process.cwd(), p.dist)} holds no unverified file.\n`,
    });
    expect(modelFiles(p)).toStrictEqual([]);
  });
});

describe('stage from http', () => {
  test('GIVEN URLs, one through two redirects, one chunked THEN each is downloaded and checked; the same URL twice is fetched once', async () => {
    const p = project(
      config(
        [
          `      - source: ${server.url}/go/model.onnx`,
          `        sha256: ${sha256(MODEL)}`,
          `      - source: ${server.url}/chunked/model.onnx`,
          '        path: chunked.onnx',
        ],
        ['  - name: again', '    format: onnx', '    image: quay.io/team-a/again:1', '    files:', `      - source: ${server.url}/go/model.onnx`],
      ),
    );
    const before = server.requests.length;
    const result = await run(p);
    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines[1]).toBe(`  models/1/model.onnx: downloading ${server.url}/go/model.onnx`);
    expect(lines[2]).toMatch(new RegExp(`^  models/1/model\\.onnx: downloaded 293\\.0 KiB in \\d+s, .*/s; sha256 ${sha256(MODEL)} matches the config$`));
    expect(lines[4]).toMatch(new RegExp(`^  models/1/chunked\\.onnx: downloaded .*; sha256 ${sha256(MODEL)} \\(not pinned: add \`sha256: ${sha256(MODEL)}\` to models\\[0\\]\\.files\\[1\\] at .*modelcar\\.yaml:12\\)$`));
    expect(lines[6]).toMatch(/^ {2}models\/1\/model\.onnx: hard-linked from \.\.\/mobilenet\/models\/1\/model\.onnx \(same URL\); sha256 /);
    expect(server.requests.slice(before)).toStrictEqual(['/go/model.onnx', '/again/model.onnx', '/model.onnx', '/chunked/model.onnx']);
    expect(fs.readFileSync(staged(p, 'model.onnx')).equals(MODEL)).toBe(true);
    expect(fs.readFileSync(staged(p, 'chunked.onnx')).equals(MODEL)).toBe(true);
    // Already staged: no request at all.
    const count = server.requests.length;
    expect((await run(p)).out).toContain('(0 downloaded, 0 linked, 0 copied, 3 unchanged)');
    expect(server.requests.length).toBe(count);
  });

  test('GIVEN a 404, a cut response, a redirect loop and a digest mismatch THEN each is reported at its line, and no file, whole or partial, is left', async () => {
    const wrong = sha256('not the model');
    const p = project(
      config([
        `      - source: ${server.url}/gone/model.onnx`,
        '        path: a.onnx',
        `      - source: ${server.url}/cut/model.onnx`,
        '        path: b.onnx',
        `      - source: ${server.url}/loop/model.onnx`,
        '        path: c.onnx',
        `      - source: ${server.url}/model.onnx`,
        '        path: d.onnx',
        `        sha256: ${wrong}`,
      ]),
    );
    // An earlier, now unverifiable file at a path is not kept either.
    fs.mkdirSync(path.join(context(p), 'models', '1'), { recursive: true });
    fs.writeFileSync(staged(p, 'd.onnx'), 'an older model');
    // One retry: the cut is resumed once (this server cuts every time), the 404 is not retried.
    const result = await cli(['stage', '-c', p.config, '-o', p.dist, '--retries', '1']);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  models/1/b.onnx: ${server.url}/cut/model.onnx: the connection broke after 100000 of 300000 bytes (aborted); retrying in 1s (attempt 2 of 2)\n`);
    expect(result.err).toBe(
      [
        `modelcar: ${p.config}:10:17: models[0].files[0].source: ${server.url}/gone/model.onnx: HTTP 404 Not Found`,
        `${p.config}:12:17: models[0].files[1].source: ${server.url}/cut/model.onnx: the connection broke after 100000 of 300000 bytes (aborted); gave up after 2 attempts (run stage again to retry)`,
        `${p.config}:14:17: models[0].files[2].source: ${server.url}/loop/model.onnx: more than 10 redirects (the last to ${server.url}/loop/model.onnx); is there a redirect loop?`,
        `${p.config}:18:17: models[0].files[3].sha256: ${server.url}/model.onnx has sha256 ${sha256(MODEL)}, but the config expects ${wrong}; it was not staged (check the source, or fix the pin)`,
        `4 files could not be staged; ${path.relative(process.cwd(), p.dist)} holds no unverified file.`,
        '',
      ].join('\n'),
    );
    expect(modelFiles(p)).toStrictEqual([]);
  });

  test('GIVEN a server that stops sending THEN each connection is dropped after the idle timeout and resumed, and the download gives up when the retries are spent, leaving nothing', async () => {
    const p = project(config([`      - source: ${server.url}/stall/model.onnx`]));
    await expect(stage({ config: p.config, outdir: p.dist, idleTimeoutMs: 300, retries: 2, backoffMs: 10 })).rejects.toThrow(
      `${p.config}:10:17: models[0].files[0].source: ${server.url}/stall/model.onnx: the connection broke after 50000 of 300000 bytes (no data for 300 ms); gave up after 3 attempts (run stage again to retry)`,
    );
    expect(modelFiles(p)).toStrictEqual([]);
  });

  test('GIVEN SIGINT during a download THEN stage stops at once with exit 130, says so, and leaves no partial file', async () => {
    const p = project(config([`      - source: ${server.url}/stall/model.onnx`]));
    const child = spawn(process.execPath, [CLI, 'stage', '-c', p.config, '-o', p.dist], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const partial = path.join(context(p), 'models', '1', '.model.onnx.modelcar-part');
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // The partial file is opened once the response's headers are in; the server then stalls.
      const deadline = Date.now() + 4000;
      while (!fs.existsSync(partial) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(fs.existsSync(partial)).toBe(true);
      child.kill('SIGINT');
      expect({ code: await exit, err }).toStrictEqual({
        code: 130,
        err: 'modelcar: interrupted while staging models/1/model.onnx of team-a/mobilenet; its partial file was removed, nothing half-written is left\n',
      });
    } finally {
      child.kill('SIGKILL');
    }
    expect(out).toContain(`  models/1/model.onnx: downloading ${server.url}/stall/model.onnx\n`);
    expect(modelFiles(p)).toStrictEqual([]);
  });
});

describe('stage interrupted after some files', () => {
  test('GIVEN SIGINT while the second file downloads THEN the first, staged less than a second before, is recorded, so the next run does not hash it again', async () => {
    const p = project(config(['      - source: models/labels.txt', `      - source: ${server.url}/stall/model.onnx`]));
    p.file('models/labels.txt', LABELS);
    const child = spawn(process.execPath, [CLI, 'stage', '-c', p.config, '-o', p.dist], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const partial = path.join(context(p), 'models', '1', '.model.onnx.modelcar-part');
    try {
      const deadline = Date.now() + 4000;
      while (!fs.existsSync(partial) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(fs.existsSync(partial)).toBe(true);
      child.kill('SIGINT');
      expect(await exit).toBe(130);
    } finally {
      child.kill('SIGKILL');
    }
    const state = JSON.parse(fs.readFileSync(path.join(context(p), '.modelcar-stage.json'), 'utf8'));
    expect(Object.keys(state.files)).toStrictEqual(['models/1/labels.txt']);
    expect(state.files['models/1/labels.txt'].sha256).toBe(sha256(LABELS));
    expect(modelFiles(p)).toStrictEqual(['1/labels.txt']);
  });
});

describe('stage on the command line', () => {
  test('GIVEN model names THEN only those are staged; an unknown one is a usage error naming the models', async () => {
    const p = project(
      config(['      - source: models/labels.txt'], ['  - name: other', '    namespace: team-b', '    format: onnx', '    image: quay.io/team-b/other:1', '    files:', '      - source: models/labels.txt']),
    );
    p.file('models/labels.txt', LABELS);
    const one = await run(p, 'team-b/other');
    expect(one.out.split('\n')[0]).toBe(`team-b/other -> ${path.relative(process.cwd(), path.join(p.dist, 'images', 'team-b', 'other'))}/`);
    expect(fs.existsSync(context(p))).toBe(false);
    expect(await run(p, 'mobilenett')).toStrictEqual({
      code: 2,
      out: '',
      err: `modelcar: no model "mobilenett" in ${p.config} (did you mean "mobilenet"?); its models: team-a/mobilenet, team-b/other\n`,
    });
  });

  test('stage --help shows the arguments', async () => {
    const { code, out } = await cli(['stage', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('modelcar stage [models..]');
    expect(out).toContain('models  Models to stage, as name or namespace/name (default: all)');
  });
});

describe('stage and system errors', () => {
  test('GIVEN a build context that cannot hold the files (models is a file) THEN a user error at the entry, not a crash', async () => {
    const p = project(config(['      - source: models/model.onnx']));
    p.file('models/model.onnx', MODEL);
    fs.mkdirSync(context(p), { recursive: true });
    fs.writeFileSync(path.join(context(p), 'models'), 'not a folder');
    const result = await run(p);
    expect({ code: result.code, err: result.err }).toStrictEqual({
      code: 1,
      err: `modelcar: ${p.config}:10:17: models[0].files[0].source: models/model.onnx -> models/1/model.onnx: ${shown(context(p))}/models is a file, where modelcar needs a folder (for ${shown(context(p))}/models/1/model.onnx)\n1 file could not be staged; ${shown(p.dist)} holds no unverified file.\n`,
    });
  });
});

describe('stage of a folder of many files', () => {
  test('GIVEN a folder of 3000 small files THEN each is linked and recorded in the state file; a second run finds all unchanged; with the records lost (a killed run) each is staged again, correctly', async () => {
    const p = project(config(['      - source: many', '        path: .']));
    const contents = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const name = `d${i % 7}/f${String(i).padStart(4, '0')}.txt`;
      contents.set(name, `file ${i}\n`);
      p.file(`many/${name}`, `file ${i}\n`);
    }
    const first = await run(p);
    expect(first.code).toBe(0);
    expect(first.out).toContain('staged 1 model: 3000 files (0 downloaded, 3000 linked, 0 copied, 0 unchanged)\n');
    const stateFile = path.join(context(p), '.modelcar-stage.json');
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
    expect(Object.keys(state.files).sort()).toStrictEqual([...contents.keys()].map((n) => `models/1/${n}`).sort());
    expect(Object.entries<{ sha256: string }>(state.files).every(([k, v]) => v.sha256 === sha256(contents.get(k.slice('models/1/'.length))!))).toBe(true);
    expect((await run(p)).out).toContain('staged 1 model: 3000 files (0 downloaded, 0 linked, 0 copied, 3000 unchanged)\n');

    // A run killed outright saves no state after its last checkpoint: the files it staged since are staged again.
    fs.rmSync(stateFile);
    const again = await run(p);
    expect(again.out).toContain('staged 1 model: 3000 files (0 downloaded, 3000 linked, 0 copied, 0 unchanged)\n');
    expect(modelFiles(p)).toStrictEqual([...contents.keys()].map((n) => `1/${n}`).sort());
    for (const [name, text] of contents) expect(fs.readFileSync(staged(p, name), 'utf8')).toBe(text);
  });
});

describe('stateCheckpoint', () => {
  test('GIVEN staged files one after another THEN the state file is saved at most once a second', () => {
    let clock = 0;
    const saves: number[] = [];
    const checkpoint = stateCheckpoint(() => saves.push(clock), () => clock);
    for (clock = 0; clock <= 3500; clock += 100) checkpoint();
    expect(saves).toStrictEqual([1000, 2000, 3000]);
  });
});
