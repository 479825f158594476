/**
 * One modelcar per output folder: the lock beside it, a clear message naming the holder, stale locks taken over.
 * (Two real processes at once: test/output/writer-hostile.test.ts.)
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { UserError } from '../../src/core/errors';
import { lockFileOf, lockFolder } from '../../src/core/folder-lock';

const made: string[] = [];
function tmp(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'modelcar-lock-')));
  made.push(dir);
  return dir;
}
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('lockFolder', () => {
  test('GIVEN a folder WHEN locked THEN a lock file beside it holds the pid and command; release removes it', () => {
    const dist = path.join(tmp(), 'dist');
    const lock = lockFolder(dist, { command: 'synth' });
    expect(lock.file).toBe(path.join(path.dirname(dist), '.dist.modelcar-lock'));
    expect(fs.readFileSync(lock.file, 'utf8')).toBe(`${process.pid}\nsynth\n`);
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
  });

  test('GIVEN a lock held by a running process THEN a second lock fails, naming the process, its command and the lock file', async () => {
    const dist = path.join(tmp(), 'dist');
    const holder = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(lockFileOf(dist), `${holder.pid}\nstage\n`);
      expect(() => lockFolder(dist, { command: 'synth', shown: 'dist' })).toThrow(
        new UserError(`dist is in use by another modelcar (process ${holder.pid}, \`modelcar stage\`); wait for it to finish and run again. If no modelcar runs, remove ${lockFileOf(dist)}`),
      );
      expect(fs.readFileSync(lockFileOf(dist), 'utf8')).toBe(`${holder.pid}\nstage\n`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  test('GIVEN a lock left by a process that no longer runs (or an unreadable one) THEN it is taken over', () => {
    const dist = path.join(tmp(), 'dist');
    for (const stale of ['999999999\nsynth\n', 'garbage']) {
      fs.writeFileSync(lockFileOf(dist), stale);
      const lock = lockFolder(dist, { command: 'stage' });
      expect(fs.readFileSync(lock.file, 'utf8')).toBe(`${process.pid}\nstage\n`);
      lock.release();
    }
  });

  test('GIVEN the lock replaced by another process\'s WHEN released THEN that lock stays', () => {
    const dist = path.join(tmp(), 'dist');
    const lock = lockFolder(dist, { command: 'synth' });
    fs.unlinkSync(lock.file);
    fs.writeFileSync(lock.file, '1\nstage\n');
    lock.release();
    expect(fs.readFileSync(lock.file, 'utf8')).toBe('1\nstage\n');
  });

  test('GIVEN a symbolic link where the lock goes THEN it is not followed: the lock is refused as not modelcar\'s', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'target'), 'keep');
    fs.symlinkSync(path.join(dir, 'target'), path.join(dir, '.dist.modelcar-lock'));
    expect(() => lockFolder(path.join(dir, 'dist'), { command: 'synth', shown: 'dist' })).toThrow(
      new UserError(`${path.join(dir, '.dist.modelcar-lock')} (the lock of dist) is not a file modelcar wrote; remove it`),
    );
    expect(fs.readFileSync(path.join(dir, 'target'), 'utf8')).toBe('keep');
  });

  test('GIVEN a folder where the lock goes THEN it is refused as not modelcar\'s, and left as it is', () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, '.dist.modelcar-lock'));
    expect(() => lockFolder(path.join(dir, 'dist'), { command: 'synth', shown: 'dist' })).toThrow(
      new UserError(`${path.join(dir, '.dist.modelcar-lock')} (the lock of dist) is not a file modelcar wrote; remove it`),
    );
    expect(fs.statSync(path.join(dir, '.dist.modelcar-lock')).isDirectory()).toBe(true);
  });

  test('GIVEN the lock replaced by a symbolic link while held THEN release neither follows nor removes it', () => {
    const dir = tmp();
    const lock = lockFolder(path.join(dir, 'dist'), { command: 'synth', shown: 'dist' });
    const target = path.join(dir, 'target');
    fs.writeFileSync(target, fs.readFileSync(lock.file));
    fs.rmSync(lock.file);
    fs.symlinkSync(target, lock.file);
    lock.release();
    expect(fs.lstatSync(lock.file).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(target, 'utf8')).toBe(`${process.pid}\nsynth\n`);
  });
});
