/**
 * SIGHUP, SIGINT and SIGTERM, once or twice, at points inside each command that writes (synth, stage, pull-secret,
 * build --push), on the compiled CLI in a child process: no partial file, no credential file and no lock is left,
 * and the output folder is as it was.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TestServer, startServer } from '../support/http-server';
import { cli } from '../support/project';
import { startCli } from '../support/spawn';
import { readTree } from '../support/tree';

const PASSWORD = 'pw-SIGNAL-unique-4711';
const made: string[] = [];
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ '/stall/model.onnx': { kind: 'stall', size: 1_000_000, sent: 1000 } });
});
afterAll(async () => {
  await server.close();
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A project with a config (one model per name, from a local file or a URL), synthesized into dist/. */
async function project(models: string[], source = 'w.onnx'): Promise<{ dir: string; config: string; dist: string }> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-signals-')));
  made.push(dir);
  fs.writeFileSync(path.join(dir, 'w.onnx'), 'weights');
  const config = path.join(dir, 'modelcar.yaml');
  writeConfig(config, models, '1', source);
  const dist = path.join(dir, 'dist');
  expect((await cli(['synth', '-c', config, '-o', dist])).code).toBe(0);
  return { dir, config, dist };
}

function writeConfig(config: string, models: string[], tag: string, source = 'w.onnx'): void {
  const lines = ['version: 1', 'defaults:', '  namespace: team', '  runtime: kserve-ovms', 'pullSecrets:', '  quay-pull:', '    fromEnv: { username: QUAY_USER, password: QUAY_TOKEN }', 'models:'];
  for (const m of models) lines.push(`  - name: ${m}`, '    format: onnx', `    image: quay.io/team/${m}:${tag}`, '    pullSecret: quay-pull', '    files:', `      - source: ${source}`);
  fs.writeFileSync(config, lines.join('\n') + '\n');
}

/** Every file below a folder, with its content; and the names beside it. */
function state(dir: string) {
  return { tree: readTree(path.join(dir, 'dist')), beside: fs.readdirSync(dir).sort() };
}

describe('synth', () => {
  test.each(['SIGHUP', 'SIGINT', 'SIGTERM'] as const)('GIVEN %s while synth writes THEN exit 130, dist/ as it was, nothing beside it (no new tree, no lock)', async (signal) => {
    const p = await project(['a', 'b']);
    const before = state(p.dir);
    writeConfig(p.config, ['a', 'b', 'c'], '2');
    const run = startCli(['synth', '-c', p.config, '-o', p.dist], { pause: 'file-written:1' });
    await run.waitFor('modelcar: test pause at file-written:1\n');
    run.child.kill(signal);
    expect(await run.done).toStrictEqual({
      code: 130,
      signal: null,
      out: '',
      err: `modelcar: test pause at file-written:1\nmodelcar: interrupted; ${p.dist} was left as it was, and nothing half-written is left beside it\n`,
    });
    expect(state(p.dir)).toStrictEqual(before);
  }, 30_000);

  test('GIVEN two signals between the two renames of the swap (where one signal waits) THEN the second puts the old dist/ back at once', async () => {
    const p = await project(['a']);
    const before = state(p.dir);
    writeConfig(p.config, ['a'], '2');
    const run = startCli(['synth', '-c', p.config, '-o', p.dist], { pause: 'between-renames' });
    await run.waitFor('modelcar: test pause at between-renames\n');
    expect(fs.existsSync(p.dist)).toBe(false);
    run.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGTERM');
    expect(await run.done).toStrictEqual({
      code: 130,
      signal: null,
      out: '',
      err: 'modelcar: test pause at between-renames\nmodelcar: SIGTERM again: stopped at once; partial and credential files were removed\n',
    });
    expect(state(p.dir)).toStrictEqual(before);
  }, 30_000);
});

describe('stage', () => {
  test.each([['SIGHUP'], ['SIGTERM'], ['SIGHUP', 'SIGINT']] as const)('GIVEN %s during a download THEN exit 130, no partial file, no lock', async (...signals) => {
    const p = await project(['a'], `${server.url}/stall/model.onnx`);
    const partial = path.join(p.dist, 'images', 'team', 'a', 'models', '1', '.model.onnx.modelcar-part');
    const run = startCli(['stage', '-c', p.config, '-o', p.dist]);
    await run.waitFor('downloading');
    const deadline = Date.now() + 5000;
    while (!fs.existsSync(partial) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(partial)).toBe(true);
    for (const s of signals) run.child.kill(s);
    const done = await run.done;
    expect(done.code).toBe(130);
    // The second signal, when it comes before the process is out, says so (the kernel may hand the two over in either order).
    for (const line of done.err.trimEnd().split('\n')) {
      expect(line).toMatch(/^modelcar: (interrupted while staging models\/1\/model\.onnx of team\/a; its partial file was removed, nothing half-written is left|SIG(HUP|INT) again: stopped at once; partial and credential files were removed)$/);
    }
    expect(fs.existsSync(partial)).toBe(false);
    expect(fs.readdirSync(p.dir).sort()).toStrictEqual(['dist', 'modelcar.yaml', 'w.onnx']);
  }, 30_000);
});

describe('pull-secret --out-dir', () => {
  test.each([['SIGHUP'], ['SIGTERM', 'SIGTERM']] as const)('GIVEN %s while a Secret is written THEN exit 130 and no file with the password is left', async (...signals) => {
    const p = await project(['a']);
    const secrets = path.join(p.dir, '.modelcar', 'secrets');
    const run = startCli(['pull-secret', '-c', p.config, '--out-dir', secrets], { pause: 'secret-file:1', env: { QUAY_USER: 'robot', QUAY_TOKEN: PASSWORD } });
    await run.waitFor('modelcar: test pause at secret-file:1\n');
    expect(fs.readdirSync(path.join(secrets, 'team'))).toStrictEqual(['.secret-quay-pull.yaml.' + run.child.pid + '.tmp']);
    for (const s of signals) run.child.kill(s);
    const done = await run.done;
    expect(done.code).toBe(130);
    expect(done.out).toBe('');
    expect(done.err).not.toContain(PASSWORD);
    expect(readTree(secrets)).toStrictEqual({ '.gitignore': '# Generated by modelcar: credentials, never to be committed.\n*\n' });
  }, 30_000);
});

describe('build --push', () => {
  test.each([['SIGHUP'], ['SIGHUP', 'SIGTERM']] as const)('GIVEN %s once the credentials are in their temporary auth file THEN exit 130 and the file is gone', async (...signals) => {
    const p = await project(['a']);
    expect((await cli(['stage', '-c', p.config, '-o', p.dist])).code).toBe(0);
    const auth = Buffer.from(JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from(`robot:${PASSWORD}`).toString('base64') } } })).toString('base64');
    const secret = path.join(p.dir, 'pull-secret.yaml');
    fs.writeFileSync(secret, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: quay-pull\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: ${auth}\n`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-signals-tmp-'));
    made.push(tmp);
    const run = startCli(['build', '--push', '-c', p.config, '-o', p.dist, '--authfile', secret], { pause: 'auth-file-ready', env: { TMPDIR: tmp } });
    await run.waitFor('modelcar: test pause at auth-file-ready\n');
    const files = (fs.readdirSync(tmp, { recursive: true }) as string[]).sort();
    expect(files.some((f) => f.endsWith('auth.json'))).toBe(true);
    for (const s of signals) run.child.kill(s);
    const done = await run.done;
    expect(done.code).toBe(130);
    expect(done.out + done.err).not.toContain(PASSWORD);
    expect(fs.readdirSync(tmp)).toStrictEqual([]);
    expect(fs.readdirSync(p.dir).sort()).toStrictEqual(['dist', 'modelcar.yaml', 'pull-secret.yaml', 'w.onnx']);
  }, 60_000);
});
