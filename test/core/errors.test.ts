import { formatDiagnostic, printable, systemErrorMessage } from '../../src/core/errors';

describe('printable: terminal control characters escaped, once, where messages are printed', () => {
  test('ESC, CR, BEL, DEL, C1 CSI and bidi overrides become escapes; tabs and (for multi-line messages) line breaks stay', () => {
    expect(printable('a\x1b[31mred\rX\x07\x7f\x9b2J\u202egnp.exe\tend\nnext')).toBe('a\\x1b[31mred\\rX\\x07\\x7f\\x9b2J\\u202egnp.exe\tend\nnext');
  });

  test('a diagnostic is one line: its line breaks are escaped too', () => {
    expect(formatDiagnostic({ position: { file: 'x.yaml', line: 3, column: 5 }, field: 'Namespace a\x1b]0;owned\x07', message: 'bad\nmodelcar: fake line' })).toBe(
      'x.yaml:3:5: Namespace a\\x1b]0;owned\\x07: bad\\nmodelcar: fake line',
    );
  });
});

describe('systemErrorMessage', () => {
  test('says what failed, on which path, and why, in words', () => {
    const e = Object.assign(new Error("EROFS: read-only file system, open '/x/y'"), { code: 'EROFS', syscall: 'open', path: '/x/y' });
    expect(systemErrorMessage(e)).toBe('cannot open /x/y: the filesystem is read-only (EROFS)');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
    expect(systemErrorMessage(full)).toBe('cannot write: no space left on the device (ENOSPC)');
  });
});
