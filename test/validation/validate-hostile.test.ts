/**
 * `modelcar validate` (and synth) on hostile YAML: Secret data in any shape is never printed, a trailing `---` is
 * fine, control characters are escaped, YAML thousands of levels deep or with cyclic aliases is a clear error.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli } from '../support/project';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function file(name: string, text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-validate-hostile-'));
  made.push(dir);
  const full = path.join(dir, name);
  fs.writeFileSync(full, text);
  return full;
}

describe('validate', () => {
  test.each([
    ['a string', 'data: hunter2-SECRET-value'],
    ['a list', 'data:\n  - hunter2-SECRET-value'],
    ['a number where text goes', 'stringData:\n  token: 123456789'],
    ['a boolean', 'data: true'],
  ])("GIVEN a Secret's data as %s THEN the problem is reported without the value", async (_what, data) => {
    const f = file('secret.yaml', `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: ns\n${data}\n`);
    const result = await cli(['validate', f]);
    expect(result.code).toBe(1);
    expect(result.out).toContain('the value (not shown: secret data)');
    expect(result.out).not.toMatch(/hunter2|123456789|true/);
  });

  test('GIVEN a trailing `---` (and one with only a comment) THEN they are empty documents, not problems; an explicit null is one', async () => {
    const ns = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n';
    expect(await cli(['validate', file('a.yaml', `${ns}---\n`)])).toStrictEqual({ code: 0, out: '1 object in 1 file: all valid\n', err: '' });
    expect(await cli(['validate', file('b.yaml', `---\n${ns}---\n# nothing more\n`)])).toStrictEqual({ code: 0, out: '1 object in 1 file: all valid\n', err: '' });
    const explicit = file('c.yaml', `${ns}--- null\n`);
    expect((await cli(['validate', explicit])).out).toBe(`${explicit}:5:5: object: null is not a Kubernetes object; each YAML document must be a map with apiVersion, kind and metadata\n1 problem in 2 objects in 1 file\n`);
  });

  test('GIVEN names with ESC, CR and a bidi override THEN the report shows them escaped', async () => {
    const f = file('ctl.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "x\\e[31mred\\rY\\u202E"\n');
    const result = await cli(['validate', f]);
    expect(result.out).not.toMatch(/[\x1b\r\u202e]/);
    expect(result.out.split('\n')[0]).toMatch(/^.*ctl\.yaml:4:9: Namespace x\\x1b\[31mred\\rY\\u202e: metadata\.name: "x\\x1b\[31mred\\rY\\u202e" is not a valid Namespace name: /);
  });

  test.each([
    ['2000 levels of block maps', () => Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + '\n'],
    ['2000 levels of block lists', () => Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}-`).join('\n') + '\n'],
    ['200 levels of flow lists', () => `${'['.repeat(200)}${']'.repeat(200)}\n`],
  ])('GIVEN %s THEN validate reports it too deep to read (exit 1, no crash)', async (_what, make) => {
    const f = file('deep.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n${make().replace(/^/gm, ' ')}`);
    const result = await cli(['validate', f]);
    expect(result.code).toBe(1);
    expect(result.err).toBe('');
    expect(result.out).toMatch(/: the YAML nests too deeply to be read \(modelcar reads at most 100 levels; Kubernetes objects and configs need far fewer\)\n1 problem in 0 objects in 1 file\n$/);
  });

  test('GIVEN a folder with a committed link to a file outside it THEN the link is reported, never read; a link inside the folder is read', async () => {
    const dir = path.dirname(file('secret.yaml', 'root:$6$TOP-SECRET-HASH:19000:0:99999:7:::\n'));
    const folder = path.join(dir, 'dist');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'ns.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n');
    fs.symlinkSync('ns.yaml', path.join(folder, 'same.yaml'));
    fs.symlinkSync(path.join(dir, 'secret.yaml'), path.join(folder, 'leak.yaml'));
    expect(await cli(['validate', folder])).toStrictEqual({
      code: 1,
      out: `${folder}/leak.yaml: is a symbolic link that leads out of ${folder} (to ${dir}/secret.yaml); it is not read: validate the file itself, by its own path, if it is meant\n1 problem in 2 objects in 3 files\n`,
      err: '',
    });
  });

  test('GIVEN a named pipe by its path THEN refused at once (not waited on); one in a folder is not a YAML file and is passed over', async () => {
    const dir = path.dirname(file('ns.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n'));
    const fifo = path.join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(await cli(['validate', fifo])).toStrictEqual({ code: 1, out: '', err: `modelcar: ${fifo}: is a named pipe (FIFO), not a file; validate reads YAML files only\n` });
    expect(await cli(['validate', dir])).toStrictEqual({ code: 0, out: '1 object in 1 file: all valid\n', err: '' });
  });

  test('GIVEN an alias to a node that holds it THEN a clear problem (no crash)', async () => {
    const f = file('cycle.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: &m\n  name: x\n  labels:\n    a: *m\n');
    expect(await cli(['validate', f])).toStrictEqual({ code: 1, out: `${f}:6:8: the alias *m refers to a node that holds it: the value would be infinitely deep\n1 problem in 0 objects in 1 file\n`, err: '' });
  });
});

describe('synth', () => {
  test('GIVEN a config 2000 levels deep THEN synth reports it too deep to read (exit 1), writes nothing', async () => {
    const config = file('modelcar.yaml', 'version: 1\nmodels:\n' + Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}-`).join('\n') + '\n');
    const dist = path.join(path.dirname(config), 'dist');
    const result = await cli(['synth', '-c', config, '-o', dist]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/: the YAML nests too deeply to be read \(modelcar reads at most 100 levels; Kubernetes objects and configs need far fewer\)\n1 problem found; nothing was written\.\n$/);
    expect(fs.existsSync(dist)).toBe(false);
  });

  test('GIVEN a config that is UTF-16 THEN a clear error (not UTF-8), exit 1', async () => {
    const config = file('modelcar.yaml', '');
    fs.writeFileSync(config, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('version: 1\nmodels: []\n', 'utf16le')]));
    expect(await cli(['synth', '-c', config, '-o', path.join(path.dirname(config), 'dist')])).toStrictEqual({ code: 1, out: '', err: `modelcar: ${config}: is not UTF-8 text; save it as UTF-8\n` });
  });
});
