/**
 * SafeFolder: every path below a folder modelcar owns is reached without following a symbolic link or crossing a
 * mount point; links where a file goes are replaced, never followed; owners of the user's folders are kept.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { UserError } from '../../src/core/errors';
import { NotRegularFileError, SafeFolder, UnsafePathError, readRegularFile, removeTreeAt } from '../../src/core/safe-fs';
import { mountTmpfs, unmountAll } from '../support/mounts';
import { tempDir } from '../support/temp';
import { readTree } from '../support/tree';

function tmp(): string {
  return fs.realpathSync(tempDir('modelcar-safe-fs-'));
}

/** A folder `root` and, beside it, `outside` holding a file that must never change. */
function setup(): { root: string; outside: string; folder: SafeFolder } {
  const dir = tmp();
  const root = path.join(dir, 'root');
  const outside = path.join(dir, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'keep.txt'), 'the user\'s file');
  return { root, outside, folder: SafeFolder.open(root, { shown: 'dist', what: 'output folder' })! };
}

afterAll(unmountAll);

describe('SafeFolder: links on the way are refused', () => {
  test('GIVEN a folder on the way that is a symbolic link (to outside) THEN reading, writing, listing and removing through it are refused, naming the link', () => {
    const { root, outside, folder } = setup();
    fs.symlinkSync(outside, path.join(root, 'images'));
    const refusal = new UnsafePathError(
      `dist/images is a symbolic link (to ${outside}), where modelcar needs a folder of its own in its output folder; modelcar never reads, writes or deletes through links there: replace the link with a folder, or remove it`,
      'dist/images',
    );
    expect(() => folder.read('images/keep.txt')).toThrow(refusal);
    expect(() => folder.createFile('images/new.txt', 'x', 0o644)).toThrow(refusal);
    expect(() => folder.replaceFile('images/keep.txt', 'x', 0o644)).toThrow(refusal);
    expect(() => folder.removeEntry('images/keep.txt')).toThrow(refusal);
    expect(() => folder.removeTree('images/sub')).toThrow(refusal);
    expect(() => folder.list('images')).toThrow(refusal);
    expect(() => folder.makeFolders('images/a/b')).toThrow(refusal);
    expect(readTree(outside)).toStrictEqual({ 'keep.txt': "the user's file" });
  });

  test('GIVEN a file that is a symbolic link THEN read says so (the target is not read); replaceFile replaces the link, the target is untouched', () => {
    const { root, outside, folder } = setup();
    fs.symlinkSync(path.join(outside, 'keep.txt'), path.join(root, 'a.yaml'));
    expect(folder.read('a.yaml')).toStrictEqual({ link: path.join(outside, 'keep.txt') });
    folder.replaceFile('a.yaml', 'mine now', 0o644);
    expect(fs.lstatSync(path.join(root, 'a.yaml')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(root, 'a.yaml'), 'utf8')).toBe('mine now');
    expect(readTree(outside)).toStrictEqual({ 'keep.txt': "the user's file" });
  });

  test('GIVEN a dangling link, and a link loop THEN createFile fails (EEXIST) rather than creating the target; removeEntry removes the link only', () => {
    const { root, outside, folder } = setup();
    fs.symlinkSync(path.join(outside, 'new.txt'), path.join(root, 'dangling'));
    fs.symlinkSync('loop', path.join(root, 'loop'));
    expect(() => folder.createFile('dangling', 'x', 0o644)).toThrow(/EEXIST/);
    expect(() => folder.createFile('loop', 'x', 0o644)).toThrow(/EEXIST/);
    expect(folder.read('loop')).toStrictEqual({ link: 'loop' });
    folder.removeEntry('dangling');
    folder.removeEntry('loop');
    expect(fs.readdirSync(root)).toStrictEqual([]);
    expect(fs.existsSync(path.join(outside, 'new.txt'))).toBe(false);
  });

  test('GIVEN a tree with links to outside WHEN removed THEN the links go, what they point to stays', () => {
    const { root, outside, folder } = setup();
    fs.mkdirSync(path.join(root, 'old', 'sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'old', 'sub', 'f'), 'x');
    fs.symlinkSync(outside, path.join(root, 'old', 'to-outside'));
    fs.symlinkSync(path.join(outside, 'keep.txt'), path.join(root, 'old', 'sub', 'to-file'));
    folder.removeTree('old');
    expect(fs.readdirSync(root)).toStrictEqual([]);
    expect(readTree(outside)).toStrictEqual({ 'keep.txt': "the user's file" });
  });

  test('GIVEN relative paths that climb or are absolute THEN they are refused before anything is touched', () => {
    const { folder } = setup();
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', './a']) {
      expect(() => folder.read(bad)).toThrow(new UserError(`"${bad}" is not a relative path inside the folder (no ".", ".." or empty segments)`));
    }
  });

  test('GIVEN the folder itself is a symbolic link THEN it is opened at its real path (the user chose where it lives)', () => {
    const { root } = setup();
    const link = path.join(path.dirname(root), 'dist-link');
    fs.symlinkSync(root, link);
    const folder = SafeFolder.open(link)!;
    expect(folder.path).toBe(root);
    folder.createFile('a/b.txt', 'x', 0o600);
    expect(fs.readFileSync(path.join(root, 'a', 'b.txt'), 'utf8')).toBe('x');
    expect(fs.statSync(path.join(root, 'a', 'b.txt')).mode & 0o777).toBe(0o600);
  });
});

describe('SafeFolder: mount points (a real tmpfs) are never crossed', () => {
  test('GIVEN a tmpfs mounted inside the folder THEN reading, writing and removing in it are refused, naming the mount point', () => {
    const { root, folder } = setup();
    mountTmpfs(path.join(root, 'models'));
    fs.writeFileSync(path.join(root, 'models', 'weights'), 'on another filesystem');
    const refusal = new UnsafePathError(
      'dist/models is a mount point (another filesystem) inside the output folder; modelcar never reads, writes or deletes across one there: unmount it, or choose another output folder',
      'dist/models',
    );
    expect(() => folder.read('models/weights')).toThrow(refusal);
    expect(() => folder.createFile('models/new', 'x', 0o644)).toThrow(refusal);
    expect(() => folder.removeEntry('models/weights')).toThrow(refusal);
    expect(() => folder.removeTree('models')).toThrow(refusal);
    expect(fs.readFileSync(path.join(root, 'models', 'weights'), 'utf8')).toBe('on another filesystem');
  });
});

describe('removeTreeAt', () => {
  test('GIVEN a link to a folder THEN it removes the link, not the folder', () => {
    const { outside } = setup();
    const link = path.join(path.dirname(outside), 'link');
    fs.symlinkSync(outside, link);
    removeTreeAt(link);
    expect(fs.existsSync(link)).toBe(false);
    expect(readTree(outside)).toStrictEqual({ 'keep.txt': "the user's file" });
  });
});

describe('SafeFolder run as root on a user\'s folder', () => {
  const asRoot = process.geteuid?.() === 0;
  test('GIVEN a folder owned by another user THEN new folders and files get its owner (modes as asked)', () => {
    if (!asRoot) throw new Error('this test checks what modelcar does as root: run the tests as root, as the CI container does');
    const { root } = setup();
    fs.chownSync(root, 1234, 2345);
    const folder = SafeFolder.open(root)!;
    folder.createFile('a/b/c.txt', 'x', 0o640);
    folder.replaceFile('a/d.txt', 'y', 0o600);
    for (const p of ['a', 'a/b', 'a/b/c.txt', 'a/d.txt']) {
      const s = fs.lstatSync(path.join(root, p));
      expect({ p, uid: s.uid, gid: s.gid }).toStrictEqual({ p, uid: 1234, gid: 2345 });
    }
    expect(fs.statSync(path.join(root, 'a/b/c.txt')).mode & 0o777).toBe(0o640);
    expect(fs.statSync(path.join(root, 'a/d.txt')).mode & 0o777).toBe(0o600);
  });
});

describe('readRegularFile', () => {
  test('GIVEN a file, or a link to one THEN its bytes; with noFollow a link is refused (ELOOP), a folder is EISDIR', () => {
    const dir = tempDir('modelcar-read-regular-');
    fs.writeFileSync(path.join(dir, 'a.yaml'), 'a: 1\n');
    fs.symlinkSync('a.yaml', path.join(dir, 'link.yaml'));
    expect(readRegularFile(path.join(dir, 'a.yaml')).toString()).toBe('a: 1\n');
    expect(readRegularFile(path.join(dir, 'link.yaml')).toString()).toBe('a: 1\n');
    expect(() => readRegularFile(path.join(dir, 'link.yaml'), { noFollow: true })).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(() => readRegularFile(dir)).toThrow(expect.objectContaining({ code: 'EISDIR', syscall: 'read', message: 'EISDIR: illegal operation on a directory, read' }));
    expect(() => readRegularFile(path.join(dir, 'none.yaml'))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  test('GIVEN a named pipe with no writer, /dev/zero or a socket THEN refused at once, naming what it is', () => {
    const dir = tempDir('modelcar-read-special-');
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(() => readRegularFile(fifo)).toThrow(new NotRegularFileError(fifo, fs.statSync(fifo)));
    expect(() => readRegularFile(fifo)).toThrow(`${fifo}: is a named pipe (FIFO), not a file; modelcar reads only regular files here`);
    expect(() => readRegularFile('/dev/zero')).toThrow('/dev/zero: is a device, not a file; modelcar reads only regular files here');
    const socket = path.join(dir, 'sock');
    const server = net.createServer().listen(socket);
    try {
      expect(() => readRegularFile(socket)).toThrow(expect.objectContaining({ code: 'ENXIO' }));
    } finally {
      server.close();
    }
  });
});
