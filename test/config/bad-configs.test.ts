import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cli as run } from '../support/project';
import { tempDir } from '../support/temp';

const DIR = path.join('test', 'fixtures', 'configs', 'bad');

describe('bad configs', () => {
  const fixtures = fs.readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

  test('there are hand-written bad configs, each with its expected message', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
    for (const f of fixtures) expect(fs.existsSync(path.join(DIR, f.replace(/\.yaml$/, '.expected')))).toBe(true);
  });

  test.each(fixtures)('%s: exit 1, the exact message, nothing written', async (fixture) => {
    const outdir = tempDir('modelcar-bad-');
    fs.writeFileSync(path.join(outdir, 'keep.txt'), 'user file');
    const result = await run(['synth', '-c', path.join(DIR, fixture), '-o', outdir]);
    expect(result).toStrictEqual({ code: 1, out: '', err: fs.readFileSync(path.join(DIR, fixture.replace(/\.yaml$/, '.expected')), 'utf8') });
    expect(fs.readdirSync(outdir)).toStrictEqual(['keep.txt']);
    expect(result.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  test('a missing file and a folder each get their own message', async () => {
    expect(await run(['synth', '-c', 'nope.yaml', '-o', os.tmpdir() + '/x'])).toStrictEqual({
      code: 1,
      out: '',
      err: 'modelcar: nope.yaml: no such file (give the config with -c, e.g. -c modelcar.yaml)\n',
    });
    expect(await run(['synth', '-c', DIR, '-o', os.tmpdir() + '/x'])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${DIR}: is a folder; give the config file itself (e.g. ${DIR}/modelcar.yaml)\n`,
    });
  });

  test('a named pipe, and a link to a device, where the config goes: refused at once (not waited on, not read forever)', async () => {
    const dir = tempDir('modelcar-special-config-');
    const fifo = path.join(dir, 'modelcar.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(await run(['synth', '-c', fifo, '-o', path.join(dir, 'dist')])).toStrictEqual({
      code: 1,
      out: '',
      err: `modelcar: ${fifo}: is a named pipe (FIFO), not a file; give the config file itself\n`,
    });
    const link = path.join(dir, 'zero.yaml');
    fs.symlinkSync('/dev/zero', link);
    expect(await run(['synth', '-c', link, '-o', path.join(dir, 'dist')])).toStrictEqual({ code: 1, out: '', err: `modelcar: ${link}: is a device, not a file; give the config file itself\n` });
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});
